/*
 * cmd_analyze.c - `station analyze INPUT --steps OUT.csv [--summary OUT.json]
 * [--mass KG] [--quiet]`: every step of a recording, through the same gait
 * pipeline as the live station.
 *
 * INPUT is told by content (analyze_detect): a canonical force CSV is fed
 * to a gait pipeline here in blocks and flushed at the end; a raw session
 * recording is replayed through the live pipeline at full speed
 * (analyze_rec.c), so its steps equal the live session's byte for byte.
 *
 * CSV body weight: --mass, else mass_kg in the input, else estimated from
 * the whole steps of the first BW_PREFIX_S seconds (read ahead, then fed to
 * the pipeline like everything else) so that every step, from the first,
 * is normalised by the same body weight.  A recording keeps the live
 * session's rule (its mass, else the running estimate) unless --mass.
 *
 * Outputs are written only when the whole input was read without error:
 * a bad line never leaves a half-written, plausible-looking steps file.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze_source.h"
#include "commands.h"
#include "datadir.h"
#include "gait.h"
#include "gc_error.h"
#include "ranges.h"
#include "steps_csv.h"
#include "summary.h"
#include "stats.h"
#include "units.h"

#define BLOCK       4096
#define EV_CAP      1024
#define BW_PREFIX_S 20.0

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: station analyze INPUT --steps OUT.csv [--summary OUT.json] [--mass KG] "
        "[--threshold N] [--speed MPS] [--incline PCT] [--quiet]\n\n"
        "Measure every step of a recording with the live gait pipeline.\n"
        "  INPUT            canonical force CSV (t_s + fz_n or fz1_n..fz4_n, optional "
        "copx_m, copy_m; '-' reads standard input), or a session recording written by "
        "'station run' (.gcrec: analysed exactly as live, gaps included)\n"
        "  --steps FILE     write one row per step (steps CSV)\n"
        "  --summary FILE   write a JSON summary (cadence, contact time, loading rates, sides)\n"
        "  --mass KG        body mass; default: mass_kg in the input (a recording: the "
        "session's), else estimated from the steps\n"
        "  --threshold N    force threshold of contact, flight and step times, N above the "
        "flight baseline (%.0f to %.0f; default %.0f); a force CSV only (a recording is "
        "analysed as live)\n"
        "  --speed MPS      the treadmill's belt speed (%s): step lengths use it, and the "
        "summary flags a deck estimate more than 10 %% off it\n"
        "  --incline PCT    the treadmill's incline (%s), stated in the summary\n"
        "  --quiet          no progress bar, no result line\n"
        "Method and definitions: docs/analysis.md.\n",
        GAIT_THRESHOLD_MIN_N, GAIT_THRESHOLD_MAX_N, GAIT_THRESHOLD_DEFAULT_N,
        RANGE_BELT_SPEED_TEXT, RANGE_INCLINE_TEXT);
}

int analyze_result_add_step(struct analyze_result *r, const struct gait_step *s)
{
    if (r->n_steps == r->cap_steps) {
        size_t nc = r->cap_steps ? 2 * r->cap_steps : 1024;
        struct gait_step *nv = realloc(r->steps, nc * sizeof *nv);
        if (!nv)
            return GC_ERR_NOMEM;
        r->steps = nv;
        r->cap_steps = nc;
    }
    r->steps[r->n_steps++] = *s;
    return GC_OK;
}

void analyze_result_free(struct analyze_result *r)
{
    free(r->steps);
    r->steps = NULL;
    r->n_steps = r->cap_steps = 0;
}

struct dlist {
    double *v;
    size_t n, cap;
};

static void dlist_add(struct dlist *l, double x)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? 2 * l->cap : 256;
        double *nv = realloc(l->v, nc * sizeof *nv);
        if (!nv)
            return;
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = x;
}

static double dlist_median(struct dlist *l)
{
    return stats_median_inplace(l->v, l->n);
}

struct run {
    struct gait *g;
    struct analyze_result *res;
    struct dlist spectral;
    double last_spec_t;
    struct gait_event ev[EV_CAP];
};

static int take_events(struct run *r, int k)
{
    for (int i = 0; i < k; i++) {
        if (r->ev[i].kind == GAIT_EV_STEP && analyze_result_add_step(r->res, &r->ev[i].step) < 0)
            return GC_ERR_NOMEM;
        if (r->ev[i].kind == GAIT_EV_GAP)
            r->res->gaps++;
    }
    return GC_OK;
}

static int feed(struct run *r, const struct gait_sample *s, size_t n)
{
    /* Blocks of 256 keep the event count per call far below EV_CAP. */
    for (size_t a = 0; a < n; a += 256) {
        size_t m = n - a < 256 ? n - a : 256;
        int k = gait_process(r->g, s + a, m, r->ev, EV_CAP);
        if (k < 0)
            return k;
        if (take_events(r, k) < 0)
            return GC_ERR_NOMEM;
    }
    struct gait_status st;
    gait_get_status(r->g, &st);
    if (isfinite(st.cadence_spectral_spm) && st.t_last_s - r->last_spec_t >= 1.0) {
        dlist_add(&r->spectral, st.cadence_spectral_spm);
        r->last_spec_t = st.t_last_s;
    }
    return GC_OK;
}

static double elapsed_s(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + 1e-9 * (double)(now.tv_nsec - t0->tv_nsec);
}

void analyze_progress(double frac, bool *shown)
{
    static struct timespec last;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double dt = (double)(now.tv_sec - last.tv_sec) + 1e-9 * (double)(now.tv_nsec - last.tv_nsec);
    if (*shown && dt < 0.2 && frac < 1.0)
        return;
    last = now;
    int w = 40, k = (int)(frac * w + 0.5);
    if (k > w)
        k = w;
    fprintf(stderr, "\ranalyze [%.*s%*s] %3.0f%%", k, "########################################",
            w - k, "", 100.0 * frac);
    *shown = true;
}

void analyze_progress_end(bool *shown)
{
    if (*shown)
        fputc('\n', stderr);
    *shown = false;
}

/* Body weight from the whole steps of the prefix (a throw-away pipeline). */
static double estimate_bw(const struct gait_config *cfg, const struct gait_sample *s, size_t n)
{
    struct gait *g = gait_new(cfg);
    if (!g)
        return NAN;
    struct gait_event ev[EV_CAP];
    for (size_t a = 0; a < n; a += 256) {
        size_t m = n - a < 256 ? n - a : 256;
        if (gait_process(g, s + a, m, ev, EV_CAP) < 0)
            break;
    }
    struct gait_status st;
    gait_get_status(g, &st);
    gait_free(g);
    return st.body_weight_n;
}

/* Atomic (temporary file, fsync, rename; datadir.h): a failure never
 * leaves half a CSV, and an earlier file stays whole. */
static int write_steps(const char *path, const struct datadir_guard *g,
                       const struct analyze_result *res, struct gc_diag *diag)
{
    struct datadir_out *o;
    int rc = datadir_out_open(path, DATADIR_OUT_TEMP, g, &o, diag);
    if (rc)
        return rc;
    FILE *fp = datadir_out_file(o);
    rc = steps_csv_write_header(fp);
    for (size_t i = 0; rc == GC_OK && i < res->n_steps; i++)
        rc = steps_csv_write_row(fp, &res->steps[i]);
    if (rc) {
        datadir_out_abort(o);
        return gc_fail(diag, rc, "writing %s failed (disk full?); nothing was written", path);
    }
    return datadir_out_commit(o, diag);
}

/* The CSV path: read ahead for the rate and body weight, then the whole
 * input through one gait pipeline.  Fills res; GC_OK or a gc_err with one
 * sentence in diag. */
static int run_csv(const char *input, double mass, double threshold_n, double belt_mps,
                   bool show_progress, struct analyze_result *res, struct gc_diag *diag)
{
    struct analyze_source src;
    int rc = analyze_source_open(input, &src, diag);
    if (rc < 0)
        return rc;
    rc = GC_ERR_FORMAT; /* until the end is reached */
    struct run r;
    memset(&r, 0, sizeof r);
    r.res = res;
    r.last_spec_t = -INFINITY;
    struct gait_sample *pre = NULL;
    size_t npre = 0, cappre = 0;
    bool shown = false;
    struct timespec t_start;
    clock_gettime(CLOCK_MONOTONIC, &t_start);

    /* Read ahead: the rate is known after the first samples; the body
     * weight (if not given) from the steps of the prefix. */
    double mass_in = mass > 0.0 ? mass : src.ops->mass_kg(src.ctx);
    bool eof = false;
    for (;;) {
        if (npre + BLOCK > cappre) {
            size_t nc = cappre ? 2 * cappre : 4 * BLOCK;
            struct gait_sample *nv = realloc(pre, nc * sizeof *nv);
            if (!nv) {
                rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory");
                goto out;
            }
            pre = nv;
            cappre = nc;
        }
        int k = src.ops->read(src.ctx, pre + npre, BLOCK, diag);
        if (k < 0) {
            rc = k;
            goto out;
        }
        if (k == 0) {
            eof = true;
            break;
        }
        npre += (size_t)k;
        if (mass_in > 0.0 || pre[npre - 1].t_s - pre[0].t_s >= BW_PREFIX_S)
            break;
    }
    double rate = src.ops->rate_hz(src.ctx);
    struct gait_config cfg;
    gait_config_default(&cfg, rate);
    cfg.mass_kg = mass_in;
    cfg.time_n = threshold_n;
    cfg.belt_speed_mps = belt_mps;
    const char *bw_source = mass > 0.0 ? "--mass" : "mass_kg in the input";
    double bw = units_kg_to_n(mass_in);
    if (!(mass_in > 0.0)) {
        bw = estimate_bw(&cfg, pre, npre);
        bw_source = "estimated: mean force over whole steps";
    }
    r.g = gait_new(&cfg);
    if (!r.g) {
        rc = gc_fail(diag, GC_ERR_ARG,
                     "cannot analyse at a sample rate of %g Hz (50 to 20000 Hz "
                     "supported)",
                     rate);
        goto out;
    }
    if (isfinite(bw))
        gait_set_body_weight(r.g, bw);
    double t_first = npre ? pre[0].t_s : NAN, t_last = npre ? pre[npre - 1].t_s : NAN;
    int e;
    if ((e = feed(&r, pre, npre)) < 0) {
        rc =
            gc_fail(diag, e, "%s", e == GC_ERR_ARG ? "samples out of time order" : "out of memory");
        goto out;
    }
    while (!eof) {
        int k = src.ops->read(src.ctx, pre, BLOCK, diag);
        if (k < 0) {
            rc = k;
            goto out;
        }
        if (k == 0)
            break;
        t_last = pre[k - 1].t_s;
        if ((e = feed(&r, pre, (size_t)k)) < 0) {
            rc = gc_fail(diag, e, "%s",
                         e == GC_ERR_ARG ? "samples out of time order" : "out of memory");
            goto out;
        }
        double p = src.ops->progress(src.ctx);
        if (show_progress && p >= 0.0 && p < 1.0 && elapsed_s(&t_start) > ANALYZE_PROGRESS_AFTER_S)
            analyze_progress(p, &shown);
    }
    int k = gait_flush(r.g, r.ev, EV_CAP);
    if (k < 0 || take_events(&r, k) < 0) {
        rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory");
        goto out;
    }
    if (shown)
        analyze_progress(1.0, &shown);
    struct gait_status st;
    gait_get_status(r.g, &st);
    double spectral = dlist_median(&r.spectral);
    if (!isfinite(spectral))
        spectral = st.cadence_spectral_spm; /* short input: the partial window */
    res->rate_hz = rate;
    res->duration_s = t_last - t_first;
    res->body_weight_n = st.body_weight_n;
    res->bw_source = bw_source;
    res->cadence_spectral_spm = spectral;
    snprintf(res->source, sizeof res->source, "%s", src.ops->source(src.ctx));
    rc = GC_OK;
out:
    analyze_progress_end(&shown);
    gait_free(r.g);
    free(r.spectral.v);
    free(pre);
    src.ops->close(src.ctx);
    return rc;
}

int cmd_analyze(int argc, char **argv)
{
    const char *input = NULL, *steps_path = NULL, *summary_path = NULL;
    double mass = 0.0, threshold_n = GAIT_THRESHOLD_DEFAULT_N;
    bool quiet = false, threshold_given = false, incline_given = false;
    double belt_mps = 0.0, incline_pct = 0.0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--steps") && i + 1 < argc) {
            steps_path = argv[++i];
        } else if (!strcmp(a, "--summary") && i + 1 < argc) {
            summary_path = argv[++i];
        } else if (!strcmp(a, "--mass") && i + 1 < argc) {
            char *end;
            mass = strtod(argv[++i], &end);
            if (*end || !(mass >= 10.0 && mass <= 400.0)) {
                fprintf(stderr,
                        "station analyze: --mass takes a body mass in kg (10 to 400), "
                        "not '%s'.\n",
                        argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--threshold") && i + 1 < argc) {
            char *end;
            threshold_n = strtod(argv[++i], &end);
            if (*end || end == argv[i] || !(threshold_n >= GAIT_THRESHOLD_MIN_N &&
                                            threshold_n <= GAIT_THRESHOLD_MAX_N)) {
                fprintf(stderr,
                        "station analyze: --threshold takes a force in N (%.0f to %.0f), not "
                        "'%s'.\n",
                        GAIT_THRESHOLD_MIN_N, GAIT_THRESHOLD_MAX_N, argv[i]);
                return 2;
            }
            threshold_given = true;
        } else if (!strcmp(a, "--speed") && i + 1 < argc) {
            char *end;
            belt_mps = strtod(argv[++i], &end);
            if (*end || end == argv[i] || !(belt_mps >= RANGE_BELT_SPEED_MIN_MPS &&
                                            belt_mps <= RANGE_BELT_SPEED_MAX_MPS)) {
                fprintf(stderr,
                        "station analyze: --speed takes the treadmill's belt speed in m/s (%s), "
                        "not '%s'.\n",
                        RANGE_BELT_SPEED_TEXT, argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--incline") && i + 1 < argc) {
            char *end;
            incline_pct = strtod(argv[++i], &end);
            if (*end || end == argv[i] || !(incline_pct >= RANGE_INCLINE_MIN_PCT &&
                                            incline_pct <= RANGE_INCLINE_MAX_PCT)) {
                fprintf(stderr,
                        "station analyze: --incline takes the treadmill's incline in %% (%s), "
                        "not '%s'.\n",
                        RANGE_INCLINE_TEXT, argv[i]);
                return 2;
            }
            incline_given = true;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr,
                    "station analyze: unknown or incomplete option '%s'; see 'station "
                    "analyze --help'.\n",
                    a);
            return 2;
        } else if (!input) {
            input = a;
        } else {
            fprintf(stderr, "station analyze: only one INPUT file is accepted ('%s' is extra).\n",
                    a);
            return 2;
        }
    }
    if (!input || !steps_path) {
        fprintf(stderr, "station analyze: give an INPUT file and --steps OUT.csv; see 'station "
                        "analyze --help'.\n");
        return 2;
    }

    struct gc_diag err;
    gc_diag_clear(&err);
    /* An output must not replace the input, the other output, the store or
     * a recording: checked before the (long) analysis. */
    struct datadir_guard steps_guard = {.inputs = {input, summary_path}};
    struct datadir_guard summary_guard = {.inputs = {input, steps_path}};
    struct gc_diag od;
    if (datadir_check_output(steps_path, &steps_guard, &od) != GC_OK ||
        datadir_check_output_kind(steps_path, "--steps", ".csv", &od) != GC_OK ||
        (summary_path && (datadir_check_output(summary_path, &summary_guard, &od) != GC_OK ||
                          datadir_check_output_kind(summary_path, "--summary", ".json", &od) !=
                              GC_OK))) {
        fprintf(stderr, "station analyze: %s\n", od.msg);
        return 1;
    }
    bool show_progress = !quiet && isatty(2);
    int kind = analyze_detect(input, &err);
    if (kind < 0) {
        fprintf(stderr, "station analyze: %s\n", err.msg);
        return 1;
    }
    if (kind == ANALYZE_KIND_RECORDING && belt_mps > 0.0) {
        fprintf(stderr, "station analyze: --speed applies to a force CSV; a recording is "
                        "analysed exactly as the live session was: leave it out.\n");
        return 2;
    }
    if (kind == ANALYZE_KIND_RECORDING && threshold_given) {
        fprintf(stderr, "station analyze: --threshold applies to a force CSV; a recording is "
                        "analysed exactly as the live session was (%.0f N): leave it out.\n",
                GAIT_THRESHOLD_DEFAULT_N);
        return 2;
    }
    struct analyze_result res;
    memset(&res, 0, sizeof res);
    res.body_weight_n = NAN;
    res.cadence_spectral_spm = NAN;
    int rc = kind == ANALYZE_KIND_RECORDING
                 ? analyze_rec_run(input, mass, show_progress, &res, &err)
                 : run_csv(input, mass, threshold_n, belt_mps, show_progress, &res, &err);
    int exit_code = 1;
    if (rc < 0)
        goto out;
    if (write_steps(steps_path, &steps_guard, &res, &err) < 0)
        goto out;
    if (summary_path) {
        struct summary_info info = {
            .input = input,
            .source = res.source,
            .rate_hz = res.rate_hz,
            .duration_s = res.duration_s,
            .body_weight_n = res.body_weight_n,
            .bw_source = isfinite(res.body_weight_n) ? res.bw_source : "unknown (no whole steps)",
            .cadence_spectral_spm = res.cadence_spectral_spm,
            .gaps = res.gaps,
            .belt_given_mps = belt_mps,
            .incline_given = incline_given,
            .incline_pct = incline_pct,
        };
        char *txt = summary_json(res.steps, res.n_steps, &info);
        char *line = txt ? malloc(strlen(txt) + 2) : NULL;
        if (line)
            snprintf(line, strlen(txt) + 2, "%s\n", txt);
        free(txt);
        if (!line) {
            gc_fail(&err, GC_ERR_NOMEM, "out of memory writing %s", summary_path);
            goto out;
        }
        int wrc = datadir_write_file(summary_path, line, strlen(line), &summary_guard, &err);
        free(line);
        if (wrc < 0)
            goto out;
    }
    if (!quiet)
        printf("%zu steps in %.1f s; cadence %.1f steps/min per step, %.1f spectral; body weight "
               "%.0f N\n",
               res.n_steps, res.duration_s, summary_median_cadence(res.steps, res.n_steps),
               res.cadence_spectral_spm, res.body_weight_n);
    exit_code = 0;
out:
    if (exit_code != 0)
        fprintf(stderr, "station analyze: %s\n", err.msg[0] ? err.msg : "failed");
    analyze_result_free(&res);
    return exit_code;
}
