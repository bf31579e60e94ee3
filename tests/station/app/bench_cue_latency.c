/*
 * bench_cue_latency.c - sample arrival -> cue written to ALSA.
 *
 *   bench_cue_latency [SECONDS] [PCM] [RT_PRIORITY]
 *                                   (default 60 s, ALSA "null", SCHED_FIFO 20)
 *
 * A thread plays the DSP thread: it pushes a LOADING event over the
 * ceiling (a hard landing) into feedback_app's event ring at random
 * intervals (40-160 ms), stamping t_rx_ns = now as the arrival of the
 * sample that completed it.  The production path does the rest: the audio
 * thread's period hook pops it, runs the policy, starts the cue, and
 * writes the period with snd_pcm_writei; the cue log gives t_write_ns
 * (just before that write) and t_heard_ns (emulated card: write + the
 * queued buffer).
 *
 * Reports p50 / p99 / max of arrival -> written and arrival -> heard, and
 * the process CPU time.  In `station run` the same log (GAITCUE_CUE_LOG)
 * measures the whole path including the DSP, whose t_rx_ns is the serial
 * frame's arrival.
 *
 * Fails (exit 1) when a figure falls past its bound, the goals of
 * DESIGN.md section 7:
 *   arrival -> written  p99 <= 2 ms    (measured 1.3-1.4 ms with SCHED_FIFO)
 *   arrival -> heard    p99 <= 20 ms   (the audible-cue goal; here it is
 *                                       written + the 5.3 ms buffer)
 * and when it measured nothing (fewer than 10 cues, or a cue missing).
 * A normal-priority audio thread on a loaded machine misses the first
 * bound (docs/feedback.md): that is a real miss, not noise to hide.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "audio.h"
#include "feedback_app.h"
#include "live.h"
#include "spsc.h"

#define BOUND_WRITTEN_P99_MS 2.0 /* DESIGN.md 7: sample arrival -> cue written */
#define BOUND_HEARD_P99_MS   20.0 /* DESIGN.md 7: audible cue after the threshold */

struct dsp {
    struct spsc *ring;
    double seconds;
    atomic_bool done;
    long pushed;
};

static void *dsp_thread(void *arg)
{
    struct dsp *d = arg;
    int64_t t0 = audio_now_ns();
    uint32_t index = 0;
    unsigned seed = 12345;
    while ((audio_now_ns() - t0) / 1e9 < d->seconds) {
        struct timespec ts = {0, (40 + rand_r(&seed) % 121) * 1000000L};
        nanosleep(&ts, NULL);
        struct live_event le;
        memset(&le, 0, sizeof le);
        le.ev.kind = GAIT_EV_LOADING;
        le.t_rx_ns = audio_now_ns();
        le.ev.t_s = (le.t_rx_ns - t0) / 1e9;
        le.ev.step.index = index++;
        le.ev.step.t_ic_s = le.ev.t_s - 0.03;
        le.ev.step.valr_bw_s = 90.0;
        le.ev.step.impact_peak_bw = NAN;
        le.t_emit_ns = audio_now_ns();
        le.t_ev_host_s = le.t_rx_ns / 1e9;
        if (spsc_push(d->ring, &le))
            d->pushed++;
    }
    atomic_store(&d->done, true);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(const double *v, size_t n, double p)
{
    if (!n)
        return NAN;
    size_t k = (size_t)ceil(p / 100.0 * n) - 1;
    return v[k < n ? k : n - 1];
}

int main(int argc, char **argv)
{
    /* 60 s: ~600 cues, so the p99 rests on ~6 samples above it, not 2 - a
     * VM that delays one timer wake by a millisecond then moves one sample,
     * not the figure (20 s runs failed 1 in 10 on late wakes alone; the
     * bound is unchanged) */
    double seconds = argc > 1 ? atof(argv[1]) : 60.0;
    const char *pcm = argc > 2 ? argv[2] : "null";
    int rt = argc > 3 ? atoi(argv[3]) : 20;
    char log_path[] = "/tmp/gc-bench-cues-XXXXXX";
    int fd = mkstemp(log_path);
    if (fd < 0)
        return 1;
    close(fd);

    struct feedback_app_config fc;
    feedback_app_config_default(&fc);
    fc.policy.start_phase = FEEDBACK_PHASE_TRAINING;
    fc.policy.target_relative = false;
    fc.policy.target_cadence_spm = 170;
    fc.policy.metronome = true;
    fc.audio_device = pcm;
    fc.audio_required = true;
    fc.headless = true;
    fc.ctl = false;
    fc.cue_log_path = log_path;
    fc.audio_rt_priority = rt;
    struct gc_diag err;
    struct feedback_app *app;
    if (feedback_app_new(&fc, &app, &err) != GC_OK) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 1;
    }
    /* Without a plan the session is one open training phase without
     * targets (no ceiling: no hard-landing cue).  Start it, and give it the
     * ceiling the events cross (VALR 90 BW/s > 66, Davis 2016) and the
     * metronome's target. */
    feedback_app_advance(app, 0.0);
    const char *setup[] = {"set loading-ceiling 66", "set target-cadence 170"};
    for (size_t i = 0; i < sizeof setup / sizeof setup[0]; i++) {
        char reply[256];
        if (feedback_app_command(app, setup[i], "bench", reply, sizeof reply) != 0) {
            fprintf(stderr, "bench: '%s' refused: %s\n", setup[i], reply);
            feedback_app_free(app);
            return 1;
        }
    }
    {
        char reply[1024];
        feedback_app_command(app, "get status", "bench", reply, sizeof reply);
        printf("bench_cue_latency: session %s\n", reply);
    }
    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    struct dsp d = {.ring = feedback_app_event_ring(app), .seconds = seconds};
    atomic_init(&d.done, false);
    pthread_t t;
    pthread_create(&t, NULL, dsp_thread, &d);
    int64_t t_start = audio_now_ns();
    while (!atomic_load(&d.done)) {
        /* the session's clock runs (its state reaches the audio thread) */
        struct feedback_app_status fst = {.t_session_s = (audio_now_ns() - t_start) / 1e9,
                                          .link_ok = true};
        feedback_app_frame(app, &fst);
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    pthread_join(t, NULL);
    struct timespec ts = {0, 300 * 1000000L};
    nanosleep(&ts, NULL);
    feedback_app_frame(app, NULL);
    struct audio_stats st;
    feedback_app_get_audio_stats(app, &st);
    feedback_app_finish(app, NULL);
    getrusage(RUSAGE_SELF, &ru1);
    feedback_app_free(app);

    size_t cap = (size_t)(seconds * 30) + 64, n = 0;
    double *wr = calloc(cap, sizeof *wr), *hd = calloc(cap, sizeof *hd);
    FILE *f = fopen(log_path, "r");
    char line[512];
    while (f && fgets(line, sizeof line, f) && n < cap) {
        char name[32];
        long step;
        double t_ev;
        long long t_ev_host, t_rx, t_emit, t_pop, t_write, t_heard;
        unsigned long long frame;
        if (sscanf(line, "%31[^,],%ld,%lf,%lld,%lld,%lld,%lld,%lld,%lld,%llu", name, &step, &t_ev,
                   &t_ev_host, &t_rx, &t_emit, &t_pop, &t_write, &t_heard, &frame) != 10 ||
            strcmp(name, "hard-landing"))
            continue;
        wr[n] = (t_write - t_rx) / 1e6;
        hd[n] = (t_heard - t_rx) / 1e6;
        n++;
    }
    if (f)
        fclose(f);
    unlink(log_path);
    qsort(wr, n, sizeof *wr, cmp);
    qsort(hd, n, sizeof *hd, cmp);
    double cpu =
        (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec + ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
        (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec + ru1.ru_stime.tv_usec -
         ru0.ru_stime.tv_usec) /
            1e6;
    printf("bench_cue_latency: %.0f s on '%s', period %u frames (%.2f ms), buffer %u frames, "
           "%s pacing\n",
           seconds, pcm, st.period_frames, 1000.0 * st.period_frames / st.rate_hz, st.buffer_frames,
           st.pace == AUDIO_PACE_CLOCK ? "clock" : "device");
    printf("  audio thread %s, cues %zu of %ld events, xruns %llu\n",
           st.rt ? "SCHED_FIFO" : "normal priority", n, d.pushed, (unsigned long long)st.xruns);
    double wr99 = pct(wr, n, 99), hd99 = pct(hd, n, 99);
    /* NAN (nothing measured) fails both bounds */
    bool wr_ok = wr99 <= BOUND_WRITTEN_P99_MS, hd_ok = hd99 <= BOUND_HEARD_P99_MS;
    bool all = n >= 10 && (long)n == d.pushed;
    printf("  arrival -> written: p50 %.3f ms  p99 %.3f ms  max %.3f ms  (bound p99 <= %.0f ms: "
           "%s)\n",
           pct(wr, n, 50), wr99, n ? wr[n - 1] : NAN, BOUND_WRITTEN_P99_MS,
           wr_ok ? "met" : "NOT met");
    printf("  arrival -> heard:   p50 %.3f ms  p99 %.3f ms  max %.3f ms  (bound p99 <= %.0f ms: "
           "%s)\n",
           pct(hd, n, 50), hd99, n ? hd[n - 1] : NAN, BOUND_HEARD_P99_MS,
           hd_ok ? "met" : "NOT met");
    printf("  process CPU %.2f %% of one core (audio thread + policy, no rendering)\n",
           100.0 * cpu / seconds);
    free(wr);
    free(hd);
    if (!all)
        fprintf(stderr, "bench_cue_latency: FAIL: %zu cues logged of %ld events\n", n, d.pushed);
    if (!wr_ok || !hd_ok)
        fprintf(stderr, "bench_cue_latency: FAIL: a latency figure is past its bound\n");
    return all && wr_ok && hd_ok ? 0 : 1;
}
