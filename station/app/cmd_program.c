/* cmd_program.c - `station program list|show|start|status|stop|override`. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "course_app.h"
#include "course_cli.h"
#include "course_report.h"
#include "datadir.h"
#include "fhir.h"
#include "fhir_export.h"
#include "gc_error.h"
#include "store_course.h"
#include "usertext.h"

#define PROG "station program"

static void usage(FILE *out)
{
    fprintf(out, "usage: station program list\n"
                 "       station program show NAME\n"
                 "       station program start CODE NAME [--date YYYY-MM-DD] [--therapist NAME]\n"
                 "       station program status CODE [--json FILE|-]\n"
                 "       station program stop CODE --reason TEXT [--therapist NAME]\n"
                 "       station program override CODE --to-step N|next|back --reason TEXT\n"
                 "                                [--therapist NAME]\n"
                 "       station program report CODE [--pdf FILE] [--summary FILE]\n"
                 "                              [--fhir OUT.json [--fhir-transaction]\n"
                 "                               [--fhir-system URI]]\n"
                 "       (each takes --db PATH: the session store, default\n"
                 "        $XDG_DATA_HOME/gaitcue/gaitcue.db)\n\n"
                 "A program is the course of care a patient follows over weeks: steps, each a\n"
                 "session protocol run a few times a week, and gate rules that read the\n"
                 "symptoms ('station symptoms', 'station prom', 'station ctl mark') to advance,\n"
                 "repeat or step back.  Presets: return-to-run-postpartum, gait-retraining-8\n"
                 "(station/data/programs; also $XDG_DATA_HOME/gaitcue/programs/NAME.ini,\n"
                 "$GAITCUE_PROGRAMS, or a file path).\n\n"
                 "  start     begin NAME for the patient (one active program per patient);\n"
                 "            --date: its first day (default today), weeks count from it\n"
                 "  status    where the patient stands: step, week, next session, the last\n"
                 "            gate decision and why, every decision so far, the latest\n"
                 "            readiness result per test and side and the tests the step still\n"
                 "            requires (requires_tests), the latest LEFS and NPRS,\n"
                 "            red flags reported after sessions outside the program; --json\n"
                 "            FILE also writes it as JSON ('-' = standard output)\n"
                 "  stop      end the active program, with the reason\n"
                 "  override  the PT moves the patient to step N (1-based), the next step or\n"
                 "            the one before, with the reason (kept in the audit trail); an\n"
                 "            override to a step waives its readiness tests still to pass\n"
                 "            (requires_tests), audited as such\n"
                 "  report    --pdf FILE: the course report (steps, every gate decision and\n"
                 "            why, symptoms and PROMs over time, cadence and VALR by session\n"
                 "            with the retention probes marked); --summary FILE: one page for\n"
                 "            the patient in plain language and large type (what we worked\n"
                 "            on, what changed, what to do,\n"
                 "            the cadence to practise outdoors); --fhir OUT.json: the course\n"
                 "            for the clinic's electronic record, a FHIR R4 Bundle (collection;\n"
                 "            --fhir-transaction to post it to a server): the Patient (the\n"
                 "            code only, --fhir-system URI its identifier system) and one\n"
                 "            Observation per PROM score, symptom report and readiness test\n"
                 "            (gate decisions stay in the PDF; docs/interop.md).\n"
                 "            The active program, else the latest; never over the store.\n"
                 "            (the readiness report: 'station test report CODE --pdf FILE')\n\n"
                 "'station run --patient CODE' without --protocol runs the next session of the\n"
                 "patient's program; a step with requires_tests (the postpartum preset's first\n"
                 "running step) is refused until the latest result of each test and side\n"
                 "passes under the program's criteria ('station test'), or the PT waives it.\n");
}

static void print_program(const struct program *p)
{
    printf("program   %s\n", p->name);
    if (p->description[0])
        printf("          %s\n", p->description);
    if (p->source[0])
        printf("source    %s\n", p->source);
    char rep[96], back[96];
    program_symptoms_describe(p->gate.repeat_on, rep, sizeof rep);
    program_symptoms_describe(p->gate.step_back_on, back, sizeof back);
    printf("gate      pain counts at %d/10 or more (NPRS); repeat on: %s; step back at once "
           "on: %s;\n          step back after %d not-clean sessions in a row",
           p->gate.pain_threshold, rep, back, p->gate.step_back_after);
    if (p->gate.lefs_drop > 0)
        printf("; lefs-drop = LEFS %d points under the best so far", p->gate.lefs_drop);
    printf("\nsteps     (advance after N clean sessions in a row)\n");
    for (size_t i = 0; i < p->n_steps; i++) {
        const struct program_step *s = &p->steps[i];
        char weeks[24];
        if (s->week_from == s->week_to)
            snprintf(weeks, sizeof weeks, "week %d", s->week_from);
        else
            snprintf(weeks, sizeof weeks, "weeks %d-%d", s->week_from, s->week_to);
        printf("  %2zu  %-24s %-12s %d/week  N=%-3d protocol %s\n", i + 1, s->name, weeks,
               s->sessions_per_week, s->advance_after, s->protocol);
        if (s->n_requires) {
            printf("      readiness tests to pass before it:");
            for (size_t k = 0; k < s->n_requires; k++) {
                char t[40];
                program_test_req_describe(&s->requires[k], t, sizeof t);
                printf("%s %s", k ? "," : "", t);
            }
            printf("\n");
        }
    }
    printf("          %d sessions when every one is clean\n", program_sessions_planned(p));
}

static int do_list(void)
{
    char names[160];
    course_app_preset_names(names, sizeof names);
    const char *list[] = {"return-to-run-postpartum", "gait-retraining-8"};
    int code = 0;
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) {
        struct program p;
        struct gc_diag d;
        gc_diag_clear(&d);
        if (course_app_load_program(list[i], &p, NULL, &d) != GC_OK) {
            fprintf(stderr, PROG ": %s%s\n", d.msg, gc_sentence_end(d.msg));
            code = 1;
            continue;
        }
        printf("%-26s %2zu steps, %2d sessions  %s\n", p.name, p.n_steps,
               program_sessions_planned(&p), p.description);
    }
    /* the clinic's own programs */
    char dir[1024];
    if (datadir_path("programs", dir, sizeof dir) == GC_OK) {
        DIR *d = opendir(dir);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            size_t n = strlen(e->d_name);
            if (n < 5 || strcmp(e->d_name + n - 4, ".ini") || e->d_name[0] == '.')
                continue;
            char path[1300];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            struct program p;
            struct gc_diag dg;
            gc_diag_clear(&dg);
            if (course_app_load_program(path, &p, NULL, &dg) == GC_OK)
                printf("%-26s %2zu steps, %2d sessions  %s (%s)\n", p.name, p.n_steps,
                       program_sessions_planned(&p), p.description, path);
            else
                fprintf(stderr, PROG ": %s%s\n", dg.msg, gc_sentence_end(dg.msg));
        }
        if (d)
            closedir(d);
    }
    return code;
}

static void fmt_date(int64_t utc, char *buf, size_t cap)
{
    time_t t = (time_t)utc;
    struct tm tm;
    if (utc > 0 && localtime_r(&t, &tm))
        strftime(buf, cap, "%Y-%m-%d %H:%M", &tm);
    else
        snprintf(buf, cap, "-");
}

/* The last decision that came from a session or an override. */
static cJSON *decision_json(const struct course_decision *d)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "action", course_action_name(d->action));
    cJSON_AddStringToObject(o, "reason", d->reason);
    if (d->session_id)
        cJSON_AddNumberToObject(o, "session_id", (double)d->session_id);
    cJSON_AddNumberToObject(o, "from_step", d->from_step + 1);
    cJSON_AddNumberToObject(o, "to_step", d->to_step + 1);
    if (d->pain_max >= 0)
        cJSON_AddNumberToObject(o, "pain_max", d->pain_max);
    cJSON *sy = cJSON_AddArrayToObject(o, "symptoms");
    for (unsigned b = 1; b <= PROGRAM_SYM_LEFS_DROP; b <<= 1)
        if (d->symptoms & b)
            cJSON_AddItemToArray(sy, cJSON_CreateString(program_symptom_name(b)));
    return o;
}

/* The latest readiness result per test and side, and the latest LEFS and
 * NPRS ('station test', 'station prom'), for status. */
struct status_extra {
    struct course_test_row *tests; /* from course_store_tests */
    size_t n_tests;
    size_t *latest; /* indices into tests: the latest per test and side, oldest first */
    size_t n_latest;
    const struct course_prom_row *lefs, *nprs; /* NULL: never recorded */
};

static void extra_load(struct course_store *cs, int64_t patient_id, const struct course_view *v,
                       struct status_extra *x)
{
    memset(x, 0, sizeof *x);
    struct gc_diag d;
    gc_diag_clear(&d);
    if (course_store_tests(cs, patient_id, &x->tests, &x->n_tests, &d) != GC_OK) {
        x->tests = NULL;
        x->n_tests = 0;
    }
    x->latest = calloc(x->n_tests + 1, sizeof *x->latest);
    for (size_t i = 0; x->latest && i < x->n_tests; i++) {
        bool later = false;
        for (size_t k = i + 1; k < x->n_tests && !later; k++)
            later =
                !strcmp(x->tests[k].test, x->tests[i].test) && x->tests[k].side == x->tests[i].side;
        if (!later)
            x->latest[x->n_latest++] = i;
    }
    for (size_t i = 0; i < v->n_proms; i++) {
        if (v->proms[i].lefs >= 0)
            x->lefs = &v->proms[i];
        if (v->proms[i].nprs >= 0)
            x->nprs = &v->proms[i];
    }
}

static void extra_free(struct status_extra *x)
{
    free(x->tests);
    free(x->latest);
    memset(x, 0, sizeof *x);
}

static void fmt_date(int64_t utc, char *buf, size_t cap);

static cJSON *prom_json(const struct course_prom_row *m, int value)
{
    if (!m)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    char when[32];
    fmt_date(m->utc, when, sizeof when);
    cJSON_AddNumberToObject(o, "value", value);
    cJSON_AddStringToObject(o, "date", when);
    if (m->ref_session_id)
        cJSON_AddNumberToObject(o, "after_session", (double)m->ref_session_id);
    return o;
}

static void extra_json(cJSON *o, const struct course_view *v, const struct status_extra *x)
{
    cJSON *rd = cJSON_AddArrayToObject(o, "readiness");
    for (size_t i = 0; i < x->n_latest; i++) {
        const struct course_test_row *t = &x->tests[x->latest[i]];
        cJSON *e = cJSON_CreateObject();
        char when[32], side[2] = {t->side, 0};
        fmt_date(t->utc, when, sizeof when);
        cJSON_AddStringToObject(e, "test", t->test);
        cJSON_AddStringToObject(e, "side", side);
        cJSON_AddBoolToObject(e, "pass", t->pass);
        cJSON_AddStringToObject(e, "date", when);
        cJSON_AddStringToObject(e, "summary", t->summary);
        cJSON_AddItemToArray(rd, e);
    }
    cJSON *pr = cJSON_AddObjectToObject(o, "proms");
    cJSON_AddItemToObject(pr, "lefs", prom_json(x->lefs, x->lefs ? x->lefs->lefs : 0));
    cJSON_AddItemToObject(pr, "nprs", prom_json(x->nprs, x->nprs ? x->nprs->nprs : 0));
    cJSON *of = cJSON_AddArrayToObject(o, "outside_red_flags");
    for (size_t i = 0; i < v->n_outside; i++) {
        const struct course_outside_flag *f = &v->outside[i];
        cJSON *e = cJSON_CreateObject();
        char when[32];
        fmt_date(f->utc, when, sizeof when);
        cJSON_AddNumberToObject(e, "session_id", (double)f->session_id);
        cJSON_AddStringToObject(e, "when", course_when_name(f->when));
        cJSON_AddStringToObject(e, "source", f->prom ? "prom" : "symptoms");
        cJSON_AddStringToObject(e, "date", when);
        if (f->pain >= 0)
            cJSON_AddNumberToObject(e, "pain", f->pain);
        if (f->site[0])
            cJSON_AddStringToObject(e, "site", f->site);
        cJSON *sy = cJSON_AddArrayToObject(e, "symptoms");
        for (unsigned b = 1; b <= PROGRAM_SYM_ALL; b <<= 1)
            if (f->flags & b)
                cJSON_AddItemToArray(sy, cJSON_CreateString(program_symptom_name(b)));
        cJSON_AddItemToArray(of, e);
    }
}

static void extra_print(const struct course_view *v, const struct status_extra *x)
{
    if (x->n_latest == 0)
        printf("readiness none recorded ('station test NAME --patient CODE')\n");
    else
        printf("readiness latest result per test and side ('station test report' for the "
               "history)\n");
    for (size_t i = 0; i < x->n_latest; i++) {
        const struct course_test_row *t = &x->tests[x->latest[i]];
        char when[32];
        fmt_date(t->utc, when, sizeof when);
        printf("  %s  %-12s %c  %-4s  %s\n", when, t->test, t->side, t->pass ? "pass" : "FAIL",
               t->summary);
    }
    char l[64] = "- (not recorded)", p[64] = "- (not recorded)", dl[32], dp[32];
    if (x->lefs) {
        fmt_date(x->lefs->utc, dl, sizeof dl);
        snprintf(l, sizeof l, "%d/80 on %s", x->lefs->lefs, dl);
    }
    if (x->nprs) {
        fmt_date(x->nprs->utc, dp, sizeof dp);
        snprintf(p, sizeof p, "%d/10 on %s", x->nprs->nprs, dp);
    }
    printf("proms     latest LEFS %s; NPRS %s\n", l, p);
    if (v->n_outside)
        printf("red flags after sessions outside the program (not gated: the PT decides, "
               "'station program override')\n");
    for (size_t i = 0; i < v->n_outside; i++) {
        const struct course_outside_flag *f = &v->outside[i];
        char when[32], sym[96] = "", pain[96] = "";
        fmt_date(f->utc, when, sizeof when);
        if (f->pain >= 0)
            snprintf(pain, sizeof pain, "pain %d/10%s%.40s", f->pain, f->site[0] ? " at " : "",
                     f->site);
        if (f->flags)
            program_symptoms_describe(f->flags, sym, sizeof sym);
        printf("  %s  %s session %lld (%s): %s%s%s\n", when, course_when_name(f->when),
               (long long)f->session_id, f->prom ? "station prom" : "station symptoms", pain,
               pain[0] && sym[0] ? ", " : "", sym);
    }
}

/* The current step's requires_tests: null when it has none. */
static cJSON *ready_json(const struct program *p, const struct course_view *v)
{
    const struct course_readiness_gate *r = &v->ready;
    if (!r->required)
        return cJSON_CreateNull();
    const struct program_step *s = &p->steps[v->state.step];
    cJSON *o = cJSON_CreateObject();
    cJSON *all = cJSON_AddArrayToObject(o, "tests");
    for (size_t k = 0; k < s->n_requires; k++) {
        char t[40];
        program_test_req_describe(&s->requires[k], t, sizeof t);
        cJSON_AddItemToArray(all, cJSON_CreateString(t));
    }
    cJSON *miss = cJSON_AddArrayToObject(o, "still_to_pass");
    for (size_t k = 0; k < r->n_missing; k++) {
        cJSON *e = cJSON_CreateObject();
        char side[2] = {r->missing[k].side, 0};
        cJSON_AddStringToObject(e, "test", readiness_test_name(r->missing[k].test));
        if (side[0])
            cJSON_AddStringToObject(e, "side", side);
        else
            cJSON_AddNullToObject(e, "side");
        cJSON_AddStringToObject(e, "why", r->missing_why[k]);
        cJSON_AddItemToArray(miss, e);
    }
    cJSON_AddBoolToObject(o, "waived", r->waived);
    if (r->waived)
        cJSON_AddStringToObject(o, "waived_reason", r->waived_reason);
    else
        cJSON_AddNullToObject(o, "waived_reason");
    cJSON_AddBoolToObject(o, "blocked", r->blocked);
    return o;
}

/* When a session counts for the gate (course_session_counts), as words
 * after "a session counts when it". */
static void counts_rule(char *buf, size_t cap)
{
    snprintf(buf, cap,
             "ended complete, or was stopped after %.0f %% of its plan, with at least %.0f "
             "scored steps a minute, and its feedback phases had a target (feedback given)",
             COURSE_MIN_PLAN_SHARE * 100, COURSE_MIN_STEPS_PER_MIN);
}

static char *status_json(const struct store_patient *pt, const struct course_view *v,
                         const struct status_extra *x)
{
    const struct program *p = &v->program;
    bool done = v->state.step >= (int)p->n_steps;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "patient", pt->code);
    cJSON_AddStringToObject(o, "program", p->name);
    cJSON_AddNumberToObject(o, "program_id", (double)v->row.id);
    cJSON_AddStringToObject(o, "start_date", v->row.start_date);
    cJSON_AddBoolToObject(o, "active", v->row.stopped_utc == 0);
    cJSON_AddBoolToObject(o, "complete", done);
    cJSON_AddNumberToObject(o, "steps", (double)p->n_steps);
    if (done) {
        cJSON_AddNullToObject(o, "step");
        cJSON_AddNullToObject(o, "step_name");
        cJSON_AddNullToObject(o, "next");
    } else {
        cJSON_AddNumberToObject(o, "step", v->state.step + 1);
        cJSON_AddStringToObject(o, "step_name", p->steps[v->state.step].name);
        cJSON_AddStringToObject(o, "next", p->steps[v->state.step].protocol);
        cJSON_AddNumberToObject(o, "advance_after", p->steps[v->state.step].advance_after);
    }
    cJSON_AddNumberToObject(o, "week", v->week);
    cJSON_AddNumberToObject(o, "session", (double)v->n_sessions + 1);
    cJSON_AddNumberToObject(o, "sessions_counted", v->state.sessions_total);
    cJSON_AddNumberToObject(o, "clean_in_row", v->state.clean_in_row);
    cJSON_AddNumberToObject(o, "not_clean_in_row", v->state.bad_in_row);
    cJSON_AddItemToObject(o, "gate", decision_json(&v->state.last));
    cJSON_AddItemToObject(o, "requires_tests", ready_json(p, v));
    char when[240], rule[300];
    counts_rule(when, sizeof when);
    snprintf(rule, sizeof rule, "a session counts when it %s", when);
    cJSON_AddStringToObject(o, "counts", rule);
    cJSON *tl = cJSON_AddArrayToObject(o, "timeline");
    for (size_t i = 0; i < v->n_timeline; i++)
        cJSON_AddItemToArray(tl, decision_json(&v->timeline[i]));
    extra_json(o, v, x);
    char *s = cJSON_Print(o);
    cJSON_Delete(o);
    return s;
}

/* The current step's requires_tests, for status. */
static void print_ready(const struct program *p, const struct course_view *v)
{
    const struct course_readiness_gate *r = &v->ready;
    if (!r->required)
        return;
    const struct program_step *s = &p->steps[v->state.step];
    char all[COURSE_TESTS_SAY_MAX] = "";
    size_t used = 0;
    for (size_t k = 0; k < s->n_requires && used < sizeof all; k++) {
        char t[40];
        program_test_req_describe(&s->requires[k], t, sizeof t);
        int w = snprintf(all + used, sizeof all - used, "%s%s", k ? ", " : "", t);
        if (w > 0)
            used += (size_t)w;
    }
    if (r->n_missing == 0)
        printf("requires  readiness tests passed: %s\n", all);
    else if (r->waived)
        printf("requires  readiness tests %s: waived by the PT (%s); not passed: %s\n", all,
               r->waived_reason, r->list);
    else
        printf("requires  readiness tests %s to pass before this step; still to pass:\n", all);
    for (size_t k = 0; k < r->n_missing && !r->waived; k++) {
        char t[40];
        program_test_req_describe(&r->missing[k], t, sizeof t);
        printf("  %-14s %s\n", t, r->missing_why[k]);
    }
}

static void print_status(const struct store_patient *pt, const struct course_view *v,
                         const struct status_extra *x)
{
    const struct program *p = &v->program;
    bool done = v->state.step >= (int)p->n_steps;
    char started[32];
    fmt_date(v->row.started_utc, started, sizeof started);
    char week[48];
    if (v->week >= 1)
        snprintf(week, sizeof week, "program week %d", v->week);
    else
        snprintf(week, sizeof week, "not begun yet"); /* a first day still to come */
    printf("patient   %s\nprogram   %s (#%lld), first day %s, %s%s\n", pt->code, p->name,
           (long long)v->row.id, v->row.start_date, week, v->row.stopped_utc ? " (stopped)" : "");
    if (done) {
        printf("step      complete: every step done\n");
    } else {
        const struct program_step *s = &p->steps[v->state.step];
        char weeks[32];
        if (s->week_from == s->week_to)
            snprintf(weeks, sizeof weeks, "week %d", s->week_from);
        else
            snprintf(weeks, sizeof weeks, "weeks %d-%d", s->week_from, s->week_to);
        printf("step      %d/%zu '%s' (planned %s, %d/week): %d clean of %d in a row to "
               "advance\n",
               v->state.step + 1, p->n_steps, s->name, weeks, s->sessions_per_week,
               v->state.clean_in_row, s->advance_after);
        printf("next      session %zu of the program: protocol %s%s\n", v->n_sessions + 1,
               s->protocol,
               v->ready.blocked ? " (refused until the readiness tests below pass)" : "");
        print_ready(p, v);
    }
    printf("gate      %s: %s\n", course_action_name(v->state.last.action), v->state.last.reason);
    char rule[240];
    counts_rule(rule, sizeof rule);
    printf("counts    a session counts for the gate when it %s\n", rule);
    if (v->n_timeline)
        printf("history\n");
    size_t si = 0, oi = 0;
    for (size_t i = 0; i < v->n_timeline; i++) {
        const struct course_decision *d = &v->timeline[i];
        char when[32] = "-", what[48];
        if (d->action == COURSE_OVERRIDE) {
            if (oi < v->n_overrides)
                fmt_date(v->overrides[oi++].utc, when, sizeof when);
            snprintf(what, sizeof what, "override");
        } else {
            if (si < v->n_sessions)
                fmt_date(v->sessions[si].s.start_utc, when, sizeof when);
            snprintf(what, sizeof what, "session %lld (%s)", (long long)d->session_id,
                     si < v->n_sessions ? v->sessions[si].status : "?");
            si++;
        }
        printf("  %s  %-26s step %d -> %d  %-11s %s\n", when, what, d->from_step + 1,
               d->to_step + 1, course_action_name(d->action), d->reason);
    }
    extra_print(v, x);
}

static int write_json(const char *path, const char *db, const char *text)
{
    if (!strcmp(path, "-")) {
        printf("%s\n", text);
        return 0;
    }
    struct gc_diag d;
    struct datadir_guard g = {.store = db};
    if (datadir_write_file(path, text, strlen(text), &g, &d) != GC_OK) {
        fprintf(stderr, PROG " status: %s\n", d.msg);
        return 1;
    }
    return 0;
}

int cmd_program(int argc, char **argv)
{
    const char *db = NULL, *date = NULL, *json = NULL, *reason = NULL, *therapist = NULL,
               *to_step = NULL, *pdf = NULL, *summary = NULL, *fhir = NULL, *fhir_system = NULL;
    bool fhir_tx = false;
    const char *pos[3] = {NULL, NULL, NULL};
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--fhir-transaction"))
            fhir_tx = true;
        else if ((v = course_cli_opt(&i, argc, argv, "--db", &missing)))
            db = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--fhir-system", &missing)))
            fhir_system = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--fhir", &missing)))
            fhir = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--date", &missing)))
            date = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--json", &missing)))
            json = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--reason", &missing)))
            reason = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--therapist", &missing)))
            therapist = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--to-step", &missing)))
            to_step = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--pdf", &missing)))
            pdf = v;
        else if ((v = course_cli_opt(&i, argc, argv, "--summary", &missing)))
            summary = v;
        else if (missing) {
            fprintf(stderr, PROG ": %s needs a value.\n", argv[i]);
            return 2;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, PROG ": unknown option '%s'; see 'station program --help'.\n", argv[i]);
            return 2;
        } else if (npos < 3) {
            pos[npos++] = argv[i];
        } else {
            fprintf(stderr, PROG ": unexpected '%s'; see 'station program --help'.\n", argv[i]);
            return 2;
        }
    }
    const char *verb = pos[0];
    if (!verb) {
        usage(stderr);
        return 2;
    }
    static const struct {
        const char *verb;
        int npos;
        const char *shape;
    } verbs[] = {
        {"list", 1, "station program list"},
        {"show", 2, "station program show NAME"},
        {"start", 3, "station program start CODE NAME"},
        {"status", 2, "station program status CODE"},
        {"stop", 2, "station program stop CODE --reason TEXT"},
        {"override", 2, "station program override CODE --to-step N --reason TEXT"},
        {"report", 2, "station program report CODE [--pdf FILE] [--summary FILE] [--fhir FILE]"}};
    int vi = -1;
    for (int i = 0; i < (int)(sizeof verbs / sizeof verbs[0]); i++)
        if (!strcmp(verb, verbs[i].verb))
            vi = i;
    if (vi < 0) {
        fprintf(stderr,
                PROG ": unknown action '%.40s'; use list, show, start, status, stop, "
                     "override or report.\n",
                verb);
        return 2;
    }
    if (npos != verbs[vi].npos) {
        fprintf(stderr, PROG " %s: give exactly what it takes: %s.\n", verb, verbs[vi].shape);
        return 2;
    }
    bool is_start = vi == 2, is_status = vi == 3, is_stop = vi == 4, is_override = vi == 5,
         is_report = vi == 6;
    if ((pdf || summary || fhir) && !is_report) {
        fprintf(stderr, PROG ": --pdf, --summary and --fhir are for 'station program report'.\n");
        return 2;
    }
    if (is_report && !pdf && !summary && !fhir) {
        fprintf(stderr, PROG " report: give --pdf FILE (the course report), --summary FILE (the "
                             "patient's page), --fhir FILE (the clinic's record) or more.\n");
        return 2;
    }
    if ((fhir_tx || fhir_system) && !fhir) {
        fprintf(stderr,
                PROG ": %s shapes the FHIR bundle; add --fhir OUT.json to 'station "
                     "program report'.\n",
                fhir_tx ? "--fhir-transaction" : "--fhir-system");
        return 2;
    }
    struct gc_diag why;
    if (fhir_system && fhir_system_check(fhir_system, &why) != GC_OK) {
        fprintf(stderr,
                PROG ": --fhir-system '%s' is not usable: %s; give an absolute URI such as "
                     "urn:oid:1.2.3.4 or https://clinic.example/patients.\n",
                fhir_system, why.msg);
        return 2;
    }
    if (date && !is_start) {
        fprintf(stderr, PROG ": --date is for 'station program start'.\n");
        return 2;
    }
    if (json && !is_status) {
        fprintf(stderr, PROG ": --json is for 'station program status'.\n");
        return 2;
    }
    if (to_step && !is_override) {
        fprintf(stderr, PROG ": --to-step is for 'station program override'.\n");
        return 2;
    }
    if (reason && !is_stop && !is_override) {
        fprintf(stderr, PROG ": --reason is for 'station program stop' and 'override'.\n");
        return 2;
    }
    if ((is_stop || is_override) && (!reason || !reason[0])) {
        fprintf(stderr, PROG " %s: give --reason TEXT (kept in the patient's audit trail).\n",
                verb);
        return 2;
    }
    if (reason && !usertext_ok(reason, USERTEXT_NOTE_MAX)) {
        fprintf(stderr, PROG ": --reason must be at most %d bytes without control characters.\n",
                USERTEXT_NOTE_MAX);
        return 2;
    }
    if (therapist && !usertext_ok(therapist, USERTEXT_NAME_MAX)) {
        fprintf(stderr, PROG ": --therapist must be at most %d bytes without control characters.\n",
                USERTEXT_NAME_MAX);
        return 2;
    }
    if (is_override && !to_step) {
        fprintf(stderr, PROG " override: give --to-step N (1-based), next or back.\n");
        return 2;
    }
    int64_t start_days = 0;
    char today[16];
    int64_t today_days = course_app_today(today, sizeof today);
    if (date && course_date_days(date, &start_days) != GC_OK) {
        fprintf(stderr, PROG ": --date must be a calendar date like 2026-03-02, not '%.40s'.\n",
                date);
        return 2;
    }

    if (vi == 0)
        return do_list();
    if (is_report) {
        if (therapist) {
            fprintf(stderr, PROG ": --therapist is for start, stop and override.\n");
            return 2;
        }
        struct fhir_export_opts fo = {.identifier_system = fhir_system,
                                      .type = fhir_tx ? FHIR_BUNDLE_TRANSACTION
                                                      : FHIR_BUNDLE_COLLECTION};
        return course_report_write(PROG " report", db, pos[1], pdf, summary, fhir, &fo, false);
    }
    struct gc_diag diag;
    gc_diag_clear(&diag);
    if (vi == 1) {
        struct program p;
        if (course_app_load_program(pos[1], &p, NULL, &diag) != GC_OK) {
            fprintf(stderr, PROG ": %s%s\n", diag.msg, gc_sentence_end(diag.msg));
            return diag.code == GC_ERR_NOT_FOUND ? 2 : 1;
        }
        print_program(&p);
        return 0;
    }

    /* the rest act on a patient's course */
    struct program prog;
    char *text = NULL;
    if (is_start && course_app_load_program(pos[2], &prog, &text, &diag) != GC_OK) {
        fprintf(stderr, PROG ": %s%s\n", diag.msg, gc_sentence_end(diag.msg));
        return diag.code == GC_ERR_NOT_FOUND ? 2 : 1;
    }
    struct store *st = NULL;
    struct store_patient pt;
    int code = course_cli_patient(PROG, db, pos[1], &st, &pt);
    if (code) {
        free(text);
        return code;
    }
    struct course_store *cs = NULL;
    if (course_store_open(st, &cs, &diag) != GC_OK) {
        fprintf(stderr, PROG ": %s%s\n", diag.msg, gc_sentence_end(diag.msg));
        free(text);
        store_close(st);
        return 1;
    }
    int64_t now = (int64_t)time(NULL);
    if (is_start) {
        struct course_program_row r;
        memset(&r, 0, sizeof r);
        r.patient_id = pt.id;
        snprintf(r.name, sizeof r.name, "%s", prog.name);
        snprintf(r.start_date, sizeof r.start_date, "%s", date ? date : today);
        snprintf(r.therapist, sizeof r.therapist, "%s", therapist ? therapist : "");
        r.started_utc = now;
        r.text = text;
        int rc = course_store_program_start(cs, &r, &diag);
        if (rc == GC_ERR_BUSY) {
            struct course_program_row act;
            struct gc_diag d2;
            char what[80] = "a program";
            if (course_store_program_active(cs, pt.id, &act, &d2) == GC_OK) {
                snprintf(what, sizeof what, "program %s", act.name);
                course_program_row_free(&act);
            }
            fprintf(stderr,
                    PROG ": patient %s already follows %s; stop it first with 'station program "
                         "stop %s --reason TEXT'.\n",
                    pt.code, what, pt.code);
            code = 1;
        } else if (rc) {
            fprintf(stderr, PROG ": %s%s\n", diag.msg, gc_sentence_end(diag.msg));
            code = 1;
        } else {
            printf("patient %s: program %s started (#%lld), first day %s; next: step 1 '%s', "
                   "protocol %s ('station run --patient %s')\n",
                   pt.code, prog.name, (long long)r.id, r.start_date, prog.steps[0].name,
                   prog.steps[0].protocol, pt.code);
        }
        free(text);
        goto out;
    }
    struct course_view v;
    int rc = course_app_view(st, cs, pt.id, 0, today_days, &v, &diag);
    if (rc == GC_ERR_NOT_FOUND) {
        fprintf(stderr,
                PROG ": patient %s has no active program; start one with 'station program start "
                     "%s NAME' (station program list).\n",
                pt.code, pt.code);
        code = 1;
        goto out;
    }
    if (rc) {
        fprintf(stderr, PROG ": %s%s\n", diag.msg, gc_sentence_end(diag.msg));
        code = 1;
        goto out;
    }
    if (is_status) {
        struct status_extra x;
        extra_load(cs, pt.id, &v, &x);
        if (!json || strcmp(json, "-") != 0) /* "-": the JSON alone on standard output */
            print_status(&pt, &v, &x);
        if (json) {
            char *s = status_json(&pt, &v, &x);
            code = s ? write_json(json, db, s) : 1;
            cJSON_free(s);
        }
        extra_free(&x);
    } else if (is_stop) {
        if (course_store_program_stop(cs, v.row.id, reason, therapist, now, &diag) != GC_OK) {
            fprintf(stderr, PROG ": %s%s\n", diag.msg, gc_sentence_end(diag.msg));
            code = 1;
        } else {
            printf("patient %s: program %s stopped (%s)\n", pt.code, v.program.name, reason);
        }
    } else if (is_override) {
        int n = (int)v.program.n_steps, to = -1;
        if (!strcmp(to_step, "next"))
            to = v.state.step + 1;
        else if (!strcmp(to_step, "back"))
            to = v.state.step - 1;
        else if (course_cli_int(to_step, 1, n, &to))
            to -= 1;
        else
            to = -2;
        if (to < 0 || to > n) {
            fprintf(stderr,
                    PROG " override: --to-step must be a step from 1 to %d, next or back (the "
                         "patient is at step %d), not '%.20s'.\n",
                    n, v.state.step + 1, to_step);
            code = 2;
        } else {
            struct course_override_row o;
            memset(&o, 0, sizeof o);
            o.utc = now;
            o.to_step = to;
            snprintf(o.reason, sizeof o.reason, "%s", reason);
            snprintf(o.therapist, sizeof o.therapist, "%s", therapist ? therapist : "");
            /* readiness tests of the step still to pass: this override waives them */
            struct course_readiness_gate rg;
            memset(&rg, 0, sizeof rg);
            if (to < n && course_app_readiness(cs, pt.id, &v, to, &rg, &diag) != GC_OK) {
                fprintf(stderr, PROG ": %s%s\n", diag.msg, gc_sentence_end(diag.msg));
                code = 1;
            } else if (course_store_latest_session(cs, pt.id, &o.ref_session_id, &diag) != GC_OK ||
                       course_store_add_override(cs, v.row.id, &o, &diag) != GC_OK) {
                fprintf(stderr, PROG ": %s%s\n", diag.msg, gc_sentence_end(diag.msg));
                code = 1;
            } else if (to == n) {
                printf("patient %s: program %s marked complete by the PT (%s)\n", pt.code,
                       v.program.name, reason);
            } else {
                if (rg.n_missing && !rg.waived) {
                    char detail[640];
                    snprintf(detail, sizeof detail,
                             "program %.40s step %d: readiness tests waived (%.100s): %s",
                             v.program.name, to + 1, reason, rg.list);
                    if (course_store_add_audit(cs, pt.id, now, "readiness-waived", detail, &diag) !=
                        GC_OK) {
                        fprintf(stderr, PROG ": %s%s\n", diag.msg, gc_sentence_end(diag.msg));
                        code = 1;
                    }
                    printf("patient %s: readiness tests of step %d waived by the PT (%s), not "
                           "passed: %s\n",
                           pt.code, to + 1, reason, rg.list);
                }
                printf("patient %s: moved from step %d to step %d '%s' by the PT (%s); next "
                       "protocol %s\n",
                       pt.code, v.state.step + 1, to + 1, v.program.steps[to].name, reason,
                       v.program.steps[to].protocol);
            }
        }
    }
    course_app_view_free(&v);
out:
    course_store_close(cs);
    store_close(st);
    return code;
}
