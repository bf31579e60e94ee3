/* test_force_csv - canonical CSV reader: good files and every bad input
 * named in issue 5, each with a message naming the line or column. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "force_csv.h"
#include "force_csv_file.h"
#include "gc_error.h"

static char path[256];

static void put(const char *text)
{
    FILE *fp = fopen(path, "w");
    fputs(text, fp);
    fclose(fp);
}

/* Read the whole file; returns the final rc (0 ok) and the sample count. */
static int read_all(const char *text, int *count, struct gc_diag *diag)
{
    put(text);
    struct force_csv *r;
    *count = 0;
    int rc = force_csv_open(path, &r, diag);
    CHECK_EQ(diag->code, rc); /* the code returned is the code kept */
    if (rc < 0)
        return rc;
    struct gait_sample s[64];
    for (;;) {
        int k = force_csv_read(r, s, 64, diag);
        CHECK_EQ(diag->code, k < 0 ? k : GC_OK);
        if (k <= 0) {
            rc = k;
            break;
        }
        *count += k;
    }
    force_csv_close(r);
    return rc;
}

/* A bad input must fail with GC_ERR_FORMAT and mention each needle. */
static void bad(const char *text, const char *needle1, const char *needle2)
{
    struct gc_diag diag;
    int n;
    int rc = read_all(text, &n, &diag);
    CHECK_EQ(rc, GC_ERR_FORMAT);
    CHECK_MSG(strstr(diag.msg, needle1) != NULL, diag.msg);
    if (needle2)
        CHECK_MSG(strstr(diag.msg, needle2) != NULL, diag.msg);
    printf("  %s\n", diag.msg);
}

/* n samples of a fake running force at 1 kHz. */
static char *good_body(int n, int with_cells)
{
    char *b = malloc((size_t)n * 80 + 200);
    char *p = b;
    p += sprintf(p, "# rate_hz=1000\n# mass_kg=70.5\n# source=unit test\n");
    p += sprintf(p, with_cells ? "t_s,fz1_n,fz2_n,fz3_n,fz4_n,copx_m,extra\n"
                               : "t_s,fz_n,copx_m,copy_m,acc_x_g\n");
    for (int i = 0; i < n; i++) {
        double f = 800.0 * fmax(0.0, sin(i * 0.02));
        if (with_cells)
            p += sprintf(p, "%.3f,%.3f,%.3f,%.3f,%.3f,%s,7\n", i / 1000.0, f / 4, f / 4, f / 4,
                         f / 4, f > 50 ? "0.05" : "");
        else
            p += sprintf(p, "%.6f,%.3f,%s,0.1,1\n", i / 1000.0, f, f > 50 ? "-0.04" : "nan");
    }
    return b;
}

int main(void)
{
    snprintf(path, sizeof path, "%s/test_force_csv_%d.csv", GC_BINARY_DIR, (int)getpid());

    /* Number parser. */
    double v;
    CHECK(force_csv_parse_double("12.5", 4, &v) == 0 && v == 12.5);
    CHECK(force_csv_parse_double("-0.001", 6, &v) == 0 && v == -0.001);
    CHECK(force_csv_parse_double(" 3 ", 3, &v) == 0 && v == 3.0);
    CHECK(force_csv_parse_double("1e3", 3, &v) == 0 && v == 1000.0);
    CHECK(force_csv_parse_double("1.25E-2", 7, &v) == 0 && v == 0.0125);
    CHECK(force_csv_parse_double("nan", 3, &v) < 0);
    CHECK(force_csv_parse_double("inf", 3, &v) < 0);
    CHECK(force_csv_parse_double("1e999", 5, &v) < 0);
    CHECK(force_csv_parse_double("12a", 3, &v) < 0);
    CHECK(force_csv_parse_double("", 0, &v) < 0);
    CHECK(force_csv_parse_double("-", 1, &v) < 0);
    CHECK(force_csv_parse_double("1.2.3", 5, &v) < 0);
    /* The fast path is exact for what it accepts: compare with strtod. */
    const char *nums[] = {"0.1", "1718.290", "0.003333", "123456.789012", "-2.44", "9999999.999"};
    for (int i = 0; i < 6; i++) {
        CHECK(force_csv_parse_double(nums[i], strlen(nums[i]), &v) == 0);
        CHECK_MSG(v == strtod(nums[i], NULL), nums[i]);
    }

    /* Good files: fz_n with COP (nan = unknown), and the four cells summed. */
    struct gc_diag diag;
    char *b = good_body(3000, 0);
    put(b);
    struct force_csv *r;
    CHECK_EQ(force_csv_open(path, &r, &diag), GC_OK);
    const struct force_csv_info *in = force_csv_info(r);
    CHECK_NEAR(in->rate_hz, 1000.0, 0.0);
    CHECK_NEAR(in->mass_kg, 70.5, 0.0);
    CHECK(!strcmp(in->source, "unit test"));
    CHECK(in->has_cop && !in->has_cells);
    struct gait_sample s[4000];
    int k = force_csv_read(r, s, 4000, &diag);
    CHECK_EQ(k, 3000);
    CHECK_EQ(force_csv_read(r, s, 4000, &diag), 0);
    CHECK_NEAR(s[100].t_s, 0.1, 1e-12);
    CHECK_NEAR(s[40].fz_n, 800.0 * sin(0.8), 0.001);
    CHECK(isnan(s[0].copx_m));
    CHECK_NEAR(s[40].copx_m, -0.04, 1e-7);
    CHECK_NEAR(s[40].copy_m, 0.1, 1e-7);
    force_csv_close(r);
    free(b);
    b = good_body(3000, 1);
    int n;
    CHECK_EQ(read_all(b, &n, &diag), 0);
    CHECK_EQ(n, 3000);
    free(b);

    printf("bad inputs and their messages:\n");
    bad("", "no header", NULL);
    bad("# rate_hz=1000\n", "no header", NULL);
    bad("time,fz_n\n0,1\n", "'t_s'", NULL);
    bad("t_s,force\n0,1\n", "'fz_n'", NULL);
    bad("t_s,fz1_n,fz2_n\n0,1,1\n", "fz1_n", "2 of the 4");
    bad("t_s,fz_n,fz_n\n0,1,1\n", "twice", NULL);
    bad("t_s,fz_n\n0,100\n0.001,abc\n", ":3:", "'abc' is not a number");
    bad("t_s,fz_n\n0,100\n0.001,NaN\n", ":3:", "'fz_n'");
    bad("t_s,fz_n\n0,100\n0.001,\n", ":3:", "empty");
    bad("t_s,fz_n,copx_m\n0,100,0\n0.001,200\n", ":3:", "fields");
    bad("t_s,fz_n\n0,100\n0.001,200\n0.001,300\n", ":4:", "does not increase");
    bad("t_s,fz_n\n0,100\n0.002,200\n0.001,300\n", ":4:", "does not increase");
    bad("t_s,fz_n\n0,100\n0.001,200\n0.002,300\n0.0035,300\n", ":5:", "not uniform");
    bad("# rate_hz=500\nt_s,fz_n\n0,100\n0.001,200\n", "rate_hz=500", "t_s steps");
    bad("# rate_hz=fast\nt_s,fz_n\n0,100\n", ":1:", "rate_hz");
    bad("t_s,fz_n\n0,100\n# note\n0.001,200\n", ":3:", "comment");
    bad("t_s,fz_n\n0,100\n", "fewer than 2", NULL);
    /* Body weights instead of newtons (Alcantara's source units). */
    {
        char *p = malloc(200000), *q = p;
        q += sprintf(q, "t_s,fz_n\n");
        for (int i = 0; i < 2000; i++)
            q += sprintf(q, "%.3f,%.4f\n", i / 1000.0, 2.4 * fmax(0.0, sin(i * 0.02)));
        bad(p, "body weights", "not newtons");
        free(p);
    }
    CHECK_EQ(force_csv_open("/nonexistent/x.csv", &r, &diag), GC_ERR_NOT_FOUND);
    CHECK_EQ(diag.code, GC_ERR_NOT_FOUND);
    CHECK(strstr(diag.msg, "/nonexistent/x.csv") != NULL);
    /* The code alone, for a caller that needs no sentence. */
    CHECK_EQ(force_csv_open("/nonexistent/x.csv", &r, NULL), GC_ERR_NOT_FOUND);
    unlink(path);
    return check_exit();
}
