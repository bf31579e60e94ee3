/*
 * fhir.h - the patient's electronic file: a FHIR R4 Bundle (JSON) of
 * sessions and their figures, formatted from plain records into a buffer
 * the caller hands in.
 *
 * What the bundle holds (docs/interop.md):
 *   Patient           the clinic's code as its only identifier
 *                     (identifier_system|patient_code): no name, no birth
 *                     year, nothing else about the patient
 *   per session       a DiagnosticReport (code session-report, the status
 *                     text as conclusion, the session report PDF base64 in
 *                     presentedForm when given) whose result lists
 *                     Observations: body weight (LOINC 29463-7, kg), and for
 *                     each phase row the figures of fhir_codes.h (cadence,
 *                     contact time, impact and active peak, VALR, VILR,
 *                     shares in band / under ceiling / over 66 BW/s,
 *                     symmetry indices, steps), with left/right components;
 *                     a figure that does not exist (NAN: no step had it) is
 *                     left out, never invented
 *   type              collection, or transaction: the Patient as a
 *                     conditional create (ifNoneExist identifier=...), every
 *                     other resource a PUT to its stable id, so posting the
 *                     same bundle twice changes nothing
 *
 * Deterministic: the same records give the same bytes.  Ids are UUIDs made
 * from SHA-256 of a name (RFC 9562 version 8): "gaitcue|SYSTEM|CODE|..."
 * with the session id, the phase row key and the figure code, so a
 * resource keeps its id from one export to the next and nothing of the
 * patient is readable in it.  Times are UTC with an explicit offset
 * (2026-05-04T09:30:00.000+00:00).  Values are printed with session_fmt()
 * and the decimals of fhir_codes.h: equal, as text, to the report's.
 *
 * Pure: no I/O, no allocation.  Thread: any.
 */
#ifndef GC_FHIR_H
#define GC_FHIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gc_error.h"
#include "session.h"

/* The figures of one phase, or of the whole session. */
struct fhir_phase_row {
    const char *key;         /* unique within the session, [A-Za-z0-9-]: "phase-3", "session" */
    const char *kind;        /* plan_kind_name(), or "session" for every step */
    const char *name;        /* the phase's name as planned ("run 2/4") */
    int index;               /* phase index in the plan, -1 for the whole session */
    double from_utc, to_utc; /* period the figures cover, Unix s (NAN: left out) */
    struct session_stats stats;
};

/* Extension point (readiness tests, symptoms, pain: the course of care,
 * issue 14): any further coded figure of the session becomes one more
 * Observation in the session's DiagnosticReport. */
struct fhir_extra_obs {
    const char *key;    /* unique within the session, [A-Za-z0-9-] */
    const char *system; /* code system URI (FHIR_CS_LOCAL or LOINC) */
    const char *code;
    const char *display;
    double value;     /* NAN: the observation is left out */
    const char *ucum; /* UCUM unit code, e.g. "s", "{score}" */
    const char *unit; /* unit for people */
    int decimals;
    double at_utc;        /* when, Unix s */
    const char *category; /* observation-category code: "survey" (a score the
                           * runner reports), "exam" (a test the PT runs);
                           * NULL = "activity" */
};

struct fhir_session_rec {
    int64_t session_id;
    double start_utc;        /* Unix s */
    double end_utc;          /* Unix s, NAN while running */
    bool ended;              /* complete, stopped or interrupted: status final */
    const char *status_text; /* "complete", "stopped at 4:12 by the PT (ctl)", ... */
    const char *delivery;    /* how feedback reached the runner ("display: ...; sound:
                              * ..."), NULL or "" when not known */
    bool simulated;          /* the simulator was the sensor */
    const char *protocol;    /* protocol name (DiagnosticReport.code.text) */
    double body_weight_n;    /* N, NAN unknown */
    const struct fhir_phase_row *rows;
    size_t n_rows;
    const struct fhir_extra_obs *extra; /* may be NULL */
    size_t n_extra;
    const uint8_t *pdf; /* the session report, or NULL */
    size_t pdf_len;
};

enum fhir_bundle_type { FHIR_BUNDLE_COLLECTION = 0, FHIR_BUNDLE_TRANSACTION };

struct fhir_bundle_rec {
    const char *patient_code;      /* the clinic's code (store_code_valid) */
    const char *identifier_system; /* absolute URI (fhir_system_check) */
    enum fhir_bundle_type type;
    const struct fhir_session_rec *sessions;
    size_t n_sessions;
};

/* Is uri usable as the patient identifier's system?  An absolute URI
 * (scheme ":" rest), printable ASCII without spaces, quotes, '\', '<',
 * '>' or '|' (the search separator), at most 255 bytes.  GC_OK, or
 * GC_ERR_ARG with what is wrong in diag ("it is empty", ...: the caller
 * names the option or field). */
GC_MUST_CHECK int fhir_system_check(const char *uri, struct gc_diag *diag);

/* Format the bundle into buf (NUL-terminated).  *len receives the length
 * the bundle needs (without the NUL) whether or not it fits.  GC_OK when
 * it fit; GC_ERR_ARG with a sentence in diag when a record is unusable
 * (empty code, bad system, bad key) or buf is too small (call with
 * buf NULL, cap 0 first to learn the size). */
int fhir_bundle_format(const struct fhir_bundle_rec *b, char *buf, size_t cap, size_t *len,
                       struct gc_diag *diag);

/* The id (a UUID, 36 chars + NUL) the bundle gives a resource named by
 * parts joined with '|' under the patient's system and code; tests use
 * it to find resources.  name e.g. "session|12|phase-3|cadence". */
void fhir_resource_id(const char *system, const char *code, const char *name, char out[37]);

/* Unix seconds as "YYYY-MM-DDThh:mm:ss.sss+00:00" (UTC, ms rounded).
 * GC_ERR_ARG for a non-finite time or a year outside 1..9999. */
int fhir_format_utc(double unix_s, char out[32]);

/* ---- the course of care (station program report CODE --fhir) -------- */

/* A PROM as stored (store_course.h): LEFS 0-80 and NPRS 0-10, -1 when
 * not given.  Each given score is one Observation. */
struct fhir_prom_rec {
    int64_t id; /* the stored row's id: names the resources */
    double utc; /* Unix s */
    int lefs;
    int nprs;
};

/* A symptom report: one Observation, the pain (when given) and the
 * yes/no symptoms as components. */
struct fhir_symptom_rec {
    int64_t id;
    double utc;
    const char *when; /* "before", "during" or "after" (course_when_name) */
    int pain;         /* 0..10, -1 not given */
    const char *site; /* where the pain is, "" or NULL not given */
    bool leak, heaviness, bleeding;
    const char *note; /* "" or NULL none */
};

/* A readiness test result: one Observation, the test's main figure. */
struct fhir_test_rec {
    int64_t id;
    double utc;
    const char *test;      /* balance, hop, jog-on-spot, calf-raise, squat */
    char side;             /* 'L' or 'R' */
    bool pass;             /* against criterion */
    const char *criterion; /* as stated ("hold >= 10 s") */
    double value;          /* the figure the criterion judges (NAN: no value) */
    const char *summary;   /* every figure as printed, or NULL */
};

struct fhir_course_rec {
    const char *patient_code;      /* as fhir_bundle_rec */
    const char *identifier_system; /* as fhir_bundle_rec */
    enum fhir_bundle_type type;
    const struct fhir_prom_rec *proms;
    size_t n_proms;
    const struct fhir_symptom_rec *symptoms;
    size_t n_symptoms;
    const struct fhir_test_rec *tests;
    size_t n_tests;
};

/* The course bundle: the Patient exactly as fhir_bundle_format writes it
 * (same id, identifier, transaction request), then one Observation per
 * PROM score, per symptom report and per readiness test, in that order
 * (each in the order given), status final, effectiveDateTime UTC.  Ids
 * from "course|prom|ID|lefs", "course|prom|ID|nprs", "course|symptom|ID",
 * "course|test|ID" (fhir_resource_id).  Codes: fhir_codes.h.  Buffer and
 * errors as fhir_bundle_format (GC_ERR_ARG for an unknown test name or a
 * score out of range). */
int fhir_course_format(const struct fhir_course_rec *c, char *buf, size_t cap, size_t *len,
                       struct gc_diag *diag);

#endif
