/* force_csv_file.c - a force CSV by path (force_csv_file.h). */
#include "force_csv_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gc_error.h"

int force_csv_open(const char *path, struct force_csv **out, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    if (!path || !out)
        return gc_fail(diag, GC_ERR_ARG, "no force CSV given");
    *out = NULL;
    if (!strcmp(path, "-"))
        return force_csv_open_stream(stdin, "stdin", out, diag);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        int e = errno;
        return gc_fail(diag,
                       e == ENOENT ? GC_ERR_NOT_FOUND : (e == EACCES ? GC_ERR_PERM : GC_ERR_IO),
                       "cannot open %s: %s", path, strerror(e));
    }
    int e = force_csv_open_stream(fp, path, out, diag);
    if (e < 0) {
        fclose(fp);
        return e;
    }
    force_csv_set_closer(*out, fclose);
    return GC_OK;
}
