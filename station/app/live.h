/*
 * live.h - the live acquisition pipeline: threads, rings, snapshot.
 *
 *   source thread                 DSP thread                         outputs
 *   ------------                  ----------                         -------
 *   serial reader: slink_read     pop struct rec_record              latest snapshot (seqlock)
 *   -> frame decoder -> record    -> recording ring ---------------> writer thread -> file
 *   (t_rx = CLOCK_MONOTONIC)      -> dsp_feed (core/dsp.h: decode,   event rings (consumers)
 *   reconnect, silence, pings        seq tracking, timeline, gaps,   status rings
 *      or                            deck, gait, clock mapping)      line ring (terminal view)
 *   replay: records from a file   -> outputs to the rings
 *        \___ SPSC ring of struct rec_record ___/
 *
 * The DSP thread only moves records and outputs between rings: all the
 * record -> events work is the pure core object of dsp.h, which reads
 * nothing but the records fed to it.  Every record it is fed is what the
 * recording stores, so replaying a recording (here, or single-threaded in
 * `station analyze`, which feeds dsp.h directly) reproduces the live
 * session exactly (same steps, same lines).  The reader thread turns
 * host-side happenings (silence, unplug, reconnect, frame-layer counters)
 * into REC_LINK records for that reason.
 *
 * Data are never interpolated: lost blocks, silences that lost data,
 * sensor reboots, blocks with an impossible time or rate become a gap
 * (gait_mark_gap) and a GAIT_EV_GAP event.
 *
 * Thread: live_new, live_add_event_consumer, live_start, live_stop,
 * live_free are called by one control thread (the main thread).
 * live_get_snapshot may be called from any thread at any time.
 * live_send_command and live_next_line are single-producer / single-
 * consumer: one control thread each (the main thread).
 * live_request_stop: any thread, async-signal-safe.
 * live_replay_config and live_record_view are reentrant and start no thread.
 */
#ifndef GC_LIVE_H
#define GC_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "deck.h"
#include "dsp.h"
#include "gait.h"
#include "gc_error.h"
#include "packet.h"
#include "recording.h"
#include "slink.h"
#include "spsc.h"

/* Silence longer than this while streaming is reported as a link event
 * (issue 4: detect within 0.5 s; the reader polls every LIVE_POLL_MS). */
#define LIVE_SILENCE_MS 300
#define LIVE_POLL_MS    20
/* Reconnect attempts while the port is gone. */
#define LIVE_REOPEN_MS 250
/* Ping period (clock mapping, latency); faster during the first seconds. */
#define LIVE_PING_MS       1000
#define LIVE_LAST_STEPS    DSP_LAST_STEPS
#define LIVE_MAX_CONSUMERS 8
#define LIVE_LINE_LEN      DSP_LINE_LEN

/* Link state and health are the DSP object's (dsp.h); the live names stay. */
#define LIVE_LINK_CONNECTING DSP_LINK_CONNECTING
#define LIVE_LINK_STREAMING  DSP_LINK_STREAMING
#define LIVE_LINK_SILENT     DSP_LINK_SILENT
#define LIVE_LINK_LOST       DSP_LINK_LOST
#define LIVE_LINK_ENDED      DSP_LINK_ENDED

struct live_snapshot {
    uint64_t version;   /* increases with every publish */
    double t_session_s; /* session time of the last sample, s */
    double t_host_s;    /* host time since the session start, s */
    enum dsp_link_state link_state;
    bool finished; /* session over (--seconds reached, replay ended) */
    struct gait_status gait;
    uint32_t contacts;          /* GAIT_EV_CONTACT events */
    float fz_n, copx_m, copy_m; /* last sample (NAN COP when unloaded) */
    struct dsp_link_health link; /* link.rec_dropped: the recording ring's drops */
    uint32_t n_steps; /* steps completed; newest in last_steps[(n_steps-1) % LIVE_LAST_STEPS] */
    struct gait_step last_steps[LIVE_LAST_STEPS];
    struct pkt_hello hello;
};

/* Element of an event consumer ring (spsc elem_size = sizeof(struct live_event)). */
struct live_event {
    struct gait_event ev; /* times in session seconds */
    int64_t t_rx_ns;      /* host receive time (CLOCK_MONOTONIC ns) of the frame whose samples
                             produced the event: "sample arrival" for latency figures */
    int64_t t_emit_ns;    /* host time the DSP pushed the event */
    double t_ev_host_s;   /* ev.t_s mapped to host CLOCK_MONOTONIC seconds; NAN if unmapped */
};

struct live_config {
    /* Source: a port (link already opened and identified by the caller, who
     * hands it over) or a replay file. */
    struct slink *link;              /* owned by live from live_new on (even on failure) */
    const char *port_path;           /* for reopening after unplug; NULL = no reconnect */
    struct slink_params link_params; /* for reopening */
    const char *replay_path;         /* replay instead of a port */
    double replay_speed;             /* 1 = real time, 0 = as fast as possible */

    const uint8_t *hello_raw;   /* PKT_HELLO_SIZE bytes from the handshake (ignored for
                                   replay: taken from the file) */
    const struct deck_cal *cal; /* NULL = nominal from HELLO (replay: from the file) */
    double mass_kg;             /* 0 = estimate */
    double seconds;             /* stop after this much session time; 0 = never */
    const char *record_path;    /* NULL = no recording */
    const char *source_desc;    /* for the recording's INFO ("sim", "port /dev/ttyACM0") */
    bool send_start;            /* live: send CMD_START after live_start */
};

struct live;

/* Build the pipeline (allocates rings, gait, FFTW plans; opens the
 * recording).  GC_OK with *out, or a gc_err (*out NULL) with a sentence
 * for the user in diag. */
GC_MUST_CHECK int live_new(const struct live_config *cfg, struct live **out, struct gc_diag *diag);
/* Register a ring that receives every gait event (elem_size must be
 * sizeof(struct live_event)).  The DSP thread pushes and never waits: a
 * full ring drops (spsc_dropped counts).  Call before live_start; the ring
 * stays the caller's and must outlive the live object's threads. */
int live_add_event_consumer(struct live *lv, struct spsc *ring);
/* Register a ring that receives the analysis status (elem_size must be
 * sizeof(struct gait_status)) once per second of session time, at the same
 * moments as the terminal line: e.g. the sliding spectral cadence for a
 * summary (`station analyze` of a recording).  Same rules as
 * live_add_event_consumer: never waits, a full ring drops. */
int live_add_status_consumer(struct live *lv, struct spsc *ring);
int live_start(struct live *lv);
/* Ask the threads to finish (any thread; async-signal-safe). */
void live_request_stop(struct live *lv);
/* True once the session is over (--seconds of session time reached, the
 * replay file ended, or the source failed for good). */
bool live_finished(const struct live *lv);
/* Main thread: sleep at most timeout_ms, or until the DSP thread hands
 * over an event (to the consumers' rings) or a terminal line, whichever
 * comes first; a wake-up that came meanwhile returns at once.  The main
 * loop sleeps here instead of polling (issue 17 item 6: the display's CPU). */
void live_wait(struct live *lv, int timeout_ms);
/* Stop and join the threads; flushes and closes the recording (with its
 * REC_END).  Idempotent. */
int live_stop(struct live *lv);
void live_free(struct live *lv);

/* Consistent copy of the latest state (lock-free; retries while the DSP
 * thread is mid-publish). */
void live_get_snapshot(const struct live *lv, struct live_snapshot *out);
/* Queue a command for the device (e.g. CMD_METRONOME); the reader thread
 * sends it.  GC_ERR_BUSY when the queue is full, GC_ERR_STATE in replay. */
int live_send_command(struct live *lv, uint8_t cmd, uint32_t arg);
/* Next terminal line (one per second of session time, plus link notices).
 * Returns true and fills buf when one is ready. */
bool live_next_line(struct live *lv, char *buf, size_t cap);
/* One-line summary of the whole session. */
void live_format_summary(const struct live_snapshot *s, char *buf, size_t cap);
/* Path of the recording ("" when not recording). */
const char *live_record_path(const struct live *lv);
/* The recording could not be written (disk full, I/O error): it holds the
 * session only up to then.  Any thread. */
bool live_record_failed(const struct live *lv);
/* Why the source gave up ("" while fine), e.g. "link too slow". */
const char *live_failure(const struct live *lv);

/* Replay and offline analysis: the DSP configuration a recording's header
 * gives (identity, calibration, body mass; mass_kg > 0 overrides the
 * recorded one; seconds 0) and the raw HELLO payload.  GC_OK, or a gc_err
 * with one sentence for the user in diag. */
GC_MUST_CHECK int live_replay_config(const char *path, double mass_kg, struct dsp_config *out,
                                     uint8_t hello_raw[PKT_HELLO_SIZE], struct gc_diag *diag);
/* The snapshot of a DSP object's state (version 0, no recording drops):
 * for a caller that feeds dsp.h itself (replay at full speed). */
void live_snapshot_from_dsp(const struct dsp_state *st, struct live_snapshot *out);
/* A record as the DSP object's input (a view: r must outlive v). */
void live_record_view(const struct rec_record *r, struct dsp_record *v);

#endif
