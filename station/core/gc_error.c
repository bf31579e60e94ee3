#include "gc_error.h"

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
