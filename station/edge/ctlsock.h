/*
 * ctlsock.h - the local control socket of a running station.
 *
 * A Unix-domain stream socket, owner-only: the directory
 * $XDG_RUNTIME_DIR/gaitcue/ (fallback /tmp/gaitcue-$UID/) is 0700 and the
 * socket station.sock in it 0600; a directory or socket owned by another
 * user is refused (both by the server and by the client), and a peer whose
 * credentials (SO_PEERCRED) are neither the owner nor root is hung up on.
 *
 * At most 8 connections at a time.  A connection silent for 30 s is
 * closed ("error closed: idle too long"), and when all 8 are taken a new
 * connection replaces the one quiet longest ("error closed: idle, replaced
 * by a newer connection"): idle clients can never lock the owner out.
 *
 * Line protocol, one command per line (max 480 bytes), one reply line each:
 *
 *   set target-cadence 172        set target-relative 7.5   set band 2.5
 *   set loading-ceiling 60        set impact-ceiling 2.0|off
 *   set mode continuous|bandwidth|faded|off
 *   set metronome on|off          set mute on|off           set align on|off
 *   set volume 0..100             set cues tones|soft
 *   set good-cue on|off [EVERY]   set phase baseline|training|retention
 *   set intervals RUN_S WALK_S REPS                        set baseline SPM
 *   set speed M/S (the treadmill's belt speed, 0.5..8)     set incline PCT (-15..+30)
 *   get status | get KEY          (KEY: any key of 'set'; also body-weight, deck-speed)
 *   mark pain 0..10   mark symptom "knee"   mark note "..."   mark event
 *   help
 *
 *   replies:  ok [key=value ...]      error <reason>
 *
 * Strings may be double-quoted ("..." with \" and \\); bare words are
 * single tokens.  ctlsock_parse checks the syntax (verbs, keys, number of
 * arguments, numbers where numbers belong); ranges are checked by whoever
 * applies the command.
 *
 * Thread: the server object is polled from one non-real-time thread (the
 * main thread in `station run`); the handler runs on that thread, where
 * feedback_app applies the command to the session's state (session.h,
 * typed commands) and queues what the policy needs to the audio thread.
 * The parser and the client are pure/blocking helpers usable from any
 * thread.
 */
#ifndef GC_CTLSOCK_H
#define GC_CTLSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "gc_error.h"

#define CTLSOCK_LINE_MAX 480

/* CTL_STOP: the PT ends the session (as Esc or Ctrl-C would). */
enum ctl_verb { CTL_SET = 1, CTL_GET, CTL_MARK, CTL_HELP, CTL_STOP };

struct ctl_cmd {
    enum ctl_verb verb;
    char key[32]; /* "target-cadence", "status", "pain", ... */
    int nargs;    /* 0..3 */
    char arg[3][CTLSOCK_LINE_MAX];
    double num[3]; /* numeric value of arg[i], NAN if not a number */
};

/* GC_OK, or GC_ERR_FORMAT with a short reason in diag ("unknown key
 * 'foo'", ...). */
GC_MUST_CHECK int ctlsock_parse(const char *line, struct ctl_cmd *out, struct gc_diag *diag);

/* The ranges of a parsed command's numbers (ranges.h: targets, band,
 * ceilings; volume 0..100, good-cue EVERY 1..1000, pain a whole 0..10),
 * checked before anything is sent so a bad value is the user's mistake
 * said at once.  GC_OK, or GC_ERR_ARG with one sentence (full stop, what
 * to give) in diag. */
GC_MUST_CHECK int ctlsock_check_values(const struct ctl_cmd *c, struct gc_diag *diag);

/* The socket path for uid: $XDG_RUNTIME_DIR/gaitcue/station.sock when
 * XDG_RUNTIME_DIR is set, else /tmp/gaitcue-UID/station.sock. */
int ctlsock_default_path(char *buf, size_t cap, uid_t uid);

/* Checks that path's directory (and the socket, if present) belong to uid
 * and are not open to others.  GC_OK, GC_ERR_NOT_FOUND (missing), or
 * GC_ERR_PERM with the reason in diag. */
GC_MUST_CHECK int ctlsock_check_owner(const char *path, uid_t uid, struct gc_diag *diag);

struct ctlsock_config {
    const char *path; /* NULL: ctlsock_default_path(uid) */
    uid_t uid;        /* the owner we expect; (uid_t)-1 = getuid() (tests stub it) */
};

/* The handler fills reply (without newline): "ok ..." or "error ...". */
typedef void (*ctlsock_handler)(void *user, const struct ctl_cmd *cmd, char *reply, size_t cap);

struct ctlsock;

/* Creates the directory (0700) and the socket (0600), listening.  A stale
 * socket of ours is replaced; a live one means another station runs
 * (GC_ERR_BUSY).  GC_OK with *out, or a gc_err (*out NULL) with one
 * sentence in diag. */
GC_MUST_CHECK int ctlsock_new(const struct ctlsock_config *cfg, struct ctlsock **out,
                              struct gc_diag *diag);
/* Is a station serving the control socket at path (NULL: the default
 * path for uid)?  True when a connection is accepted there; a stale
 * socket file of a station that died is not in use. */
bool ctlsock_in_use(const char *path, uid_t uid, char *used_path, size_t cap);
/* Closes every connection and removes the socket. */
void ctlsock_free(struct ctlsock *s);
const char *ctlsock_path(const struct ctlsock *s);

/* Accepts connections and answers every complete line, waiting at most
 * timeout_ms for activity (0 = just look).  Returns the number of commands
 * handled (>= 0) or < 0 on a fatal error. */
int ctlsock_poll(struct ctlsock *s, int timeout_ms, ctlsock_handler h, void *user);

/* Client: send one line to the station at path (after the ownership
 * check for uid) and read one reply line.  GC_OK with the reply, or
 * GC_ERR_NOT_FOUND (no station), GC_ERR_PERM (foreign socket),
 * GC_ERR_TIMEOUT, GC_ERR_IO with one sentence in diag.  GC_OK says only
 * that a reply came: ctlsock_reply_parse says what it means. */
GC_MUST_CHECK int ctlsock_request(const char *path, uid_t uid, const char *line, char *reply,
                                  size_t cap, int timeout_ms, struct gc_diag *diag);

/* What a reply line means (the one reading of "ok ..." / "error ...",
 * shared by ctl, the web console and the station's own commands): GC_OK
 * for "ok" (alone or with what is in force), GC_ERR_ARG for "error
 * REASON" with REASON in diag, GC_ERR_PROTO for anything else (the line
 * in diag).  A trailing newline is ignored. */
int ctlsock_reply_parse(const char *reply, struct gc_diag *diag);

#endif
