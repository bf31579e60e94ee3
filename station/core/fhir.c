/* fhir.c - FHIR R4 Bundle (JSON) of sessions and figures (fhir.h).
 *
 * Hand-formatted rather than built with cJSON: every number is written as
 * the text session_fmt() prints (cJSON would re-print a double and could
 * turn 172.3 into 172.30000000000001), keys come out in FHIR's customary
 * order, and the formatter needs no allocation (it counts what does not
 * fit, like snprintf). */
#include "fhir.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fhir_codes.h"
#include "sha256.h"
#include "units.h"

/* ---- a JSON writer into the caller's buffer ------------------------- */

#define JW_MAX_DEPTH 16

struct jw {
    char *buf;
    size_t cap;
    size_t len; /* bytes the output needs so far (may exceed cap) */
    int depth;
    bool first[JW_MAX_DEPTH + 1];
    bool too_deep;
};

static void put(struct jw *w, const char *s, size_t n)
{
    if (w->buf && w->len < w->cap) {
        size_t room = w->cap - w->len;
        memcpy(w->buf + w->len, s, n < room ? n : room);
    }
    w->len += n;
}

static void puts_(struct jw *w, const char *s)
{
    put(w, s, strlen(s));
}

static void newline(struct jw *w)
{
    static const char spaces[] = "                                ";
    put(w, "\n", 1);
    put(w, spaces,
        (size_t)(2 * w->depth) < sizeof spaces - 1 ? (size_t)(2 * w->depth) : sizeof spaces - 1);
}

/* Length of the valid UTF-8 sequence at s (1..4), 0 if not valid. */
static size_t utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = (s[0] & 0xe0) == 0xc0   ? 2
               : (s[0] & 0xf0) == 0xe0 ? 3
               : (s[0] & 0xf8) == 0xf0 ? 4
                                       : 0;
    if (n == 0 || (n == 2 && s[0] < 0xc2) || (n == 4 && s[0] > 0xf4))
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

/* A JSON string.  Control characters are escaped; bytes that are not
 * UTF-8 become '?' (the JSON must parse whatever a protocol file held). */
static void put_string(struct jw *w, const char *s)
{
    put(w, "\"", 1);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (*p == '"' || *p == '\\') {
            char e[2] = {'\\', (char)*p};
            put(w, e, 2);
            p++;
        } else if (*p < 0x20) {
            char e[8];
            snprintf(e, sizeof e, "\\u%04x", *p);
            puts_(w, e);
            p++;
        } else {
            size_t n = utf8_len(p);
            if (n == 0) {
                put(w, "?", 1);
                p++;
            } else {
                put(w, (const char *)p, n);
                p += n;
            }
        }
    }
    put(w, "\"", 1);
}

static void key(struct jw *w, const char *k)
{
    if (!w->first[w->depth])
        put(w, ",", 1);
    w->first[w->depth] = false;
    if (w->depth > 0)
        newline(w);
    if (k) {
        put_string(w, k);
        put(w, ": ", 2);
    }
}

static void begin(struct jw *w, const char *k, char open)
{
    key(w, k);
    put(w, &open, 1);
    if (w->depth == JW_MAX_DEPTH) {
        w->too_deep = true;
        return;
    }
    w->depth++;
    w->first[w->depth] = true;
}

static void end(struct jw *w, char close)
{
    bool empty = w->first[w->depth];
    if (w->depth > 0)
        w->depth--;
    if (!empty)
        newline(w);
    put(w, &close, 1);
}

static void str(struct jw *w, const char *k, const char *v)
{
    key(w, k);
    put_string(w, v);
}

/* A number already formatted as JSON text. */
static void raw(struct jw *w, const char *k, const char *v)
{
    key(w, k);
    puts_(w, v);
}

static void strf(struct jw *w, const char *k, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void strf(struct jw *w, const char *k, const char *fmt, ...)
{
    char b[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    str(w, k, b);
}

static void base64(struct jw *w, const char *k, const uint8_t *d, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    key(w, k);
    put(w, "\"", 1);
    char q[4];
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)d[i + 1] << 8;
        if (i + 2 < n)
            v |= d[i + 2];
        q[0] = tab[(v >> 18) & 63];
        q[1] = tab[(v >> 12) & 63];
        q[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        q[3] = i + 2 < n ? tab[v & 63] : '=';
        put(w, q, 4);
    }
    put(w, "\"", 1);
}

/* ---- ids and times --------------------------------------------------- */

static void uuid_from_digest(const uint8_t d[32], char out[37])
{
    uint8_t u[16];
    memcpy(u, d, 16);
    u[6] = (uint8_t)((u[6] & 0x0f) | 0x80); /* version 8: custom (RFC 9562 5.8) */
    u[8] = (uint8_t)((u[8] & 0x3f) | 0x80); /* variant 10 */
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[u[i] >> 4];
        out[o++] = hex[u[i] & 15];
    }
    out[o] = '\0';
}

static void id_begin(struct sha256 *h, const char *system, const char *code)
{
    sha256_init(h);
    sha256_update(h, "gaitcue|", 8);
    sha256_update(h, system, strlen(system));
    sha256_update(h, "|", 1);
    sha256_update(h, code, strlen(code));
}

static void id_part(struct sha256 *h, const char *part)
{
    sha256_update(h, "|", 1);
    sha256_update(h, part, strlen(part));
}

static void id_end(struct sha256 *h, char out[37])
{
    uint8_t d[32];
    sha256_final(h, d);
    uuid_from_digest(d, out);
}

void fhir_resource_id(const char *system, const char *code, const char *name, char out[37])
{
    struct sha256 h;
    id_begin(&h, system, code);
    id_part(&h, name);
    id_end(&h, out);
}

/* Days since 1970-01-01 -> civil date (proleptic Gregorian), by eras of
 * 400 years (146097 days), March-based years so the leap day is last. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int fhir_format_utc(double unix_s, char out[32])
{
    out[0] = '\0';
    /* 9999-12-31T23:59:59 is 253402300799 s */
    if (!isfinite(unix_s) || unix_s < -62135596800.0 || unix_s > 253402300799.0)
        return GC_ERR_ARG;
    int64_t ms = (int64_t)llround(unix_s * 1000.0);
    int64_t s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int frac = (int)(ms - s * 1000);
    int64_t days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
    int64_t sod = s - days * 86400;
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 1 || y > 9999)
        return GC_ERR_ARG;
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+00:00", (int)y, m, d, (int)(sod / 3600),
             (int)(sod / 60 % 60), (int)(sod % 60), frac);
    return GC_OK;
}

int fhir_system_check(const char *uri, struct gc_diag *diag)
{
    const char *w = NULL;
    size_t n = uri ? strlen(uri) : 0;
    if (n == 0)
        w = "it is empty";
    else if (n > 255)
        w = "it is longer than 255 characters";
    else {
        size_t i = 0;
        if (!((uri[0] >= 'a' && uri[0] <= 'z') || (uri[0] >= 'A' && uri[0] <= 'Z')))
            w = "it does not start with a scheme (like https: or urn:)";
        while (!w && i < n && uri[i] != ':') {
            char c = uri[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '+' || c == '-' || c == '.'))
                w = "it is not an absolute URI (a scheme such as urn: or https:, then the rest)";
            i++;
        }
        if (!w && (i == n || i + 1 == n))
            w = "it is not an absolute URI (scheme:rest)";
        for (size_t k = 0; !w && k < n; k++) {
            unsigned char c = (unsigned char)uri[k];
            if (c <= 0x20 || c >= 0x7f || strchr("\"\\<>|{}^`", c))
                w = "it holds a space, a control character or one of \" \\ < > | { } ^ `";
        }
    }
    if (w)
        return gc_fail(diag, GC_ERR_ARG, "%s", w);
    gc_diag_clear(diag);
    return GC_OK;
}

/* ---- resources ------------------------------------------------------- */

struct ctx {
    struct jw w;
    const struct fhir_bundle_rec *b;
    char patient_id[37];
};

static void coding(struct jw *w, const char *k, const struct fhir_code *c)
{
    begin(w, k, '{');
    str(w, "system", c->system);
    str(w, "code", c->code);
    if (c->display && c->display[0])
        str(w, "display", c->display);
    end(w, '}');
}

static void concept(struct jw *w, const char *k, const struct fhir_code *c, const char *text)
{
    begin(w, k, '{');
    begin(w, "coding", '[');
    coding(w, NULL, c);
    end(w, ']');
    if (text && text[0])
        str(w, "text", text);
    end(w, '}');
}

static void quantity(struct jw *w, const char *k, double v, const struct fhir_unit *u)
{
    char num[64];
    session_fmt(num, sizeof num, v, u->decimals);
    begin(w, k, '{');
    raw(w, "value", num);
    str(w, "unit", u->text);
    str(w, "system", FHIR_CS_UCUM);
    str(w, "code", u->ucum);
    end(w, '}');
}

static void reference(struct jw *w, const char *k, const char *id)
{
    begin(w, k, '{');
    strf(w, "reference", "urn:uuid:%s", id);
    end(w, '}');
}

static void time_field(struct jw *w, const char *k, double t)
{
    char ts[32];
    if (fhir_format_utc(t, ts) == GC_OK)
        str(w, k, ts);
}

static void period(struct jw *w, const char *k, double from, double to)
{
    char a[32], b[32];
    bool ha = fhir_format_utc(from, a) == GC_OK, hb = fhir_format_utc(to, b) == GC_OK;
    if (!ha && !hb)
        return;
    begin(w, k, '{');
    if (ha)
        str(w, "start", a);
    if (hb)
        str(w, "end", b);
    end(w, '}');
}

/* entry { fullUrl, resource { resourceType, id ...  (left open) */
static void entry_begin(struct ctx *c, const char *type, const char *id)
{
    struct jw *w = &c->w;
    begin(w, NULL, '{');
    strf(w, "fullUrl", "urn:uuid:%s", id);
    begin(w, "resource", '{');
    str(w, "resourceType", type);
    str(w, "id", id);
}

/* ... } request { PUT type/id } } */
static void entry_end(struct ctx *c, const char *type, const char *id)
{
    struct jw *w = &c->w;
    end(w, '}');
    if (c->b->type == FHIR_BUNDLE_TRANSACTION) {
        begin(w, "request", '{');
        str(w, "method", "PUT");
        strf(w, "url", "%s/%s", type, id);
        end(w, '}');
    }
    end(w, '}');
}

/* Percent-encoding of a search parameter value (RFC 3986 unreserved kept). */
static void pct(char *out, size_t cap, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (; *s && o + 4 < cap; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            strchr("-._~", ch))
            out[o++] = (char)ch;
        else {
            out[o++] = '%';
            out[o++] = hex[ch >> 4];
            out[o++] = hex[ch & 15];
        }
    }
    out[o] = '\0';
}

static void patient(struct ctx *c)
{
    struct jw *w = &c->w;
    const struct fhir_bundle_rec *b = c->b;
    begin(w, NULL, '{');
    strf(w, "fullUrl", "urn:uuid:%s", c->patient_id);
    begin(w, "resource", '{');
    str(w, "resourceType", "Patient");
    str(w, "id", c->patient_id);
    begin(w, "identifier", '[');
    begin(w, NULL, '{');
    str(w, "system", b->identifier_system);
    str(w, "value", b->patient_code);
    end(w, '}');
    end(w, ']');
    end(w, '}');
    if (b->type == FHIR_BUNDLE_TRANSACTION) {
        /* the clinic's record of the patient is the clinic's: found by the
         * identifier, created (with the identifier only) if missing, never
         * overwritten */
        char sys[800], code[120];
        pct(sys, sizeof sys, b->identifier_system);
        pct(code, sizeof code, b->patient_code);
        begin(w, "request", '{');
        str(w, "method", "POST");
        str(w, "url", "Patient");
        strf(w, "ifNoneExist", "identifier=%s%%7C%s", sys, code);
        end(w, '}');
    }
    end(w, '}');
}

/* Observation head: id, phase extension, status, category, code, subject. */
static void obs_head(struct ctx *c, const char *id, const struct fhir_session_rec *s,
                     const struct fhir_phase_row *row, const struct fhir_code *code,
                     const char *category)
{
    struct jw *w = &c->w;
    entry_begin(c, "Observation", id);
    const struct fhir_code *pc = row ? fhir_phase_code(row->kind) : NULL;
    if (row && pc) {
        begin(w, "extension", '[');
        begin(w, NULL, '{');
        str(w, "url", FHIR_EXT_PHASE);
        begin(w, "extension", '[');
        begin(w, NULL, '{');
        str(w, "url", "kind");
        coding(w, "valueCoding", pc);
        end(w, '}');
        if (row->name && row->name[0]) {
            begin(w, NULL, '{');
            str(w, "url", "name");
            str(w, "valueString", row->name);
            end(w, '}');
        }
        if (row->index >= 0) {
            char n[24];
            snprintf(n, sizeof n, "%d", row->index);
            begin(w, NULL, '{');
            str(w, "url", "index");
            raw(w, "valueInteger", n);
            end(w, '}');
        }
        end(w, ']');
        end(w, '}');
        end(w, ']');
    }
    str(w, "status", s->ended ? "final" : "preliminary");
    begin(w, "category", '[');
    const struct fhir_code *cat = fhir_category_code(category);
    concept(w, NULL, cat ? cat : &fhir_code_category_activity, NULL);
    end(w, ']');
    concept(w, "code", code, code->display);
    reference(w, "subject", c->patient_id);
}

static void component(struct jw *w, enum fhir_comp k, double v)
{
    const struct fhir_fig_def *d = fhir_comp_def(k);
    if (!isfinite(v))
        return;
    begin(w, NULL, '{');
    concept(w, "code", &d->code, d->code.display);
    quantity(w, "valueQuantity", v, &d->unit);
    end(w, '}');
}

static double pct_of(double share)
{
    return isfinite(share) ? share * 100.0 : NAN;
}

/* The value of figure f in stats x (NAN: does not exist). */
static double fig_value(const struct session_stats *x, enum fhir_fig f)
{
    switch (f) {
    case FHIR_FIG_STEPS:
        return (double)x->n_steps;
    case FHIR_FIG_CADENCE:
        return x->cadence_spm;
    case FHIR_FIG_CONTACT:
        return x->contact_ms;
    case FHIR_FIG_IMPACT_PEAK:
        return x->n_impact ? x->impact_peak_bw : NAN;
    case FHIR_FIG_ACTIVE_PEAK:
        return x->active_peak_bw;
    case FHIR_FIG_VALR:
        return x->valr_bw_s;
    case FHIR_FIG_VILR:
        return x->vilr_bw_s;
    case FHIR_FIG_IN_BAND:
        return pct_of(x->share_in_band);
    case FHIR_FIG_UNDER_CEILING:
        return pct_of(x->share_under_ceiling);
    case FHIR_FIG_VALR_OVER_66:
        return pct_of(x->share_valr_risk);
    case FHIR_FIG_SI_CONTACT:
        return x->si_contact_pct;
    case FHIR_FIG_SI_VALR:
        return x->si_valr_pct;
    case FHIR_FIG_COUNT:
        break;
    }
    return NAN;
}

static void fig_components(struct jw *w, const struct session_stats *x, enum fhir_fig f)
{
    double l = NAN, r = NAN, n = NAN;
    enum fhir_comp cl, cr;
    switch (f) {
    case FHIR_FIG_STEPS:
        l = (double)x->n_left, r = (double)x->n_right;
        cl = FHIR_COMP_STEPS_LEFT, cr = FHIR_COMP_STEPS_RIGHT;
        break;
    case FHIR_FIG_CONTACT:
        l = x->contact_l_ms, r = x->contact_r_ms;
        cl = FHIR_COMP_CONTACT_LEFT, cr = FHIR_COMP_CONTACT_RIGHT;
        break;
    case FHIR_FIG_VALR:
        l = x->valr_l_bw_s, r = x->valr_r_bw_s;
        cl = FHIR_COMP_VALR_LEFT, cr = FHIR_COMP_VALR_RIGHT;
        break;
    case FHIR_FIG_IMPACT_PEAK:
        n = (double)x->n_impact;
        cl = cr = FHIR_COMP_IMPACT_STEPS;
        break;
    default:
        return;
    }
    if (!isfinite(l) && !isfinite(r) && !isfinite(n))
        return;
    begin(w, "component", '[');
    if (isfinite(n))
        component(w, cl, n);
    else {
        component(w, cl, l);
        component(w, cr, r);
    }
    end(w, ']');
}

/* The session's Observations in bundle order: written when write, and
 * the ids of those numbered skip .. skip+cap-1 copied to ids[0..] (ids may
 * be NULL).  Returns how many Observations the session has. */
static size_t session_obs(struct ctx *c, const struct fhir_session_rec *s, bool write,
                          char (*ids)[37], size_t skip, size_t cap)
{
    const struct fhir_bundle_rec *b = c->b;
    struct jw *w = &c->w;
    size_t n = 0;
    char sid[24];
    snprintf(sid, sizeof sid, "%lld", (long long)s->session_id);
    char id[37];
    struct sha256 h;
    if (isfinite(s->body_weight_n) && s->body_weight_n > 0) {
        id_begin(&h, b->identifier_system, b->patient_code);
        id_part(&h, "session");
        id_part(&h, sid);
        id_part(&h, "body-weight");
        id_end(&h, id);
        if (ids && n >= skip && n - skip < cap)
            memcpy(ids[n - skip], id, 37);
        n++;
        if (write) {
            obs_head(c, id, s, NULL, &fhir_code_body_weight, NULL);
            time_field(w, "effectiveDateTime", s->start_utc);
            quantity(w, "valueQuantity", units_n_to_kg(s->body_weight_n), &fhir_unit_body_weight);
            entry_end(c, "Observation", id);
        }
    }
    for (size_t r = 0; r < s->n_rows; r++) {
        const struct fhir_phase_row *row = &s->rows[r];
        if (row->stats.n_steps == 0)
            continue;
        for (int f = 0; f < FHIR_FIG_COUNT; f++) {
            double v = fig_value(&row->stats, (enum fhir_fig)f);
            if (!isfinite(v))
                continue; /* absent, never invented */
            const struct fhir_fig_def *d = fhir_fig_def((enum fhir_fig)f);
            id_begin(&h, b->identifier_system, b->patient_code);
            id_part(&h, "session");
            id_part(&h, sid);
            id_part(&h, row->key);
            id_part(&h, d->code.code);
            id_end(&h, id);
            if (ids && n >= skip && n - skip < cap)
                memcpy(ids[n - skip], id, 37);
            n++;
            if (!write)
                continue;
            obs_head(c, id, s, row, &d->code, NULL);
            period(w, "effectivePeriod", row->from_utc, row->to_utc);
            quantity(w, "valueQuantity", v, &d->unit);
            fig_components(w, &row->stats, (enum fhir_fig)f);
            entry_end(c, "Observation", id);
        }
    }
    for (size_t e = 0; e < s->n_extra; e++) {
        const struct fhir_extra_obs *x = &s->extra[e];
        if (!isfinite(x->value))
            continue;
        id_begin(&h, b->identifier_system, b->patient_code);
        id_part(&h, "session");
        id_part(&h, sid);
        id_part(&h, "extra");
        id_part(&h, x->key);
        id_end(&h, id);
        if (ids && n >= skip && n - skip < cap)
            memcpy(ids[n - skip], id, 37);
        n++;
        if (!write)
            continue;
        struct fhir_code code = {x->system, x->code, x->display};
        struct fhir_unit unit = {x->ucum, x->unit, x->decimals};
        obs_head(c, id, s, NULL, &code, x->category);
        time_field(w, "effectiveDateTime", x->at_utc);
        quantity(w, "valueQuantity", x->value, &unit);
        entry_end(c, "Observation", id);
    }
    return n;
}

static void report_entry(struct ctx *c, const struct fhir_session_rec *s)
{
    const struct fhir_bundle_rec *b = c->b;
    struct jw *w = &c->w;
    char sid[24], id[37];
    snprintf(sid, sizeof sid, "%lld", (long long)s->session_id);
    struct sha256 h;
    id_begin(&h, b->identifier_system, b->patient_code);
    id_part(&h, "session");
    id_part(&h, sid);
    id_part(&h, "report");
    id_end(&h, id);
    entry_begin(c, "DiagnosticReport", id);
    str(w, "status", s->ended ? "final" : "partial");
    char text[200];
    if (s->protocol && s->protocol[0])
        snprintf(text, sizeof text, "Gait retraining session #%lld: %s", (long long)s->session_id,
                 s->protocol);
    else
        snprintf(text, sizeof text, "Gait retraining session #%lld", (long long)s->session_id);
    concept(w, "code", &fhir_code_session_report, text);
    reference(w, "subject", c->patient_id);
    period(w, "effectivePeriod", s->start_utc, s->end_utc);
    /* the result list: the same ids the Observations get, computed again
     * a slice at a time (no allocation; hashing is cheap next to the PDF's
     * base64) */
    size_t n = session_obs(c, s, false, NULL, 0, 0);
    if (n) {
        begin(w, "result", '[');
        char ids[64][37];
        for (size_t done = 0; done < n; done += 64) {
            session_obs(c, s, false, ids, done, 64);
            for (size_t i = 0; i < 64 && done + i < n; i++)
                reference(w, NULL, ids[i]);
        }
        end(w, ']');
    }
    if (s->status_text && s->status_text[0]) {
        /* the report's first page in words: how it ended, how feedback
         * reached the runner, and a simulated sensor */
        bool how = s->delivery && s->delivery[0];
        strf(w, "conclusion", "Session %s.%s%s%s%s", s->status_text,
             how ? " Feedback to the runner: " : "", how ? s->delivery : "", how ? "." : "",
             s->simulated ? " The sensor was the simulator." : "");
    }
    if (s->pdf && s->pdf_len) {
        begin(w, "presentedForm", '[');
        begin(w, NULL, '{');
        str(w, "contentType", "application/pdf");
        base64(w, "data", s->pdf, s->pdf_len);
        strf(w, "title", "gaitcue session report #%lld", (long long)s->session_id);
        end(w, '}');
        end(w, ']');
    }
    entry_end(c, "DiagnosticReport", id);
}

static bool key_valid(const char *k)
{
    if (!k || !k[0] || strlen(k) > 64)
        return false;
    for (; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') ||
              *k == '-'))
            return false;
    return true;
}

static int check(const struct fhir_bundle_rec *b, struct gc_diag *diag)
{
    struct gc_diag why;
    if (!b->patient_code || !b->patient_code[0])
        return gc_fail(diag, GC_ERR_ARG, "the FHIR bundle needs the patient's clinic code");
    for (const char *p = b->patient_code; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
            return gc_fail(diag, GC_ERR_ARG,
                           "the patient code holds a space or a character that is not plain "
                           "ASCII; FHIR identifiers need printable characters");
    if (fhir_system_check(b->identifier_system, &why) != GC_OK)
        return gc_fail(diag, GC_ERR_ARG,
                       "the identifier system '%.80s' is not usable: %s; give an absolute URI "
                       "such as urn:oid:1.2.3 or https://clinic.example/patients",
                       b->identifier_system ? b->identifier_system : "", why.msg);
    for (size_t i = 0; i < b->n_sessions; i++) {
        const struct fhir_session_rec *s = &b->sessions[i];
        for (size_t r = 0; r < s->n_rows; r++)
            if (!key_valid(s->rows[r].key))
                return gc_fail(diag, GC_ERR_ARG, "phase row key '%.40s' is not [A-Za-z0-9-]",
                               s->rows[r].key ? s->rows[r].key : "");
        for (size_t e = 0; e < s->n_extra; e++)
            if (!key_valid(s->extra[e].key) || !s->extra[e].system || !s->extra[e].code ||
                !s->extra[e].ucum || !s->extra[e].unit)
                return gc_fail(diag, GC_ERR_ARG,
                               "extra observation %zu of session %lld lacks a key, code or unit", e,
                               (long long)s->session_id);
    }
    return GC_OK;
}

/* A writer into buf (cap bytes; NULL to measure) for bundle b's
 * resources, its Patient's id worked out. */
static void ctx_init(struct ctx *c, const struct fhir_bundle_rec *b, char *buf, size_t cap)
{
    memset(c, 0, sizeof *c);
    c->b = b;
    c->w.buf = buf;
    c->w.cap = buf ? cap : 0;
    c->w.first[0] = true;
    fhir_resource_id(b->identifier_system, b->patient_code, "patient", c->patient_id);
}

/* Closes a bundle's entry list and the bundle, then reports: *len the
 * JSON's length (without the NUL), GC_ERR_ARG when it nests too deep or
 * buf (cap bytes) cannot hold it and its NUL (buf then ends in a NUL). */
static int bundle_finish(struct jw *w, char *buf, size_t cap, size_t *len, struct gc_diag *diag)
{
    end(w, ']');
    end(w, '}');
    put(w, "\n", 1);
    if (w->too_deep)
        return gc_fail(diag, GC_ERR_ARG, "the FHIR bundle nests deeper than %d", JW_MAX_DEPTH);
    if (len)
        *len = w->len;
    if (!buf || w->len >= cap) {
        if (buf && cap)
            buf[cap - 1] = '\0';
        return gc_fail(diag, GC_ERR_ARG, "the FHIR bundle needs %zu bytes, the buffer holds %zu",
                       w->len + 1, cap);
    }
    buf[w->len] = '\0';
    return GC_OK;
}

int fhir_bundle_format(const struct fhir_bundle_rec *b, char *buf, size_t cap, size_t *len,
                       struct gc_diag *diag)
{
    if (len)
        *len = 0;
    if (!b)
        return gc_fail(diag, GC_ERR_ARG, "no bundle to format");
    int rc = check(b, diag);
    if (rc)
        return rc;
    struct ctx c;
    ctx_init(&c, b, buf, cap);

    struct jw *w = &c.w;
    char bid[37];
    struct sha256 h;
    id_begin(&h, b->identifier_system, b->patient_code);
    id_part(&h, "bundle");
    id_part(&h, b->type == FHIR_BUNDLE_TRANSACTION ? "transaction" : "collection");
    for (size_t i = 0; i < b->n_sessions; i++) {
        char sid[24];
        snprintf(sid, sizeof sid, "%lld", (long long)b->sessions[i].session_id);
        id_part(&h, sid);
    }
    id_end(&h, bid);

    begin(w, NULL, '{');
    str(w, "resourceType", "Bundle");
    str(w, "id", bid);
    str(w, "type", b->type == FHIR_BUNDLE_TRANSACTION ? "transaction" : "collection");
    begin(w, "entry", '[');
    patient(&c);
    for (size_t i = 0; i < b->n_sessions; i++) {
        report_entry(&c, &b->sessions[i]);
        session_obs(&c, &b->sessions[i], true, NULL, 0, 0);
    }
    return bundle_finish(w, buf, cap, len, diag);
}

/* ---- the course of care ---------------------------------------------- */

/* Observation head of the course: id, status, category, code, subject,
 * effectiveDateTime (the entry is left open). */
static void course_obs_head(struct ctx *c, const char *id, const struct fhir_code *code,
                            const char *category, double utc)
{
    struct jw *w = &c->w;
    entry_begin(c, "Observation", id);
    str(w, "status", "final");
    begin(w, "category", '[');
    concept(w, NULL, fhir_category_code(category), NULL);
    end(w, ']');
    concept(w, "code", code, code->display);
    reference(w, "subject", c->patient_id);
    time_field(w, "effectiveDateTime", utc);
}

static void course_id(const struct fhir_course_rec *cr, const char *kind, int64_t row,
                      const char *what, char out[37])
{
    char n[24];
    snprintf(n, sizeof n, "%lld", (long long)row);
    struct sha256 h;
    id_begin(&h, cr->identifier_system, cr->patient_code);
    id_part(&h, "course");
    id_part(&h, kind);
    id_part(&h, n);
    if (what)
        id_part(&h, what);
    id_end(&h, out);
}

static void note(struct jw *w, const char *text)
{
    if (!text || !text[0])
        return;
    begin(w, "note", '[');
    begin(w, NULL, '{');
    str(w, "text", text);
    end(w, '}');
    end(w, ']');
}

static void text_concept(struct jw *w, const char *k, const char *text)
{
    begin(w, k, '{');
    str(w, "text", text);
    end(w, '}');
}

static void prom_score(struct ctx *c, const struct fhir_course_rec *cr,
                       const struct fhir_prom_rec *p, const char *what,
                       const struct fhir_code *code, const struct fhir_unit *unit, int v)
{
    char id[37];
    course_id(cr, "prom", p->id, what, id);
    course_obs_head(c, id, code, "survey", p->utc);
    quantity(&c->w, "valueQuantity", v, unit);
    entry_end(c, "Observation", id);
}

static void bool_component(struct jw *w, const struct fhir_code *code, bool v)
{
    begin(w, NULL, '{');
    concept(w, "code", code, code->display);
    raw(w, "valueBoolean", v ? "true" : "false");
    end(w, '}');
}

static void symptom(struct ctx *c, const struct fhir_course_rec *cr,
                    const struct fhir_symptom_rec *s)
{
    struct jw *w = &c->w;
    char id[37];
    course_id(cr, "symptom", s->id, NULL, id);
    course_obs_head(c, id, &fhir_code_symptom_report, "survey", s->utc);
    note(w, s->note);
    if (s->pain >= 0 && s->site && s->site[0])
        text_concept(w, "bodySite", s->site);
    begin(w, "component", '[');
    if (s->when && s->when[0]) {
        begin(w, NULL, '{');
        concept(w, "code", &fhir_code_symptom_when, fhir_code_symptom_when.display);
        str(w, "valueString", s->when);
        end(w, '}');
    }
    if (s->pain >= 0) {
        begin(w, NULL, '{');
        concept(w, "code", &fhir_code_pain, fhir_code_pain.display);
        quantity(w, "valueQuantity", s->pain, &fhir_unit_pain);
        end(w, '}');
    }
    bool_component(w, &fhir_code_symptom_leak, s->leak);
    bool_component(w, &fhir_code_symptom_heaviness, s->heaviness);
    bool_component(w, &fhir_code_symptom_bleeding, s->bleeding);
    end(w, ']');
    entry_end(c, "Observation", id);
}

static void test_result(struct ctx *c, const struct fhir_course_rec *cr,
                        const struct fhir_test_rec *t)
{
    struct jw *w = &c->w;
    const struct fhir_fig_def *d = fhir_test_def(t->test);
    char id[37];
    course_id(cr, "test", t->id, NULL, id);
    course_obs_head(c, id, &d->code, "exam", t->utc);
    if (isfinite(t->value))
        quantity(w, "valueQuantity", t->value, &d->unit);
    else {
        begin(w, "dataAbsentReason", '{');
        begin(w, "coding", '[');
        begin(w, NULL, '{');
        str(w, "system", "http://terminology.hl7.org/CodeSystem/data-absent-reason");
        str(w, "code", "error");
        str(w, "display", "Error");
        end(w, '}');
        end(w, ']');
        end(w, '}');
    }
    begin(w, "interpretation", '[');
    concept(w, NULL, t->pass ? &fhir_code_test_pass : &fhir_code_test_fail,
            t->pass ? "pass" : "fail");
    end(w, ']');
    note(w, t->summary);
    /* the standing or hopping leg; jogging on the spot measures both */
    if ((t->side == 'L' || t->side == 'R') && strcmp(t->test, "jog-on-spot") != 0)
        text_concept(w, "bodySite", t->side == 'L' ? "left lower limb" : "right lower limb");
    if (t->criterion && t->criterion[0]) {
        begin(w, "referenceRange", '[');
        begin(w, NULL, '{');
        str(w, "text", t->criterion);
        end(w, '}');
        end(w, ']');
    }
    entry_end(c, "Observation", id);
}

static int course_check(const struct fhir_course_rec *cr, struct gc_diag *diag)
{
    struct fhir_bundle_rec b = {.patient_code = cr->patient_code,
                                .identifier_system = cr->identifier_system};
    int rc = check(&b, diag);
    if (rc)
        return rc;
    for (size_t i = 0; i < cr->n_proms; i++)
        if (cr->proms[i].lefs > 80 || cr->proms[i].nprs > 10)
            return gc_fail(diag, GC_ERR_ARG, "PROM %lld: LEFS above 80 or NPRS above 10",
                           (long long)cr->proms[i].id);
    for (size_t i = 0; i < cr->n_symptoms; i++)
        if (cr->symptoms[i].pain > 10)
            return gc_fail(diag, GC_ERR_ARG, "symptom report %lld: pain above 10",
                           (long long)cr->symptoms[i].id);
    for (size_t i = 0; i < cr->n_tests; i++)
        if (!fhir_test_def(cr->tests[i].test))
            return gc_fail(diag, GC_ERR_ARG, "readiness test %lld: unknown test '%.24s'",
                           (long long)cr->tests[i].id, cr->tests[i].test ? cr->tests[i].test : "");
    return GC_OK;
}

int fhir_course_format(const struct fhir_course_rec *cr, char *buf, size_t cap, size_t *len,
                       struct gc_diag *diag)
{
    if (len)
        *len = 0;
    if (!cr)
        return gc_fail(diag, GC_ERR_ARG, "no course to format");
    int rc = course_check(cr, diag);
    if (rc)
        return rc;
    /* the Patient is written by patient() from a bundle record with the
     * same code, system and type: the same resource as the session export */
    struct fhir_bundle_rec b = {.patient_code = cr->patient_code,
                                .identifier_system = cr->identifier_system,
                                .type = cr->type};
    struct ctx c;
    ctx_init(&c, &b, buf, cap);

    struct jw *w = &c.w;
    char bid[37];
    fhir_resource_id(b.identifier_system, b.patient_code,
                     cr->type == FHIR_BUNDLE_TRANSACTION ? "course-bundle|transaction"
                                                         : "course-bundle|collection",
                     bid);
    begin(w, NULL, '{');
    str(w, "resourceType", "Bundle");
    str(w, "id", bid);
    str(w, "type", cr->type == FHIR_BUNDLE_TRANSACTION ? "transaction" : "collection");
    begin(w, "entry", '[');
    patient(&c);
    for (size_t i = 0; i < cr->n_proms; i++) {
        const struct fhir_prom_rec *p = &cr->proms[i];
        if (p->lefs >= 0)
            prom_score(&c, cr, p, "lefs", &fhir_code_lefs, &fhir_unit_lefs, p->lefs);
        if (p->nprs >= 0)
            prom_score(&c, cr, p, "nprs", &fhir_code_pain, &fhir_unit_pain, p->nprs);
    }
    for (size_t i = 0; i < cr->n_symptoms; i++)
        symptom(&c, cr, &cr->symptoms[i]);
    for (size_t i = 0; i < cr->n_tests; i++)
        test_result(&c, cr, &cr->tests[i]);
    return bundle_finish(w, buf, cap, len, diag);
}
