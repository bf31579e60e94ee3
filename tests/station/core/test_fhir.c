/* test_fhir - the FHIR bundle formatter on records with known figures:
 * the JSON parses, each value is the figure as session_fmt prints it,
 * left/right components, absent figures left out, ids stable and unique,
 * UTC times, base64 of a known vector, transaction requests, hostile
 * strings, a buffer too small, and the code table against the shipped
 * CodeSystem file. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fhir.h"
#include "fhir_codes.h"

static char *format(const struct fhir_bundle_rec *b, size_t *len_out)
{
    size_t need = 0;
    struct gc_diag d;
    CHECK(fhir_bundle_format(b, NULL, 0, &need, &d) == GC_ERR_ARG); /* sizing call */
    char *buf = malloc(need + 1);
    size_t len = 0;
    int rc = fhir_bundle_format(b, buf, need + 1, &len, &d);
    CHECK_MSG(rc == GC_OK, d.msg);
    CHECK_EQ(len, need);
    CHECK_EQ(strlen(buf), len);
    if (len_out)
        *len_out = len;
    return buf;
}

static struct session_stats stats_fixture(void)
{
    struct session_stats x;
    memset(&x, 0, sizeof x);
    x.n_steps = 120;
    x.n_left = 60;
    x.n_right = 59;
    x.cadence_spm = 171.96; /* prints 172.0 */
    x.contact_ms = 243.4;   /* prints 243 */
    x.impact_peak_bw = 1.6449;
    x.n_impact = 80;
    x.valr_bw_s = 71.25; /* 71.2 or 71.3 by binary rounding: the test formats it the same way */
    x.vilr_bw_s = 90.04;
    x.active_peak_bw = 2.456;
    x.share_in_band = 0.8449;    /* 84 % */
    x.share_under_ceiling = NAN; /* no ceiling: left out */
    x.share_valr_risk = 0.5;
    x.contact_l_ms = 245.6;
    x.contact_r_ms = 241.2;
    x.valr_l_bw_s = 72.0;
    x.valr_r_bw_s = NAN; /* no right VALR: its component left out */
    x.si_contact_pct = 1.8;
    x.si_valr_pct = NAN;
    return x;
}

static const cJSON *find_obs(const cJSON *bundle, const char *code, const char *kind)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(bundle, "entry"))
    {
        const cJSON *r = cJSON_GetObjectItem(e, "resource");
        if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(r, "resourceType")), "Observation"))
            continue;
        const cJSON *c =
            cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "code"), "coding"), 0);
        if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "code")), code))
            continue;
        const cJSON *ext = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "extension"), 0);
        const char *k = NULL;
        const cJSON *sub;
        cJSON_ArrayForEach(sub, cJSON_GetObjectItem(ext, "extension"))
        {
            if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(sub, "url")), "kind"))
                k = cJSON_GetStringValue(
                    cJSON_GetObjectItem(cJSON_GetObjectItem(sub, "valueCoding"), "code"));
        }
        if (!kind || (k && !strcmp(k + strlen("phase-"), kind)))
            return r;
    }
    return NULL;
}

/* The value text as the bundle holds it ("172.0"), via cJSON's number
 * and session_fmt with the table's decimals. */
static void check_value(const cJSON *obs, double want, const char *what)
{
    const cJSON *q = cJSON_GetObjectItem(obs, "valueQuantity");
    CHECK_MSG(q != NULL, what);
    if (!q)
        return;
    char want_s[64];
    session_fmt(want_s, sizeof want_s, want, 0);
    double got = cJSON_GetNumberValue(cJSON_GetObjectItem(q, "value"));
    /* decimals are at most 2: equal to 1e-9 means equal as printed */
    CHECK_NEAR(got, want, 1e-9);
}

static void test_bundle(void)
{
    struct fhir_phase_row rows[2];
    memset(rows, 0, sizeof rows);
    rows[0] = (struct fhir_phase_row){"phase-2",      "training",    "training",     2,
                                      1.7e9 + 200.25, 1.7e9 + 800.5, stats_fixture()};
    rows[1] = (struct fhir_phase_row){"session", "session",   "whole session", -1,
                                      1.7e9,     1.7e9 + 900, stats_fixture()};
    rows[1].stats.cadence_spm = 165.04;
    static const uint8_t pdf[] = "%PDF-1.5 fake";
    struct fhir_session_rec s = {
        .session_id = 12,
        .start_utc = 1.7e9,
        .end_utc = 1.7e9 + 900,
        .ended = true,
        .status_text = "stopped at 15:00 by the PT (ctl)",
        .delivery = "display: none (headless); sound: default",
        .simulated = true,
        .protocol = "cadence-retraining",
        .body_weight_n = 608.0,
        .rows = rows,
        .n_rows = 2,
        .pdf = pdf,
        .pdf_len = sizeof pdf - 1,
    };
    struct fhir_bundle_rec b = {"RUN-0042", "urn:oid:1.2.3.4", FHIR_BUNDLE_COLLECTION, &s, 1};
    size_t len;
    char *text = format(&b, &len);
    cJSON *j = cJSON_Parse(text);
    CHECK(j != NULL);
    if (!j) {
        free(text);
        return;
    }
    CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(j, "resourceType")), "Bundle"));
    CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(j, "type")), "collection"));
    /* Patient: the identifier and nothing else */
    const cJSON *pe = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "entry"), 0);
    const cJSON *pat = cJSON_GetObjectItem(pe, "resource");
    CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(pat, "resourceType")), "Patient"));
    CHECK_EQ(cJSON_GetArraySize(pat), 3); /* resourceType, id, identifier */
    const cJSON *ident = cJSON_GetArrayItem(cJSON_GetObjectItem(pat, "identifier"), 0);
    CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(ident, "system")), "urn:oid:1.2.3.4"));
    CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(ident, "value")), "RUN-0042"));
    CHECK(cJSON_GetObjectItem(pe, "request") == NULL); /* collection: no requests */

    /* DiagnosticReport: PDF base64, conclusion, every Observation in result */
    const cJSON *re = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "entry"), 1);
    const cJSON *rep = cJSON_GetObjectItem(re, "resource");
    CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(rep, "resourceType")),
                  "DiagnosticReport"));
    const cJSON *form = cJSON_GetArrayItem(cJSON_GetObjectItem(rep, "presentedForm"), 0);
    /* "%PDF-1.5 fake" (13 bytes) in base64, by hand: JVBERi0xLjUgZmFrZQ== */
    CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(form, "data")), "JVBERi0xLjUgZmFrZQ=="));
    /* the report's first page in words: the end, the feedback's way to the
     * runner, a simulated sensor */
    CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(rep, "conclusion")),
                  "Session stopped at 15:00 by the PT (ctl). Feedback to the runner: display: "
                  "none (headless); sound: default. The sensor was the simulator."));
    const cJSON *period = cJSON_GetObjectItem(rep, "effectivePeriod");
    /* 1.7e9 s = 2023-11-14T22:13:20Z (date -u -d @1700000000) */
    CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(period, "start")),
                  "2023-11-14T22:13:20.000+00:00"));
    int n_entries = cJSON_GetArraySize(cJSON_GetObjectItem(j, "entry"));
    /* per row: 12 figures minus under-ceiling (NAN) and si-valr (NAN) = 10;
     * 2 rows + body weight = 21 Observations */
    CHECK_EQ(n_entries, 2 + 21);
    CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(rep, "result")), 21);
    /* every result reference is an entry's fullUrl, each once */
    const cJSON *ref;
    int found = 0;
    cJSON_ArrayForEach(ref, cJSON_GetObjectItem(rep, "result"))
    {
        const char *u = cJSON_GetStringValue(cJSON_GetObjectItem(ref, "reference"));
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "entry")) found +=
            !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(e, "fullUrl")), u);
    }
    CHECK_EQ(found, 21);

    /* values as printed with the table's decimals */
    const cJSON *o = find_obs(j, "cadence", "training");
    CHECK(o != NULL);
    if (o)
        check_value(o, 172.0, "cadence");
    o = find_obs(j, "cadence", "session");
    if (o)
        check_value(o, 165.0, "cadence whole");
    o = find_obs(j, "contact-time", "training");
    if (o) {
        check_value(o, 243.0, "contact");
        const cJSON *comp = cJSON_GetObjectItem(o, "component");
        CHECK_EQ(cJSON_GetArraySize(comp), 2);
        const cJSON *l = cJSON_GetArrayItem(comp, 0);
        CHECK_NEAR(cJSON_GetNumberValue(
                       cJSON_GetObjectItem(cJSON_GetObjectItem(l, "valueQuantity"), "value")),
                   246.0, 1e-9);
        const cJSON *period2 = cJSON_GetObjectItem(o, "effectivePeriod");
        CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(period2, "start")),
                      "2023-11-14T22:16:40.250+00:00"));
        CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(period2, "end")),
                      "2023-11-14T22:26:40.500+00:00"));
    }
    o = find_obs(j, "valr", "training");
    if (o) {
        char want[16];
        session_fmt(want, sizeof want, 71.25, SESSION_DEC_RATE);
        CHECK_NEAR(cJSON_GetNumberValue(
                       cJSON_GetObjectItem(cJSON_GetObjectItem(o, "valueQuantity"), "value")),
                   strtod(want, NULL), 1e-9);
        CHECK(strstr(text, "\"code\": \"{BW}/s\"") != NULL);
        /* only the left component: the right VALR does not exist */
        CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(o, "component")), 1);
    }
    o = find_obs(j, "impact-peak", "training");
    if (o)
        check_value(o, 1.64, "impact peak");
    o = find_obs(j, "in-band-share", "training");
    if (o)
        check_value(o, 84.0, "in band");
    CHECK(find_obs(j, "under-ceiling-share", NULL) == NULL); /* absent, not invented */
    CHECK(find_obs(j, "si-valr", NULL) == NULL);
    o = find_obs(j, "steps", "training");
    if (o) {
        check_value(o, 120, "steps");
        CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(o, "component")), 2);
    }
    o = find_obs(j, "29463-7", NULL);
    CHECK(o != NULL);
    if (o) /* 608.0 N / 9.80665 = 62.0 kg */
        check_value(o, 62.0, "body weight");
    cJSON_Delete(j);

    /* deterministic: the same records, the same bytes */
    size_t len2;
    char *again = format(&b, &len2);
    CHECK(len2 == len && !memcmp(text, again, len));
    free(again);

    /* transaction: Patient conditional create, PUT for the rest */
    b.type = FHIR_BUNDLE_TRANSACTION;
    char *tx = format(&b, NULL);
    cJSON *t = cJSON_Parse(tx);
    CHECK(t != NULL);
    if (t) {
        const cJSON *req =
            cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(t, "entry"), 0), "request");
        CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(req, "method")), "POST"));
        CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(req, "ifNoneExist")),
                      "identifier=urn%3Aoid%3A1.2.3.4%7CRUN-0042"));
        const cJSON *e;
        int puts_ok = 0;
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(t, "entry"))
        {
            const cJSON *r = cJSON_GetObjectItem(e, "request");
            const char *id =
                cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "resource"), "id"));
            const char *url = cJSON_GetStringValue(cJSON_GetObjectItem(r, "url"));
            if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(r, "method")), "PUT") && url &&
                strstr(url, id))
                puts_ok++;
        }
        CHECK_EQ(puts_ok, 22);
        cJSON_Delete(t);
    }
    free(tx);

    /* ids: a resource's id depends on system, code, session and figure */
    char a[37], c2[37];
    fhir_resource_id("urn:oid:1.2.3.4", "RUN-0042", "patient", a);
    CHECK(strstr(text, a) != NULL);
    CHECK_EQ(strlen(a), 36);
    CHECK(a[14] == '8');                  /* version 8 */
    CHECK(strchr("89ab", a[19]) != NULL); /* variant 10 */
    fhir_resource_id("urn:oid:1.2.3.5", "RUN-0042", "patient", c2);
    CHECK(strcmp(a, c2) != 0);
    CHECK(strstr(text, "RUN-0042") == strstr(text, "\"value\": \"RUN-0042\"") + 10);
    free(text);

    /* a buffer one byte short is refused, and says how much it needs */
    struct gc_diag d;
    size_t need;
    b.type = FHIR_BUNDLE_COLLECTION;
    CHECK(fhir_bundle_format(&b, NULL, 0, &need, &d) == GC_ERR_ARG);
    char *small = malloc(need);
    CHECK(fhir_bundle_format(&b, small, need, &len, &d) == GC_ERR_ARG);
    CHECK(strstr(d.msg, "needs") != NULL);
    free(small);
}

static void test_hostile(void)
{
    struct fhir_phase_row row = {"session", "session",      "ru\"n \\ 1\n\x01\xff\xc3\xa9", -1, NAN,
                                 NAN,       stats_fixture()};
    struct fhir_session_rec s = {.session_id = 1,
                                 .start_utc = 0,
                                 .end_utc = NAN,
                                 .status_text = "",
                                 .protocol = "",
                                 .body_weight_n = NAN,
                                 .rows = &row,
                                 .n_rows = 1};
    struct fhir_bundle_rec b = {"P1", FHIR_DEFAULT_PATIENT_SYSTEM, FHIR_BUNDLE_COLLECTION, &s, 1};
    char *text = format(&b, NULL);
    cJSON *j = cJSON_Parse(text);
    CHECK_MSG(j != NULL, "escaped strings and bad UTF-8 still give valid JSON");
    const cJSON *o = j ? find_obs(j, "cadence", "session") : NULL;
    CHECK(o != NULL);
    if (o) {
        const cJSON *ext = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "extension"), 0);
        const cJSON *name = cJSON_GetArrayItem(cJSON_GetObjectItem(ext, "extension"), 1);
        /* 0xff is not UTF-8: '?'; the e-acute (c3 a9) is kept */
        CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(name, "valueString")),
                      "ru\"n \\ 1\n\x01?\xc3\xa9"));
        CHECK(cJSON_GetObjectItem(o, "effectivePeriod") == NULL); /* no times, no period */
        CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(o, "status")), "preliminary"));
    }
    /* empty strings are never written (FHIR strings must not be empty) */
    CHECK(strstr(text, "\"\"") == NULL);
    cJSON_Delete(j);
    free(text);

    struct gc_diag d;
    size_t len;
    const char *bad[] = {"",        "clinic",        "1urn:x",  "urn:", "https://a b",
                         "urn:x|y", "https://x/\"y", "urn:\x01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        b.identifier_system = bad[i];
        CHECK_MSG(fhir_bundle_format(&b, NULL, 0, &len, &d) == GC_ERR_ARG && strstr(d.msg, "URI"),
                  bad[i]);
    }
    const char *good[] = {"urn:oid:2.16.840.1.113883.2.4.6.3", "https://clinic.example/mrn",
                          "http://x.y/z?a=b"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        CHECK_MSG(fhir_system_check(good[i], NULL) == GC_OK, good[i]);
    b.identifier_system = FHIR_DEFAULT_PATIENT_SYSTEM;
    b.patient_code = "A B";
    CHECK(fhir_bundle_format(&b, NULL, 0, &len, &d) == GC_ERR_ARG);
    b.patient_code = "P1";
    row.key = "phase 1";
    CHECK(fhir_bundle_format(&b, NULL, 0, &len, &d) == GC_ERR_ARG);
}

static void test_times(void)
{
    char t[32];
    CHECK(fhir_format_utc(0, t) == GC_OK && !strcmp(t, "1970-01-01T00:00:00.000+00:00"));
    /* leap day 2024-02-29T12:00:00Z = 1709208000 (date -u -d) */
    CHECK(fhir_format_utc(1709208000.0, t) == GC_OK && !strcmp(t, "2024-02-29T12:00:00.000+00:00"));
    /* 0.9996 s rounds to the next second */
    CHECK(fhir_format_utc(1709208000.9996, t) == GC_OK &&
          !strcmp(t, "2024-02-29T12:00:01.000+00:00"));
    CHECK(fhir_format_utc(-1.5, t) == GC_OK && !strcmp(t, "1969-12-31T23:59:58.500+00:00"));
    CHECK(fhir_format_utc(NAN, t) == GC_ERR_ARG);
    CHECK(fhir_format_utc(1e15, t) == GC_ERR_ARG);
}

/* The shipped CodeSystem holds exactly the table's local codes, with the
 * same displays. */
struct cs_check {
    const cJSON *concepts;
    int n;
};
static void one_code(const struct fhir_code *c, void *user)
{
    struct cs_check *k = user;
    k->n++;
    CHECK_MSG(!strcmp(c->system, FHIR_CS_LOCAL), c->code);
    const cJSON *e;
    int hits = 0;
    cJSON_ArrayForEach(e, k->concepts)
    {
        if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(e, "code")), c->code)) {
            hits++;
            CHECK_MSG(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(e, "display")), c->display),
                      c->code);
            const char *def = cJSON_GetStringValue(cJSON_GetObjectItem(e, "definition"));
            CHECK_MSG(def && strlen(def) > 20, c->code);
        }
    }
    CHECK_MSG(hits == 1, c->code);
}

static void test_codesystem(void)
{
    const char *path = GC_TEST_DATA "/../station/data/fhir/gaitcue-codesystem.json";
    FILE *f = fopen(path, "rb");
    CHECK_MSG(f != NULL, path);
    if (!f)
        return;
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    cJSON *cs = cJSON_Parse(buf);
    CHECK(cs != NULL);
    if (!cs)
        return;
    CHECK(!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(cs, "url")), FHIR_CS_LOCAL));
    struct cs_check k = {cJSON_GetObjectItem(cs, "concept"), 0};
    fhir_local_codes_each(one_code, &k);
    CHECK_EQ(cJSON_GetArraySize(k.concepts), k.n);
    CHECK_EQ((int)cJSON_GetNumberValue(cJSON_GetObjectItem(cs, "count")), k.n);
    cJSON_Delete(cs);
    /* the standard codes are what docs/interop.md says */
    CHECK(!strcmp(fhir_code_body_weight.system, FHIR_CS_LOINC));
    CHECK(!strcmp(fhir_code_body_weight.code, "29463-7"));
    CHECK(fhir_phase_code("training") && fhir_phase_code("session") && !fhir_phase_code("x"));
}

int main(void)
{
    test_bundle();
    test_hostile();
    test_times();
    test_codesystem();
    return check_exit();
}
