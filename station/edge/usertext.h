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

/* Does s hold at most max bytes of valid UTF-8 and no control character
 * (bytes < 0x20 and 0x7f; UTF-8 C1 controls U+0080..U+009F too)?  Text
 * that is not UTF-8 would make every PDF and JSON that shows it fail. */
bool usertext_ok(const char *s, size_t max);
/* Is s valid UTF-8 (no overlong forms, surrogates or code points past
 * U+10FFFF)? */
bool usertext_utf8_ok(const char *s);
/* Bytes of the valid UTF-8 character at s (1-4), 0 when none starts there
 * (or s is ""). */
size_t usertext_utf8_len(const char *s);
/* Replace every control character of s by '?' in place (a tab by a space;
 * a C1 control, two bytes in UTF-8, by "??"), and every byte that is not
 * UTF-8 by '?' - but a character cut short at the very end (a field
 * truncated inside it) is dropped.  Returns s, valid UTF-8. */
char *usertext_clean(char *s);
/* Cut s to at most max bytes, never inside a UTF-8 character.  Returns s. */
char *usertext_cut(char *s, size_t max);

/* Print one sentence for the user on out as "who: sentence\n": a
 * sentence begun with a capital for use on its own ("There is no ...")
 * is lowered to follow the prefix (not an acronym such as "USB"), and a
 * full stop is added when it has none (never a second one). */
void usertext_say(FILE *out, const char *who, const char *msg);

#endif
