/* fhir_codes.c - the codes and units of the FHIR export (fhir_codes.h). */
#include "fhir_codes.h"

#include <string.h>

#include "session.h"

/* clang-format off */
#define LOCAL(c, d) {FHIR_CS_LOCAL, c, d}
/* clang-format on */

/* Counts are whole steps; shares are percent of steps, printed as the
 * report prints them (SESSION_DEC_SHARE). */
static const struct fhir_fig_def figs[FHIR_FIG_COUNT] = {
    [FHIR_FIG_STEPS] = {LOCAL("steps", "Number of steps"), {"{steps}", "steps", 0}},
    [FHIR_FIG_CADENCE] = {LOCAL("cadence", "Cadence"), {"/min", "steps/min", SESSION_DEC_CADENCE}},
    [FHIR_FIG_CONTACT] = {LOCAL("contact-time", "Ground contact time"),
                          {"ms", "ms", SESSION_DEC_CONTACT}},
    [FHIR_FIG_IMPACT_PEAK] = {LOCAL("impact-peak", "Vertical impact peak"),
                              {"{BW}", "BW", SESSION_DEC_PEAK_BW}},
    [FHIR_FIG_ACTIVE_PEAK] = {LOCAL("active-peak", "Vertical active peak"),
                              {"{BW}", "BW", SESSION_DEC_PEAK_BW}},
    [FHIR_FIG_VALR] = {LOCAL("valr", "Vertical average loading rate (VALR)"),
                       {"{BW}/s", "BW/s", SESSION_DEC_RATE}},
    [FHIR_FIG_VILR] = {LOCAL("vilr", "Vertical instantaneous loading rate (VILR)"),
                       {"{BW}/s", "BW/s", SESSION_DEC_RATE}},
    [FHIR_FIG_IN_BAND] = {LOCAL("in-band-share", "Steps inside the cadence band"),
                          {"%", "%", SESSION_DEC_SHARE}},
    [FHIR_FIG_UNDER_CEILING] = {LOCAL("under-ceiling-share", "Steps at or under the VALR ceiling"),
                                {"%", "%", SESSION_DEC_SHARE}},
    [FHIR_FIG_VALR_OVER_66] = {LOCAL("valr-over-66-share", "Steps with VALR over 66 BW/s"),
                               {"%", "%", SESSION_DEC_SHARE}},
    [FHIR_FIG_SI_CONTACT] = {LOCAL("si-contact-time", "Symmetry index of contact time"),
                             {"%", "%", SESSION_DEC_SI}},
    [FHIR_FIG_SI_VALR] = {LOCAL("si-valr", "Symmetry index of VALR"), {"%", "%", SESSION_DEC_SI}},
};

static const struct fhir_fig_def comps[FHIR_COMP_COUNT] = {
    [FHIR_COMP_STEPS_LEFT] = {LOCAL("steps-left", "Number of left steps"), {"{steps}", "steps", 0}},
    [FHIR_COMP_STEPS_RIGHT] = {LOCAL("steps-right", "Number of right steps"),
                               {"{steps}", "steps", 0}},
    [FHIR_COMP_CONTACT_LEFT] = {LOCAL("contact-time-left", "Ground contact time, left"),
                                {"ms", "ms", SESSION_DEC_CONTACT}},
    [FHIR_COMP_CONTACT_RIGHT] = {LOCAL("contact-time-right", "Ground contact time, right"),
                                 {"ms", "ms", SESSION_DEC_CONTACT}},
    [FHIR_COMP_VALR_LEFT] = {LOCAL("valr-left", "VALR, left"),
                             {"{BW}/s", "BW/s", SESSION_DEC_RATE}},
    [FHIR_COMP_VALR_RIGHT] = {LOCAL("valr-right", "VALR, right"),
                              {"{BW}/s", "BW/s", SESSION_DEC_RATE}},
    [FHIR_COMP_IMPACT_STEPS] = {LOCAL("impact-peak-steps", "Number of steps with an impact peak"),
                                {"{steps}", "steps", 0}},
};

const struct fhir_code fhir_code_body_weight = {FHIR_CS_LOINC, "29463-7", "Body weight"};
const struct fhir_code fhir_code_session_report =
    LOCAL("session-report", "Gait retraining session report");
const struct fhir_code fhir_code_category_activity = {FHIR_CS_OBS_CATEGORY, "activity", "Activity"};
const struct fhir_unit fhir_unit_body_weight = {"kg", "kg", 1};
const struct fhir_code fhir_code_pain = {FHIR_CS_LOINC, "72514-3",
                                         "Pain severity - 0-10 verbal numeric rating [Score] - "
                                         "Reported"};
const struct fhir_unit fhir_unit_pain = {"{score}", "score", 0};

const struct fhir_code fhir_code_lefs =
    LOCAL("lefs", "Lower Extremity Functional Scale (LEFS) total score");
const struct fhir_unit fhir_unit_lefs = {"{score}", "score", 0};
const struct fhir_code fhir_code_symptom_report =
    LOCAL("symptom-report", "Symptom report of the course of care");
const struct fhir_code fhir_code_symptom_when =
    LOCAL("symptom-when", "Session the symptom report is about");
const struct fhir_code fhir_code_symptom_leak = LOCAL("symptom-leak", "Urinary leakage");
const struct fhir_code fhir_code_symptom_heaviness =
    LOCAL("symptom-heaviness", "Pelvic heaviness or dragging");
const struct fhir_code fhir_code_symptom_bleeding = LOCAL("symptom-bleeding", "Bleeding");
const struct fhir_code fhir_code_test_pass = LOCAL("test-pass", "Meets the criterion");
const struct fhir_code fhir_code_test_fail = LOCAL("test-fail", "Does not meet the criterion");

static const struct {
    const char *test;
    struct fhir_fig_def def;
} tests[] = {
    {"balance", {LOCAL("readiness-balance", "Single-leg balance hold time"), {"s", "s", 1}}},
    {"hop", {LOCAL("readiness-hop", "Single-leg hops"), {"{hops}", "hops", 0}}},
    {"jog-on-spot", {LOCAL("readiness-jog-on-spot", "Jogging on the spot time"), {"s", "s", 0}}},
    {"calf-raise",
     {LOCAL("readiness-calf-raise", "Single-leg calf raises"), {"{raises}", "raises", 0}}},
    {"squat", {LOCAL("readiness-squat", "Single-leg squats"), {"{squats}", "squats", 0}}},
};

const struct fhir_fig_def *fhir_test_def(const char *test)
{
    for (size_t i = 0; test && i < sizeof tests / sizeof tests[0]; i++)
        if (!strcmp(tests[i].test, test))
            return &tests[i].def;
    return NULL;
}

static const struct fhir_code categories[] = {
    {FHIR_CS_OBS_CATEGORY, "survey", "Survey"},
    {FHIR_CS_OBS_CATEGORY, "exam", "Exam"},
};

const struct fhir_code *fhir_category_code(const char *code)
{
    if (!code)
        return NULL;
    if (!strcmp(code, fhir_code_category_activity.code))
        return &fhir_code_category_activity;
    for (size_t i = 0; i < sizeof categories / sizeof categories[0]; i++)
        if (!strcmp(categories[i].code, code))
            return &categories[i];
    return NULL;
}

static const struct fhir_code phases[] = {
    LOCAL("phase-weigh-in", "Weigh-in phase"), LOCAL("phase-baseline", "Baseline phase"),
    LOCAL("phase-training", "Training phase"), LOCAL("phase-retention", "Retention phase"),
    LOCAL("phase-walk", "Walking interval"),   LOCAL("phase-run", "Running interval"),
    LOCAL("phase-session", "Whole session"),
};

const struct fhir_fig_def *fhir_fig_def(enum fhir_fig f)
{
    return (unsigned)f < FHIR_FIG_COUNT ? &figs[f] : NULL;
}

const struct fhir_fig_def *fhir_comp_def(enum fhir_comp c)
{
    return (unsigned)c < FHIR_COMP_COUNT ? &comps[c] : NULL;
}

const struct fhir_code *fhir_phase_code(const char *kind)
{
    if (!kind)
        return NULL;
    for (size_t i = 0; i < sizeof phases / sizeof phases[0]; i++)
        if (!strcmp(phases[i].code + strlen("phase-"), kind))
            return &phases[i];
    return NULL;
}

void fhir_local_codes_each(void (*fn)(const struct fhir_code *, void *), void *user)
{
    for (size_t i = 0; i < FHIR_FIG_COUNT; i++)
        fn(&figs[i].code, user);
    for (size_t i = 0; i < FHIR_COMP_COUNT; i++)
        fn(&comps[i].code, user);
    fn(&fhir_code_session_report, user);
    for (size_t i = 0; i < sizeof phases / sizeof phases[0]; i++)
        fn(&phases[i], user);
    const struct fhir_code *course[] = {
        &fhir_code_lefs,         &fhir_code_symptom_report,    &fhir_code_symptom_when,
        &fhir_code_symptom_leak, &fhir_code_symptom_heaviness, &fhir_code_symptom_bleeding,
        &fhir_code_test_pass,    &fhir_code_test_fail,
    };
    for (size_t i = 0; i < sizeof course / sizeof course[0]; i++)
        fn(course[i], user);
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
        fn(&tests[i].def.code, user);
}
