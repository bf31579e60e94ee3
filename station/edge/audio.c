/*
 * audio.c - metronome and cues on the audio thread (see audio.h).
 *
 * One period of the loop:
 *
 *   wait until a period may be written    (device: snd_pcm_wait;
 *                                          clock: sleep to its due time)
 *   drain the request ring                (cues start at this period)
 *   read the settings atomics
 *   render clicks + cue voices -> float -> int16
 *   t_write = now; write the period; publish played cues and the
 *   frame <-> host-time origin
 *
 * Waiting *before* rendering (not blocking inside the write) means a cue
 * that arrives while we wait still makes the period written next: the
 * arrival-to-write latency is at most one period plus the wake-up.
 *
 * Emulated card (AUDIO_PACE_CLOCK), buffer B frames, period P:
 *
 *   frame f is heard at      origin + f / rate
 *   period [f, f+P) is due   origin + (f + P - B) / rate   (room for it)
 *
 * so after each write B frames are queued, as on a card.  A thread that
 * wakes later than the whole buffer would have lasted is an underrun: the
 * origin is moved on (counted in xruns), as a card restarting would.
 */
#define LOG_PREFIX "audio"
#include "audio.h"

#include <alsa/asoundlib.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gc_error.h"
#include "log.h"
#include "spsc.h"

#define AUDIO_VOICES      8
#define AUDIO_REQ_RING    256
#define AUDIO_PLAYED_RING 1024
#define AUDIO_NS          1000000000.0
/* Phase alignment: move 10 % of the phase error per step, never more than
 * 2 % of an interval, so the runner hears a steady beat that drifts onto
 * their footfalls over ~20 steps instead of a jump. */
#define AUDIO_ALIGN_GAIN 0.10
#define AUDIO_ALIGN_MAX  0.02

enum audio_req_kind { AUDIO_REQ_CUE = 1, AUDIO_REQ_STEP = 2 };

struct audio_req {
    uint8_t kind;
    uint8_t cue;
    uint32_t tag;
    int64_t t_ns;
};

struct audio_voice {
    const float *tab;
    unsigned len, pos;
};

struct audio_table {
    float *s;
    unsigned len;
};

struct audio {
    struct audio_config cfg;
    char device[256];
    const struct audio_sink_ops *ops;
    void *handle;
    struct audio_sink_params par;
    struct spsc *req, *played;
    pthread_t thread;
    bool thread_started;

    /* settings: any thread -> audio thread */
    atomic_bool stop;
    atomic_uint met_on, met_mspm, vol_milli, muted, cue_set, align;
    /* state published by the audio thread */
    atomic_bool running, rt;
    atomic_int pace;
    atomic_int_least64_t origin_ns;
    atomic_uint_least64_t frames, clicks, cues, xruns;
    atomic_int_least64_t lat_ns, lat_max_ns, lat_sum_ns;
    atomic_uint_least64_t lat_n;

    /* audio-thread only */
    float *mix;
    int16_t *out;
    struct audio_table tab[AUDIO_CUESET_COUNT][AUDIO_CUE_COUNT];
    struct audio_voice voice[AUDIO_VOICES];
    struct audio_played pending[AUDIO_VOICES]; /* cues started in this period */
    unsigned n_pending;
    bool grid_valid;
    double grid_origin, interval; /* frames */
    uint64_t k_next;
    double cur_click;
    bool cur_click_audible;
    unsigned cur_mspm;
};

int64_t audio_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void audio_config_default(struct audio_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->device = "default";
    cfg->rate_hz = 48000;
    cfg->period_frames = 64;
    cfg->periods = 4;
    cfg->pace = AUDIO_PACE_AUTO;
    cfg->volume = 0.8;
    cfg->cue_set = AUDIO_CUESET_TONES;
    cfg->metronome_spm = 0.0;
}

/* ---- ALSA sink ------------------------------------------------------------ */

/* ALSA's library prints its own diagnostics to stderr (e.g. seven lines
 * when 'default' has no card behind it).  Every failure is reported once,
 * as one sentence, through msg and snd_strerror; silence the rest. */
static void alsa_quiet(const char *file, int line, const char *function, int err, const char *fmt,
                       ...)
{
    (void)file;
    (void)line;
    (void)function;
    (void)err;
    (void)fmt;
}

static int alsa_open(void *user, const char *device, struct audio_sink_params *p, void **handle,
                     struct gc_diag *diag)
{
    (void)user;
    snd_lib_error_set_handler(alsa_quiet);
    snd_pcm_t *pcm = NULL;
    snd_pcm_hw_params_t *hw;
    snd_pcm_sw_params_t *sw;
    const char *step = "open";
    int e = snd_pcm_open(&pcm, device, SND_PCM_STREAM_PLAYBACK, 0);
    if (e < 0)
        goto fail;
    snd_pcm_hw_params_alloca(&hw);
    step = "configure (16-bit mono)";
    if ((e = snd_pcm_hw_params_any(pcm, hw)) < 0 ||
        (e = snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED)) < 0 ||
        (e = snd_pcm_hw_params_set_format(pcm, hw, SND_PCM_FORMAT_S16_LE)) < 0 ||
        (e = snd_pcm_hw_params_set_channels(pcm, hw, 1)) < 0)
        goto fail;
    unsigned rate = p->rate_hz;
    step = "set the sample rate";
    if ((e = snd_pcm_hw_params_set_rate_near(pcm, hw, &rate, NULL)) < 0)
        goto fail;
    snd_pcm_uframes_t period = p->period_frames;
    snd_pcm_uframes_t buffer = (snd_pcm_uframes_t)p->period_frames * p->periods;
    step = "set the period size";
    if ((e = snd_pcm_hw_params_set_period_size_near(pcm, hw, &period, NULL)) < 0 ||
        (e = snd_pcm_hw_params_set_buffer_size_near(pcm, hw, &buffer)) < 0 ||
        (e = snd_pcm_hw_params(pcm, hw)) < 0)
        goto fail;
    snd_pcm_sw_params_alloca(&sw);
    step = "set the start threshold";
    if ((e = snd_pcm_sw_params_current(pcm, sw)) < 0 ||
        (e = snd_pcm_sw_params_set_start_threshold(pcm, sw, buffer)) < 0 ||
        (e = snd_pcm_sw_params_set_avail_min(pcm, sw, period)) < 0 ||
        (e = snd_pcm_sw_params(pcm, sw)) < 0)
        goto fail;
    p->rate_hz = rate;
    p->period_frames = (unsigned)period;
    p->buffer_frames = (unsigned)buffer;
    p->periods = (unsigned)(buffer / period);
    snd_pcm_type_t type = snd_pcm_type(pcm);
    /* null and file (whose slave is null) accept data at any speed */
    p->self_paced = type != SND_PCM_TYPE_NULL && type != SND_PCM_TYPE_FILE;
    *handle = pcm;
    return GC_OK;
fail:
    gc_fail(diag, GC_ERR_IO,
            "cannot %s audio device '%s' (%s); choose another with --audio-device, e.g. "
            "default, null or file:FILE=out.wav,FORMAT=wav",
            step, device, snd_strerror(e));
    if (pcm)
        snd_pcm_close(pcm);
    return GC_ERR_IO;
}

static int alsa_recover(snd_pcm_t *pcm, int e)
{
    if (e == -EPIPE)
        return snd_pcm_prepare(pcm);
    if (e == -ESTRPIPE) {
        int r;
        while ((r = snd_pcm_resume(pcm)) == -EAGAIN) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
        return r < 0 ? snd_pcm_prepare(pcm) : 0;
    }
    return e;
}

static int alsa_wait(void *handle, int timeout_ms)
{
    snd_pcm_t *pcm = handle;
    if (snd_pcm_state(pcm) != SND_PCM_STATE_RUNNING)
        return GC_OK; /* filling the buffer before start: room by definition */
    int e = snd_pcm_wait(pcm, timeout_ms);
    if (e < 0 && alsa_recover(pcm, e) < 0)
        return GC_ERR_IO;
    return GC_OK;
}

static int alsa_write(void *handle, const int16_t *frames, unsigned n)
{
    snd_pcm_t *pcm = handle;
    int recovered = 0;
    while (n > 0) {
        snd_pcm_sframes_t w = snd_pcm_writei(pcm, frames, n);
        if (w == -EAGAIN)
            continue;
        if (w < 0) {
            if (alsa_recover(pcm, (int)w) < 0)
                return GC_ERR_IO;
            recovered = 1;
            continue;
        }
        frames += w;
        n -= (unsigned)w;
    }
    return recovered;
}

static int alsa_delay(void *handle, long *frames)
{
    snd_pcm_sframes_t d;
    if (snd_pcm_delay(handle, &d) < 0)
        return GC_ERR_IO;
    *frames = (long)d;
    return GC_OK;
}

static void alsa_close(void *handle)
{
    snd_pcm_t *pcm = handle;
    /* play out what is queued (a WAV file gets its header on close) */
    snd_pcm_drain(pcm);
    snd_pcm_close(pcm);
}

const struct audio_sink_ops audio_sink_alsa = {
    .name = "alsa",
    .open = alsa_open,
    .wait = alsa_wait,
    .write = alsa_write,
    .delay = alsa_delay,
    .close = alsa_close,
};

/* ---- memory twin ---------------------------------------------------------- */

static int mem_open(void *user, const char *device, struct audio_sink_params *p, void **handle,
                    struct gc_diag *diag)
{
    (void)device;
    if (!user)
        return gc_fail(diag, GC_ERR_ARG, "memory audio sink needs a buffer");
    p->buffer_frames = p->period_frames * p->periods;
    p->self_paced = false;
    *handle = user;
    return GC_OK;
}

static int mem_wait(void *handle, int timeout_ms)
{
    (void)handle;
    (void)timeout_ms;
    return GC_OK;
}

static int mem_write(void *handle, const int16_t *frames, unsigned n)
{
    struct audio_memsink *m = handle;
    size_t room = m->cap - m->n;
    size_t k = n < room ? n : room;
    memcpy(m->frames + m->n, frames, k * sizeof *frames);
    m->n += k;
    m->lost += n - k;
    return 0;
}

static int mem_delay(void *handle, long *frames)
{
    (void)handle;
    (void)frames;
    return GC_ERR_UNSUPPORTED;
}

static void mem_close(void *handle)
{
    (void)handle;
}

const struct audio_sink_ops audio_sink_memory = {
    .name = "memory",
    .open = mem_open,
    .wait = mem_wait,
    .write = mem_write,
    .delay = mem_delay,
    .close = mem_close,
};

static int null_open(void *user, const char *device, struct audio_sink_params *p, void **handle,
                     struct gc_diag *diag)
{
    (void)user;
    (void)device;
    (void)diag;
    p->buffer_frames = p->period_frames * p->periods;
    p->self_paced = false;
    *handle = p; /* any non-NULL handle */
    return GC_OK;
}

static int null_write(void *handle, const int16_t *frames, unsigned n)
{
    (void)handle;
    (void)frames;
    (void)n;
    return 0;
}

const struct audio_sink_ops audio_sink_null = {
    .name = "null",
    .open = null_open,
    .wait = mem_wait,
    .write = null_write,
    .delay = mem_delay,
    .close = mem_close,
};

/* ---- cue tables ----------------------------------------------------------- */

/* Add a tone to buf[start, start+len): odd harmonics up to `harm` with
 * 1/k amplitude (harm = 1: sine; 5: square-ish buzz), linear attack and
 * release so the cue has no click of its own at the end. */
static void add_tone(float *buf, unsigned start, unsigned len, double rate, double hz, double amp,
                     unsigned harm, double attack_s, double release_s)
{
    unsigned na = (unsigned)(attack_s * rate), nr = (unsigned)(release_s * rate);
    double norm = 0;
    for (unsigned k = 1; k <= harm; k += 2)
        norm += 1.0 / k;
    for (unsigned i = 0; i < len; i++) {
        double env = 1.0;
        if (na && i < na)
            env = (double)(i + 1) / na;
        if (nr && i + nr > len)
            env = fmin(env, (double)(len - i) / nr);
        double t = i / rate, s = 0;
        for (unsigned k = 1; k <= harm; k += 2)
            s += cos(2 * M_PI * hz * k * t) / k;
        buf[start + i] += (float)(amp * env * s / norm);
    }
}

struct tone_spec {
    double at_s, len_s, hz, amp;
    unsigned harm;
    double attack_s, release_s;
};

static int build_table(struct audio_table *t, double rate, const struct tone_spec *tones, size_t n)
{
    double end = 0;
    for (size_t i = 0; i < n; i++)
        end = fmax(end, tones[i].at_s + tones[i].len_s);
    t->len = (unsigned)ceil(end * rate);
    t->s = calloc(t->len, sizeof *t->s);
    if (!t->s)
        return GC_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        add_tone(t->s, (unsigned)(tones[i].at_s * rate), (unsigned)(tones[i].len_s * rate), rate,
                 tones[i].hz, tones[i].amp, tones[i].harm, tones[i].attack_s, tones[i].release_s);
    return GC_OK;
}

#define NTONES(a) (sizeof(a) / sizeof((a)[0]))

static int build_tables(struct audio *a)
{
    double r = a->par.rate_hz;
    /* TONES: a low square-ish double buzz (hard landing) cannot be confused
     * with the 1.8 kHz click or the bright chimes. */
    static const struct tone_spec hard[] = {{0.000, 0.070, 300, 0.6, 5, 0.001, 0.005},
                                            {0.110, 0.070, 300, 0.6, 5, 0.001, 0.005}};
    static const struct tone_spec good[] = {{0.000, 0.060, 880, 0.4, 1, 0.003, 0.010},
                                            {0.060, 0.080, 1320, 0.4, 1, 0.003, 0.020}};
    static const struct tone_spec phase[] = {{0.000, 0.100, 523.25, 0.45, 3, 0.003, 0.010},
                                             {0.100, 0.100, 659.25, 0.45, 3, 0.003, 0.010},
                                             {0.200, 0.150, 783.99, 0.45, 3, 0.003, 0.030}};
    static const struct tone_spec marker[] = {{0.000, 0.040, 2500, 0.3, 1, 0.002, 0.010}};
    /* SOFT: plain sines, lower level */
    static const struct tone_spec s_hard[] = {{0.000, 0.150, 250, 0.4, 1, 0.001, 0.020}};
    static const struct tone_spec s_good[] = {{0.000, 0.100, 660, 0.25, 1, 0.005, 0.030}};
    static const struct tone_spec s_phase[] = {{0.000, 0.120, 440, 0.3, 1, 0.005, 0.010},
                                               {0.120, 0.160, 554.37, 0.3, 1, 0.005, 0.040}};
    static const struct tone_spec s_marker[] = {{0.000, 0.040, 1500, 0.2, 1, 0.002, 0.010}};
    const struct {
        const struct tone_spec *t;
        size_t n;
    } spec[AUDIO_CUESET_COUNT][AUDIO_CUE_COUNT] = {
        {{hard, NTONES(hard)},
         {good, NTONES(good)},
         {phase, NTONES(phase)},
         {marker, NTONES(marker)}},
        {{s_hard, NTONES(s_hard)},
         {s_good, NTONES(s_good)},
         {s_phase, NTONES(s_phase)},
         {s_marker, NTONES(s_marker)}},
    };
    for (int s = 0; s < AUDIO_CUESET_COUNT; s++)
        for (int c = 0; c < AUDIO_CUE_COUNT; c++)
            if (build_table(&a->tab[s][c], r, spec[s][c].t, spec[s][c].n) != GC_OK)
                return GC_ERR_NOMEM;
    return GC_OK;
}

/* ---- rendering (audio thread) --------------------------------------------- */

static double click_amp(unsigned set)
{
    return set == AUDIO_CUESET_SOFT ? 0.3 : 0.5;
}

/* Add the click that starts at fractional frame p to mix[f0, f0 + n):
 * each sample is the click evaluated at its exact time after p. */
static void render_click(float *mix, uint64_t f0, unsigned n, double p, double rate, double amp)
{
    double len = AUDIO_CLICK_LEN_S * rate;
    double first = ceil(p);
    uint64_t lo = first > (double)f0 ? (uint64_t)first : f0;
    uint64_t hi = f0 + n;
    double end = p + len;
    if (end < (double)hi)
        hi = end > (double)f0 ? (uint64_t)ceil(end) : f0;
    for (uint64_t f = lo; f < hi; f++) {
        double tau = ((double)f - p) / rate;
        mix[f - f0] +=
            (float)(amp * cos(2 * M_PI * AUDIO_CLICK_HZ * tau) * exp(-tau / AUDIO_CLICK_DECAY_S));
    }
}

static double grid_pos(const struct audio *a, uint64_t k)
{
    return a->grid_origin + (double)k * a->interval;
}

/* Cadence change: keep the last click where it was and space the next one
 * at the new interval (no jump, no double click). */
static void metronome_retune(struct audio *a, unsigned mspm, uint64_t f0)
{
    double interval = a->par.rate_hz * 60.0 / (mspm / 1000.0);
    if (!a->grid_valid) {
        a->grid_origin = (double)f0;
        a->k_next = 0;
        a->grid_valid = true;
    } else {
        double last = a->k_next ? grid_pos(a, a->k_next - 1) : a->grid_origin - a->interval;
        a->grid_origin = last;
        a->k_next = 1;
        if (last + interval < (double)f0)
            a->grid_origin = (double)f0 - interval;
    }
    a->interval = interval;
    a->cur_mspm = mspm;
}

static void metronome_align(struct audio *a, int64_t t_ic_ns, uint64_t f0)
{
    if (!a->grid_valid || !atomic_load_explicit(&a->align, memory_order_relaxed))
        return;
    double origin = (double)atomic_load_explicit(&a->origin_ns, memory_order_relaxed);
    double f_ic = ((double)t_ic_ns - origin) * a->par.rate_hz / AUDIO_NS;
    double k = round((f_ic - a->grid_origin) / a->interval);
    double err = f_ic - (a->grid_origin + k * a->interval);
    double shift = AUDIO_ALIGN_GAIN * err;
    double lim = AUDIO_ALIGN_MAX * a->interval;
    shift = fmax(-lim, fmin(lim, shift));
    /* never move the next click into the past */
    double next = grid_pos(a, a->k_next);
    if (next + shift < (double)f0)
        shift = (double)f0 - next;
    a->grid_origin += shift;
}

static void start_cue(struct audio *a, const struct audio_req *r, unsigned set, uint64_t f0)
{
    if (r->cue >= AUDIO_CUE_COUNT)
        return;
    const struct audio_table *t = &a->tab[set][r->cue];
    unsigned slot = 0;
    for (unsigned i = 0; i < AUDIO_VOICES; i++) {
        if (!a->voice[i].tab) {
            slot = i;
            break;
        }
        if (a->voice[i].pos > a->voice[slot].pos)
            slot = i; /* all busy: replace the oldest */
    }
    a->voice[slot].tab = t->s;
    a->voice[slot].len = t->len;
    a->voice[slot].pos = 0;
    struct audio_played *p = &a->pending[a->n_pending++];
    p->tag = r->tag;
    p->cue = r->cue;
    p->t_req_ns = r->t_ns;
    p->frame = f0;
    p->t_write_ns = 0;
    atomic_fetch_add_explicit(&a->cues, 1, memory_order_relaxed);
}

static void render_period(struct audio *a, uint64_t f0)
{
    unsigned n = a->par.period_frames;
    unsigned set = atomic_load_explicit(&a->cue_set, memory_order_relaxed);
    bool muted = atomic_load_explicit(&a->muted, memory_order_relaxed);
    bool on = atomic_load_explicit(&a->met_on, memory_order_relaxed);
    unsigned mspm = atomic_load_explicit(&a->met_mspm, memory_order_relaxed);
    double vol = atomic_load_explicit(&a->vol_milli, memory_order_relaxed) / 1000.0;
    double rate = a->par.rate_hz;

    memset(a->mix, 0, n * sizeof *a->mix);
    a->n_pending = 0;
    /* At most AUDIO_VOICES new cues per period (1.3 ms): a burst beyond
     * that waits in the ring for the next period rather than being lost. */
    const struct audio_req *r;
    while (a->n_pending < AUDIO_VOICES && (r = spsc_peek(a->req)) != NULL) {
        if (r->kind == AUDIO_REQ_CUE && !muted)
            start_cue(a, r, set, f0);
        else if (r->kind == AUDIO_REQ_STEP)
            metronome_align(a, r->t_ns, f0);
        spsc_release(a->req);
    }

    if (mspm > 0 && mspm != a->cur_mspm)
        metronome_retune(a, mspm, f0);
    double amp = click_amp(set);
    if (a->cur_click_audible)
        render_click(a->mix, f0, n, a->cur_click, rate, amp);
    while (a->grid_valid && grid_pos(a, a->k_next) < (double)(f0 + n)) {
        double p = grid_pos(a, a->k_next);
        bool audible = on && mspm > 0 && !muted;
        if (audible) {
            render_click(a->mix, f0, n, p, rate, amp);
            atomic_fetch_add_explicit(&a->clicks, 1, memory_order_relaxed);
        }
        a->cur_click = p;
        a->cur_click_audible = audible;
        a->k_next++;
    }

    for (unsigned v = 0; v < AUDIO_VOICES; v++) {
        struct audio_voice *vc = &a->voice[v];
        if (!vc->tab)
            continue;
        unsigned k = vc->len - vc->pos < n ? vc->len - vc->pos : n;
        if (!muted)
            for (unsigned i = 0; i < k; i++)
                a->mix[i] += vc->tab[vc->pos + i];
        vc->pos += k;
        if (vc->pos >= vc->len)
            vc->tab = NULL;
    }

    for (unsigned i = 0; i < n; i++) {
        double s = a->mix[i] * vol * 32767.0;
        a->out[i] = (int16_t)(s > 32767.0 ? 32767 : s < -32767.0 ? -32767 : lrint(s));
    }
}

static void sleep_until_ns(int64_t t_ns)
{
    struct timespec ts = {(time_t)(t_ns / 1000000000LL), (long)(t_ns % 1000000000LL)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

static void note_latency(struct audio *a, double frames)
{
    int64_t ns = (int64_t)(frames * AUDIO_NS / a->par.rate_hz);
    atomic_store_explicit(&a->lat_ns, ns, memory_order_relaxed);
    if (ns > atomic_load_explicit(&a->lat_max_ns, memory_order_relaxed))
        atomic_store_explicit(&a->lat_max_ns, ns, memory_order_relaxed);
    atomic_fetch_add_explicit(&a->lat_sum_ns, ns, memory_order_relaxed);
    atomic_fetch_add_explicit(&a->lat_n, 1, memory_order_relaxed);
}

static void *audio_thread(void *arg)
{
    struct audio *a = arg;
    const double rate = a->par.rate_hz;
    const double P = a->par.period_frames, B = a->par.buffer_frames;
    enum audio_pace pace = (enum audio_pace)atomic_load(&a->pace);
    int64_t t0 = audio_now_ns();
    uint64_t frame = 0;

    if (pace == AUDIO_PACE_CLOCK)
        atomic_store(&a->origin_ns, t0 + (int64_t)((B - P) * AUDIO_NS / rate));
    else if (pace == AUDIO_PACE_DEVICE)
        atomic_store(&a->origin_ns, t0 + (int64_t)(B * AUDIO_NS / rate));
    else
        atomic_store(&a->origin_ns, t0);

    while (!atomic_load_explicit(&a->stop, memory_order_acquire)) {
        if (a->cfg.max_frames && frame >= a->cfg.max_frames) {
            struct timespec ts = {0, 5000000};
            nanosleep(&ts, NULL);
            continue;
        }
        if (pace == AUDIO_PACE_CLOCK) {
            int64_t origin = atomic_load_explicit(&a->origin_ns, memory_order_relaxed);
            int64_t due = origin + (int64_t)(((double)frame + P - B) * AUDIO_NS / rate);
            if (audio_now_ns() < due)
                sleep_until_ns(due);
        } else if (pace == AUDIO_PACE_DEVICE) {
            if (a->ops->wait(a->handle, 100) < 0)
                break;
        }

        if (a->cfg.hook)
            a->cfg.hook(a->cfg.hook_user, a, frame, audio_now_ns());
        render_period(a, frame);
        int64_t t_write = audio_now_ns();
        if (pace == AUDIO_PACE_CLOCK) {
            /* Checked at the write, so a stall in the hook or the render
             * counts too: later than the buffer lasts, the emulated card
             * ran dry; it restarts with this period. */
            int64_t origin = atomic_load_explicit(&a->origin_ns, memory_order_relaxed);
            int64_t due = origin + (int64_t)(((double)frame + P - B) * AUDIO_NS / rate);
            if (t_write - due > (int64_t)((B - P) * AUDIO_NS / rate)) {
                atomic_fetch_add_explicit(&a->xruns, 1, memory_order_relaxed);
                atomic_store_explicit(
                    &a->origin_ns, t_write - (int64_t)(((double)frame + P - B) * AUDIO_NS / rate),
                    memory_order_relaxed);
            }
        }
        int w = a->ops->write(a->handle, a->out, a->par.period_frames);
        if (w < 0)
            break;
        if (w > 0)
            atomic_fetch_add_explicit(&a->xruns, 1, memory_order_relaxed);
        frame += a->par.period_frames;
        atomic_store_explicit(&a->frames, frame, memory_order_release);

        if (pace == AUDIO_PACE_DEVICE) {
            long d;
            int64_t now = audio_now_ns();
            if (a->ops->delay(a->handle, &d) == GC_OK && d >= 0) {
                atomic_store_explicit(&a->origin_ns,
                                      now - (int64_t)(((double)frame - d) * AUDIO_NS / rate),
                                      memory_order_relaxed);
                note_latency(a, (double)d);
            }
            /* A device that claimed to pace but runs far ahead of the wall
             * clock (e.g. 'default' redirected to a file) is paced by us. */
            double ahead_s = frame / rate - (now - t0) / AUDIO_NS;
            if (ahead_s > 0.25 + B / rate) {
                pace = AUDIO_PACE_CLOCK;
                atomic_store(&a->pace, (int)pace);
                atomic_store_explicit(&a->origin_ns,
                                      now - (int64_t)(((double)frame + P - B) * AUDIO_NS / rate),
                                      memory_order_relaxed);
            }
        } else if (pace == AUDIO_PACE_CLOCK) {
            note_latency(a, B);
        }
        int64_t origin = atomic_load_explicit(&a->origin_ns, memory_order_relaxed);
        for (unsigned i = 0; i < a->n_pending; i++) {
            a->pending[i].t_write_ns = t_write;
            a->pending[i].t_heard_ns =
                origin + (int64_t)((double)a->pending[i].frame * AUDIO_NS / rate);
            spsc_push(a->played, &a->pending[i]);
        }
    }
    atomic_store(&a->running, false);
    return NULL;
}

/* ---- public API ----------------------------------------------------------- */

static unsigned to_milli(double x)
{
    return x > 0 ? (unsigned)lrint(x * 1000.0) : 0u;
}

int audio_new(const struct audio_config *cfg, struct audio **out, struct gc_diag *diag)
{
    *out = NULL;
    gc_diag_clear(diag);
    if (!cfg || cfg->rate_hz < 8000 || cfg->rate_hz > 192000 || cfg->period_frames < 16 ||
        cfg->period_frames > 8192 || cfg->periods < 2 || cfg->periods > 16 ||
        cfg->cue_set >= AUDIO_CUESET_COUNT || !(cfg->volume >= 0 && cfg->volume <= 1) ||
        !(cfg->metronome_spm >= 0 && cfg->metronome_spm <= 300)) {
        return gc_fail(diag, GC_ERR_ARG,
                       "invalid audio settings (rate, period, volume or cadence)");
    }
    struct audio *a = calloc(1, sizeof *a);
    if (!a)
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory");
    a->cfg = *cfg;
    snprintf(a->device, sizeof a->device, "%s", cfg->device ? cfg->device : "default");
    a->cfg.device = a->device;
    a->ops = cfg->sink ? cfg->sink : &audio_sink_alsa;
    a->par.rate_hz = cfg->rate_hz;
    a->par.period_frames = cfg->period_frames;
    a->par.periods = cfg->periods;
    int orc = a->ops->open(cfg->sink_user, a->device, &a->par, &a->handle, diag);
    if (orc < 0) {
        free(a);
        return orc;
    }
    a->req = spsc_new(sizeof(struct audio_req), AUDIO_REQ_RING);
    a->played = spsc_new(sizeof(struct audio_played), AUDIO_PLAYED_RING);
    a->mix = calloc(a->par.period_frames, sizeof *a->mix);
    a->out = calloc(a->par.period_frames, sizeof *a->out);
    if (!a->req || !a->played || !a->mix || !a->out || build_tables(a) != GC_OK) {
        audio_free(a);
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory");
    }
    enum audio_pace pace = cfg->pace;
    if (pace == AUDIO_PACE_AUTO)
        pace = a->par.self_paced ? AUDIO_PACE_DEVICE : AUDIO_PACE_CLOCK;
    atomic_init(&a->pace, (int)pace);
    atomic_init(&a->stop, false);
    atomic_init(&a->running, true);
    atomic_init(&a->rt, false);
    atomic_init(&a->met_on, cfg->metronome_spm > 0);
    atomic_init(&a->met_mspm, to_milli(cfg->metronome_spm));
    atomic_init(&a->vol_milli, to_milli(cfg->volume));
    atomic_init(&a->muted, 0);
    atomic_init(&a->cue_set, (unsigned)cfg->cue_set);
    atomic_init(&a->align, cfg->align);
    atomic_init(&a->origin_ns, audio_now_ns());
    atomic_init(&a->frames, 0);
    atomic_init(&a->clicks, 0);
    atomic_init(&a->cues, 0);
    atomic_init(&a->xruns, 0);
    atomic_init(&a->lat_ns, 0);
    atomic_init(&a->lat_max_ns, 0);
    atomic_init(&a->lat_sum_ns, 0);
    atomic_init(&a->lat_n, 0);

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    bool rt = false;
    if (cfg->rt_priority > 0) {
        struct sched_param sp = {.sched_priority = cfg->rt_priority};
        pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
        pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
        pthread_attr_setschedparam(&attr, &sp);
        rt = pthread_create(&a->thread, &attr, audio_thread, a) == 0;
        if (!rt) {
            LOG_INFO("real-time priority refused; audio thread runs at normal priority");
            pthread_attr_destroy(&attr);
            pthread_attr_init(&attr);
        }
    }
    int e = rt ? 0 : pthread_create(&a->thread, &attr, audio_thread, a);
    pthread_attr_destroy(&attr);
    if (e != 0) {
        audio_free(a);
        return gc_fail(diag, GC_ERR_IO, "cannot start the audio thread (%s)", strerror(e));
    }
    atomic_store(&a->rt, rt);
    a->thread_started = true;
    LOG_INFO("device '%s': %u Hz, period %u frames x %u (%.2f ms buffer), paced by %s", a->device,
             a->par.rate_hz, a->par.period_frames, a->par.periods,
             1000.0 * a->par.buffer_frames / a->par.rate_hz,
             pace == AUDIO_PACE_DEVICE  ? "the device"
             : pace == AUDIO_PACE_CLOCK ? "CLOCK_MONOTONIC"
                                        : "nothing (virtual time)");
    *out = a;
    return GC_OK;
}

void audio_free(struct audio *a)
{
    if (!a)
        return;
    if (a->thread_started) {
        atomic_store_explicit(&a->stop, true, memory_order_release);
        pthread_join(a->thread, NULL);
    }
    if (a->handle)
        a->ops->close(a->handle);
    for (int s = 0; s < AUDIO_CUESET_COUNT; s++)
        for (int c = 0; c < AUDIO_CUE_COUNT; c++)
            free(a->tab[s][c].s);
    spsc_free(a->req);
    spsc_free(a->played);
    free(a->mix);
    free(a->out);
    free(a);
}

int audio_cue(struct audio *a, enum audio_cue cue, int64_t t_req_ns, uint32_t tag)
{
    if ((unsigned)cue >= AUDIO_CUE_COUNT)
        return GC_ERR_ARG;
    struct audio_req r = {.kind = AUDIO_REQ_CUE, .cue = (uint8_t)cue, .tag = tag, .t_ns = t_req_ns};
    return spsc_push(a->req, &r) ? GC_OK : GC_ERR_BUSY;
}

int audio_step(struct audio *a, int64_t t_ic_ns)
{
    struct audio_req r = {.kind = AUDIO_REQ_STEP, .t_ns = t_ic_ns};
    return spsc_push(a->req, &r) ? GC_OK : GC_ERR_BUSY;
}

void audio_set_metronome(struct audio *a, bool on, double spm)
{
    if (spm > 0 && spm <= 300)
        atomic_store_explicit(&a->met_mspm, to_milli(spm), memory_order_relaxed);
    atomic_store_explicit(&a->met_on, on && spm > 0, memory_order_relaxed);
}

void audio_set_volume(struct audio *a, double volume)
{
    volume = volume < 0 ? 0 : volume > 1 ? 1 : volume;
    atomic_store_explicit(&a->vol_milli, to_milli(volume), memory_order_relaxed);
}

void audio_set_mute(struct audio *a, bool muted)
{
    atomic_store_explicit(&a->muted, muted, memory_order_relaxed);
}

void audio_set_cue_set(struct audio *a, enum audio_cue_set set)
{
    if ((unsigned)set < AUDIO_CUESET_COUNT)
        atomic_store_explicit(&a->cue_set, (unsigned)set, memory_order_relaxed);
}

void audio_set_align(struct audio *a, bool align)
{
    atomic_store_explicit(&a->align, align, memory_order_relaxed);
}

size_t audio_poll_played(struct audio *a, struct audio_played *out, size_t cap)
{
    size_t n = 0;
    while (n < cap && spsc_pop(a->played, &out[n]))
        n++;
    return n;
}

void audio_get_stats(const struct audio *a, struct audio_stats *st)
{
    struct audio *m = (struct audio *)a; /* atomics are read-only here */
    memset(st, 0, sizeof *st);
    st->rate_hz = a->par.rate_hz;
    st->period_frames = a->par.period_frames;
    st->buffer_frames = a->par.buffer_frames;
    st->pace = (enum audio_pace)atomic_load(&m->pace);
    st->frames_written = atomic_load_explicit(&m->frames, memory_order_acquire);
    st->clicks = atomic_load(&m->clicks);
    st->cues = atomic_load(&m->cues);
    st->xruns = atomic_load(&m->xruns);
    st->dropped = spsc_dropped(a->req);
    st->played_dropped = spsc_dropped(a->played);
    st->latency_ms = atomic_load(&m->lat_ns) / 1e6;
    st->latency_max_ms = atomic_load(&m->lat_max_ns) / 1e6;
    uint64_t n = atomic_load(&m->lat_n);
    st->latency_mean_ms = n ? (double)atomic_load(&m->lat_sum_ns) / (double)n / 1e6 : 0.0;
    st->running = atomic_load(&m->running);
    st->rt = atomic_load(&m->rt);
}

int64_t audio_frame_to_host_ns(const struct audio *a, double frame)
{
    struct audio *m = (struct audio *)a;
    return atomic_load(&m->origin_ns) + (int64_t)(frame * AUDIO_NS / a->par.rate_hz);
}

static const char *const cue_names[AUDIO_CUE_COUNT] = {"hard-landing", "good-step", "phase-change",
                                                       "marker"};

const char *audio_cue_name(enum audio_cue cue)
{
    return (unsigned)cue < AUDIO_CUE_COUNT ? cue_names[cue] : "?";
}

static const char *const set_names[AUDIO_CUESET_COUNT] = {"tones", "soft"};

const char *audio_cue_set_name(enum audio_cue_set set)
{
    return (unsigned)set < AUDIO_CUESET_COUNT ? set_names[set] : "?";
}

int audio_cue_set_parse(const char *s, enum audio_cue_set *out)
{
    for (int i = 0; i < AUDIO_CUESET_COUNT; i++)
        if (!strcmp(s, set_names[i])) {
            *out = (enum audio_cue_set)i;
            return GC_OK;
        }
    return GC_ERR_ARG;
}
