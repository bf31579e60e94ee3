/*
 * course_cli.h - what the course commands (program, symptoms, prom,
 * metronome) share on the command line: "--name V" / "--name=V" options,
 * the store and patient they act on, whole numbers in a range.
 *
 * Thread: main thread only.
 */
#ifndef GC_COURSE_CLI_H
#define GC_COURSE_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"

/* Value of option `name` at argv[*i] ("--name V" or "--name=V"), advancing
 * *i past the value; NULL when argv[*i] is not that option.  *missing is
 * set when the option has no value. */
const char *course_cli_opt(int *i, int argc, char **argv, const char *name, bool *missing);

/* Whole number in [lo, hi] (no sign games, no trailing text). */
bool course_cli_int(const char *s, int lo, int hi, int *out);

/* Open the store (db NULL = default, recovering crashed sessions) and find
 * the patient.  Returns the exit code to use on failure (1, message
 * printed with prog as prefix) or 0. */
int course_cli_patient(const char *prog, const char *db, const char *code, struct store **st,
                       struct store_patient *p);

#endif
