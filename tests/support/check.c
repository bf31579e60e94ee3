#include "check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int check_failures;
int check_count;

void check_fail(const char *file, int line, const char *expr, const char *detail)
{
    check_failures++;
    fprintf(stderr, "%s:%d: CHECK FAILED: %s %s\n", file, line, expr, detail);
}

void check_near_impl(const char *file, int line, const char *expr, double got, double want,
                     double tol)
{
    check_count++;
    if (!(fabs(got - want) <= tol)) {
        char detail[160];
        snprintf(detail, sizeof detail, "(got %.9g, want %.9g +/- %.3g)", got, want, tol);
        check_fail(file, line, expr, detail);
    }
}

void check_int_impl(const char *file, int line, const char *expr, long long got, long long want)
{
    check_count++;
    if (got != want) {
        char detail[96];
        snprintf(detail, sizeof detail, "(got %lld, want %lld)", got, want);
        check_fail(file, line, expr, detail);
    }
}

int check_exit(void)
{
    if (check_count == 0) {
        fprintf(stderr, "no checks ran\n");
        return 1;
    }
    fprintf(stderr, "%d checks, %d failed\n", check_count, check_failures);
    return check_failures ? 1 : 0;
}

char *check_slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (!b || fread(b, 1, (size_t)len, f) != (size_t)len) {
        free(b);
        fclose(f);
        return NULL;
    }
    b[len] = '\0';
    fclose(f);
    if (n)
        *n = (size_t)len;
    return b;
}
