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
#include <sys/stat.h>
#include <unistd.h>

#include "datadir.h"
#include "gc_error.h"
#include "log.h"
#include "plan_file.h"
#include "store_conditions.h"

#ifndef GC_DATADIR
#define GC_DATADIR "station/data"
#endif

/* The writer looks at the ring this often (ms): well under the commit
 * period. */
#define POLL_MS 10

enum item_kind { IT_TICK = 1, IT_STEP, IT_PHASE, IT_CHANGE, IT_MARK, IT_WEIGHT, IT_LIVE };

struct item {
    enum item_kind kind;
    double t_s;
    union {
        struct session_step step;
        struct {
            int idx;
            bool added;
            struct plan_phase phase; /* added: the ad hoc phase */
            struct session_targets targets;
        } ph;
        struct store_target_change change;
        struct store_marker mark;
        double weight_n;
        struct { /* the deck's estimate and link totals */
            double mps, ci95_mps;
            int64_t steps, requested, recovered, lost;
        } live;
    } u;
};

struct pending_phase {
    int idx;
    double start_rel_s;
    bool added;
    struct plan_phase phase;
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
    unsigned commit_ms;
    struct spsc *ring; /* control thread -> writer */
    pthread_t thread;
    bool started, stopped;
    atomic_bool stop;

    /* writer thread: waiting for the next commit */
    struct vec steps, markers, changes, phases;
    double weight_n; /* NAN = none pending */
    struct store_conditions live; /* the latest deck estimate and link totals */
    bool has_live;                /* live is pending */
    uint64_t lost;   /* records that could not be kept in memory */

    _Atomic uint64_t n_steps, n_markers, n_changes, n_phases, n_commits;
    _Atomic uint64_t ring_dropped, mem_lost;
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
    if (!cfg || !cfg->store || cfg->session_id <= 0 || cfg->commit_ms > 1000)
        return NULL;
    struct session_recorder *rec = calloc(1, sizeof *rec);
    if (!rec)
        return NULL;
    rec->store = cfg->store;
    rec->sid = cfg->session_id;
    rec->commit_ms = cfg->commit_ms ? cfg->commit_ms : SESSION_RECORDER_COMMIT_MS;
    rec->ring = spsc_new(sizeof(struct item), SESSION_RECORDER_RING);
    if (!rec->ring) {
        free(rec);
        return NULL;
    }
    rec->steps.sz = sizeof(struct session_step);
    rec->markers.sz = sizeof(struct store_marker);
    rec->changes.sz = sizeof(struct store_target_change);
    rec->phases.sz = sizeof(struct pending_phase);
    rec->weight_n = NAN;
    atomic_init(&rec->stop, false);
    atomic_init(&rec->phase, -1);
    return rec;
}

/* ---- writer thread ------------------------------------------------- */

static void keep(struct session_recorder *rec, const struct item *it)
{
    void *slot = NULL;
    switch (it->kind) {
    case IT_TICK:
        return;
    case IT_STEP:
        if ((slot = vec_add(&rec->steps)))
            *(struct session_step *)slot = it->u.step;
        break;
    case IT_PHASE: {
        struct pending_phase *pp = slot = vec_add(&rec->phases);
        if (pp) {
            pp->idx = it->u.ph.idx;
            pp->start_rel_s = it->t_s;
            pp->added = it->u.ph.added;
            pp->phase = it->u.ph.phase;
            pp->t = it->u.ph.targets;
            atomic_store(&rec->phase, pp->idx);
        }
        break;
    }
    case IT_CHANGE:
        if ((slot = vec_add(&rec->changes)))
            *(struct store_target_change *)slot = it->u.change;
        break;
    case IT_MARK:
        if ((slot = vec_add(&rec->markers)))
            *(struct store_marker *)slot = it->u.mark;
        break;
    case IT_WEIGHT:
        rec->weight_n = it->u.weight_n;
        return;
    case IT_LIVE:
        store_conditions_clear(&rec->live);
        rec->live.deck_speed_mps = it->u.live.mps;
        rec->live.deck_speed_ci95_mps = it->u.live.ci95_mps;
        rec->live.deck_speed_steps = it->u.live.steps;
        rec->live.link_requested = it->u.live.requested;
        rec->live.link_recovered = it->u.live.recovered;
        rec->live.link_lost = it->u.live.lost;
        rec->has_live = true;
        return;
    }
    if (!slot)
        atomic_fetch_add(&rec->mem_lost, 1);
}

static void drain(struct session_recorder *rec)
{
    struct item it;
    while (spsc_pop(rec->ring, &it))
        keep(rec, &it);
}

static bool pending(const struct session_recorder *rec)
{
    return rec->steps.n || rec->markers.n || rec->changes.n || rec->phases.n ||
           !isnan(rec->weight_n) || rec->has_live;
}

/* One transaction with everything pending.  On failure nothing is lost
 * from memory: the batch is retried at the next period. */
static int commit(struct session_recorder *rec)
{
    struct store *st = rec->store;
    int rc = store_begin(st);
    for (size_t i = 0; rc == GC_OK && i < rec->phases.n; i++) {
        const struct pending_phase *p = (const struct pending_phase *)rec->phases.p + i;
        if (p->added)
            rc = store_phase_add(st, rec->sid, p->idx, &p->phase, p->start_rel_s);
        if (rc == GC_OK)
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
    if (rc == GC_OK && rec->has_live)
        rc = store_conditions_set_live(st, rec->sid, &rec->live, NULL);
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
    atomic_store(&rec->last_error, GC_OK);
    atomic_fetch_add(&rec->n_phases, rec->phases.n);
    atomic_fetch_add(&rec->n_changes, rec->changes.n);
    atomic_fetch_add(&rec->n_markers, rec->markers.n);
    atomic_fetch_add(&rec->n_steps, rec->steps.n);
    atomic_fetch_add(&rec->n_commits, 1);
    rec->phases.n = rec->changes.n = rec->markers.n = rec->steps.n = 0;
    rec->weight_n = NAN;
    rec->has_live = false;
    return GC_OK;
}

static void *writer(void *arg)
{
    struct session_recorder *rec = arg;
    double last = mono_ms();
    const struct timespec poll = {0, POLL_MS * 1000000L};
    while (!atomic_load_explicit(&rec->stop, memory_order_acquire)) {
        drain(rec);
        double now = mono_ms();
        if (now - last >= rec->commit_ms) {
            last = now;
            if (pending(rec))
                commit(rec);
        }
        nanosleep(&poll, NULL);
    }
    drain(rec);
    if (pending(rec))
        commit(rec);
    return NULL;
}

int session_recorder_start(struct session_recorder *rec)
{
    if (rec->started)
        return GC_ERR_STATE;
    if (pthread_create(&rec->thread, NULL, writer, rec) != 0)
        return GC_ERR_NOMEM;
    rec->started = true;
    return GC_OK;
}

/* ---- control thread ------------------------------------------------ */

static bool push(struct session_recorder *rec, const struct item *it)
{
    if (spsc_push(rec->ring, it))
        return true;
    atomic_fetch_add(&rec->ring_dropped, 1);
    return false;
}

bool session_recorder_tick(struct session_recorder *rec, double t_s)
{
    struct item it = {.kind = IT_TICK, .t_s = t_s};
    return push(rec, &it);
}

bool session_recorder_live(struct session_recorder *rec, double t_s,
                           const struct store_conditions *c)
{
    struct item it = {.kind = IT_LIVE, .t_s = t_s};
    it.u.live.mps = c->deck_speed_mps;
    it.u.live.ci95_mps = c->deck_speed_ci95_mps;
    it.u.live.steps = c->deck_speed_steps;
    it.u.live.requested = c->link_requested;
    it.u.live.recovered = c->link_recovered;
    it.u.live.lost = c->link_lost;
    return push(rec, &it);
}

bool session_recorder_step(struct session_recorder *rec, const struct session_step *s)
{
    struct item it = {.kind = IT_STEP, .t_s = s->step.t_ic_s};
    it.u.step = *s;
    return push(rec, &it);
}

bool session_recorder_phase(struct session_recorder *rec, int idx, double t_s,
                            const struct session_targets *t, const struct plan_phase *added)
{
    struct item it = {.kind = IT_PHASE, .t_s = t_s};
    it.u.ph.idx = idx;
    it.u.ph.targets = *t;
    it.u.ph.added = added != NULL;
    if (added)
        it.u.ph.phase = *added;
    return push(rec, &it);
}

bool session_recorder_change(struct session_recorder *rec, double t_s, enum store_source source,
                             const struct session_targets *t, const char *note)
{
    struct item it = {.kind = IT_CHANGE, .t_s = t_s};
    it.u.change.t_s = t_s;
    it.u.change.source = source;
    it.u.change.targets = *t;
    snprintf(it.u.change.note, sizeof it.u.change.note, "%s", note ? note : "");
    return push(rec, &it);
}

bool session_recorder_mark(struct session_recorder *rec, const struct store_marker *m)
{
    struct item it = {.kind = IT_MARK, .t_s = m->t_s};
    it.u.mark = *m;
    return push(rec, &it);
}

bool session_recorder_set_body_weight(struct session_recorder *rec, double body_weight_n)
{
    struct item it = {.kind = IT_WEIGHT};
    it.u.weight_n = body_weight_n;
    return push(rec, &it);
}

int session_recorder_stop(struct session_recorder *rec, enum store_status status,
                          double t_stop_s)
{
    if (!rec->started || rec->stopped)
        return rec->stopped ? GC_OK : GC_ERR_STATE;
    atomic_store_explicit(&rec->stop, true, memory_order_release);
    pthread_join(rec->thread, NULL);
    rec->stopped = true;
    /* the writer has exited: the store is ours again */
    int rc = GC_OK;
    if (pending(rec) && (rc = commit(rec)) != GC_OK)
        LOG_ERR("the last %zu steps could not be saved", rec->steps.n);
    if (rc == GC_OK && status == STORE_COMPLETE &&
        (atomic_load(&rec->ring_dropped) || atomic_load(&rec->mem_lost)))
        status = STORE_INTERRUPTED; /* never "complete" with records missing */
    int rc2 = store_session_finish(rec->store, rec->sid, status, now_utc(), t_stop_s);
    return rc != GC_OK ? rc : rc2;
}

void session_recorder_free(struct session_recorder *rec)
{
    if (!rec)
        return;
    if (rec->started && !rec->stopped && session_recorder_stop(rec, STORE_INTERRUPTED, NAN) != GC_OK)
        LOG_WARN("the session could not be closed in the store; the next start marks it "
                 "interrupted");
    spsc_free(rec->ring);
    free(rec->steps.p);
    free(rec->markers.p);
    free(rec->changes.p);
    free(rec->phases.p);
    free(rec);
}

void session_recorder_get_stats(struct session_recorder *rec, struct session_recorder_stats *st)
{
    st->steps = atomic_load(&rec->n_steps);
    st->markers = atomic_load(&rec->n_markers);
    st->target_changes = atomic_load(&rec->n_changes);
    st->phases = atomic_load(&rec->n_phases);
    st->commits = atomic_load(&rec->n_commits);
    st->dropped_events = atomic_load(&rec->mem_lost);
    st->dropped_control = atomic_load(&rec->ring_dropped);
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

int session_recorder_load_protocol(const char *name, struct plan *plan, char **text,
                                   struct gc_diag *diag)
{
    if (text)
        *text = NULL;
    gc_diag_clear(diag);
    if (!name || !name[0])
        return gc_fail(diag, GC_ERR_ARG, "no protocol given: use --protocol NAME or FILE.");
    char path[1024] = "";
    size_t len = strlen(name);
    bool is_path = strchr(name, '/') || (len > 4 && !strcmp(name + len - 4, ".ini"));
    if (is_path) {
        snprintf(path, sizeof path, "%s", name);
    } else {
        char cand[3][sizeof path];
        int nc = 0;
        char dir[sizeof path];
        if (datadir_path("protocols", dir, sizeof dir) == GC_OK &&
            snprintf(cand[nc], sizeof cand[0], "%s/%s.ini", dir, name) < (int)sizeof cand[0])
            nc++;
        const char *env = getenv("GAITCUE_PROTOCOLS");
        if (env && env[0])
            snprintf(cand[nc++], sizeof cand[0], "%s/%s.ini", env, name);
        snprintf(cand[nc++], sizeof cand[0], "%s/protocols/%s.ini", GC_DATADIR, name);
        for (int i = 0; i < nc && !path[0]; i++)
            if (readable(cand[i]))
                memcpy(path, cand[i], sizeof path);
        if (!path[0])
            return gc_fail(diag, GC_ERR_NOT_FOUND,
                           "unknown protocol '%s': use cadence-retraining, impact-faded, "
                           "walk-run-intro or the path of a protocol file",
                           name);
    }
    struct gc_diag e;
    int rc = plan_load(path, plan, &e);
    if (rc == GC_ERR_FORMAT)
        return gc_fail(diag, rc, "protocol %s: %s; fix the file and try again.", path, e.msg);
    if (rc)
        return gc_fail(diag, rc, "cannot read protocol %s: %s.", path, e.msg);
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
        if (!*text)
            return gc_fail(diag, GC_ERR_IO, "cannot read protocol %s.", path);
    }
    return GC_OK;
}

int session_recorder_store_exists(const char *db, struct gc_diag *diag)
{
    struct stat sb;
    if (db == NULL || stat(db, &sb) == 0 || errno != ENOENT)
        return GC_OK; /* the default store, or store_open says what is wrong */
    return gc_fail(diag, GC_ERR_NOT_FOUND,
                   "there is no store at %s; check the path, or add a patient with 'station "
                   "patient add CODE --db %s' to create one.",
                   db, db);
}

static int open_store(const char *db, struct store **st, bool recover, bool create)
{
    *st = NULL;
    struct gc_diag diag;
    gc_diag_clear(&diag);
    if (!create && session_recorder_store_exists(db, &diag) != GC_OK) {
        fprintf(stderr, "station: %s\n", diag.msg);
        return diag.code;
    }
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

int session_recorder_open_store(const char *db, struct store **st, bool recover)
{
    return open_store(db, st, recover, false);
}

int session_recorder_create_store(const char *db, struct store **st, bool recover)
{
    return open_store(db, st, recover, true);
}
