/* test_ini_lines - the line reader plan.c and program.c share
 * (ini_lines.h): line and section counts, the first failure kept with its
 * line, inih's syntax error and an overlong line named by line, the
 * gc_diag it gives, and the printable-name check. */
#include <string.h>

#include "check.h"
#include "gc_error.h"
#include "ini_lines.h"

struct seen {
    struct ini_lines *il;
    int keys;
    int last_line, last_seq;
    int fail_on; /* key number that records a failure, 0: none */
};

static int handler(void *user, const char *section, const char *name, const char *value)
{
    (void)section;
    (void)name;
    (void)value;
    struct seen *s = user;
    s->keys++;
    s->last_line = s->il->line;
    s->last_seq = s->il->section_seq;
    if (s->keys == s->fail_on) {
        ini_lines_fail(s->il, s->il->line, "key %d refused", s->keys);
        ini_lines_fail(s->il, 1, "a second failure is not kept");
        return 0;
    }
    return 1;
}

static void run(const char *text, struct ini_lines *il, struct seen *s, int fail_on)
{
    ini_lines_init(il, text, strlen(text));
    memset(s, 0, sizeof *s);
    s->il = il;
    s->fail_on = fail_on;
    ini_lines_run(il, handler, s);
}

static void test_counts(void)
{
    struct ini_lines il;
    struct seen s;
    struct gc_diag d;
    run("; comment\n[a]\n  x = 1\n\n[a]\ny = 2\n", &il, &s, 0);
    CHECK_EQ(s.keys, 2);
    CHECK_EQ(s.last_line, 6);
    CHECK_EQ(s.last_seq, 2);
    CHECK_EQ(il.header_line, 5);
    CHECK_EQ(ini_lines_result(&il, &d), GC_OK);
    CHECK_EQ(d.code, GC_OK);
    CHECK(d.msg[0] == '\0');
}

static void test_failures(void)
{
    struct ini_lines il;
    struct seen s;
    struct gc_diag d;
    /* the handler's own failure, on its line; the second one is dropped */
    run("[a]\nx = 1\ny = 2\nz = 3\n", &il, &s, 2);
    CHECK_EQ(s.keys, 2);
    CHECK_EQ(ini_lines_result(&il, &d), GC_ERR_FORMAT);
    CHECK_EQ(d.code, GC_ERR_FORMAT);
    CHECK_MSG(!strcmp(d.msg, "line 3: key 2 refused"), d.msg);
    /* inih's syntax error */
    run("[a]\nx = 1\nnot a key\n", &il, &s, 0);
    CHECK_EQ(ini_lines_result(&il, &d), GC_ERR_FORMAT);
    CHECK_MSG(!strcmp(d.msg, "line 3: expected '[section]' or 'key = value'"), d.msg);
    /* a line longer than inih's buffer stops the reading */
    static char big[4096];
    memset(big, 'x', sizeof big - 1);
    memcpy(big, "[a]\nk = ", 8);
    run(big, &il, &s, 0);
    CHECK_EQ(s.keys, 0);
    CHECK_EQ(ini_lines_result(&il, &d), GC_ERR_FORMAT);
    CHECK_MSG(strstr(d.msg, "line 2: line is longer than") == d.msg, d.msg);
    /* a failure on no line: the reason alone; run does nothing after it */
    ini_lines_init(&il, "[a]\nx = 1\n", 10);
    ini_lines_fail(&il, 0, "no phases");
    memset(&s, 0, sizeof s);
    s.il = &il;
    ini_lines_run(&il, handler, &s);
    CHECK_EQ(s.keys, 0);
    CHECK_EQ(ini_lines_result(&il, &d), GC_ERR_FORMAT);
    CHECK_MSG(!strcmp(d.msg, "no phases"), d.msg);
}

static void test_names(void)
{
    char dst[8] = "keep";
    CHECK(ini_printable_name(dst, sizeof dst, "abc def"));
    CHECK(!strcmp(dst, "abc def"));
    CHECK(!ini_printable_name(dst, sizeof dst, ""));
    CHECK(!ini_printable_name(dst, sizeof dst, "12345678")); /* needs 9 bytes */
    CHECK(!ini_printable_name(dst, sizeof dst, "a\tb"));
    CHECK(!strcmp(dst, "abc def"));
}

int main(void)
{
    test_counts();
    test_failures();
    test_names();
    return check_exit();
}
