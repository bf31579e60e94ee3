/*
 * commands.h - the station's subcommands.  Each takes the arguments after
 * the subcommand name (argv[0] is the subcommand) and returns the process
 * exit code: 0 success, 1 failure the user can fix (message printed),
 * 2 usage error.  Thread: main thread only.
 */
#ifndef GC_COMMANDS_H
#define GC_COMMANDS_H

int cmd_run(int argc, char **argv);      /* live session (sensor or --sim) */
int cmd_probe(int argc, char **argv);    /* identity + link check, JSON */
int cmd_ports(int argc, char **argv);    /* list serial ports */
int cmd_replay(int argc, char **argv);   /* replay a recorded session */
int cmd_analyze(int argc, char **argv);  /* offline analysis of CSV/recording */
int cmd_ctl(int argc, char **argv);      /* talk to a running station */
int cmd_patient(int argc, char **argv);  /* patient add|list|show */
int cmd_sessions(int argc, char **argv); /* list stored sessions */
int cmd_report(int argc, char **argv);   /* session report PDF/CSV/JSON */
int cmd_progress(int argc, char **argv); /* trend report across sessions */
int cmd_backup(int argc, char **argv);   /* copy of the session store */
int cmd_program(int argc, char **argv);  /* course of care: programs */
int cmd_symptoms(int argc, char **argv); /* symptoms around a session */
int cmd_prom(int argc, char **argv);     /* outcome measures (LEFS, NPRS) */
int cmd_test(int argc, char **argv);     /* readiness test on the deck */
int cmd_test_report(int argc, char **argv); /* station test report: readiness report */
int cmd_metronome(int argc, char **argv); /* practice track (WAV) */

#endif
