/*
 * live.h - the live acquisition pipeline: threads, rings, snapshot.
 *
 *   source thread                 DSP thread                         outputs
 *   ------------                  ----------                         -------
 *   serial reader: slink_read     rec_record -> packet decode        latest snapshot (seqlock)
 *   -> frame decoder -> record    -> seq tracking, session timeline  event rings (consumers)
 *   (t_rx = CLOCK_MONOTONIC)      -> deck_convert_block              line ring (terminal view)
 *   reconnect, silence, pings     -> gait_process / gait_mark_gap    recording ring
 *      or                         -> clock mapping from ping echoes      -> writer thread
 *   replay: records from a file   -> link health                          -> recording file
 *        \___ SPSC ring of struct rec_record ___/
 *
 * Everything the DSP thread does is a function of the records it pops, and
 * every record it pops is what the recording stores, so replaying a
 * recording reproduces the live session exactly (same steps, same lines).
 * The reader thread turns host-side happenings (silence, unplug, reconnect,
 * frame-layer counters) into REC_LINK records for that reason.
 *
 * Data are never interpolated: lost blocks, silences that lost data,
 * sensor reboots become gait_mark_gap() and a GAIT_EV_GAP event.
 *
 * Thread: live_new, live_add_event_consumer, live_start, live_stop,
 * live_free are called by one control thread (the main thread).
 * live_get_snapshot may be called from any thread at any time.
 * live_send_command and live_next_line are single-producer / single-
 * consumer: one control thread each (the main thread).
 */
#ifndef GC_LIVE_H
#define GC_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "deck.h"
#include "gait.h"
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
#define LIVE_LAST_STEPS    16
#define LIVE_MAX_CONSUMERS 8
#define LIVE_LINE_LEN      320

enum live_link_state {
    LIVE_LINK_CONNECTING = 0,
    LIVE_LINK_STREAMING = 1,
    LIVE_LINK_SILENT = 2, /* open, but no byte for LIVE_SILENCE_MS */
    LIVE_LINK_LOST = 3,   /* port gone; reopening */
    LIVE_LINK_ENDED = 4,  /* source finished (stop, end of replay) */
};

struct live_link_health {
    uint64_t bytes;               /* bytes received */
    uint64_t frames;              /* good frames */
    uint64_t bad_frames;          /* corrupt frames (CRC, COBS, overlong) */
    uint64_t crc_errors;          /* subset of bad_frames */
    uint64_t blocks;              /* SAMPLES blocks processed */
    uint64_t samples;             /* samples processed */
    uint64_t lost_blocks;         /* blocks missing by sequence number */
    uint64_t lost_samples;        /* samples missing by sensor time */
    uint64_t gaps;                /* gaps marked in the analysis */
    uint64_t restarts;            /* sensor reboots (sequence restarted) */
    uint64_t reconnects;          /* link reopened */
    uint64_t silences;            /* silences detected */
    uint64_t ring_dropped;        /* records the DSP ring refused (DSP too slow) */
    uint64_t rec_dropped;         /* records the recording ring refused */
    uint32_t dev_dropped_samples; /* device-reported (STATUS), cumulative since START */
    uint32_t dev_overruns;
    uint32_t dev_faults; /* FAULT_* bits */
    double rate_hz;      /* measured sample rate over the last second of session time */
    double latency_ms;   /* median host arrival - mapped sensor time of a block's last
                            sample, last second; NAN until the clock is mapped */
    double rtt_ms;       /* last ping round trip; NAN before the first */
    double rtt_min_ms;
    double clock_offset_ms; /* sensor clock - host clock at the last ping (min-RTT fit) */
    double clock_drift_ppm; /* sensor clock rate error vs host; NAN until >= 5 s of pings */
    double silent_s;        /* current silence, s (0 when streaming) */
};

struct live_snapshot {
    uint64_t version;   /* increases with every publish */
    double t_session_s; /* session time of the last sample, s */
    double t_host_s;    /* host time since the session start, s */
    enum live_link_state link_state;
    bool finished; /* session over (--seconds reached, replay ended) */
    struct gait_status gait;
    uint32_t contacts;          /* GAIT_EV_CONTACT events */
    float fz_n, copx_m, copy_m; /* last sample (NAN COP when unloaded) */
    struct live_link_health link;
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
 * recording).  Returns NULL and *err (GC_ERR_*) on failure, with a
 * sentence for the user in errmsg. */
struct live *live_new(const struct live_config *cfg, int *err, char *errmsg, size_t errcap);
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
/* Why the source gave up ("" while fine), e.g. "link too slow". */
const char *live_failure(const struct live *lv);

#endif
