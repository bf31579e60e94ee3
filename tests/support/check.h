/*
 * check.h - minimal assertion helpers for the CTest executables.
 *
 * A failed check prints file:line, the expression and the values, counts
 * the failure and carries on; check_exit() returns the process exit code
 * (0 only if every check passed and at least one ran).  Tolerances passed
 * to CHECK_NEAR must be justified in a comment at the call site.
 */
#ifndef GC_CHECK_H
#define GC_CHECK_H

#include <stddef.h>
#include <stdint.h>

extern int check_failures;
extern int check_count;

void check_fail(const char *file, int line, const char *expr, const char *detail);
void check_near_impl(const char *file, int line, const char *expr, double got, double want,
                     double tol);
void check_int_impl(const char *file, int line, const char *expr, long long got, long long want);
int check_exit(void);
/* A whole file, NUL-terminated (malloc'd; *n its length when n is not
 * NULL), or NULL when it cannot be opened or read. */
char *check_slurp(const char *path, size_t *n);

#define CHECK(expr)                                                                                \
    do {                                                                                           \
        check_count++;                                                                             \
        if (!(expr))                                                                               \
            check_fail(__FILE__, __LINE__, #expr, "");                                             \
    } while (0)
#define CHECK_MSG(expr, msg)                                                                       \
    do {                                                                                           \
        check_count++;                                                                             \
        if (!(expr))                                                                               \
            check_fail(__FILE__, __LINE__, #expr, (msg));                                          \
    } while (0)
/* |got - want| <= tol */
#define CHECK_NEAR(got, want, tol) check_near_impl(__FILE__, __LINE__, #got, (got), (want), (tol))
#define CHECK_EQ(got, want)                                                                        \
    check_int_impl(__FILE__, __LINE__, #got " == " #want, (long long)(got), (long long)(want))

#endif
