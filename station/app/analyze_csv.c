/* analyze_csv.c - the canonical force CSV as an analyze input source, and
 * telling a CSV from a recording by content. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyze_source.h"
#include "force_csv.h"
#include "force_csv_file.h"
#include "gc_error.h"

struct csv_src {
    struct force_csv *r;
    long long size; /* bytes, 0 if unknown */
};

static int csv_read(void *ctx, struct gait_sample *out, size_t cap, struct gc_diag *diag)
{
    struct csv_src *c = ctx;
    return force_csv_read(c->r, out, cap, diag);
}

static double csv_rate(void *ctx)
{
    return force_csv_info(((struct csv_src *)ctx)->r)->rate_hz;
}

static double csv_mass(void *ctx)
{
    return force_csv_info(((struct csv_src *)ctx)->r)->mass_kg;
}

static const char *csv_source(void *ctx)
{
    return force_csv_info(((struct csv_src *)ctx)->r)->source;
}

static double csv_progress(void *ctx)
{
    struct csv_src *c = ctx;
    if (c->size <= 0)
        return -1.0;
    return (double)force_csv_bytes(c->r) / (double)c->size;
}

static void csv_close(void *ctx)
{
    struct csv_src *c = ctx;
    force_csv_close(c->r);
    free(c);
}

static const struct analyze_source_ops csv_ops = {
    .kind = "csv",
    .read = csv_read,
    .rate_hz = csv_rate,
    .mass_kg = csv_mass,
    .source = csv_source,
    .progress = csv_progress,
    .close = csv_close,
};

int analyze_csv_open(const char *path, struct analyze_source *src, struct gc_diag *diag)
{
    struct csv_src *c = calloc(1, sizeof *c);
    if (!c) {
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory");
    }
    int e = force_csv_open(path, &c->r, diag);
    if (e < 0) {
        free(c);
        return e;
    }
    struct stat sb;
    if (strcmp(path, "-") && stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
        c->size = (long long)sb.st_size;
    src->ops = &csv_ops;
    src->ctx = c;
    return GC_OK;
}

int analyze_source_open(const char *path, struct analyze_source *src, struct gc_diag *diag)
{
    return analyze_csv_open(path, src, diag);
}

/* docs/acquisition.md section 7 (recording.c keeps its copy private). */
static const unsigned char rec_magic[8] = {'G', 'C', 'R', 'E', 'C', '\r', '\n', 0x1a};

#define EXPECTED                                                                                   \
    "expected a canonical force CSV (a header such as 't_s,fz_n') or a session recording "         \
    "written by 'station run' (.gcrec)"

int analyze_detect(const char *path, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    if (!strcmp(path, "-"))
        return ANALYZE_KIND_CSV;
    struct stat sb;
    if (stat(path, &sb) < 0) {
        int e = errno;
        return gc_fail(diag, e == ENOENT ? GC_ERR_NOT_FOUND : GC_ERR_IO,
                       "cannot open %s: %s; check the path", path, strerror(e));
    }
    if (S_ISDIR(sb.st_mode)) {
        return gc_fail(diag, GC_ERR_ARG, "%s is a directory; %s", path, EXPECTED);
    }
    if (!S_ISREG(sb.st_mode))
        return ANALYZE_KIND_CSV; /* a pipe: read once, as CSV */
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        int e = errno;
        return gc_fail(diag, e == EACCES ? GC_ERR_PERM : GC_ERR_IO, "cannot open %s: %s", path,
                       strerror(e));
    }
    unsigned char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    if (n == 0) {
        return gc_fail(diag, GC_ERR_FORMAT, "%s is empty; %s", path, EXPECTED);
    }
    size_t m = n < sizeof rec_magic ? n : sizeof rec_magic;
    if (!memcmp(buf, rec_magic, m)) {
        if (sb.st_size < 16) {
            return gc_fail(diag, GC_ERR_FORMAT,
                           "%s is a session recording cut off inside its file header (%lld bytes); "
                           "it holds nothing to analyse",
                           path, (long long)sb.st_size);
        }
        return ANALYZE_KIND_RECORDING;
    }
    if (n >= 2 && ((buf[0] == 0xff && buf[1] == 0xfe) || (buf[0] == 0xfe && buf[1] == 0xff))) {
        return gc_fail(diag, GC_ERR_FORMAT,
                       "%s is UTF-16 text; save it as a UTF-8 (or ASCII) CSV and analyse that",
                       path);
    }
    /* Text or binary?  A CSV has no NUL and next to no control bytes;
     * random or packed binary data has about 11 % of them. */
    size_t ctl = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = buf[i];
        if (c == 0) {
            ctl = n;
            break;
        }
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7f)
            ctl++;
    }
    if (ctl * 100 > n) {
        return gc_fail(diag, GC_ERR_FORMAT,
                       "%s is neither a CSV nor a gaitcue recording (binary data without the "
                       "recording's GCREC header); %s",
                       path, EXPECTED);
    }
    return ANALYZE_KIND_CSV;
}
