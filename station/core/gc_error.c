#include "gc_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *gc_strerror(int err)
{
    switch (err) {
    case GC_OK: return "success";
    case GC_ERR_ARG: return "invalid argument";
    case GC_ERR_NOMEM: return "out of memory";
    case GC_ERR_IO: return "input/output error";
    case GC_ERR_FORMAT: return "malformed data";
    case GC_ERR_TIMEOUT: return "timed out";
    case GC_ERR_PROTO: return "protocol error";
    case GC_ERR_UNSUPPORTED: return "not supported";
    case GC_ERR_BUSY: return "busy";
    case GC_ERR_NOT_FOUND: return "not found";
    case GC_ERR_VERSION: return "made by a newer version";
    case GC_ERR_STATE: return "not allowed in the current state";
    case GC_ERR_CLOSED: return "link closed";
    case GC_ERR_PERM: return "permission denied";
    default: return "unknown error";
    }
}

void gc_diag_clear(struct gc_diag *d)
{
    if (d) {
        d->code = GC_OK;
        d->msg[0] = '\0';
    }
}

int gc_fail(struct gc_diag *d, int code, const char *fmt, ...)
{
    if (!d)
        return code;
    d->code = code;
    if (!fmt || !*fmt) {
        snprintf(d->msg, sizeof d->msg, "%s", gc_strerror(code));
        return code;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
    return code;
}

int gc_warn(struct gc_diag *d, const char *fmt, ...)
{
    if (!d)
        return GC_OK;
    d->code = GC_OK;
    d->msg[0] = '\0';
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(d->msg, sizeof d->msg, fmt, ap);
        va_end(ap);
    }
    return GC_OK;
}

bool gc_diag_is_warning(const struct gc_diag *d)
{
    return d && d->code == GC_OK && d->msg[0] != '\0';
}

int gc_diag_prefix(struct gc_diag *d, const char *fmt, ...)
{
    if (!d)
        return GC_ERR_ARG;
    char prefix[GC_DIAG_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    /* prefix, ": ", old message; cut at the buffer's end */
    char out[GC_DIAG_MSG_MAX];
    size_t n = 0;
    const size_t cap = sizeof out - 1;
    const char *parts[3] = {prefix, d->msg[0] ? ": " : "", d->msg};
    for (int i = 0; i < 3; i++)
        for (const char *c = parts[i]; *c && n < cap; c++)
            out[n++] = *c;
    out[n] = '\0';
    memcpy(d->msg, out, n + 1);
    return d->code;
}

const char *gc_sentence_end(const char *msg)
{
    size_t n = msg ? strlen(msg) : 0;
    if (n > 0 && (msg[n - 1] == '.' || msg[n - 1] == '?' || msg[n - 1] == '!'))
        return "";
    return ".";
}
