/*
 * slink.c - serial link implementations: libserialport, termios, fake pair,
 * memory (see slink.h for the contract every one of them keeps).
 */
#include "slink.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <libserialport.h>

#include "gc_error.h"

#define LOG_PREFIX "slink"
#include "log.h"

/* Linux: UNIX98 pty slaves use majors 136..143 (Documentation/admin-guide/devices.txt). */
#define PTY_SLAVE_MAJOR_FIRST 136u
#define PTY_SLAVE_MAJOR_LAST  143u

struct slink {
    const struct slink_ops *ops;
    void *ctx;
    enum slink_kind kind;
    int baud;
    char path[256];
};

static _Thread_local char last_error[256];

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static void
set_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
}

const char *slink_last_error(void)
{
    return last_error;
}

static int err_from_errno(int e)
{
    switch (e) {
    case ENOENT:
    case ENODEV:
    case ENXIO:
        return GC_ERR_NOT_FOUND;
    case EBUSY:
    case EWOULDBLOCK:
        return GC_ERR_BUSY;
    case EACCES:
    case EPERM:
        return GC_ERR_PERM;
    default:
        return GC_ERR_IO;
    }
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- plain file descriptor I/O shared by termios and the fake pair ---- */

struct fd_link {
    int fd;
};

/* Wait for fd to become ready.  Returns 1 ready, 0 timeout, GC_ERR_CLOSED on
 * hang-up without data, GC_ERR_IO on failure. */
static int fd_wait(int fd, short events, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = events};
    for (;;) {
        int rc = poll(&p, 1, timeout_ms < 0 ? -1 : timeout_ms);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0) {
            set_error("poll: %s", strerror(errno));
            return GC_ERR_IO;
        }
        if (rc == 0)
            return 0;
        if (p.revents & events)
            return 1;
        if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) {
            set_error("device hung up");
            return GC_ERR_CLOSED;
        }
        return 1;
    }
}

static int fd_read(int fd, uint8_t *buf, size_t cap, int timeout_ms)
{
    int rc = fd_wait(fd, POLLIN, timeout_ms);
    if (rc <= 0)
        return rc;
    for (;;) {
        ssize_t n = read(fd, buf, cap);
        if (n > 0)
            return (int)n;
        if (n == 0) {
            set_error("end of file");
            return GC_ERR_CLOSED;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        set_error("read: %s", strerror(errno));
        /* A pty whose master closed, or an unplugged USB device, reads EIO/ENXIO. */
        return (errno == EIO || errno == ENXIO || errno == ENODEV) ? GC_ERR_CLOSED : GC_ERR_IO;
    }
}

static int fd_write(int fd, const uint8_t *buf, size_t n, int timeout_ms)
{
    size_t done = 0;
    int64_t deadline = mono_ms() + (timeout_ms < 0 ? 0 : timeout_ms);
    while (done < n) {
        ssize_t w = write(fd, buf + done, n - done);
        if (w > 0) {
            done += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            set_error("write: %s", strerror(errno));
            return (errno == EIO || errno == ENXIO || errno == ENODEV || errno == EPIPE)
                       ? GC_ERR_CLOSED
                       : GC_ERR_IO;
        }
        int64_t left = deadline - mono_ms();
        if (left <= 0) {
            set_error("write timed out after %d ms", timeout_ms);
            return GC_ERR_TIMEOUT;
        }
        int rc = fd_wait(fd, POLLOUT, (int)left);
        if (rc < 0)
            return rc;
    }
    return (int)n;
}

static int fdl_read(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
    return fd_read(((struct fd_link *)ctx)->fd, buf, cap, timeout_ms);
}

static int fdl_write(void *ctx, const uint8_t *buf, size_t n, int timeout_ms)
{
    return fd_write(((struct fd_link *)ctx)->fd, buf, n, timeout_ms);
}

static void fdl_close(void *ctx)
{
    struct fd_link *f = ctx;
    if (f->fd >= 0)
        close(f->fd);
    free(f);
}

static const struct slink_ops termios_ops = {"termios", fdl_read, fdl_write, fdl_close};
static const struct slink_ops fake_ops = {"fake", fdl_read, fdl_write, fdl_close};

/* Exclusive use: flock keeps a second station away, TIOCEXCL keeps other
 * (non-root) programs from opening the tty while we hold it. */
static int lock_fd(int fd, const char *path)
{
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno == EWOULDBLOCK) {
            set_error("%s is locked by another process", path);
            return GC_ERR_BUSY;
        }
        /* Filesystems without flock support: carry on unlocked. */
    }
    (void)ioctl(fd, TIOCEXCL);
    return GC_OK;
}

static int baud_to_speed(int baud, speed_t *out)
{
    static const struct {
        int baud;
        speed_t speed;
    } table[] = {
        {9600, B9600},       {19200, B19200},     {38400, B38400},     {57600, B57600},
        {115200, B115200},   {230400, B230400},   {460800, B460800},   {500000, B500000},
        {576000, B576000},   {921600, B921600},   {1000000, B1000000}, {1152000, B1152000},
        {1500000, B1500000}, {2000000, B2000000}, {3000000, B3000000},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].baud == baud) {
            *out = table[i].speed;
            return GC_OK;
        }
    return GC_ERR_ARG;
}

static int open_termios(const char *path, int baud, bool explicit_baud, bool no_lock,
                        struct slink **out)
{
    speed_t speed;
    if (baud_to_speed(baud, &speed) < 0) {
        set_error("unsupported baud rate %d", baud);
        return GC_ERR_ARG;
    }
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        set_error("%s: %s", path, strerror(errno));
        return err_from_errno(errno);
    }
    if (!no_lock) {
        int rc = lock_fd(fd, path);
        if (rc < 0) {
            close(fd);
            return rc;
        }
    }
    struct termios t;
    if (tcgetattr(fd, &t) < 0) {
        set_error("%s is not a serial port (%s)", path, strerror(errno));
        close(fd);
        return GC_ERR_UNSUPPORTED;
    }
    cfmakeraw(&t);
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cflag &= ~(tcflag_t)CRTSCTS;
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    cfsetispeed(&t, speed);
    cfsetospeed(&t, speed);
    if (tcsetattr(fd, TCSANOW, &t) < 0) {
        set_error("%s: cannot configure (%s)", path, strerror(errno));
        close(fd);
        return GC_ERR_IO;
    }
    struct fd_link *f = malloc(sizeof *f);
    if (f == NULL) {
        close(fd);
        return GC_ERR_NOMEM;
    }
    f->fd = fd;
    struct slink *l = slink_wrap(&termios_ops, f, SLINK_TERMIOS, path);
    if (l == NULL)
        return GC_ERR_NOMEM;
    /* A pty carries no baud rate, unless the caller named one: then it
     * stands for an emulated UART (QEMU) and the rate is taken at its word. */
    l->baud = slink_is_pty(path) && !explicit_baud ? 0 : baud;
    *out = l;
    return GC_OK;
}

/* ---- libserialport ---- */

struct sp_link {
    struct sp_port *port;
    int fd;
};

static int sp_err(enum sp_return rc, const char *what)
{
    if (rc == SP_ERR_FAIL) {
        int e = sp_last_error_code();
        char *msg = sp_last_error_message();
        set_error("%s: %s", what, msg ? msg : "failed");
        sp_free_error_message(msg);
        return err_from_errno(e);
    }
    set_error("%s: libserialport error %d", what, (int)rc);
    return rc == SP_ERR_MEM ? GC_ERR_NOMEM : rc == SP_ERR_SUPP ? GC_ERR_UNSUPPORTED : GC_ERR_IO;
}

static int spl_read(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
    struct sp_link *s = ctx;
    int rc = fd_wait(s->fd, POLLIN, timeout_ms);
    if (rc <= 0)
        return rc;
    enum sp_return n = sp_nonblocking_read(s->port, buf, cap);
    if (n > 0)
        return (int)n;
    if (n == 0) {
        /* poll said readable but nothing came: the device is gone. */
        set_error("end of file");
        return GC_ERR_CLOSED;
    }
    int e = sp_last_error_code();
    set_error("read: %s", strerror(e));
    return (e == EIO || e == ENXIO || e == ENODEV) ? GC_ERR_CLOSED : GC_ERR_IO;
}

static int spl_write(void *ctx, const uint8_t *buf, size_t n, int timeout_ms)
{
    struct sp_link *s = ctx;
    enum sp_return w =
        sp_blocking_write(s->port, buf, n, (unsigned)(timeout_ms < 0 ? 0 : timeout_ms));
    if (w < 0) {
        int e = sp_last_error_code();
        set_error("write: %s", strerror(e));
        return (e == EIO || e == ENXIO || e == ENODEV) ? GC_ERR_CLOSED : GC_ERR_IO;
    }
    if ((size_t)w < n) {
        set_error("write timed out after %d ms", timeout_ms);
        return GC_ERR_TIMEOUT;
    }
    return (int)n;
}

static void spl_close(void *ctx)
{
    struct sp_link *s = ctx;
    if (s->port) {
        sp_close(s->port);
        sp_free_port(s->port);
    }
    free(s);
}

static const struct slink_ops serialport_ops = {"serialport", spl_read, spl_write, spl_close};

static int open_serialport(const char *path, int baud, bool explicit_baud, bool no_lock,
                           struct slink **out)
{
    /* libserialport looks the port up in sysfs by its /dev name, so resolve
     * symlinks such as /dev/serial/by-id/... first. */
    char real[PATH_MAX];
    if (realpath(path, real) == NULL) {
        set_error("%s: %s", path, strerror(errno));
        return err_from_errno(errno);
    }
    struct sp_port *port = NULL;
    enum sp_return rc = sp_get_port_by_name(real, &port);
    if (rc != SP_OK) {
        set_error("%s: libserialport does not know this device%s", path,
                  slink_is_pty(real) ? " (a pseudo-terminal; use the termios link)" : "");
        return GC_ERR_UNSUPPORTED;
    }
    rc = sp_open(port, SP_MODE_READ_WRITE);
    if (rc != SP_OK) {
        int err = sp_err(rc, path);
        sp_free_port(port);
        return err;
    }
    int fd = -1;
    sp_get_port_handle(port, &fd);
    if (!no_lock) {
        int lrc = lock_fd(fd, path);
        if (lrc < 0) {
            sp_close(port);
            sp_free_port(port);
            return lrc;
        }
    }
    if ((rc = sp_set_baudrate(port, baud)) != SP_OK || (rc = sp_set_bits(port, 8)) != SP_OK ||
        (rc = sp_set_parity(port, SP_PARITY_NONE)) != SP_OK ||
        (rc = sp_set_stopbits(port, 1)) != SP_OK ||
        (rc = sp_set_flowcontrol(port, SP_FLOWCONTROL_NONE)) != SP_OK) {
        int err = sp_err(rc, path);
        sp_close(port);
        sp_free_port(port);
        return err;
    }
    /* Non-blocking descriptor: reads go through poll() so a timeout and a
     * hang-up are both seen. */
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    struct sp_link *s = malloc(sizeof *s);
    if (s == NULL) {
        sp_close(port);
        sp_free_port(port);
        return GC_ERR_NOMEM;
    }
    s->port = port;
    s->fd = fd;
    enum sp_transport tr = sp_get_port_transport(port);
    struct slink *l = slink_wrap(&serialport_ops, s, SLINK_SERIALPORT, path);
    if (l == NULL)
        return GC_ERR_NOMEM;
    /* USB-CDC and Bluetooth ignore the baud rate; a native UART is limited
     * by it (a pty only when the caller named a rate, as for termios). */
    l->baud = tr == SP_TRANSPORT_NATIVE && (explicit_baud || !slink_is_pty(real)) ? baud : 0;
    *out = l;
    return GC_OK;
}

/* ---- memory link (tests) ---- */

struct mem_link {
    uint8_t *rx;
    size_t rx_n, rx_pos, chunk;
    uint8_t *tx;
    size_t tx_n, tx_cap;
};

static int mem_read(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
    (void)timeout_ms;
    struct mem_link *m = ctx;
    if (m->rx_pos >= m->rx_n)
        return GC_ERR_CLOSED;
    size_t n = m->rx_n - m->rx_pos;
    if (m->chunk && n > m->chunk)
        n = m->chunk;
    if (n > cap)
        n = cap;
    memcpy(buf, m->rx + m->rx_pos, n);
    m->rx_pos += n;
    return (int)n;
}

static int mem_write(void *ctx, const uint8_t *buf, size_t n, int timeout_ms)
{
    (void)timeout_ms;
    struct mem_link *m = ctx;
    if (m->tx_n + n > m->tx_cap) {
        size_t cap = m->tx_cap ? m->tx_cap : 256;
        while (cap < m->tx_n + n)
            cap *= 2;
        uint8_t *p = realloc(m->tx, cap);
        if (p == NULL)
            return GC_ERR_NOMEM;
        m->tx = p;
        m->tx_cap = cap;
    }
    memcpy(m->tx + m->tx_n, buf, n);
    m->tx_n += n;
    return (int)n;
}

static void mem_close(void *ctx)
{
    struct mem_link *m = ctx;
    free(m->rx);
    free(m->tx);
    free(m);
}

static const struct slink_ops memory_ops = {"memory", mem_read, mem_write, mem_close};

struct slink *slink_memory_new(const uint8_t *rx, size_t n, size_t chunk)
{
    struct mem_link *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->rx = malloc(n ? n : 1);
    if (m->rx == NULL) {
        free(m);
        return NULL;
    }
    if (n)
        memcpy(m->rx, rx, n);
    m->rx_n = n;
    m->chunk = chunk;
    return slink_wrap(&memory_ops, m, SLINK_MEMORY, "memory");
}

const uint8_t *slink_memory_written(const struct slink *l, size_t *n)
{
    if (l == NULL || l->ops != &memory_ops) {
        *n = 0;
        return NULL;
    }
    const struct mem_link *m = l->ctx;
    *n = m->tx_n;
    return m->tx;
}

/* ---- generic ---- */

struct slink *slink_wrap(const struct slink_ops *ops, void *ctx, enum slink_kind kind,
                         const char *name)
{
    struct slink *l = calloc(1, sizeof *l);
    if (l == NULL) {
        ops->close(ctx);
        return NULL;
    }
    l->ops = ops;
    l->ctx = ctx;
    l->kind = kind;
    snprintf(l->path, sizeof l->path, "%s", name ? name : "");
    return l;
}

int slink_fake_pair(struct slink **a, struct slink **b)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        set_error("socketpair: %s", strerror(errno));
        return GC_ERR_IO;
    }
    struct slink *ends[2] = {NULL, NULL};
    for (int i = 0; i < 2; i++) {
        fcntl(sv[i], F_SETFL, fcntl(sv[i], F_GETFL) | O_NONBLOCK);
        struct fd_link *f = malloc(sizeof *f);
        if (f == NULL) {
            close(sv[i]);
            if (i == 0)
                close(sv[1]);
            slink_close(ends[0]);
            return GC_ERR_NOMEM;
        }
        f->fd = sv[i];
        ends[i] = slink_wrap(&fake_ops, f, SLINK_FAKE, i == 0 ? "fake:a" : "fake:b");
        if (ends[i] == NULL) {
            if (i == 0)
                close(sv[1]);
            slink_close(ends[0]);
            return GC_ERR_NOMEM;
        }
    }
    *a = ends[0];
    *b = ends[1];
    return GC_OK;
}

bool slink_is_pty(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISCHR(st.st_mode))
        return false;
    unsigned maj = major(st.st_rdev);
    if (maj >= PTY_SLAVE_MAJOR_FIRST && maj <= PTY_SLAVE_MAJOR_LAST)
        return true;
    char real[PATH_MAX];
    return realpath(path, real) != NULL && strncmp(real, "/dev/pts/", 9) == 0;
}

int slink_open(const char *path, const struct slink_params *params, struct slink **out)
{
    struct slink_params def = {SLINK_AUTO, 0, false};
    if (params == NULL)
        params = &def;
    *out = NULL;
    last_error[0] = '\0';
    if (path == NULL || path[0] == '\0')
        return GC_ERR_ARG;
    int baud = params->baud > 0 ? params->baud : SLINK_DEFAULT_BAUD;
    struct stat st;
    if (stat(path, &st) < 0) {
        set_error("%s: %s", path, strerror(errno));
        return err_from_errno(errno);
    }
    if (!S_ISCHR(st.st_mode)) {
        set_error("%s is not a character device", path);
        return GC_ERR_UNSUPPORTED;
    }
    enum slink_kind kind = params->kind;
    if (kind == SLINK_AUTO)
        kind = slink_is_pty(path) ? SLINK_TERMIOS : SLINK_SERIALPORT;
    switch (kind) {
    case SLINK_TERMIOS:
        return open_termios(path, baud, params->baud > 0, params->no_lock, out);
    case SLINK_SERIALPORT:
        return open_serialport(path, baud, params->baud > 0, params->no_lock, out);
    default:
        return GC_ERR_ARG;
    }
}

int slink_read(struct slink *l, uint8_t *buf, size_t cap, int timeout_ms)
{
    if (l == NULL || buf == NULL || cap == 0)
        return GC_ERR_ARG;
    return l->ops->read(l->ctx, buf, cap, timeout_ms);
}

int slink_write(struct slink *l, const uint8_t *buf, size_t n, int timeout_ms)
{
    if (l == NULL || (buf == NULL && n > 0))
        return GC_ERR_ARG;
    if (n == 0)
        return 0;
    return l->ops->write(l->ctx, buf, n, timeout_ms);
}

void slink_close(struct slink *l)
{
    if (l == NULL)
        return;
    l->ops->close(l->ctx);
    free(l);
}

enum slink_kind slink_get_kind(const struct slink *l)
{
    return l->kind;
}

const char *slink_kind_name(enum slink_kind kind)
{
    switch (kind) {
    case SLINK_AUTO:
        return "auto";
    case SLINK_SERIALPORT:
        return "serialport";
    case SLINK_TERMIOS:
        return "termios";
    case SLINK_FAKE:
        return "fake";
    case SLINK_MEMORY:
        return "memory";
    }
    return "?";
}

const char *slink_get_path(const struct slink *l)
{
    return l->path;
}

int slink_get_baud(const struct slink *l)
{
    return l->baud;
}

/* ---- enumeration ---- */

static void copy_str(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static void fill_info(struct sp_port *p, const char *shown_path, struct slink_port_info *info)
{
    memset(info, 0, sizeof *info);
    copy_str(info->path, sizeof info->path, shown_path ? shown_path : sp_get_port_name(p));
    copy_str(info->description, sizeof info->description, sp_get_port_description(p));
    info->usb_vid = info->usb_pid = -1;
    switch (sp_get_port_transport(p)) {
    case SP_TRANSPORT_USB:
        info->transport = SLINK_TR_USB;
        sp_get_port_usb_vid_pid(p, &info->usb_vid, &info->usb_pid);
        copy_str(info->manufacturer, sizeof info->manufacturer, sp_get_port_usb_manufacturer(p));
        copy_str(info->product, sizeof info->product, sp_get_port_usb_product(p));
        copy_str(info->serial, sizeof info->serial, sp_get_port_usb_serial(p));
        break;
    case SP_TRANSPORT_BLUETOOTH:
        info->transport = SLINK_TR_BLUETOOTH;
        break;
    default:
        info->transport = SLINK_TR_NATIVE;
        break;
    }
    if (info->transport == SLINK_TR_NATIVE && slink_is_pty(info->path))
        info->transport = SLINK_TR_PTY;
}

int slink_ports_list(const char *const *extra, size_t n_extra, struct slink_port_info **out)
{
    *out = NULL;
    struct sp_port **list = NULL;
    size_t n_sys = 0;
    if (sp_list_ports(&list) == SP_OK && list != NULL)
        while (list[n_sys])
            n_sys++;
    struct slink_port_info *v = calloc(n_sys + n_extra + 1, sizeof *v);
    if (v == NULL) {
        sp_free_port_list(list);
        return GC_ERR_NOMEM;
    }
    size_t n = 0;
    for (size_t i = 0; i < n_sys; i++)
        fill_info(list[i], NULL, &v[n++]);
    if (list)
        sp_free_port_list(list);
    for (size_t i = 0; i < n_extra; i++) {
        char real[PATH_MAX];
        if (extra[i] == NULL || realpath(extra[i], real) == NULL)
            continue;
        struct sp_port *p = NULL;
        if (sp_get_port_by_name(real, &p) == SP_OK) {
            fill_info(p, extra[i], &v[n++]);
            sp_free_port(p);
        } else {
            struct slink_port_info *info = &v[n++];
            memset(info, 0, sizeof *info);
            copy_str(info->path, sizeof info->path, extra[i]);
            info->usb_vid = info->usb_pid = -1;
            info->transport = slink_is_pty(real) ? SLINK_TR_PTY : SLINK_TR_NATIVE;
            copy_str(info->description, sizeof info->description,
                     info->transport == SLINK_TR_PTY ? "pseudo-terminal" : "serial port");
        }
    }
    *out = v;
    return (int)n;
}
