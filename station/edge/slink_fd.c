/*
 * slink_fd.c - file-descriptor I/O shared by the termios link and the fake pair (see slink.h for the contract every link keeps).
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

/* ---- plain file descriptor I/O shared by termios and the fake pair ---- */


/* Wait for fd to become ready.  Returns 1 ready, 0 timeout, GC_ERR_CLOSED on
 * hang-up without data, GC_ERR_IO on failure. */
int slink_fd_wait(int fd, short events, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = events};
    for (;;) {
        int rc = poll(&p, 1, timeout_ms < 0 ? -1 : timeout_ms);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0) {
            return GC_ERR_IO;
        }
        if (rc == 0)
            return 0;
        if (p.revents & events)
            return 1;
        if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) {
            return GC_ERR_CLOSED;
        }
        return 1;
    }
}

static int fd_read(int fd, uint8_t *buf, size_t cap, int timeout_ms)
{
    int rc = slink_fd_wait(fd, POLLIN, timeout_ms);
    if (rc <= 0)
        return rc;
    for (;;) {
        ssize_t n = read(fd, buf, cap);
        if (n > 0)
            return (int)n;
        if (n == 0) {
            return GC_ERR_CLOSED;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        /* A pty whose master closed, or an unplugged USB device, reads EIO/ENXIO. */
        return (errno == EIO || errno == ENXIO || errno == ENODEV) ? GC_ERR_CLOSED : GC_ERR_IO;
    }
}

static int fd_write(int fd, const uint8_t *buf, size_t n, int timeout_ms)
{
    size_t done = 0;
    int64_t deadline = slink_mono_ms() + (timeout_ms < 0 ? 0 : timeout_ms);
    while (done < n) {
        ssize_t w = write(fd, buf + done, n - done);
        if (w > 0) {
            done += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            return (errno == EIO || errno == ENXIO || errno == ENODEV || errno == EPIPE)
                       ? GC_ERR_CLOSED
                       : GC_ERR_IO;
        }
        int64_t left = deadline - slink_mono_ms();
        if (left <= 0) {
            return GC_ERR_TIMEOUT;
        }
        int rc = slink_fd_wait(fd, POLLOUT, (int)left);
        if (rc < 0)
            return rc;
    }
    return (int)n;
}

int slink_fdl_read(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
    return fd_read(((struct fd_link *)ctx)->fd, buf, cap, timeout_ms);
}

int slink_fdl_write(void *ctx, const uint8_t *buf, size_t n, int timeout_ms)
{
    return fd_write(((struct fd_link *)ctx)->fd, buf, n, timeout_ms);
}

void slink_fdl_close(void *ctx)
{
    struct fd_link *f = ctx;
    if (f->fd >= 0)
        close(f->fd);
    free(f);
}

/* Exclusive use: flock keeps a second station away, TIOCEXCL keeps other
 * (non-root) programs from opening the tty while we hold it. */
int slink_lock_fd(int fd, const char *path, struct gc_diag *diag)
{
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno == EWOULDBLOCK)
            return gc_fail(diag, GC_ERR_BUSY, "%s is locked by another process", path);
        /* Filesystems without flock support: carry on unlocked. */
    }
    (void)ioctl(fd, TIOCEXCL);
    return GC_OK;
}
