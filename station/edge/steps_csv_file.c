/* steps_csv_file.c - a steps CSV by path (steps_csv_file.h). */
#include "steps_csv_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gc_error.h"

int steps_csv_read(const char *path, struct gait_step **steps, size_t *n, struct gc_diag *diag)
{
    *steps = NULL;
    *n = 0;
    FILE *fp = fopen(path, "r");
    if (!fp)
        return gc_fail(diag, GC_ERR_NOT_FOUND, "cannot open %s: %s", path, strerror(errno));
    int rc = steps_csv_read_stream(fp, path, steps, n, diag);
    fclose(fp);
    return rc;
}

int steps_csv_import(const char *path, struct session_step **rows, size_t *n, struct gc_diag *diag)
{
    *rows = NULL;
    *n = 0;
    FILE *fp = fopen(path, "r");
    if (!fp) {
        int e = errno;
        return gc_fail(diag, e == ENOENT ? GC_ERR_NOT_FOUND : GC_ERR_IO, "cannot open %s: %s", path,
                       strerror(e));
    }
    int rc = steps_csv_import_stream(fp, path, rows, n, diag);
    fclose(fp);
    return rc;
}

int steps_csv_check_file(const char *path, struct gc_diag *diag)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        int e = errno;
        return gc_fail(diag, e == ENOENT ? GC_ERR_NOT_FOUND : GC_ERR_IO, "cannot open %s: %s", path,
                       strerror(e));
    }
    int rc = steps_csv_check_stream(fp, path, diag);
    fclose(fp);
    return rc;
}
