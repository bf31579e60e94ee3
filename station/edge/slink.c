/*
 * slink.c - the common serial link: errors, opening by kind, the calls every transport shares (see slink.h for the contract every link keeps).
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
#include <time.h>

/* Linux: UNIX98 pty slaves use majors 136..143 (Documentation/admin-guide/devices.txt). */
#define PTY_SLAVE_MAJOR_FIRST 136u
#define PTY_SLAVE_MAJOR_LAST  143u

int slink_err_from_errno(int e)
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

int64_t slink_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

int slink_open(const char *path, const struct slink_params *params, struct slink **out,
               struct gc_diag *diag)
{
    struct slink_params def = {SLINK_AUTO, 0, false};
    if (params == NULL)
        params = &def;
    *out = NULL;
    gc_diag_clear(diag);
    if (path == NULL || path[0] == '\0')
        return gc_fail(diag, GC_ERR_ARG, "no port given");
    int baud = params->baud > 0 ? params->baud : SLINK_DEFAULT_BAUD;
    struct stat st;
    if (stat(path, &st) < 0) {
        int e = errno;
        return gc_fail(diag, slink_err_from_errno(e), "%s: %s", path, strerror(e));
    }
    if (!S_ISCHR(st.st_mode))
        return gc_fail(diag, GC_ERR_UNSUPPORTED, "%s is not a character device", path);
    enum slink_kind kind = params->kind;
    if (kind == SLINK_AUTO)
        kind = slink_is_pty(path) ? SLINK_TERMIOS : SLINK_SERIALPORT;
    switch (kind) {
    case SLINK_TERMIOS:
        return slink_open_termios(path, baud, params->baud > 0, params->no_lock, out, diag);
    case SLINK_SERIALPORT:
        return slink_open_serialport(path, baud, params->baud > 0, params->no_lock, out, diag);
    default:
        return gc_fail(diag, GC_ERR_ARG, "link kind %d cannot open a port", (int)kind);
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
