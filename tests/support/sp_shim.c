/*
 * sp_shim.c - TEST-ONLY LD_PRELOAD shim that lets libserialport 0.1.1 open
 * pseudo-terminals, so the real libserialport path of the station can be
 * tested without hardware (DESIGN.md section 6).  Never linked into the
 * station.
 *
 * What libserialport does on a pty, and what the shim answers:
 *   sp_get_port_by_name("/dev/pts/N") -> lstat("/sys/class/tty/pts/N")
 *       (Debian's build imports it as __lxstat) then readlink() of it, both
 *       absent on Linux (ptys are not in /sys/class/tty) -> the shim reports
 *       a symlink and readlink returns
 *       a plausible sysfs target: "../../devices/virtual/tty/pts/N", or with
 *       GC_SHIM_USB=1 a target containing "usb" so the port looks like a
 *       USB-CDC device.
 *   USB details: fopen("/sys/class/tty/pts/N/device/../idVendor") etc.
 *       -> with GC_SHIM_SYSFS=DIR the shim opens DIR/pts/N/device/../idVendor
 *       instead (the test writes busnum, devnum, idVendor, idProduct,
 *       manufacturer, product, serial there).
 *   sp_open -> ioctl(TIOCMGET) (and TIOCMBIS/TIOCMBIC/TIOCMSET when it sets
 *       DTR/RTS): ptys reject these with ENOTTY -> the shim answers them on
 *       pty file descriptors: TIOCMGET reports DSR|CTS|CD, the others
 *       succeed without effect.
 * Everything else goes to the real libc function.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#define SYS_TTY         "/sys/class/tty/"
#define PTY_MAJOR_FIRST 136u
#define PTY_MAJOR_LAST  143u

/* Exported interposers (declared here to satisfy -Wmissing-prototypes). */
ssize_t readlink(const char *restrict path, char *restrict buf, size_t bufsiz);
int __lxstat(int ver, const char *path, struct stat *st);
int lstat(const char *restrict path, struct stat *restrict st);
FILE *fopen(const char *restrict path, const char *restrict mode);
FILE *fopen64(const char *restrict path, const char *restrict mode);
int ioctl(int fd, unsigned long request, ...);

static int is_pts_sysfs(const char *path, const char **rest)
{
    size_t n = strlen(SYS_TTY "pts/");
    if (strncmp(path, SYS_TTY "pts/", n) != 0)
        return 0;
    *rest = path + strlen(SYS_TTY);
    return 1;
}

/* The sysfs entry of a pty itself (not a file below it). */
static int is_pts_entry(const char *path)
{
    const char *rest;
    return path && is_pts_sysfs(path, &rest) && strchr(rest + 4, '/') == NULL;
}

static int fake_link_stat(struct stat *st)
{
    memset(st, 0, sizeof *st);
    st->st_mode = S_IFLNK | 0777;
    st->st_nlink = 1;
    return 0;
}

int __lxstat(int ver, const char *path, struct stat *st)
{
    static int (*real)(int, const char *, struct stat *);
    if (real == NULL)
        *(void **)&real = dlsym(RTLD_NEXT, "__lxstat");
    if (is_pts_entry(path))
        return fake_link_stat(st);
    if (real == NULL) {
        errno = ENOSYS;
        return -1;
    }
    return real(ver, path, st);
}

int lstat(const char *restrict path, struct stat *restrict st)
{
    static int (*real)(const char *, struct stat *);
    if (real == NULL)
        *(void **)&real = dlsym(RTLD_NEXT, "lstat");
    if (is_pts_entry(path))
        return fake_link_stat(st);
    return real(path, st);
}

ssize_t readlink(const char *restrict path, char *restrict buf, size_t bufsiz)
{
    static ssize_t (*real)(const char *, char *, size_t);
    if (real == NULL)
        *(void **)&real = dlsym(RTLD_NEXT, "readlink");
    const char *rest;
    if (is_pts_entry(path) && is_pts_sysfs(path, &rest)) {
        char target[256];
        const char *usb = getenv("GC_SHIM_USB");
        int k = snprintf(target, sizeof target, "%s%s",
                         usb && usb[0] == '1' ? "../../devices/pci0000:00/0000:00:14.0/usb1/1-2/"
                                                "1-2:1.0/tty/"
                                              : "../../devices/virtual/tty/",
                         rest);
        if (k < 0)
            return -1;
        size_t len = (size_t)k < bufsiz ? (size_t)k : bufsiz;
        memcpy(buf, target, len); /* readlink does not NUL-terminate */
        return (ssize_t)len;
    }
    return real(path, buf, bufsiz);
}

static const char *redirect(const char *path, char *tmp, size_t cap)
{
    const char *rest;
    const char *dir = getenv("GC_SHIM_SYSFS");
    if (dir && path && is_pts_sysfs(path, &rest)) {
        snprintf(tmp, cap, "%s/%s", dir, rest);
        return tmp;
    }
    return path;
}

FILE *fopen(const char *restrict path, const char *restrict mode)
{
    static FILE *(*real)(const char *, const char *);
    if (real == NULL)
        *(void **)&real = dlsym(RTLD_NEXT, "fopen");
    char tmp[1024];
    return real(redirect(path, tmp, sizeof tmp), mode);
}

FILE *fopen64(const char *restrict path, const char *restrict mode)
{
    static FILE *(*real)(const char *, const char *);
    if (real == NULL)
        *(void **)&real = dlsym(RTLD_NEXT, "fopen64");
    char tmp[1024];
    return real(redirect(path, tmp, sizeof tmp), mode);
}

static int fd_is_pty(int fd)
{
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode))
        return 0;
    unsigned maj = major(st.st_rdev);
    return maj >= PTY_MAJOR_FIRST && maj <= PTY_MAJOR_LAST;
}

int ioctl(int fd, unsigned long request, ...)
{
    static int (*real)(int, unsigned long, ...);
    if (real == NULL)
        *(void **)&real = dlsym(RTLD_NEXT, "ioctl");
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    if ((request == TIOCMGET || request == TIOCMBIS || request == TIOCMBIC ||
         request == TIOCMSET) &&
        fd_is_pty(fd)) {
        if (request == TIOCMGET && arg)
            *(int *)arg = TIOCM_DSR | TIOCM_CTS | TIOCM_CD;
        return 0;
    }
    return real(fd, request, arg);
}
