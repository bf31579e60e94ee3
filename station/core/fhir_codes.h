/*
 * fhir_codes.h - the codes and units of the FHIR export, in one table.
 *
 * Every figure the export writes has one row here: its code (LOINC where
 * a code exists and fits, else the station's own CodeSystem), the UCUM
 * unit, and the decimals it is printed with (session.h's, so a value in
 * the bundle is the report's figure to the last digit).
 *
 * Standard codes used (docs/interop.md lists the sources):
 *   LOINC 29463-7 "Body weight" (kg): checked in the LOINC 2.81 expansion
 *     of the FHIR vital-signs body-weight value set (tx.fhir.org).
 *   LOINC 72514-3 "Pain severity - 0-10 verbal numeric rating [Score] -
 *     Reported" ({score}): the LOINC code the HL7 Belgium and ANS (France)
 *     implementation guides bind their 0-10 pain scale to.
 *   observation-category "activity" (terminology.hl7.org, FHIR R4).
 * Everything else has no LOINC code that fits and is local:
 *   FHIR_CS_LOCAL, defined with definitions in
 *   station/data/fhir/gaitcue-codesystem.json (a test checks that every
 *   local code and display below is in that file, and nothing more).
 *   LOINC 55423-8 ("Number of steps in unspecified time Pedometer") was
 *   considered for the step count and not used: its method is a pedometer
 *   and its property a rate (NRat), while the station counts contacts on a
 *   force-instrumented deck.
 *
 * Units: UCUM (http://unitsofmeasure.org).  Figures normalised to body
 * weight use the UCUM annotation {BW}: "{BW}" is a multiple of body
 * weight (dimensionless), "{BW}/s" a loading rate in body weights per
 * second; both are valid UCUM expressions (an annotation in braces is
 * unity), so a consumer that converts units still gets the dimension right.
 *
 * Pure data; any thread.
 */
#ifndef GC_FHIR_CODES_H
#define GC_FHIR_CODES_H

#include <stddef.h>

#define FHIR_CS_LOINC        "http://loinc.org"
#define FHIR_CS_UCUM         "http://unitsofmeasure.org"
#define FHIR_CS_OBS_CATEGORY "http://terminology.hl7.org/CodeSystem/observation-category"
/* The station's own CodeSystem (canonical URL; the .invalid top-level
 * domain is reserved by RFC 2606 and never resolves: the URL names the
 * system, the definitions ship in station/data/fhir/). */
#define FHIR_BASE_URL "https://gaitcue.invalid/fhir"
#define FHIR_CS_LOCAL FHIR_BASE_URL "/CodeSystem/gaitcue"
/* The complex extension that says which phase of the session a figure
 * covers (sub-extensions: kind = a phase-* code, name, index). */
#define FHIR_EXT_PHASE FHIR_BASE_URL "/StructureDefinition/session-phase"
/* Default system of the patient identifier (the clinic's code); a clinic
 * passes its own with --fhir-system. */
#define FHIR_DEFAULT_PATIENT_SYSTEM FHIR_BASE_URL "/sid/clinic-code"

/* A coded concept. */
struct fhir_code {
    const char *system;
    const char *code;
    const char *display;
};

/* The figures of one phase (or of the whole session).  Order = order of
 * the Observations in the bundle. */
enum fhir_fig {
    FHIR_FIG_STEPS = 0,
    FHIR_FIG_CADENCE,
    FHIR_FIG_CONTACT,
    FHIR_FIG_IMPACT_PEAK,
    FHIR_FIG_ACTIVE_PEAK,
    FHIR_FIG_VALR,
    FHIR_FIG_VILR,
    FHIR_FIG_IN_BAND,
    FHIR_FIG_UNDER_CEILING,
    FHIR_FIG_VALR_OVER_66,
    FHIR_FIG_SI_CONTACT,
    FHIR_FIG_SI_VALR,
    FHIR_FIG_COUNT
};

/* Components (parts of one figure: left and right). */
enum fhir_comp {
    FHIR_COMP_STEPS_LEFT = 0,
    FHIR_COMP_STEPS_RIGHT,
    FHIR_COMP_CONTACT_LEFT,
    FHIR_COMP_CONTACT_RIGHT,
    FHIR_COMP_VALR_LEFT,
    FHIR_COMP_VALR_RIGHT,
    FHIR_COMP_IMPACT_STEPS,
    FHIR_COMP_COUNT
};

/* A quantity's unit: UCUM code and what people read. */
struct fhir_unit {
    const char *ucum; /* e.g. "/min", "{BW}/s" */
    const char *text; /* e.g. "steps/min", "BW/s" */
    int decimals;     /* session.h's SESSION_DEC_* for this figure */
};

struct fhir_fig_def {
    struct fhir_code code;
    struct fhir_unit unit;
};

const struct fhir_fig_def *fhir_fig_def(enum fhir_fig f);
const struct fhir_fig_def *fhir_comp_def(enum fhir_comp c);

/* Codes that are not figures. */
extern const struct fhir_code fhir_code_body_weight;    /* LOINC 29463-7 */
extern const struct fhir_code fhir_code_session_report; /* DiagnosticReport.code */
extern const struct fhir_code fhir_code_category_activity;
/* observation-category "activity", "survey" or "exam"; NULL otherwise. */
const struct fhir_code *fhir_category_code(const char *code);
extern const struct fhir_unit fhir_unit_body_weight; /* kg, 1 decimal */
/* LOINC 72514-3 "Pain severity - 0-10 verbal numeric rating [Score] -
 * Reported" (a pain marker of the session), unit {score}, whole numbers. */
extern const struct fhir_code fhir_code_pain;
extern const struct fhir_unit fhir_unit_pain;

/* The course of care (fhir_course_format).  LEFS: local code "lefs"
 * ({score}, whole numbers): LOINC 75575-0 is cited for it elsewhere but
 * could not be confirmed against LOINC's own documentation, so the
 * station does not use it (docs/interop.md).  NPRS: fhir_code_pain. */
extern const struct fhir_code fhir_code_lefs;
extern const struct fhir_unit fhir_unit_lefs;
/* A symptom report and its components: when (valueString before /
 * during / after), pain (fhir_code_pain), leak, heaviness, bleeding
 * (valueBoolean). */
extern const struct fhir_code fhir_code_symptom_report;
extern const struct fhir_code fhir_code_symptom_when;
extern const struct fhir_code fhir_code_symptom_leak;
extern const struct fhir_code fhir_code_symptom_heaviness;
extern const struct fhir_code fhir_code_symptom_bleeding;
/* A readiness test's interpretation against its criterion. */
extern const struct fhir_code fhir_code_test_pass;
extern const struct fhir_code fhir_code_test_fail;
/* A readiness test's code and the unit of its main figure: balance (hold
 * time, s), hop ({hops}), jog-on-spot (s), calf-raise ({raises}), squat
 * ({squats}).  NULL for an unknown test. */
const struct fhir_fig_def *fhir_test_def(const char *test);

/* The phase codes (extension FHIR_EXT_PHASE): kind "weigh-in", "baseline",
 * "training", "retention", "walk", "run" (plan_kind_name) or "session"
 * (every step).  NULL for an unknown kind. */
const struct fhir_code *fhir_phase_code(const char *kind);

/* Every local code, for the test that holds the CodeSystem file to this
 * table: calls fn once per local code. */
void fhir_local_codes_each(void (*fn)(const struct fhir_code *, void *), void *user);

#endif
