/* test_numparse - the fast number parsers against strtod, bit for bit, on
 * millions of random strings of the shapes recorded files use, and the CSV
 * reader built on them on a random file (every value as strtod reads it).
 *
 * The tolerance is zero everywhere: the parsers promise the very double
 * strtod gives (numparse.h), so any difference, even one ulp or the sign
 * of a zero, is a failure. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "force_csv.h"
#include "force_csv_file.h"
#include "gc_error.h"
#include "numparse.h"

/* xorshift64*: reproducible, independent of the C library's rand(). */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Du;
}
static unsigned rnd(unsigned n) /* 0..n-1 */
{
    return (unsigned)(rng() % n);
}

static bool same_bits(double a, double b)
{
    return !memcmp(&a, &b, sizeof a);
}

static bool same_bits_f(float a, float b)
{
    return !memcmp(&a, &b, sizeof a);
}

static int mismatches;
static void report(const char *what, const char *text, double got, double want)
{
    if (++mismatches <= 10)
        printf("  MISMATCH %s '%s': got %.17g, strtod %.17g\n", what, text, got, want);
}

/* A random plain decimal: [-]I[.F] with ni integer and nf fraction digits
 * (leading zeros included, as printf's %.Nf writes them). */
static int plain_text(char *b, unsigned ni, unsigned nf, bool point, bool neg)
{
    int k = 0;
    if (neg)
        b[k++] = '-';
    for (unsigned i = 0; i < ni; i++)
        b[k++] = (char)('0' + rnd(10));
    if (point)
        b[k++] = '.';
    for (unsigned i = 0; i < nf; i++)
        b[k++] = (char)('0' + rnd(10));
    b[k] = '\0';
    return k;
}

/* numparse_plain on random plain decimals of up to 15 digits: accepted,
 * length right, value = strtod.  Longer ones are declined (0). */
static void plain_random(long count)
{
    char b[64];
    long accepted = 0;
    for (long i = 0; i < count; i++) {
        unsigned ni = rnd(9), nf = rnd(10);
        bool point = nf > 0 || rnd(4) == 0;
        if (ni + nf == 0)
            ni = 1;
        int len = plain_text(b, ni, nf, point, rnd(2));
        b[len] = rnd(2) ? ',' : '\n'; /* what ends a field in a line */
        b[len + 1] = '\0';
        double v = NAN;
        size_t u = numparse_plain(b, &v);
        b[len] = '\0';
        double want = strtod(b, NULL);
        if (ni + nf > 15) {
            if (u != 0)
                report("plain (should decline)", b, v, want);
            continue;
        }
        accepted++;
        if (u != (size_t)len || !same_bits(v, want))
            report("plain", b, v, want);
    }
    printf("numparse_plain: %ld random plain decimals, %ld accepted\n", count, accepted);
}

/* The shapes printf writes in recordings, with values spread over the
 * ranges of time (s), force (N) and COP (m). */
static void plain_printf(long count)
{
    char b[64];
    for (long i = 0; i < count; i++) {
        double x;
        int prec;
        switch (rnd(4)) {
        case 0: /* time stamps of up to a day */
            x = (double)rnd(86400000) / 1000.0 + (double)rnd(1000) * 1e-6;
            prec = 6;
            break;
        case 1: /* forces up to 5 kN, +-offsets */
            x = ((double)rnd(50000000) - 1000000.0) / 10000.0;
            prec = (int)rnd(5);
            break;
        case 2: /* COP, metres */
            x = ((double)rnd(2000000) - 1000000.0) / 1e6;
            prec = 5;
            break;
        default: /* anything of 1..15 significant digits */
            x = ldexp((double)(rng() >> 11), -(int)rnd(60)) * (rnd(2) ? -1 : 1);
            prec = (int)rnd(9);
            break;
        }
        int len = snprintf(b, sizeof b, "%.*f", prec, x);
        double want = strtod(b, NULL);
        double v = NAN;
        size_t u = numparse_plain(b, &v);
        size_t digits = 0;
        for (int k = 0; k < len; k++)
            digits += b[k] >= '0' && b[k] <= '9';
        if (digits > 15)
            continue; /* declined or not: the CSV reader then uses strtod */
        if (u != (size_t)len || !same_bits(v, want))
            report("printf shape", b, v, want);
    }
    printf("numparse_plain: %ld printf-shaped values\n", count);
}

/* numparse_double on any form: plain, long mantissas, exponents, spaces,
 * signs; its result or its refusal must match strtod's. */
static void double_random(long count)
{
    char b[96];
    for (long i = 0; i < count; i++) {
        int k = 0;
        if (rnd(8) == 0)
            b[k++] = ' ';
        unsigned sign = rnd(3);
        if (sign == 1)
            b[k++] = '-';
        else if (sign == 2)
            b[k++] = '+';
        k += plain_text(b + k, rnd(24), rnd(24), rnd(3) != 0, false);
        if (k == 0 || (k == 1 && (b[0] == '-' || b[0] == '+' || b[0] == ' ')))
            b[k++] = '7';
        if (rnd(4) == 0)
            k += snprintf(b + k, sizeof b - (size_t)k, "%c%s%u", rnd(2) ? 'e' : 'E',
                          rnd(2) ? "-" : (rnd(2) ? "+" : ""), rnd(330));
        if (rnd(8) == 0)
            b[k++] = ' ';
        b[k] = '\0';
        double v = NAN;
        int rc = numparse_double(b, (size_t)k, &v);
        char *end;
        double want = strtod(b, &end);
        while (*end == ' ')
            end++;
        /* strtod's verdict: whole text used (bar spaces), finite, no range
         * error; the digit-less forms ("-.", ".e5") it refuses itself. */
        bool ok = *end == '\0' && isfinite(want) && end != b;
        if (ok) {
            errno = 0;
            (void)strtod(b, NULL);
            ok = errno != ERANGE;
        }
        if (ok != (rc == 0) || (ok && !same_bits(v, want)))
            report("double", b, rc == 0 ? v : NAN, want);
    }
    printf("numparse_double: %ld random decimal/exponent strings\n", count);
}

/* Fixed cases at the edges of each path. */
static void fixed_cases(void)
{
    static const char *const ok[] = {
        "0",
        "-0",
        "0.0",
        "-0.000",
        "5.",
        ".5",
        "-.5",
        "1",
        "12.5",
        "-0.001",
        "0.1",
        "0.3",
        "3599.999",
        "3599.999000",
        "1e3",
        "1.25E-2",
        "+4",
        " 3 ",
        "123456789012345",
        "1234567.12345678",
        "9007199254740993",
        "0.000000000000000000001",
        "1e-300",
        "1.7976931348623157e308",
        "00000000000000000000000001.5",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        double v = NAN, want = strtod(ok[i], NULL);
        CHECK_MSG(numparse_double(ok[i], strlen(ok[i]), &v) == 0 && same_bits(v, want), ok[i]);
        char b[64];
        snprintf(b, sizeof b, "%s,", ok[i]);
        size_t u = numparse_plain(b, &v);
        if (u && b[u] == ',') /* when the fast path takes it, it is exact */
            CHECK_MSG(u == strlen(ok[i]) && same_bits(v, want), ok[i]);
    }
    static const char *const bad[] = {"",    "-",    "+",     ".",   "-.",    "nan", "NaN",
                                      "inf", "-inf", "1e999", "12a", "1.2.3", "--1", "0x10",
                                      "1e",  "1e+",  "abc",   " ",   "1 2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v = 42.0;
        CHECK_MSG(numparse_double(bad[i], strlen(bad[i]), &v) < 0, bad[i]);
        char b[64];
        snprintf(b, sizeof b, "%s,", bad[i]);
        size_t u = numparse_plain(b, &v);
        /* The fast path may take a plain prefix ("12" of "12a", "1.2" of
         * "1.2.3"); the reader then sees no ',' after it and falls back. */
        CHECK_MSG(u == 0 || b[u] != ',', bad[i]);
    }
    /* Declined forms leave v alone; 16 digits go to strtod. */
    double v = 42.0;
    CHECK(numparse_plain("1234567890123456,", &v) == 0 && v == 42.0);
    CHECK(numparse_plain("+1,", &v) == 0 && v == 42.0);
    CHECK(numparse_plain(" 1,", &v) == 0 && v == 42.0);
    CHECK(numparse_plain("1e5,", &v) == 1); /* "1", then 'e': not a field end */
}

/* The reader on a random CSV mixing every accepted form (plain, exponent,
 * '+', spaces, long mantissas, empty and nan COP), CRLF line ends and no
 * final newline: each value is the double strtod gives. */
static void csv_random(int cells)
{
    enum { N = 20000 };
    char path[256];
    snprintf(path, sizeof path, "%s/test_numparse_%d.csv", GC_BINARY_DIR, (int)getpid());
    static double want_t[N], want_f[N], want_x[N];
    static bool x_nan[N];
    FILE *fp = fopen(path, "w");
    CHECK(fp != NULL);
    if (!fp)
        return;
    fprintf(fp, "# rate_hz=1000\n%s\n",
            cells ? "t_s,fz1_n,fz2_n,fz3_n,fz4_n,copx_m,copy_m,acc_x_g"
                  : "idx,t_s,note,fz_n,copx_m,acc_x_g,acc_y_g");
    for (int i = 0; i < N; i++) {
        char t[48], f[4][48], x[48];
        double tv = 1234.0 + i / 1000.0;
        if (rnd(10))
            snprintf(t, sizeof t, "%.6f", tv);
        else
            snprintf(t, sizeof t, "%.9e", tv);
        want_t[i] = strtod(t, NULL);
        double fsum = 0.0;
        for (int c = 0; c < 4; c++) {
            double fv = ((double)rnd(4000000) - 100000.0) / 1000.0;
            char *o = f[c];
            size_t on = sizeof f[c];
            switch (rnd(7)) {
            case 0:
                snprintf(o, on, "%.3f", fv);
                break;
            case 1:
                snprintf(o, on, "%.4f", fv);
                break;
            case 2:
                snprintf(o, on, "%g", fv);
                break;
            case 3:
                snprintf(o, on, "%.17g", fv);
                break;
            case 4:
                snprintf(o, on, " %.2f ", fv);
                break;
            case 5:
                snprintf(o, on, "%+.3f", fv);
                break;
            default:
                snprintf(o, on, "%.1e", fv);
                break;
            }
            fsum += strtod(f[c], NULL);
        }
        want_f[i] = cells ? fsum : strtod(f[0], NULL);
        unsigned xk = rnd(12);
        double xv = ((double)rnd(2000000) - 1000000.0) / 1e6;
        x_nan[i] = xk < 2;
        if (xk == 0)
            x[0] = '\0';
        else if (xk == 1)
            snprintf(x, sizeof x, "nan");
        else if (xk == 2)
            snprintf(x, sizeof x, "%.3e", xv);
        else
            snprintf(x, sizeof x, "%.5f", xv);
        if (!x_nan[i])
            want_x[i] = strtod(x, NULL);
        const char *eol = i == N - 1 ? "" : (rnd(3) ? "\n" : "\r\n");
        if (cells)
            fprintf(fp, "%s,%s,%s,%s,%s,%s,0.1,-0.98%s", t, f[0], f[1], f[2], f[3], x, eol);
        else
            fprintf(fp, "%d,%s,walk,%s,%s,1,2%s", i, t, f[0], x, eol);
    }
    fclose(fp);

    struct gc_diag diag;
    struct force_csv *r;
    CHECK_EQ(force_csv_open(path, &r, &diag), GC_OK);
    static struct gait_sample s[N];
    int n = 0, k;
    while (n < N && (k = force_csv_read(r, s + n, 777, &diag)) > 0)
        n += k;
    CHECK_EQ(n, N);
    CHECK_EQ(force_csv_read(r, s, 1, &diag), 0);
    force_csv_close(r);
    unlink(path);
    int bad = 0;
    for (int i = 0; i < n; i++) {
        bool ok = same_bits(s[i].t_s, want_t[i]) && same_bits_f(s[i].fz_n, (float)want_f[i]) &&
                  (x_nan[i] ? isnan(s[i].copx_m) : same_bits_f(s[i].copx_m, (float)want_x[i]));
        if (!ok && ++bad <= 5)
            printf("  CSV line %d: t %.17g/%.17g fz %.9g/%.9g x %.9g/%.9g\n", i + 3, s[i].t_s,
                   want_t[i], (double)s[i].fz_n, (double)(float)want_f[i], (double)s[i].copx_m,
                   x_nan[i] ? NAN : (double)(float)want_x[i]);
    }
    printf("force_csv_read: %d random lines (%s), %d differ from strtod\n", n,
           cells ? "four cells" : "fz_n", bad);
    CHECK_EQ(bad, 0);
}

int main(void)
{
    fixed_cases();
    mismatches = 0;
    plain_random(3000000);
    plain_printf(2000000);
    double_random(1000000);
    CHECK_EQ(mismatches, 0);
    csv_random(0);
    csv_random(1);
    return check_exit();
}
