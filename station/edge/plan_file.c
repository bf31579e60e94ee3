/* plan_file.c - a protocol file by path (plan_file.h). */
#include "plan_file.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_error.h"

int plan_load(const char *path, struct plan *out, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        return gc_fail(diag, e == ENOENT ? GC_ERR_NOT_FOUND : GC_ERR_IO, "cannot open: %s",
                       strerror(e));
    }
    /* One byte more than accepted, so "too large" can be told. */
    char *buf = malloc(PLAN_FILE_MAX + 1);
    if (!buf) {
        fclose(f);
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory");
    }
    size_t n = fread(buf, 1, PLAN_FILE_MAX + 1, f);
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return gc_fail(diag, GC_ERR_IO, "read error");
    }
    if (n > PLAN_FILE_MAX) {
        free(buf);
        return gc_fail(diag, GC_ERR_FORMAT, "file is larger than %d KiB", PLAN_FILE_MAX / 1024);
    }
    int rc = plan_parse(buf, n, out, diag);
    free(buf);
    return rc;
}
