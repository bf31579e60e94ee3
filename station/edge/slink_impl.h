/*
 * slink_impl.h - what the serial link's files share (private to
 * station/edge/slink*.c; users include slink.h).
 *
 *   slink.c             the common link: open by kind, read/write/close, errors
 *   slink_fd.c          file-descriptor I/O shared by termios and the fake pair
 *   slink_termios.c     plain termios (ptys: the simulator, QEMU)
 *   slink_serialport.c  libserialport (real ports) and port enumeration
 *   slink_fake.c        two connected in-process ends (tests)
 *   slink_memory.c      reads from a buffer, writes captured (tests)
 */
#ifndef GC_SLINK_IMPL_H
#define GC_SLINK_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gc_error.h"
#include "slink.h"

struct slink {
    const struct slink_ops *ops;
    void *ctx;
    enum slink_kind kind;
    int baud;
    char path[256];
};

/* errno -> GC_ERR_* (NOT_FOUND, BUSY, PERM, IO). */
int slink_err_from_errno(int e);
int64_t slink_mono_ms(void);

/* File-descriptor links (termios, fake pair): ctx is a struct fd_link. */
struct fd_link {
    int fd;
};
/* Wait for fd to become ready: 1 ready, 0 timeout, GC_ERR_CLOSED on a
 * hang-up without data, GC_ERR_IO on failure. */
int slink_fd_wait(int fd, short events, int timeout_ms);
int slink_fdl_read(void *ctx, uint8_t *buf, size_t cap, int timeout_ms);
int slink_fdl_write(void *ctx, const uint8_t *buf, size_t n, int timeout_ms);
void slink_fdl_close(void *ctx);
/* flock + TIOCEXCL: GC_OK, or GC_ERR_BUSY (diag: "PATH is locked by
 * another process") when another process holds it. */
int slink_lock_fd(int fd, const char *path, struct gc_diag *diag);

/* slink_open's transports; diag as slink_open's. */
int slink_open_termios(const char *path, int baud, bool explicit_baud, bool no_lock,
                       struct slink **out, struct gc_diag *diag);
int slink_open_serialport(const char *path, int baud, bool explicit_baud, bool no_lock,
                          struct slink **out, struct gc_diag *diag);

#endif
