/* plan.c - session protocol files (INI, parsed with libinih). */
#include "plan.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_error.h"
#include "ini_lines.h"

/* A phase longer than this is a typo ("90 min" meant "90 s"?), not a plan. */
#define PLAN_PHASE_MAX_S   (4.0 * 3600.0)
#define PLAN_INTERVALS_MAX 20

enum section_kind { SEC_NONE = 0, SEC_PROTOCOL, SEC_PHASE };

/* Parser state.  libinih does not tell the handler the line number and
 * calls it once per key, not per section, so ini_lines (shared with
 * program.c) feeds it one line at a time and notes the line number and every
 * section header itself: that is how repeated [phase] sections become
 * separate phases and how every error gets its line. */
struct parse {
    struct ini_lines in; /* the buffer, line and section counts, the failure */
    int handled_seq;     /* in.section_seq of the phase being filled */
    enum section_kind sec;
    struct plan *plan;
    struct plan_phase *cur; /* phase being filled, NULL outside [phase] */
    /* keys seen in the current phase, to refuse duplicates */
    unsigned seen;
    /* intervals (kind = intervals) are expanded when the section ends */
    bool is_intervals;
    double run_s, walk_s;
    int repeat;
    int phase_line; /* line of the current [phase] header */
};

static const char *skip_ws(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return s;
}

/* "3 min", "90 s", "1:30", "2.5 min" -> seconds. */
static bool parse_duration(const char *v, double *out_s)
{
    char *end;
    errno = 0;
    double a = strtod(v, &end);
    if (end == v || errno || !isfinite(a) || a < 0)
        return false;
    if (*end == ':') {
        const char *b = end + 1;
        double s = strtod(b, &end);
        if (end == b || s < 0 || s >= 60 || a != floor(a))
            return false;
        if (*skip_ws(end))
            return false;
        *out_s = a * 60.0 + s;
        return true;
    }
    const char *u = skip_ws(end);
    double mult;
    if (!strcmp(u, "s") || !strcmp(u, "sec") || !strcmp(u, "seconds") || !strcmp(u, "second"))
        mult = 1.0;
    else if (!strcmp(u, "min") || !strcmp(u, "minutes") || !strcmp(u, "minute") || !strcmp(u, "m"))
        mult = 60.0;
    else
        return false;
    *out_s = a * mult;
    return true;
}

/* A number followed by a unit out of a list; "%"-suffixed values are
 * relative.  Returns 0 absolute, 1 percent, -1 malformed. */
static int parse_quantity(const char *v, const char *unit, double *out)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (end == v || errno || !isfinite(x))
        return -1;
    const char *u = skip_ws(end);
    *out = x;
    if (!strcmp(u, "%"))
        return 1;
    if (!strcasecmp(u, unit))
        return 0;
    return -1;
}

static bool parse_share(const char *v, double *out)
{
    double x;
    if (parse_quantity(v, "%", &x) != 1 || x < 0 || x > 100)
        return false;
    *out = x / 100.0;
    return true;
}

static const char *const kind_names[] = {"weigh-in",  "baseline", "training",
                                         "retention", "walk",     "run"};
static const char *const fb_names[] = {"none", "continuous", "bandwidth", "faded"};

const char *plan_kind_name(enum plan_kind k)
{
    if ((unsigned)k < sizeof kind_names / sizeof kind_names[0])
        return kind_names[k];
    return "?";
}

const char *plan_feedback_name(enum plan_feedback f)
{
    if ((unsigned)f < sizeof fb_names / sizeof fb_names[0])
        return fb_names[f];
    return "?";
}

enum key_bit {
    K_NAME = 1u << 0,
    K_KIND = 1u << 1,
    K_DURATION = 1u << 2,
    K_FEEDBACK = 1u << 3,
    K_CADENCE = 1u << 4,
    K_BAND = 1u << 5,
    K_CEIL = 1u << 6,
    K_FADE_FROM = 1u << 7,
    K_FADE_TO = 1u << 8,
    K_RUN = 1u << 9,
    K_WALK = 1u << 10,
    K_REPEAT = 1u << 11,
    K_DESC = 1u << 12,
};

/* Finish the phase being filled: defaults, checks, interval expansion. */
static void end_phase(struct parse *ps)
{
    struct plan_phase *ph = ps->cur;
    if (!ph || ps->in.failed)
        return;
    ps->cur = NULL;
    int line = ps->phase_line;
    if (!(ps->seen & K_KIND)) {
        ini_lines_fail(&ps->in, line,
                       "phase has no 'kind' (weigh-in, baseline, training, retention, walk, "
                       "run or intervals)");
        return;
    }
    if (ps->is_intervals) {
        if (!(ps->seen & K_RUN) || !(ps->seen & K_WALK) || !(ps->seen & K_REPEAT)) {
            ini_lines_fail(&ps->in, line, "an intervals phase needs 'run', 'walk' and 'repeat'");
            return;
        }
        if (ps->seen & K_DURATION) {
            ini_lines_fail(&ps->in, line,
                           "an intervals phase takes 'run', 'walk' and 'repeat', not 'duration'");
            return;
        }
        struct plan_phase tmpl = *ph;
        size_t first = ps->plan->n_phases - 1; /* ph itself is the first slot */
        size_t need = (size_t)ps->repeat * 2;
        if (first + need > PLAN_MAX_PHASES) {
            ini_lines_fail(&ps->in, line,
                           "too many phases after expanding the intervals (at most %d)",
                           PLAN_MAX_PHASES);
            return;
        }
        for (int r = 0; r < ps->repeat; r++) {
            for (int w = 0; w < 2; w++) {
                struct plan_phase *p = &ps->plan->phases[first + (size_t)r * 2 + (size_t)w];
                *p = tmpl;
                p->kind = w == 0 ? PLAN_KIND_RUN : PLAN_KIND_WALK;
                p->duration_s = w == 0 ? ps->run_s : ps->walk_s;
                if (w == 1) {
                    /* targets and feedback are for the runs; a walk is rest */
                    p->feedback = PLAN_FB_NONE;
                    p->cadence.ref = PLAN_REF_NONE;
                    p->valr_ceiling.ref = PLAN_REF_NONE;
                }
                p->interval = r + 1;
                p->intervals = ps->repeat;
                snprintf(p->name, sizeof p->name, "%s %d/%d", w == 0 ? "run" : "walk", r + 1,
                         ps->repeat);
            }
        }
        ps->plan->n_phases = first + need;
        return;
    }
    if (!(ps->seen & K_DURATION)) {
        ini_lines_fail(&ps->in, line, "phase '%s' has no 'duration' (e.g. duration = 3 min)",
                       ph->name[0] ? ph->name : plan_kind_name(ph->kind));
        return;
    }
    if (ps->seen & (K_RUN | K_WALK | K_REPEAT)) {
        ini_lines_fail(&ps->in, line,
                       "'run', 'walk' and 'repeat' belong in a phase of kind = intervals");
        return;
    }
    if (!ph->name[0])
        snprintf(ph->name, sizeof ph->name, "%s", plan_kind_name(ph->kind));
}

static void begin_phase(struct parse *ps)
{
    if (ps->plan->n_phases >= PLAN_MAX_PHASES) {
        ini_lines_fail(&ps->in, ps->in.line, "too many phases (at most %d)", PLAN_MAX_PHASES);
        return;
    }
    struct plan_phase *ph = &ps->plan->phases[ps->plan->n_phases++];
    memset(ph, 0, sizeof *ph);
    ph->fade_from = 1.0;
    ph->fade_to = 1.0;
    ph->cadence_band_pct = 3.0; /* +/-3 %: the usual cadence band in retraining studies */
    ps->cur = ph;
    ps->seen = 0;
    ps->is_intervals = false;
    ps->run_s = ps->walk_s = 0;
    ps->repeat = 0;
    ps->phase_line = ps->in.header_line;
    ps->handled_seq = ps->in.section_seq;
}

static int handle_phase_key(struct parse *ps, const char *name, const char *v)
{
    struct plan_phase *ph = ps->cur;
    int line = ps->in.line;
    unsigned bit;
    if (!strcmp(name, "name"))
        bit = K_NAME;
    else if (!strcmp(name, "kind"))
        bit = K_KIND;
    else if (!strcmp(name, "duration"))
        bit = K_DURATION;
    else if (!strcmp(name, "feedback"))
        bit = K_FEEDBACK;
    else if (!strcmp(name, "cadence"))
        bit = K_CADENCE;
    else if (!strcmp(name, "cadence_band"))
        bit = K_BAND;
    else if (!strcmp(name, "loading_ceiling"))
        bit = K_CEIL;
    else if (!strcmp(name, "fade_from"))
        bit = K_FADE_FROM;
    else if (!strcmp(name, "fade_to"))
        bit = K_FADE_TO;
    else if (!strcmp(name, "run"))
        bit = K_RUN;
    else if (!strcmp(name, "walk"))
        bit = K_WALK;
    else if (!strcmp(name, "repeat"))
        bit = K_REPEAT;
    else {
        ini_lines_fail(
            &ps->in, line,
            "unknown key '%s' in [phase] (known: name, kind, duration, feedback, cadence, "
            "cadence_band, loading_ceiling, fade_from, fade_to, run, walk, repeat)",
            name);
        return 0;
    }
    if (ps->seen & bit) {
        ini_lines_fail(&ps->in, line, "'%s' is given twice in the same phase", name);
        return 0;
    }
    ps->seen |= bit;
    double x;
    int r;
    switch (bit) {
    case K_NAME:
        if (!ini_printable_name(ph->name, sizeof ph->name, v)) {
            ini_lines_fail(&ps->in, line, "phase name must be 1 to %d printable characters",
                           PLAN_NAME_MAX - 1);
            return 0;
        }
        break;
    case K_KIND:
        if (!strcmp(v, "intervals")) {
            ps->is_intervals = true;
            ph->kind = PLAN_KIND_RUN;
            ph->feedback = PLAN_FB_NONE;
            break;
        }
        for (size_t i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
            if (!strcmp(v, kind_names[i])) {
                ph->kind = (enum plan_kind)i;
                /* Training gives feedback unless told otherwise; the
                 * others are measured without it. */
                if (!(ps->seen & K_FEEDBACK))
                    ph->feedback =
                        ph->kind == PLAN_KIND_TRAINING ? PLAN_FB_CONTINUOUS : PLAN_FB_NONE;
                return 1;
            }
        ini_lines_fail(
            &ps->in, line,
            "unknown kind '%s' (use weigh-in, baseline, training, retention, walk, run or "
            "intervals)",
            v);
        return 0;
    case K_DURATION:
    case K_RUN:
    case K_WALK:
        if (bit == K_DURATION && !strcmp(v, "open")) {
            ph->duration_s = PLAN_OPEN_S;
            break;
        }
        if (!parse_duration(v, &x)) {
            ini_lines_fail(&ps->in, line,
                           "cannot read %s '%s' (write e.g. '3 min', '90 s', '1:30'%s)", name, v,
                           bit == K_DURATION ? " or 'open'" : "");
            return 0;
        }
        if (x <= 0 || x > PLAN_PHASE_MAX_S) {
            ini_lines_fail(&ps->in, line, "%s must be more than 0 and at most 4 hours", name);
            return 0;
        }
        if (bit == K_DURATION)
            ph->duration_s = x;
        else if (bit == K_RUN)
            ps->run_s = x;
        else
            ps->walk_s = x;
        break;
    case K_REPEAT: {
        char *end;
        long n = strtol(v, &end, 10);
        if (end == v || *skip_ws(end) || n < 1 || n > PLAN_INTERVALS_MAX) {
            ini_lines_fail(&ps->in, line, "repeat must be a whole number from 1 to %d",
                           PLAN_INTERVALS_MAX);
            return 0;
        }
        ps->repeat = (int)n;
        break;
    }
    case K_FEEDBACK:
        for (size_t i = 0; i < sizeof fb_names / sizeof fb_names[0]; i++)
            if (!strcmp(v, fb_names[i])) {
                ph->feedback = (enum plan_feedback)i;
                return 1;
            }
        ini_lines_fail(&ps->in, line,
                       "unknown feedback mode '%s' (use none, continuous, bandwidth or faded)", v);
        return 0;
    case K_CADENCE:
        r = parse_quantity(v, "spm", &x);
        if (r < 0) {
            ini_lines_fail(
                &ps->in, line,
                "cannot read cadence '%s' (write '172 spm', or '+7.5 %%' for a change from "
                "baseline)",
                v);
            return 0;
        }
        if (r == 0 && (x < 60 || x > 260)) {
            ini_lines_fail(&ps->in, line, "cadence %g spm is outside 60..260 steps/min", x);
            return 0;
        }
        if (r == 1 && (x < -30 || x > 30)) {
            ini_lines_fail(&ps->in, line, "a cadence change of %g %% is outside -30..+30 %%", x);
            return 0;
        }
        ph->cadence.ref = r == 1 ? PLAN_REF_BASELINE_PCT : PLAN_REF_ABSOLUTE;
        ph->cadence.value = x;
        break;
    case K_BAND:
        r = parse_quantity(v, "spm", &x);
        if (r < 0 || x <= 0 || (r == 1 && x > 20) || (r == 0 && x > 40)) {
            ini_lines_fail(
                &ps->in, line,
                "cannot read cadence_band '%s' (a half-width: '3 %%' of the target or '4 spm')", v);
            return 0;
        }
        ph->cadence_band_pct = r == 1 ? x : 0;
        ph->cadence_band_spm = r == 0 ? x : 0;
        break;
    case K_CEIL:
        r = parse_quantity(v, "BW/s", &x);
        if (r < 0 || (r == 0 && (x <= 0 || x > 500)) || (r == 1 && (x < -90 || x > 100))) {
            ini_lines_fail(
                &ps->in, line,
                "cannot read loading_ceiling '%s' (write '60 BW/s', or '-10 %%' for a change "
                "from baseline)",
                v);
            return 0;
        }
        ph->valr_ceiling.ref = r == 1 ? PLAN_REF_BASELINE_PCT : PLAN_REF_ABSOLUTE;
        ph->valr_ceiling.value = x;
        break;
    case K_FADE_FROM:
    case K_FADE_TO:
        if (!parse_share(v, &x)) {
            ini_lines_fail(&ps->in, line, "%s must be a share from 0 %% to 100 %%", name);
            return 0;
        }
        if (bit == K_FADE_FROM)
            ph->fade_from = x;
        else
            ph->fade_to = x;
        break;
    default:
        break;
    }
    return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    struct parse *ps = user;
    if (ps->in.failed)
        return 0;
    if (ps->in.section_seq != ps->handled_seq || ps->sec == SEC_NONE) {
        /* first key of a new section */
        end_phase(ps);
        if (ps->in.failed)
            return 0;
        ps->handled_seq = ps->in.section_seq;
        if (!strcmp(section, "protocol")) {
            ps->sec = SEC_PROTOCOL;
            ps->seen = 0;
        } else if (!strcmp(section, "phase")) {
            ps->sec = SEC_PHASE;
            begin_phase(ps);
            if (ps->in.failed)
                return 0;
        } else if (!section[0]) {
            ini_lines_fail(&ps->in, ps->in.line,
                           "'%s' is outside any section: start with [protocol] or [phase]", name);
            return 0;
        } else {
            ini_lines_fail(&ps->in, ps->in.line, "unknown section [%s] (use [protocol] or [phase])",
                           section);
            return 0;
        }
    }
    if (!value[0]) {
        ini_lines_fail(&ps->in, ps->in.line, "'%s' has no value", name);
        return 0;
    }
    if (ps->sec == SEC_PROTOCOL) {
        if (!strcmp(name, "name")) {
            if (ps->seen & K_NAME) {
                ini_lines_fail(&ps->in, ps->in.line, "'name' is given twice in [protocol]");
                return 0;
            }
            ps->seen |= K_NAME;
            if (!ini_printable_name(ps->plan->name, sizeof ps->plan->name, value)) {
                ini_lines_fail(&ps->in, ps->in.line,
                               "protocol name must be 1 to %d printable characters",
                               PLAN_NAME_MAX - 1);
                return 0;
            }
        } else if (!strcmp(name, "description")) {
            if (ps->seen & K_DESC) {
                ini_lines_fail(&ps->in, ps->in.line, "'description' is given twice in [protocol]");
                return 0;
            }
            ps->seen |= K_DESC;
            snprintf(ps->plan->description, sizeof ps->plan->description, "%s", value);
        } else {
            ini_lines_fail(&ps->in, ps->in.line,
                           "unknown key '%s' in [protocol] (known: name, description)", name);
            return 0;
        }
        return 1;
    }
    return handle_phase_key(ps, name, value);
}

/* Whole-plan checks once every phase is known. */
static void check_plan(struct parse *ps)
{
    struct plan *p = ps->plan;
    if (p->n_phases == 0) {
        ini_lines_fail(&ps->in, 0, "the protocol has no [phase] sections");
        return;
    }
    bool baseline_seen = false;
    for (size_t i = 0; i < p->n_phases; i++) {
        const struct plan_phase *ph = &p->phases[i];
        bool relative = ph->cadence.ref == PLAN_REF_BASELINE_PCT ||
                        ph->valr_ceiling.ref == PLAN_REF_BASELINE_PCT;
        if (relative && !baseline_seen) {
            ini_lines_fail(
                &ps->in, 0,
                "phase %zu ('%s') sets a target relative to baseline, but no baseline phase "
                "comes before it",
                i + 1, ph->name);
            return;
        }
        if (ph->kind == PLAN_KIND_BASELINE)
            baseline_seen = true;
        if (isinf(ph->duration_s) && i + 1 < p->n_phases) {
            ini_lines_fail(&ps->in, 0,
                           "phase %zu ('%s') is open (runs until stopped), so it must be the last",
                           i + 1, ph->name);
            return;
        }
    }
}

int plan_parse(const char *text, size_t len, struct plan *out, struct gc_diag *diag)
{
    struct parse ps;
    memset(&ps, 0, sizeof ps);
    memset(out, 0, sizeof *out);
    ini_lines_init(&ps.in, text, len);
    ps.plan = out;
    ps.handled_seq = -1;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\0') {
            int line = 1;
            for (size_t j = 0; j < i; j++)
                line += text[j] == '\n';
            ini_lines_fail(&ps.in, line,
                           "the file contains a NUL byte: it is not a text protocol file");
            break;
        }
    ini_lines_run(&ps.in, handler, &ps);
    end_phase(&ps);
    if (!ps.in.failed)
        check_plan(&ps);
    if (!ps.in.failed && !out->name[0])
        snprintf(out->name, sizeof out->name, "unnamed");
    return ini_lines_result(&ps.in, diag);
}

double plan_total_s(const struct plan *p)
{
    double t = 0;
    for (size_t i = 0; i < p->n_phases; i++)
        t += p->phases[i].duration_s;
    return t;
}

void plan_scale_time(struct plan *p, double factor)
{
    if (!(factor > 0))
        return;
    for (size_t i = 0; i < p->n_phases; i++)
        p->phases[i].duration_s /= factor;
}

int plan_find_kind(const struct plan *p, enum plan_kind kind)
{
    for (size_t i = 0; i < p->n_phases; i++)
        if (p->phases[i].kind == kind)
            return (int)i;
    return -1;
}

void plan_describe_phase(const struct plan_phase *ph, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
#define APPEND(...)                                                                                \
    do {                                                                                           \
        if (n < cap) {                                                                             \
            int w_ = snprintf(buf + n, cap - n, __VA_ARGS__);                                      \
            if (w_ > 0)                                                                            \
                n += (size_t)w_;                                                                   \
        }                                                                                          \
    } while (0)
    const char *sep = "";
    if (ph->cadence.ref == PLAN_REF_ABSOLUTE) {
        APPEND("cadence %.0f spm", ph->cadence.value);
        sep = ", ";
    } else if (ph->cadence.ref == PLAN_REF_BASELINE_PCT) {
        APPEND("cadence %+.1f %% of baseline", ph->cadence.value);
        sep = ", ";
    }
    if (ph->cadence.ref != PLAN_REF_NONE) {
        if (ph->cadence_band_spm > 0)
            APPEND(" (band +/-%.1f spm)", ph->cadence_band_spm);
        else
            APPEND(" (band +/-%.1f %%)", ph->cadence_band_pct);
    }
    if (ph->valr_ceiling.ref == PLAN_REF_ABSOLUTE) {
        APPEND("%sVALR ceiling %.0f BW/s", sep, ph->valr_ceiling.value);
        sep = ", ";
    } else if (ph->valr_ceiling.ref == PLAN_REF_BASELINE_PCT) {
        APPEND("%sVALR ceiling %+.0f %% of baseline", sep, ph->valr_ceiling.value);
        sep = ", ";
    }
    if (ph->feedback == PLAN_FB_FADED)
        APPEND("%sfeedback faded %.0f->%.0f %%", sep, ph->fade_from * 100.0, ph->fade_to * 100.0);
    else
        APPEND("%sfeedback %s", sep, plan_feedback_name(ph->feedback));
#undef APPEND
}
