/*
 * dsp.h - the deterministic DSP stage: session records in, gait events out.
 *
 *   record (frame or link event, host receive time)
 *     -> packet decode (SAMPLES, STATUS, ACK)
 *     -> sequence tracking, session timeline, sensor restarts
 *     -> plausibility: a block at another rate than the session's, or whose
 *        sensor time jumps further than the data lost can explain, is not
 *        analysed (counted in link.bad_blocks; the hole is a gap)
 *     -> gaps: gait_mark_gap, never interpolated
 *     -> deck_convert_block (counts -> N, COP)
 *     -> gait_process                              -> DSP_OUT_EVENT
 *     -> clock mapping (ping echoes), latency, link health
 *     -> once per second of session time           -> DSP_OUT_STATUS + DSP_OUT_LINE
 *     -> link notices ("link lost", "gap marked")  -> DSP_OUT_LINE
 *
 * Input is one record at a time, exactly what the live reader thread hands
 * over and what the recording stores (docs/acquisition.md section 7), so the
 * live session (station/app/live.c, DSP thread), `station replay` and
 * `station analyze` of a recording feed the same object the same records
 * and get the same outputs, byte for byte.
 *
 * Pure core: no threads, no clock (host time comes only from the records'
 * t_host_ns), no I/O, no logging.  dsp_new allocates everything (the gait
 * object and its FFTW plans); dsp_feed and dsp_finish never allocate or lock.
 *
 * Units: times in the outputs are session seconds (sensor time shifted so
 * that the first sample is t = 0); t_host_ns / t_rx_ns are the records'
 * CLOCK_MONOTONIC nanoseconds; forces N; COP m.
 *
 * Ownership: the caller owns the records it feeds and the output buffer;
 * nothing is kept after a call returns.
 *
 * Thread: one dsp object belongs to one thread at a time (the live DSP
 * thread, or the single thread of `station analyze`).  Create it before
 * starting worker threads (FFTW plans).
 */
#ifndef GC_DSP_H
#define GC_DSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "deck.h"
#include "gait.h"
#include "packet.h"

/* Record kinds and link events: the numbers of the recording format
 * (docs/acquisition.md section 7; recording.h's enum rec_kind and enum
 * rec_link_event have the same values). */
enum dsp_rec_kind { DSP_REC_FRAME = 1, DSP_REC_LINK = 2, DSP_REC_TX = 3 };
enum dsp_link_event {
    DSP_LINK_EV_SILENCE = 1,   /* extra = ms without a byte */
    DSP_LINK_EV_LOST = 2,      /* extra = -gc_err code */
    DSP_LINK_EV_RECONNECT = 3, /* payload = the HELLO payload */
    DSP_LINK_EV_RESUMED = 4,   /* extra = ms of silence */
    DSP_LINK_EV_STATS = 5,     /* payload = eleven LE u64: bytes, frames ok, frames bad,
                                  CRC errors, bytes dropped, ring drops, resent blocks
                                  received, duplicates, window give-ups, longest wait us,
                                  p99 wait us
                                  (recordings before protocol 2: the first six) */
};
#define DSP_LINK_STATS_SIZE    88u
#define DSP_LINK_STATS_SIZE_V1 48u
/* "The link keeps losing data": at least this many blocks finally lost
 * within the last DSP_LOSS_WINDOW_S seconds of session time (1 % of the
 * blocks at 500 Hz, 0.5 % at 1 kHz). */
#define DSP_LOSS_WINDOW_S  10
#define DSP_LOSS_WARN_BLOCKS 5

/* One record, viewed (not copied). */
struct dsp_record {
    uint8_t kind;      /* enum dsp_rec_kind; other kinds are ignored */
    uint8_t aux;       /* FRAME: packet type; LINK: enum dsp_link_event */
    uint32_t extra;    /* FRAME: bad frames seen before it; LINK: per event */
    int64_t t_host_ns; /* host CLOCK_MONOTONIC ns when the record was made */
    const uint8_t *payload;
    size_t len;
};

enum dsp_link_state {
    DSP_LINK_CONNECTING = 0,
    DSP_LINK_STREAMING = 1,
    DSP_LINK_SILENT = 2, /* open, but no byte for a while (LINK SILENCE record) */
    DSP_LINK_LOST = 3,   /* port gone; reopening */
    DSP_LINK_ENDED = 4,  /* dsp_finish was called */
};

struct dsp_link_health {
    uint64_t bytes;               /* bytes received (from STATS records) */
    uint64_t frames;              /* good frames */
    uint64_t bad_frames;          /* corrupt frames (CRC, COBS, overlong) */
    uint64_t crc_errors;          /* subset of bad_frames (from STATS records) */
    uint64_t blocks;              /* SAMPLES blocks analysed */
    uint64_t samples;             /* samples analysed */
    uint64_t lost_blocks;         /* blocks missing by sequence number */
    uint64_t lost_samples;        /* samples missing by sensor time */
    uint64_t gaps;                /* gaps marked in the analysis */
    uint64_t restarts;            /* sensor reboots (sequence or clock restarted) */
    uint64_t bad_blocks;          /* valid-CRC blocks not analysed: impossible sensor time
                                     jump or a rate other than the session's (a gap) */
    uint64_t reconnects;          /* link reopened */
    uint64_t silences;            /* silences reported */
    uint64_t ring_dropped;        /* records the live DSP ring refused (from STATS) */
    uint64_t rec_dropped;         /* records the recording ring refused (the caller's count;
                                     the dsp object leaves it 0) */
    /* Lossless link (protocol 2, docs/reliability.md "Lossless link"). */
    uint64_t resend_requests;     /* CMD_RESEND the station sent (TX records) */
    uint64_t resend_asked;        /* blocks those requests asked for */
    uint64_t recovered;           /* blocks analysed that came again on request (RESENT) */
    uint64_t resent_rx;           /* resent blocks received intact (from STATS; duplicates in) */
    uint64_t duplicates;          /* blocks the window dropped as already had (from STATS) */
    double max_wait_ms;           /* longest wait of a block behind a hole (from STATS) */
    double p99_wait_ms;           /* 99th percentile of every block's wait (from STATS) */
    uint64_t lost_recent;         /* blocks finally lost in the last DSP_LOSS_WINDOW_S s */
    bool losing;                  /* the link keeps losing data: lost_recent >=
                                     DSP_LOSS_WARN_BLOCKS (the PT is warned) */
    uint32_t dev_dropped_samples; /* device-reported (STATUS), cumulative since START */
    uint32_t dev_overruns;
    uint32_t dev_faults; /* FAULT_* bits */
    double rate_hz;      /* samples per host second over the last second of session time */
    double latency_ms;   /* median host arrival - mapped sensor time of a block's last
                            sample, last second; NAN until the clock is mapped */
    double rtt_ms;       /* last ping round trip; NAN before the first */
    double rtt_min_ms;
    double clock_offset_ms; /* sensor clock - host clock at the last ping (min-RTT fit) */
    double clock_drift_ppm; /* sensor clock rate error vs host; NAN until >= 5 s of pings */
    double silent_s;        /* current silence, s (0 when streaming) */
};

#define DSP_LAST_STEPS 16
#define DSP_LINE_LEN   320

/* Everything the DSP knows, for snapshots and summaries. */
struct dsp_state {
    double t_session_s; /* session time of the last sample analysed, s */
    double t_host_s;    /* host time of the last record since the first record, s */
    enum dsp_link_state link_state;
    struct gait_status gait;
    uint32_t contacts;          /* GAIT_EV_CONTACT events */
    float fz_n, copx_m, copy_m; /* last sample (NAN COP when unloaded) */
    struct dsp_link_health link;
    uint32_t n_steps; /* steps completed; newest in last_steps[(n_steps-1) % DSP_LAST_STEPS] */
    struct gait_step last_steps[DSP_LAST_STEPS];
    struct pkt_hello hello; /* identity at the session start */
};

enum dsp_out_kind {
    DSP_OUT_EVENT = 1,  /* a gait event (ev, t_ev_host_s) */
    DSP_OUT_STATUS = 2, /* once per second of session time: the analysis status */
    DSP_OUT_LINE = 3,   /* a terminal line: the per-second line or a notice */
};

struct dsp_out {
    enum dsp_out_kind kind;
    int64_t t_rx_ns; /* t_host_ns of the record that produced it */
    union {
        struct {
            struct gait_event ev; /* times in session seconds */
            double t_ev_host_s;   /* ev.t_s mapped to host CLOCK_MONOTONIC s; NAN if unmapped */
        };
        struct gait_status status;
        char line[DSP_LINE_LEN]; /* NUL-terminated, no newline */
    };
};

/* The largest number of outputs one dsp_feed or dsp_finish call writes:
 * the caller's buffer must hold this many. */
#define DSP_EV_CAP  64
#define DSP_OUT_MAX (2 * DSP_EV_CAP + 8)

struct dsp_config {
    struct pkt_hello hello; /* sensor identity at the session start (rate_hz > 0) */
    struct deck_cal cal;    /* calibration in use */
    double mass_kg;         /* > 0: body weight = mass x g; 0 = estimated from the data */
    double seconds;         /* session ends when session time reaches this; 0 = never */
    double belt_speed_mps;  /* the treadmill's entered speed for step lengths
                             * (gait_config.belt_speed_mps); 0 = the deck's estimate;
                             * else FOOTPRINT_SPEED_MIN_MPS..MAX_MPS */
};

struct dsp;

/* Allocates the object, the gait pipeline and its FFTW plans.  Returns NULL
 * with *err = GC_ERR_ARG (rate 0, unusable calibration, belt speed out of
 * range) or GC_ERR_NOMEM. */
struct dsp *dsp_new(const struct dsp_config *cfg, int *err);
void dsp_free(struct dsp *d);

/* Feed one record.  Writes at most DSP_OUT_MAX outputs to out, in order,
 * and returns how many (>= 0); GC_ERR_ARG when cap < DSP_OUT_MAX.  Records
 * fed after dsp_ended() became true are ignored (0).  Never allocates. */
int dsp_feed(struct dsp *d, const struct dsp_record *r, struct dsp_out *out, size_t cap);

/* End of input: completes what can be completed (gait_flush) and sets the
 * link state to DSP_LINK_ENDED.  Same output rules as dsp_feed. */
int dsp_finish(struct dsp *d, struct dsp_out *out, size_t cap);

/* True once session time reached cfg.seconds: the caller stops feeding
 * (and recording) there, so a replay ends at the same record. */
bool dsp_ended(const struct dsp *d);

/* Why the session cannot go on ("" while fine): the link is too slow for
 * the rate (3 STATUS intervals each with > 5 % of the samples dropped on
 * the device).  The text is also sent as a DSP_OUT_LINE notice. */
const char *dsp_failure(const struct dsp *d);

/* The conditioned samples (session time, N, m) the last dsp_feed call
 * analysed: 0 when that record held none.  *smp points into the object
 * and is valid until the next dsp_feed or dsp_finish.  The force curves
 * of the report (stance_curve.h) are drawn from these. */
size_t dsp_last_samples(const struct dsp *d, const struct gait_sample **smp);

/* Copy of the current state (the gait status refreshed). */
void dsp_get_state(const struct dsp *d, struct dsp_state *out);

/* Session time of the last sample fed, s (what dsp_state.t_session_s says;
 * without the copy). */
double dsp_session_time(const struct dsp *d);

/* The entered belt speed from the next record on (gait_set_belt_speed):
 * a replay applies the PT's speed changes where they were made. */
int dsp_set_belt_speed(struct dsp *d, double belt_speed_mps);

#endif
