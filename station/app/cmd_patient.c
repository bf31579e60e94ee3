/* cmd_patient.c - `station patient add|list|show`. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "commands.h"
#include "gc_error.h"
#include "session_recorder.h"
#include "store.h"
#include "usertext.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: station patient add CODE [--name NAME] [--birth-year YYYY] [--db PATH]\n"
            "       station patient list [--db PATH]\n"
            "       station patient show CODE [--db PATH]\n\n"
            "Patients are known by a clinic code (letters, digits, '-', '_', '.'; at most 31).\n"
            "Name and birth year are optional; a name has at most 95 bytes (UTF-8) and no\n"
            "control characters.  The database is --db PATH or\n"
            "$XDG_DATA_HOME/gaitcue/gaitcue.db (~/.local/share/gaitcue/gaitcue.db).\n");
}

/* Value of option `name` at argv[*i] ("--name V" or "--name=V"), or NULL. */
static const char *opt(int *i, int argc, char **argv, const char *name, bool *missing)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

/* Terminal columns of a UTF-8 string (wcwidth in C.UTF-8: an umlaut takes
 * one, a CJK character two, a combining accent none), so names pad to the
 * same column; characters when that locale is missing. */
static int text_columns(const char *s)
{
    int n = 0;
    locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    locale_t old = utf8 ? uselocale(utf8) : (locale_t)0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t len = strlen(s);
    while (len > 0) {
        wchar_t wc;
        size_t k = utf8 ? mbrtowc(&wc, s, len, &st) : (size_t)-1;
        if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
            /* no locale, or a byte that is no character: one column per
             * character start */
            n += ((unsigned char)*s & 0xC0) != 0x80;
            s++;
            len--;
            memset(&st, 0, sizeof st);
            continue;
        }
        int w = wcwidth(wc);
        n += w > 0 ? w : 0;
        s += k;
        len -= k;
    }
    if (utf8) {
        uselocale(old);
        freelocale(utf8);
    }
    return n;
}

static void print_patient(const struct store_patient *p, void *user)
{
    (void)user;
    char by[16] = "-";
    if (p->birth_year > 0)
        snprintf(by, sizeof by, "%d", p->birth_year);
    const char *name = p->name[0] ? p->name : "-";
    int pad = 28 - text_columns(name);
    printf("%-16s %s%*s %-6s %d\n", p->code, name, pad > 0 ? pad : 0, "", by, p->n_sessions);
}

static void print_session(const struct store_session *s, void *user)
{
    (void)user;
    char date[32] = "-";
    time_t t = (time_t)s->start_utc;
    struct tm tm;
    if (localtime_r(&t, &tm))
        strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tm);
    printf("  #%-5lld %s  %-22s %-11s %6lld steps\n", (long long)s->id, date, s->protocol_name,
           store_status_name(s->status), (long long)s->n_steps);
}

int cmd_patient(int argc, char **argv)
{
    const char *db = NULL, *name = NULL, *by = NULL, *verb = NULL, *code = NULL;
    for (int i = 1; i < argc; i++) {
        bool missing = false;
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if ((v = opt(&i, argc, argv, "--db", &missing)))
            db = v;
        else if ((v = opt(&i, argc, argv, "--name", &missing)))
            name = v;
        else if ((v = opt(&i, argc, argv, "--birth-year", &missing)))
            by = v;
        else if (missing) {
            fprintf(stderr, "station patient: %s needs a value.\n", argv[i]);
            return 2;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "station patient: unknown option '%s'; see 'station patient --help'.\n",
                    argv[i]);
            return 2;
        } else if (!verb)
            verb = argv[i];
        else if (!code)
            code = argv[i];
        else {
            fprintf(stderr, "station patient: unexpected '%s'; see 'station patient --help'.\n",
                    argv[i]);
            return 2;
        }
    }
    if (!verb) {
        usage(stderr);
        return 2;
    }
    bool add = !strcmp(verb, "add"), list = !strcmp(verb, "list"), show = !strcmp(verb, "show");
    if (!add && !list && !show) {
        fprintf(stderr, "station patient: unknown action '%s'; use add, list or show.\n", verb);
        return 2;
    }
    if ((add || show) && !code) {
        fprintf(stderr, "station patient %s: give the patient's clinic code.\n", verb);
        return 2;
    }
    if (list && code) {
        fprintf(stderr, "station patient list takes no code; use 'station patient show %s'.\n",
                code);
        return 2;
    }
    int birth_year = 0;
    if (by) {
        char *end;
        long y = strtol(by, &end, 10);
        time_t now = time(NULL);
        struct tm tm_now;
        long this_year = gmtime_r(&now, &tm_now) ? tm_now.tm_year + 1900L : 2100;
        if (*end || y < 1900 || y > this_year) {
            fprintf(stderr,
                    "station patient: --birth-year must be a year from 1900 to %ld, like 1987.\n",
                    this_year);
            return 2;
        }
        birth_year = (int)y;
    }
    if (add && !store_code_valid(code)) {
        fprintf(stderr,
                "station patient: '%s' is not a valid clinic code: use 1 to 31 letters, digits, "
                "'-', '_' or '.'.\n",
                code);
        return 2;
    }
    if (add && name && !usertext_ok(name, USERTEXT_NAME_MAX)) {
        fprintf(stderr,
                "station patient: the name must be at most %d bytes without control characters "
                "(tabs, newlines, escapes); give a shorter, plain name.\n",
                USERTEXT_NAME_MAX);
        return 2;
    }
    struct store *st;
    if ((add ? session_recorder_create_store(db, &st, false)
            : session_recorder_open_store(db, &st, false)) != GC_OK)
        return 1;
    int ret = 0;
    /* never write into a damaged database: store_check says what to do */
    if (add && store_check(st) != GC_OK) {
        store_close(st);
        return 1;
    }
    if (add) {
        struct store_patient p;
        memset(&p, 0, sizeof p);
        snprintf(p.code, sizeof p.code, "%s", code);
        snprintf(p.name, sizeof p.name, "%s", name ? name : "");
        p.birth_year = birth_year;
        int rc = store_patient_add(st, &p);
        if (rc == GC_ERR_BUSY) {
            fprintf(stderr,
                    "station: patient %s already exists; 'station patient show %s' shows it.\n",
                    code, code);
            ret = 1;
        } else if (rc) {
            fprintf(stderr, "station: could not add patient %s: %s.\n", code, gc_strerror(rc));
            ret = 1;
        } else
            printf("patient %s added\n", code);
    } else if (list) {
        printf("%-16s %-28s %-6s %s\n", "CODE", "NAME", "BORN", "SESSIONS");
        int n = store_patient_list(st, print_patient, NULL);
        if (n < 0)
            ret = 1;
        else if (n == 0)
            printf("(no patients yet: 'station patient add CODE')\n");
    } else {
        struct store_patient p;
        int rc = store_patient_find(st, code, &p);
        if (rc == GC_ERR_NOT_FOUND) {
            struct gc_diag d;
            (void)store_patient_missing(st, code, db, &d);
            fprintf(stderr, "station: %s\n", d.msg);
            ret = 1;
        } else if (rc)
            ret = 1;
        else {
            char date[32] = "-";
            time_t t = (time_t)p.created_utc;
            struct tm tm;
            if (localtime_r(&t, &tm))
                strftime(date, sizeof date, "%Y-%m-%d", &tm);
            printf("patient    %s\nname       %s\nborn       ", p.code, p.name[0] ? p.name : "-");
            if (p.birth_year > 0)
                printf("%d\n", p.birth_year);
            else
                printf("-\n");
            printf("added      %s\nsessions   %d\n", date, p.n_sessions);
            if (store_session_list(st, p.id, print_session, NULL) < 0)
                ret = 1; /* the store said why */
        }
    }
    store_close(st);
    return ret;
}
