/*
 * gc_error.h - the one error enum of the station and calib.
 *
 * Functions that can fail return int: >= 0 success (often a count), < 0 one
 * of these codes.  gc_strerror() gives a short English phrase; user-facing
 * messages add what to do.  Thread: any.
 */
#ifndef GC_ERROR_H
#define GC_ERROR_H

#include <stdbool.h>

enum gc_err {
    GC_OK = 0,
    GC_ERR_ARG = -1,         /* invalid argument */
    GC_ERR_NOMEM = -2,       /* allocation failed */
    GC_ERR_IO = -3,          /* read/write/open failed (errno kept by the caller) */
    GC_ERR_FORMAT = -4,      /* malformed input file or packet */
    GC_ERR_TIMEOUT = -5,     /* peer did not answer in time */
    GC_ERR_PROTO = -6,       /* protocol violation or version mismatch */
    GC_ERR_UNSUPPORTED = -7, /* not supported by this device/build */
    GC_ERR_BUSY = -8,        /* resource in use (port locked, ...) */
    GC_ERR_NOT_FOUND = -9,   /* no such port/file/patient/session */
    GC_ERR_VERSION = -10,    /* file or device from a newer version */
    GC_ERR_STATE = -11,      /* call not valid in the current state */
    GC_ERR_CLOSED = -12,     /* link closed by the peer (unplug) */
    GC_ERR_PERM = -13,       /* permission denied */
};

const char *gc_strerror(int err);

/*
 * The one diagnostics channel.  Every fallible call takes a
 * `struct gc_diag *diag` (last argument, may be NULL when the caller only
 * wants the code) and returns the gc_err code it also stores there.
 * `msg` is one English sentence for the user, naming what failed and, where
 * it helps, what to do ("cannot open 'x.gcrec': No such file or directory").
 * On success msg is "", or a warning the caller must show (gc_warn).
 * The callee fills it; the caller prints it or adds context with
 * gc_diag_prefix().  Owned by the caller, usually on its stack.  Thread: any
 * (no shared state).
 */
#define GC_DIAG_MSG_MAX 512 /* a sentence that names two paths fits */
struct gc_diag {
    int code;                   /* GC_OK or a gc_err code */
    char msg[GC_DIAG_MSG_MAX];  /* "" when code == GC_OK */
};

/* Empties d (code GC_OK, msg ""); NULL is allowed. */
void gc_diag_clear(struct gc_diag *d);
/* Records code and a printf-style message in d (if not NULL); returns code,
 * so a failing path reads `return gc_fail(diag, GC_ERR_IO, "...", ...);`.
 * A NULL or empty fmt stores gc_strerror(code). */
int gc_fail(struct gc_diag *d, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A warning on success: records code GC_OK and a printf-style message in d
 * (if not NULL); returns GC_OK.  A call documented to warn (a calibration
 * of another sensor used on override, a stale one) leaves d->code == GC_OK
 * with a non-empty msg: the caller must show it; gc_diag_is_warning says
 * which case it is. */
int gc_warn(struct gc_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True when d holds a warning: code GC_OK and a non-empty msg.  NULL: false. */
bool gc_diag_is_warning(const struct gc_diag *d);
/* What ends a printed sentence: "" when msg already ends with '.', '?' or
 * '!', else ".": printf("%s%s\n", d.msg, gc_sentence_end(d.msg)) prints
 * one full stop whichever way the message was written. */
const char *gc_sentence_end(const char *msg);
/* Puts "prefix: " in front of d's message (context added by a caller);
 * returns d's code.  Truncates, never overflows. */
int gc_diag_prefix(struct gc_diag *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* On a fallible call whose result must be looked at: dropping it is a
 * warning, an error with -Werror (CI).  Used on the edges' calls that lose
 * data when their failure goes unnoticed (store, recording, data folder,
 * session writer). */
#define GC_MUST_CHECK __attribute__((warn_unused_result))

#endif
