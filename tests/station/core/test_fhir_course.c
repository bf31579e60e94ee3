/* test_fhir_course - the course-of-care bundle (fhir_course_format) on a
 * record with known values: the JSON parses, the Patient is the session
 * export's, each PROM score, symptom report and readiness test is one
 * Observation with the record's value, unit, time, components,
 * interpretation and criterion; ids stable and unique; the same record
 * gives the same bytes; refusals; a buffer too small. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fhir.h"
#include "fhir_codes.h"

#define SYS "urn:oid:1.2.3.4"
#define T0  1780000000.0 /* 2026-05-28T20:26:40Z */

static const struct fhir_prom_rec proms[] = {
    {7, T0, 58, 3},
    {9, T0 + 86400, 66, -1}, /* NPRS not given: no Observation */
    {11, T0 + 2 * 86400, -1, 0},
};
static const struct fhir_symptom_rec syms[] = {
    {4, T0 + 3600, "after", 4, "left knee", true, false, false, "after the \"stairs\"\n"},
    {5, T0 + 7200, "before", -1, "", false, true, true, NULL},
};
static const struct fhir_test_rec tests[] = {
    {21, T0 + 600, "balance", 'L', true, "hold >= 10 s", 20.017, "hold 20.0 s"},
    {22, T0 + 660, "balance", 'R', false, "hold >= 10 s", 6.023, NULL},
    {23, T0 + 720, "hop", 'R', true, ">= 10 hops", 10, "10 hops"},
    {24, T0 + 780, "squat", 'L', false, ">= 10 squats", NAN, NULL},
    {25, T0 + 840, "jog-on-spot", 'L', true, ">= 59 s of jogging", 60.4, NULL},
};

static struct fhir_course_rec rec(void)
{
    return (struct fhir_course_rec){"RUN-0042", SYS, FHIR_BUNDLE_COLLECTION, proms, 3, syms, 2,
                                    tests,      5};
}

static char *format(const struct fhir_course_rec *c, size_t *len_out)
{
    size_t need = 0, len = 0;
    struct gc_diag d;
    CHECK(fhir_course_format(c, NULL, 0, &need, &d) == GC_ERR_ARG); /* sizing */
    CHECK(need > 0);
    char *buf = malloc(need + 1);
    int rc = fhir_course_format(c, buf, need + 1, &len, &d);
    CHECK_MSG(rc == GC_OK, d.msg);
    CHECK_EQ(len, need);
    CHECK_EQ(strlen(buf), len);
    if (len_out)
        *len_out = len;
    return buf;
}

static const cJSON *item(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *s_of(const cJSON *o, const char *k)
{
    const char *s = cJSON_GetStringValue(item(o, k));
    return s ? s : "";
}

static const cJSON *by_id(const cJSON *bundle, const char *id)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, item(bundle, "entry"))
    {
        const cJSON *r = item(e, "resource");
        if (!strcmp(s_of(r, "id"), id))
            return r;
    }
    return NULL;
}

static const cJSON *obs(const cJSON *bundle, const char *name)
{
    char id[37];
    fhir_resource_id(SYS, "RUN-0042", name, id);
    const cJSON *r = by_id(bundle, id);
    CHECK_MSG(r != NULL, name);
    return r;
}

static const char *code_of(const cJSON *concept, const char **system)
{
    const cJSON *c = cJSON_GetArrayItem(item(concept, "coding"), 0);
    if (system)
        *system = s_of(c, "system");
    return s_of(c, "code");
}

static double qty(const cJSON *o, const char **ucum)
{
    const cJSON *q = item(o, "valueQuantity");
    if (ucum)
        *ucum = s_of(q, "code");
    return q ? cJSON_GetNumberValue(item(q, "value")) : NAN;
}

static const cJSON *comp(const cJSON *o, const char *code)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, item(o, "component"))
    {
        if (!strcmp(code_of(item(c, "code"), NULL), code))
            return c;
    }
    return NULL;
}

static void test_values(void)
{
    struct fhir_course_rec c = rec();
    size_t len;
    char *buf = format(&c, &len);
    cJSON *b = cJSON_Parse(buf);
    CHECK_MSG(b != NULL, "the course bundle is JSON");
    if (!b) {
        free(buf);
        return;
    }
    CHECK(!strcmp(s_of(b, "resourceType"), "Bundle"));
    CHECK(!strcmp(s_of(b, "type"), "collection"));
    /* Patient + LEFS 58, NPRS 3, LEFS 66, NPRS 0 + 2 symptoms + 4 tests */
    CHECK_EQ(cJSON_GetArraySize(item(b, "entry")), 1 + 4 + 2 + 5);

    /* the Patient: the session export's resource, the same text */
    struct fhir_bundle_rec sb = {"RUN-0042", SYS, FHIR_BUNDLE_COLLECTION, NULL, 0};
    size_t need = 0;
    struct gc_diag d;
    (void)fhir_bundle_format(&sb, NULL, 0, &need, &d);
    char *sbuf = malloc(need + 1);
    CHECK(fhir_bundle_format(&sb, sbuf, need + 1, &need, &d) == GC_OK);
    cJSON *s = cJSON_Parse(sbuf);
    char *p1 = cJSON_PrintUnformatted(item(cJSON_GetArrayItem(item(b, "entry"), 0), "resource"));
    char *p2 = cJSON_PrintUnformatted(item(cJSON_GetArrayItem(item(s, "entry"), 0), "resource"));
    CHECK_MSG(p1 && p2 && !strcmp(p1, p2), "the Patient is the session export's");
    CHECK(strstr(p1, "\"name\"") == NULL);
    free(p1);
    free(p2);
    cJSON_Delete(s);
    free(sbuf);

    const char *sys, *ucum;
    /* PROMs */
    const cJSON *o = obs(b, "course|prom|7|lefs");
    CHECK(!strcmp(code_of(item(o, "code"), &sys), "lefs") && !strcmp(sys, FHIR_CS_LOCAL));
    CHECK_NEAR(qty(o, &ucum), 58, 0);
    CHECK(!strcmp(ucum, "{score}"));
    CHECK(!strcmp(s_of(o, "effectiveDateTime"), "2026-05-28T20:26:40.000+00:00"));
    CHECK(!strcmp(s_of(o, "status"), "final"));
    CHECK(!strcmp(code_of(cJSON_GetArrayItem(item(o, "category"), 0), NULL), "survey"));
    o = obs(b, "course|prom|7|nprs");
    CHECK(!strcmp(code_of(item(o, "code"), &sys), "72514-3") && !strcmp(sys, FHIR_CS_LOINC));
    CHECK_NEAR(qty(o, NULL), 3, 0);
    CHECK_NEAR(qty(obs(b, "course|prom|9|lefs"), NULL), 66, 0);
    CHECK(!strcmp(s_of(obs(b, "course|prom|9|lefs"), "effectiveDateTime"),
                  "2026-05-29T20:26:40.000+00:00"));
    char id[37];
    fhir_resource_id(SYS, "RUN-0042", "course|prom|9|nprs", id);
    CHECK_MSG(by_id(b, id) == NULL, "an NPRS not given is left out");
    fhir_resource_id(SYS, "RUN-0042", "course|prom|11|lefs", id);
    CHECK_MSG(by_id(b, id) == NULL, "a LEFS not given is left out");
    CHECK_NEAR(qty(obs(b, "course|prom|11|nprs"), NULL), 0, 0); /* 0 is a score */

    /* symptoms */
    o = obs(b, "course|symptom|4");
    CHECK(!strcmp(code_of(item(o, "code"), NULL), "symptom-report"));
    CHECK(!strcmp(s_of(o, "effectiveDateTime"), "2026-05-28T21:26:40.000+00:00"));
    CHECK(!strcmp(s_of(item(o, "bodySite"), "text"), "left knee"));
    CHECK(!strcmp(s_of(cJSON_GetArrayItem(item(o, "note"), 0), "text"), "after the \"stairs\"\n"));
    CHECK(!strcmp(s_of(comp(o, "symptom-when"), "valueString"), "after"));
    CHECK_NEAR(qty(comp(o, "72514-3"), &ucum), 4, 0);
    CHECK(!strcmp(ucum, "{score}"));
    CHECK(cJSON_IsTrue(item(comp(o, "symptom-leak"), "valueBoolean")));
    CHECK(cJSON_IsFalse(item(comp(o, "symptom-heaviness"), "valueBoolean")));
    CHECK(cJSON_IsFalse(item(comp(o, "symptom-bleeding"), "valueBoolean")));
    CHECK(item(o, "valueQuantity") == NULL);
    o = obs(b, "course|symptom|5");
    CHECK_MSG(comp(o, "72514-3") == NULL, "no pain given: no pain component");
    CHECK(item(o, "bodySite") == NULL && item(o, "note") == NULL);
    CHECK(!strcmp(s_of(comp(o, "symptom-when"), "valueString"), "before"));
    CHECK(cJSON_IsFalse(item(comp(o, "symptom-leak"), "valueBoolean")));
    CHECK(cJSON_IsTrue(item(comp(o, "symptom-heaviness"), "valueBoolean")));
    CHECK(cJSON_IsTrue(item(comp(o, "symptom-bleeding"), "valueBoolean")));

    /* readiness tests */
    o = obs(b, "course|test|21");
    CHECK(!strcmp(code_of(item(o, "code"), NULL), "readiness-balance"));
    CHECK(!strcmp(code_of(cJSON_GetArrayItem(item(o, "category"), 0), NULL), "exam"));
    CHECK_NEAR(qty(o, &ucum), 20.0, 1e-9); /* 1 decimal, as the report prints it */
    CHECK(!strcmp(ucum, "s"));
    CHECK(!strcmp(code_of(cJSON_GetArrayItem(item(o, "interpretation"), 0), NULL), "test-pass"));
    CHECK(!strcmp(s_of(cJSON_GetArrayItem(item(o, "referenceRange"), 0), "text"), "hold >= 10 s"));
    CHECK(!strcmp(s_of(item(o, "bodySite"), "text"), "left lower limb"));
    CHECK(!strcmp(s_of(cJSON_GetArrayItem(item(o, "note"), 0), "text"), "hold 20.0 s"));
    CHECK(!strcmp(s_of(o, "effectiveDateTime"), "2026-05-28T20:36:40.000+00:00"));
    o = obs(b, "course|test|22");
    CHECK_NEAR(qty(o, NULL), 6.0, 1e-9);
    CHECK(!strcmp(code_of(cJSON_GetArrayItem(item(o, "interpretation"), 0), NULL), "test-fail"));
    CHECK(!strcmp(s_of(item(o, "bodySite"), "text"), "right lower limb"));
    o = obs(b, "course|test|23");
    CHECK(!strcmp(code_of(item(o, "code"), NULL), "readiness-hop"));
    CHECK_NEAR(qty(o, &ucum), 10, 0);
    CHECK(!strcmp(ucum, "{hops}"));
    o = obs(b, "course|test|24");
    CHECK_MSG(item(o, "valueQuantity") == NULL && item(o, "dataAbsentReason") != NULL,
              "a test without its figure: dataAbsentReason, no invented value");
    o = obs(b, "course|test|25");
    CHECK_NEAR(qty(o, &ucum), 60, 1e-9); /* whole seconds */
    CHECK(!strcmp(ucum, "s"));
    CHECK_MSG(item(o, "bodySite") == NULL, "jogging on the spot: both legs, no bodySite");

    /* ids: unique */
    const cJSON *e1, *e2;
    int n = 0, dup = 0;
    cJSON_ArrayForEach(e1, item(b, "entry"))
    {
        n++;
        cJSON_ArrayForEach(e2, item(b, "entry"))
        {
            if (e1 != e2 &&
                !strcmp(s_of(item(e1, "resource"), "id"), s_of(item(e2, "resource"), "id")))
                dup++;
        }
    }
    CHECK_EQ(n, 12);
    CHECK_EQ(dup, 0);
    cJSON_Delete(b);

    /* the same record, the same bytes */
    size_t len2;
    char *again = format(&c, &len2);
    CHECK(len2 == len && !memcmp(buf, again, len));
    free(again);
    /* another system: other ids */
    c.identifier_system = "https://clinic.example/patients";
    again = format(&c, NULL);
    fhir_resource_id(SYS, "RUN-0042", "course|test|21", id);
    CHECK(strstr(again, id) == NULL && strstr(buf, id) != NULL);
    free(again);
    /* a transaction: every Observation a PUT, the Patient a conditional create */
    c = rec();
    c.type = FHIR_BUNDLE_TRANSACTION;
    again = format(&c, NULL);
    cJSON *t = cJSON_Parse(again);
    CHECK(!strcmp(s_of(t, "type"), "transaction"));
    int puts = 0;
    cJSON_ArrayForEach(e1, item(t, "entry"))
    {
        if (!strcmp(s_of(item(e1, "request"), "method"), "PUT"))
            puts++;
    }
    CHECK_EQ(puts, 11);
    CHECK(strstr(again, "\"ifNoneExist\": \"identifier=urn%3Aoid%3A1.2.3.4%7CRUN-0042\"") != NULL);
    cJSON_Delete(t);
    free(again);
    free(buf);
}

static void test_refusals(void)
{
    struct gc_diag d;
    size_t len = 1;
    struct fhir_course_rec c = rec();
    struct fhir_test_rec bad_t = tests[0];
    bad_t.test = "sprint";
    c.tests = &bad_t;
    c.n_tests = 1;
    CHECK(fhir_course_format(&c, NULL, 0, &len, &d) == GC_ERR_ARG && len == 0);
    CHECK(strstr(d.msg, "sprint") != NULL);
    c = rec();
    struct fhir_prom_rec bad_p = {1, T0, 81, -1};
    c.proms = &bad_p;
    c.n_proms = 1;
    CHECK(fhir_course_format(&c, NULL, 0, &len, &d) == GC_ERR_ARG && len == 0);
    c = rec();
    c.identifier_system = "not a uri";
    CHECK(fhir_course_format(&c, NULL, 0, &len, &d) == GC_ERR_ARG && len == 0);
    c = rec();
    c.patient_code = "";
    CHECK(fhir_course_format(&c, NULL, 0, &len, &d) == GC_ERR_ARG && len == 0);
    /* too small a buffer: refused, NUL-terminated, the size told */
    c = rec();
    char small[64];
    CHECK(fhir_course_format(&c, small, sizeof small, &len, &d) == GC_ERR_ARG);
    CHECK(len > sizeof small && small[sizeof small - 1] == '\0');
    /* nothing recorded: the Patient alone */
    struct fhir_course_rec empty = {"RUN-0042", SYS, FHIR_BUNDLE_COLLECTION, NULL, 0, NULL, 0,
                                    NULL,       0};
    char *buf = format(&empty, NULL);
    cJSON *b = cJSON_Parse(buf);
    CHECK_EQ(cJSON_GetArraySize(item(b, "entry")), 1);
    cJSON_Delete(b);
    free(buf);
}

int main(void)
{
    test_values();
    test_refusals();
    return check_exit();
}
