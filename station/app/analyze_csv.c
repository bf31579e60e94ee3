/* analyze_csv.c - the canonical force CSV as an analyze input source. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyze_source.h"
#include "force_csv.h"
#include "gc_error.h"

struct csv_src {
    struct force_csv *r;
    long long size; /* bytes, 0 if unknown */
};

static int csv_read(void *ctx, struct gait_sample *out, size_t cap, char *err)
{
    struct csv_src *c = ctx;
    return force_csv_read(c->r, out, cap, err);
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

int analyze_csv_open(const char *path, struct analyze_source *src, char *err)
{
    struct csv_src *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, ANALYZE_ERR_LEN, "out of memory");
        return GC_ERR_NOMEM;
    }
    int e = force_csv_open(path, &c->r, err);
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

int analyze_source_open(const char *path, struct analyze_source *src, char *err)
{
    /* Only the CSV exists so far; a recorded session will be recognised
     * here by its magic bytes before falling back to CSV. */
    return analyze_csv_open(path, src, err);
}
