/* test_plan - protocol files: presets, syntax, malformed files (line + reason). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "diag_text.h"
#include "gc_error.h"
#include "plan.h"
#include "plan_file.h"

static int parse(const char *text, struct plan *p, struct gc_diag *e)
{
    return plan_parse(text, strlen(text), p, e);
}

/* A malformed text must fail on `line` with a reason containing `why`. */
static void bad(const char *text, int line, const char *why)
{
    struct plan p;
    struct gc_diag e;
    int rc = parse(text, &p, &e);
    CHECK_EQ(rc, GC_ERR_FORMAT);
    CHECK_EQ(diag_line(&e), line);
    if (!strstr(diag_reason(&e), why))
        fprintf(stderr, "  reason was: '%s' (want '%s')\n", diag_reason(&e), why);
    CHECK(strstr(diag_reason(&e), why) != NULL);
}

static void test_presets(void)
{
    struct plan p;
    struct gc_diag e;
    char path[512];

    snprintf(path, sizeof path, "%s/cadence-retraining.ini", GC_PROTOCOL_DIR);
    CHECK_EQ(plan_load(path, &p, &e), GC_OK);
    CHECK(!strcmp(p.name, "cadence-retraining"));
    CHECK_EQ(p.n_phases, 4);
    CHECK_EQ(p.phases[0].kind, PLAN_KIND_WEIGH_IN);
    CHECK_NEAR(p.phases[0].duration_s, 15.0, 0);
    CHECK_EQ(p.phases[1].kind, PLAN_KIND_BASELINE);
    CHECK_NEAR(p.phases[1].duration_s, 180.0, 0);
    CHECK_EQ(p.phases[1].feedback, PLAN_FB_NONE);
    CHECK_EQ(p.phases[2].kind, PLAN_KIND_TRAINING);
    CHECK_EQ(p.phases[2].feedback, PLAN_FB_CONTINUOUS);
    CHECK_EQ(p.phases[2].cadence.ref, PLAN_REF_BASELINE_PCT);
    CHECK_NEAR(p.phases[2].cadence.value, 7.5, 0);
    CHECK_NEAR(p.phases[2].cadence_band_pct, 3.0, 0);
    CHECK_EQ(p.phases[2].valr_ceiling.ref, PLAN_REF_ABSOLUTE);
    CHECK_NEAR(p.phases[2].valr_ceiling.value, 66.0, 0);
    CHECK_EQ(p.phases[3].kind, PLAN_KIND_RETENTION);
    CHECK_EQ(p.phases[3].feedback, PLAN_FB_NONE);
    CHECK_NEAR(plan_total_s(&p), 15 + 180 + 600 + 180, 0);

    snprintf(path, sizeof path, "%s/impact-faded.ini", GC_PROTOCOL_DIR);
    CHECK_EQ(plan_load(path, &p, &e), GC_OK);
    int tr = plan_find_kind(&p, PLAN_KIND_TRAINING);
    CHECK_EQ(tr, 2);
    CHECK_EQ(p.phases[tr].feedback, PLAN_FB_FADED);
    CHECK_NEAR(p.phases[tr].fade_from, 1.0, 0);
    CHECK_NEAR(p.phases[tr].fade_to, 0.2, 1e-12);
    CHECK_EQ(p.phases[tr].valr_ceiling.ref, PLAN_REF_BASELINE_PCT);
    CHECK_NEAR(p.phases[tr].valr_ceiling.value, -20.0, 0);
    CHECK_EQ(p.phases[tr].cadence.ref, PLAN_REF_NONE);

    snprintf(path, sizeof path, "%s/walk-run-intro.ini", GC_PROTOCOL_DIR);
    CHECK_EQ(plan_load(path, &p, &e), GC_OK);
    /* weigh-in, warm-up walk, then 4 x (run 1 min, walk 4 min) */
    CHECK_EQ(p.n_phases, 2 + 8);
    CHECK(!strcmp(p.phases[2].name, "run 1/4"));
    CHECK_EQ(p.phases[2].kind, PLAN_KIND_RUN);
    CHECK_NEAR(p.phases[2].duration_s, 60, 0);
    CHECK_EQ(p.phases[2].feedback, PLAN_FB_BANDWIDTH);
    CHECK_NEAR(p.phases[2].cadence.value, 170, 0);
    CHECK_NEAR(p.phases[2].cadence_band_spm, 4, 0);
    CHECK(!strcmp(p.phases[3].name, "walk 1/4"));
    CHECK_EQ(p.phases[3].kind, PLAN_KIND_WALK);
    CHECK_NEAR(p.phases[3].duration_s, 240, 0);
    CHECK_EQ(p.phases[3].feedback, PLAN_FB_NONE);
    CHECK_EQ(p.phases[3].cadence.ref, PLAN_REF_NONE);
    CHECK(!strcmp(p.phases[9].name, "walk 4/4"));
    CHECK_EQ(p.phases[9].interval, 4);
    CHECK_NEAR(plan_total_s(&p), 15 + 180 + 4 * 300, 0);

    /* compressed time: every phase divided */
    plan_scale_time(&p, 10);
    CHECK_NEAR(plan_total_s(&p), (15 + 180 + 4 * 300) / 10.0, 1e-9);

    char desc[256];
    snprintf(path, sizeof path, "%s/cadence-retraining.ini", GC_PROTOCOL_DIR);
    CHECK_EQ(plan_load(path, &p, &e), GC_OK);
    plan_describe_phase(&p.phases[2], desc, sizeof desc);
    CHECK(!strcmp(desc, "cadence +7.5 % of baseline (band +/-3.0 %), VALR ceiling 66 BW/s, "
                        "feedback continuous"));
}

static void test_syntax(void)
{
    struct plan p;
    struct gc_diag e;
    /* durations in every accepted spelling, indented keys, comments */
    const char *ok = "# comment\n"
                     "[protocol]\n"
                     "  name = t ; inline comment\n"
                     "[phase]\n"
                     "\tkind = baseline\n"
                     "  duration = 1:30\n"
                     "[phase]\n"
                     "kind = training\n"
                     "duration = 2.5 min\n"
                     "cadence = 172 spm\n"
                     "cadence_band = 4 spm\n"
                     "loading_ceiling = -10 %\n"
                     "[phase]\n"
                     "kind = run\n"
                     "duration = 45 s\n";
    CHECK_EQ(parse(ok, &p, &e), GC_OK);
    CHECK(!strcmp(p.name, "t"));
    CHECK_EQ(p.n_phases, 3);
    CHECK_NEAR(p.phases[0].duration_s, 90, 0);
    CHECK(!strcmp(p.phases[0].name, "baseline"));
    CHECK_NEAR(p.phases[1].duration_s, 150, 0);
    CHECK_EQ(p.phases[1].cadence.ref, PLAN_REF_ABSOLUTE);
    CHECK_NEAR(p.phases[1].cadence.value, 172, 0);
    CHECK_NEAR(p.phases[1].cadence_band_spm, 4, 0);
    CHECK_NEAR(p.phases[1].cadence_band_pct, 0, 0);
    CHECK_EQ(p.phases[1].valr_ceiling.ref, PLAN_REF_BASELINE_PCT);
    CHECK_NEAR(p.phases[1].valr_ceiling.value, -10, 0);
    CHECK_NEAR(p.phases[2].duration_s, 45, 0);
    /* two [phase] sections with identical keys are two phases */
    CHECK_EQ(
        parse("[phase]\nkind=run\nduration=1 min\n[phase]\nkind=run\nduration=1 min\n", &p, &e),
        GC_OK);
    CHECK_EQ(p.n_phases, 2);
    CHECK(!strcmp(p.name, "unnamed"));
}

static void test_malformed(void)
{
    bad("", 0, "no [phase]");
    bad("[protocol]\nname = x\n", 0, "no [phase]");
    bad("[phase]\nkind = baseline\nduration = 3 min\nthis line is wrong\n", 4,
        "expected '[section]' or 'key = value'");
    bad("[phase]\nkind = jogging\nduration = 3 min\n", 2, "unknown kind 'jogging'");
    bad("[phase]\nkind = baseline\nduration = three minutes\n", 3, "cannot read duration");
    bad("[phase]\nkind = baseline\nduration = 3 hours\n", 3, "cannot read duration");
    bad("[phase]\nkind = baseline\nduration = 0 s\n", 3, "more than 0");
    bad("[phase]\nkind = baseline\nduration = 5 min\nduration = 3 min\n", 4, "given twice");
    bad("[phase]\nkind = baseline\nspeed = 3\n", 3, "unknown key 'speed'");
    bad("[phase]\nkind = baseline\n\n[phase]\nduration = 3 min\n", 1, "has no 'duration'");
    bad("[phase]\nkind = baseline\nduration = 3 min\n\n[phase]\nduration = 3 min\n", 5,
        "has no 'kind'");
    bad("[session]\nname = x\n", 2, "unknown section [session]");
    bad("name = x\n", 1, "outside any section");
    bad("[phase]\nkind = training\nduration = 3 min\ncadence = +7.5 %\n", 0,
        "no baseline phase comes before it");
    bad("[phase]\nkind = training\nduration = 3 min\ncadence = fast\n", 4, "cannot read cadence");
    bad("[phase]\nkind = training\nduration = 3 min\ncadence = 400 spm\n", 4, "outside 60..260");
    bad("[phase]\nkind = training\nduration = 3 min\nfeedback = loud\n", 4,
        "unknown feedback mode 'loud'");
    bad("[phase]\nkind = training\nduration = 3 min\nfade_to = 150 %\n", 4, "fade_to must be");
    bad("[phase]\nkind = intervals\nrun = 1 min\nwalk = 4 min\n", 1,
        "needs 'run', 'walk' and "
        "'repeat'");
    bad("[phase]\nkind = intervals\nrun = 1 min\nwalk = 4 min\nrepeat = 99\n", 5, "repeat must be");
    bad("[phase]\nkind = run\nduration = 1 min\nrepeat = 2\n", 1, "belong in a phase of kind");
    bad("[phase]\nkind = run\nduration =\n", 3, "has no value");
    char longline[400];
    memset(longline, 'x', sizeof longline);
    memcpy(longline, "[phase]\nkind = run\nname = ", 26);
    longline[sizeof longline - 1] = '\0';
    bad(longline, 3, "longer than");
    char nul[] = "[phase]\nkind = run\0\nduration = 1 min\n";
    struct plan p;
    struct gc_diag e;
    CHECK_EQ(plan_parse(nul, sizeof nul - 1, &p, &e), GC_ERR_FORMAT);
    CHECK_EQ(diag_line(&e), 2);
    CHECK_EQ(plan_load("/nonexistent/protocol.ini", &p, &e), GC_ERR_NOT_FOUND);
}

int main(void)
{
    test_presets();
    test_syntax();
    test_malformed();
    return check_exit();
}
