/*
 * audio.h - the audio edge: metronome and short cues on their own thread.
 *
 *   producer --audio_cue()/audio_step()--> [SPSC ring] --> audio thread
 *     (in `station run` the producer is the audio thread itself: its
 *      period hook pops the DSP's events and runs the feedback policy)
 *   any thread --audio_set_*()--> atomics ----------------> audio thread
 *   audio thread --> render one period --> sink write (ALSA snd_pcm_writei)
 *   audio thread --> [SPSC ring of played cues] --> audio_poll_played()
 *
 * The metronome is synthesised sample-accurately: click k starts at the
 * fractional frame origin + k * interval (interval = rate * 60 / spm), and
 * each click is evaluated at its exact fractional start, so click spacing
 * has no jitter beyond the sampling grid.  Cues requested with audio_cue()
 * start at the first frame of the next period rendered.
 *
 * Pacing.  A sound card blocks the writer; ALSA's `null` and `file:` PCMs
 * do not.  The thread therefore either waits on the device (snd_pcm_wait)
 * or, for devices that do not pace, emulates a card of the same buffer size
 * against CLOCK_MONOTONIC (AUDIO_PACE_CLOCK).  Either way it keeps the
 * mapping "frame n is heard at host time origin + n / rate" (see
 * audio_frame_to_host_ns), so tests and benchmarks can place audio in time.
 * AUDIO_PACE_NONE renders as fast as the sink takes it (tests with a
 * virtual clock: the mapping then is frames / rate from the start).
 *
 * Sinks are a small table of functions: ALSA (any PCM string) and a memory
 * twin for tests.  Output format: signed 16-bit mono.
 *
 * Thread: audio_new/audio_free on one control thread (the main thread in
 * `station run`).  audio_cue and audio_step from ONE producer thread: the
 * audio thread itself when called from the period hook (feedback_app), or
 * one other thread when there is no hook (tests).  audio_poll_played
 * from ONE consumer thread (not the audio thread; the main thread in
 * `station run`).  audio_set_* and
 * audio_get_* from any thread.  The audio thread never locks, allocates or
 * logs.
 */
#ifndef GC_AUDIO_H
#define GC_AUDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gc_error.h"

enum audio_cue {
    AUDIO_CUE_HARD_LANDING = 0, /* low double buzz: step over the loading ceiling */
    AUDIO_CUE_GOOD_STEP = 1,    /* bright rising chime */
    AUDIO_CUE_PHASE_CHANGE = 2, /* three rising notes: session phase / interval changed */
    AUDIO_CUE_MARKER = 3,       /* short high blip: therapist marker acknowledged */
    AUDIO_CUE_COUNT
};

enum audio_cue_set {
    AUDIO_CUESET_TONES = 0, /* default: distinct timbres, for a noisy gym */
    AUDIO_CUESET_SOFT = 1,  /* plain sines, lower level, for quiet rooms */
    AUDIO_CUESET_COUNT
};

enum audio_pace {
    AUDIO_PACE_AUTO = 0, /* device if it blocks (sound card), else CLOCK */
    AUDIO_PACE_DEVICE,   /* wait on the device */
    AUDIO_PACE_CLOCK,    /* emulate a card against CLOCK_MONOTONIC */
    AUDIO_PACE_NONE,     /* as fast as possible (virtual time, tests) */
};

/* What a sink was opened with (requested in, granted out). */
struct audio_sink_params {
    unsigned rate_hz;
    unsigned period_frames;
    unsigned periods;
    unsigned buffer_frames; /* out */
    bool self_paced;        /* out: the device blocks like a sound card */
};

/* A sink.  open() returns GC_OK and a handle, or < 0 with one sentence in
 * diag (may be NULL).  wait() blocks until one period can be written or
 * timeout_ms passed (device pacing only).  write() writes n frames
 * (recovering from an underrun itself; it returns 1 when it had to, 0
 * otherwise, < 0 on a fatal error).  delay() gives the frames queued
 * ahead of the one being heard, or < 0 when the device cannot tell. */
struct audio_sink_ops {
    const char *name;
    int (*open)(void *user, const char *device, struct audio_sink_params *p, void **handle,
                struct gc_diag *diag);
    int (*wait)(void *handle, int timeout_ms);
    int (*write)(void *handle, const int16_t *frames, unsigned n);
    int (*delay)(void *handle, long *frames);
    void (*close)(void *handle);
};

/* ALSA playback on any PCM string ("default", "null", "hw:0",
 * "file:FILE=/tmp/x.wav,FORMAT=wav").  user is unused. */
extern const struct audio_sink_ops audio_sink_alsa;

/* Memory twin: user is a struct audio_memsink; frames are appended until
 * it is full (the rest is counted in lost). */
struct audio_memsink {
    int16_t *frames;
    size_t cap;
    size_t n;
    size_t lost;
};
extern const struct audio_sink_ops audio_sink_memory;

/* Null twin: accepts and discards (no sound wanted, clock pacing). */
extern const struct audio_sink_ops audio_sink_null;

struct audio;

/* Called on the audio thread at the start of every period, before the
 * request ring is drained, so cues it asks for (audio_cue from inside the
 * hook) start in this very period.  It must not lock, allocate, log or
 * block.  frame: first frame of the period; now_ns: CLOCK_MONOTONIC. */
typedef void (*audio_period_hook)(void *user, struct audio *a, uint64_t frame, int64_t now_ns);

struct audio_config {
    const char *device;                /* PCM string for ALSA; NULL = "default" */
    const struct audio_sink_ops *sink; /* NULL = ALSA */
    void *sink_user;
    unsigned rate_hz;       /* 48000 */
    unsigned period_frames; /* 64 (1.33 ms at 48 kHz) */
    unsigned periods;       /* 4 (5.3 ms buffer at 48 kHz / 64) */
    enum audio_pace pace;
    double volume; /* 0..1 */
    enum audio_cue_set cue_set;
    double metronome_spm;   /* initial; 0 = off */
    bool align;             /* phase-align the metronome to audio_step() */
    uint64_t max_frames;    /* stop writing after this many frames; 0 = never */
    int rt_priority;        /* SCHED_FIFO priority to try; 0 = normal thread */
    audio_period_hook hook; /* optional; its thread becomes the producer of audio_cue */
    void *hook_user;
};

void audio_config_default(struct audio_config *cfg);

/* Opens the sink and starts the audio thread: GC_OK with *out, or a gc_err
 * (*out NULL) with one sentence in diag (what failed and what to do). */
GC_MUST_CHECK int audio_new(const struct audio_config *cfg, struct audio **out,
                            struct gc_diag *diag);
/* Stops the thread after the period in flight, closes the sink (a WAV file
 * gets its final header). */
void audio_free(struct audio *a);

/* Producer (one thread: the audio thread itself when called from the
 * period hook, as in `station run`, or one other thread; never both).
 * t_req_ns is the CLOCK_MONOTONIC time of the
 * sample arrival that caused the cue (kept for latency measurement); tag
 * is the caller's id (e.g. the step index).  Returns GC_OK, or
 * GC_ERR_BUSY when the ring is full (dropped and counted). */
int audio_cue(struct audio *a, enum audio_cue cue, int64_t t_req_ns, uint32_t tag);
/* The runner's initial contact happened at host time t_ic_ns: with
 * alignment on, the metronome grid is nudged towards it (10 % of the phase
 * error per step, at most 2 % of an interval). */
int audio_step(struct audio *a, int64_t t_ic_ns);

/* Settings (any thread; applied at the next period). */
void audio_set_metronome(struct audio *a, bool on, double spm);
void audio_set_volume(struct audio *a, double volume);
void audio_set_mute(struct audio *a, bool muted);
void audio_set_cue_set(struct audio *a, enum audio_cue_set set);
void audio_set_align(struct audio *a, bool align);

/* One cue as it was written to the device. */
struct audio_played {
    uint32_t tag;
    uint8_t cue;        /* enum audio_cue */
    int64_t t_req_ns;   /* as given to audio_cue */
    int64_t t_write_ns; /* CLOCK_MONOTONIC just before the write of its period */
    int64_t t_heard_ns; /* when its first frame is heard (frame <-> host mapping then) */
    uint64_t frame;     /* first frame of the cue in the output stream */
};
/* Consumer (one non-audio thread): up to cap records, oldest first. */
size_t audio_poll_played(struct audio *a, struct audio_played *out, size_t cap);

struct audio_stats {
    unsigned rate_hz, period_frames, buffer_frames;
    enum audio_pace pace; /* the pacing in use (AUTO resolved) */
    uint64_t frames_written;
    uint64_t clicks;         /* metronome clicks rendered (audible) */
    uint64_t cues;           /* cues started */
    uint64_t xruns;          /* underruns (device) or late periods (clock) */
    uint64_t dropped;        /* requests refused: ring full */
    uint64_t played_dropped; /* played-cue records lost: audio_poll_played not called often
                                enough (1024 in flight) */
    double latency_ms;       /* output latency after the last write (ALSA delay, or emulated) */
    double latency_max_ms;
    double latency_mean_ms;
    bool running; /* thread alive and sink healthy */
    bool rt;      /* SCHED_FIFO granted */
};
void audio_get_stats(const struct audio *a, struct audio_stats *st);

/* CLOCK_MONOTONIC time (ns) at which output frame `frame` is heard. */
int64_t audio_frame_to_host_ns(const struct audio *a, double frame);
/* CLOCK_MONOTONIC now, in ns (the clock every audio time uses). */
int64_t audio_now_ns(void);

const char *audio_cue_name(enum audio_cue cue);
int audio_cue_set_parse(const char *s, enum audio_cue_set *out);
const char *audio_cue_set_name(enum audio_cue_set set);

/* Click waveform parameters, public so tests can find onsets. */
#define AUDIO_CLICK_HZ      1800.0
#define AUDIO_CLICK_DECAY_S 0.004
#define AUDIO_CLICK_LEN_S   0.020

#endif
