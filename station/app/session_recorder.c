/* session_recorder.c - the store-writer thread of `station run`. */
#define LOG_PREFIX "recorder"
#include "session_recorder.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gc_error.h"
#include "live.h"
#include "log.h"

#ifndef GC_DATADIR
#define GC_DATADIR "station/data"
#endif

/* Control ring: markers and target changes come at human pace; 256 is
 * minutes of PT activity between two writer passes. */
#define CTL_RING 256
/* The writer looks at the rings this often (ms): well under the commit
 * period, and a thousandth of the ring's worth of events. */
#define POLL_MS 10

enum ctl_kind { CTL_TICK = 1, CTL_MARK, CTL_TARGETS, CTL_WEIGHT };

struct ctl_item {
    enum ctl_kind kind;
    double t_s;
    struct store_marker mark;
    struct session_targets targets;
    char note[128];
    double weight_n;
};

struct pending_phase {
    int idx;
    double start_rel_s;
    struct session_targets t;
};

/* Growable array of fixed-size elements (writer thread only). */
struct vec {
    void *p;
    size_t n, cap, sz;
};

static void *vec_add(struct vec *v)
{
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 64;
        void *q = realloc(v->p, nc * v->sz);
        if (!q)
            return NULL;
        v->p = q;
        v->cap = nc;
    }
    return (char *)v->p + v->n++ * v->sz;
}

struct session_recorder {
    struct store *store;
    int64_t sid;
    double t0_s;
    unsigned commit_ms;
    struct session sess; /* writer thread only */
    struct spsc *events; /* DSP -> writer */
    struct spsc *ctl;    /* control -> writer */
    pthread_t thread;
    bool started, stopped;
    atomic_bool stop;

    /* writer thread: waiting for the next commit */
    struct vec steps, markers, changes, phases;
    /* therapist target changes and clock ticks wait here until the events
     * before them (in session time) have been handled */
    struct vec held;
    double held_since_ms;
    double weight_n; /* NAN = none pending */

    _Atomic uint64_t n_steps, n_markers, n_changes, n_phases, n_commits;
    _Atomic uint64_t ctl_dropped;
    atomic_int last_error;
    atomic_int phase;
};

static int64_t now_utc(void)
{
    return (int64_t)time(NULL);
}

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

struct session_recorder *session_recorder_new(const struct session_recorder_config *cfg)
{
    if (!cfg || !cfg->store || cfg->session_id <= 0 || !cfg->plan || cfg->commit_ms > 1000)
        return NULL;
    struct session_recorder *rec = calloc(1, sizeof *rec);
    if (!rec)
        return NULL;
    rec->store = cfg->store;
    rec->sid = cfg->session_id;
    rec->t0_s = cfg->t0_s;
    rec->commit_ms = cfg->commit_ms ? cfg->commit_ms : SESSION_RECORDER_COMMIT_MS;
    rec->events = spsc_new(sizeof(struct live_event), SESSION_RECORDER_RING);
    rec->ctl = spsc_new(sizeof(struct ctl_item), CTL_RING);
    if (!rec->events || !rec->ctl) {
        spsc_free(rec->events);
        spsc_free(rec->ctl);
        free(rec);
        return NULL;
    }
    session_init(&rec->sess, cfg->plan, cfg->t0_s);
    rec->steps.sz = sizeof(struct session_step);
    rec->markers.sz = sizeof(struct store_marker);
    rec->changes.sz = sizeof(struct store_target_change);
    rec->phases.sz = sizeof(struct pending_phase);
    rec->held.sz = sizeof(struct ctl_item);
    rec->weight_n = NAN;
    atomic_init(&rec->stop, false);
    atomic_init(&rec->phase, -1);
    return rec;
}

struct spsc *session_recorder_event_ring(struct session_recorder *rec)
{
    return rec->events;
}

/* ---- writer thread ------------------------------------------------- */

static void advance(struct session_recorder *rec, double t_s)
{
    struct session_event ev[8];
    int n;
    /* several phases may pass at once (compressed time): loop until the
     * model has caught up */
    do {
        n = session_update(&rec->sess, t_s, ev, 8);
        for (int i = 0; i < n; i++) {
            if (ev[i].kind != SESSION_EV_PHASE)
                continue;
            struct session_targets t;
            session_get_targets(&rec->sess, &t);
            struct pending_phase *pp = vec_add(&rec->phases);
            struct store_target_change *tc = vec_add(&rec->changes);
            if (!pp || !tc)
                continue;
            pp->idx = ev[i].phase;
            pp->start_rel_s = ev[i].t_s - rec->t0_s;
            pp->t = t;
            memset(tc, 0, sizeof *tc);
            tc->t_s = ev[i].t_s;
            tc->source = STORE_SRC_PROTOCOL;
            tc->targets = t;
            snprintf(tc->note, sizeof tc->note, "%s begins",
                     rec->sess.plan.phases[ev[i].phase].name);
        }
    } while (n > 0);
    atomic_store(&rec->phase, rec->sess.phase);
}

static void apply_control(struct session_recorder *rec, const struct ctl_item *c)
{
    switch (c->kind) {
    case CTL_TICK:
        advance(rec, c->t_s);
        break;
    case CTL_MARK: {
        struct store_marker *m = vec_add(&rec->markers);
        if (m)
            *m = c->mark;
        break;
    }
    case CTL_TARGETS: {
        advance(rec, c->t_s);
        session_set_cadence_target(&rec->sess, c->targets.cadence_spm,
                                   (c->targets.cadence_hi_spm - c->targets.cadence_lo_spm) / 2);
        session_set_valr_ceiling(&rec->sess, c->targets.valr_ceiling_bw_s);
        /* steps from the change on that were tagged before it arrived (the
         * two rings race) and are not committed yet: tag them again */
        struct session_step *ps = rec->steps.p;
        for (size_t i = 0; i < rec->steps.n; i++)
            if (ps[i].step.t_ic_s >= c->t_s && ps[i].phase == rec->sess.phase)
                session_judge_step(&rec->sess.targets, &ps[i]);
        struct store_target_change *tc = vec_add(&rec->changes);
        if (tc) {
            memset(tc, 0, sizeof *tc);
            tc->t_s = c->t_s;
            tc->source = STORE_SRC_THERAPIST;
            tc->targets = c->targets;
            snprintf(tc->note, sizeof tc->note, "%s", c->note);
        }
        break;
    }
    case CTL_WEIGHT:
        rec->weight_n = c->weight_n;
        break;
    }
}

/* Apply the held target changes stamped at or before t_s (all if force). */
static void release_held(struct session_recorder *rec, double t_s, bool force)
{
    size_t k = 0;
    const struct ctl_item *h = rec->held.p;
    while (k < rec->held.n && (force || h[k].t_s <= t_s))
        apply_control(rec, &h[k++]);
    if (k) {
        memmove(rec->held.p, h + k, (rec->held.n - k) * sizeof *h);
        rec->held.n -= k;
        rec->held_since_ms = mono_ms();
    }
}

/* Held changes wait for the events before them at most this long (ms): a
 * standing runner makes no events. */
#define HOLD_MAX_MS 1000.0

static void drain(struct session_recorder *rec, bool final)
{
    struct ctl_item c;
    while (spsc_pop(rec->ctl, &c)) {
        /* ticks and target changes are ordered with the events by session
         * time; markers and the body weight carry their own time */
        if (c.kind != CTL_TARGETS && c.kind != CTL_TICK) {
            apply_control(rec, &c);
            continue;
        }
        struct ctl_item *h = vec_add(&rec->held);
        if (!h) {
            apply_control(rec, &c);
            continue;
        }
        if (rec->held.n == 1)
            rec->held_since_ms = mono_ms();
        *h = c;
    }
    struct live_event le;
    while (spsc_pop(rec->events, &le)) {
        /* a change stamped at or before a step's initial contact applies
         * to that step */
        if (rec->held.n)
            release_held(rec, le.ev.kind == GAIT_EV_STEP ? le.ev.step.t_ic_s : le.ev.t_s, false);
        advance(rec, le.ev.t_s);
        if (le.ev.kind != GAIT_EV_STEP)
            continue;
        struct session_step *s = vec_add(&rec->steps);
        if (!s)
            continue;
        memset(s, 0, sizeof *s);
        s->step = le.ev.step;
        s->in_band = -1;
        s->under_ceiling = -1;
        session_add_step(&rec->sess, s);
    }
    if (rec->held.n && (final || mono_ms() - rec->held_since_ms > HOLD_MAX_MS))
        release_held(rec, 0, true);
}

static bool pending(const struct session_recorder *rec)
{
    return rec->steps.n || rec->markers.n || rec->changes.n || rec->phases.n ||
           !isnan(rec->weight_n);
}

/* One transaction with everything pending.  On failure nothing is lost
 * from memory: the batch is retried at the next period. */
static int commit(struct session_recorder *rec)
{
    struct store *st = rec->store;
    int rc = store_begin(st);
    for (size_t i = 0; rc == GC_OK && i < rec->phases.n; i++) {
        const struct pending_phase *p = (const struct pending_phase *)rec->phases.p + i;
        rc = store_phase_begin(st, rec->sid, p->idx, p->start_rel_s, &p->t);
    }
    for (size_t i = 0; rc == GC_OK && i < rec->changes.n; i++)
        rc = store_add_target_change(st, rec->sid,
                                     (const struct store_target_change *)rec->changes.p + i);
    for (size_t i = 0; rc == GC_OK && i < rec->markers.n; i++)
        rc = store_add_marker(st, rec->sid, (const struct store_marker *)rec->markers.p + i);
    for (size_t i = 0; rc == GC_OK && i < rec->steps.n; i++)
        rc = store_add_step(st, rec->sid, (const struct session_step *)rec->steps.p + i);
    if (rc == GC_OK && !isnan(rec->weight_n))
        rc = store_session_set_body_weight(st, rec->sid, rec->weight_n);
    if (rc == GC_OK)
        rc = store_session_touch(st, rec->sid, now_utc());
    if (rc == GC_OK)
        rc = store_commit(st);
    if (rc != GC_OK) {
        store_rollback(st);
        if (atomic_exchange(&rec->last_error, rc) != rc)
            LOG_ERR("saving the session failed (%s); retrying every %u ms", gc_strerror(rc),
                    rec->commit_ms);
        return rc;
    }
    atomic_fetch_add(&rec->n_phases, rec->phases.n);
    atomic_fetch_add(&rec->n_changes, rec->changes.n);
    atomic_fetch_add(&rec->n_markers, rec->markers.n);
    atomic_fetch_add(&rec->n_steps, rec->steps.n);
    atomic_fetch_add(&rec->n_commits, 1);
    rec->phases.n = rec->changes.n = rec->markers.n = rec->steps.n = 0;
    rec->weight_n = NAN;
    return GC_OK;
}

static void *writer(void *arg)
{
    struct session_recorder *rec = arg;
    double last = mono_ms();
    const struct timespec poll = {0, POLL_MS * 1000000L};
    while (!atomic_load_explicit(&rec->stop, memory_order_acquire)) {
        drain(rec, false);
        double now = mono_ms();
        if (now - last >= rec->commit_ms) {
            last = now;
            if (pending(rec))
                commit(rec);
        }
        nanosleep(&poll, NULL);
    }
    drain(rec, true);
    if (pending(rec))
        commit(rec);
    return NULL;
}

int session_recorder_start(struct session_recorder *rec)
{
    if (rec->started)
        return GC_ERR_STATE;
    /* the phase in force at the start is recorded even before any event */
    advance(rec, rec->t0_s);
    if (pthread_create(&rec->thread, NULL, writer, rec) != 0)
        return GC_ERR_NOMEM;
    rec->started = true;
    return GC_OK;
}

/* ---- control thread ------------------------------------------------ */

static bool push_ctl(struct session_recorder *rec, const struct ctl_item *c)
{
    if (spsc_push(rec->ctl, c))
        return true;
    atomic_fetch_add(&rec->ctl_dropped, 1);
    return false;
}

bool session_recorder_tick(struct session_recorder *rec, double t_s)
{
    struct ctl_item c = {.kind = CTL_TICK, .t_s = t_s};
    return push_ctl(rec, &c);
}

bool session_recorder_mark(struct session_recorder *rec, const struct store_marker *m)
{
    struct ctl_item c = {.kind = CTL_MARK, .t_s = m->t_s, .mark = *m};
    return push_ctl(rec, &c);
}

bool session_recorder_set_targets(struct session_recorder *rec, double t_s,
                                  const struct session_targets *t, const char *note)
{
    struct ctl_item c = {.kind = CTL_TARGETS, .t_s = t_s, .targets = *t};
    snprintf(c.note, sizeof c.note, "%s", note ? note : "");
    return push_ctl(rec, &c);
}

bool session_recorder_set_body_weight(struct session_recorder *rec, double body_weight_n)
{
    struct ctl_item c = {.kind = CTL_WEIGHT, .weight_n = body_weight_n};
    return push_ctl(rec, &c);
}

int session_recorder_stop(struct session_recorder *rec, enum store_status status)
{
    if (!rec->started || rec->stopped)
        return rec->stopped ? GC_OK : GC_ERR_STATE;
    atomic_store_explicit(&rec->stop, true, memory_order_release);
    pthread_join(rec->thread, NULL);
    rec->stopped = true;
    /* the writer has exited: the store is ours again */
    if (pending(rec) && commit(rec) != GC_OK)
        LOG_ERR("the last %zu steps could not be saved", rec->steps.n);
    return store_session_finish(rec->store, rec->sid, status, now_utc());
}

void session_recorder_free(struct session_recorder *rec)
{
    if (!rec)
        return;
    if (rec->started && !rec->stopped)
        session_recorder_stop(rec, STORE_INTERRUPTED);
    spsc_free(rec->events);
    spsc_free(rec->ctl);
    free(rec->steps.p);
    free(rec->markers.p);
    free(rec->changes.p);
    free(rec->phases.p);
    free(rec->held.p);
    free(rec);
}

void session_recorder_get_stats(struct session_recorder *rec, struct session_recorder_stats *st)
{
    st->steps = atomic_load(&rec->n_steps);
    st->markers = atomic_load(&rec->n_markers);
    st->target_changes = atomic_load(&rec->n_changes);
    st->phases = atomic_load(&rec->n_phases);
    st->commits = atomic_load(&rec->n_commits);
    st->dropped_events = spsc_dropped(rec->events);
    st->dropped_control = atomic_load(&rec->ctl_dropped);
    st->last_error = atomic_load(&rec->last_error);
    st->phase = atomic_load(&rec->phase);
}

/* ---- recovery and protocols ---------------------------------------- */

int session_recorder_recover(struct store *st, FILE *out)
{
    int64_t ids[64];
    int n = store_recover(st, ids, 64);
    for (int i = 0; i < n && i < 64 && out; i++) {
        struct store_session ss;
        if (store_session_get(st, ids[i], &ss) != GC_OK)
            continue;
        fprintf(out,
                "station: session %lld of patient %s was interrupted (crash or power loss); its "
                "%lld steps up to the last save are kept. 'station report %lld --pdf FILE' "
                "reports it.\n",
                (long long)ids[i], ss.patient_code, (long long)ss.n_steps, (long long)ids[i]);
    }
    return n;
}

static bool readable(const char *path)
{
    return access(path, R_OK) == 0;
}

int session_recorder_load_protocol(const char *name, struct plan *plan, char **text, char *msg,
                                   size_t cap)
{
    if (text)
        *text = NULL;
    if (!name || !name[0]) {
        snprintf(msg, cap, "no protocol given: use --protocol NAME or FILE.");
        return GC_ERR_ARG;
    }
    char path[1024] = "";
    size_t len = strlen(name);
    bool is_path = strchr(name, '/') || (len > 4 && !strcmp(name + len - 4, ".ini"));
    if (is_path) {
        snprintf(path, sizeof path, "%s", name);
    } else {
        char cand[3][sizeof path];
        int nc = 0;
        const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
        if (xdg && xdg[0] == '/')
            snprintf(cand[nc++], sizeof cand[0], "%s/gaitcue/protocols/%s.ini", xdg, name);
        else if (home && home[0])
            snprintf(cand[nc++], sizeof cand[0], "%s/.local/share/gaitcue/protocols/%s.ini", home,
                     name);
        const char *env = getenv("GAITCUE_PROTOCOLS");
        if (env && env[0])
            snprintf(cand[nc++], sizeof cand[0], "%s/%s.ini", env, name);
        snprintf(cand[nc++], sizeof cand[0], "%s/protocols/%s.ini", GC_DATADIR, name);
        for (int i = 0; i < nc && !path[0]; i++)
            if (readable(cand[i]))
                memcpy(path, cand[i], sizeof path);
        if (!path[0]) {
            snprintf(msg, cap,
                     "unknown protocol '%s': use cadence-retraining, impact-faded, walk-run-intro "
                     "or the path of a protocol file.",
                     name);
            return GC_ERR_NOT_FOUND;
        }
    }
    struct plan_error e;
    int rc = plan_load(path, plan, &e);
    if (rc == GC_ERR_FORMAT) {
        if (e.line > 0)
            snprintf(msg, cap, "protocol %s, line %d: %s; fix the file and try again.", path,
                     e.line, e.reason);
        else
            snprintf(msg, cap, "protocol %s: %s; fix the file and try again.", path, e.reason);
        return rc;
    }
    if (rc) {
        snprintf(msg, cap, "cannot read protocol %s: %s.", path, e.reason);
        return rc;
    }
    if (text) {
        FILE *f = fopen(path, "rb");
        if (f) {
            fseek(f, 0, SEEK_END);
            long n = ftell(f);
            fseek(f, 0, SEEK_SET);
            *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
            if (*text) {
                size_t got = fread(*text, 1, (size_t)n, f);
                (*text)[got] = '\0';
            }
            fclose(f);
        }
        if (!*text) {
            snprintf(msg, cap, "cannot read protocol %s.", path);
            return GC_ERR_IO;
        }
    }
    return GC_OK;
}

int session_recorder_open_store(const char *db, struct store **st, bool recover)
{
    int rc = store_open(db, st);
    if (rc)
        return rc; /* store_open said why and what to do */
    if (recover) {
        int n = session_recorder_recover(*st, stderr);
        if (n < 0)
            LOG_WARN("could not check for interrupted sessions: %s", gc_strerror(n));
    }
    return GC_OK;
}
