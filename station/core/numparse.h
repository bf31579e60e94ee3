/*
 * numparse.h - exact text-to-double conversion for the CSV readers.
 *
 * Both functions give, for every text they accept, the very double that
 * strtod() gives (correctly rounded, round-half-even; bit-identical,
 * including the sign of zero).  They differ only in speed:
 *
 *   numparse_plain   the common form of recorded data, [-]ddd.ddd with
 *                    at most 15 digits: one pass over the characters, no
 *                    copy, no library call; inline, because the CSV reader
 *                    calls it a dozen million times a second.  Anything
 *                    else is declined (0) and the caller falls back to
 *                    numparse_double.
 *   numparse_double  any finite decimal or exponent form; rare forms (long
 *                    mantissas, exponents) go through strtod.
 *
 * Why exact: with at most 15 significant digits the mantissa m is an
 * integer below 2^53 and 10^k (k <= 22) is exact in a double, so the one
 * IEEE division m / 10^k is the correctly rounded value of the decimal
 * (Clinger's fast path).  That needs double arithmetic without extended
 * precision (FLT_EVAL_METHOD == 0, as on x86-64 and ARM64); elsewhere the
 * fast paths are compiled out and everything goes to strtod.
 * tests/station/core/test_numparse.c compares both with strtod on millions of
 * random strings.
 *
 * Pure functions, no allocation, no locale (always '.' as the decimal
 * point, like the canonical CSV); any thread.
 */
#ifndef GC_NUMPARSE_H
#define GC_NUMPARSE_H

#include <float.h>
#include <stddef.h>
#include <stdint.h>

/* Parse exactly s[0..len-1] as a number of any finite decimal or exponent
 * form: optional surrounding spaces, [+-]digits[.digits][(e|E)[+-]digits].
 * Returns 0 with *v, or -1 if the text is not a finite number (empty,
 * text, nan, inf, overflow, underflow). */
int numparse_double(const char *s, size_t len, double *v);

/* Parse [-]digits[.digits] (at least one digit, at most 15 in all) at p,
 * up to the first character that cannot continue it; the caller checks
 * that character (',' or the line end: the text must be terminated by a
 * character that is not a digit or '.', e.g. '\n' or '\0').  Returns the number of characters used
 * (> 0) with *v, or 0 (v untouched) if the text there is not of that form ('+', spaces, an
 * exponent, long digit runs, text, empty): then the caller uses
 * numparse_double on the whole field. */
static inline size_t numparse_plain(const char *p, double *v);

/* ---- implementation ---------------------------------------------------- */

#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
extern const double numparse_pow10[23]; /* 1e0 .. 1e22, all exact */

static inline size_t numparse_plain(const char *p, double *v)
{
    /* One byte at a time: with fields of a fixed shape the loop branches
     * are predicted and the CPU runs ahead into the next field, which beats
     * word-at-a-time tricks whose positions are computed (measured, see
     * docs/analysis.md).  Digits past 19 wrap m, but such text is declined
     * below anyway. */
    const char *q = p + (*p == '-');
    const char *i0 = q;
    uint64_t m = 0;
    unsigned d;
    while ((d = (unsigned)(unsigned char)*q - '0') < 10u) {
        m = m * 10u + d;
        q++;
    }
    size_t ki = (size_t)(q - i0), kf = 0;
    if (*q == '.') {
        const char *f0 = ++q;
        while ((d = (unsigned)(unsigned char)*q - '0') < 10u) {
            m = m * 10u + d;
            q++;
        }
        kf = (size_t)(q - f0);
    }
    if (ki + kf - 1 >= 15)
        return 0; /* no digit, or more than 15 */
    /* m < 10^15 < 2^53 is exact in a double, so is 10^kf: one correctly
     * rounded division, as in strtod. */
    double x = (double)m / numparse_pow10[kf];
    *v = *p == '-' ? -x : x;
    return (size_t)(q - p);
}

#else

static inline size_t numparse_plain(const char *p, double *v)
{
    (void)p;
    (void)v;
    return 0;
}

#endif

#endif
