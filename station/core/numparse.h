/*
 * numparse.h - exact text-to-double conversion for the CSV readers.
 *
 * Both functions give, for every text they accept, the very double that
 * strtod() gives (correctly rounded, round-half-even; bit-identical,
 * including the sign of zero).  They differ only in speed:
 *
 *   numparse_field   the common form of recorded data, [-]ddd.ddd with at
 *                    most 7 digits before the point and 8 digits in all
 *                    (or 7 + 7 for long time stamps), the field's length
 *                    known (the caller found the commas): 8-byte words, no
 *                    loop, no library call; inline, because the CSV reader
 *                    calls it a few million times a second.  Anything else
 *                    is declined (-1) and the caller falls back to
 *                    numparse_double.
 *   numparse_double  any finite decimal or exponent form; rare forms (long
 *                    mantissas, exponents) go through strtod.
 *
 * Why exact: with at most 15 significant digits the mantissa m is an
 * integer below 2^53 and 10^k (k <= 22) is exact in a double, so the one
 * IEEE division m / 10^k is the correctly rounded value of the decimal
 * (Clinger's fast path).  That needs double arithmetic without extended
 * precision (FLT_EVAL_METHOD == 0, as on x86-64 and ARM64); elsewhere, and
 * on big-endian machines, the fast paths are compiled out and everything
 * goes to strtod.  tests/core/test_numparse.c compares both with strtod on
 * millions of random strings.
 *
 * Pure functions, no allocation, no locale (always '.' as the decimal
 * point, like the canonical CSV); any thread.
 */
#ifndef GC_NUMPARSE_H
#define GC_NUMPARSE_H

#include <float.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* numparse_field loads 8-byte words: it may read up to this many bytes
 * past s + len (their values do not matter), so the caller's buffer must
 * have that much readable slack after the text. */
#define NUMPARSE_PAD 16

/* Parse exactly s[0..len-1] as a number of any finite decimal or exponent
 * form: optional surrounding spaces, [+-]digits[.digits][(e|E)[+-]digits].
 * Returns 0 with *v, or -1 if the text is not a finite number (empty,
 * text, nan, inf, overflow, underflow). */
int numparse_double(const char *s, size_t len, double *v);

/* Parse exactly s[0..len-1] if it is [-]digits[.digits] with at least one
 * digit, at most 7 before the point and either at most 8 digits in all or
 * at most 7 after the point.  Returns 0 with *v, or -1 (v untouched) for
 * any other text, valid or not (empty, '+', spaces, exponent, long digit
 * runs, text): then use numparse_double.  Reads up to NUMPARSE_PAD bytes
 * past s + len. */
static inline int numparse_field(const char *s, size_t len, double *v);

/* ---- implementation ---------------------------------------------------- */

#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0 && defined(__GNUC__) &&                       \
    defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NUMPARSE_SWAR 1

extern const double numparse_pow10[23];      /* 1e0 .. 1e22, all exact */
extern const uint64_t numparse_pow10_u64[8]; /* 1 .. 10^7 */
extern const uint64_t numparse_low_bytes[9]; /* the lowest k bytes set */

static inline uint64_t numparse_load8_(const char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w); /* one unaligned load, byte 0 = p[0] */
    return w;
}

/* Bits 4..7 of each byte of the result are zero exactly for the bytes of w
 * that are ASCII digits: after x = byte ^ '0' a digit is 0..9, x + 6
 * reaches 0x10 exactly for 10..15, and bytes with a high nibble are
 * non-digits anyway.  A carry out of a non-digit byte can only mark bytes
 * after it (wrongly), so only the first marked byte is meaningful. */
static inline uint64_t numparse_nondigits_(uint64_t w)
{
    uint64_t x = w ^ 0x3030303030303030u;
    return (x | (x + 0x0606060606060606u)) & 0xF0F0F0F0F0F0F0F0u;
}

/* Index (0..7) of the first non-digit byte of w; 7 also when all eight are
 * digits (the callers treat both alike: not the plain form there). */
static inline unsigned numparse_first_nondigit_(uint64_t w)
{
    return (unsigned)__builtin_ctzll(numparse_nondigits_(w) | 0x8000000000000000u) >> 3;
}

/* Value of the 8 digit characters of w, byte 0 the most significant; zero
 * bytes count as leading zeros.  Pairs, quads and the eight are combined
 * with three multiplications. */
static inline uint64_t numparse_digits8_(uint64_t w)
{
    w &= 0x0F0F0F0F0F0F0F0Fu;
    w = (w * (10u * 256u + 1u)) >> 8;
    w = ((w & 0x00FF00FF00FF00FFu) * (100u * 65536u + 1u)) >> 16;
    w = ((w & 0x0000FFFF0000FFFFu) * (10000ull * 4294967296ull + 1u)) >> 32;
    return w;
}

static inline int numparse_field(const char *s, size_t len, double *v)
{
    bool neg = len && s[0] == '-';
    const char *g = s + neg;
    size_t n = len - neg;
    if (n - 1 >= 15)
        return -1; /* empty, or longer than the plain form */
    uint64_t lo = numparse_load8_(g);
    unsigned ki = numparse_first_nondigit_(lo); /* digits before the point */
    if (ki > n)
        ki = (unsigned)n;
    bool point = ki < n;
    if (point && ((lo >> (8u * ki)) & 0xFFu) != '.')
        return -1;
    unsigned d = (unsigned)n - point; /* digits */
    unsigned kf = d - ki;             /* digits after the point */
    uint64_t m;
    if (d <= 8) {
        /* Squeeze the point out ("525.2390" -> "5252390"), then convert
         * the d digits at once, shifted to the top of the word. */
        uint64_t mk = numparse_low_bytes[ki];
        uint64_t c = (lo & mk) | (numparse_load8_(g + 1) & ~mk);
        if (d == 0 || (numparse_nondigits_(c) & numparse_low_bytes[d]))
            return -1;
        m = numparse_digits8_(c << (8u * (8u - d)));
    } else {
        /* Longer ("3599.999000"): integer part and fraction apart. */
        if (kf > 7)
            return -1;
        uint64_t fw = numparse_load8_(g + ki + 1);
        if (numparse_nondigits_(fw) & numparse_low_bytes[kf])
            return -1;
        m = numparse_digits8_((lo << (8u * (7u - ki))) << 8) * numparse_pow10_u64[kf] +
            numparse_digits8_((fw << (8u * (7u - kf))) << 8);
    }
    /* At most 14 digits: m < 10^14 < 2^53 is exact in a double, so is
     * 10^kf; one correctly rounded division, as in strtod.  The sign is
     * applied to the bits, without a branch (signs vary sample to sample). */
    double x = (double)m / numparse_pow10[kf];
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    bits |= (uint64_t)neg << 63;
    memcpy(v, &bits, sizeof bits);
    return 0;
}

#else

static inline int numparse_field(const char *s, size_t len, double *v)
{
    (void)s;
    (void)len;
    (void)v;
    return -1;
}

#endif

#endif
