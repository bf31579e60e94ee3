/* steps_csv.c - steps CSV writer and reader (see steps_csv.h). */
#include "steps_csv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "force_csv.h"
#include "gc_error.h"

static const struct {
    uint32_t bit;
    const char *name;
} flag_tokens[] = {
    {GAIT_STEP_WALK, "walk"},
    {GAIT_STEP_AFTER_GAP, "after_gap"},
    {GAIT_STEP_LR_FALLBACK, "lr_fallback"},
    {GAIT_STEP_GAP_INSIDE, "gap_inside"},
    {GAIT_STEP_GAP_LOADING, "gap_loading"},
};
#define N_FLAG_TOKENS (sizeof flag_tokens / sizeof flag_tokens[0])

size_t steps_csv_format_flags(uint32_t flags, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < N_FLAG_TOKENS; i++) {
        if (!(flags & flag_tokens[i].bit))
            continue;
        size_t k = strlen(flag_tokens[i].name);
        size_t sep = n > 0;
        if (n + sep + k + 1 > cap)
            break;
        if (sep)
            out[n++] = ';';
        memcpy(out + n, flag_tokens[i].name, k);
        n += k;
        out[n] = '\0';
    }
    return n;
}

int steps_csv_parse_flags(const char *text, uint32_t *flags)
{
    *flags = 0;
    while (*text == ' ')
        text++;
    if (*text >= '0' && *text <= '9') {
        /* The session export writes the bit set as a number. */
        char *end;
        errno = 0;
        unsigned long v = strtoul(text, &end, 10);
        while (*end == ' ')
            end++;
        if (*end || errno || v > UINT32_MAX)
            return GC_ERR_FORMAT;
        *flags = (uint32_t)v;
        return GC_OK;
    }
    const char *p = text;
    while (*p) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *b = p;
        while (*p && *p != ';')
            p++;
        const char *e = p;
        while (e > b && e[-1] == ' ')
            e--;
        for (size_t i = 0; i < N_FLAG_TOKENS; i++)
            if (strlen(flag_tokens[i].name) == (size_t)(e - b) &&
                !memcmp(flag_tokens[i].name, b, (size_t)(e - b)))
                *flags |= flag_tokens[i].bit;
    }
    return GC_OK;
}

int steps_csv_write_header(FILE *fp)
{
    return fputs(STEPS_CSV_HEADER "\n", fp) < 0 ? GC_ERR_IO : GC_OK;
}

/* Appends ",value" (or "," when absent) with the given decimals. */
static char *put(char *p, double v, int decimals)
{
    *p++ = ',';
    if (isfinite(v))
        p += sprintf(p, "%.*f", decimals, v);
    return p;
}

int steps_csv_write_row(FILE *fp, const struct gait_step *s)
{
    char line[512];
    char *p = line;
    p += sprintf(p, "%u,", (unsigned)s->index);
    if (s->side == GAIT_SIDE_LEFT || s->side == GAIT_SIDE_RIGHT)
        *p++ = (char)s->side;
    /* Times to 0.01 ms: finer than any sample period (interpolated). */
    p = put(p, s->t_ic_s, 5);
    p = put(p, s->t_to_s, 5);
    p = put(p, s->contact_ms, 2);
    p = put(p, s->flight_ms, 2);
    p = put(p, s->step_ms, 2);
    p = put(p, s->cadence_spm, 2);
    p = put(p, s->impact_peak_n, 1);
    p = put(p, s->impact_peak_bw, 4);
    p = put(p, s->t_impact_s, 5);
    p = put(p, s->valr_bw_s, 2);
    p = put(p, s->vilr_bw_s, 2);
    p = put(p, s->active_peak_n, 1);
    p = put(p, s->active_peak_bw, 4);
    *p++ = ',';
    p += steps_csv_format_flags(s->flags, p, STEPS_CSV_FLAGS_LEN);
    p += sprintf(p, ",%d,%d,%d\n", (s->flags & GAIT_STEP_LR_FALLBACK) ? 1 : 0,
                 (s->flags & GAIT_STEP_WALK) ? 1 : 0, (s->flags & GAIT_STEP_AFTER_GAP) ? 1 : 0);
    return fwrite(line, 1, (size_t)(p - line), fp) == (size_t)(p - line) ? GC_OK : GC_ERR_IO;
}

enum {
    K_INDEX,
    K_SIDE,
    K_TIC,
    K_TTO,
    K_CONTACT,
    K_FLIGHT,
    K_STEP,
    K_CAD,
    K_IMP_N,
    K_IMP_BW,
    K_TIMP,
    K_VALR,
    K_VILR,
    K_ACT_N,
    K_ACT_BW,
    K_REQUIRED,
    K_FLAGS = K_REQUIRED,
    K_LRF,
    K_WALK,
    K_GAP,
    K_N
};
static const char *const names[K_N] = {
    "index",      "side",        "t_ic_s",      "t_to_s",        "contact_ms",
    "flight_ms",  "step_ms",     "cadence_spm", "impact_peak_n", "impact_peak_bw",
    "t_impact_s", "valr_bw_s",   "vilr_bw_s",   "active_peak_n", "active_peak_bw",
    "flags",      "lr_fallback", "walk",        "after_gap"};

#define MAX_FIELDS 64

static int split(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n < max)
            f[n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = '\0';
        p = c + 1;
    }
    return n;
}

int steps_csv_read(const char *path, struct gait_step **steps, size_t *n, char *err)
{
    *steps = NULL;
    *n = 0;
    FILE *fp = fopen(path, "r");
    if (!fp) {
        snprintf(err, 256, "cannot open %s: %s", path, strerror(errno));
        return GC_ERR_NOT_FOUND;
    }
    char line[4096];
    char *f[MAX_FIELDS];
    int col[K_N];
    for (int k = 0; k < K_N; k++)
        col[k] = -1;
    long ln = 1;
    if (!fgets(line, sizeof line, fp)) {
        snprintf(err, 256, "%s: empty file", path);
        fclose(fp);
        return GC_ERR_FORMAT;
    }
    line[strcspn(line, "\r\n")] = '\0';
    int nf = split(line, f, MAX_FIELDS);
    for (int i = 0; i < nf; i++)
        for (int k = 0; k < K_N; k++)
            if (!strcmp(f[i], names[k]))
                col[k] = i;
    for (int k = 0; k < K_REQUIRED; k++) {
        if (col[k] < 0) {
            snprintf(err, 256, "%s:1: column '%s' missing from the steps CSV header", path,
                     names[k]);
            fclose(fp);
            return GC_ERR_FORMAT;
        }
    }
    size_t cap = 0;
    struct gait_step *v = NULL;
    int rc = GC_OK;
    while (fgets(line, sizeof line, fp)) {
        ln++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        nf = split(line, f, MAX_FIELDS);
        if (*n == cap) {
            size_t nc = cap ? 2 * cap : 256;
            struct gait_step *nv = realloc(v, nc * sizeof *nv);
            if (!nv) {
                rc = GC_ERR_NOMEM;
                snprintf(err, 256, "out of memory");
                break;
            }
            v = nv;
            cap = nc;
        }
        struct gait_step *s = &v[*n];
        memset(s, 0, sizeof *s);
        double d[K_N];
        for (int k = 0; k < K_N; k++) {
            d[k] = NAN;
            if (k == K_SIDE || k == K_FLAGS || col[k] < 0 || col[k] >= nf || !f[col[k]][0])
                continue;
            if (force_csv_parse_double(f[col[k]], strlen(f[col[k]]), &d[k]) < 0) {
                snprintf(err, 256, "%s:%ld: column '%s': '%s' is not a number", path, ln, names[k],
                         f[col[k]]);
                rc = GC_ERR_FORMAT;
                break;
            }
        }
        if (rc < 0)
            break;
        const char *sd = col[K_SIDE] < nf ? f[col[K_SIDE]] : "";
        s->side = !strcmp(sd, "L") ? GAIT_SIDE_LEFT
                                   : (!strcmp(sd, "R") ? GAIT_SIDE_RIGHT : GAIT_SIDE_UNKNOWN);
        s->index = isfinite(d[K_INDEX]) ? (uint32_t)d[K_INDEX] : (uint32_t)*n;
        s->t_ic_s = d[K_TIC];
        s->t_to_s = d[K_TTO];
        s->contact_ms = d[K_CONTACT];
        s->flight_ms = d[K_FLIGHT];
        s->step_ms = d[K_STEP];
        s->cadence_spm = d[K_CAD];
        s->impact_peak_n = d[K_IMP_N];
        s->impact_peak_bw = d[K_IMP_BW];
        s->t_impact_s = d[K_TIMP];
        s->valr_bw_s = d[K_VALR];
        s->vilr_bw_s = d[K_VILR];
        s->active_peak_n = d[K_ACT_N];
        s->active_peak_bw = d[K_ACT_BW];
        if (col[K_FLAGS] >= 0 && col[K_FLAGS] < nf &&
            steps_csv_parse_flags(f[col[K_FLAGS]], &s->flags) < 0) {
            snprintf(err, 256, "%s:%ld: column 'flags': '%s' is neither flag names nor a number",
                     path, ln, f[col[K_FLAGS]]);
            rc = GC_ERR_FORMAT;
            break;
        }
        if (isfinite(s->impact_peak_n))
            s->flags |= GAIT_STEP_IMPACT;
        if (d[K_LRF] == 1.0)
            s->flags |= GAIT_STEP_LR_FALLBACK;
        if (d[K_WALK] == 1.0)
            s->flags |= GAIT_STEP_WALK;
        if (d[K_GAP] == 1.0)
            s->flags |= GAIT_STEP_AFTER_GAP;
        (*n)++;
    }
    fclose(fp);
    if (rc < 0) {
        free(v);
        *n = 0;
        return rc;
    }
    *steps = v;
    return GC_OK;
}
