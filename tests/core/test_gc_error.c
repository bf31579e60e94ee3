/*
 * test_gc_error - the one error enum (gc_error.h): success and failures
 * keep their signs, every code has its own phrase, and a code nobody
 * defined says so instead of crashing.
 */
#include <string.h>

#include "check.h"
#include "gc_error.h"

int main(void)
{
    /* The contract callers rely on: 0 ok, failures negative. */
    CHECK_EQ(GC_OK, 0);
    const int codes[] = {GC_ERR_ARG,     GC_ERR_NOMEM,       GC_ERR_IO,   GC_ERR_FORMAT,
                         GC_ERR_TIMEOUT, GC_ERR_PROTO,       GC_ERR_UNSUPPORTED,
                         GC_ERR_BUSY,    GC_ERR_NOT_FOUND,   GC_ERR_VERSION,
                         GC_ERR_STATE,   GC_ERR_CLOSED,      GC_ERR_PERM};
    const size_t n = sizeof codes / sizeof codes[0];
    const char *unknown = gc_strerror(-1000);
    CHECK(unknown && !strcmp(unknown, "unknown error"));
    CHECK(!strcmp(gc_strerror(1), unknown)); /* counts are not errors */
    CHECK(!strcmp(gc_strerror(GC_OK), "success"));
    for (size_t i = 0; i < n; i++) {
        CHECK(codes[i] < 0);
        const char *s = gc_strerror(codes[i]);
        CHECK_MSG(s && s[0] && strcmp(s, unknown) && strcmp(s, "success"), s ? s : "(null)");
        /* distinct codes, distinct phrases */
        for (size_t k = 0; k < i; k++) {
            CHECK(codes[k] != codes[i]);
            CHECK_MSG(strcmp(gc_strerror(codes[k]), s) != 0, s);
        }
    }
    /* The codes are dense from -1 to the last one: a new code gets a
     * phrase here or this fails. */
    CHECK_EQ(GC_ERR_PERM, -(int)n);
    CHECK(!strcmp(gc_strerror(GC_ERR_PERM - 1), unknown));
    CHECK(!strcmp(gc_strerror(GC_ERR_FORMAT), "malformed data"));
    return check_exit();
}
