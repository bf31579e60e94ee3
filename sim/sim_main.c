/*
 * sim_main.c - gaitcue-sim: the simulated sensor unit.
 *
 *   gaitcue-sim --pty [options]        serve the firmware on a pseudo-terminal
 *   gaitcue-sim --csv FILE [options]   write the model's output offline
 *
 * Option parsing and the offline CSV mode live here; the pty server is
 * host_hal.c, the model runner_model.c.  Usage errors: one sentence on
 * stderr, exit 2.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_hal.h"
#include "runner_model.h"
#include "readiness_model.h"
#include "sim_csv.h"

#ifndef GC_VERSION
#define GC_VERSION "0"
#endif

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static void usage(FILE *f)
{
    fputs("usage: gaitcue-sim --pty [options]\n"
          "       gaitcue-sim --csv FILE --seconds N [options]\n"
          "       gaitcue-sim --deck-info [--seed N] [--gain-error PCT] [--offset N]\n"
          "\n"
          "The simulated gaitcue sensor unit: the real firmware core fed by a runner\n"
          "model (4 deck-corner load cells + deck IMU).  Model: docs/simulator.md.\n"
          "\n"
          "Mode (exactly one):\n"
          "  --pty               create a pseudo-terminal, print 'pty: /dev/pts/N' on\n"
          "                      stdout and serve the wire protocol on it (HELLO at boot,\n"
          "                      samples after START).  Exits after --seconds of sampled\n"
          "                      sensor time, on SIGINT/SIGTERM, or when the host closed\n"
          "                      the pty and did not reopen it within 2 s.\n"
          "  --csv FILE          no pty: write the samples as a canonical force CSV\n"
          "                      (t_s,fz1_n..fz4_n,fz_n,copx_m,copy_m,acc_*_g,gyro_*_dps;\n"
          "                      uncalibrated: counts x 2.5e-4 N) as fast as possible.\n"
          "\n"
          "Runner:\n"
          "  --profile P         run | walk | intervals | static            [run]\n"
          "                      or a readiness test on the stopped deck: balance |\n"
          "                      hop | jog-spot | calf-raise | squat (docs/simulator.md)\n"
          "  --side L|R          readiness: the stance or hopping leg       [L]\n"
          "  --reps N            readiness: hops, rises, squats (1-64)\n"
          "                      [hop 10, calf-raise 20, squat 10]\n"
          "  --fail-at S         readiness: stop after S s (balance: the other foot\n"
          "                      touches down; default hold 20 s, jog 60 s)\n"
          "  --cadence SPM       preferred cadence, steps/min: running for run and\n"
          "                      intervals [170], walking for walk [110]\n"
          "  --walk-cadence SPM  walking cadence in intervals               [110]\n"
          "  --intervals R,W,N   intervals: run R s, walk W s, N times, then walk\n"
          "                      [60,240,4]; cadence and belt speed ramp over 4 s\n"
          "  --mass KG           body mass                                  [70]\n"
          "  --strike S          rear (impact transient) | fore (none)      [rear]\n"
          "  --run-speed MPS     belt speed running (moves the COP)         [2.9]\n"
          "  --walk-speed MPS    belt speed walking                         [1.3]\n"
          "  --stand S           stand still S seconds before starting      [0]\n"
          "  --load KG@X,Y       static profile: a load of KG at deck point X,Y m\n"
          "                      (x + right, y + forward, origin deck centre);\n"
          "                      repeatable, up to 8; none = the person stands still\n"
          "  --wobble N          static: move the loads by N newtons (1.3 Hz) and 1 cm\n"
          "                      (0.7 Hz), to test a stability check        [0]\n"
          "\n"
          "Sensor:\n"
          "  --rate HZ           sample rate (500-2000 with --pty)          [1000]\n"
          "  --seed N            seed of every random draw (steps, noise, cell errors)\n"
          "                      [1]; also picks the default serial number\n"
          "  --gain-error PCT    per-cell gain errors uniform in +/-PCT %, 0 = none [5]\n"
          "  --offset N          per-cell offsets uniform in +/-N newtons, 0 = none [10]\n"
          "  --noise N           RMS of the total-force noise, N (white + belt hum) [4]\n"
          "  --drift N           RMS of the slow baseline drift of the total, N\n"
          "                      [10; 1 with --profile static: stopped deck]\n"
          "  --serial STR        serial number in HELLO (<= 16 chars)   [SIM-<seed hex>]\n"
          "\n"
          "Run:\n"
          "  --seconds N         sensor time to simulate, s; 0 = until killed (--pty) [0]\n"
          "  --speed X|max       --pty: sensor time per real time [1]; max = as fast as\n"
          "                      the host reads (nothing dropped)\n"
          "  --truth FILE        write the true contacts as a steps CSV (sensor time)\n"
          "  --deck-info         print the deck's drawn errors (cell gains/offsets, IMU\n"
          "                      tilt/biases) for this --seed as JSON and exit\n"
          "  -h, --help          this text\n",
          f);
}

static int bad(const char *msg, const char *arg)
{
    if (arg)
        fprintf(stderr, "gaitcue-sim: %s '%s'; see gaitcue-sim --help.\n", msg, arg);
    else
        fprintf(stderr, "gaitcue-sim: %s; see gaitcue-sim --help.\n", msg);
    return 2;
}

static bool parse_num(const char *s, double *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static bool parse_load(const char *s, struct runner_load *l)
{
    char *end;
    errno = 0;
    l->mass_kg = strtod(s, &end);
    if (errno || end == s || *end != '@')
        return false;
    s = end + 1;
    l->x_m = strtod(s, &end);
    if (errno || end == s || *end != ',')
        return false;
    s = end + 1;
    l->y_m = strtod(s, &end);
    if (errno || end == s || *end)
        return false;
    return isfinite(l->mass_kg) && isfinite(l->x_m) && isfinite(l->y_m);
}

static bool parse_intervals(const char *s, double *run_s, double *walk_s, unsigned *reps)
{
    char *end;
    errno = 0;
    *run_s = strtod(s, &end);
    if (errno || end == s || *end != ',')
        return false;
    s = end + 1;
    *walk_s = strtod(s, &end);
    if (errno || end == s || *end != ',')
        return false;
    s = end + 1;
    unsigned long n = strtoul(s, &end, 10);
    if (errno || end == s || *end || n == 0 || n > 1000)
        return false;
    *reps = (unsigned)n;
    return isfinite(*run_s) && isfinite(*walk_s);
}

struct opts {
    bool pty;
    bool deck_info;
    const char *csv;
    const char *truth;
    const char *serial;
    double seconds;
    double speed; /* 0 = max */
    bool speed_given;
    struct runner_config cfg;
};

/* Returns 0, or the exit code (2) after printing the reason. */
static int parse_args(int argc, char **argv, struct opts *o)
{
    enum runner_profile profile = RUNNER_PROFILE_RUN;
    enum readiness_movement mv;
    /* The profile decides the defaults: find it first. */
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc)
            v = argv[i + 1];
        else if (strncmp(argv[i], "--profile=", 10) == 0)
            v = argv[i] + 10;
        if (!v)
            continue;
        if (strcmp(v, "run") == 0)
            profile = RUNNER_PROFILE_RUN;
        else if (strcmp(v, "walk") == 0)
            profile = RUNNER_PROFILE_WALK;
        else if (strcmp(v, "intervals") == 0)
            profile = RUNNER_PROFILE_INTERVALS;
        else if (strcmp(v, "static") == 0)
            profile = RUNNER_PROFILE_STATIC;
        else if (readiness_movement_parse(v, &mv))
            profile = (enum runner_profile)(RUNNER_PROFILE_BALANCE + (int)mv);
        else
            return bad("--profile must be run, walk, intervals, static, balance, hop, jog-spot, "
                       "calf-raise or squat, not",
                       v);
    }
    memset(o, 0, sizeof *o);
    runner_config_default(&o->cfg, profile);
    o->speed = 1.0;
    struct runner_config *c = &o->cfg;

    for (int i = 1; i < argc; i++) {
        char name[64];
        const char *a = argv[i], *val = NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            exit(0);
        }
        if (strncmp(a, "--", 2) != 0)
            return bad("unexpected argument", a);
        const char *eq = strchr(a, '=');
        size_t nl = eq ? (size_t)(eq - a) : strlen(a);
        if (nl >= sizeof name)
            return bad("unknown option", a);
        memcpy(name, a, nl);
        name[nl] = '\0';
        if (strcmp(name, "--pty") == 0 || strcmp(name, "--deck-info") == 0) {
            if (eq)
                return bad("this option takes no value:", a);
            if (name[2] == 'p')
                o->pty = true;
            else
                o->deck_info = true;
            continue;
        }
        static const char *const with_value[] = {
            "--csv",    "--profile",   "--cadence",    "--walk-cadence", "--intervals", "--mass",
            "--strike", "--run-speed", "--walk-speed", "--stand",        "--load",      "--wobble",
            "--rate",   "--seed",      "--gain-error", "--offset",       "--noise",     "--drift",
            "--serial", "--seconds",   "--speed",      "--truth",        "--side",      "--reps",
            "--fail-at",
        };
        bool known = false;
        for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++)
            known = known || strcmp(name, with_value[k]) == 0;
        if (!known)
            return bad("unknown option", name);
        if (eq)
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        else {
            fprintf(stderr, "gaitcue-sim: %s needs a value; see gaitcue-sim --help.\n", name);
            return 2;
        }
        double d;
        if (strcmp(name, "--csv") == 0)
            o->csv = val;
        else if (strcmp(name, "--side") == 0) {
            if (strcmp(val, "L") != 0 && strcmp(val, "R") != 0)
                return bad("--side must be L or R, not", val);
            c->side = val[0];
        } else if (strcmp(name, "--reps") == 0) {
            if (!parse_num(val, &d) || d != floor(d) || d < 1 || d > READY_MAX_HOPS)
                return bad("--reps must be a whole number from 1 to 64, not", val);
            c->reps = (unsigned)d;
        } else if (strcmp(name, "--fail-at") == 0) {
            if (!parse_num(val, &d) || !(d > 0 && d <= 600))
                return bad("--fail-at must be a time in seconds above 0 and up to 600, not", val);
            c->fail_at_s = d;
        } else if (strcmp(name, "--truth") == 0)
            o->truth = val;
        else if (strcmp(name, "--serial") == 0) {
            if (strlen(val) == 0 || strlen(val) > 16)
                return bad("--serial must be 1 to 16 characters, not", val);
            o->serial = val;
        } else if (strcmp(name, "--profile") == 0)
            continue; /* handled above */
        else if (strcmp(name, "--strike") == 0) {
            if (strcmp(val, "rear") == 0)
                c->strike = RUNNER_STRIKE_REAR;
            else if (strcmp(val, "fore") == 0)
                c->strike = RUNNER_STRIKE_FORE;
            else
                return bad("--strike must be rear or fore, not", val);
        } else if (strcmp(name, "--load") == 0) {
            if (c->n_loads >= RUNNER_MAX_LOADS)
                return bad("at most 8 --load options are allowed", NULL);
            if (!parse_load(val, &c->loads[c->n_loads]))
                return bad("--load must look like KG@X,Y (e.g. 20@0.1,-0.3), not", val);
            c->n_loads++;
        } else if (strcmp(name, "--intervals") == 0) {
            if (!parse_intervals(val, &c->interval_run_s, &c->interval_walk_s, &c->interval_reps))
                return bad("--intervals must look like RUN_S,WALK_S,REPS (e.g. 60,240,4), not",
                           val);
        } else if (strcmp(name, "--speed") == 0) {
            o->speed_given = true;
            if (strcmp(val, "max") == 0)
                o->speed = 0.0;
            else if (!parse_num(val, &d) || !(d >= 0.01 && d <= 1000.0))
                return bad("--speed must be max or a factor from 0.01 to 1000, not", val);
            else
                o->speed = d;
        } else if (strcmp(name, "--seed") == 0) {
            char *end;
            errno = 0;
            unsigned long long s = strtoull(val, &end, 0);
            if (errno || *end || !*val || val[0] == '-')
                return bad("--seed must be a non-negative integer, not", val);
            c->seed = s;
        } else {
            if (!parse_num(val, &d)) {
                fprintf(stderr,
                        "gaitcue-sim: %s needs a number, not '%s'; see gaitcue-sim --help.\n", name,
                        val);
                return 2;
            }
            if (strcmp(name, "--cadence") == 0)
                c->cadence_spm = d;
            else if (strcmp(name, "--walk-cadence") == 0)
                c->walk_cadence_spm = d;
            else if (strcmp(name, "--mass") == 0)
                c->mass_kg = d;
            else if (strcmp(name, "--run-speed") == 0)
                c->run_speed_mps = d;
            else if (strcmp(name, "--walk-speed") == 0)
                c->walk_speed_mps = d;
            else if (strcmp(name, "--stand") == 0)
                c->stand_s = d;
            else if (strcmp(name, "--wobble") == 0)
                c->wobble_n = d;
            else if (strcmp(name, "--rate") == 0)
                c->rate_hz = d;
            else if (strcmp(name, "--gain-error") == 0)
                c->gain_error_pct = d;
            else if (strcmp(name, "--offset") == 0)
                c->offset_n = d;
            else if (strcmp(name, "--noise") == 0)
                c->noise_n = d;
            else if (strcmp(name, "--drift") == 0)
                c->drift_n = d;
            else if (strcmp(name, "--seconds") == 0) {
                if (!(d >= 0.0 && d <= 1e7))
                    return bad("--seconds must be between 0 and 1e7, not", val);
                o->seconds = d;
            }
        }
    }
    if (o->deck_info && (o->pty || o->csv))
        return bad("--deck-info prints the drawn deck errors and exits; drop --pty/--csv", NULL);
    if (!o->deck_info && o->pty == (o->csv != NULL))
        return bad("give exactly one of --pty (serve a pseudo-terminal) or --csv FILE", NULL);
    bool ready = RUNNER_PROFILE_IS_READINESS(c->profile);
    if (!ready && (c->reps || c->fail_at_s > 0))
        return bad("--reps and --fail-at are for the readiness profiles (balance, hop, jog-spot, "
                   "calf-raise, squat)",
                   NULL);
    if (o->csv && ready && !(o->seconds > 0.0)) {
        /* the whole movement and the standing after it */
        struct readiness_model m;
        struct readiness_model_config rc = {
            (enum readiness_movement)(c->profile - RUNNER_PROFILE_BALANCE), c->side, c->reps,
            c->fail_at_s, c->mass_kg * RUNNER_G_MPS2, c->seed};
        readiness_model_init(&m, &rc);
        o->seconds = ceil(readiness_model_duration_s(&m));
    }
    if (o->csv && !(o->seconds > 0.0))
        return bad("--csv needs --seconds N (above 0) to know how much to write", NULL);
    if (o->csv && o->speed_given)
        return bad("--speed applies to --pty only; --csv always runs as fast as possible", NULL);
    if (o->pty && (c->rate_hz != floor(c->rate_hz) || c->rate_hz < 500.0 || c->rate_hz > 2000.0))
        return bad("with --pty the rate must be a whole number of Hz from 500 to 2000", NULL);
    if (c->wobble_n > 0.0 && c->n_loads == 0)
        return bad("--wobble needs at least one --load", NULL);
    const char *why = runner_config_error(c);
    if (why) {
        fprintf(stderr, "gaitcue-sim: %s See gaitcue-sim --help.\n", why);
        return 2;
    }
    return 0;
}

static void default_serial(const struct opts *o, char serial[17])
{
    if (o->serial)
        snprintf(serial, 17, "%s", o->serial);
    else
        snprintf(serial, 17, "SIM-%08llX", (unsigned long long)(o->cfg.seed & 0xFFFFFFFFull));
}

/* The deck's hidden errors as JSON, for calibration tests. */
static void print_deck_info(const struct opts *o, const struct runner *r)
{
    static const char *const corner[RUNNER_CELLS] = {"front-left", "front-right", "rear-left",
                                                     "rear-right"};
    double g[RUNNER_CELLS], tilt[2], ab[3], gb[3];
    int32_t off[RUNNER_CELLS];
    char serial[17];
    default_serial(o, serial);
    runner_cell_errors(r, g, off);
    runner_imu_errors(r, tilt, ab, gb);
    printf("{\"serial\": \"%s\", \"seed\": %llu, \"cell_n_per_count\": %g,\n \"cells\": [", serial,
           (unsigned long long)o->cfg.seed, RUNNER_N_PER_COUNT);
    for (int i = 0; i < RUNNER_CELLS; i++)
        printf("%s\n  {\"channel\": %d, \"corner\": \"%s\", \"x_m\": %.2f, \"y_m\": %.2f, "
               "\"gain_err\": %.6f, \"offset_counts\": %ld, \"offset_n\": %.4f}",
               i ? "," : "", i, corner[i], (i % 2 ? 1 : -1) * RUNNER_CELL_X_M,
               (i < 2 ? 1 : -1) * RUNNER_CELL_Y_M, g[i], (long)off[i], off[i] * RUNNER_N_PER_COUNT);
    printf("],\n \"imu\": {\"tilt_x_deg\": %.4f, \"tilt_y_deg\": %.4f, "
           "\"acc_bias_g\": [%.5f, %.5f, %.5f], \"gyro_bias_dps\": [%.4f, %.4f, %.4f]}}\n",
           tilt[0] * 180.0 / 3.14159265358979323846, tilt[1] * 180.0 / 3.14159265358979323846,
           ab[0], ab[1], ab[2], gb[0], gb[1], gb[2]);
}

static FILE *open_truth(const char *path, const struct runner_config *c)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "gaitcue-sim: cannot write the truth file %s (%s); check the path.\n", path,
                strerror(errno));
        return NULL;
    }
    if (!RUNNER_PROFILE_IS_READINESS(c->profile))
        sim_truth_header(f); /* readiness: one JSON object at the end */
    return f;
}

static int run_csv(const struct opts *o, struct runner *r, FILE *truth)
{
    FILE *f = fopen(o->csv, "w");
    if (!f) {
        fprintf(stderr, "gaitcue-sim: cannot write %s (%s); check the path.\n", o->csv,
                strerror(errno));
        return 1;
    }
    static char buf[1 << 20];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    sim_force_header(f, &o->cfg);
    uint64_t n = (uint64_t)llround(o->seconds * o->cfg.rate_hz);
    struct runner_sample s;
    struct runner_step st;
    int rc = 0;
    for (uint64_t k = 0; k < n && !g_stop; k++) {
        runner_next(r, &s);
        if (sim_force_row(f, &s) != 0) {
            rc = 1;
            break;
        }
        while (runner_pop_step(r, &st))
            if (truth)
                sim_truth_row(truth, &st, 0.0, runner_body_weight_n(r));
    }
    if (fclose(f) != 0 || rc != 0) {
        fprintf(stderr, "gaitcue-sim: writing %s failed (disk full?); the file is incomplete.\n",
                o->csv);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: sleeps return early on a signal */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct runner *r = runner_new(&o.cfg);
    if (!r) {
        fprintf(stderr, "gaitcue-sim: out of memory.\n");
        return 1;
    }
    if (o.deck_info) {
        print_deck_info(&o, r);
        runner_free(r);
        return 0;
    }
    FILE *truth = NULL;
    if (o.truth) {
        truth = open_truth(o.truth, &o.cfg);
        if (!truth) {
            runner_free(r);
            return 1;
        }
    }
    if (o.csv) {
        rc = run_csv(&o, r, truth);
    } else {
        char serial[17];
        default_serial(&o, serial);
        struct host_opts ho = {
            .speed = o.speed,
            .seconds = o.seconds,
            .rate_hz = (uint32_t)o.cfg.rate_hz,
            .serial = serial,
            .truth = truth,
            .out = stdout,
        };
        if (truth)
            setvbuf(truth, NULL, _IOLBF, 0); /* a reader may follow it live */
        rc = host_serve(r, &ho, &g_stop);
    }
    if (truth && runner_readiness(r)) {
        struct readiness_truth t;
        readiness_model_truth(runner_readiness(r), o.cfg.rate_hz, &t);
        fprintf(truth,
                "{\"test\": \"%s\", \"side\": \"%c\", \"hold_s\": %.4f, \"count\": %u, "
                "\"contact_ms\": %.3f, \"flight_ms\": %.3f, \"peak_bw\": %.4f, "
                "\"cadence_spm\": %.3f, \"cop_path_mm\": %.3f, \"cop_area_mm2\": %.3f, "
                "\"t_from_s\": %.4f, \"t_to_s\": %.4f}\n",
                readiness_movement_name(t.movement), t.side, t.hold_s, t.count, t.contact_ms,
                t.flight_ms, t.peak_bw, t.cadence_spm, t.cop_path_mm, t.cop_area_mm2, t.t_from_s,
                t.t_to_s);
    }
    if (truth && fclose(truth) != 0) {
        fprintf(stderr, "gaitcue-sim: writing the truth file %s failed.\n", o.truth);
        rc = rc ? rc : 1;
    }
    runner_free(r);
    return rc;
}
