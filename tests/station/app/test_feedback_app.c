/*
 * test_feedback_app.c - the biofeedback glue end to end, without the
 * acquisition pipeline: a thread plays the DSP thread (pushes struct
 * live_event into the event ring, as live.c does), the main thread runs
 * feedback_app_frame like cmd_run, a client thread talks to the control
 * socket, and the audio goes to a WAV through ALSA's file plugin.
 *
 * The synthetic runner: 164 steps/min (below the 172 band) for 5 s, then
 * 172 steps/min; every 4th step lands hard (VALR 80 > 66 BW/s).
 * Checked: metronome and band state follow the policy, the ctl change
 * reaches the view, the session log and the sensor's metronome command,
 * every hard landing is heard within 20 ms of its sample arrival at the
 * WAV frame the log gives, and the screenshot is written.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audio.h"
#include "check.h"
#include "ctlsock.h"
#include "feedback_app.h"
#include "gc_error.h"
#include "live.h"
#include "spsc.h"
#include "wav.h"

static int64_t t0_ns;

static double session_now(void)
{
    return (audio_now_ns() - t0_ns) / 1e9;
}

static void sleep_until_session(double t)
{
    int64_t due = t0_ns + (int64_t)(t * 1e9);
    struct timespec ts = {(time_t)(due / 1000000000LL), (long)(due % 1000000000LL)};
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

struct dsp {
    struct spsc *ring;
    atomic_int hard_sent;
    atomic_bool done;
    double run_s;
};

static void push(struct dsp *d, enum gait_event_kind kind, double t_s, const struct gait_step *s)
{
    struct live_event le;
    memset(&le, 0, sizeof le);
    le.ev.kind = kind;
    le.ev.t_s = t_s;
    le.ev.step = *s;
    le.t_rx_ns = audio_now_ns();
    le.t_emit_ns = le.t_rx_ns;
    le.t_ev_host_s = (t0_ns / 1e9) + t_s;
    spsc_push(d->ring, &le);
}

static void *dsp_thread(void *arg)
{
    struct dsp *d = arg;
    double t_ic = 0.3;
    uint32_t index = 0;
    while (t_ic < d->run_s) {
        double spm = t_ic < 5.0 ? 164.0 : 172.0;
        struct gait_step s;
        memset(&s, 0, sizeof s);
        s.index = index;
        s.side = (index % 2) ? GAIT_SIDE_RIGHT : GAIT_SIDE_LEFT;
        s.t_ic_s = t_ic;
        s.step_ms = index ? 60000.0 / spm : NAN;
        s.impact_peak_bw = NAN;
        s.valr_bw_s = NAN;
        sleep_until_session(t_ic + 0.010);
        push(d, GAIT_EV_CONTACT, t_ic + 0.010, &s);
        bool hard = index % 4 == 3;
        s.valr_bw_s = hard ? 80.0 : 45.0;
        sleep_until_session(t_ic + 0.040);
        push(d, GAIT_EV_LOADING, t_ic + 0.040, &s);
        if (hard)
            atomic_fetch_add(&d->hard_sent, 1);
        sleep_until_session(t_ic + 0.250);
        s.t_to_s = t_ic + 0.24;
        push(d, GAIT_EV_STEP, t_ic + 0.250, &s);
        t_ic += 60.0 / spm;
        index++;
    }
    atomic_store(&d->done, true);
    return NULL;
}

struct client {
    const char *path;
    char set_reply[256], get_reply[1024], bad_reply[256], mark_reply[256];
    int rc;
};

static void *client_thread(void *arg)
{
    struct client *c = arg;
    struct gc_diag err;
    sleep_until_session(6.0);
    c->rc = ctlsock_request(c->path, getuid(), "set target-cadence 171", c->set_reply,
                            sizeof c->set_reply, 2000, &err);
    c->rc |= ctlsock_request(c->path, getuid(), "set band 99", c->bad_reply, sizeof c->bad_reply,
                             2000, &err);
    c->rc |= ctlsock_request(c->path, getuid(), "mark pain 2", c->mark_reply, sizeof c->mark_reply,
                             2000, &err);
    sleep_until_session(8.6);
    c->rc |= ctlsock_request(c->path, getuid(), "get status", c->get_reply, sizeof c->get_reply,
                             2000, &err);
    return NULL;
}

static uint32_t metronome_log[16];
static int n_metronome;
static char session_log[8][160];
static int n_session_log;

static void on_metronome(void *user, uint32_t spm_x100)
{
    (void)user;
    if (n_metronome < 16)
        metronome_log[n_metronome++] = spm_x100;
}

static void on_log(void *user, double t, const char *kind, const char *text,
                   const char *source)
{
    (void)user;
    (void)source;
    if (n_session_log < 8)
        snprintf(session_log[n_session_log++], 160, "%.1f %s %s", t, kind, text);
}

/* The session's changes (phase begins, the PT's settings), as the
 * recorder gets them. */
static void on_session(void *user, const struct session_event *e)
{
    (void)user;
    if (n_session_log < 8)
        snprintf(session_log[n_session_log++], 160, "%.1f %s %s (%s)", e->t_s,
                 e->kind == SESSION_EV_TARGETS ? "set" : "phase", e->note, e->source);
}

/* One open training phase at 172 steps/min from the start. */
static const char plan_text[] = "[protocol]\nname = t\n[phase]\nname = training\n"
                                "kind = training\nduration = open\nfeedback = continuous\n"
                                "cadence = 172 spm\ncadence_band = 2.5 %\n"
                                "loading_ceiling = 66 BW/s\n";

/* A feedback app without sound or window on the plan text (parsed into *plan,
 * which must outlive it); NULL after a failed check. */
static struct feedback_app *quiet_app(const char *text, struct plan *plan)
{
    struct gc_diag pe;
    CHECK_EQ(plan_parse(text, strlen(text), plan, &pe), GC_OK);
    struct feedback_app_config fc;
    feedback_app_config_default(&fc);
    fc.plan = plan;
    fc.audio_device = "none";
    fc.headless = true;
    struct gc_diag err;
    struct feedback_app *app = NULL;
    CHECK_EQ(feedback_app_new(&fc, &app, &err), GC_OK);
    return app;
}

/* A step is judged by the phase in force at its initial contact even when
 * the status clock lags the events (a simulator at --speed max): the step
 * known at 1.6 s, with its contact at 1.2 s, is in the training phase that
 * began at 1.0 s, although the app's clock was last advanced to 0.5 s. */
static void test_judge_step_ahead_of_clock(void)
{
    static const char two_phases[] = "[protocol]\nname = t2\n[phase]\nname = baseline\n"
                                     "kind = baseline\nduration = 1 s\n[phase]\nname = training\n"
                                     "kind = training\nduration = open\nfeedback = continuous\n"
                                     "cadence = 172 spm\n";
    struct plan plan;
    struct feedback_app *app = quiet_app(two_phases, &plan);
    if (!app)
        return;
    feedback_app_advance(app, 0.5);
    struct session_step st;
    memset(&st, 0, sizeof st);
    st.step.t_ic_s = 0.8;
    st.step.step_ms = 350;
    feedback_app_judge_step(app, &st, 1.1);
    CHECK_EQ(st.phase, 0); /* contact in the baseline, known after it ended */
    memset(&st, 0, sizeof st);
    st.step.t_ic_s = 1.2;
    st.step.step_ms = 350;
    feedback_app_judge_step(app, &st, 1.6);
    CHECK_EQ(st.phase, 1);
    feedback_app_free(app);
}

/* Training entered by hand from the weigh-in (skipping the baseline), with
 * a relative target and no baseline: the reply says there is no cadence target and how to give
 * one (the clinic trial: only "ok training begins", then a training
 * without feedback). */
static void test_phase_without_target(void)
{
    static const char rel[] = "[protocol]\nname = t3\n[phase]\nname = weigh-in\n"
                              "kind = weigh-in\nduration = 15 s\n[phase]\nname = baseline\n"
                              "kind = baseline\nduration = 3 min\n[phase]\nname = training\n"
                              "kind = training\nduration = open\nfeedback = continuous\n"
                              "cadence = +5 %\n";
    struct plan plan;
    struct feedback_app *app = quiet_app(rel, &plan);
    if (!app)
        return;
    feedback_app_advance(app, 2.0);
    char reply[256];
    CHECK_EQ(feedback_app_command(app, "set phase training", "ctl", reply, sizeof reply), GC_OK);
    printf("set phase training: %s\n", reply);
    CHECK(!strcmp(reply, "ok training begins; no cadence target (no baseline was measured): set "
                         "one with 'set target-cadence SPM' or 'set baseline SPM'"));
    CHECK_EQ(feedback_app_command(app, "set target-cadence 172", "ctl", reply, sizeof reply),
             GC_OK);
    CHECK_EQ(feedback_app_command(app, "set phase training", "ctl", reply, sizeof reply), GC_OK);
    CHECK(strstr(reply, "no cadence target") == NULL);
    feedback_app_free(app);
}

int main(void)
{
    test_judge_step_ahead_of_clock();
    test_phase_without_target();
    char dir[] = "/tmp/gc-fbapp-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char wav[256], dev[300], sock[300], png[256], cues[256];
    snprintf(wav, sizeof wav, "%s/out.wav", dir);
    snprintf(dev, sizeof dev, "file:FILE=%s,FORMAT=wav", wav);
    snprintf(sock, sizeof sock, "%s/ctl/station.sock", dir);
    snprintf(png, sizeof png, "%s/last.png", dir);
    snprintf(cues, sizeof cues, "%s/cues.csv", dir);

    struct plan plan;
    struct gc_diag pe;
    CHECK_EQ(plan_parse(plan_text, strlen(plan_text), &plan, &pe), GC_OK);
    struct feedback_app_config fc;
    feedback_app_config_default(&fc);
    fc.plan = &plan;
    fc.session_event = on_session;
    fc.audio_device = dev;
    fc.audio_required = true;
    fc.headless = true;
    fc.screenshot = png;
    fc.ctl_path = sock;
    fc.cue_log_path = cues;
    fc.metronome_changed = on_metronome;
    fc.log_event = on_log;
    struct gc_diag err;
    struct feedback_app *app;
    CHECK_EQ(feedback_app_new(&fc, &app, &err), GC_OK);
    CHECK_MSG(app != NULL, err.msg);
    if (!app)
        return check_exit();

    t0_ns = audio_now_ns();
    struct dsp d = {.ring = feedback_app_event_ring(app), .run_s = 9.0};
    atomic_init(&d.hard_sent, 0);
    atomic_init(&d.done, false);
    struct client c = {.path = sock};
    pthread_t td, tc;
    pthread_create(&td, NULL, dsp_thread, &d);
    pthread_create(&tc, NULL, client_thread, &c);

    struct feedback_view v;
    bool saw_low = false, saw_in = false, metronome_always = true;
    while (!atomic_load(&d.done)) {
        struct feedback_app_status st = {.t_session_s = session_now(), .link_ok = true};
        snprintf(st.link, sizeof st.link, "sensor: test");
        CHECK_EQ(feedback_app_frame(app, &st), 0);
        feedback_app_get_view(app, &v);
        double t = session_now();
        if (t > 4.5 && t < 5.0)
            saw_low |= v.band == FEEDBACK_BAND_LOW;
        if (t > 8.2)
            saw_in |= v.band == FEEDBACK_BAND_IN;
        if (t > 0.5)
            metronome_always &= v.metronome_on;
        struct timespec ts = {0, 16 * 1000000L};
        nanosleep(&ts, NULL);
    }
    pthread_join(td, NULL);
    pthread_join(tc, NULL);
    struct timespec ts = {0, 300 * 1000000L}; /* let the last cue play out */
    nanosleep(&ts, NULL);
    struct feedback_app_status st = {.t_session_s = session_now(), .link_ok = true};
    feedback_app_frame(app, &st);
    feedback_app_get_view(app, &v);
    struct audio_stats as;
    feedback_app_get_audio_stats(app, &as);
    CHECK_EQ(feedback_app_finish(app, stdout), GC_OK);
    feedback_app_free(app);

    CHECK(saw_low);
    CHECK(saw_in);
    CHECK(metronome_always); /* continuous mode, training from the start */
    CHECK_NEAR(v.target_spm, 171.0, 1e-9);
    CHECK_EQ(c.rc, GC_OK);
    printf("ctl: %s | %s | %s\nctl: %s\n", c.set_reply, c.bad_reply, c.mark_reply, c.get_reply);
    CHECK(!strcmp(c.set_reply, "ok target-cadence=171.0"));
    CHECK(!strncmp(c.bad_reply, "error band must be", 18));
    CHECK(!strncmp(c.mark_reply, "ok marked pain", 14));
    CHECK(strstr(c.get_reply, "target-cadence=171.0") != NULL);
    CHECK(strstr(c.get_reply, "state=in") != NULL);
    /* the sensor heard: 172 at start, then 171 */
    CHECK(n_metronome >= 2);
    CHECK_EQ(metronome_log[0], 17200);
    CHECK_EQ(metronome_log[n_metronome - 1], 17100);
    /* the session log got the change and the mark, with their times */
    bool logged_set = false, logged_mark = false;
    for (int i = 0; i < n_session_log; i++) {
        printf("session log: %s\n", session_log[i]);
        logged_set |= strstr(session_log[i], "set target-cadence=171.0 (ctl)") != NULL;
        logged_mark |= strstr(session_log[i], "pain 2") != NULL;
    }
    CHECK(logged_set);
    CHECK(logged_mark);

    /* cues: every hard landing, heard <= 20 ms after its sample arrival */
    FILE *f = fopen(cues, "r");
    CHECK(f != NULL);
    int n_hard = 0;
    double worst_ms = 0;
    size_t frames[64];
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        char name[32];
        long step;
        double t_ev;
        long long t_ev_host, t_rx, t_emit, t_pop, t_write, t_heard;
        unsigned long long frame;
        if (sscanf(line, "%31[^,],%ld,%lf,%lld,%lld,%lld,%lld,%lld,%lld,%llu", name, &step, &t_ev,
                   &t_ev_host, &t_rx, &t_emit, &t_pop, &t_write, &t_heard, &frame) != 10)
            continue;
        if (strcmp(name, "hard-landing"))
            continue;
        CHECK_EQ(step % 4, 3);
        double ms = (t_heard - t_rx) / 1e6;
        worst_ms = fmax(worst_ms, ms);
        CHECK(ms >= 0 && ms <= 20.0);
        if (n_hard < 64)
            frames[n_hard] = (size_t)frame;
        n_hard++;
    }
    if (f)
        fclose(f);
    printf("hard-landing cues: %d of %d steps, worst arrival -> heard %.2f ms\n", n_hard,
           atomic_load(&d.hard_sent), worst_ms);
    CHECK_EQ(n_hard, atomic_load(&d.hard_sent));

    /* and the WAV has each buzz where the log says.  A 1 ms moving
     * average keeps the 300 Hz buzz (gain ~0.86) and suppresses the
     * 1.8 kHz click (gain < 0.1); its RMS over 4 ms just before the logged
     * frame (minus 1 ms) must be far below that just after (plus 1 ms), so
     * the onset is at the logged frame +- 1 ms. */
    struct wav w;
    CHECK_EQ(wav_read(wav, &w), 0);
    int found = 0;
    for (int i = 0; i < n_hard && i < 64; i++) {
        size_t f0 = frames[i];
        if (f0 + 288 >= w.n || f0 < 288)
            continue;
        double e[2] = {0, 0};
        for (int side = 0; side < 2; side++) {
            size_t from = side ? f0 + 48 : f0 - 240;
            for (size_t k = from; k < from + 192; k++) {
                double ma = 0;
                for (size_t j = 0; j < 48; j++)
                    ma += w.s[k - j];
                ma /= 48;
                e[side] += ma * ma;
            }
        }
        double rms_before = sqrt(e[0] / 192), rms_after = sqrt(e[1] / 192);
        found += rms_after > 2000 && rms_after > 5 * rms_before;
        if (!(rms_after > 2000 && rms_after > 5 * rms_before))
            printf("cue %d at frame %zu: rms before %.0f after %.0f\n", i, f0, rms_before,
                   rms_after);
    }
    CHECK_EQ(found, n_hard < 64 ? n_hard : 64);
    free(w.s);

    struct stat sst;
    CHECK_EQ(stat(png, &sst), 0);
    CHECK(sst.st_size > 10000);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_EQ(system(cmd), 0);
    return check_exit();
}
