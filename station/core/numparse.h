/*
 * numparse.h - exact text-to-double conversion for the CSV readers.
 *
 * Both functions give, for every text they accept, the very double that
 * strtod() gives (correctly rounded, round-half-even; bit-identical,
 * including the sign of zero).  They differ only in speed:
 *
 *   numparse_field   the common form of recorded data, [-]d.ddd with at
 *                    most 7 digits before and 7 after the point, the field
 *                    length known (the caller found the commas): 8-byte
 *                    words, no loop, no library call.  Anything else is
 *                    declined (returns -1) and the caller falls back to
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
 * tests/core/test_numparse.c compares both with strtod on millions of
 * random strings.
 *
 * Pure functions, no allocation, no locale (always '.' as the decimal
 * point, like the canonical CSV); any thread.
 */
#ifndef GC_NUMPARSE_H
#define GC_NUMPARSE_H

#include <stddef.h>

/* numparse_field loads 8-byte words: it may read up to this many bytes
 * past s + len (their values do not matter), so the caller's buffer must
 * have that much readable slack after the text. */
#define NUMPARSE_PAD 16

/* Parse exactly s[0..len-1] if it is [-]digits[.digits] with at least one
 * digit and at most 7 digits on each side of the point.  Returns 0 with
 * *v, or -1 (v untouched) for any other text, valid or not (empty, '+',
 * spaces, exponent, long digit runs, text): then use numparse_double. */
int numparse_field(const char *s, size_t len, double *v);

/* Parse exactly s[0..len-1]: optional surrounding spaces, [+-]digits
 * [.digits][(e|E)[+-]digits].  Returns 0 with *v, or -1 if the text is not
 * a finite number (empty, text, nan, inf, overflow). */
int numparse_double(const char *s, size_t len, double *v);

#endif
