/* ini_lines.c - the line reader both INI parsers share (ini_lines.h). */
#include "ini_lines.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ini_lines_init(struct ini_lines *il, const char *text, size_t len)
{
    memset(il, 0, sizeof *il);
    il->text = text;
    il->len = len;
}

void ini_lines_fail(struct ini_lines *il, int line, const char *fmt, ...)
{
    if (il->failed)
        return;
    il->failed = true;
    il->fail_line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(il->reason, sizeof il->reason, fmt, ap);
    va_end(ap);
}

/* ini_reader over the buffer: one line per call, leading blanks removed. */
static char *reader(char *str, int num, void *stream)
{
    struct ini_lines *il = stream;
    if (il->pos >= il->len || il->failed)
        return NULL;
    size_t start = il->pos, end = start;
    while (end < il->len && il->text[end] != '\n')
        end++;
    il->pos = end < il->len ? end + 1 : end;
    il->line++;
    while (start < end && (il->text[start] == ' ' || il->text[start] == '\t'))
        start++;
    size_t n = end - start;
    if (n + 2 > (size_t)num) {
        ini_lines_fail(il, il->line, "line is longer than %d characters", num - 2);
        return NULL;
    }
    memcpy(str, il->text + start, n);
    str[n] = '\n';
    str[n + 1] = '\0';
    if (n > 0 && str[0] == '[') {
        il->section_seq++;
        il->header_line = il->line;
    }
    return str;
}

void ini_lines_run(struct ini_lines *il, ini_handler handler, void *user)
{
    if (il->failed)
        return;
    int rc = ini_parse_stream(reader, il, handler, user);
    /* rc > 0 without our own reason: inih's syntax error on line rc */
    if (rc > 0 && !il->failed)
        ini_lines_fail(il, rc, "expected '[section]' or 'key = value'");
    else if (rc < 0 && !il->failed)
        ini_lines_fail(il, 0, "out of memory while parsing");
}

int ini_lines_result(const struct ini_lines *il, struct gc_diag *diag)
{
    if (!il->failed) {
        gc_diag_clear(diag);
        return GC_OK;
    }
    if (il->fail_line > 0)
        return gc_fail(diag, GC_ERR_FORMAT, "line %d: %s", il->fail_line, il->reason);
    return gc_fail(diag, GC_ERR_FORMAT, "%s", il->reason);
}

bool ini_printable_name(char *dst, size_t cap, const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n >= cap)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isprint((unsigned char)v[i]))
            return false;
    memcpy(dst, v, n + 1);
    return true;
}
