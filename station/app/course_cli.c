/* course_cli.c - shared command-line pieces of the course commands. */
#include "course_cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_error.h"
#include "session_recorder.h"

const char *course_cli_opt(int *i, int argc, char **argv, const char *name, bool *missing)
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

bool course_cli_int(const char *s, int lo, int hi, int *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end || errno || v < lo || v > hi)
        return false;
    *out = (int)v;
    return true;
}

int course_cli_patient(const char *prog, const char *db, const char *code, struct store **st,
                       struct store_patient *p)
{
    if (!store_code_valid(code)) {
        fprintf(stderr,
                "%s: '%.40s' is not a clinic code (letters, digits, '-', '_', '.'; at most 31).\n",
                prog, code);
        return 2;
    }
    if (session_recorder_open_store(db, st, true) != GC_OK)
        return 1; /* the store said why */
    if (store_patient_find(*st, code, p) != GC_OK) {
        struct gc_diag d;
        (void)store_patient_missing(*st, code, db, &d);
        fprintf(stderr, "%s: %s\n", prog, d.msg);
        store_close(*st);
        *st = NULL;
        return 1;
    }
    return 0;
}
