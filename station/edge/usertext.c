/* usertext.c - limits and cleaning of text typed by people (usertext.h). */
#include "usertext.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

/* U+0080..U+009F in UTF-8: 0xC2 followed by 0x80..0x9F.  Terminals treat
 * some of them (CSI = U+009B) like ESC [. */
static bool is_c1(const unsigned char *p)
{
    return p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F;
}

size_t usertext_utf8_len(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    if (p[0] < 0x80)
        return p[0] ? 1 : 0;
    size_t n;
    unsigned min;
    unsigned cp;
    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        n = 2, min = 0x80, cp = p[0] & 0x1Fu;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        n = 3, min = 0x800, cp = p[0] & 0x0Fu;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        n = 4, min = 0x10000, cp = p[0] & 0x07u;
    } else {
        return 0; /* a continuation byte, C0/C1 (overlong) or F5..FF */
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0; /* cut short (the NUL ends it too) */
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0; /* overlong, beyond Unicode, or a surrogate */
    return n;
}

bool usertext_utf8_ok(const char *s)
{
    while (*s) {
        size_t n = usertext_utf8_len(s);
        if (n == 0)
            return false;
        s += n;
    }
    return true;
}

bool usertext_ok(const char *s, size_t max)
{
    if (s == NULL)
        return true;
    size_t n = strnlen(s, max + 1);
    if (n > max || !usertext_utf8_ok(s))
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f || is_c1(p))
            return false;
    return true;
}

char *usertext_clean(char *s)
{
    if (s == NULL)
        return s;
    for (unsigned char *p = (unsigned char *)s; *p; p++) {
        if (*p == '\t') {
            *p = ' ';
        } else if (*p < 0x20 || *p == 0x7f) {
            *p = '?';
        } else if (is_c1(p)) {
            p[0] = '?';
            p[1] = '?';
            p++;
        } else if (*p >= 0x80) {
            size_t n = usertext_utf8_len((const char *)p);
            if (n == 0) {
                /* a character cut at the end of a field: gone; any other
                 * byte that is no UTF-8: '?' */
                size_t rest = strlen((const char *)p);
                bool tail = rest < 4 && *p >= 0xC2 && *p <= 0xF4;
                for (size_t i = 1; tail && i < rest; i++)
                    tail = (p[i] & 0xC0) == 0x80;
                if (tail) {
                    *p = '\0';
                    break;
                }
                *p = '?';
            } else {
                p += n - 1;
            }
        }
    }
    return s;
}

char *usertext_cut(char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return s;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--; /* s[n] would be inside a character: cut before it */
    s[n] = '\0';
    return s;
}

void usertext_say(FILE *out, const char *who, const char *msg)
{
    size_t n = strlen(msg);
    if (n == 0) {
        fprintf(out, "%s: failed.\n", who);
        return;
    }
    bool lower = n > 1 && isupper((unsigned char)msg[0]) && islower((unsigned char)msg[1]);
    bool stop = n > 0 && strchr(".?!", msg[n - 1]) != NULL;
    fprintf(out, "%s: %c%s%s\n", who, lower ? tolower((unsigned char)msg[0]) : msg[0],
            msg + 1, stop ? "" : ".");
}
