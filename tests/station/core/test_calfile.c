/*
 * test_calfile.c - calibration file: round trip, refusals (other sensor,
 * newer format, truncated at every byte, damaged, malformed), history
 * (never overwritten, newest found), age warning; every call's diagnostics
 * (code kept, sentence on refusal, warnings on success).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calfile.h"
#include "calstore.h"
#include "check.h"
#include "gc_error.h"

static char g_text[16384];

static void sample_cal(struct calfile *cf)
{
    calfile_init(cf);
    snprintf(cf->deck.serial, sizeof cf->deck.serial, "GCSIM-0007");
    snprintf(cf->created, sizeof cf->created, "2024-05-02T10:31:07Z");
    snprintf(cf->operator_name, sizeof cf->operator_name, "J. Smith; PT [lab 2]");
    snprintf(cf->tool, sizeof cf->tool, "calib test");
    cf->nominal_n_per_count = 2.5e-4;
    static const double x[4] = {-0.3, 0.3, -0.3, 0.3}, y[4] = {0.7, 0.7, -0.7, -0.7};
    for (unsigned i = 0; i < 4; i++) {
        cf->deck.cell[i].x_m = x[i];
        cf->deck.cell[i].y_m = y[i];
        cf->deck.cell[i].offset_counts = 12345.678 * (i + 1) - 30000.0;
        cf->deck.cell[i].n_per_count = 2.5e-4 * (1.0 + 0.01 * i - 0.02);
    }
    cf->zero_samples = 2000;
    cf->zero_std_n = 4.1;
    cf->n_placements = 5;
    for (unsigned j = 0; j < 5; j++) {
        cf->placement[j].mass_kg = 20.0;
        cf->placement[j].x_m = 0.15 * (j % 2 ? 1 : -1);
        cf->placement[j].y_m = 0.35;
        for (unsigned i = 0; i < 4; i++)
            cf->placement[j].mean_counts[i] = 100000.25 * i + j;
        cf->placement[j].resid_force_n = 0.01 * j;
        cf->placement[j].resid_cop_mm = 0.3;
    }
    cf->span_condition = 1.9;
    cf->imu_present = true;
    cf->imu_rot[0][2] = -0.05;
    cf->imu_rot[2][0] = 0.05;
    cf->imu_gyro_bias_dps[1] = 0.25;
    cf->imu_tilt_deg = 2.9;
    cf->imu_accel_norm_g = 1.001;
    cf->verify_present = true;
    cf->verify_mass_kg = 50;
    cf->verify_force_err_pct = 0.02;
}

/* calfile_parse, checking the diagnostics contract on every call: the code
 * returned is the code kept, a refusal says why, and a success carries no
 * message unless it is a warning (the other-sensor override). */
static int parse(const char *text, const char *serial, unsigned flags, struct calfile *out,
                 struct gc_diag *diag)
{
    int rc = calfile_parse(text, serial, flags, out, diag);
    CHECK_EQ(diag->code, rc);
    if (rc != GC_OK)
        CHECK(diag->msg[0] != '\0');
    else if (!(flags & CALFILE_ALLOW_OTHER_SERIAL))
        CHECK_MSG(diag->msg[0] == '\0', diag->msg);
    return rc;
}

static void test_round_trip(void)
{
    struct calfile cf, back;
    sample_cal(&cf);
    int len = calfile_format(&cf, g_text, sizeof g_text);
    CHECK(len > 0);
    printf("%s", g_text);
    struct gc_diag diag;
    CHECK_EQ(parse(g_text, "GCSIM-0007", 0, &back, &diag), GC_OK);
    CHECK(strcmp(back.deck.serial, "GCSIM-0007") == 0);
    /* Free text is made INI-safe: ';' and brackets would start a comment or
     * a section. */
    CHECK(strcmp(back.operator_name, "J. Smith_ PT _lab 2_") == 0);
    CHECK_EQ(back.format_version, CALFILE_FORMAT_VERSION);
    for (unsigned i = 0; i < 4; i++) {
        /* Written with 3 decimals (counts) and 9 significant digits (gain). */
        CHECK_NEAR(back.deck.cell[i].offset_counts, cf.deck.cell[i].offset_counts, 5e-4);
        CHECK_NEAR(back.deck.cell[i].n_per_count / cf.deck.cell[i].n_per_count, 1.0, 1e-8);
        CHECK_NEAR(back.deck.cell[i].x_m, cf.deck.cell[i].x_m, 1e-12);
    }
    CHECK_EQ(back.n_placements, 5);
    CHECK_NEAR(back.placement[4].mean_counts[3], 300004.75, 0.005);
    CHECK(back.imu_present);
    CHECK_NEAR(back.imu_rot[0][2], -0.05, 1e-9);
    CHECK_NEAR(back.imu_gyro_bias_dps[1], 0.25, 1e-5);
    CHECK(back.verify_present);
    CHECK_NEAR(back.verify_mass_kg, 50.0, 1e-4);
    CHECK_EQ((long long)back.created_t, 1714645867LL); /* date -u -d 2024-05-02T10:31:07Z +%s */
    /* Any serial accepted when the caller has no device (offline tools). */
    CHECK_EQ(parse(g_text, NULL, 0, &back, &diag), GC_OK);
}

static void test_refusals(void)
{
    struct calfile cf, back;
    sample_cal(&cf);
    int len = calfile_format(&cf, g_text, sizeof g_text);
    struct gc_diag diag;

    /* Another sensor: refused, and nothing of the file is left in *out. */
    CHECK_EQ(parse(g_text, "GCSIM-0008", 0, &back, &diag), GC_ERR_ARG);
    printf("other sensor: %s\n", diag.msg);
    CHECK(strstr(diag.msg, "GCSIM-0007") && strstr(diag.msg, "GCSIM-0008"));
    CHECK_EQ(back.deck.serial[0], 0);
    CHECK_NEAR(back.deck.cell[0].n_per_count, 0.0, 0.0);
    /* ... unless overridden: used, with a warning sentence. */
    CHECK_EQ(parse(g_text, "GCSIM-0008", CALFILE_ALLOW_OTHER_SERIAL, &back, &diag),
             GC_OK);
    CHECK(strstr(diag.msg, "anyway") != NULL);
    CHECK(gc_diag_is_warning(&diag));

    /* Truncated at every byte: never accepted. */
    char *cut = malloc((size_t)len + 1);
    int accepted = 0, truncated_msgs = 0;
    for (int n = 0; n < len; n++) {
        memcpy(cut, g_text, (size_t)n);
        cut[n] = '\0';
        int rc = parse(cut, "GCSIM-0007", 0, &back, &diag);
        if (rc == GC_OK)
            accepted++;
        if (strstr(diag.msg, "truncated") || strstr(diag.msg, "not a gaitcue"))
            truncated_msgs++;
        if (rc != GC_OK && back.deck.cell[0].n_per_count != 0.0)
            accepted += 1000;
    }
    CHECK_EQ(accepted, 0);
    /* Every prefix either lacks the format line, lacks [end], lacks the
     * checksum line or ends mid-line, except prefixes that end inside the
     * checksum value itself (those are reported as damaged). */
    printf("truncated: %d of %d prefixes say 'truncated'\n", truncated_msgs, len);
    CHECK(truncated_msgs >= len - 9);
    memcpy(cut, g_text, (size_t)len - 1);
    cut[len - 1] = '\0';
    parse(cut, "GCSIM-0007", 0, &back, &diag);
    printf("truncated: %s\n", diag.msg);
    free(cut);

    /* Newer format version. */
    char *newer = strdup(g_text);
    char *v = strstr(newer, "format_version = 1");
    v[strlen("format_version = ")] = '2';
    CHECK_EQ(parse(newer, "GCSIM-0007", 0, &back, &diag), GC_ERR_VERSION);
    CHECK(strstr(diag.msg, "newer") != NULL);
    printf("newer: %s\n", diag.msg);
    free(newer);

    /* An edited gain (file damaged or hand-edited): checksum. */
    char *edited = strdup(g_text);
    char *g = strstr(edited, "n_per_count = 0.000245");
    CHECK(g != NULL);
    if (g)
        g[strlen("n_per_count = 0.00024")] = '9';
    CHECK_EQ(parse(edited, "GCSIM-0007", 0, &back, &diag), GC_ERR_FORMAT);
    CHECK(strstr(diag.msg, "damaged") != NULL);
    free(edited);

    /* Malformed value, and a missing key (checksums made valid by
     * reformatting the text by hand: the check must be the key's). */
    const char *bad =
        "[calibration]\nformat_version = 1\nserial = X\ncreated = 2024-05-02T10:31:07Z\n"
        "operator = a\n[cell0]\nx_m = abc\n[end]\ncrc32 = 0\n";
    CHECK_EQ(parse(bad, NULL, 0, &back, &diag), GC_ERR_FORMAT);
    CHECK(strstr(diag.msg, "[cell0] x_m") != NULL);
    printf("malformed: %s\n", diag.msg);
    const char *missing = "[calibration]\nformat_version = 1\nserial = X\n"
                          "created = 2024-05-02T10:31:07Z\noperator = a\n[end]\ncrc32 = 0\n";
    CHECK_EQ(parse(missing, NULL, 0, &back, &diag), GC_ERR_FORMAT);
    CHECK(strstr(diag.msg, "[cell0] offset_counts is missing") != NULL);
    CHECK_EQ(parse("hello\n", NULL, 0, &back, &diag), GC_ERR_FORMAT);
    CHECK(strstr(diag.msg, "not a gaitcue calibration") != NULL);
    /* A zero gain would make every force zero. */
    char *zero = strdup(g_text);
    char *z = strstr(zero, "n_per_count = 0.000245");
    memcpy(z + strlen("n_per_count = "), "0.00000000", 10);
    CHECK_EQ(parse(zero, NULL, 0, &back, &diag), GC_ERR_FORMAT);
    free(zero);
}

static void test_history(void)
{
    char dir[] = "/tmp/gc-calfile-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    setenv("XDG_DATA_HOME", dir, 1);
    struct calfile cf, back;
    sample_cal(&cf);
    struct gc_diag diag;
    char p1[CALFILE_PATH_LEN], p2[CALFILE_PATH_LEN], p3[CALFILE_PATH_LEN],
        newest[CALFILE_PATH_LEN], hist[CALFILE_PATH_LEN], want[CALFILE_PATH_LEN + 32];
    /* The history folder comes from the data folder's one lookup. */
    CHECK_EQ(calstore_dir(hist, sizeof hist, &diag), GC_OK);
    snprintf(want, sizeof want, "%s/gaitcue/calibration", dir);
    CHECK_MSG(strcmp(hist, want) == 0, hist);
    CHECK_EQ(calfile_find_newest(hist, "GCSIM-0007", newest, sizeof newest, &diag),
             GC_ERR_NOT_FOUND);
    CHECK_EQ(diag.code, GC_ERR_NOT_FOUND);
    CHECK_MSG(strstr(diag.msg, "no calibration of sensor GCSIM-0007"), diag.msg);
    CHECK_EQ(calfile_save_new(hist, &cf, p1, sizeof p1, &diag), GC_OK);
    /* Same second again: a new name, the first file untouched. */
    cf.deck.cell[0].n_per_count = 3e-4;
    CHECK_EQ(calfile_save_new(hist, &cf, p2, sizeof p2, &diag), GC_OK);
    CHECK(strcmp(p1, p2) != 0);
    CHECK_EQ(calfile_load(p1, "GCSIM-0007", 0, &back, &diag), GC_OK);
    CHECK_NEAR(back.deck.cell[0].n_per_count, 2.5e-4 * 0.98, 1e-12);
    snprintf(cf.created, sizeof cf.created, "2024-06-01T08:00:00Z");
    CHECK_EQ(calfile_save_new(hist, &cf, p3, sizeof p3, &diag), GC_OK);
    CHECK_EQ(calfile_find_newest(hist, "GCSIM-0007", newest, sizeof newest, &diag), GC_OK);
    CHECK(strcmp(newest, p3) == 0);
    printf("history: %s\n", newest);
    CHECK_EQ(calfile_find_newest(hist, "OTHER", newest, sizeof newest, &diag), GC_ERR_NOT_FOUND);
    CHECK_EQ(calfile_find_newest(hist, "../x", newest, sizeof newest, &diag), GC_ERR_ARG);
    CHECK_MSG(strstr(diag.msg, "cannot name a directory"), diag.msg);
    /* A caller with a fallback passes no diagnostics. */
    CHECK_EQ(calfile_find_newest(hist, "OTHER", newest, sizeof newest, NULL), GC_ERR_NOT_FOUND);
    /* Saving a serial that cannot name a folder is refused, and says so. */
    struct calfile badserial = cf;
    snprintf(badserial.deck.serial, sizeof badserial.deck.serial, "..");
    CHECK_EQ(calfile_save_new(hist, &badserial, p3, sizeof p3, &diag), GC_ERR_ARG);
    CHECK_EQ(diag.code, GC_ERR_ARG);
    CHECK_MSG(strstr(diag.msg, "cannot name a directory"), diag.msg);

    /* Never overwrite an explicit path either. */
    CHECK_EQ(calfile_write_new(&cf, p1, &diag), GC_ERR_IO);
    CHECK_EQ(diag.code, GC_ERR_IO);
    CHECK(strstr(diag.msg, "never overwritten") != NULL);
    CHECK_EQ(calfile_load(p1, "GCSIM-0007", 0, &back, &diag), GC_OK);
    CHECK_NEAR(back.deck.cell[0].n_per_count, 2.5e-4 * 0.98, 1e-12);

    /* Load errors name the file. */
    CHECK_EQ(calfile_load("/nonexistent/cal.ini", NULL, 0, &back, &diag),
             GC_ERR_NOT_FOUND);
    CHECK(strstr(diag.msg, "/nonexistent/cal.ini") != NULL);

    /* Age. */
    CHECK_EQ(calfile_load(p1, "GCSIM-0007", 0, &back, &diag), GC_OK);
    time_t now = back.created_t + 200 * 86400;
    CHECK_NEAR(calfile_age_days(&back, now), 200.0, 1e-9);
    CHECK(calfile_is_stale(&back, now, CALFILE_DEFAULT_MAX_AGE_DAYS, &diag));
    CHECK(strstr(diag.msg, "200 days old") != NULL);
    CHECK(gc_diag_is_warning(&diag)); /* a warning, not a failure */
    CHECK(!calfile_is_stale(&back, back.created_t + 86400, 180, &diag));
    CHECK(diag.code == GC_OK && diag.msg[0] == '\0');
    char desc[160];
    calfile_describe(&back, back.created_t + 12 * 86400 + 100, desc, sizeof desc);
    printf("describe: %s\n", desc);
    CHECK(strcmp(desc, "GCSIM-0007, 2024-05-02 by J. Smith_ PT _lab 2_ (12 days old)") == 0);
    /* a date in the future (a wrong clock, an edited file): said, not a
     * negative age (the attacker trial's "-26324 days old") */
    CHECK(calfile_is_stale(&back, back.created_t - 3 * 86400, 180, &diag));
    CHECK(strstr(diag.msg, "dated 3 days in the future: check the computer's clock") != NULL);
    calfile_describe(&back, back.created_t - 3 * 86400, desc, sizeof desc);
    CHECK(strstr(desc, "(dated in the future: check the clock)") != NULL);
    CHECK(!calfile_is_stale(&back, back.created_t - 3600, 180, &diag)); /* within a day */

    /* No data folder at all: the history cannot be found, and diag says
     * which variables to set. */
    char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    unsetenv("XDG_DATA_HOME");
    unsetenv("HOME");
    CHECK_EQ(calstore_dir(hist, sizeof hist, &diag), GC_ERR_NOT_FOUND);
    CHECK_MSG(strstr(diag.msg, "XDG_DATA_HOME") && strstr(diag.msg, "HOME"), diag.msg);
    if (home)
        setenv("HOME", home, 1);
    free(home);

    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK_EQ(system(cmd), 0);
}

int main(void)
{
    test_round_trip();
    test_refusals();
    test_history();
    return check_exit();
}
