/* force_csv.c - canonical force CSV reader (see force_csv.h). */
#include "force_csv.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gc_error.h"
#include "numparse.h"

#define BUF_SIZE (1u << 20) /* longest line accepted: 1 MiB */
#define MAX_COLS 256

enum col { C_T, C_FZ, C_F1, C_F2, C_F3, C_F4, C_X, C_Y, C_N };
static const char *const col_names[C_N] = {"t_s",   "fz_n",  "fz1_n",  "fz2_n",
                                           "fz3_n", "fz4_n", "copx_m", "copy_m"};

struct force_csv {
    FILE *fp;
    force_csv_close_fn close_fn; /* the opener's closer, or NULL (not ours) */
    char name[128];
    char *buf;
    size_t len, pos; /* valid bytes in buf, parse position */
    bool eof;
    long long bytes;
    long line;
    int ncols;
    signed char role[MAX_COLS]; /* enum col or -1 per column */
    int maxcol;                 /* last column index with a role */
    bool use_cells;
    bool has_copy;
    struct force_csv_info info;
    double rate_meta;
    double t_prev, t_first, period;
    long long count;
    double peak_abs;
    double peak_pos; /* largest force (signed), N */
    bool done;
};

int force_csv_parse_double(const char *s, size_t len, double *v)
{
    return numparse_double(s, len, v);
}

/* Slack after the data in the buffer, kept zero: the field scans load
 * 8-byte words up to 7 bytes past a line's end, and the number parser
 * stops at the zero after a last line without '\n'. */
#define BUF_PAD 16

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The next ',' at or after p, or e (the line end) if none, 8 bytes at a
 * time: the has-zero-byte test on w ^ ",,,,,,,," is exact for the first
 * zero byte, which is the only one used.  Skips an unused column before
 * the last used one (the cells when fz_n is given) without looking at
 * each byte; columns after it are never scanned. */
static inline const char *skip_field(const char *p, const char *e)
{
    for (; p < e; p += 8) {
        uint64_t w;
        memcpy(&w, p, sizeof w);
        w ^= 0x2C2C2C2C2C2C2C2Cu;
        uint64_t z = (w - 0x0101010101010101u) & ~w & 0x8080808080808080u;
        if (z) {
            p += (unsigned)__builtin_ctzll(z) >> 3;
            return p < e ? p : e;
        }
    }
    return e;
}
#else
static inline const char *skip_field(const char *p, const char *e)
{
    while (p < e && *p != ',')
        p++;
    return p;
}
#endif

/* Records code and "file:line: message" in diag; returns code. */
static int errf(const struct force_csv *r, struct gc_diag *diag, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int errf(const struct force_csv *r, struct gc_diag *diag, int code, const char *fmt, ...)
{
    if (!diag)
        return code;
    char msg[GC_DIAG_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return gc_fail(diag, code, "%s:%ld: %s", r->name, r->line, msg);
}

/* Next line as [*s, *s + *n) without the line end; 0 at end of file.
 * The careful path: refills the buffer, last line without '\n'. */
static int next_line_slow(struct force_csv *r, const char **s, size_t *n, struct gc_diag *diag)
{
    for (;;) {
        char *nl = r->pos < r->len ? memchr(r->buf + r->pos, '\n', r->len - r->pos) : NULL;
        if (nl || (r->eof && r->pos < r->len)) {
            size_t end = nl ? (size_t)(nl - r->buf) : r->len;
            *s = r->buf + r->pos;
            *n = end - r->pos;
            r->bytes += (long long)(end - r->pos) + (nl ? 1 : 0);
            r->pos = nl ? end + 1 : end;
            if (*n && (*s)[*n - 1] == '\r')
                (*n)--;
            r->line++;
            return 1;
        }
        if (r->eof)
            return 0;
        if (r->pos > 0) {
            memmove(r->buf, r->buf + r->pos, r->len - r->pos);
            r->len -= r->pos;
            r->pos = 0;
        }
        if (r->len == BUF_SIZE) {
            r->line++;
            return errf(r, diag, GC_ERR_FORMAT, "line longer than %u bytes; is this a CSV file?",
                        BUF_SIZE);
        }
        size_t got = fread(r->buf + r->len, 1, BUF_SIZE - r->len, r->fp);
        if (got == 0) {
            if (ferror(r->fp))
                return errf(r, diag, GC_ERR_IO, "read error: %s", strerror(errno));
            r->eof = true;
        }
        r->len += got;
        /* Zeros after the data: the word-at-a-time field scans may look
         * past the last line's end (BUF_PAD). */
        memset(r->buf + r->len, 0, BUF_PAD);
    }
}

/* The same; the common case (a whole line in the buffer) inline. */
static inline int next_line(struct force_csv *r, const char **s, size_t *n, struct gc_diag *diag)
{
    char *nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
    if (!nl)
        return next_line_slow(r, s, n, diag);
    size_t end = (size_t)(nl - r->buf);
    *s = r->buf + r->pos;
    *n = end - r->pos;
    r->bytes += (long long)(*n + 1);
    r->pos = end + 1;
    if (*n && (*s)[*n - 1] == '\r')
        (*n)--;
    r->line++;
    return 1;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    return true;
}

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

static int parse_meta(struct force_csv *r, const char *s, size_t n, struct gc_diag *diag)
{
    s++;
    n--;
    trim(&s, &n);
    const char *eq = memchr(s, '=', n);
    if (!eq)
        return GC_OK; /* a plain comment */
    size_t kn = (size_t)(eq - s), vn = n - kn - 1;
    const char *v = eq + 1;
    trim(&v, &vn);
    while (kn && s[kn - 1] == ' ')
        kn--;
    double x;
    if (kn == 7 && !memcmp(s, "rate_hz", 7)) {
        if (force_csv_parse_double(v, vn, &x) < 0 || !(x >= 1.0 && x <= 100000.0)) {
            return errf(r, diag, GC_ERR_FORMAT,
                        "rate_hz must be a sample rate in Hz (1..100000), not '%.*s'", (int)vn, v);
        }
        r->rate_meta = x;
    } else if (kn == 7 && !memcmp(s, "mass_kg", 7)) {
        if (force_csv_parse_double(v, vn, &x) < 0 || !(x >= 10.0 && x <= 400.0)) {
            return errf(r, diag, GC_ERR_FORMAT,
                        "mass_kg must be a body mass in kg (10..400), not '%.*s'", (int)vn, v);
        }
        r->info.mass_kg = x;
    } else if (kn == 6 && !memcmp(s, "source", 6)) {
        size_t m = vn < sizeof r->info.source - 1 ? vn : sizeof r->info.source - 1;
        memcpy(r->info.source, v, m);
        r->info.source[m] = '\0';
    }
    return GC_OK;
}

static int parse_header(struct force_csv *r, const char *s, size_t n, struct gc_diag *diag)
{
    int col = 0;
    bool seen[C_N] = {false};
    size_t a = 0;
    for (;;) {
        size_t b = a;
        while (b < n && s[b] != ',')
            b++;
        const char *f = s + a;
        size_t fn = b - a;
        trim(&f, &fn);
        if (fn >= 2 && f[0] == '"' && f[fn - 1] == '"') {
            f++;
            fn -= 2;
        }
        if (col >= MAX_COLS) {
            return errf(r, diag, GC_ERR_FORMAT, "more than %d columns in the header", MAX_COLS);
        }
        r->role[col] = -1;
        for (int k = 0; k < C_N; k++) {
            if (strlen(col_names[k]) == fn && !memcmp(col_names[k], f, fn)) {
                if (seen[k]) {
                    return errf(r, diag, GC_ERR_FORMAT, "column '%s' appears twice in the header",
                                col_names[k]);
                }
                seen[k] = true;
                r->role[col] = (signed char)k;
            }
        }
        col++;
        if (b >= n)
            break;
        a = b + 1;
    }
    r->ncols = col;
    if (!seen[C_T]) {
        return errf(r, diag, GC_ERR_FORMAT,
                    "the header has no 't_s' column (time in s); the columns must be named as "
                    "in the canonical force CSV (t_s, fz_n, ...)");
    }
    int cells = seen[C_F1] + seen[C_F2] + seen[C_F3] + seen[C_F4];
    if (!seen[C_FZ]) {
        if (cells == 0) {
            return errf(r, diag, GC_ERR_FORMAT,
                        "the header has no 'fz_n' column (vertical force in N) and no "
                        "'fz1_n'..'fz4_n' cell columns");
        }
        if (cells != 4) {
            return errf(r, diag, GC_ERR_FORMAT,
                        "only %d of the 4 cell columns 'fz1_n'..'fz4_n' are present; give all "
                        "four or 'fz_n'",
                        cells);
        }
        r->use_cells = true;
    }
    /* fz_n wins when both are given: ignore the cells. */
    r->maxcol = 0;
    for (int c = 0; c < r->ncols; c++) {
        int k = r->role[c];
        if (!r->use_cells && k >= C_F1 && k <= C_F4)
            r->role[c] = -1;
        if (r->role[c] >= 0)
            r->maxcol = c;
    }
    r->info.has_cop = seen[C_X];
    r->has_copy = seen[C_Y];
    r->info.has_cells = r->use_cells;
    return GC_OK;
}

static int open_common(struct force_csv *r, struct gc_diag *diag)
{
    const char *s;
    size_t n;
    for (;;) {
        int k = next_line(r, &s, &n, diag);
        if (k < 0)
            return k;
        if (k == 0) {
            return errf(r, diag, GC_ERR_FORMAT,
                        "no header line: the file is empty or has only comments");
        }
        /* A UTF-8 byte order mark (spreadsheet exports) is accepted at the
         * start of the file, before a comment as before the header. */
        if (r->line == 1 && n >= 3 && (unsigned char)s[0] == 0xEF &&
            (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF) {
            s += 3;
            n -= 3;
        }
        if (n && s[0] == '#') {
            int e = parse_meta(r, s, n, diag);
            if (e < 0)
                return e;
            continue;
        }
        if (blank(s, n))
            continue;
        return parse_header(r, s, n, diag);
    }
}

static struct force_csv *alloc_reader(const char *name)
{
    struct force_csv *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->buf = calloc(1, BUF_SIZE + BUF_PAD);
    if (!r->buf) {
        free(r);
        return NULL;
    }
    snprintf(r->name, sizeof r->name, "%s", name);
    r->t_prev = NAN;
    r->period = NAN;
    return r;
}

int force_csv_open_stream(FILE *fp, const char *name, struct force_csv **out, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    if (!fp || !out)
        return gc_fail(diag, GC_ERR_ARG, "no stream to read the force CSV from");
    *out = NULL;
    struct force_csv *r = alloc_reader(name ? name : "input");
    if (!r)
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory reading %s", name ? name : "input");
    r->fp = fp;
    int e = open_common(r, diag);
    if (e < 0) {
        force_csv_close(r);
        return e;
    }
    r->info.rate_hz = r->rate_meta;
    *out = r;
    return GC_OK;
}

void force_csv_set_closer(struct force_csv *r, force_csv_close_fn fn)
{
    if (r)
        r->close_fn = fn;
}

const struct force_csv_info *force_csv_info(const struct force_csv *r)
{
    return &r->info;
}

long long force_csv_bytes(const struct force_csv *r)
{
    return r->bytes;
}

void force_csv_close(struct force_csv *r)
{
    if (!r)
        return;
    if (r->close_fn && r->fp)
        r->close_fn(r->fp);
    free(r->buf);
    free(r);
}

static int end_checks(struct force_csv *r, struct gc_diag *diag)
{
    if (r->count < 2) {
        return errf(r, diag, GC_ERR_FORMAT, "fewer than 2 samples of data: nothing to analyse");
    }
    if (r->peak_abs >= FORCE_CSV_MIN_PEAK_N && r->peak_pos < FORCE_CSV_MIN_PEAK_N) {
        return errf(r, diag, GC_ERR_FORMAT,
                    "the force is never above %.3g N (it reaches %.6g): a load on the deck gives a "
                    "positive vertical force in newtons; if the sign is inverted, negate the force "
                    "columns",
                    FORCE_CSV_MIN_PEAK_N, -r->peak_abs);
    }
    if (r->peak_abs < FORCE_CSV_MIN_PEAK_N) {
        return errf(
            r, diag, GC_ERR_FORMAT,
            "the force never exceeds %.3g in magnitude: that looks like body weights or kN, "
            "not newtons; convert the force columns to N",
            r->peak_abs);
    }
    return 0;
}

static int check_time(struct force_csv *r, double t, struct gc_diag *diag)
{
    if (r->count == 0) {
        r->t_first = t;
        if (r->rate_meta > 0.0)
            r->period = 1.0 / r->rate_meta;
        return 0;
    }
    double dt = t - r->t_prev;
    if (!(dt > 0.0)) {
        return errf(r, diag, GC_ERR_FORMAT,
                    "column 't_s': time %.9g does not increase (previous line %.9g); sort the "
                    "samples by time and remove duplicates",
                    t, r->t_prev);
    }
    if (isnan(r->period)) {
        r->period = dt;
        r->info.rate_hz = 1.0 / dt;
        return 0;
    }
    /* The tolerance absorbs the rounding of t_s in the text (6 decimals at
     * 300 Hz: +-0.5 us on a 3333 us period). */
    double tol = FORCE_CSV_RATE_TOL * r->period;
    if (fabs(dt - r->period) > tol) {
        if (r->count == 1 && r->rate_meta > 0.0)
            return errf(r, diag, GC_ERR_FORMAT,
                        "rate_hz=%g in the comments but t_s steps by %.9g s (%.6g Hz); fix "
                        "rate_hz or the time column",
                        r->rate_meta, dt, 1.0 / dt);
        return errf(r, diag, GC_ERR_FORMAT,
                    "column 't_s': sample interval %.9g s where %.9g s was expected: the "
                    "sample rate is not uniform (a gap, or merged recordings); resample to "
                    "a constant rate",
                    dt, r->period);
    }
    return 0;
}

static int bad_number(struct force_csv *r, int col, const char *f, size_t fn, struct gc_diag *diag)
{
    const char *name = r->role[col] >= 0 ? col_names[r->role[col]] : "?";
    if (fn == 0)
        return errf(r, diag, GC_ERR_FORMAT,
                    "column '%s' (field %d) is empty; every sample needs a value", name, col + 1);
    return errf(r, diag, GC_ERR_FORMAT, "column '%s' (field %d): '%.*s' is not a number", name,
                col + 1, (int)(fn > 40 ? 40 : fn), f);
}

int force_csv_read(struct force_csv *r, struct gait_sample *out, size_t cap, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    if (r->done)
        return 0;
    size_t k = 0;
    const char *s;
    size_t n;
    while (k < cap) {
        int e = next_line(r, &s, &n, diag);
        if (e < 0)
            return e;
        if (e == 0) {
            if (k)
                break; /* return what we have, check on the next call */
            e = end_checks(r, diag);
            if (e < 0)
                return e;
            r->done = true;
            return 0;
        }
        if (n == 0 || blank(s, n))
            continue;
        if (s[0] == '#') {
            return errf(r, diag, GC_ERR_FORMAT,
                        "comment line after the header; '# key=value' lines must come first");
        }
        double v[C_N];
        const char *p = s, *e_line = s + n;
        int col = 0;
        for (;;) {
            int role = r->role[col];
            if (role < 0) {
                p = skip_field(p, e_line); /* an unused column */
            } else {
                /* The common plain decimal, up to the comma or line end. */
                size_t u = numparse_plain(p, &v[role]);
                if (u && (p + u == e_line || (p + u < e_line && p[u] == ','))) {
                    p += u;
                } else {
                    /* Anything else, carefully, on the whole field (spaces,
                     * exponents, nan COP, text). */
                    const char *f = p;
                    p = skip_field(p, e_line);
                    size_t fn = (size_t)(p - f);
                    if (role == C_X || role == C_Y) {
                        const char *g = f;
                        size_t gn = fn;
                        trim(&g, &gn);
                        if (gn == 0 ||
                            (gn == 3 && (g[0] == 'n' || g[0] == 'N') &&
                             (g[1] == 'a' || g[1] == 'A') && (g[2] == 'n' || g[2] == 'N')))
                            v[role] = NAN;
                        else if (numparse_double(g, gn, &v[role]) < 0)
                            return bad_number(r, col, f, fn, diag);
                    } else if (numparse_double(f, fn, &v[role]) < 0) {
                        return bad_number(r, col, f, fn, diag);
                    }
                }
            }
            if (col >= r->maxcol)
                break;
            if (p >= e_line) {
                return errf(r, diag, GC_ERR_FORMAT,
                            "only %d fields where the header has %d columns", col + 1, r->ncols);
            }
            col++;
            p++; /* past the comma */
        }
        double t = v[C_T];
        if ((e = check_time(r, t, diag)) < 0)
            return e;
        double fz = r->use_cells ? v[C_F1] + v[C_F2] + v[C_F3] + v[C_F4] : v[C_FZ];
        if (!(fabs(fz) <= FORCE_CSV_MAX_N)) {
            return errf(
                r, diag, GC_ERR_FORMAT,
                "force %.6g cannot be a force in newtons on a deck (limit %.0f N, %.0f tonnes); "
                "check the units of the force columns",
                fz, FORCE_CSV_MAX_N, FORCE_CSV_MAX_N / 9806.65);
        }
        if (r->info.has_cop && !(isnan(v[C_X]) || fabs(v[C_X]) <= FORCE_CSV_MAX_COP_M)) {
            return errf(r, diag, GC_ERR_FORMAT, "copx_m %.6g is not a position in metres", v[C_X]);
        }
        if (r->has_copy && !(isnan(v[C_Y]) || fabs(v[C_Y]) <= FORCE_CSV_MAX_COP_M)) {
            return errf(r, diag, GC_ERR_FORMAT, "copy_m %.6g is not a position in metres", v[C_Y]);
        }
        if (fabs(fz) > r->peak_abs)
            r->peak_abs = fabs(fz);
        if (fz > r->peak_pos)
            r->peak_pos = fz;
        struct gait_sample *o = &out[k++];
        o->t_s = t;
        o->fz_n = (float)fz;
        o->copx_m = r->info.has_cop ? (float)v[C_X] : NAN;
        o->copy_m = r->has_copy ? (float)v[C_Y] : NAN;
        r->t_prev = t;
        r->count++;
    }
    return (int)k;
}
