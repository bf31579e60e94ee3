/* steps_csv.c - steps CSV writer and reader (see steps_csv.h). */
#include "steps_csv.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
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

/* Largest magnitude written in fixed notation.  Every real step value is
 * far below it (times < 1e5 s, forces < 1e5 N, rates < 1e5 BW/s); a value
 * beyond it comes from a damaged or hostile input (a recording whose mass
 * is 1e-300 kg gives loads of 1e303 BW) and is written in exponent form,
 * so a field never exceeds FIELD_MAX characters: "%.*f" of 1e303 alone is
 * 300 digits, which is how a 512-byte line used to overflow. */
#define FIXED_MAX 1e15
/* ",-999999999999999.99999" is 24 characters; ",-1.7976931348623157e+308" 26. */
#define FIELD_MAX 32

/* Appends ",value" (or "," when absent) with the given decimals, at most
 * FIELD_MAX characters; NULL if it does not fit in [p, end). */
static char *put(char *p, const char *end, double v, int decimals)
{
    if (p == NULL || end - p < 2)
        return NULL;
    *p++ = ',';
    if (!isfinite(v))
        return p;
    int k = fabs(v) < FIXED_MAX ? snprintf(p, (size_t)(end - p), "%.*f", decimals, v)
                                : snprintf(p, (size_t)(end - p), "%.17g", v);
    if (k < 0 || k >= end - p)
        return NULL;
    return p + k;
}

int steps_csv_write_row(FILE *fp, const struct gait_step *s)
{
    /* 21 numbers of at most FIELD_MAX, the flags, 3 short columns. */
    char line[32 * FIELD_MAX + STEPS_CSV_FLAGS_LEN + 32];
    const char *end = line + sizeof line;
    char *p = line;
    int k = snprintf(p, sizeof line, "%u,", (unsigned)s->index);
    if (k < 0 || (size_t)k >= sizeof line)
        return GC_ERR_ARG;
    p += k;
    if (s->side == GAIT_SIDE_LEFT || s->side == GAIT_SIDE_RIGHT)
        *p++ = (char)s->side;
    /* Times to 0.01 ms: finer than any sample period (interpolated). */
    p = put(p, end, s->t_ic_s, 5);
    p = put(p, end, s->t_to_s, 5);
    p = put(p, end, s->contact_ms, 2);
    p = put(p, end, s->flight_ms, 2);
    p = put(p, end, s->step_ms, 2);
    p = put(p, end, s->cadence_spm, 2);
    p = put(p, end, s->impact_peak_n, 1);
    p = put(p, end, s->impact_peak_bw, 4);
    p = put(p, end, s->t_impact_s, 5);
    p = put(p, end, s->valr_bw_s, 2);
    p = put(p, end, s->vilr_bw_s, 2);
    p = put(p, end, s->active_peak_n, 1);
    p = put(p, end, s->active_peak_bw, 4);
    if (p == NULL || end - p < STEPS_CSV_FLAGS_LEN + 1)
        return GC_ERR_ARG;
    *p++ = ',';
    p += steps_csv_format_flags(s->flags, p, STEPS_CSV_FLAGS_LEN);
    k = snprintf(p, (size_t)(end - p), ",%d,%d,%d", (s->flags & GAIT_STEP_LR_FALLBACK) ? 1 : 0,
                 (s->flags & GAIT_STEP_WALK) ? 1 : 0, (s->flags & GAIT_STEP_AFTER_GAP) ? 1 : 0);
    if (k < 0 || k >= end - p)
        return GC_ERR_ARG;
    p += k;
    /* Threshold times and the onset-based durations (steps_csv.h). */
    p = put(p, end, s->threshold_n, 1);
    p = put(p, end, s->t_ic_thr_s, 5);
    p = put(p, end, s->t_to_thr_s, 5);
    p = put(p, end, s->contact_ext_ms, 2);
    p = put(p, end, s->flight_ext_ms, 2);
    p = put(p, end, s->step_ext_ms, 2);
    /* Footprint (steps_csv.h). */
    p = put(p, end, s->speed_mps, 3);
    p = put(p, end, s->step_length_m, 3);
    p = put(p, end, s->step_width_m, 3);
    if (p == NULL || end - p < 12)
        return GC_ERR_ARG;
    *p++ = ',';
    const char *strike = s->strike == GAIT_STRIKE_REAR      ? "rear"
                         : s->strike == GAIT_STRIKE_NONREAR ? "non-rear"
                                                            : "";
    size_t ks = strlen(strike);
    memcpy(p, strike, ks);
    p += ks;
    *p++ = '\n';
    return fwrite(line, 1, (size_t)(p - line), fp) == (size_t)(p - line) ? GC_OK : GC_ERR_IO;
}

int steps_csv_check_step(const struct gait_step *s, double t_prev_s, struct gc_diag *diag)
{
    if (!(s->t_ic_s >= 0.0 && s->t_ic_s <= STEPS_CSV_MAX_T_S)) {
        return gc_fail(diag, GC_ERR_FORMAT, "t_ic_s %.9g is not a session time (0 to %.0f s)",
                       s->t_ic_s, STEPS_CSV_MAX_T_S);
    }
    if (isfinite(t_prev_s) && s->t_ic_s < t_prev_s) {
        return gc_fail(
            diag, GC_ERR_FORMAT,
            "t_ic_s %.9g is before the previous step's %.9g: steps must be in time order",
            s->t_ic_s, t_prev_s);
    }
    if (!isnan(s->t_to_s) &&
        !(s->t_to_s >= s->t_ic_s && s->t_to_s - s->t_ic_s <= STEPS_CSV_MAX_CONTACT_S)) {
        return gc_fail(
            diag, GC_ERR_FORMAT,
            "t_to_s %.9g is not within %.0f s after t_ic_s %.9g (toe-off follows contact)",
            s->t_to_s, STEPS_CSV_MAX_CONTACT_S, s->t_ic_s);
    }
    if (!isnan(s->t_impact_s) &&
        !(s->t_impact_s >= s->t_ic_s && s->t_impact_s - s->t_ic_s <= STEPS_CSV_MAX_CONTACT_S)) {
        return gc_fail(diag, GC_ERR_FORMAT,
                       "t_impact_s %.9g is not within the contact starting at %.9g", s->t_impact_s,
                       s->t_ic_s);
    }
    const struct {
        const char *name;
        double v;
    } vals[] = {
        {"contact_ms", s->contact_ms},       {"flight_ms", s->flight_ms},
        {"step_ms", s->step_ms},             {"cadence_spm", s->cadence_spm},
        {"impact_peak_n", s->impact_peak_n}, {"impact_peak_bw", s->impact_peak_bw},
        {"valr_bw_s", s->valr_bw_s},         {"vilr_bw_s", s->vilr_bw_s},
        {"active_peak_n", s->active_peak_n}, {"active_peak_bw", s->active_peak_bw},
    };
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        if (!isnan(vals[i].v) && !(fabs(vals[i].v) <= STEPS_CSV_MAX_VALUE)) {
            return gc_fail(diag, GC_ERR_FORMAT,
                           "%s %.9g is beyond any measurement (|value| <= %.0e)", vals[i].name,
                           vals[i].v, STEPS_CSV_MAX_VALUE);
        }
    }
    return GC_OK;
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
    K_PHASE,
    K_IN_BAND,
    K_UNDER,
    K_N
};
static const char *const names[K_N] = {
    "index",     "side",          "t_ic_s",         "t_to_s",         "contact_ms",  "flight_ms",
    "step_ms",   "cadence_spm",   "impact_peak_n",  "impact_peak_bw", "t_impact_s",  "valr_bw_s",
    "vilr_bw_s", "active_peak_n", "active_peak_bw", "flags",          "lr_fallback", "walk",
    "after_gap", "phase",         "in_band",        "under_ceiling"};

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

/* fgets that notices a line longer than the buffer: the rest of such a
 * line is not a new line (it used to become an extra step).  Returns 1
 * with the line end stripped, 0 at the end of the file, GC_ERR_FORMAT for a
 * line of cap - 1 bytes or more (the rest is not read). */
static int read_line(FILE *fp, char *line, size_t cap)
{
    if (!fgets(line, (int)cap, fp))
        return 0;
    size_t k = strlen(line);
    if (k == cap - 1 && line[k - 1] != '\n' && !feof(fp))
        return GC_ERR_FORMAT;
    line[strcspn(line, "\r\n")] = '\0';
    return 1;
}

#define LINE_CAP 4096

/* How a file is read.  ANALYZE: `station analyze --steps` output, the
 * first line is the header and must name the K_REQUIRED columns.  IMPORT:
 * any steps CSV or a session export (station report --csv): '#' lines are
 * comments, only t_ic_s is required. */
enum mode { MODE_ANALYZE, MODE_IMPORT };

/* Side: "L" or "R" (spaces around allowed), anything else unknown. */
static enum gait_side parse_side(const char *t)
{
    while (*t == ' ')
        t++;
    size_t k = strlen(t);
    while (k > 0 && t[k - 1] == ' ')
        k--;
    if (k == 1 && t[0] == 'L')
        return GAIT_SIDE_LEFT;
    if (k == 1 && t[0] == 'R')
        return GAIT_SIDE_RIGHT;
    return GAIT_SIDE_UNKNOWN;
}

/* One data row into *r (index_default when the index column is absent or
 * not a row number).  GC_OK or GC_ERR_FORMAT with the reason in diag. */
static int parse_row(char **f, int nf, const int *col, uint32_t index_default,
                     struct session_step *r, struct gc_diag *diag)
{
    memset(r, 0, sizeof *r);
    struct gait_step *s = &r->step;
    gait_step_clear(s);
    double d[K_N];
    for (int k = 0; k < K_N; k++) {
        d[k] = NAN;
        if (k == K_SIDE || k == K_FLAGS || col[k] < 0 || col[k] >= nf || !f[col[k]][0])
            continue;
        if (force_csv_parse_double(f[col[k]], strlen(f[col[k]]), &d[k]) < 0) {
            return gc_fail(diag, GC_ERR_FORMAT, "column '%s': '%.40s' is not a number", names[k],
                           f[col[k]]);
        }
    }
    s->side = col[K_SIDE] >= 0 && col[K_SIDE] < nf ? parse_side(f[col[K_SIDE]]) : GAIT_SIDE_UNKNOWN;
    s->index = d[K_INDEX] >= 0.0 && d[K_INDEX] <= UINT32_MAX ? (uint32_t)d[K_INDEX] : index_default;
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
        return gc_fail(diag, GC_ERR_FORMAT,
                       "column 'flags': '%.40s' is neither flag names nor a number",
                       f[col[K_FLAGS]]);
    }
    if (isfinite(s->impact_peak_n))
        s->flags |= GAIT_STEP_IMPACT;
    if (d[K_LRF] == 1.0)
        s->flags |= GAIT_STEP_LR_FALLBACK;
    if (d[K_WALK] == 1.0)
        s->flags |= GAIT_STEP_WALK;
    if (d[K_GAP] == 1.0)
        s->flags |= GAIT_STEP_AFTER_GAP;
    r->phase = -1;
    if (!isnan(d[K_PHASE])) {
        if (!(d[K_PHASE] >= -1.0 && d[K_PHASE] < PLAN_MAX_PHASES &&
              d[K_PHASE] == floor(d[K_PHASE]))) {
            return gc_fail(diag, GC_ERR_FORMAT, "phase %.9g is not a phase number (-1 to %d)",
                           d[K_PHASE], PLAN_MAX_PHASES - 1);
        }
        r->phase = (int)d[K_PHASE];
    }
    r->in_band = isnan(d[K_IN_BAND]) ? -1 : (int8_t)(d[K_IN_BAND] != 0);
    r->under_ceiling = isnan(d[K_UNDER]) ? -1 : (int8_t)(d[K_UNDER] != 0);
    return GC_OK;
}

/* The one reader behind steps_csv_read_stream, steps_csv_import_stream and
 * steps_csv_check_stream.  out NULL: check only, nothing is kept. */
static int read_rows(FILE *fp, const char *path, enum mode mode, struct session_step **out,
                     size_t *n, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    if (out)
        *out = NULL;
    *n = 0;
    char *line = malloc(LINE_CAP);
    if (!line) {
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory");
    }
    char *f[MAX_FIELDS];
    int col[K_N];
    for (int k = 0; k < K_N; k++)
        col[k] = -1;
    bool have_header = false;
    size_t cap = 0;
    struct session_step *v = NULL, one;
    double t_prev = NAN;
    long ln = 0;
    int rc = GC_OK, lr;
    while ((lr = read_line(fp, line, LINE_CAP)) != 0) {
        ln++;
        if (lr < 0) {
            if (ln == 1 && mode == MODE_ANALYZE)
                gc_fail(diag, GC_ERR_FORMAT,
                        "%s:1: the header line is longer than 4 KB; is this a steps CSV?", path);
            else
                gc_fail(diag, GC_ERR_FORMAT,
                        "%s:%ld: line longer than %d bytes; a steps CSV row is far shorter", path,
                        ln, LINE_CAP - 1);
            rc = GC_ERR_FORMAT;
            break;
        }
        /* An analysis file starts with its header; an import skips comments
         * ("# source=...", the session export's preamble) and blank lines. */
        bool header_line = !have_header && (mode == MODE_ANALYZE || (line[0] && line[0] != '#'));
        if (!header_line && (line[0] == '\0' || (mode == MODE_IMPORT && line[0] == '#')))
            continue;
        int nf = split(line, f, MAX_FIELDS);
        if (header_line) {
            for (int i = 0; i < nf; i++)
                for (int k = 0; k < K_N; k++)
                    if (!strcmp(f[i], names[k]) && col[k] < 0)
                        col[k] = i;
            int need = mode == MODE_ANALYZE ? K_REQUIRED : 0;
            for (int k = 0; k < need && rc == GC_OK; k++) {
                if (col[k] < 0) {
                    gc_fail(diag, GC_ERR_FORMAT,
                            "%s:1: column '%s' missing from the steps CSV header", path, names[k]);
                    rc = GC_ERR_FORMAT;
                }
            }
            if (rc == GC_OK && col[K_TIC] < 0) {
                gc_fail(diag, GC_ERR_FORMAT,
                        "%s:%ld: not a steps CSV: the header has no t_ic_s column", path, ln);
                rc = GC_ERR_FORMAT;
            }
            if (rc < 0)
                break;
            have_header = true;
            continue;
        }
        struct session_step *r = &one;
        if (out) {
            if (*n == cap) {
                size_t nc = cap ? 2 * cap : 256;
                struct session_step *nv = realloc(v, nc * sizeof *nv);
                if (!nv) {
                    rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory");
                    break;
                }
                v = nv;
                cap = nc;
            }
            r = &v[*n];
        }
        struct gc_diag why;
        if (parse_row(f, nf, col, (uint32_t)*n, r, &why) < 0 ||
            steps_csv_check_step(&r->step, t_prev, &why) < 0) {
            rc = gc_fail(diag, GC_ERR_FORMAT, "%s:%ld: %s", path, ln, why.msg);
            break;
        }
        t_prev = r->step.t_ic_s;
        (*n)++;
    }
    if (rc == GC_OK && !have_header) {
        if (mode == MODE_ANALYZE)
            gc_fail(diag, GC_ERR_FORMAT, "%s: empty file", path);
        else
            gc_fail(diag, GC_ERR_FORMAT,
                    "%s: no header line: the file is empty or has only comments", path);
        rc = GC_ERR_FORMAT;
    }
    free(line);
    if (rc < 0) {
        free(v);
        *n = 0;
        return rc;
    }
    if (out)
        *out = v;
    return GC_OK;
}

int steps_csv_read_stream(FILE *fp, const char *path, struct gait_step **steps, size_t *n,
                          struct gc_diag *diag)
{
    *steps = NULL;
    struct session_step *rows;
    int rc = read_rows(fp, path, MODE_ANALYZE, &rows, n, diag);
    if (rc < 0 || *n == 0) {
        free(rows);
        return rc;
    }
    struct gait_step *v = malloc(*n * sizeof *v);
    if (!v) {
        free(rows);
        *n = 0;
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < *n; i++)
        v[i] = rows[i].step;
    free(rows);
    *steps = v;
    return GC_OK;
}

int steps_csv_import_stream(FILE *fp, const char *path, struct session_step **rows, size_t *n,
                            struct gc_diag *diag)
{
    return read_rows(fp, path, MODE_IMPORT, rows, n, diag);
}

int steps_csv_check_stream(FILE *fp, const char *path, struct gc_diag *diag)
{
    size_t n;
    return read_rows(fp, path, MODE_IMPORT, NULL, &n, diag);
}
