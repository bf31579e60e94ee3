/* steps_csv_file.c - a steps CSV by path (steps_csv_file.h). */
#include "steps_csv_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gc_error.h"

int steps_csv_read(const char *path, struct gait_step **steps, size_t *n, char *err)
{
    *steps = NULL;
    *n = 0;
    FILE *fp = fopen(path, "r");
    if (!fp) {
        snprintf(err, 256, "cannot open %s: %s", path, strerror(errno));
        return GC_ERR_NOT_FOUND;
    }
    int rc = steps_csv_read_stream(fp, path, steps, n, err);
    fclose(fp);
    return rc;
}

int steps_csv_import(const char *path, struct session_step **rows, size_t *n, char *err, size_t cap)
{
    *rows = NULL;
    *n = 0;
    FILE *fp = fopen(path, "r");
    if (!fp) {
        int e = errno;
        snprintf(err, cap, "cannot open %s: %s", path, strerror(e));
        return e == ENOENT ? GC_ERR_NOT_FOUND : GC_ERR_IO;
    }
    int rc = steps_csv_import_stream(fp, path, rows, n, err, cap);
    fclose(fp);
    return rc;
}

int steps_csv_check_file(const char *path, char *err, size_t cap)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        int e = errno;
        snprintf(err, cap, "cannot open %s: %s", path, strerror(e));
        return e == ENOENT ? GC_ERR_NOT_FOUND : GC_ERR_IO;
    }
    int rc = steps_csv_check_stream(fp, path, err, cap);
    fclose(fp);
    return rc;
}
