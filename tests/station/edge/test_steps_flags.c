/* test_steps_flags - the steps CSV `flags` column: exact tokens, round trip
 * of every flag combination through text and through a file, "impact
 * unknown because of a gap" told apart from "no impact peak", files without
 * the column (older writers) and with the session export's numeric flags,
 * and the sessions importer (steps_csv_import) still reading the file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "gc_error.h"
#include "report.h"
#include "steps_csv.h"
#include "steps_csv_file.h"

#define ALL_TOKEN_BITS                                                                             \
    (GAIT_STEP_WALK | GAIT_STEP_AFTER_GAP | GAIT_STEP_LR_FALLBACK | GAIT_STEP_GAP_INSIDE |         \
     GAIT_STEP_GAP_LOADING)

static void test_tokens(void)
{
    char buf[STEPS_CSV_FLAGS_LEN];
    CHECK_EQ(steps_csv_format_flags(0, buf, sizeof buf), 0);
    CHECK(!strcmp(buf, ""));
    /* IMPACT is carried by impact_peak_n, not by a token. */
    CHECK_EQ(steps_csv_format_flags(GAIT_STEP_IMPACT, buf, sizeof buf), 0);
    CHECK(!strcmp(buf, ""));
    steps_csv_format_flags(GAIT_STEP_WALK, buf, sizeof buf);
    CHECK(!strcmp(buf, "walk"));
    steps_csv_format_flags(GAIT_STEP_GAP_INSIDE | GAIT_STEP_GAP_LOADING, buf, sizeof buf);
    CHECK_MSG(!strcmp(buf, "gap_inside;gap_loading"), buf);
    size_t n = steps_csv_format_flags(ALL_TOKEN_BITS | GAIT_STEP_IMPACT, buf, sizeof buf);
    CHECK_MSG(!strcmp(buf, "walk;after_gap;lr_fallback;gap_inside;gap_loading"), buf);
    CHECK_EQ(n, strlen(buf));
    CHECK(n < STEPS_CSV_FLAGS_LEN);
    /* Too small a buffer: whole tokens only, always terminated. */
    char small[12];
    n = steps_csv_format_flags(ALL_TOKEN_BITS, small, sizeof small);
    CHECK_MSG(!strcmp(small, "walk"), small); /* "walk;after_gap" needs 15 */
    CHECK_EQ(n, 4);

    /* Every combination of the token bits round-trips exactly. */
    int bad = 0;
    for (uint32_t f = 0; f < 64; f++) {
        uint32_t want = f & ALL_TOKEN_BITS;
        uint32_t got = 0xffffffffu;
        steps_csv_format_flags(f, buf, sizeof buf);
        if (steps_csv_parse_flags(buf, &got) != GC_OK || got != want)
            bad++;
    }
    CHECK_EQ(bad, 0);

    uint32_t got;
    CHECK_EQ(steps_csv_parse_flags("", &got), GC_OK);
    CHECK_EQ(got, 0);
    CHECK_EQ(steps_csv_parse_flags(" walk ; gap_inside ", &got), GC_OK);
    CHECK_EQ(got, GAIT_STEP_WALK | GAIT_STEP_GAP_INSIDE);
    /* A token from a newer writer is skipped, the known ones still count. */
    CHECK_EQ(steps_csv_parse_flags("after_gap;wobble;lr_fallback", &got), GC_OK);
    CHECK_EQ(got, GAIT_STEP_AFTER_GAP | GAIT_STEP_LR_FALLBACK);
    /* The session export's numeric bit set. */
    CHECK_EQ(steps_csv_parse_flags("19", &got), GC_OK);
    CHECK_EQ(got, 19u);
    CHECK_EQ(steps_csv_parse_flags("12x", &got), GC_ERR_FORMAT);
    CHECK_EQ(steps_csv_parse_flags("99999999999", &got), GC_ERR_FORMAT);
}

static void fill(struct gait_step *s, uint32_t i)
{
    memset(s, 0, sizeof *s);
    s->index = i;
    s->side = (i & 1u) ? GAIT_SIDE_RIGHT : GAIT_SIDE_LEFT;
    s->t_ic_s = 2.0 + 0.34 * i;
    s->t_to_s = s->t_ic_s + 0.23;
    s->contact_ms = 230.0;
    s->flight_ms = 110.0;
    s->step_ms = 340.0;
    s->cadence_spm = 60000.0 / 340.0;
    s->impact_peak_n = 1200.0;
    s->impact_peak_bw = 1.75;
    s->t_impact_s = s->t_ic_s + 0.03;
    s->valr_bw_s = 70.0;
    s->vilr_bw_s = 80.0;
    s->active_peak_n = 1700.0;
    s->active_peak_bw = 2.48;
    s->flags = GAIT_STEP_IMPACT;
}

static void test_file(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/test_steps_flags_%d.csv", GC_BINARY_DIR, (int)getpid());
    enum { N = 5 };
    struct gait_step s[N];
    for (uint32_t i = 0; i < N; i++)
        fill(&s[i], i);
    /* 1: no impact peak (forefoot): impact empty, VALR from the fallback. */
    s[1].impact_peak_n = s[1].impact_peak_bw = s[1].t_impact_s = NAN;
    s[1].flags = GAIT_STEP_LR_FALLBACK;
    /* 2: a short gap over the loading: impact unknown, no active peak. */
    s[2].impact_peak_n = s[2].impact_peak_bw = s[2].t_impact_s = NAN;
    s[2].valr_bw_s = s[2].vilr_bw_s = NAN;
    s[2].active_peak_n = s[2].active_peak_bw = NAN;
    s[2].flags = GAIT_STEP_GAP_INSIDE | GAIT_STEP_GAP_LOADING;
    /* 3: a short gap later in stance: impact known, active peak absent. */
    s[3].active_peak_n = s[3].active_peak_bw = NAN;
    s[3].flags = GAIT_STEP_IMPACT | GAIT_STEP_GAP_INSIDE;
    /* 4: walking, after a long gap. */
    s[4].flight_ms = s[4].step_ms = s[4].cadence_spm = NAN;
    s[4].flags = GAIT_STEP_IMPACT | GAIT_STEP_WALK | GAIT_STEP_AFTER_GAP;

    FILE *fp = fopen(path, "w");
    CHECK(fp != NULL);
    if (!fp)
        return;
    CHECK_EQ(steps_csv_write_header(fp), GC_OK);
    for (int i = 0; i < N; i++)
        CHECK_EQ(steps_csv_write_row(fp, &s[i]), GC_OK);
    fclose(fp);

    /* The flags field sits right after active_peak_bw (field 16). */
    fp = fopen(path, "r");
    char line[1024];
    const char *want_flags[N] = {"", "lr_fallback", "gap_inside;gap_loading", "gap_inside",
                                 "walk;after_gap"};
    CHECK(fgets(line, sizeof line, fp) != NULL);
    CHECK(!strncmp(line, "index,side,", 11));
    CHECK(strstr(line, ",active_peak_bw,flags,lr_fallback,walk,after_gap,threshold_n,") != NULL);
    for (int i = 0; i < N; i++) {
        CHECK(fgets(line, sizeof line, fp) != NULL);
        char *p = line;
        for (int k = 0; k < 15; k++)
            p = strchr(p, ',') + 1;
        size_t len = strcspn(p, ",");
        CHECK_MSG(len == strlen(want_flags[i]) && !strncmp(p, want_flags[i], len), line);
    }
    fclose(fp);

    struct gait_step *back;
    size_t n;
    struct gc_diag errd;
    const char *err = errd.msg;
    CHECK_EQ(steps_csv_read(path, &back, &n, &errd), GC_OK);
    CHECK_EQ(n, N);
    for (size_t i = 0; i < n && n == N; i++)
        CHECK_EQ(back[i].flags, s[i].flags);
    if (n == N) {
        /* Both have an empty impact field; only the flags tell them apart. */
        CHECK(isnan(back[1].impact_peak_n) && isnan(back[2].impact_peak_n));
        CHECK(!(back[1].flags & GAIT_STEP_GAP_LOADING));
        CHECK(back[2].flags & GAIT_STEP_GAP_LOADING);
    }
    free(back);

    /* The sessions importer reads the same file with the same reader:
     * every row, values and flags intact; no phase column, so -1. */
    struct session_step *ss = NULL;
    size_t nss = 0;
    CHECK_EQ(steps_csv_import(path, &ss, &nss, &errd), GC_OK);
    CHECK_EQ(nss, N);
    for (size_t i = 0; i < nss && nss == N; i++) {
        CHECK_NEAR(ss[i].step.t_ic_s, s[i].t_ic_s, 5e-6);
        CHECK(isnan(ss[i].step.impact_peak_n) == isnan(s[i].impact_peak_n));
        CHECK(isnan(ss[i].step.active_peak_bw) == isnan(s[i].active_peak_bw));
        CHECK_EQ(ss[i].step.flags, s[i].flags);
        CHECK_EQ(ss[i].phase, -1);
        CHECK_EQ(ss[i].in_band, -1);
    }
    free(ss);

    /* An older file: no flags column, the 0/1 columns still give theirs. */
    fp = fopen(path, "w");
    fputs("index,side,t_ic_s,t_to_s,contact_ms,flight_ms,step_ms,cadence_spm,impact_peak_n,"
          "impact_peak_bw,t_impact_s,valr_bw_s,vilr_bw_s,active_peak_n,active_peak_bw,"
          "lr_fallback,walk,after_gap\n"
          "0,L,1.0,1.2,200,,,,,,,50,60,1500,2.2,1,1,1\n",
          fp);
    fclose(fp);
    CHECK_EQ(steps_csv_read(path, &back, &n, &errd), GC_OK);
    CHECK_EQ(n, 1);
    if (n == 1)
        CHECK_EQ(back[0].flags, GAIT_STEP_LR_FALLBACK | GAIT_STEP_WALK | GAIT_STEP_AFTER_GAP);
    free(back);

    /* The session export's layout: numeric flags after active_peak_bw. */
    fp = fopen(path, "w");
    fputs("index,side,t_ic_s,t_to_s,contact_ms,flight_ms,step_ms,cadence_spm,impact_peak_n,"
          "impact_peak_bw,t_impact_s,valr_bw_s,vilr_bw_s,active_peak_n,active_peak_bw,"
          "flags,phase\n"
          "0,R,1.0,1.2,200,,,,,,,,,,,48,0\n"
          "1,L,1.4,1.6,200,,,,,,,,,,,junk!,0\n",
          fp);
    fclose(fp);
    CHECK_EQ(steps_csv_read(path, &back, &n, &errd), GC_OK);
    CHECK_EQ(n, 2);
    if (n == 2) {
        CHECK_EQ(back[0].flags, GAIT_STEP_GAP_INSIDE | GAIT_STEP_GAP_LOADING);
        CHECK_EQ(back[1].flags, 0u); /* unknown token: ignored */
    }
    free(back);
    fp = fopen(path, "w");
    fputs("index,side,t_ic_s,t_to_s,contact_ms,flight_ms,step_ms,cadence_spm,impact_peak_n,"
          "impact_peak_bw,t_impact_s,valr_bw_s,vilr_bw_s,active_peak_n,active_peak_bw,"
          "flags\n"
          "0,R,1.0,1.2,200,,,,,,,,,,,4x\n",
          fp);
    fclose(fp);
    CHECK_EQ(steps_csv_read(path, &back, &n, &errd), GC_ERR_FORMAT);
    CHECK_MSG(strstr(err, ":2: column 'flags'") != NULL, err);
    unlink(path);
}

int main(void)
{
    test_tokens();
    test_file();
    return check_exit();
}
