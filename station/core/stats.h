/*
 * stats.h - order statistics on caller-owned arrays: the one median of the
 * tree.  Pure: no I/O, no state.  None of these allocates, locks or logs;
 * each reorders the array it is given (copy first to keep the order).
 * Thread: any (the array is the caller's).
 *
 *   stats_median_inplace  any n: qsort, then the middle.  Offline and
 *                         main-thread work (summaries, baselines, status).
 *   stats_median_small    small windows on the real-time paths (DSP and
 *                         audio threads: contact-time history, the last
 *                         cadence_steps step times): insertion sort, no
 *                         library call, O(n^2) so keep n <= ~64.
 *   stats_select_f        the k-th smallest float by quickselect, O(n)
 *                         on average: the flight median of stepdet over up
 *                         to STEPDET_HIST samples (k = n / 2).
 *
 * Median of an even count: the mean of the two middle values.  NaN: the
 * sorts order with `<`/`>`, so a NaN lands where the comparisons leave it
 * and the result is then unspecified; callers pass finite values (they
 * filter them, as summary_median_cadence does).
 */
#ifndef GC_STATS_H
#define GC_STATS_H

#include <stddef.h>

/* Median of v[0..n-1] (sorted ascending on return); NAN when n == 0. */
double stats_median_inplace(double *v, size_t n);

/* Same result as stats_median_inplace by insertion sort (v sorted on
 * return); NAN when n == 0.  For the real-time threads: never calls qsort. */
double stats_median_small(double *v, size_t n);

/* The k-th smallest of v[0..n-1] (k < n, 0-based; n >= 1), v reordered
 * around it (Hoare partition).  k = n / 2 is the median of an odd count and
 * the upper of the two middle values of an even one. */
float stats_select_f(float *v, size_t n, size_t k);

#endif
