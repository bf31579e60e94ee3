/*
 * slink.h - the serial link edge: a small table of function pointers with
 * several implementations behind it.
 *
 *   serialport  libserialport, for real ports (USB-CDC, UART).  The port is
 *               configured 8N1, no flow control, at the requested baud.
 *   termios     plain open() + termios, for pseudo-terminals (the simulator,
 *               QEMU): libserialport 0.1.1 cannot open a pty (DESIGN.md
 *               section 6).
 *   fake pair   two connected in-process ends (AF_UNIX socketpair), for
 *               tests that play the device in a thread.
 *   memory      reads come from a caller's buffer, writes are captured; for
 *               unit tests of code that talks to a device.
 *
 * Every implementation gives the same contract:
 *   read   waits at most timeout_ms for the first byte, then returns what
 *          is there (1..cap bytes), 0 on timeout, GC_ERR_CLOSED when the
 *          device went away (unplug, pty closed), GC_ERR_IO otherwise.
 *   write  writes all n bytes within timeout_ms: returns n, GC_ERR_TIMEOUT,
 *          GC_ERR_CLOSED or GC_ERR_IO.
 *
 * Opening takes an advisory exclusive lock (flock) and sets TIOCEXCL, so a
 * second station on the same port gets GC_ERR_BUSY instead of half the
 * bytes.
 *
 * Errors are translated here, on the calling thread; slink_open's diag
 * gives the OS / libserialport detail of its failure ("PATH: Permission
 * denied"), which the caller puts in its own sentence.  read and write
 * return the code only.
 *
 * Thread: a link belongs to one thread at a time (the reader thread while
 * streaming).  slink_open / slink_ports_list may be called from any thread.
 */
#ifndef GC_SLINK_H
#define GC_SLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gc_error.h"

enum slink_kind {
    SLINK_AUTO = 0,       /* termios for ptys, libserialport otherwise */
    SLINK_SERIALPORT = 1, /* force libserialport (with the test shim on ptys) */
    SLINK_TERMIOS = 2,    /* force plain termios */
    SLINK_FAKE = 3,       /* socketpair end (tests) */
    SLINK_MEMORY = 4,     /* memory buffer (tests) */
};

/* Default baud for the sensor's UART (DESIGN.md section 2).  Ignored by
 * USB-CDC and ptys. */
#define SLINK_DEFAULT_BAUD 921600

struct slink_ops {
    const char *name;
    int (*read)(void *ctx, uint8_t *buf, size_t cap, int timeout_ms);
    int (*write)(void *ctx, const uint8_t *buf, size_t n, int timeout_ms);
    void (*close)(void *ctx); /* also frees ctx */
};

struct slink;

struct slink_params {
    enum slink_kind kind; /* SLINK_AUTO picks by path */
    int baud;             /* 0 = SLINK_DEFAULT_BAUD */
    bool no_lock;         /* skip flock/TIOCEXCL (probing a port another program holds is
                             still refused by the OS if it set TIOCEXCL) */
};

/* Open the port at path.  Returns GC_OK and *out, or:
 *   GC_ERR_NOT_FOUND  no such device
 *   GC_ERR_BUSY       another program holds the port
 *   GC_ERR_PERM       permission denied (dialout group)
 *   GC_ERR_UNSUPPORTED libserialport cannot open this kind of device
 *   GC_ERR_IO         anything else
 * with the OS or library detail in diag (may be NULL). */
GC_MUST_CHECK int slink_open(const char *path, const struct slink_params *params,
                             struct slink **out, struct gc_diag *diag);

/* Wrap a caller's implementation (ops must outlive the link; ctx is passed
 * back to every op and released by ops->close).  Returns NULL on
 * allocation failure (ops->close(ctx) has then been called). */
struct slink *slink_wrap(const struct slink_ops *ops, void *ctx, enum slink_kind kind,
                         const char *name);

/* Two connected ends: bytes written to one are read from the other. */
int slink_fake_pair(struct slink **a, struct slink **b);
/* Reads return rx[0..n) (copied) in chunks of at most chunk bytes (0 = all
 * at once), then GC_ERR_CLOSED; writes are appended to a buffer returned by
 * slink_memory_written (tests). */
struct slink *slink_memory_new(const uint8_t *rx, size_t n, size_t chunk);
const uint8_t *slink_memory_written(const struct slink *l, size_t *n);

int slink_read(struct slink *l, uint8_t *buf, size_t cap, int timeout_ms);
int slink_write(struct slink *l, const uint8_t *buf, size_t n, int timeout_ms);
/* Closes the device and frees l.  NULL is fine. */
void slink_close(struct slink *l);

enum slink_kind slink_get_kind(const struct slink *l);
const char *slink_kind_name(enum slink_kind kind);
const char *slink_get_path(const struct slink *l);
/* Baud rate that limits the link: the configured rate of a native UART, 0
 * when none matters (USB-CDC, fake, a pty opened without an explicit baud;
 * a pty opened with one stands for an emulated UART and reports it). */
int slink_get_baud(const struct slink *l);

/* Whether path names a pseudo-terminal (after following symlinks). */
bool slink_is_pty(const char *path);

/* ---- port enumeration (libserialport) ---- */

enum slink_transport { SLINK_TR_NATIVE = 0, SLINK_TR_USB, SLINK_TR_BLUETOOTH, SLINK_TR_PTY };

struct slink_port_info {
    char path[256];
    char description[128];
    enum slink_transport transport;
    int usb_vid, usb_pid; /* -1 when not USB */
    char manufacturer[128];
    char product[128];
    char serial[128];
};

/* Every serial port the system knows, plus the paths in extra[0..n_extra)
 * (e.g. ptys, which libserialport does not enumerate).  *out is allocated
 * (free() it).  Returns the number of ports (>= 0) or a GC_ERR_*. */
int slink_ports_list(const char *const *extra, size_t n_extra, struct slink_port_info **out);

#endif
