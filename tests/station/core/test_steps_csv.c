/* test_steps_csv - exact header, empty fields for absent values, round trip. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "gc_error.h"
#include "steps_csv.h"
#include "steps_csv_file.h"

int main(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/test_steps_csv_%d.csv", GC_BINARY_DIR, (int)getpid());
    struct gait_step s[3];
    memset(s, 0, sizeof s);
    for (int i = 0; i < 3; i++) {
        gait_step_clear(&s[i]);
        s[i].index = (uint32_t)i;
        s[i].side = i == 0 ? GAIT_SIDE_LEFT : (i == 1 ? GAIT_SIDE_RIGHT : GAIT_SIDE_UNKNOWN);
        s[i].t_ic_s = 1.0 + 0.35 * i;
        s[i].t_to_s = s[i].t_ic_s + 0.24;
        s[i].contact_ms = 240.0;
        s[i].flight_ms = i ? 110.0 : NAN;
        s[i].step_ms = i ? 350.0 : NAN;
        s[i].cadence_spm = i ? 60000.0 / 350.0 : NAN;
        s[i].impact_peak_n = i == 1 ? NAN : 1150.25;
        s[i].impact_peak_bw = i == 1 ? NAN : 1.6745;
        s[i].t_impact_s = i == 1 ? NAN : s[i].t_ic_s + 0.03;
        s[i].valr_bw_s = 72.5;
        s[i].vilr_bw_s = 80.25;
        s[i].active_peak_n = 1750.5;
        s[i].active_peak_bw = 2.5483;
        s[i].flags = (i == 1 ? GAIT_STEP_LR_FALLBACK : GAIT_STEP_IMPACT) |
                     (i == 2 ? GAIT_STEP_WALK | GAIT_STEP_AFTER_GAP : 0u);
        s[i].threshold_n = 20.0;
        s[i].t_ic_thr_s = s[i].t_ic_s + 0.001;
        s[i].contact_ext_ms = 242.5;
    }
    FILE *fp = fopen(path, "w");
    CHECK_EQ(steps_csv_write_header(fp), GC_OK);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(steps_csv_write_row(fp, &s[i]), GC_OK);
    fclose(fp);

    /* The header of DESIGN.md section 5, in that order, first. */
    fp = fopen(path, "r");
    char line[1024];
    CHECK(fgets(line, sizeof line, fp) != NULL);
    const char *want = "index,side,t_ic_s,t_to_s,contact_ms,flight_ms,step_ms,cadence_spm,"
                       "impact_peak_n,impact_peak_bw,t_impact_s,valr_bw_s,vilr_bw_s,"
                       "active_peak_n,active_peak_bw";
    CHECK(!strncmp(line, want, strlen(want)));
    CHECK(fgets(line, sizeof line, fp) != NULL);
    CHECK_MSG(!strcmp(line, "0,L,1.00000,1.24000,240.00,,,,1150.2,1.6745,1.03000,72.50,80.25,"
                            "1750.5,2.5483,,0,0,0,20.0,1.00100,,242.50,,,,,,\n"), /* IMPACT has no token */
              line);
    CHECK(fgets(line, sizeof line, fp) != NULL);
    CHECK(fgets(line, sizeof line, fp) != NULL);
    CHECK_MSG(!strncmp(line, "2,,", 3), line); /* unknown side: empty */
    fclose(fp);

    struct gait_step *back;
    size_t n;
    struct gc_diag errd;
    const char *err = errd.msg;
    CHECK_EQ(steps_csv_read(path, &back, &n, &errd), GC_OK);
    CHECK_EQ(n, 3);
    for (size_t i = 0; i < n; i++) {
        CHECK_EQ(back[i].index, s[i].index);
        CHECK_EQ(back[i].side, s[i].side);
        CHECK_NEAR(back[i].t_ic_s, s[i].t_ic_s, 5e-6); /* 5 decimals */
        CHECK_NEAR(back[i].contact_ms, s[i].contact_ms, 5e-3);
        CHECK(isnan(back[i].flight_ms) == isnan(s[i].flight_ms));
        CHECK(isnan(back[i].impact_peak_n) == isnan(s[i].impact_peak_n));
        CHECK_NEAR(back[i].valr_bw_s, s[i].valr_bw_s, 5e-3);
        CHECK_NEAR(back[i].active_peak_bw, s[i].active_peak_bw, 5e-5);
        CHECK_EQ(back[i].flags, s[i].flags);
    }
    free(back);

    fp = fopen(path, "w");
    fputs("index,side,t_ic_s\n0,L,1\n", fp);
    fclose(fp);
    CHECK_EQ(steps_csv_read(path, &back, &n, &errd), GC_ERR_FORMAT);
    CHECK(strstr(err, "t_to_s") != NULL);

    /* The import reads the same rows with a looser header: comments, only
     * t_ic_s required, unknown columns (phase_name, feedback) ignored, the
     * session export's phase/in_band/under_ceiling and both flag spellings. */
    fp = fopen(path, "w");
    fputs("# source=gaitcue test\n\n"
          "t_ic_s,side,phase_name,phase,in_band,under_ceiling,flags,impact_peak_n,feedback\n"
          "1.0,L,warm-up,0,1,,walk;gap_inside,,none\n"
          "1.5,R,run,2,0,1,48,900.5,metronome\n"
          "# a comment between rows\n"
          "2.0,,,-1,,0,,,\n",
          fp);
    fclose(fp);
    struct session_step *rows;
    CHECK_EQ(steps_csv_import(path, &rows, &n, &errd), GC_OK);
    CHECK_EQ(n, 3);
    if (n == 3) {
        CHECK_EQ(rows[0].phase, 0);
        CHECK_EQ(rows[0].in_band, 1);
        CHECK_EQ(rows[0].under_ceiling, -1);
        CHECK_EQ(rows[0].step.side, GAIT_SIDE_LEFT);
        CHECK_EQ(rows[0].step.index, 0);
        CHECK_EQ(rows[0].step.flags, GAIT_STEP_WALK | GAIT_STEP_GAP_INSIDE);
        CHECK(isnan(rows[0].step.t_to_s));
        CHECK_EQ(rows[1].phase, 2);
        CHECK_EQ(rows[1].in_band, 0);
        CHECK_EQ(rows[1].under_ceiling, 1);
        CHECK_EQ(rows[1].step.index, 1);
        CHECK_EQ(rows[1].step.flags,
                 GAIT_STEP_GAP_INSIDE | GAIT_STEP_GAP_LOADING | GAIT_STEP_IMPACT);
        CHECK_EQ(rows[2].phase, -1);
        CHECK_EQ(rows[2].in_band, -1);
        CHECK_EQ(rows[2].under_ceiling, 0);
        CHECK_EQ(rows[2].step.side, GAIT_SIDE_UNKNOWN);
    }
    free(rows);
    /* The analysis reader keeps its strict header on the same file. */
    CHECK_EQ(steps_csv_read(path, &back, &n, &errd), GC_ERR_FORMAT);
    CHECK_MSG(strstr(err, ":1: column 'index' missing") != NULL, err);

    fp = fopen(path, "w");
    fputs("t_ic_s,phase\n1.0,0\n1.5,2.5\n", fp);
    fclose(fp);
    CHECK_EQ(steps_csv_import(path, &rows, &n, &errd), GC_ERR_FORMAT);
    CHECK_MSG(strstr(err, ":3: phase 2.5 is not a phase number") != NULL, err);
    CHECK(rows == NULL && n == 0);
    fp = fopen(path, "w");
    fputs("# only a comment\n", fp);
    fclose(fp);
    CHECK_EQ(steps_csv_import(path, &rows, &n, &errd), GC_ERR_FORMAT);
    CHECK_MSG(strstr(err, "no header line") != NULL, err);
    unlink(path);
    CHECK_EQ(steps_csv_import(path, &rows, &n, &errd), GC_ERR_NOT_FOUND);
    return check_exit();
}
