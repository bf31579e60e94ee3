/*
 * analyze_rec.c - `station analyze` of a raw session recording.
 *
 * The recording holds what the sensor sent (frames, link events), not
 * conditioned samples: sequence tracking, gap marking, sensor restarts and
 * the deck calibration of the header are the DSP stage (core/dsp.h).  The
 * records are fed to that very object in a plain loop, the way the live
 * DSP thread feeds it: the steps are those of the live session, byte for
 * byte in the steps CSV, and the summary is built from them like a CSV's.
 * Nothing sits in a ring between the object and the result, so no event
 * can be lost, however loaded the machine.
 *
 * A scan first checks the file (header, sensor identity, a cut or corrupt
 * tail) and measures its length for the progress bar.
 *
 * Thread: the calling thread only (no thread is started).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze_source.h"
#include "gc_error.h"
#include "dsp.h"
#include "live.h"
#include "packet.h"
#include "recording.h"
#include "stats.h"

/* Progress bar: look at the clock every this many records (1 s of data
 * at 1 kHz is ~100 records; a clock read per record would cost more than
 * the bar is worth). */
#define PROGRESS_EVERY 4096u

struct rec_scan {
    uint64_t records, sample_frames;
    bool has_hello, has_end, truncated;
    uint64_t good_bytes, ignored_bytes;
    int64_t t_stream0_ns, t_last_ns; /* host time of the first stream record, the last record */
    bool have_stream;
    double mass_kg;
    char source[96], created[32], version[48];
    struct rec_damage damage; /* records skipped inside the file */
    char notes[REC_NOTES_LEN]; /* header values the reader refused */
};

static int scan(const char *path, struct rec_scan *sc, struct gc_diag *diag)
{
    memset(sc, 0, sizeof *sc);
    struct rec_reader *rd;
    int rc = rec_reader_open(path, &rd);
    if (rc < 0) {
        if (rc == GC_ERR_VERSION)
            gc_fail(diag, rc,
                    "%s was recorded by a newer station (recording format above version %u); "
                    "update this station to analyse it",
                    path, REC_FORMAT_VERSION);
        else if (rc == GC_ERR_FORMAT)
            gc_fail(diag, rc, "%s is not a readable gaitcue recording (bad file header)", path);
        else
            gc_fail(diag, rc, "cannot read %s (%s)", path, gc_strerror(rc));
        return rc;
    }
    struct rec_record *r = malloc(sizeof *r);
    if (!r) {
        rec_reader_close(rd);
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory");
    }
    while (rec_reader_next(rd, r) == 1) {
        sc->records++;
        sc->t_last_ns = r->t_host_ns;
        switch (r->kind) {
        case REC_HELLO:
            sc->has_hello = sc->has_hello || r->len == PKT_HELLO_SIZE;
            break;
        case REC_INFO: {
            char v[64];
            const char *t = (const char *)r->payload;
            if (rec_text_get(t, r->len, "mass_kg", v, sizeof v))
                sc->mass_kg = atof(v);
            rec_text_get(t, r->len, "source", sc->source, sizeof sc->source);
            rec_text_get(t, r->len, "created_utc", sc->created, sizeof sc->created);
            rec_text_get(t, r->len, "station_version", sc->version, sizeof sc->version);
            break;
        }
        case REC_END:
            sc->has_end = true;
            break;
        case REC_FRAME:
        case REC_LINK:
        case REC_TX:
            if (!sc->have_stream) {
                sc->t_stream0_ns = r->t_host_ns;
                sc->have_stream = true;
            }
            if (r->kind == REC_FRAME && r->aux == PKT_SAMPLES)
                sc->sample_frames++;
            break;
        default:
            break;
        }
    }
    sc->truncated = rec_reader_truncated(rd);
    sc->ignored_bytes = rec_reader_ignored_bytes(rd);
    sc->good_bytes = rec_reader_offset(rd);
    rec_reader_damage(rd, &sc->damage);
    snprintf(sc->notes, sizeof sc->notes, "%s", rec_reader_notes(rd));
    rec_reader_close(rd);
    free(r);
    if (!sc->has_hello) {
        return gc_fail(diag, GC_ERR_FORMAT,
                       "%s holds no sensor identity: the recording ends (or is corrupt) inside its "
                       "header, before any data; there is nothing to analyse",
                       path);
    }
    return GC_OK;
}

struct collect {
    struct analyze_result *res;
    double *spec;
    size_t n_spec, cap_spec;
    int rc;
};

static void collect_outputs(const struct dsp_out *o, int n, struct collect *c)
{
    for (int i = 0; i < n; i++) {
        if (o[i].kind == DSP_OUT_EVENT) {
            if (o[i].ev.kind == GAIT_EV_STEP && c->rc == GC_OK)
                c->rc = analyze_result_add_step(c->res, &o[i].ev.step);
            else if (o[i].ev.kind == GAIT_EV_GAP)
                c->res->gaps++;
        } else if (o[i].kind == DSP_OUT_STATUS) {
            if (!isfinite(o[i].status.cadence_spectral_spm))
                continue;
            if (c->n_spec == c->cap_spec) {
                size_t nc = c->cap_spec ? 2 * c->cap_spec : 256;
                double *nv = realloc(c->spec, nc * sizeof *nv);
                if (!nv) {
                    c->rc = GC_ERR_NOMEM;
                    continue;
                }
                c->spec = nv;
                c->cap_spec = nc;
            }
            c->spec[c->n_spec++] = o[i].status.cadence_spectral_spm;
        }
        /* DSP_OUT_LINE: the terminal lines are not wanted here. */
    }
}

static double since_s(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + 1e-9 * (double)(now.tv_nsec - t0->tv_nsec);
}

int analyze_rec_run(const char *path, double mass_kg, bool show_progress,
                    struct analyze_result *res, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    struct rec_scan sc;
    int rc = scan(path, &sc, diag);
    if (rc < 0)
        return rc;

    struct dsp_config cfg;
    uint8_t hello_raw[PKT_HELLO_SIZE];
    rc = live_replay_config(path, mass_kg, &cfg, hello_raw, diag);
    if (rc < 0)
        return rc;
    struct collect c = {.res = res, .rc = GC_OK};
    bool shown = false;
    struct rec_reader *rd = NULL;
    struct rec_record *r = malloc(sizeof *r);
    struct dsp_out *out = malloc(DSP_OUT_MAX * sizeof *out);
    struct dsp *d = dsp_new(&cfg, &rc);
    if (!r || !out || !d) {
        rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = rec_reader_open(path, &rd);
    if (rc < 0) {
        gc_fail(diag, rc, "cannot read %s (%s)", path, gc_strerror(rc));
        goto out;
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    double span_s = sc.have_stream ? (double)(sc.t_last_ns - sc.t_stream0_ns) * 1e-9 : 0.0;
    uint64_t k = 0;
    /* As the live DSP thread: records after the session's end (dsp_ended,
     * --seconds reached) are not analysed. */
    while (!dsp_ended(d) && rec_reader_next(rd, r) == 1) {
        struct dsp_record v;
        live_record_view(r, &v);
        int n = dsp_feed(d, &v, out, DSP_OUT_MAX);
        if (n > 0)
            collect_outputs(out, n, &c);
        if (show_progress && span_s > 0 && ++k % PROGRESS_EVERY == 0 &&
            since_s(&t0) > ANALYZE_PROGRESS_AFTER_S && sc.have_stream) {
            double f = (double)(r->t_host_ns - sc.t_stream0_ns) * 1e-9 / span_s;
            analyze_progress(f < 0 ? 0 : f > 0.999 ? 0.999 : f, &shown);
        }
    }
    int n = dsp_finish(d, out, DSP_OUT_MAX);
    if (n > 0)
        collect_outputs(out, n, &c);
    struct dsp_state snap;
    dsp_get_state(d, &snap);
    if (shown)
        analyze_progress(1.0, &shown);
    analyze_progress_end(&shown);
    if (c.rc < 0) {
        rc = gc_fail(diag, c.rc, "out of memory");
        goto out;
    }
    res->rate_hz = snap.hello.rate_hz;
    res->duration_s = snap.link.samples > 0 ? snap.t_session_s : 0.0;
    res->body_weight_n = snap.gait.body_weight_n;
    res->bw_source = mass_kg > 0      ? "--mass"
                     : sc.mass_kg > 0 ? "mass_kg in the input"
                                      : "estimated: mean force over whole steps (running "
                                        "estimate, as in the live session)";
    res->cadence_spectral_spm = stats_median_inplace(c.spec, c.n_spec);
    if (!isfinite(res->cadence_spectral_spm))
        res->cadence_spectral_spm = snap.gait.cadence_spectral_spm; /* the partial window */
    snprintf(res->source, sizeof res->source, "gaitcue recording: %s%s%s%s%s",
             sc.source[0] ? sc.source : "unknown source", sc.created[0] ? ", recorded " : "",
             sc.created, sc.version[0] ? " by station " : "", sc.version);

    /* Said once, after the bar: what was left out, and why it is fine. */
    if (sc.truncated)
        fprintf(stderr,
                "station analyze: warning: %s ends with an incomplete or corrupt record at byte "
                "%" PRIu64 " (the session was interrupted); analysed the %.1f s before it, "
                "ignored the last %" PRIu64 " bytes.\n",
                path, sc.good_bytes, res->duration_s, sc.ignored_bytes);
    else if (!sc.has_end)
        fprintf(stderr,
                "station analyze: note: %s has no end marker (the session was interrupted); "
                "analysed all %.1f s it holds.\n",
                path, res->duration_s);
    if (sc.damage.records > 0)
        fprintf(stderr,
                "station analyze: warning: %s: %" PRIu64 " damaged records skipped (%.2f s of "
                "data); analysed the rest, the skipped span is a data gap.\n",
                path, sc.damage.records, sc.damage.seconds);
    if (sc.notes[0])
        fprintf(stderr, "station analyze: warning: %s: %s.\n", path, sc.notes);
    if (sc.sample_frames == 0)
        fprintf(stderr, "station analyze: note: %s holds no force samples.\n", path);
    if (dsp_failure(d)[0])
        fprintf(stderr, "station analyze: note: the recorded session reported: %s.\n",
                dsp_failure(d));
    rc = GC_OK;
out:
    analyze_progress_end(&shown);
    rec_reader_close(rd);
    dsp_free(d);
    free(out);
    free(r);
    free(c.spec);
    return rc;
}
