/* plan_file.c - a protocol file by path (plan_file.h). */
#include "plan_file.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_error.h"

int plan_load(const char *path, struct plan *out, struct plan_error *err)
{
    struct plan_error dummy;
    if (!err)
        err = &dummy;
    memset(err, 0, sizeof *err);
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        snprintf(err->reason, sizeof err->reason, "cannot open: %s", strerror(e));
        return e == ENOENT ? GC_ERR_NOT_FOUND : GC_ERR_IO;
    }
    /* One byte more than accepted, so "too large" can be told. */
    char *buf = malloc(PLAN_FILE_MAX + 1);
    if (!buf) {
        fclose(f);
        return GC_ERR_NOMEM;
    }
    size_t n = fread(buf, 1, PLAN_FILE_MAX + 1, f);
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        snprintf(err->reason, sizeof err->reason, "read error");
        return GC_ERR_IO;
    }
    if (n > PLAN_FILE_MAX) {
        free(buf);
        snprintf(err->reason, sizeof err->reason, "file is larger than %d KiB",
                 PLAN_FILE_MAX / 1024);
        return GC_ERR_FORMAT;
    }
    int rc = plan_parse(buf, n, out, err);
    free(buf);
    return rc;
}
