/*
 * usertext.h - text typed by people (patient names, notes, therapist
 * names): limits on input, control characters removed on output.
 *
 * A patient name holding "\033]0;...\007" must never reach a terminal or a
 * PDF as an escape sequence, and a 100,000-character note must not be
 * accepted at all.  Limits (bytes of UTF-8, no control characters):
 *
 *   patient name      USERTEXT_NAME_MAX   (95, the store's field)
 *   therapist name    USERTEXT_NAME_MAX
 *   marker note       USERTEXT_NOTE_MAX   (159, the store's field)
 *
 * Thread: any (pure functions).
 */
#ifndef GC_USERTEXT_H
#define GC_USERTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define USERTEXT_NAME_MAX 95
#define USERTEXT_NOTE_MAX 159

/* Does s hold at most max bytes and no control character (bytes < 0x20 and
 * 0x7f; UTF-8 C1 controls U+0080..U+009F too)? */
bool usertext_ok(const char *s, size_t max);
/* Replace every control character of s by '?' in place (a tab by a space;
 * a C1 control, two bytes in UTF-8, by "??").  Returns s. */
char *usertext_clean(char *s);

/* Print one sentence for the user on out as "who: sentence\n": a
 * sentence begun with a capital for use on its own ("There is no ...")
 * is lowered to follow the prefix (not an acronym such as "USB"), and a
 * full stop is added when it has none (never a second one). */
void usertext_say(FILE *out, const char *who, const char *msg);

#endif
