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

bool usertext_ok(const char *s, size_t max)
{
    if (s == NULL)
        return true;
    size_t n = strnlen(s, max + 1);
    if (n > max)
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
        if (*p == '\t')
            *p = ' ';
        else if (*p < 0x20 || *p == 0x7f)
            *p = '?';
        else if (is_c1(p)) {
            p[0] = '?';
            p[1] = '?';
            p++;
        }
    }
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
