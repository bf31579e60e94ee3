/*
 * test_gc_error - the one error enum (gc_error.h): success and failures
 * keep their signs, every code has its own phrase, and a code nobody
 * defined says so instead of crashing; the diagnostics struct keeps a
 * failure's code and sentence, and a warning on success (gc_warn).
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

    /* The diagnostics struct: the code comes back and is kept, the message
     * is the formatted sentence, a caller's prefix goes in front, and a
     * message too long for the buffer is cut, never overflowed. */
    struct gc_diag d;
    gc_diag_clear(&d);
    CHECK_EQ(d.code, GC_OK);
    CHECK(d.msg[0] == '\0');
    CHECK_EQ(gc_fail(&d, GC_ERR_IO, "cannot open '%s'", "x.gcrec"), GC_ERR_IO);
    CHECK_EQ(d.code, GC_ERR_IO);
    CHECK(!strcmp(d.msg, "cannot open 'x.gcrec'"));
    CHECK_EQ(gc_diag_prefix(&d, "recording %d", 3), GC_ERR_IO);
    CHECK(!strcmp(d.msg, "recording 3: cannot open 'x.gcrec'"));
    CHECK_EQ(gc_fail(&d, GC_ERR_NOT_FOUND, NULL), GC_ERR_NOT_FOUND);
    CHECK(!strcmp(d.msg, "not found"));
    CHECK_EQ(gc_fail(NULL, GC_ERR_ARG, "ignored"), GC_ERR_ARG);
    char big[1000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    gc_fail(&d, GC_ERR_FORMAT, "%s", big);
    CHECK_EQ(strlen(d.msg), (size_t)GC_DIAG_MSG_MAX - 1);
    gc_diag_prefix(&d, "%s", big);
    CHECK_EQ(strlen(d.msg), (size_t)GC_DIAG_MSG_MAX - 1);
    gc_diag_clear(&d);
    CHECK(d.code == GC_OK && d.msg[0] == '\0');
    CHECK(!gc_diag_is_warning(&d));

    /* A warning on success: the code stays GC_OK, the sentence is kept and
     * replaces an earlier failure's, and only it counts as a warning. */
    gc_fail(&d, GC_ERR_IO, "old failure");
    CHECK(!gc_diag_is_warning(&d));
    CHECK_EQ(gc_warn(&d, "file %d is %s", 2, "stale"), GC_OK);
    CHECK_EQ(d.code, GC_OK);
    CHECK(!strcmp(d.msg, "file 2 is stale"));
    CHECK(gc_diag_is_warning(&d));
    CHECK_EQ(gc_diag_prefix(&d, "calibration"), GC_OK);
    CHECK(!strcmp(d.msg, "calibration: file 2 is stale"));
    CHECK_EQ(gc_warn(NULL, "ignored"), GC_OK);
    CHECK(!gc_diag_is_warning(NULL));
    gc_warn(&d, "%s", big);
    CHECK_EQ(strlen(d.msg), (size_t)GC_DIAG_MSG_MAX - 1);
    CHECK(gc_diag_is_warning(&d));
    return check_exit();
}
