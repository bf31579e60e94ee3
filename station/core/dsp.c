/*
 * dsp.c - the deterministic DSP stage (see dsp.h for the picture).
 *
 * Determinism rule: every output is a function of the records fed so far
 * (no clock, no link state, no I/O), so the same records give the same
 * events and the same lines live, in replay and in offline analysis.  Host
 * clocks enter only through the records' t_host_ns.
 */
#include "dsp.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "footprint.h"
#include "gc_error.h"
#include "stats.h"
#include "units.h"

#define N_PINGS 32
#define N_LAT   256
/* "Link too slow": this many consecutive STATUS intervals in which the
 * device dropped more than SLOW_FRACTION of its samples.  A single stall
 * drops in one or two intervals; a link that cannot carry the rate drops in
 * every one. */
#define SLOW_STREAK   3
#define SLOW_FRACTION 0.05
/* Stream bytes per 10-sample block on the wire, for the "too slow" sentence:
 * COBS of (type + SAMPLES header + 10 samples + CRC), one overhead byte per
 * 254, two delimiters (docs/acquisition.md section 3). */
#define WIRE_BYTES_PER_BLOCK10 ((1.0 + 15.0 + 10.0 * 24.0 + 4.0) * (1.0 + 1.0 / 254.0) + 2.0)
/* Plausible forward jump of sensor time between two blocks: the blocks lost
 * by sequence number (each at most PKT_MAX_BLOCK samples), twice the host
 * time that passed (sensor and host clocks agree to ppm), and one second
 * for a device that stalled without sending.  Anything beyond is not a
 * time the sensor can have reached: a corrupt block (valid CRC, impossible
 * contents) or a clock that jumped. */
#define JUMP_HOST_FACTOR 2.0
#define JUMP_SLACK_US    1e6

struct ping_sample {
    double host_us; /* host time at the middle of the round trip */
    double off_us;  /* sensor - host */
    double rtt_us;
};

struct dsp {
    struct dsp_config cfg;
    struct gait *g;
    struct pkt_seq_tracker seq;
    bool have_block;
    double t_offset_s;  /* session time = sensor time + t_offset_s */
    uint64_t next_t_us; /* sensor time right after the last sample */
    double last_t_session_s;
    int64_t last_block_rx_ns;
    int64_t t0_host_ns; /* host time of the first record */
    int64_t last_host_ns;
    bool have_host;
    struct dsp_state st; /* working copy; st.gait refreshed at ticks */
    struct ping_sample pings[N_PINGS];
    int n_pings, i_pings;
    double clk_a_us, clk_b, clk_ref_us; /* offset(host) = a + b (host - ref) */
    bool clk_ok;
    double lat_ms[N_LAT];
    int n_lat;
    double next_tick_s;
    uint64_t samples_at_tick;
    int64_t host_at_tick_ns;
    bool have_tick_ref;
    bool have_status;
    uint32_t last_status_dropped, last_status_total;
    int slow_streak;
    /* A block rejected for its sensor time: if the next block continues
     * it (sequence and time), the sensor clock really jumped and the
     * timeline restarts there. */
    bool have_cand;
    uint32_t cand_next_seq;
    uint64_t cand_next_t_us;
    bool said_bad_rate;
    uint64_t lost_at_tick[DSP_LOSS_WINDOW_S]; /* lost_blocks at the last ticks */
    uint32_t n_ticks;
    int64_t silence_start_ns;
    bool ended; /* cfg.seconds reached */
    char failure[256];
    struct gait_sample smp[PKT_MAX_BLOCK];
    size_t n_smp; /* samples of smp analysed by the current (last) dsp_feed */
    struct gait_event ev[DSP_EV_CAP];
    struct pkt_samples blk;
    /* output of the current call */
    struct dsp_out *out;
    size_t n_out;
    int64_t t_rx_ns;
};

/* ---- outputs ---- */

static struct dsp_out *out_slot(struct dsp *d, enum dsp_out_kind kind)
{
    /* DSP_OUT_MAX bounds what one call can produce (checked by the
     * caller's cap); this guard only keeps a wrong bound from writing past
     * the buffer. */
    if (d->n_out >= DSP_OUT_MAX)
        return NULL;
    struct dsp_out *o = &d->out[d->n_out++];
    o->kind = kind;
    o->t_rx_ns = d->t_rx_ns;
    return o;
}

static void out_line(struct dsp *d, const char *text)
{
    struct dsp_out *o = out_slot(d, DSP_OUT_LINE);
    if (o)
        snprintf(o->line, sizeof o->line, "%s", text);
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
notice(struct dsp *d, const char *fmt, ...)
{
    char msg[DSP_LINE_LEN - 32];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char line[DSP_LINE_LEN];
    snprintf(line, sizeof line, "t=%6.1f s  -- %s", d->st.t_session_s, msg);
    out_line(d, line);
}

static const char *state_name(enum dsp_link_state s)
{
    switch (s) {
    case DSP_LINK_CONNECTING:
        return "connecting";
    case DSP_LINK_STREAMING:
        return "ok";
    case DSP_LINK_SILENT:
        return "SILENT";
    case DSP_LINK_LOST:
        return "LOST";
    case DSP_LINK_ENDED:
        return "ended";
    }
    return "?";
}

static void fmt_spm(char *buf, size_t cap, double v)
{
    if (isfinite(v))
        snprintf(buf, cap, "%5.1f", v);
    else
        snprintf(buf, cap, "  -- ");
}

static void tick_line(struct dsp *d)
{
    const struct dsp_state *s = &d->st;
    char c1[16], c2[16], lat[24], rate[24];
    fmt_spm(c1, sizeof c1, s->gait.cadence_step_spm);
    fmt_spm(c2, sizeof c2, s->gait.cadence_spectral_spm);
    if (isfinite(s->link.latency_ms))
        snprintf(lat, sizeof lat, "%.1f ms", s->link.latency_ms);
    else
        snprintf(lat, sizeof lat, "--");
    if (s->link.rate_hz > 0)
        snprintf(rate, sizeof rate, "%.0f Hz", s->link.rate_hz);
    else
        snprintf(rate, sizeof rate, "-- Hz");
    char line[DSP_LINE_LEN];
    snprintf(line, sizeof line,
             "t=%4.0f s  cadence %s spm (spectral %s)  contacts %" PRIu32 "  steps %" PRIu32
             "  L/R %" PRIu32 "/%" PRIu32 "  link %s  frames %" PRIu64 "  crc %" PRIu64
             "  resent %" PRIu64 "  lost %" PRIu64 "  gaps %" PRIu64 "  rate %s  lat %s",
             floor(s->t_session_s), c1, c2, s->contacts, s->gait.steps, s->gait.steps_left,
             s->gait.steps_right, s->link.losing ? "LOSING" : state_name(s->link_state),
             s->link.frames, s->link.crc_errors, s->link.recovered, s->link.lost_blocks,
             s->link.gaps, rate, lat);
    out_line(d, line);
}

static void emit(struct dsp *d, const struct gait_event *ev, int n)
{
    for (int i = 0; i < n; i++) {
        const struct gait_event *e = &ev[i];
        if (e->kind == GAIT_EV_CONTACT)
            d->st.contacts++;
        if (e->kind == GAIT_EV_STEP) {
            d->st.last_steps[d->st.n_steps % DSP_LAST_STEPS] = e->step;
            d->st.n_steps++;
        }
        struct dsp_out *o = out_slot(d, DSP_OUT_EVENT);
        if (o == NULL)
            return;
        o->ev = *e;
        o->t_ev_host_s = NAN;
        if (d->clk_ok) {
            double sensor_us = (e->t_s - d->t_offset_s) * 1e6;
            double off = d->clk_a_us + d->clk_b * (sensor_us - d->clk_a_us - d->clk_ref_us);
            o->t_ev_host_s = (sensor_us - off) * 1e-6;
        }
    }
}

static void mark_gap(struct dsp *d, double t_resume_s)
{
    int n = gait_mark_gap(d->g, t_resume_s, d->ev, DSP_EV_CAP);
    if (n > 0)
        emit(d, d->ev, n);
    d->st.link.gaps++;
}

/* ---- clock mapping (ping echoes) ---- */

static void clock_fit(struct dsp *d)
{
    double rmin = INFINITY;
    for (int i = 0; i < d->n_pings; i++)
        rmin = fmin(rmin, d->pings[i].rtt_us);
    /* Only round trips close to the fastest carry a good offset: a slow
     * one spent its extra time on an unknown leg. */
    double lim = rmin + fmax(200.0, 0.5 * rmin);
    double sx = 0, sy = 0, sxx = 0, sxy = 0, x0 = NAN;
    double tmin = INFINITY, tmax = -INFINITY;
    int n = 0;
    for (int i = 0; i < d->n_pings; i++) {
        const struct ping_sample *p = &d->pings[i];
        if (p->rtt_us > lim)
            continue;
        if (!isfinite(x0))
            x0 = p->host_us;
        double x = p->host_us - x0;
        sx += x;
        sy += p->off_us;
        sxx += x * x;
        sxy += x * p->off_us;
        tmin = fmin(tmin, p->host_us);
        tmax = fmax(tmax, p->host_us);
        n++;
    }
    if (n == 0)
        return;
    double mx = sx / n, my = sy / n;
    double varx = sxx / n - mx * mx;
    d->st.link.rtt_min_ms = rmin * 1e-3;
    if (n >= 3 && tmax - tmin >= 5e6 && varx > 0) {
        double b = (sxy / n - mx * my) / varx;
        d->clk_b = b;
        d->clk_ref_us = x0 + mx;
        d->clk_a_us = my;
        d->st.link.clock_drift_ppm = b * 1e6;
    } else {
        d->clk_b = 0;
        d->clk_ref_us = x0 + mx;
        d->clk_a_us = my;
        d->st.link.clock_drift_ppm = NAN;
    }
    d->clk_ok = true;
    /* offset at the newest ping */
    double last = d->pings[(d->i_pings + N_PINGS - 1) % N_PINGS].host_us;
    d->st.link.clock_offset_ms = (d->clk_a_us + d->clk_b * (last - d->clk_ref_us)) * 1e-3;
}

static void on_ack(struct dsp *d, const struct dsp_record *r)
{
    struct pkt_ack a;
    if (pkt_ack_decode(r->payload, r->len, &a) < 0 || a.cmd != CMD_PING || a.echo == 0)
        return;
    double rx_us = (double)r->t_host_ns * 1e-3;
    double tx_us = (double)a.echo;
    double rtt = rx_us - tx_us;
    if (rtt < 0 || rtt > 5e6)
        return; /* an echo from before a reconnect, or garbage */
    d->st.link.rtt_ms = rtt * 1e-3;
    struct ping_sample *p = &d->pings[d->i_pings];
    p->host_us = tx_us + 0.5 * rtt;
    p->off_us = (double)a.t_device_us - p->host_us;
    p->rtt_us = rtt;
    d->i_pings = (d->i_pings + 1) % N_PINGS;
    if (d->n_pings < N_PINGS)
        d->n_pings++;
    clock_fit(d);
}

static void on_status(struct dsp *d, const struct dsp_record *r)
{
    struct pkt_status st;
    if (pkt_status_decode(r->payload, r->len, &st) < 0)
        return;
    d->st.link.dev_dropped_samples = st.dropped_samples;
    d->st.link.dev_overruns = st.overruns;
    d->st.link.dev_faults = st.faults;
    if (d->have_status && st.samples_total >= d->last_status_total) {
        uint32_t taken = st.samples_total - d->last_status_total;
        uint32_t dropped = st.dropped_samples - d->last_status_dropped;
        if (taken > 0 && (double)dropped > SLOW_FRACTION * (double)taken)
            d->slow_streak++;
        else
            d->slow_streak = 0;
        if (d->slow_streak >= SLOW_STREAK && d->failure[0] == '\0') {
            double need = WIRE_BYTES_PER_BLOCK10 * d->cfg.hello.rate_hz / 10.0;
            snprintf(d->failure, sizeof d->failure,
                     "the link is too slow for %u Hz: the sensor dropped %.0f %% of its samples "
                     "for %d s (the stream needs about %.0f kB/s); use a faster link or lower "
                     "the rate with --rate",
                     (unsigned)d->cfg.hello.rate_hz, 100.0 * dropped / taken, SLOW_STREAK,
                     need / 1000.0);
            notice(d, "%s", d->failure);
        }
    }
    d->have_status = true;
    d->last_status_total = st.samples_total;
    d->last_status_dropped = st.dropped_samples;
}

/* ---- samples: timeline, gaps, restarts, plausibility ---- */

/* The session timeline continues from the host clock: the gap lasted as
 * long as the host saw nothing, less this block's own duration. */
static void restart_timeline(struct dsp *d, const struct dsp_record *r, double period_us)
{
    const struct pkt_samples *b = &d->blk;
    double t_first_s = (double)b->t_first_us * 1e-6;
    double host_gap_s = (double)(r->t_host_ns - d->last_block_rx_ns) * 1e-9;
    double gap_s = host_gap_s - b->n * period_us * 1e-6;
    if (gap_s < period_us * 1e-6)
        gap_s = period_us * 1e-6;
    d->t_offset_s = d->last_t_session_s + gap_s - t_first_s;
    d->st.link.restarts++;
    d->n_pings = d->i_pings = 0; /* the sensor clock changed: remap */
    d->clk_ok = false;
    d->have_status = false;
    d->have_cand = false;
    mark_gap(d, t_first_s + d->t_offset_s);
    notice(d, "sensor restarted (sequence %" PRIu32 "); gap of %.2f s marked", b->seq, gap_s);
}

/* Returns true when the block is analysed. */
static bool place_block(struct dsp *d, const struct dsp_record *r)
{
    const struct pkt_samples *b = &d->blk;
    double period_us = 1e6 / b->rate_hz;
    if (b->rate_hz != d->cfg.hello.rate_hz) {
        /* The rate is set while stopped and the analysis is built for the
         * session's: a block at another rate is not this stream.  The
         * sequence tracker does not see it, so the next block counts it as
         * lost (a gap). */
        d->st.link.bad_blocks++;
        if (!d->said_bad_rate)
            notice(d,
                   "a block at %u Hz in a %u Hz session was not analysed (corrupt, or the "
                   "sensor changed its rate); gap marked",
                   (unsigned)b->rate_hz, (unsigned)d->cfg.hello.rate_hz);
        d->said_bad_rate = true;
        return false;
    }
    struct pkt_seq_tracker seq_before = d->seq;
    long q = pkt_seq_update(&d->seq, b->seq);
    if (!d->have_block) {
        d->t_offset_s = -(double)b->t_first_us * 1e-6; /* the session starts at the first sample */
        d->have_block = true;
        return true;
    }
    if (q < 0) {
        restart_timeline(d, r, period_us); /* sensor reboot: sequence restarted */
        return true;
    }
    /* Doubles: a corrupt time near 2^64 must not wrap the comparison. */
    double dt_us = (double)b->t_first_us - (double)d->next_t_us;
    double host_gap_us = (double)(r->t_host_ns - d->last_block_rx_ns) * 1e-3;
    double allow_us = (double)(q + 1) * PKT_MAX_BLOCK * period_us +
                      JUMP_HOST_FACTOR * fmax(host_gap_us, 0.0) + JUMP_SLACK_US;
    if (dt_us < -0.5 * period_us || dt_us > allow_us) {
        bool continues = d->have_cand && b->seq == d->cand_next_seq &&
                         fabs((double)b->t_first_us - (double)d->cand_next_t_us) <= 0.5 * period_us;
        if (continues) {
            /* Two consecutive blocks agree on the new time: the sensor
             * clock did jump.  Continue the timeline from the host clock. */
            restart_timeline(d, r, period_us);
            return true;
        }
        /* Sensor time went back with the sequence going on, or jumped
         * further than lost blocks and elapsed time allow: not analysed.
         * Its samples are missing, so the next good block marks a gap. */
        d->seq = seq_before;
        d->st.link.bad_blocks++;
        d->have_cand = true;
        d->cand_next_seq = b->seq + 1u;
        d->cand_next_t_us = b->t_first_us + (uint64_t)llround(b->n * period_us);
        notice(d,
               "a block (sequence %" PRIu32 ") with an impossible sensor time was not analysed; "
               "gap marked",
               b->seq);
        return false;
    }
    d->have_cand = false;
    if (q > 0 || b->t_first_us > d->next_t_us + (uint64_t)(0.5 * period_us)) {
        /* Blocks or samples missing: a gap, never interpolated. */
        double t_first_s = (double)b->t_first_us * 1e-6;
        if (q > 0)
            d->st.link.lost_blocks += (uint64_t)q;
        double gap_us = b->t_first_us > d->next_t_us ? (double)(b->t_first_us - d->next_t_us) : 0.0;
        d->st.link.lost_samples += (uint64_t)llround(gap_us / period_us);
        mark_gap(d, t_first_s + d->t_offset_s);
        if (gap_us >= 100e3 || d->st.link_state != DSP_LINK_STREAMING)
            notice(d, "%.2f s of data lost (%ld blocks); gap marked", gap_us * 1e-6, q);
    }
    return true;
}

static void on_samples(struct dsp *d, const struct dsp_record *r)
{
    struct pkt_samples *b = &d->blk;
    if (pkt_samples_decode(r->payload, r->len, b) < 0 || b->rate_hz == 0)
        return;
    if (!place_block(d, r))
        return;
    double period_us = 1e6 / b->rate_hz;
    uint64_t end_us = b->t_first_us + (uint64_t)llround(b->n * period_us);
    d->next_t_us = end_us;
    d->last_block_rx_ns = r->t_host_ns;

    int n = deck_convert_block(&d->cfg.cal, b, d->t_offset_s, d->smp, PKT_MAX_BLOCK);
    if (n <= 0)
        return;
    d->n_smp = (size_t)n;
    int ne = gait_process(d->g, d->smp, (size_t)n, d->ev, DSP_EV_CAP);
    if (ne > 0)
        emit(d, d->ev, ne);
    const struct gait_sample *last = &d->smp[n - 1];
    d->last_t_session_s = last->t_s;
    d->st.t_session_s = last->t_s;
    d->st.fz_n = last->fz_n;
    d->st.copx_m = last->copx_m;
    d->st.copy_m = last->copy_m;
    d->st.link.blocks++;
    d->st.link.samples += (uint64_t)n;
    if (r->aux == PKT_RESENT)
        d->st.link.recovered++;
    if (d->st.link_state != DSP_LINK_STREAMING) {
        d->st.link_state = DSP_LINK_STREAMING;
        d->st.link.silent_s = 0;
    }

    /* one-way latency: arrival - host time of the block's last sample */
    if (d->clk_ok && d->n_lat < N_LAT) {
        double sensor_us = (double)(end_us - (uint64_t)llround(period_us));
        double off = d->clk_a_us + d->clk_b * (sensor_us - d->clk_a_us - d->clk_ref_us);
        double lat = ((double)r->t_host_ns * 1e-3 - (sensor_us - off)) * 1e-3;
        /* A negative latency means the mapping does not hold (a sensor
         * clock running faster than real time, e.g. the simulator at
         * --speed max): report none rather than nonsense. */
        if (lat >= -1.0)
            d->lat_ms[d->n_lat++] = lat;
    }
}

/* ---- link events ---- */

static uint64_t get_u64le(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static void on_link(struct dsp *d, const struct dsp_record *r)
{
    switch (r->aux) {
    case DSP_LINK_EV_SILENCE:
        d->st.link.silences++;
        d->st.link_state = DSP_LINK_SILENT;
        d->silence_start_ns = r->t_host_ns - (int64_t)r->extra * 1000000;
        notice(d, "link silent for %.1f s; waiting for the sensor", r->extra * 1e-3);
        break;
    case DSP_LINK_EV_LOST:
        if (d->st.link_state != DSP_LINK_SILENT)
            d->silence_start_ns = r->t_host_ns;
        d->st.link_state = DSP_LINK_LOST;
        notice(d, "link lost (%s); reconnecting", gc_strerror(-(int)r->extra));
        break;
    case DSP_LINK_EV_RECONNECT: {
        d->st.link.reconnects++;
        struct pkt_hello h;
        if (r->len == PKT_HELLO_SIZE && pkt_hello_decode(r->payload, r->len, &h) == 0) {
            if (strcmp(h.serial, d->cfg.hello.serial) != 0)
                notice(d, "a different sensor (serial %s) is now connected", h.serial);
            notice(d, "reconnected to sensor %s after %.1f s", h.serial,
                   (double)(r->t_host_ns - d->silence_start_ns) * 1e-9);
        }
        break;
    }
    case DSP_LINK_EV_RESUMED:
        notice(d, "data flowing again after %.1f s of silence", r->extra * 1e-3);
        break;
    case DSP_LINK_EV_STATS:
        if (r->len >= DSP_LINK_STATS_SIZE) {
            d->st.link.bytes = get_u64le(r->payload + 0);
            d->st.link.crc_errors = get_u64le(r->payload + 24);
            d->st.link.ring_dropped = get_u64le(r->payload + 40);
        }
        if (r->len >= DSP_LINK_STATS_SIZE) {
            d->st.link.resent_rx = get_u64le(r->payload + 48);
            d->st.link.duplicates = get_u64le(r->payload + 56);
            d->st.link.max_wait_ms = (double)get_u64le(r->payload + 72) * 1e-3;
            d->st.link.p99_wait_ms = (double)get_u64le(r->payload + 80) * 1e-3;
        }
        break;
    default:
        break;
    }
    if (d->st.link_state == DSP_LINK_SILENT || d->st.link_state == DSP_LINK_LOST)
        d->st.link.silent_s = (double)(r->t_host_ns - d->silence_start_ns) * 1e-9;
}

/* A command the station sent: resend requests are counted. */
static void on_tx(struct dsp *d, const struct dsp_record *r)
{
    struct pkt_cmd c;
    if (pkt_cmd_decode(r->payload, r->len, &c) < 0 || c.cmd != CMD_RESEND)
        return;
    d->st.link.resend_requests++;
    d->st.link.resend_asked += c.arg64 <= PKT_RESEND_MAX ? c.arg64 : 0;
}

/* Once per tick: blocks finally lost over the last DSP_LOSS_WINDOW_S
 * seconds; the PT is told when the link starts and stops losing data. */
static void loss_check(struct dsp *d)
{
    uint64_t lost = d->st.link.lost_blocks;
    uint32_t i = d->n_ticks % DSP_LOSS_WINDOW_S;
    uint64_t before = d->n_ticks >= DSP_LOSS_WINDOW_S ? d->lost_at_tick[i] : 0;
    d->lost_at_tick[i] = lost;
    d->n_ticks++;
    d->st.link.lost_recent = lost - before;
    bool losing = d->st.link.lost_recent >= DSP_LOSS_WARN_BLOCKS;
    if (losing && !d->st.link.losing)
        notice(d,
               "WARNING: the link keeps losing data (%" PRIu64 " blocks lost in %d s even after "
               "resending); check the sensor cable and connectors",
               d->st.link.lost_recent, DSP_LOSS_WINDOW_S);
    else if (!losing && d->st.link.losing)
        notice(d, "the link stopped losing data");
    d->st.link.losing = losing;
}

/* Once per second of session time: rate, latency, status, the line. */
static void tick_check(struct dsp *d, int64_t t_host_ns)
{
    if (!d->have_block || d->st.t_session_s < d->next_tick_s)
        return;
    if (d->have_tick_ref && t_host_ns > d->host_at_tick_ns)
        d->st.link.rate_hz = (double)(d->st.link.samples - d->samples_at_tick) /
                             ((double)(t_host_ns - d->host_at_tick_ns) * 1e-9);
    d->samples_at_tick = d->st.link.samples;
    d->host_at_tick_ns = t_host_ns;
    d->have_tick_ref = true;
    d->st.link.latency_ms = d->n_lat > 0 ? stats_median_small(d->lat_ms, (size_t)d->n_lat) : NAN;
    d->n_lat = 0;
    loss_check(d);
    gait_get_status(d->g, &d->st.gait);
    struct dsp_out *o = out_slot(d, DSP_OUT_STATUS);
    if (o)
        o->status = d->st.gait;
    tick_line(d);
    d->next_tick_s = floor(d->st.t_session_s) + 1.0;
}

/* ---- public ---- */

struct dsp *dsp_new(const struct dsp_config *cfg, int *err)
{
    int dummy;
    if (err == NULL)
        err = &dummy;
    *err = GC_OK;
    if (cfg == NULL || cfg->hello.rate_hz == 0 ||
        !(cfg->belt_speed_mps == 0 || (cfg->belt_speed_mps >= FOOTPRINT_SPEED_MIN_MPS &&
                                       cfg->belt_speed_mps <= FOOTPRINT_SPEED_MAX_MPS))) {
        *err = GC_ERR_ARG;
        return NULL;
    }
    struct dsp *d = calloc(1, sizeof *d);
    if (d == NULL) {
        *err = GC_ERR_NOMEM;
        return NULL;
    }
    d->cfg = *cfg;
    struct gait_config gc;
    gait_config_default(&gc, cfg->hello.rate_hz);
    gc.mass_kg = cfg->mass_kg > 0 ? cfg->mass_kg : 0;
    gc.belt_speed_mps = cfg->belt_speed_mps > 0 ? cfg->belt_speed_mps : 0;
    d->g = gait_new(&gc);
    if (d->g == NULL) {
        *err = GC_ERR_NOMEM;
        free(d);
        return NULL;
    }
    if (cfg->mass_kg > 0)
        gait_set_body_weight(d->g, units_kg_to_n(cfg->mass_kg));
    pkt_seq_init(&d->seq);
    d->next_tick_s = 1.0;
    d->st.hello = cfg->hello;
    d->st.link_state = DSP_LINK_CONNECTING;
    d->st.link.latency_ms = NAN;
    d->st.link.rtt_ms = NAN;
    d->st.link.rtt_min_ms = NAN;
    d->st.link.clock_offset_ms = NAN;
    d->st.link.clock_drift_ppm = NAN;
    d->st.link.max_wait_ms = 0;
    d->st.fz_n = NAN;
    d->st.copx_m = d->st.copy_m = NAN;
    gait_get_status(d->g, &d->st.gait);
    return d;
}

void dsp_free(struct dsp *d)
{
    if (d == NULL)
        return;
    gait_free(d->g);
    free(d);
}

int dsp_feed(struct dsp *d, const struct dsp_record *r, struct dsp_out *out, size_t cap)
{
    if (d == NULL || r == NULL || out == NULL || cap < DSP_OUT_MAX)
        return GC_ERR_ARG;
    if (d->ended)
        return 0;
    if (r->kind != DSP_REC_FRAME && r->kind != DSP_REC_LINK && r->kind != DSP_REC_TX)
        return 0;
    d->out = out;
    d->n_out = 0;
    d->n_smp = 0;
    d->t_rx_ns = r->t_host_ns;
    if (!d->have_host) {
        d->t0_host_ns = r->t_host_ns;
        d->have_host = true;
    }
    d->last_host_ns = r->t_host_ns;
    d->st.t_host_s = (double)(r->t_host_ns - d->t0_host_ns) * 1e-9;
    switch (r->kind) {
    case DSP_REC_FRAME:
        d->st.link.frames++;
        d->st.link.bad_frames += r->extra;
        switch (r->aux) {
        case PKT_SAMPLES:
        case PKT_RESENT: /* a block that came again on request, in its place */
            on_samples(d, r);
            break;
        case PKT_STATUS:
            on_status(d, r);
            break;
        case PKT_ACK:
            on_ack(d, r);
            break;
        default:
            break;
        }
        break;
    case DSP_REC_LINK:
        on_link(d, r);
        break;
    case DSP_REC_TX:
        on_tx(d, r);
        break;
    default:
        break;
    }
    tick_check(d, r->t_host_ns);
    if (d->cfg.seconds > 0 && d->st.t_session_s >= d->cfg.seconds)
        d->ended = true;
    d->out = NULL;
    return (int)d->n_out;
}

int dsp_finish(struct dsp *d, struct dsp_out *out, size_t cap)
{
    if (d == NULL || out == NULL || cap < DSP_OUT_MAX)
        return GC_ERR_ARG;
    d->out = out;
    d->n_out = 0;
    d->n_smp = 0;
    d->t_rx_ns = d->last_host_ns;
    int n = gait_flush(d->g, d->ev, DSP_EV_CAP);
    if (n > 0)
        emit(d, d->ev, n);
    gait_get_status(d->g, &d->st.gait);
    d->st.link_state = DSP_LINK_ENDED;
    d->out = NULL;
    return (int)d->n_out;
}

bool dsp_ended(const struct dsp *d)
{
    return d->ended;
}

const char *dsp_failure(const struct dsp *d)
{
    return d->failure;
}

double dsp_session_time(const struct dsp *d)
{
    return d->st.t_session_s;
}

int dsp_set_belt_speed(struct dsp *d, double belt_speed_mps)
{
    return gait_set_belt_speed(d->g, belt_speed_mps);
}

void dsp_get_state(const struct dsp *d, struct dsp_state *out)
{
    *out = d->st;
    gait_get_status(d->g, &out->gait);
}

size_t dsp_last_samples(const struct dsp *d, const struct gait_sample **smp)
{
    *smp = d->smp;
    return d->n_smp;
}
