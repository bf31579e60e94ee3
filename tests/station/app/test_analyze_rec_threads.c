/*
 * test_analyze_rec_threads.c - `station analyze` of a recording runs on
 * the calling thread only, and its steps equal those of the threaded live
 * pipeline replaying the same file.
 *
 * The executable is linked with -Wl,--wrap=pthread_create: every thread
 * creation in the process is counted.  analyze_rec_run must create none
 * (and /proc/self/task must list one thread after it); live.h's replay of
 * the same recording creates its threads (proving the count works) and
 * gives the same steps, field by field, and the same number of gaps.
 *
 * Recording: the synthetic runner of tests/support/dsp_stream.h, 30 s, with 5
 * blocks lost at 10 s, a link silence, and a sensor reboot at 20 s.
 */
#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dsp_stream.h"
#include "analyze_source.h"
#include "check.h"
#include "gc_error.h"
#include "live.h"
#include "recording.h"
#include "spsc.h"

static atomic_int g_threads_created;

int __real_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg);
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg);
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*fn)(void *), void *arg)
{
    atomic_fetch_add(&g_threads_created, 1);
    return __real_pthread_create(t, a, fn, arg);
}

static int tasks_of_this_process(void)
{
    DIR *dir = opendir("/proc/self/task");
    if (dir == NULL)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(dir);
    return n;
}

static int append(struct rec_writer *w, struct rec_record *r, int rc)
{
    return rc == GC_OK ? rec_writer_append(w, r) : rc;
}

static int write_recording(const char *path)
{
    struct rec_writer *w = NULL;
    int rc = rec_writer_open(path, &w);
    if (rc < 0)
        return rc;
    static struct rec_record r;
    struct pkt_hello h;
    stream_hello(&h);
    struct deck_cal cal;
    deck_cal_nominal(&h, &cal);
    memset(&r, 0, sizeof r);
    r.kind = REC_INFO;
    r.len = (uint16_t)snprintf((char *)r.payload, REC_MAX_PAYLOAD,
                               "station_version=test\nsource=test\nmass_kg=0.000\n");
    rc = append(w, &r, rc);
    r.kind = REC_HELLO;
    r.len = (uint16_t)pkt_hello_encode(&h, r.payload, REC_MAX_PAYLOAD);
    rc = append(w, &r, rc);
    r.kind = REC_CAL;
    r.len = (uint16_t)rec_cal_format(&cal, (char *)r.payload, REC_MAX_PAYLOAD);
    rc = append(w, &r, rc);
    uint32_t seq = 0;
    for (uint32_t k = 0; k < 3000 && rc == GC_OK; k++) {
        double t_run = k * 0.010;
        if (k >= 1000 && k < 1005) { /* lost on the link */
            seq++;
            continue;
        }
        if (k >= 2000 && k < 2050)
            continue; /* the sensor reboots */
        uint64_t t_us = k < 2000 ? 3000000u + (uint64_t)k * 10000u : (uint64_t)(k - 2050) * 10000u;
        if (k == 2050)
            seq = 0;
        r.kind = REC_FRAME;
        r.aux = PKT_SAMPLES;
        r.extra = 0;
        r.t_host_ns = 5000000000LL + (int64_t)llround((t_run + 0.010) * 1e9);
        r.len = (uint16_t)stream_block(seq++, t_us, t_run, STREAM_RATE_HZ, r.payload,
                                       REC_MAX_PAYLOAD);
        rc = append(w, &r, rc);
        if (k == 1999) {
            r.kind = REC_LINK;
            r.aux = REC_LINK_SILENCE;
            r.extra = 300;
            r.t_host_ns += 300000000LL;
            r.len = 0;
            rc = append(w, &r, rc);
        }
    }
    r.kind = REC_END;
    r.aux = 0;
    r.len = (uint16_t)snprintf((char *)r.payload, REC_MAX_PAYLOAD, "duration_s=30\n");
    rc = append(w, &r, rc);
    int rc2 = rec_writer_close(w);
    return rc < 0 ? rc : rc2;
}

static bool same_double(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

/* Field by field, exactly (both come from the same code on the same input). */
static bool same_step(const struct gait_step *a, const struct gait_step *b)
{
    return a->index == b->index && a->side == b->side && a->flags == b->flags &&
           same_double(a->t_ic_s, b->t_ic_s) && same_double(a->t_to_s, b->t_to_s) &&
           same_double(a->contact_ms, b->contact_ms) && same_double(a->flight_ms, b->flight_ms) &&
           same_double(a->step_ms, b->step_ms) && same_double(a->cadence_spm, b->cadence_spm) &&
           same_double(a->impact_peak_n, b->impact_peak_n) &&
           same_double(a->impact_peak_bw, b->impact_peak_bw) &&
           same_double(a->t_impact_s, b->t_impact_s) && same_double(a->valr_bw_s, b->valr_bw_s) &&
           same_double(a->vilr_bw_s, b->vilr_bw_s) &&
           same_double(a->active_peak_n, b->active_peak_n) &&
           same_double(a->active_peak_bw, b->active_peak_bw);
}

/* The same file through the threaded replay pipeline (live.h). */
static int replay_steps(const char *path, struct gait_step *steps, int cap, unsigned *gaps)
{
    struct live_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.replay_path = path;
    cfg.replay_speed = 0;
    struct gc_diag d;
    struct live *lv;
    CHECK_EQ(live_new(&cfg, &lv, &d), GC_OK);
    CHECK_MSG(lv != NULL, d.msg);
    if (lv == NULL)
        return -1;
    /* 3 events per step; 100 steps: a ring larger than the whole session. */
    struct spsc *ring = spsc_new(sizeof(struct live_event), 4096);
    CHECK(live_add_event_consumer(lv, ring) == GC_OK);
    CHECK(live_start(lv) == GC_OK);
    int n = 0;
    *gaps = 0;
    struct live_snapshot s;
    for (;;) {
        live_get_snapshot(lv, &s);
        if (s.finished)
            break;
        struct timespec ts = {0, 1000000L};
        nanosleep(&ts, NULL);
    }
    live_stop(lv);
    struct live_event e;
    while (spsc_pop(ring, &e)) {
        if (e.ev.kind == GAIT_EV_STEP && n < cap)
            steps[n++] = e.ev.step;
        if (e.ev.kind == GAIT_EV_GAP)
            (*gaps)++;
    }
    CHECK_EQ(spsc_dropped(ring), 0);
    live_free(lv);
    spsc_free(ring);
    return n;
}

int main(void)
{
    char dir[] = "/tmp/gc_analyze_threads.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/session.gcrec", dir);
    CHECK_EQ(write_recording(path), GC_OK);

    CHECK_EQ(tasks_of_this_process(), 1);
    struct analyze_result res;
    memset(&res, 0, sizeof res);
    struct gc_diag err;
    int rc = analyze_rec_run(path, 0.0, false, &res, &err);
    CHECK_MSG(rc == GC_OK, err.msg);
    CHECK_EQ(err.code, GC_OK);
    /* Single-threaded: no thread was ever created, one task now. */
    CHECK_EQ(atomic_load(&g_threads_created), 0);
    CHECK_EQ(tasks_of_this_process(), 1);
    /* 29.5 s of data at 0.35 s a step, two gaps (each may cost the contact
     * it falls in, and the first contact after the reboot needs a flight
     * before it): 78..84 steps. */
    CHECK(res.n_steps >= 78 && res.n_steps <= 84);
    CHECK_EQ(res.gaps, 2);
    CHECK_NEAR(res.rate_hz, STREAM_RATE_HZ, 0);

    static struct gait_step rep[512];
    unsigned rep_gaps = 0;
    int n_rep = replay_steps(path, rep, 512, &rep_gaps);
    CHECK(atomic_load(&g_threads_created) >= 2); /* the count sees live's threads */
    CHECK_EQ(n_rep, (long long)res.n_steps);
    CHECK_EQ(rep_gaps, res.gaps);
    int same = n_rep == (int)res.n_steps;
    for (int i = 0; same && i < n_rep; i++)
        same = same_step(&rep[i], &res.steps[i]);
    CHECK_MSG(same, "analyze and the threaded replay disagree on a step");

    analyze_result_free(&res);
    unlink(path);
    rmdir(dir);
    return check_exit();
}
