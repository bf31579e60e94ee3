/* test_stats - the one median (stats.h): odd and even counts, empty,
 * duplicates, both sorts giving the same value and leaving v sorted, and
 * the float quickselect against a full sort for every k. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "stats.h"

/* Deterministic values with repeats (x mod 97) and negatives. */
static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static int is_sorted(const double *v, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (v[i - 1] > v[i])
            return 0;
    return 1;
}

static void test_known(void)
{
    double a[] = {5, 1, 3};
    CHECK_EQ(stats_median_inplace(a, 3), 3.0);
    CHECK(a[0] == 1 && a[1] == 3 && a[2] == 5);
    double b[] = {4, 1, 3, 2};
    CHECK_EQ(stats_median_inplace(b, 4), 2.5); /* mean of the middle two */
    double c[] = {4, 1, 3, 2};
    CHECK_EQ(stats_median_small(c, 4), 2.5);
    CHECK(c[0] == 1 && c[1] == 2 && c[2] == 3 && c[3] == 4);
    double d[] = {-7.25};
    CHECK_EQ(stats_median_small(d, 1), -7.25);
    CHECK_EQ(stats_median_inplace(d, 1), -7.25);
    double e[] = {2, 2, 9, 2, -1};
    CHECK_EQ(stats_median_small(e, 5), 2.0);
    CHECK(isnan(stats_median_inplace(NULL, 0)));
    CHECK(isnan(stats_median_small(NULL, 0)));
    /* Cadence from step times, as the feedback policy forms it. */
    double ms[] = {350, 345, 352, 348};
    CHECK_NEAR(60000.0 / stats_median_small(ms, 4), 60000.0 / 349.0, 1e-12);

    float f[] = {4, 1, 3, 2};
    CHECK_EQ(stats_select_f(f, 4, 2), 3.0f); /* even count: the upper middle */
    float g[] = {9, -2, 5};
    CHECK_EQ(stats_select_f(g, 3, 1), 5.0f);
    float h[] = {1.5f};
    CHECK_EQ(stats_select_f(h, 1, 0), 1.5f);
}

static void test_random(void)
{
    uint32_t s = 12345;
    int bad_med = 0, bad_sel = 0;
    for (size_t n = 1; n <= 130; n++) {
        double x[130], y[130];
        float f[130], ref[130];
        for (size_t i = 0; i < n; i++) {
            x[i] = y[i] = (double)(lcg(&s) % 97u) - 40.0 + 0.125 * (double)(i & 3u);
            ref[i] = (float)x[i];
        }
        double m1 = stats_median_inplace(x, n);
        double m2 = stats_median_small(y, n);
        double want = (n & 1u) ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
        if (m1 != m2 || m1 != want || !is_sorted(x, n) || !is_sorted(y, n) ||
            memcmp(x, y, n * sizeof *x) != 0)
            bad_med++;
        qsort(ref, n, sizeof *ref, cmp_float);
        for (size_t k = 0; k < n; k++) {
            for (size_t i = 0; i < n; i++)
                f[i] = (float)y[(i * 7u + k) % n]; /* a fresh order each time */
            if (stats_select_f(f, n, k) != ref[k])
                bad_sel++;
        }
    }
    CHECK_EQ(bad_med, 0);
    CHECK_EQ(bad_sel, 0);
}

int main(void)
{
    test_known();
    test_random();
    return check_exit();
}
