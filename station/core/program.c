/* program.c - program files (INI, parsed with libinih; see program.h). */
#include "program.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_error.h"
#include "ini_lines.h"

/* A program step planned past a year, or more sessions than a clinic
 * could hold in a week, is a typo rather than a plan. */
#define WEEK_MAX      104
#define PER_WEEK_MAX  14
#define ADVANCE_MAX   100
#define STEP_BACK_MAX 20
#define LEFS_MAX      80

enum section_kind { SEC_NONE = 0, SEC_PROGRAM, SEC_GATE, SEC_STEP, SEC_READINESS };

/* As plan.c: ini_lines hands libinih one line at a time so every error
 * has its line and repeated [step] sections are told apart. */
struct parse {
    struct ini_lines in; /* the buffer, line and section counts, the failure */
    int handled_seq;
    enum section_kind sec;
    struct program *prog;
    struct program_step *cur;
    int step_line;
    unsigned seen; /* keys seen in the current section (bit per key) */
    bool gate_seen, readiness_seen;
    bool repeat_given; /* repeat_on written in the file (else pain repeats) */
};

static const char *const sym_names[] = {"pain", "leak", "heaviness", "bleeding", "lefs-drop"};

const char *program_symptom_name(unsigned bit)
{
    for (unsigned i = 0; i < sizeof sym_names / sizeof sym_names[0]; i++)
        if (bit == 1u << i)
            return sym_names[i];
    return NULL;
}

void program_symptoms_describe(unsigned bits, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < sizeof sym_names / sizeof sym_names[0]; i++) {
        if (!(bits & (1u << i)))
            continue;
        int n = snprintf(buf + used, cap - used, "%s%s", used ? ", " : "", sym_names[i]);
        if (n < 0 || (size_t)n >= cap - used)
            return;
        used += (size_t)n;
    }
    if (!used)
        snprintf(buf, cap, "none");
}

/* The next item of a list value ("leak, bleeding", "balance:L hop:R"):
 * skips the separators before it (commas, blanks), leaves *p at its start
 * and returns its length; 0 at the end of the list. */
static size_t next_item(const char **p)
{
    *p += strspn(*p, " ,");
    return strcspn(*p, " ,");
}

/* "leak, bleeding" -> bits; false on an unknown word (named in bad). */
static bool parse_symptoms(const char *v, unsigned *out, char *bad, size_t badcap)
{
    *out = 0;
    if (!strcmp(v, "none"))
        return true;
    const char *p = v;
    size_t k;
    while ((k = next_item(&p)) > 0) {
        bool found = false;
        for (unsigned i = 0; i < sizeof sym_names / sizeof sym_names[0]; i++)
            if (strlen(sym_names[i]) == k && !strncmp(p, sym_names[i], k)) {
                *out |= 1u << i;
                found = true;
            }
        if (!found) {
            snprintf(bad, badcap, "%.*s", (int)(k < 40 ? k : 40), p);
            return false;
        }
        p += k;
    }
    return true;
}

static bool parse_int(const char *v, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (end == v || *end || errno || x < lo || x > hi)
        return false;
    *out = (int)x;
    return true;
}

/* "3" or "1-4" */
static bool parse_weeks(const char *v, int *from, int *to)
{
    char a[16], b[16];
    const char *dash = strchr(v, '-');
    if (!dash)
        return parse_int(v, 1, WEEK_MAX, from) && (*to = *from, true);
    size_t n = (size_t)(dash - v);
    if (n == 0 || n >= sizeof a || strlen(dash + 1) >= sizeof b)
        return false;
    memcpy(a, v, n);
    a[n] = '\0';
    snprintf(b, sizeof b, "%s", dash + 1);
    while (n > 0 && a[n - 1] == ' ')
        a[--n] = '\0';
    const char *bb = b;
    while (*bb == ' ')
        bb++;
    return parse_int(a, 1, WEEK_MAX, from) && parse_int(bb, 1, WEEK_MAX, to) && *from <= *to;
}

void program_test_req_describe(const struct program_test_req *r, char *buf, size_t cap)
{
    if (r->side)
        snprintf(buf, cap, "%s:%c", readiness_test_name(r->test), r->side);
    else
        snprintf(buf, cap, "%s", readiness_test_name(r->test));
}

/* "balance:L, balance:R, jog-on-spot" -> s->requires; false with the
 * sentence in why. */
static bool parse_requires(const char *v, struct program_step *s, char *why, size_t cap)
{
    s->n_requires = 0;
    if (!strcmp(v, "none"))
        return true;
    const char *p = v;
    size_t k;
    while ((k = next_item(&p)) > 0) {
        char item[40], name[40];
        snprintf(item, sizeof item, "%.*s", (int)(k < 39 ? k : 39), p);
        p += k;
        char *colon = strchr(item, ':');
        char side = 0;
        snprintf(name, sizeof name, "%s", item);
        if (colon) {
            name[colon - item] = '\0';
            if (strcmp(colon + 1, "L") && strcmp(colon + 1, "R")) {
                snprintf(why, cap, "'%s' in requires_tests: the side is :L or :R", item);
                return false;
            }
            side = colon[1];
        }
        struct program_test_req r;
        if (!readiness_test_parse(name, &r.test)) {
            snprintf(why, cap,
                     "unknown test '%s' in requires_tests (use balance, hop, calf-raise, squat "
                     "with :L or :R, and jog-on-spot)",
                     name);
            return false;
        }
        if (r.test == READINESS_JOG_SPOT && side) {
            snprintf(why, cap,
                     "'%s' in requires_tests: jog-on-spot measures both sides, write it without "
                     ":L or :R",
                     item);
            return false;
        }
        if (r.test != READINESS_JOG_SPOT && !side) {
            snprintf(why, cap,
                     "'%s' in requires_tests is tested on one side: write %s:L and/or %s:R", name,
                     readiness_test_name(r.test), readiness_test_name(r.test));
            return false;
        }
        r.side = side;
        for (size_t i = 0; i < s->n_requires; i++)
            if (s->requires[i].test == r.test && s->requires[i].side == r.side) {
                snprintf(why, cap, "'%s' is given twice in requires_tests", item);
                return false;
            }
        if (s->n_requires == PROGRAM_MAX_TESTS) {
            snprintf(why, cap, "more than %d tests in requires_tests", PROGRAM_MAX_TESTS);
            return false;
        }
        s->requires[s->n_requires++] = r;
    }
    if (s->n_requires == 0) {
        snprintf(why, cap, "requires_tests names no test (list them, or write none)");
        return false;
    }
    return true;
}

/* Checks of a finished [step]. */
static void end_step(struct parse *ps)
{
    struct program_step *s = ps->cur;
    if (!s || ps->in.failed)
        return;
    ps->cur = NULL;
    if (!s->protocol[0]) {
        ini_lines_fail(&ps->in, ps->step_line, "step %zu has no 'protocol' (the session it runs)",
                       ps->prog->n_steps);
        return;
    }
    if (!s->week_from) {
        ini_lines_fail(&ps->in, ps->step_line, "step %zu has no 'weeks' (e.g. weeks = 1-4)",
                       ps->prog->n_steps);
        return;
    }
    if (!s->name[0])
        snprintf(s->name, sizeof s->name, "step %zu", ps->prog->n_steps);
    if (!s->sessions_per_week)
        s->sessions_per_week = 3;
    if (!s->advance_after) /* the planned sessions of the step, all clean */
        s->advance_after = s->sessions_per_week * (s->week_to - s->week_from + 1);
}

#define K(n) (1u << (n))

static int step_key(struct parse *ps, const char *name, const char *v)
{
    static const char *const keys[] = {"name",     "weeks",         "sessions_per_week",
                                       "protocol", "advance_after", "requires_tests"};
    unsigned bit = 0;
    for (unsigned i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(name, keys[i]))
            bit = K(i);
    if (!bit) {
        ini_lines_fail(
            &ps->in, ps->in.line,
            "unknown key '%s' in [step] (known: name, weeks, sessions_per_week, protocol, "
            "advance_after, requires_tests)",
            name);
        return 0;
    }
    if (ps->seen & bit) {
        ini_lines_fail(&ps->in, ps->in.line, "'%s' is given twice in this [step]", name);
        return 0;
    }
    ps->seen |= bit;
    struct program_step *s = ps->cur;
    if (bit == K(0) && !ini_printable_name(s->name, sizeof s->name, v))
        ini_lines_fail(&ps->in, ps->in.line, "step name must be 1 to %d printable characters",
                       PROGRAM_NAME_MAX - 1);
    else if (bit == K(1) && !parse_weeks(v, &s->week_from, &s->week_to))
        ini_lines_fail(&ps->in, ps->in.line,
                       "weeks must be a week or a range like 1-4 (weeks 1 to %d), not '%s'",
                       WEEK_MAX, v);
    else if (bit == K(2) && !parse_int(v, 1, PER_WEEK_MAX, &s->sessions_per_week))
        ini_lines_fail(&ps->in, ps->in.line,
                       "sessions_per_week must be a whole number from 1 to %d, not '%s'",
                       PER_WEEK_MAX, v);
    else if (bit == K(3) && !ini_printable_name(s->protocol, sizeof s->protocol, v))
        ini_lines_fail(&ps->in, ps->in.line,
                       "protocol must be a preset name or file of 1 to %d characters",
                       PLAN_NAME_MAX - 1);
    else if (bit == K(4) && !parse_int(v, 1, ADVANCE_MAX, &s->advance_after))
        ini_lines_fail(&ps->in, ps->in.line,
                       "advance_after must be a whole number of sessions from 1 to %d, not '%s'",
                       ADVANCE_MAX, v);
    else if (bit == K(5)) {
        char why[160];
        if (!parse_requires(v, s, why, sizeof why))
            ini_lines_fail(&ps->in, ps->in.line, "%s", why);
    }
    return !ps->in.failed;
}

static int gate_key(struct parse *ps, const char *name, const char *v)
{
    static const char *const keys[] = {"pain_threshold", "repeat_on", "step_back_on",
                                       "step_back_after", "lefs_drop"};
    unsigned bit = 0;
    for (unsigned i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(name, keys[i]))
            bit = K(i);
    if (!bit) {
        ini_lines_fail(
            &ps->in, ps->in.line,
            "unknown key '%s' in [gate] (known: pain_threshold, repeat_on, step_back_on, "
            "step_back_after, lefs_drop)",
            name);
        return 0;
    }
    if (ps->seen & bit) {
        ini_lines_fail(&ps->in, ps->in.line, "'%s' is given twice in [gate]", name);
        return 0;
    }
    ps->seen |= bit;
    struct program_gate *g = &ps->prog->gate;
    char bad[48];
    if (bit == K(0) && !parse_int(v, 1, 10, &g->pain_threshold))
        ini_lines_fail(&ps->in, ps->in.line,
                       "pain_threshold must be a pain score from 1 to 10 (NPRS), not '%s'", v);
    else if (bit == K(1) &&
             !(ps->repeat_given = true, parse_symptoms(v, &g->repeat_on, bad, sizeof bad)))
        ini_lines_fail(&ps->in, ps->in.line,
                       "unknown symptom '%s' in repeat_on (use pain, leak, heaviness, bleeding, "
                       "lefs-drop or none)",
                       bad);
    else if (bit == K(2) && !parse_symptoms(v, &g->step_back_on, bad, sizeof bad))
        ini_lines_fail(&ps->in, ps->in.line,
                       "unknown symptom '%s' in step_back_on (use pain, leak, heaviness, bleeding, "
                       "lefs-drop or none)",
                       bad);
    else if (bit == K(3) && !parse_int(v, 1, STEP_BACK_MAX, &g->step_back_after))
        ini_lines_fail(&ps->in, ps->in.line,
                       "step_back_after must be a whole number from 1 to %d, not '%s'",
                       STEP_BACK_MAX, v);
    else if (bit == K(4) && !parse_int(v, 0, LEFS_MAX, &g->lefs_drop))
        ini_lines_fail(&ps->in, ps->in.line, "lefs_drop must be LEFS points from 0 to %d, not '%s'",
                       LEFS_MAX, v);
    return !ps->in.failed;
}

static int program_key(struct parse *ps, const char *name, const char *v)
{
    static const char *const keys[] = {"name", "description", "source"};
    unsigned bit = 0;
    for (unsigned i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(name, keys[i]))
            bit = K(i);
    if (!bit) {
        ini_lines_fail(&ps->in, ps->in.line,
                       "unknown key '%s' in [program] (known: name, description, source)", name);
        return 0;
    }
    if (ps->seen & bit) {
        ini_lines_fail(&ps->in, ps->in.line, "'%s' is given twice in [program]", name);
        return 0;
    }
    ps->seen |= bit;
    struct program *p = ps->prog;
    if (bit == K(0) && !ini_printable_name(p->name, sizeof p->name, v))
        ini_lines_fail(&ps->in, ps->in.line, "program name must be 1 to %d printable characters",
                       PROGRAM_NAME_MAX - 1);
    else if (bit == K(1))
        snprintf(p->description, sizeof p->description, "%s", v);
    else if (bit == K(2))
        snprintf(p->source, sizeof p->source, "%s", v);
    return !ps->in.failed;
}

static int readiness_key(struct parse *ps, const char *name, const char *v)
{
    static const char *const keys[] = {"balance_hold_s", "hop_count", "jog_s", "calf_raise_count",
                                       "squat_count"};
    for (unsigned i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(name, keys[i])) {
            if (ps->seen & K(i)) {
                ini_lines_fail(&ps->in, ps->in.line, "'%s' is given twice in [readiness]", name);
                return 0;
            }
            ps->seen |= K(i);
        }
    struct gc_diag cd;
    if (readiness_criteria_set(&ps->prog->readiness, name, v, &cd) != GC_OK)
        ini_lines_fail(&ps->in, ps->in.line, "%s", cd.msg);
    return !ps->in.failed;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    struct parse *ps = user;
    if (ps->in.failed)
        return 0;
    if (ps->in.section_seq != ps->handled_seq) {
        end_step(ps);
        if (ps->in.failed)
            return 0;
        ps->handled_seq = ps->in.section_seq;
        ps->seen = 0;
        if (!strcmp(section, "program")) {
            ps->sec = SEC_PROGRAM;
        } else if (!strcmp(section, "gate")) {
            if (ps->gate_seen) {
                ini_lines_fail(&ps->in, ps->in.header_line,
                               "[gate] is given twice; one program has one set of rules");
                return 0;
            }
            ps->gate_seen = true;
            ps->sec = SEC_GATE;
        } else if (!strcmp(section, "readiness")) {
            if (ps->readiness_seen) {
                ini_lines_fail(&ps->in, ps->in.header_line, "[readiness] is given twice");
                return 0;
            }
            ps->readiness_seen = true;
            ps->sec = SEC_READINESS;
        } else if (!strcmp(section, "step")) {
            if (ps->prog->n_steps == PROGRAM_MAX_STEPS) {
                ini_lines_fail(&ps->in, ps->in.line, "more than %d steps", PROGRAM_MAX_STEPS);
                return 0;
            }
            ps->sec = SEC_STEP;
            ps->cur = &ps->prog->steps[ps->prog->n_steps++];
            ps->step_line = ps->in.header_line;
        } else if (!section[0]) {
            ini_lines_fail(&ps->in, ps->in.line,
                           "'%s' is outside any section: start with [program]", name);
            return 0;
        } else {
            ini_lines_fail(&ps->in, ps->in.header_line,
                           "unknown section [%s] (use [program], [gate], [readiness] or [step])",
                           section);
            return 0;
        }
    }
    if (!value[0]) {
        ini_lines_fail(&ps->in, ps->in.line, "'%s' has no value", name);
        return 0;
    }
    switch (ps->sec) {
    case SEC_PROGRAM:
        return program_key(ps, name, value);
    case SEC_GATE:
        return gate_key(ps, name, value);
    case SEC_STEP:
        return step_key(ps, name, value);
    case SEC_READINESS:
        return readiness_key(ps, name, value);
    case SEC_NONE:
        break;
    }
    return 0;
}

int program_parse(const char *text, size_t len, struct program *out, struct gc_diag *diag)
{
    struct parse ps;
    memset(&ps, 0, sizeof ps);
    memset(out, 0, sizeof *out);
    ini_lines_init(&ps.in, text, len);
    ps.prog = out;
    ps.handled_seq = -1;
    out->gate.pain_threshold = 4;
    out->gate.repeat_on = PROGRAM_SYM_PAIN;
    out->gate.step_back_after = 2;
    readiness_criteria_default(&out->readiness);
    if (memchr(text, '\0', len))
        ini_lines_fail(&ps.in, 0, "the file contains a NUL byte: it is not a text program file");
    ini_lines_run(&ps.in, handler, &ps);
    end_step(&ps);
    if (!ps.repeat_given)
        out->gate.repeat_on &= ~out->gate.step_back_on;
    if (!ps.in.failed && !out->name[0])
        ini_lines_fail(&ps.in, 0, "the program has no name (name = ... in [program])");
    if (!ps.in.failed && out->n_steps == 0)
        ini_lines_fail(&ps.in, 0, "the program has no [step] sections");
    if (!ps.in.failed && (out->gate.repeat_on & out->gate.step_back_on)) {
        char both[80];
        program_symptoms_describe(out->gate.repeat_on & out->gate.step_back_on, both, sizeof both);
        ini_lines_fail(&ps.in, 0, "%s is both in repeat_on and step_back_on: give it one rule",
                       both);
    }
    for (size_t i = 1; i < out->n_steps && !ps.in.failed; i++)
        if (out->steps[i].week_from < out->steps[i - 1].week_from)
            ini_lines_fail(&ps.in, 0,
                           "step %zu ('%s') is planned before step %zu: keep the steps in order",
                           i + 1, out->steps[i].name, i);
    return ini_lines_result(&ps.in, diag);
}

int program_sessions_planned(const struct program *p)
{
    int n = 0;
    for (size_t i = 0; i < p->n_steps; i++)
        n += p->steps[i].advance_after;
    return n;
}
