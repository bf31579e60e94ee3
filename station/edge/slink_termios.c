/*
 * slink_termios.c - plain open() + termios, for pseudo-terminals (the simulator, QEMU) (see slink.h for the contract every link keeps).
 */
#include "slink_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "gc_error.h"

static const struct slink_ops termios_ops = {"termios", slink_fdl_read, slink_fdl_write, slink_fdl_close};

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

int slink_open_termios(const char *path, int baud, bool explicit_baud, bool no_lock,
                       struct slink **out, struct gc_diag *diag)
{
    speed_t speed;
    if (baud_to_speed(baud, &speed) < 0) {
        return gc_fail(diag, GC_ERR_ARG, "unsupported baud rate %d", baud);
    }
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return gc_fail(diag, slink_err_from_errno(e), "%s: %s", path, strerror(e));
    }
    if (!no_lock) {
        int rc = slink_lock_fd(fd, path, diag);
        if (rc < 0) {
            close(fd);
            return rc;
        }
    }
    struct termios t;
    if (tcgetattr(fd, &t) < 0) {
        gc_fail(diag, GC_ERR_UNSUPPORTED, "%s is not a serial port (%s)", path, strerror(errno));
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
        gc_fail(diag, GC_ERR_IO, "%s: cannot configure (%s)", path, strerror(errno));
        close(fd);
        return GC_ERR_IO;
    }
    struct fd_link *f = malloc(sizeof *f);
    if (f == NULL) {
        close(fd);
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory");
    }
    f->fd = fd;
    struct slink *l = slink_wrap(&termios_ops, f, SLINK_TERMIOS, path);
    if (l == NULL)
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory");
    /* A pty carries no baud rate, unless the caller named one: then it
     * stands for an emulated UART (QEMU) and the rate is taken at its word. */
    l->baud = slink_is_pty(path) && !explicit_baud ? 0 : baud;
    *out = l;
    return GC_OK;
}
