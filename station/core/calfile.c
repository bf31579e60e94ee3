/* calfile.c - calibration file format and parser (see calfile.h); the files on
 * disk are station/edge/calstore.c. */
#include "calfile.h"

#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "gc_error.h"
#include "units.h"

#define END_MARK          "[end]"

void calfile_init(struct calfile *cf)
{
    memset(cf, 0, sizeof *cf);
    cf->format_version = CALFILE_FORMAT_VERSION;
    for (unsigned i = 0; i < 3; i++)
        cf->imu_rot[i][i] = 1.0;
    snprintf(cf->kind, sizeof cf->kind, "full");
}

/* ------------------------------------------------------------------ */
/* Writer                                                              */

struct outbuf {
    char *p;
    size_t cap, len;
    bool overflow;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
put(struct outbuf *o, const char *fmt, ...)
{
    if (o->overflow)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= o->cap - o->len) {
        o->overflow = true;
        return;
    }
    o->len += (size_t)n;
}

/* Free text goes into a single INI value: no line breaks, no comment or
 * section characters, no leading/trailing blanks (inih strips them). */
static void clean_text(char *dst, size_t cap, const char *src)
{
    size_t k = 0;
    for (; src && *src && k + 1 < cap; src++) {
        unsigned char c = (unsigned char)*src;
        dst[k++] =
            (c < 0x20 || c == ';' || c == '#' || c == '[' || c == ']' || c == 0x7f) ? '_' : (char)c;
    }
    dst[k] = '\0';
    while (k > 0 && dst[k - 1] == ' ')
        dst[--k] = '\0';
    size_t lead = strspn(dst, " ");
    if (lead)
        memmove(dst, dst + lead, k - lead + 1);
}

static const char *corner_name(const struct deck_cell_cal *c)
{
    static const char *const names[] = {"rear-left", "rear-right", "front-left", "front-right"};
    return names[(c->y_m > 0 ? 2 : 0) + (c->x_m > 0 ? 1 : 0)];
}

int calfile_format(const struct calfile *cf, char *buf, size_t cap)
{
    if (!cf || !buf || cap == 0)
        return GC_ERR_ARG;
    struct outbuf o = {buf, cap, 0, false};
    char t[CALFILE_TEXT_LEN];
    put(&o, "; gaitcue calibration file - written by calib; do not edit (checksummed).\n"
            "; Format: docs/calibration.md.  Forces: F_i = (counts_i - offset_counts) * "
            "n_per_count [N].\n");
    put(&o, "[calibration]\nformat_version = %d\n", CALFILE_FORMAT_VERSION);
    clean_text(t, sizeof t, cf->deck.serial);
    put(&o, "serial = %s\n", t);
    clean_text(t, sizeof t, cf->created);
    put(&o, "created = %s\n", t);
    clean_text(t, sizeof t, cf->operator_name);
    put(&o, "operator = %s\n", t);
    clean_text(t, sizeof t, cf->tool);
    put(&o, "tool = %s\n", t);
    clean_text(t, sizeof t, cf->kind);
    put(&o, "kind = %s\n", t);
    clean_text(t, sizeof t, cf->based_on);
    put(&o, "based_on = %s\n", t);
    put(&o, "nominal_n_per_count = %.9g\n", cf->nominal_n_per_count);
    put(&o, "gravity_m_s2 = %.9g\n", GC_G_MPS2);
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        const struct deck_cell_cal *c = &cf->deck.cell[i];
        put(&o,
            "\n[cell%u]\ncorner = %s\nx_m = %.4f\ny_m = %.4f\noffset_counts = %.3f\n"
            "n_per_count = %.9g\n",
            i, corner_name(c), c->x_m, c->y_m, c->offset_counts, c->n_per_count);
    }
    put(&o, "\n[zero]\nsamples = %u\nstd_n = %.3f\ndrift_n = %.3f\n", cf->zero_samples,
        cf->zero_std_n, cf->zero_drift_n);
    put(&o,
        "\n[span]\nplacements = %u\ncondition = %.3f\nrms_force_n = %.4f\nmax_force_pct = "
        "%.4f\nrms_cop_mm = %.3f\nmax_cop_mm = %.3f\n",
        cf->n_placements, cf->span_condition, cf->span_rms_force_n, cf->span_max_force_pct,
        cf->span_rms_cop_mm, cf->span_max_cop_mm);
    for (unsigned j = 0; j < cf->n_placements && j < CALFILE_MAX_PLACEMENTS; j++) {
        const struct calfile_placement *p = &cf->placement[j];
        put(&o,
            "\n[placement%u]\nmass_kg = %.4f\nx_m = %.4f\ny_m = %.4f\nmean_counts = %.2f %.2f "
            "%.2f %.2f\nresid_force_n = %.4f\nresid_cop_mm = %.3f\n",
            j + 1, p->mass_kg, p->x_m, p->y_m, p->mean_counts[0], p->mean_counts[1],
            p->mean_counts[2], p->mean_counts[3], p->resid_force_n, p->resid_cop_mm);
    }
    put(&o, "\n[imu]\npresent = %d\n", cf->imu_present ? 1 : 0);
    for (unsigned r = 0; r < 3; r++)
        put(&o, "rot_row%u = %.9f %.9f %.9f\n", r, cf->imu_rot[r][0], cf->imu_rot[r][1],
            cf->imu_rot[r][2]);
    put(&o, "gyro_bias_dps = %.5f %.5f %.5f\ntilt_deg = %.4f\naccel_norm_g = %.5f\n",
        cf->imu_gyro_bias_dps[0], cf->imu_gyro_bias_dps[1], cf->imu_gyro_bias_dps[2],
        cf->imu_tilt_deg, cf->imu_accel_norm_g);
    if (cf->verify_present)
        put(&o,
            "\n[verify]\nmass_kg = %.4f\nx_m = %.4f\ny_m = %.4f\nforce_err_pct = %.4f\n"
            "cop_err_mm = %.3f\nnominal_force_err_pct = %.4f\nnominal_cop_err_mm = %.3f\n",
            cf->verify_mass_kg, cf->verify_x_m, cf->verify_y_m, cf->verify_force_err_pct,
            cf->verify_cop_err_mm, cf->verify_nominal_force_err_pct, cf->verify_nominal_cop_err_mm);
    put(&o, "\n");
    if (o.overflow)
        return GC_ERR_ARG;
    uint32_t crc = frame_crc32((const uint8_t *)buf, o.len);
    put(&o, END_MARK "\ncrc32 = %08lx\n", (unsigned long)crc);
    if (o.overflow)
        return GC_ERR_ARG;
    return (int)o.len;
}

/* ------------------------------------------------------------------ */
/* Reader                                                              */

/* Required keys, one bit each. */
enum {
    REQ_VERSION = 1u << 0,
    REQ_SERIAL = 1u << 1,
    REQ_CREATED = 1u << 2,
    REQ_OPERATOR = 1u << 3,
    REQ_CELL0 = 1u << 4, /* 4 bits per cell: offset, gain, x, y (16 bits) */
    REQ_CRC = 1u << 20,
};
#define REQ_ALL (REQ_VERSION | REQ_SERIAL | REQ_CREATED | REQ_OPERATOR | (0xffffu << 4) | REQ_CRC)

struct parse_state {
    struct calfile *cf;
    unsigned seen;
    unsigned span_placements;
    bool span_seen;
    unsigned max_placement;
    bool version_only;
    unsigned long crc;
    char bad[160]; /* first problem, "section.key: reason" */
};

static bool parse_double(const char *v, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (end == v || *end != '\0' || errno == ERANGE || !isfinite(d))
        return false;
    *out = d;
    return true;
}

static bool parse_doubles(const char *v, double *out, unsigned n)
{
    const char *p = v;
    for (unsigned k = 0; k < n; k++) {
        char *end;
        errno = 0;
        double d = strtod(p, &end);
        if (end == p || errno == ERANGE || !isfinite(d))
            return false;
        out[k] = d;
        p = end;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    return *p == '\0';
}

static bool parse_uint(const char *v, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long u = strtoul(v, &end, 10);
    if (end == v || *end != '\0' || errno == ERANGE || u > 1000000ul || v[0] == '-')
        return false;
    *out = (unsigned)u;
    return true;
}

static bool copy_text(char *dst, size_t cap, const char *v)
{
    size_t n = strlen(v);
    if (n >= cap)
        return false;
    memcpy(dst, v, n + 1);
    return true;
}

static time_t parse_iso_utc(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int used = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &used) != 6 ||
        used == 0 || s[used] != '\0')
        return (time_t)-1;
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60)
        return (time_t)-1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

static int bad_value(struct parse_state *st, const char *section, const char *name,
                     const char *what)
{
    if (!st->bad[0])
        snprintf(st->bad, sizeof st->bad, "[%s] %s: %s", section, name, what);
    return 0;
}

static int handle_calibration(struct parse_state *st, const char *name, const char *value)
{
    struct calfile *cf = st->cf;
    const char *sec = "calibration";
    if (!strcmp(name, "format_version")) {
        unsigned v;
        if (!parse_uint(value, &v) || v == 0)
            return bad_value(st, sec, name, "not a positive whole number");
        cf->format_version = (int)v;
        st->seen |= REQ_VERSION;
    } else if (st->version_only) {
        return 1;
    } else if (!strcmp(name, "serial")) {
        if (!value[0] || !copy_text(cf->deck.serial, sizeof cf->deck.serial, value))
            return bad_value(st, sec, name, "empty or longer than 16 characters");
        st->seen |= REQ_SERIAL;
    } else if (!strcmp(name, "created")) {
        if (!copy_text(cf->created, sizeof cf->created, value) ||
            (cf->created_t = parse_iso_utc(value)) == (time_t)-1)
            return bad_value(st, sec, name, "not a date like 2024-05-02T10:31:07Z");
        st->seen |= REQ_CREATED;
    } else if (!strcmp(name, "operator")) {
        /* shown on terminals and reports: no control characters (an
         * escape sequence in a hand-edited file reached the terminal) */
        for (const unsigned char *c = (const unsigned char *)value; *c; c++)
            if (*c < 0x20 || *c == 0x7f)
                return bad_value(st, sec, name, "holds control characters");
        if (!copy_text(cf->operator_name, sizeof cf->operator_name, value))
            return bad_value(st, sec, name, "too long");
        st->seen |= REQ_OPERATOR;
    } else if (!strcmp(name, "tool")) {
        copy_text(cf->tool, sizeof cf->tool, value);
    } else if (!strcmp(name, "kind")) {
        copy_text(cf->kind, sizeof cf->kind, value);
    } else if (!strcmp(name, "based_on")) {
        copy_text(cf->based_on, sizeof cf->based_on, value);
    } else if (!strcmp(name, "nominal_n_per_count")) {
        if (!parse_double(value, &cf->nominal_n_per_count))
            return bad_value(st, sec, name, "not a number");
    }
    return 1;
}

static int handle_cell(struct parse_state *st, const char *section, unsigned i, const char *name,
                       const char *value)
{
    struct deck_cell_cal *c = &st->cf->deck.cell[i];
    static const char *const keys[] = {"offset_counts", "n_per_count", "x_m", "y_m"};
    double *dst[] = {&c->offset_counts, &c->n_per_count, &c->x_m, &c->y_m};
    for (unsigned k = 0; k < 4; k++) {
        if (strcmp(name, keys[k]) != 0)
            continue;
        if (!parse_double(value, dst[k]))
            return bad_value(st, section, name, "not a number");
        if (k == 1 && *dst[k] == 0.0)
            return bad_value(st, section, name, "a gain of zero");
        st->seen |= REQ_CELL0 << (4 * i + k);
    }
    return 1; /* "corner" is informative: positions are authoritative */
}

static int handle_placement(struct parse_state *st, const char *section, unsigned j,
                            const char *name, const char *value)
{
    struct calfile_placement *p = &st->cf->placement[j];
    bool ok = true;
    if (!strcmp(name, "mass_kg"))
        ok = parse_double(value, &p->mass_kg) && p->mass_kg > 0.0;
    else if (!strcmp(name, "x_m"))
        ok = parse_double(value, &p->x_m);
    else if (!strcmp(name, "y_m"))
        ok = parse_double(value, &p->y_m);
    else if (!strcmp(name, "mean_counts"))
        ok = parse_doubles(value, p->mean_counts, PKT_CELLS);
    else if (!strcmp(name, "resid_force_n"))
        ok = parse_double(value, &p->resid_force_n);
    else if (!strcmp(name, "resid_cop_mm"))
        ok = parse_double(value, &p->resid_cop_mm);
    if (!ok)
        return bad_value(st, section, name, "not a valid number");
    if (j + 1 > st->max_placement)
        st->max_placement = j + 1;
    return 1;
}

static int handle_numbers(struct parse_state *st, const char *section, const char *name,
                          const char *value, const char *const *keys, double *const *dst,
                          unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        if (!strcmp(name, keys[k]) && !parse_double(value, dst[k]))
            return bad_value(st, section, name, "not a number");
    return 1;
}

static int ini_cb(void *user, const char *section, const char *name, const char *value)
{
    struct parse_state *st = user;
    struct calfile *cf = st->cf;
    if (!strcmp(section, "calibration"))
        return handle_calibration(st, name, value);
    if (st->version_only)
        return 1;
    unsigned idx;
    int used = 0;
    if (sscanf(section, "cell%u%n", &idx, &used) == 1 && section[used] == '\0') {
        if (idx >= PKT_CELLS)
            return bad_value(st, section, name, "no such load cell");
        return handle_cell(st, section, idx, name, value);
    }
    if (sscanf(section, "placement%u%n", &idx, &used) == 1 && section[used] == '\0') {
        if (idx < 1 || idx > CALFILE_MAX_PLACEMENTS)
            return bad_value(st, section, name, "placement number out of range");
        return handle_placement(st, section, idx - 1, name, value);
    }
    if (!strcmp(section, "zero")) {
        if (!strcmp(name, "samples") && !parse_uint(value, &cf->zero_samples))
            return bad_value(st, section, name, "not a whole number");
        static const char *const k[] = {"std_n", "drift_n"};
        double *const d[] = {&cf->zero_std_n, &cf->zero_drift_n};
        return handle_numbers(st, section, name, value, k, d, 2);
    }
    if (!strcmp(section, "span")) {
        if (!strcmp(name, "placements")) {
            if (!parse_uint(value, &st->span_placements) ||
                st->span_placements > CALFILE_MAX_PLACEMENTS)
                return bad_value(st, section, name, "not a whole number up to 32");
            st->span_seen = true;
            return 1;
        }
        static const char *const k[] = {"condition", "rms_force_n", "max_force_pct", "rms_cop_mm",
                                        "max_cop_mm"};
        double *const d[] = {&cf->span_condition, &cf->span_rms_force_n, &cf->span_max_force_pct,
                             &cf->span_rms_cop_mm, &cf->span_max_cop_mm};
        return handle_numbers(st, section, name, value, k, d, 5);
    }
    if (!strcmp(section, "imu")) {
        if (!strcmp(name, "present")) {
            unsigned v;
            if (!parse_uint(value, &v) || v > 1)
                return bad_value(st, section, name, "not 0 or 1");
            cf->imu_present = v == 1;
            return 1;
        }
        if (sscanf(name, "rot_row%u%n", &idx, &used) == 1 && name[used] == '\0') {
            if (idx > 2 || !parse_doubles(value, cf->imu_rot[idx], 3))
                return bad_value(st, section, name, "not a row of 3 numbers");
            return 1;
        }
        if (!strcmp(name, "gyro_bias_dps")) {
            if (!parse_doubles(value, cf->imu_gyro_bias_dps, 3))
                return bad_value(st, section, name, "not 3 numbers");
            return 1;
        }
        static const char *const k[] = {"tilt_deg", "accel_norm_g"};
        double *const d[] = {&cf->imu_tilt_deg, &cf->imu_accel_norm_g};
        return handle_numbers(st, section, name, value, k, d, 2);
    }
    if (!strcmp(section, "verify")) {
        cf->verify_present = true;
        static const char *const k[] = {"mass_kg",           "x_m",        "y_m",
                                        "force_err_pct",     "cop_err_mm", "nominal_force_err_pct",
                                        "nominal_cop_err_mm"};
        double *const d[] = {&cf->verify_mass_kg,
                             &cf->verify_x_m,
                             &cf->verify_y_m,
                             &cf->verify_force_err_pct,
                             &cf->verify_cop_err_mm,
                             &cf->verify_nominal_force_err_pct,
                             &cf->verify_nominal_cop_err_mm};
        return handle_numbers(st, section, name, value, k, d, 7);
    }
    if (!strcmp(section, "end")) {
        if (!strcmp(name, "crc32")) {
            char *end;
            errno = 0;
            st->crc = strtoul(value, &end, 16);
            if (end == value || *end != '\0' || errno == ERANGE)
                return bad_value(st, section, name, "not a hexadecimal checksum");
            st->seen |= REQ_CRC;
        }
        return 1;
    }
    return 1; /* unknown sections of the same format version are ignored */
}

/* Offset of the line that starts with "[end]", or -1. */
static long find_end_mark(const char *text)
{
    const char *p = text;
    for (;;) {
        if (!strncmp(p, END_MARK, strlen(END_MARK)))
            return (long)(p - text);
        p = strchr(p, '\n');
        if (!p)
            return -1;
        p++;
    }
}

static void missing_key(unsigned missing, char *buf, size_t cap)
{
    if (missing & REQ_VERSION)
        snprintf(buf, cap, "[calibration] format_version");
    else if (missing & REQ_SERIAL)
        snprintf(buf, cap, "[calibration] serial");
    else if (missing & REQ_CREATED)
        snprintf(buf, cap, "[calibration] created");
    else if (missing & REQ_OPERATOR)
        snprintf(buf, cap, "[calibration] operator");
    else if (missing & REQ_CRC)
        snprintf(buf, cap, "[end] crc32");
    else {
        static const char *const keys[] = {"offset_counts", "n_per_count", "x_m", "y_m"};
        for (unsigned b = 0; b < 16; b++)
            if (missing & (REQ_CELL0 << b)) {
                snprintf(buf, cap, "[cell%u] %s", b / 4, keys[b % 4]);
                return;
            }
        snprintf(buf, cap, "a required key");
    }
}

/* label names the file in messages ("calibration file /x/cal.ini"). */
static int parse_labeled(const char *text, const char *label, const char *expected_serial,
                         unsigned flags, struct calfile *out, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    if (!text || !out)
        return gc_fail(diag, GC_ERR_ARG, "no calibration text to parse (a bug in the caller)");
    calfile_init(out);
    struct calfile *cf = malloc(sizeof *cf);
    if (!cf)
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory reading %s", label);
    calfile_init(cf);
    int rc = GC_ERR_FORMAT;

    /* 1. Version first: a newer writer may have changed everything else,
     * so "update gaitcue" is the right message, not "malformed". */
    struct parse_state st;
    memset(&st, 0, sizeof st);
    st.cf = cf;
    st.version_only = true;
    cf->format_version = 0;
    ini_parse_string(text, ini_cb, &st);
    if (!(st.seen & REQ_VERSION)) {
        rc = gc_fail(
            diag, GC_ERR_FORMAT,
            "%s is not a gaitcue calibration file (no format_version in [calibration]): give "
            "a file written by calib",
            label);
        goto done;
    }
    if (cf->format_version > CALFILE_FORMAT_VERSION) {
        rc = gc_fail(
            diag, GC_ERR_VERSION,
            "%s was written by a newer calib (format version %d; this build reads up to %d): "
            "update gaitcue or use a calibration made with this version",
            label, cf->format_version, CALFILE_FORMAT_VERSION);
        goto done;
    }

    /* 2. Whole?  The [end] line and the checksum of everything above it. */
    long end = find_end_mark(text);
    if (end < 0) {
        rc = gc_fail(
            diag, GC_ERR_FORMAT,
            "%s is truncated (no [end] section): restore it from the calibration history or "
            "run calib again",
            label);
        goto done;
    }

    size_t tlen = strlen(text);
    if (tlen == 0 || text[tlen - 1] != '\n') {
        rc = gc_fail(diag, GC_ERR_FORMAT,
                     "%s is truncated (it ends in the middle of a line): restore it from the "
                     "calibration history or run calib again",
                     label);
        goto done;
    }

    /* 3. Full parse. */
    calfile_init(cf);
    memset(&st, 0, sizeof st);
    st.cf = cf;
    int line = ini_parse_string(text, ini_cb, &st);
    if (st.bad[0]) {
        rc = gc_fail(diag, GC_ERR_FORMAT, "%s is malformed (%s): run calib again", label, st.bad);
        goto done;
    }
    if (line != 0) {
        rc = gc_fail(diag, GC_ERR_FORMAT, "%s is malformed (cannot read line %d): run calib again",
                     label, line);
        goto done;
    }
    if (!(st.seen & REQ_CRC)) {
        rc = gc_fail(diag, GC_ERR_FORMAT,
                     "%s is truncated (no checksum after [end]): restore it from the calibration "
                     "history or run calib again",
                     label);
        goto done;
    }
    if ((st.seen & REQ_ALL) != REQ_ALL) {
        char key[64];
        missing_key(REQ_ALL & ~st.seen, key, sizeof key);
        rc = gc_fail(diag, GC_ERR_FORMAT, "%s is incomplete (%s is missing): run calib again",
                     label, key);
        goto done;
    }
    uint32_t crc = frame_crc32((const uint8_t *)text, (size_t)end);
    if (crc != (uint32_t)st.crc) {
        rc = gc_fail(
            diag, GC_ERR_FORMAT,
            "%s is damaged or was edited (checksum %08lx, expected %08lx): restore it from the "
            "calibration history or run calib again",
            label, (unsigned long)crc, st.crc);
        goto done;
    }
    if (cf->format_version < 1) {
        rc = gc_fail(diag, GC_ERR_FORMAT, "%s has an invalid format version %d", label,
                     cf->format_version);
        goto done;
    }
    unsigned np = st.span_seen ? st.span_placements : st.max_placement;
    if (st.max_placement > np) {
        rc = gc_fail(diag, GC_ERR_FORMAT,
                     "%s is malformed ([span] placements = %u but placement %u exists): run calib "
                     "again",
                     label, np, st.max_placement);
        goto done;
    }
    cf->n_placements = np;

    /* 4. Plausible?  A checksum proves the file is whole, not that its
     * numbers are gains (docs/calibration.md, "Plausibility limits"). */
    struct gc_diag lim;
    if (calfile_check_deck(&cf->deck, cf->nominal_n_per_count, &lim) < 0) {
        rc = gc_fail(diag, GC_ERR_FORMAT, "%s holds impossible values (%s): run calib again", label,
                     lim.msg);
        goto done;
    }

    /* 5. Meant for this sensor? */
    if (expected_serial && expected_serial[0] && strcmp(expected_serial, cf->deck.serial) != 0) {
        if (!(flags & CALFILE_ALLOW_OTHER_SERIAL)) {
            rc = gc_fail(
                diag, GC_ERR_ARG,
                "%s belongs to sensor %s, not the connected sensor %s: calibrate this sensor "
                "with calib, or override with --allow-other-sensor if you are sure",
                label, cf->deck.serial, expected_serial);
            goto done;
        }
        gc_warn(diag,
                "%s belongs to sensor %s, not the connected sensor %s: used anyway because of the "
                "override; forces and COP may be wrong",
                label, cf->deck.serial, expected_serial);
    }
    snprintf(cf->deck.name, sizeof cf->deck.name, "%.10s %.40s", cf->created, cf->operator_name);
    *out = *cf;
    rc = GC_OK;
done:
    free(cf);
    return rc;
}

int calfile_check_deck(const struct deck_cal *cal, double nominal_n_per_count, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    if (!cal)
        return gc_fail(diag, GC_ERR_ARG, "no calibration to check");
    double nom = nominal_n_per_count;
    if (nom != 0.0 && !(nom >= CALFILE_GAIN_MIN_N_PER_COUNT && nom <= CALFILE_GAIN_MAX_N_PER_COUNT))
        return gc_fail(diag, GC_ERR_FORMAT, "nominal gain %.6g N/count outside %.0e to %.0e", nom,
                       CALFILE_GAIN_MIN_N_PER_COUNT, CALFILE_GAIN_MAX_N_PER_COUNT);
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        const struct deck_cell_cal *c = &cal->cell[i];
        double g = c->n_per_count;
        if (!(g >= CALFILE_GAIN_MIN_N_PER_COUNT && g <= CALFILE_GAIN_MAX_N_PER_COUNT))
            return gc_fail(diag, GC_ERR_FORMAT, "cell %u gain %.6g N/count outside %.0e to %.0e", i,
                           g, CALFILE_GAIN_MIN_N_PER_COUNT, CALFILE_GAIN_MAX_N_PER_COUNT);
        if (nom != 0.0 && !(fabs(g / nom - 1.0) <= CALFILE_GAIN_MAX_REL_ERR))
            return gc_fail(diag, GC_ERR_FORMAT,
                           "cell %u gain %.6g N/count is more than %.0f %% off the nominal %.6g", i,
                           g, 100.0 * CALFILE_GAIN_MAX_REL_ERR, nom);
        if (!(fabs(c->offset_counts) <= CALFILE_MAX_OFFSET_COUNTS))
            return gc_fail(diag, GC_ERR_FORMAT,
                           "cell %u offset %.6g counts beyond the 24-bit ADC range", i,
                           c->offset_counts);
        if (!(fabs(c->x_m) <= CALFILE_MAX_POS_M && fabs(c->y_m) <= CALFILE_MAX_POS_M))
            return gc_fail(diag, GC_ERR_FORMAT, "cell %u position (%.6g, %.6g) m is not on a deck",
                           i, c->x_m, c->y_m);
    }
    /* Without a nominal gain the cells must still agree with each other:
     * a file whose nominal is 0 otherwise passes any mix of gains (the
     * attacker trial: one cell at 0.9 N/count, 0 steps, no warning). */
    double mean = 0.0;
    for (unsigned i = 0; i < PKT_CELLS; i++)
        mean += cal->cell[i].n_per_count / PKT_CELLS;
    for (unsigned i = 0; nom == 0.0 && i < PKT_CELLS; i++)
        if (!(fabs(cal->cell[i].n_per_count / mean - 1.0) <= CALFILE_GAIN_MAX_REL_ERR))
            return gc_fail(diag, GC_ERR_FORMAT,
                           "cell %u gain %.6g N/count is more than %.0f %% off the cells' mean "
                           "%.6g",
                           i, cal->cell[i].n_per_count, 100.0 * CALFILE_GAIN_MAX_REL_ERR, mean);
    /* The cells sit at the deck's corners: positions that span no area
     * (all on one line or one point) lose the centre of pressure and the
     * left/right split without a word. */
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        x0 = fmin(x0, cal->cell[i].x_m);
        x1 = fmax(x1, cal->cell[i].x_m);
        y0 = fmin(y0, cal->cell[i].y_m);
        y1 = fmax(y1, cal->cell[i].y_m);
    }
    if (!(x1 - x0 >= CALFILE_MIN_SPAN_M && y1 - y0 >= CALFILE_MIN_SPAN_M))
        return gc_fail(diag, GC_ERR_FORMAT,
                       "the cells span %.3g m x %.3g m, not the deck's corners (at least %.2g m "
                       "each way)",
                       x1 - x0, y1 - y0, CALFILE_MIN_SPAN_M);
    return GC_OK;
}

int calfile_parse(const char *text, const char *expected_serial, unsigned flags,
                  struct calfile *out, struct gc_diag *diag)
{
    return parse_labeled(text, "the calibration file", expected_serial, flags, out, diag);
}

int calfile_parse_buffer(const char *buf, size_t len, const char *name, const char *expected_serial,
                         unsigned flags, struct calfile *out, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    if (!buf || !name || !out)
        return gc_fail(diag, GC_ERR_ARG,
                       "no calibration file contents to parse (a bug in the "
                       "caller)");
    calfile_init(out);
    if (len > CALFILE_MAX_BYTES)
        return gc_fail(diag, GC_ERR_FORMAT,
                       "calibration file %s is larger than %d bytes, which no calib writes: give "
                       "the right file",
                       name, CALFILE_MAX_BYTES);
    if (memchr(buf, '\0', len))
        return gc_fail(diag, GC_ERR_FORMAT,
                       "calibration file %s contains binary data and is damaged: restore it from "
                       "the calibration history or run calib again",
                       name);
    /* inih wants a NUL-terminated string; buf is the caller's and need not
     * have room for one. */
    char *text = malloc(len + 1);
    if (!text)
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory reading calibration file %s", name);
    memcpy(text, buf, len);
    text[len] = '\0';
    char label[CALFILE_PATH_LEN + 32];
    snprintf(label, sizeof label, "calibration file %s", name);
    int rc = parse_labeled(text, label, expected_serial, flags, out, diag);
    free(text);
    return rc;
}

bool calfile_serial_is_safe(const char *serial)
{
    if (!serial || !serial[0] || !strcmp(serial, ".") || !strcmp(serial, ".."))
        return false;
    for (const char *p = serial; *p; p++)
        if (*p == '/' || (unsigned char)*p < 0x20)
            return false;
    return true;
}

double calfile_age_days(const struct calfile *cf, time_t now)
{
    return difftime(now, cf->created_t) / 86400.0;
}

bool calfile_is_stale(const struct calfile *cf, time_t now, double max_age_days,
                      struct gc_diag *diag)
{
    gc_diag_clear(diag);
    double age = calfile_age_days(cf, now);
    if (age < -1.0) { /* a clock off, or a file from the future */
        gc_warn(diag,
                "the calibration of sensor %s is dated %.0f days in the future: check the "
                "computer's clock, or run calib to recalibrate the deck",
                cf->deck.serial, -age);
        return true;
    }
    if (!(age > max_age_days))
        return false;
    gc_warn(diag,
            "the calibration of sensor %s is %.0f days old (limit %.0f days): run calib to "
            "recalibrate the deck",
            cf->deck.serial, age, max_age_days);
    return true;
}

void calfile_describe(const struct calfile *cf, time_t now, char *buf, size_t cap)
{
    double age = calfile_age_days(cf, now);
    if (age < -1.0) {
        snprintf(buf, cap, "%s, %.10s by %s (dated in the future: check the clock)",
                 cf->deck.serial, cf->created,
                 cf->operator_name[0] ? cf->operator_name : "unknown");
        return;
    }
    snprintf(buf, cap, "%s, %.10s by %s (%.0f day%s old)", cf->deck.serial, cf->created,
             cf->operator_name[0] ? cf->operator_name : "unknown", floor(age),
             floor(age) == 1.0 ? "" : "s");
}
