/* test_recorder - the store-writer thread: a clean session, judged by the
 * one session model as `station run` does (session.h) and recorded in the
 * order it happened, lands whole in the store, with phases, targets and
 * markers; in
 * "crash" mode a child writing a session is killed with SIGKILL and the
 * next open finds it interrupted, with everything pushed more than one
 * second before the kill, and it can be reported. */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "gc_error.h"
#include "live.h"
#include "report.h"
#include "session_recorder.h"
#include "store.h"

static char dir[256];

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A running step every 0.35 s of session time (171.4 spm), from t = 2 s. */
static struct live_event step_event(uint32_t i)
{
    struct live_event le;
    memset(&le, 0, sizeof le);
    struct gait_step *g = &le.ev.step;
    g->index = i;
    g->side = i % 2 ? GAIT_SIDE_RIGHT : GAIT_SIDE_LEFT;
    g->t_ic_s = 2.0 + 0.35 * i;
    g->contact_ms = 230;
    g->t_to_s = g->t_ic_s + 0.23;
    g->step_ms = i ? 350 : NAN;
    g->flight_ms = i ? 120 : NAN;
    g->cadence_spm = i ? 60000.0 / 350 : NAN;
    g->impact_peak_n = NAN;
    g->impact_peak_bw = NAN;
    g->t_impact_s = NAN;
    g->valr_bw_s = 60 + (i % 7);
    g->vilr_bw_s = 70 + (i % 7);
    g->active_peak_n = 1700;
    g->active_peak_bw = 2.47;
    le.ev.kind = GAIT_EV_STEP;
    le.ev.t_s = g->t_to_s;
    return le;
}

/* What run_session does for each session event: phases and changes. */
static void record_events(struct session_recorder *rec, const struct session_event *ev, int n)
{
    for (int i = 0; i < n; i++) {
        if (ev[i].kind == SESSION_EV_PHASE)
            CHECK(session_recorder_phase(rec, ev[i].phase, ev[i].t_s, &ev[i].targets, NULL));
        if (ev[i].kind != SESSION_EV_END)
            CHECK(session_recorder_change(rec, ev[i].t_s,
                                          !strcmp(ev[i].source, "protocol") ? STORE_SRC_PROTOCOL
                                                                            : STORE_SRC_THERAPIST,
                                          &ev[i].targets, ev[i].note));
    }
}

/* One step as the station handles it: the clock to the event, then the
 * step judged once and recorded. */
static bool feed(struct session_recorder *rec, struct session *sess, const struct live_event *le)
{
    struct session_event ev[8];
    int n;
    while ((n = session_update(sess, le->ev.t_s, ev, 8)) > 0)
        record_events(rec, ev, n);
    struct session_step st;
    memset(&st, 0, sizeof st);
    st.step = le->ev.step;
    session_add_step(sess, &st);
    return session_recorder_step(rec, &st);
}

static int64_t begin(struct store *st, struct plan *plan, const char *code)
{
    struct store_patient p;
    memset(&p, 0, sizeof p);
    snprintf(p.code, sizeof p.code, "%s", code);
    if (store_patient_add(st, &p) != GC_OK)
        return -1;
    char *text;
    struct gc_diag pd;
    char path[400];
    snprintf(path, sizeof path, "%s/cadence-retraining.ini", GC_PROTOCOL_DIR);
    if (session_recorder_load_protocol(path, plan, &text, &pd) != GC_OK) {
        fprintf(stderr, "%s\n", pd.msg);
        return -1;
    }
    plan_scale_time(plan, 10); /* 97.5 s of session time */
    struct store_session ss;
    memset(&ss, 0, sizeof ss);
    ss.patient_id = p.id;
    ss.body_weight_n = NAN;
    ss.time_scale = 10;
    int rc = store_session_begin(st, &ss, plan, text);
    free(text);
    return rc ? -1 : ss.id;
}

static void test_clean(void)
{
    char db[400];
    snprintf(db, sizeof db, "%s/clean.db", dir);
    struct store *st;
    CHECK_EQ(store_open(db, &st), GC_OK);
    struct plan plan;
    int64_t sid = begin(st, &plan, "CLEAN-1");
    CHECK(sid > 0);
    /* commit once a second: the whole push takes ~30 ms, so the therapist's
     * change reaches the writer before the steps after it are committed
     * (the documented condition for exact tagging) */
    struct session_recorder_config cfg = {.store = st, .session_id = sid, .commit_ms = 1000};
    struct session_recorder *rec = session_recorder_new(&cfg);
    CHECK(rec != NULL);
    CHECK_EQ(session_recorder_start(rec), GC_OK);
    struct session sess;
    session_init(&sess, &plan, 0.0);
    /* 270 steps: t_ic from 2 s to 96.15 s, through all four phases */
    const uint32_t n = 270;
    for (uint32_t i = 0; i < n; i++) {
        struct live_event le = step_event(i);
        while (!feed(rec, &sess, &le))
            sleep_ms(1); /* the test may wait; the station would count a drop */
        if (i == 100) {
            struct store_marker m = {
                .t_s = le.ev.t_s, .kind = STORE_MARK_PAIN, .pain = 3, .text = "shin"};
            CHECK(session_recorder_mark(rec, &m));
            struct session_cmd c = {SESSION_CMD_CADENCE, 175, 0};
            struct session_cmd b = {SESSION_CMD_BAND, 100.0 * 5 / 175, 0};
            struct session_event ev[3];
            int ne;
            struct gc_diag why;
            CHECK_EQ(session_apply(&sess, &c, le.ev.t_s, "ctl", ev, &ne, &why), GC_OK);
            record_events(rec, ev, ne);
            CHECK_EQ(session_apply(&sess, &b, le.ev.t_s, "ctl", ev, &ne, &why), GC_OK);
            record_events(rec, ev, ne);
            CHECK(session_recorder_set_body_weight(rec, 700.0));
        }
        if (i % 50 == 0)
            sleep_ms(5);
    }
    struct session_event ev[8];
    int ne;
    while ((ne = session_update(&sess, 97.5, ev, 8)) > 0) /* the protocol's end */
        record_events(rec, ev, ne);
    session_recorder_tick(rec, 97.5);
    CHECK_EQ(session_recorder_stop(rec, STORE_COMPLETE, 97.5), GC_OK);
    struct session_recorder_stats rs;
    session_recorder_get_stats(rec, &rs);
    CHECK_EQ(rs.steps, n);
    CHECK_EQ(rs.dropped_events, 0);
    CHECK_EQ(rs.dropped_control, 0);
    CHECK_EQ(rs.markers, 1);
    CHECK_EQ(rs.phases, 4);
    CHECK_EQ(rs.target_changes, 7); /* 4 phase starts, the baseline, the PT's 2 */
    CHECK_EQ(rs.phase, 3);          /* the last phase recorded */
    CHECK(rs.commits >= 1);
    session_recorder_free(rec);

    struct store_session ss;
    CHECK_EQ(store_session_get(st, sid, &ss), GC_OK);
    CHECK_EQ(ss.status, STORE_COMPLETE);
    CHECK_EQ(ss.n_steps, n);
    CHECK_NEAR(ss.body_weight_n, 700.0, 0);
    struct session_step *steps;
    size_t ns;
    CHECK_EQ(store_load_steps(st, sid, &steps, &ns), GC_OK);
    /* phases by IC time: weigh-in < 1.5 s (none), baseline < 19.5 s,
     * training < 79.5 s, retention after */
    size_t per[4] = {0};
    for (size_t i = 0; i < ns; i++)
        if (steps[i].phase >= 0 && steps[i].phase < 4)
            per[steps[i].phase]++;
    CHECK_EQ(per[0], 0);
    CHECK_EQ(per[1], 50);  /* 2 + 0.35 i < 19.5 -> i <= 49 */
    CHECK_EQ(per[2], 172); /* i = 50..221 (t_ic < 79.5) */
    CHECK_EQ(per[3], 48);
    /* the baseline ran at 171.4 spm: target 184.3 +/- 5.5, so every
     * training step before the PT's change was out of band; after it
     * (175 +/- 5) every step was in band */
    size_t in = 0, scored = 0;
    for (size_t i = 0; i < ns; i++)
        if (steps[i].phase == 2 && steps[i].in_band >= 0) {
            scored++;
            in += steps[i].in_band == 1;
            if ((steps[i].in_band == 1) != (i > 100))
                fprintf(stderr, "step %zu: in_band %d\n", i, steps[i].in_band);
        }
    CHECK_EQ(scored, 172);
    CHECK_EQ(in, 270 - 101 - 48); /* steps 101..221 */
    free(steps);
    struct store_phase *ph;
    size_t np;
    CHECK_EQ(store_load_phases(st, sid, &ph, &np), GC_OK);
    CHECK_EQ(np, 4);
    CHECK_NEAR(ph[2].targets.cadence_spm, 60000.0 / 350 * 1.075, 1e-9);
    free(ph);
    store_close(st);
}

/* The child: records a session step by step until it is killed, telling
 * the parent on fd how many steps it has pushed and when. */
static void child(int fd, const char *db)
{
    struct store *st;
    if (store_open(db, &st) != GC_OK)
        _exit(2);
    struct plan plan;
    int64_t sid = begin(st, &plan, "CRASH-1");
    if (sid < 0)
        _exit(3);
    struct session_recorder_config cfg = {.store = st, .session_id = sid};
    struct session_recorder *rec = session_recorder_new(&cfg);
    if (!rec || session_recorder_start(rec) != GC_OK)
        _exit(4);
    struct session sess;
    session_init(&sess, &plan, 0.0);
    for (uint32_t i = 0;; i++) {
        struct live_event le = step_event(i);
        if (!feed(rec, &sess, &le))
            _exit(5);
        if (i == 20) {
            struct store_marker m = {
                .t_s = le.ev.t_s, .kind = STORE_MARK_NOTE, .pain = -1, .text = "before the crash"};
            session_recorder_mark(rec, &m);
        }
        if (i % 10 == 9) {
            char line[64];
            int len = snprintf(line, sizeof line, "%u %.3f\n", i + 1, mono_ms());
            if (write(fd, line, (size_t)len) != len)
                _exit(6);
        }
        sleep_ms(4); /* 250 steps per second of wall time */
    }
}

static void test_crash(void)
{
    char db[400];
    snprintf(db, sizeof db, "%s/crash.db", dir);
    int fds[2];
    CHECK(pipe(fds) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        child(fds[1], db);
        _exit(0);
    }
    close(fds[1]);
    /* read progress for about 2 s, then kill -9 */
    struct {
        unsigned n;
        double t;
    } seen[1024];
    size_t nseen = 0;
    char buf[4096];
    size_t have = 0;
    double start = mono_ms();
    while (mono_ms() - start < 2000) {
        struct pollfd pf = {fds[0], POLLIN, 0};
        if (poll(&pf, 1, 50) <= 0)
            continue;
        ssize_t r = read(fds[0], buf + have, sizeof buf - have - 1);
        if (r <= 0)
            break;
        have += (size_t)r;
        buf[have] = '\0';
        char *line = buf, *nl;
        while ((nl = strchr(line, '\n'))) {
            *nl = '\0';
            if (nseen < 1024 && sscanf(line, "%u %lf", &seen[nseen].n, &seen[nseen].t) == 2)
                nseen++;
            line = nl + 1;
        }
        have = strlen(line);
        memmove(buf, line, have);
    }
    double t_kill = mono_ms();
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    close(fds[0]);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    unsigned safe = 0, total = 0; /* pushed >= 1 s before the kill; pushed at all */
    for (size_t i = 0; i < nseen; i++) {
        if (seen[i].t <= t_kill - 1000.0)
            safe = seen[i].n;
        total = seen[i].n;
    }
    CHECK(safe >= 100); /* the child ran long enough for the test to mean something */

    struct store *st;
    CHECK_EQ(store_open(db, &st), GC_OK);
    int64_t id;
    CHECK_EQ(store_session_latest(st, 0, &id), GC_OK);
    struct store_session ss;
    CHECK_EQ(store_session_get(st, id, &ss), GC_OK);
    CHECK_EQ(ss.status, STORE_RUNNING); /* as the crash left it */
    CHECK_EQ(session_recorder_recover(st, stdout), 1);
    CHECK_EQ(store_session_get(st, id, &ss), GC_OK);
    CHECK_EQ(ss.status, STORE_INTERRUPTED);
    fprintf(stderr, "crash: %u steps pushed, %u of them >= 1 s before the kill, %lld stored\n",
            total + 9, safe, (long long)ss.n_steps);
    CHECK(ss.n_steps >= (int64_t)safe);
    CHECK(ss.n_steps <= (int64_t)total + 10);
    struct session_step *steps;
    size_t n;
    CHECK_EQ(store_load_steps(st, id, &steps, &n), GC_OK);
    bool contiguous = true;
    for (size_t i = 0; i < n; i++)
        contiguous = contiguous && steps[i].step.index == i;
    CHECK(contiguous); /* a prefix of the session, no holes */
    free(steps);
    struct store_marker *m;
    CHECK_EQ(store_load_markers(st, id, &m, &n), GC_OK);
    CHECK_EQ(n, 1);
    free(m);
    struct store_minute *mi;
    CHECK_EQ(store_load_minutes(st, id, &mi, &n), GC_OK);
    CHECK(n >= 1); /* summaries rebuilt on recovery */
    free(mi);
    CHECK_EQ(session_recorder_recover(st, NULL), 0); /* once only */
    char pdf[400];
    snprintf(pdf, sizeof pdf, "%s/crash.pdf", dir);
    struct report_record rec;
    CHECK_EQ(report_record_load(st, id, &rec, NULL), GC_OK);
    CHECK_EQ(report_session_pdf(&rec, pdf, store_path(st), NULL), GC_OK);
    report_record_free(&rec);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "pdftotext '%s' - | grep -q 'Session interrupted'", pdf);
    CHECK(system(cmd) == 0);
    store_close(st);
}

int main(int argc, char **argv)
{
    snprintf(dir, sizeof dir, "/tmp/gc-rec-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    bool crash = argc > 1 && !strcmp(argv[1], "crash");
    if (crash)
        test_crash();
    else
        test_clean();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (check_failures == 0 && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_exit();
}
