/*
 * sim_spawn.h - start the simulated sensor gaitcue-sim on a pseudo-terminal
 * for `station run --sim`, and stop it again.
 *
 * The executable is looked up in this order: $GC_SIM_BIN (explicit path),
 * next to the running station (/proc/self/exe), $GC_BUILD_BINDIR, the build
 * tree this station was compiled in, then $PATH.  It is started as
 * `gaitcue-sim --pty ARGS...`; its first stdout line `pty: /dev/pts/N`
 * names the port.  The child gets PR_SET_PDEATHSIG so it never outlives a
 * killed station.
 *
 * Thread: main thread only.
 */
#ifndef GC_SIM_SPAWN_H
#define GC_SIM_SPAWN_H

#include <stdbool.h>
#include <stddef.h>

#include "gc_error.h"

struct sim_proc;

/* The gaitcue-sim executable's path, looked up as above; false if none. */
bool sim_find_executable(char *out, size_t cap);

/* Start the simulator with extra args[0..n) and wait at most timeout_ms for
 * its pty line.  Returns GC_OK with *out and pty_path filled, or an error
 * with one sentence for the user in diag (GC_ERR_NOT_FOUND: no
 * executable; GC_ERR_TIMEOUT: no pty line; GC_ERR_IO: it exited). */
GC_MUST_CHECK int sim_spawn(const char *const *args, int n, int timeout_ms, struct sim_proc **out,
                            char *pty_path, size_t pty_cap, struct gc_diag *diag);
/* Still running?  If not, *exit_desc describes how it ended. */
bool sim_alive(struct sim_proc *s, char *exit_desc, size_t cap);
/* Read and discard whatever the simulator printed since (non-blocking), so
 * its stdout pipe never fills. */
void sim_drain(struct sim_proc *s);
/* Process id (for tests). */
int sim_pid(const struct sim_proc *s);
/* SIGTERM, wait up to 1 s, then SIGKILL; reap and free.  NULL is fine. */
void sim_stop(struct sim_proc *s);

#endif
