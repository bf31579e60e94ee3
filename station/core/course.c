/* course.c - the course replay and its gate (course.h). */
#include "course.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gc_error.h"

static const char *const when_names[] = {"before", "during", "after"};

const char *course_when_name(enum course_when w)
{
    return (unsigned)w < 3 ? when_names[w] : "?";
}

int course_when_parse(const char *s, enum course_when *out)
{
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, when_names[i])) {
            *out = (enum course_when)i;
            return GC_OK;
        }
    return GC_ERR_ARG;
}

static const char *const action_names[] = {"start",     "continue",    "advance",  "repeat",
                                           "step-back", "not-counted", "override", "complete"};

const char *course_action_name(enum course_action a)
{
    return (unsigned)a < sizeof action_names / sizeof action_names[0] ? action_names[a] : "?";
}

/* The session a record belongs to: its ref for during/after, the first
 * program session after its ref for before (-1: none yet). */
static long owner(const struct course_session *s, size_t n, int64_t ref, enum course_when w)
{
    for (size_t i = 0; i < n; i++) {
        if (w == COURSE_BEFORE ? s[i].session_id > ref : s[i].session_id == ref)
            return (long)i;
        if (w != COURSE_BEFORE && s[i].session_id > ref)
            return -1;
    }
    return -1;
}

/* What one counted session decides. */
static void gate(const struct program *p, struct course_state *st, struct course_decision *d)
{
    const struct program_gate *g = &p->gate;
    const struct program_step *step = &p->steps[st->step];
    unsigned sym = d->symptoms;
    /* "pain 4/10 (threshold 4), leak": the pain score with the symptom */
    char what[160], others[96];
    program_symptoms_describe(sym & ~(unsigned)PROGRAM_SYM_PAIN, others, sizeof others);
    if (sym & PROGRAM_SYM_PAIN)
        snprintf(what, sizeof what, "pain %d/10 (threshold %d)%s%s", d->pain_max, g->pain_threshold,
                 sym != PROGRAM_SYM_PAIN ? ", " : "", sym != PROGRAM_SYM_PAIN ? others : "");
    else
        snprintf(what, sizeof what, "%s", others);
    int from = st->step;
    st->sessions_at_step++;
    st->sessions_total++;
    if (sym & g->step_back_on) {
        st->bad_in_row++;
        d->action = COURSE_STEP_BACK;
        d->to_step = from > 0 ? from - 1 : 0;
        snprintf(d->reason, sizeof d->reason, "%s: steps back at once (step_back_on)%s", what,
                 from > 0 ? "" : "; already at the first step: it repeats");
    } else if (sym & g->repeat_on) {
        st->bad_in_row++;
        if (st->bad_in_row >= g->step_back_after) {
            d->action = COURSE_STEP_BACK;
            d->to_step = from > 0 ? from - 1 : 0;
            snprintf(d->reason, sizeof d->reason,
                     "%s: not clean in %d sessions in a row (step_back_after %d)%s", what,
                     st->bad_in_row, g->step_back_after,
                     from > 0 ? "" : "; already at the first step: it repeats");
        } else {
            d->action = COURSE_REPEAT;
            d->to_step = from;
            snprintf(d->reason, sizeof d->reason,
                     "%s: this step again, clean count starts over (%d of %d not-clean "
                     "sessions in a row before a step back)",
                     what, st->bad_in_row, g->step_back_after);
        }
    } else {
        st->clean_in_row++;
        st->bad_in_row = 0;
        if (st->clean_in_row >= step->advance_after) {
            d->to_step = from + 1;
            d->action = d->to_step >= (int)p->n_steps ? COURSE_COMPLETE : COURSE_ADVANCE;
            snprintf(d->reason, sizeof d->reason,
                     "%d clean session%s in a row (advance_after %d)%s%s", st->clean_in_row,
                     st->clean_in_row == 1 ? "" : "s", step->advance_after,
                     sym ? "; noted, not gated: " : "", sym ? what : "");
        } else {
            d->action = COURSE_CONTINUE;
            d->to_step = from;
            snprintf(d->reason, sizeof d->reason, "clean: %d of %d in a row to advance%s%s",
                     st->clean_in_row, step->advance_after, sym ? "; noted, not gated: " : "",
                     sym ? what : "");
        }
    }
    if (d->to_step != from) {
        st->step = d->to_step;
        st->clean_in_row = 0;
        st->bad_in_row = 0;
        st->sessions_at_step = 0;
    } else if (d->action == COURSE_REPEAT || d->action == COURSE_STEP_BACK) {
        st->clean_in_row = 0;
    }
}

static size_t put(struct course_decision *tl, size_t cap, size_t n, const struct course_decision *d)
{
    if (tl && n < cap)
        tl[n] = *d;
    return n + 1;
}

static void apply_override(const struct program *p, struct course_state *st,
                           const struct course_override *o, struct course_decision *d)
{
    memset(d, 0, sizeof *d);
    d->action = COURSE_OVERRIDE;
    d->from_step = st->step;
    d->to_step = o->to_step < 0 ? 0 : o->to_step > (int)p->n_steps ? (int)p->n_steps : o->to_step;
    d->pain_max = -1;
    snprintf(d->reason, sizeof d->reason, "by the PT: %s", o->reason);
    st->step = d->to_step;
    st->clean_in_row = 0;
    st->bad_in_row = 0;
    st->sessions_at_step = 0;
}

int course_replay(const struct program *p, const struct course_session *sessions, size_t n_sessions,
                  const struct course_symptom *symptoms, size_t n_symptoms,
                  const struct course_prom *proms, size_t n_proms,
                  const struct course_override *overrides, size_t n_overrides,
                  struct course_state *st, struct course_decision *timeline, size_t cap)
{
    if (!p || !st || p->n_steps == 0 || (n_sessions && !sessions) || (n_symptoms && !symptoms) ||
        (n_proms && !proms) || (n_overrides && !overrides))
        return GC_ERR_ARG;
    memset(st, 0, sizeof *st);
    st->last.action = COURSE_START;
    st->last.pain_max = -1;
    snprintf(st->last.reason, sizeof st->last.reason, "no program session yet: begin with step 1");
    size_t n = 0, io = 0;
    for (size_t i = 0; i < n_sessions; i++) {
        const struct course_session *s = &sessions[i];
        while (io < n_overrides && overrides[io].ref_session_id < s->session_id) {
            apply_override(p, st, &overrides[io++], &st->last);
            n = put(timeline, cap, n, &st->last);
        }
        struct course_decision d;
        memset(&d, 0, sizeof d);
        d.session_id = s->session_id;
        d.from_step = d.to_step = st->step;
        d.pain_max = -1;
        for (size_t k = 0; k < n_symptoms; k++) {
            const struct course_symptom *y = &symptoms[k];
            if (owner(sessions, n_sessions, y->ref_session_id, y->when) != (long)i)
                continue;
            d.symptoms |= y->flags & ~(unsigned)PROGRAM_SYM_PAIN;
            if (y->pain > d.pain_max)
                d.pain_max = y->pain;
        }
        /* LEFS: a drop of lefs_drop points under the best earlier score */
        int best = -1;
        for (size_t k = 0; k < n_proms && p->gate.lefs_drop > 0; k++) {
            const struct course_prom *m = &proms[k];
            if (m->lefs < 0)
                continue;
            if (owner(sessions, n_sessions, m->ref_session_id, COURSE_AFTER) == (long)i &&
                best >= 0 && m->lefs <= best - p->gate.lefs_drop)
                d.symptoms |= PROGRAM_SYM_LEFS_DROP;
            if (m->lefs > best)
                best = m->lefs;
        }
        if (d.pain_max >= p->gate.pain_threshold)
            d.symptoms |= PROGRAM_SYM_PAIN;
        if (st->step >= (int)p->n_steps) {
            d.action = COURSE_NOT_COUNTED;
            snprintf(d.reason, sizeof d.reason, "the program was already complete");
        } else if (!s->counted) {
            d.action = COURSE_NOT_COUNTED;
            snprintf(d.reason, sizeof d.reason, "%s",
                     s->why_not[0] ? s->why_not
                                   : "not counted: the session did not end complete or stopped "
                                     "by the PT, or was excluded");
        } else {
            gate(p, st, &d);
        }
        st->last = d;
        n = put(timeline, cap, n, &d);
    }
    while (io < n_overrides) {
        apply_override(p, st, &overrides[io++], &st->last);
        n = put(timeline, cap, n, &st->last);
    }
    return (int)n;
}

/* m:ss of a plan time. */
static void fmt_clock(char *buf, size_t cap, double s)
{
    if (!isfinite(s) || s < 0)
        s = 0;
    long t = lround(s);
    snprintf(buf, cap, "%ld:%02ld", t / 60, t % 60);
}

bool course_session_counts(const struct course_session_facts *f, char *why, size_t cap)
{
    char ran[24], planned[24];
    fmt_clock(ran, sizeof ran, f->ran_s);
    fmt_clock(planned, sizeof planned, f->planned_s);
    if (f->excluded) {
        snprintf(why, cap, "not counted: the session was excluded");
        return false;
    }
    if (f->end == COURSE_END_OTHER) {
        snprintf(why, cap,
                 "not counted: the session was neither complete nor stopped (interrupted or still "
                 "running)");
        return false;
    }
    /* compressed: the runner's own time, not the plan's, under the share a
     * stopped session needs (a scale of 1.0001 or a slowed plan is a dose) */
    bool timed = isfinite(f->planned_s) && f->planned_s > 0;
    if (f->time_scale > 1.0 && !f->simulated && timed &&
        !(f->clock_s >= COURSE_MIN_PLAN_SHARE * f->planned_s)) {
        char clock[24];
        fmt_clock(clock, sizeof clock, f->clock_s);
        snprintf(why, cap,
                 "not counted: run compressed x%g (--time-scale) on a real sensor: the runner "
                 "ran %s, not the plan's %s: do this step's session again",
                 f->time_scale, clock, planned);
        return false;
    }
    bool open = !isfinite(f->planned_s) || f->planned_s <= 0;
    if (f->end == COURSE_END_STOPPED && !open &&
        !(f->ran_s >= COURSE_MIN_PLAN_SHARE * f->planned_s)) {
        snprintf(why, cap,
                 "not counted: stopped after %s of %s planned (a stopped session counts from "
                 "%.0f %% of its plan): do this step's session again",
                 ran, planned, COURSE_MIN_PLAN_SHARE * 100);
        return false;
    }
    double clock_min = isfinite(f->clock_s) && f->clock_s > 0 ? f->clock_s / 60.0 : 0;
    double need = fmax(1.0, ceil(COURSE_MIN_STEPS_PER_MIN * clock_min - 1e-9));
    if ((double)f->n_steps < need) {
        snprintf(why, cap,
                 "not counted: %ld scored steps in %s (it counts from %.0f a minute run, at "
                 "least 1 - was the runner on the belt?): do this step's session again",
                 f->n_steps, ran, COURSE_MIN_STEPS_PER_MIN);
        return false;
    }
    if (f->n_feedback_phases > 0 && f->not_delivered && !f->simulated) {
        snprintf(why, cap,
                 "not counted: no feedback reached the runner (the station had no display and "
                 "no sound): do this step's session again");
        return false;
    }
    if (f->n_feedback_phases > 0 && f->n_feedback_given < f->n_feedback_phases) {
        char phase[64] = "its feedback phase";
        if (f->no_target_phase[0])
            snprintf(phase, sizeof phase, "'%.30s'", f->no_target_phase);
        if (f->baseline_no_target)
            snprintf(why, cap,
                     "not counted: no feedback: the baseline set no target (too few steps), so "
                     "%s ran without one: do this step's session again",
                     phase);
        else
            snprintf(why, cap,
                     "not counted: no feedback: %s had no cadence or loading target: do this "
                     "step's session again",
                     phase);
        return false;
    }
    if (why && cap)
        why[0] = '\0';
    return true;
}

int64_t course_tests_since_utc(const char *start_date)
{
    int64_t days;
    if (course_date_days(start_date, &days) != GC_OK)
        return 0;
    return (days - 1) * 86400;
}

int course_readiness_gate(const struct program *p, int step, const struct course_test *tests,
                          size_t n_tests, int64_t since_utc,
                          const struct course_override *overrides, size_t n_overrides,
                          struct course_readiness_gate *out)
{
    if (!p || !out || (n_tests && !tests) || (n_overrides && !overrides))
        return GC_ERR_ARG;
    memset(out, 0, sizeof *out);
    if (step < 0 || step >= (int)p->n_steps || p->steps[step].n_requires == 0)
        return GC_OK;
    const struct program_step *s = &p->steps[step];
    out->required = true;
    out->n_required = s->n_requires;
    for (size_t i = 0; i < n_overrides; i++)
        if (overrides[i].to_step == step) {
            out->waived = true;
            snprintf(out->waived_reason, sizeof out->waived_reason, "%s", overrides[i].reason);
        }
    size_t used = 0;
    for (size_t r = 0; r < s->n_requires; r++) {
        const struct program_test_req *q = &s->requires[r];
        const struct course_test *latest = NULL;
        bool earlier = false; /* a result from before the program began */
        for (size_t k = 0; k < n_tests; k++)
            if (tests[k].test == q->test && (!q->side || tests[k].side == q->side)) {
                if (tests[k].utc >= since_utc)
                    latest = &tests[k];
                else
                    earlier = true;
            }
        char crit[48], why[128];
        readiness_criterion_describe(q->test, &p->readiness, crit, sizeof crit);
        bool pass;
        if (!latest) {
            pass = false;
            snprintf(why, sizeof why, "%s", earlier ? "no result since the program began"
                                                    : "no result");
        } else if (isfinite(latest->value)) {
            pass = readiness_passes(q->test, latest->value, &p->readiness);
            if (q->test == READINESS_BALANCE || q->test == READINESS_JOG_SPOT)
                snprintf(why, sizeof why, "not yet: %.1f s (needs %s)", latest->value, crit);
            else
                snprintf(why, sizeof why, "not yet: %.0f (needs %s)", latest->value, crit);
        } else {
            pass = latest->pass;
            snprintf(why, sizeof why, "not yet (needs %s)", crit);
        }
        if (pass)
            continue;
        size_t m = out->n_missing++;
        out->missing[m] = *q;
        snprintf(out->missing_why[m], sizeof out->missing_why[m], "%s", why);
        char name[40];
        program_test_req_describe(q, name, sizeof name);
        int w = snprintf(out->list + used, sizeof out->list - used, "%s%s (%s)", used ? ", " : "",
                         name, latest ? "not yet" : earlier ? "no result since the program began"
                                                        : "no result");
        if (w > 0 && (size_t)w < sizeof out->list - used)
            used += (size_t)w;
    }
    out->blocked = out->n_missing > 0 && !out->waived;
    return GC_OK;
}

int course_date_days(const char *date, int64_t *days)
{
    int y, m, d;
    char tail;
    if (!date || strlen(date) != 10 || sscanf(date, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
        date[4] != '-' || date[7] != '-' || y < 1970 || y > 2200 || m < 1 || m > 12 || d < 1)
        return GC_ERR_ARG;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap))
        return GC_ERR_ARG;
    /* days from civil (proleptic Gregorian), March-based year */
    int yy = m <= 2 ? y - 1 : y;
    int era = yy / 400;
    int yoe = yy - era * 400;
    int mp = (m + 9) % 12;
    int doy = (153 * mp + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *days = (int64_t)era * 146097 + doe - 719468;
    return GC_OK;
}

int course_week(int64_t start_days, int64_t today_days)
{
    if (today_days < start_days)
        return 0;
    return (int)((today_days - start_days) / 7) + 1;
}
