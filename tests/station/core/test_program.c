/* test_program.c - program files: the two presets, every key, malformed
 * files refused with their line and reason (station/core/program.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "diag_text.h"
#include "gc_error.h"
#include "plan.h"
#include "program.h"
#include "readiness.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 1 << 16);
    size_t n = buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

static int parse(const char *text, struct program *p, struct gc_diag *e)
{
    return program_parse(text, strlen(text), p, e);
}

/* Every step's protocol is a preset that parses. */
static void check_protocols(const char *datadir, const struct program *p)
{
    for (size_t i = 0; i < p->n_steps; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/protocols/%s.ini", datadir, p->steps[i].protocol);
        char *t = slurp(path);
        CHECK_MSG(t != NULL, path);
        if (!t)
            continue;
        struct plan plan;
        struct gc_diag e;
        CHECK_EQ(plan_parse(t, strlen(t), &plan, &e), GC_OK);
        CHECK_MSG(!strcmp(plan.name, p->steps[i].protocol), path);
        free(t);
    }
}

static void test_presets(const char *datadir)
{
    char path[1024];
    struct program p;
    struct gc_diag e;

    snprintf(path, sizeof path, "%s/programs/return-to-run-postpartum.ini", datadir);
    char *t = slurp(path);
    CHECK(t != NULL);
    CHECK_EQ(t ? parse(t, &p, &e) : -1, GC_OK);
    CHECK(!strcmp(p.name, "return-to-run-postpartum"));
    CHECK(strstr(p.source, "Goom") && strstr(p.source, "Deering"));
    CHECK_EQ(p.n_steps, 6);
    CHECK_EQ(p.gate.pain_threshold, 4);
    CHECK_EQ(p.gate.repeat_on, PROGRAM_SYM_PAIN | PROGRAM_SYM_LEAK | PROGRAM_SYM_LEFS_DROP);
    CHECK_EQ(p.gate.step_back_on, PROGRAM_SYM_HEAVINESS | PROGRAM_SYM_BLEEDING);
    CHECK_EQ(p.gate.step_back_after, 2);
    CHECK_EQ(p.gate.lefs_drop, 9);
    /* walk-run 1/4 over the guideline's weeks 1-4 (program weeks 2-5), 3 a week */
    CHECK(!strcmp(p.steps[1].protocol, "rtr-run1-walk4"));
    CHECK_EQ(p.steps[1].week_from, 2);
    CHECK_EQ(p.steps[1].week_to, 5);
    CHECK_EQ(p.steps[1].advance_after, 12);
    CHECK_EQ(program_sessions_planned(&p), 1 + 12 + 6 + 6 + 6 + 6);
    /* the first running step needs the load and impact tests the deck
     * measures (Goom et al. 2019), both sides where one-sided; no other */
    CHECK_EQ(p.steps[0].n_requires, 0);
    CHECK_EQ(p.steps[1].n_requires, 7);
    for (size_t i = 2; i < p.n_steps; i++)
        CHECK_EQ(p.steps[i].n_requires, 0);
    static const char *const want[] = {"balance:L", "balance:R", "squat:L",    "squat:R",
                                       "hop:L",     "hop:R",     "jog-on-spot"};
    for (size_t i = 0; i < 7 && i < p.steps[1].n_requires; i++) {
        char got[40];
        program_test_req_describe(&p.steps[1].requires[i], got, sizeof got);
        CHECK_MSG(!strcmp(got, want[i]), got);
    }
    check_protocols(datadir, &p);
    free(t);

    snprintf(path, sizeof path, "%s/programs/gait-retraining-8.ini", datadir);
    t = slurp(path);
    CHECK(t != NULL);
    CHECK_EQ(t ? parse(t, &p, &e) : -1, GC_OK);
    CHECK(!strcmp(p.name, "gait-retraining-8"));
    CHECK(strstr(p.source, "Crowell") && strstr(p.source, "Willy"));
    CHECK_EQ(p.n_steps, 5);
    /* 8 training sessions, then the follow-up */
    CHECK_EQ(program_sessions_planned(&p), 9);
    CHECK_EQ(p.gate.repeat_on, PROGRAM_SYM_PAIN | PROGRAM_SYM_LEFS_DROP);
    CHECK_EQ(p.gate.step_back_on, 0);
    check_protocols(datadir, &p);
    free(t);
}

static void test_defaults(void)
{
    struct program p;
    struct gc_diag e;
    CHECK_EQ(parse("[program]\nname = x\n[step]\nweeks = 2-3\nprotocol = walk-run-intro\n", &p, &e),
             GC_OK);
    CHECK_EQ(p.gate.pain_threshold, 4);
    CHECK_EQ(p.gate.repeat_on, PROGRAM_SYM_PAIN);
    CHECK_EQ(p.gate.step_back_after, 2);
    CHECK_EQ(p.steps[0].sessions_per_week, 3);
    CHECK_EQ(p.steps[0].advance_after, 6); /* 3 a week for 2 weeks, all clean */
    CHECK(!strcmp(p.steps[0].name, "step 1"));
    CHECK_EQ(p.steps[0].n_requires, 0);
    /* requires_tests: one-sided tests with their side, jog-on-spot without;
     * spaces and commas both separate; none = nothing required */
    CHECK_EQ(parse("[program]\nname = x\n[step]\nweeks = 1\nprotocol = a\n"
                   "requires_tests = hop:R,calf-raise:L  jog-spot\n"
                   "[step]\nweeks = 2\nprotocol = b\nrequires_tests = none\n",
                   &p, &e),
             GC_OK);
    CHECK_EQ(p.steps[0].n_requires, 3);
    CHECK_EQ(p.steps[0].requires[0].test, READINESS_HOP);
    CHECK_EQ(p.steps[0].requires[0].side, 'R');
    CHECK_EQ(p.steps[0].requires[1].test, READINESS_CALF_RAISE);
    CHECK_EQ(p.steps[0].requires[1].side, 'L');
    CHECK_EQ(p.steps[0].requires[2].test, READINESS_JOG_SPOT);
    CHECK_EQ(p.steps[0].requires[2].side, 0);
    CHECK_EQ(p.steps[1].n_requires, 0);
    /* pain moved to step_back_on leaves repeat_on without it */
    CHECK_EQ(parse("[program]\nname = x\n[gate]\nstep_back_on = pain\n[step]\nweeks = 1\n"
                   "protocol = a\n",
                   &p, &e),
             GC_OK);
    CHECK_EQ(p.gate.repeat_on, 0);
    CHECK_EQ(p.gate.step_back_on, PROGRAM_SYM_PAIN);
    /* readiness criteria: the guideline's by default, a [readiness] section edits them */
    CHECK_NEAR(p.readiness.balance_hold_s, 10.0, 0);
    CHECK_EQ(p.readiness.hop_count, 10);
    CHECK_EQ(parse("[program]\nname = x\n[readiness]\nbalance_hold_s = 12.5\nsquat_count = 8\n"
                   "[step]\nweeks = 1\nprotocol = a\n",
                   &p, &e),
             GC_OK);
    CHECK_NEAR(p.readiness.balance_hold_s, 12.5, 0);
    CHECK_EQ(p.readiness.squat_count, 8);
    CHECK_EQ(p.readiness.hop_count, 10);
    CHECK_EQ(p.readiness.calf_raise_count, 20);
    CHECK_NEAR(p.readiness.jog_s, 59.0, 0);
    /* a criteria file: [readiness] only, other sections ignored */
    struct readiness_criteria c;
    bool found = false;
    int line = -1;
    struct gc_diag d;
    CHECK_EQ(readiness_criteria_parse("[program]\nname = y\n[readiness]\njog_s = 45\n", &c, &found,
                                      &line, &d),
             GC_OK);
    CHECK(found);
    CHECK_NEAR(c.jog_s, 45.0, 0);
    CHECK_EQ(c.hop_count, 10);
    CHECK_EQ(readiness_criteria_parse("[other]\nx = 1\n", &c, &found, &line, &d),
             GC_OK);
    CHECK(!found);
    CHECK_EQ(readiness_criteria_parse("[readiness]\nhop_count = 0\n", &c, &found, &line, &d),
             GC_ERR_FORMAT);
    CHECK_EQ(line, 2);
    CHECK(strstr(d.msg, "hop_count must be a whole number from 1 to 100") != NULL);
    CHECK_EQ(d.code, GC_ERR_FORMAT);
    CHECK_EQ(c.hop_count, 10); /* a failed file leaves the defaults */
    CHECK_EQ(readiness_criteria_parse("[readiness]\nhop_count = 10\nhop_count = 12\n", &c, &found,
                                      &line, &d),
             GC_ERR_FORMAT);
    CHECK_EQ(line, 3);
    CHECK(strstr(d.msg, "given twice") != NULL);
}

static void test_malformed(void)
{
    static const struct {
        const char *text;
        int line;
        const char *reason;
    } cases[] = {
        {"", 0, "no name"},
        {"[program]\nname = x\n", 0, "no [step]"},
        {"name = x\n", 1, "outside any section"},
        {"[program]\nname = x\n[stpe]\nweeks = 1\n", 3, "unknown section [stpe]"},
        {"[program]\nname = x\ncolour = red\n", 3, "unknown key 'colour'"},
        {"[program]\nname = x\nname = y\n", 3, "given twice"},
        {"[program]\nname = x\n[gate]\npain_threshold = 11\n", 4, "pain score from 1 to 10"},
        {"[program]\nname = x\n[gate]\npain_threshold = 0\n", 4, "pain score from 1 to 10"},
        {"[program]\nname = x\n[gate]\nrepeat_on = leak, sweat\n", 4, "unknown symptom 'sweat'"},
        {"[program]\nname = x\n[gate]\nstep_back_after = 0\n", 4, "step_back_after"},
        {"[program]\nname = x\n[gate]\nlefs_drop = 81\n", 4, "lefs_drop"},
        {"[program]\nname = x\n[gate]\nlefs_drop = 2\n[gate]\nlefs_drop = 3\n", 5,
         "[gate] is given twice"},
        {"[program]\nname = x\n[step]\nweeks = 4-1\n", 4, "weeks must be"},
        {"[program]\nname = x\n[step]\nweeks = 0\n", 4, "weeks must be"},
        {"[program]\nname = x\n[step]\nweeks = one\n", 4, "weeks must be"},
        {"[program]\nname = x\n[step]\nsessions_per_week = 15\n", 4, "sessions_per_week"},
        {"[program]\nname = x\n[step]\nadvance_after = 0\n", 4, "advance_after"},
        {"[program]\nname = x\n[step]\nweeks = 1\n", 3, "no 'protocol'"},
        {"[program]\nname = x\n[step]\nprotocol = a\n", 3, "no 'weeks'"},
        {"[program]\nname = x\n[step]\nprotocol =\n", 4, "has no value"},
        {"[program]\nname = x\n[gate]\nrepeat_on = leak\nstep_back_on = leak\n[step]\nweeks = 1\n"
         "protocol = a\n",
         0, "both in repeat_on and step_back_on"},
        {"[program]\nname = x\n[step]\nweeks = 3\nprotocol = a\n[step]\nweeks = 1\nprotocol = b\n",
         0, "planned before step 1"},
        {"[program]\nname = x\nthis is not ini\n", 3, "expected '[section]'"},
        {"[program]\nname = x\n[readiness]\nbalance_hold_s = 0.5\n", 4,
         "balance_hold_s must be a number from 1 to 120 seconds"},
        {"[program]\nname = x\n[readiness]\nhop_count = 9.5\n", 4, "hop_count must be a whole"},
        {"[program]\nname = x\n[readiness]\nhold = 10\n", 4, "unknown key 'hold' in [readiness]"},
        {"[program]\nname = x\n[readiness]\njog_s = 60\njog_s = 50\n", 5, "given twice"},
        {"[program]\nname = x\n[readiness]\njog_s = 60\n[readiness]\njog_s = 50\n", 5,
         "[readiness] is given twice"},
        {"[program]\nname = x\n[step]\nweeks = 1\nrequires_tests = balance:L, run:L\n", 5,
         "unknown test 'run' in requires_tests"},
        {"[program]\nname = x\n[step]\nweeks = 1\nrequires_tests = balance\n", 5,
         "'balance' in requires_tests is tested on one side: write balance:L and/or balance:R"},
        {"[program]\nname = x\n[step]\nweeks = 1\nrequires_tests = hop:X\n", 5,
         "'hop:X' in requires_tests: the side is :L or :R"},
        {"[program]\nname = x\n[step]\nweeks = 1\nrequires_tests = jog-on-spot:L\n", 5,
         "jog-on-spot measures both sides"},
        {"[program]\nname = x\n[step]\nweeks = 1\nrequires_tests = hop:L, hop:L\n", 5,
         "'hop:L' is given twice in requires_tests"},
        {"[program]\nname = x\n[step]\nweeks = 1\nrequires_tests = ,\n", 5,
         "requires_tests names no test"},
        {"[program]\nname = x\n[step]\nweeks = 1\nrequires_tests = hop:L\nrequires_tests = "
         "hop:R\n",
         6, "'requires_tests' is given twice"},
        {"[program]\nname = x\n[step]\nweeks = 1\nrequires_tests = balance:L balance:R "
         "hop:L hop:R squat:L squat:R calf-raise:L calf-raise:R jog-on-spot balance:L\n",
         5, "given twice"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct program p;
        struct gc_diag e;
        int rc = parse(cases[i].text, &p, &e);
        char what[400];
        snprintf(what, sizeof what, "case %zu: got line %d '%s', want line %d '%s'", i,
                 diag_line(&e), diag_reason(&e), cases[i].line, cases[i].reason);
        CHECK_MSG(rc == GC_ERR_FORMAT, what);
        CHECK_MSG(diag_line(&e) == cases[i].line, what);
        CHECK_MSG(strstr(diag_reason(&e), cases[i].reason) != NULL, what);
    }
    /* a NUL byte */
    struct program p;
    struct gc_diag e;
    CHECK_EQ(program_parse("[program]\0x", 11, &p, &e), GC_ERR_FORMAT);
    CHECK(strstr(diag_reason(&e), "NUL") != NULL);
}

int main(int argc, char **argv)
{
    const char *datadir = argc > 1 ? argv[1] : "station/data";
    test_presets(datadir);
    test_defaults();
    test_malformed();
    return check_exit();
}
