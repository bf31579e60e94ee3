/* force_csv_file.c - a force CSV by path (force_csv_file.h). */
#include "force_csv_file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gc_error.h"

int force_csv_open(const char *path, struct force_csv **out, char *err)
{
    *out = NULL;
    if (!strcmp(path, "-"))
        return force_csv_open_stream(stdin, "stdin", out, err);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        int e = errno;
        if (err)
            snprintf(err, FORCE_CSV_ERR_LEN, "cannot open %s: %s", path, strerror(e));
        return e == ENOENT ? GC_ERR_NOT_FOUND : (e == EACCES ? GC_ERR_PERM : GC_ERR_IO);
    }
    int e = force_csv_open_stream(fp, path, out, err);
    if (e < 0) {
        fclose(fp);
        return e;
    }
    force_csv_set_closer(*out, fclose);
    return GC_OK;
}
