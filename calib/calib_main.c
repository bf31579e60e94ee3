/*
 * calib_main.c - the calib tool: guided or scripted calibration of the
 * sensor unit, writing a calibration file the station loads (calfile.h).
 *
 *   calib span    zero + known masses at known points + IMU -> new file
 *   calib zero    fresh offsets on top of the newest (or given) calibration
 *   calib imu     fresh IMU alignment on top of the newest (or given) one
 *   calib verify  a known mass at a known point: force and COP error
 *   calib show    check and print a calibration file
 *
 * Exit codes: 0 success, 1 refused or failed (one sentence on stderr, no
 * file written), 2 usage error.  The sentence is the failing call's
 * struct gc_diag message (fit.h, source.h, calstore.h), printed here once
 * with "calib: " in front; warnings on success go to stderr too.
 * Thread: main thread only.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "calfile.h"
#include "calstore.h"
#include "deck.h"
#include "fit.h"
#include "gc_error.h"
#include "log.h"
#include "source.h"

#ifndef GC_VERSION
#define GC_VERSION "0"
#endif

#define MAX_SIM_ARGS 16
/* Default capture: let the deck settle 0.5 s after the operator stepped
 * off, then average 2 s (2000 samples at 1 kHz: noise of 2 N per cell
 * averages to 0.05 N). */
#define DEFAULT_SETTLE_S     0.5
#define DEFAULT_WINDOW_S     2.0
#define DEFAULT_SPAN_MASS_KG 20.0
/* Issue 8 acceptance figures, the default pass/fail bounds of verify. */
#define DEFAULT_TOL_PCT 0.3
#define DEFAULT_TOL_MM  5.0

struct opts {
    const char *cmd;
    struct source_opts src;
    const char *sim_args[MAX_SIM_ARGS];
    struct fit_placement place[FIT_MAX_PLACEMENTS + 1];
    size_t n_place;
    double pending_mass; /* last --mass, for the next --at */
    bool have_mass;
    const char *operator_name;
    const char *out;
    const char *calibration;
    const char *show_file;
    bool allow_other;
    int prompt; /* -1 auto, 0 never, 1 always */
    bool json;
    bool no_imu;
    bool no_tare;
    double tol_pct, tol_mm;
};

static void usage(FILE *f)
{
    fputs("usage: calib [span] [source] [placements] --operator NAME [--out FILE]\n"
          "       calib zero|imu [source] --operator NAME [--calibration FILE] [--out FILE]\n"
          "       calib verify [source] --mass KG --at X,Y [--calibration FILE] [--json]\n"
          "       calib show FILE\n"
          "\n"
          "Calibrates the gaitcue sensor unit: per-cell zero offsets and gains of the\n"
          "4 deck load cells from known masses at known points, and the deck IMU's\n"
          "gravity alignment and gyro bias.  Procedure: docs/calibration.md.\n"
          "\n"
          "Commands:\n"
          "  span     (default) full calibration: empty-deck zero (refused while the load\n"
          "           moves), then one capture per placement, then a least-squares fit;\n"
          "           the IMU is aligned from the empty-deck capture.  Writes a new file.\n"
          "  zero     re-zero: new file with fresh offsets, gains from the base file\n"
          "  imu      new file with a fresh IMU alignment, the rest from the base file\n"
          "  verify   reads a known mass at a known point with the calibration and\n"
          "           without it; exits 1 when outside --tolerance-pct / --tolerance-mm\n"
          "  show     checks a calibration file and prints it\n"
          "\n"
          "Source (one):\n"
          "  --port PATH          the sensor's serial port (see station ports)\n"
          "  --sim                start gaitcue-sim --profile static for each capture, with\n"
          "                       the placement's mass on the deck (no operator needed)\n"
          "  --seed N             simulator seed: the same N is the same sensor   [1]\n"
          "  --gain-error PCT     simulator per-cell gain errors, +/- %        [sim default]\n"
          "  --wobble N           simulator: the loads move by N newtons        [0]\n"
          "  --sim-arg ARG        pass ARG to the simulator (repeatable)\n"
          "  --sim-bin PATH       simulator executable   [$GAITCUE_SIM or next to calib]\n"
          "\n"
          "Placements (span; at least 4, spread over the deck):\n"
          "  --mass KG --at X,Y   a mass of KG kg at deck point X,Y m (x + right, y +\n"
          "                       forward, origin at the deck centre); --at repeats with\n"
          "                       the last --mass\n"
          "  --place KG@X,Y       the same in one argument\n"
          "  (none)               guided: --mass KG (default 20) at the 5 marked points\n"
          "\n"
          "Other:\n"
          "  --operator NAME      who calibrates (recorded in the file; asked on a terminal)\n"
          "  --out FILE           write here instead of the history directory\n"
          "                       $XDG_DATA_HOME/gaitcue/calibration/<serial>/ (never\n"
          "                       overwrites an existing file)\n"
          "  --calibration FILE   base file (zero, imu) or file to verify [newest of sensor]\n"
          "  --allow-other-sensor use a calibration file of another serial number (warns)\n"
          "  --settle S           seconds dropped after each placement            [0.5]\n"
          "  --window S           seconds averaged per capture                    [2]\n"
          "  --prompt, --no-prompt  wait for Enter before each capture [on with --port\n"
          "                       on a terminal, off with --sim]\n"
          "  --no-imu             span: leave the IMU alignment out\n"
          "  --no-tare            do not re-measure the empty deck before each placement\n"
          "                       (span) or before the known mass (verify)\n"
          "  --tolerance-pct P    verify: force bound, % of the weight            [0.3]\n"
          "  --tolerance-mm D     verify: COP bound, mm                           [5]\n"
          "  --json               verify: print the result as JSON\n"
          "  -v, --verbose        more log output\n"
          "  -h, --help           this text\n",
          f);
}

static int usage_error(const char *msg, const char *arg)
{
    if (arg)
        fprintf(stderr, "calib: %s '%s': see calib --help.\n", msg, arg);
    else
        fprintf(stderr, "calib: %s: see calib --help.\n", msg);
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

static bool parse_xy(const char *s, double *x, double *y)
{
    char *end;
    errno = 0;
    *x = strtod(s, &end);
    if (errno || end == s || *end != ',' || !isfinite(*x))
        return false;
    const char *t = end + 1;
    *y = strtod(t, &end);
    return !errno && end != t && *end == '\0' && isfinite(*y);
}

static int add_placement(struct opts *o, double mass, double x, double y, const char *arg)
{
    if (!(mass > 0.0)) {
        fprintf(stderr,
                "calib: the mass must be a positive number of kilograms (got '%s'): give the "
                "mass of the calibration weight.\n",
                arg);
        return 2;
    }
    if (o->n_place >= FIT_MAX_PLACEMENTS)
        return usage_error("too many placements (at most 32)", arg);
    o->place[o->n_place].mass_kg = mass;
    o->place[o->n_place].x_m = x;
    o->place[o->n_place].y_m = y;
    o->n_place++;
    return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
    memset(o, 0, sizeof *o);
    o->src.seed = 1;
    o->src.gain_error_pct = -1.0;
    o->src.settle_s = DEFAULT_SETTLE_S;
    o->src.window_s = DEFAULT_WINDOW_S;
    o->src.sim_args = o->sim_args;
    o->prompt = -1;
    o->tol_pct = DEFAULT_TOL_PCT;
    o->tol_mm = DEFAULT_TOL_MM;
    int i = 1;
    if (i < argc && argv[i][0] != '-')
        o->cmd = argv[i++];
    else
        o->cmd = "span";
    if (strcmp(o->cmd, "span") && strcmp(o->cmd, "zero") && strcmp(o->cmd, "imu") &&
        strcmp(o->cmd, "verify") && strcmp(o->cmd, "show"))
        return usage_error("unknown command", o->cmd);
    for (; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        double d, x, y;
#define NEED_VALUE()                                                                               \
    do {                                                                                           \
        if (!v)                                                                                    \
            return usage_error("missing value after", a);                                          \
        i++;                                                                                       \
    } while (0)
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            log_set_level(LOG_LEVEL_INFO);
        } else if (!strcmp(a, "--port")) {
            NEED_VALUE();
            o->src.port = v;
        } else if (!strcmp(a, "--sim")) {
            o->src.sim = true;
        } else if (!strcmp(a, "--sim-bin")) {
            NEED_VALUE();
            o->src.sim_bin = v;
        } else if (!strcmp(a, "--sim-arg")) {
            NEED_VALUE();
            if (o->src.n_sim_args >= MAX_SIM_ARGS)
                return usage_error("too many --sim-arg", v);
            o->sim_args[o->src.n_sim_args++] = v;
        } else if (!strcmp(a, "--seed")) {
            NEED_VALUE();
            char *end;
            errno = 0;
            unsigned long long s = strtoull(v, &end, 10);
            if (errno || *end || v[0] == '-' || !v[0])
                return usage_error("invalid seed", v);
            o->src.seed = s;
        } else if (!strcmp(a, "--gain-error")) {
            NEED_VALUE();
            if (!parse_num(v, &d) || d < 0)
                return usage_error("invalid gain error", v);
            o->src.gain_error_pct = d;
        } else if (!strcmp(a, "--wobble")) {
            NEED_VALUE();
            if (!parse_num(v, &d) || d < 0)
                return usage_error("invalid wobble", v);
            o->src.wobble_n = d;
        } else if (!strcmp(a, "--mass")) {
            NEED_VALUE();
            if (!parse_num(v, &d)) {
                fprintf(stderr,
                        "calib: the mass must be a positive number of kilograms (got '%s'): "
                        "give the mass of the calibration weight.\n",
                        v);
                return 2;
            }
            if (!(d > 0.0))
                return add_placement(o, d, 0, 0, v); /* prints the refusal */
            o->pending_mass = d;
            o->have_mass = true;
        } else if (!strcmp(a, "--at")) {
            NEED_VALUE();
            if (!parse_xy(v, &x, &y))
                return usage_error("a point is X,Y in metres, e.g. 0.15,-0.35, not", v);
            if (!o->have_mass)
                return usage_error("give --mass KG before", a);
            int rc = add_placement(o, o->pending_mass, x, y, v);
            if (rc)
                return rc;
        } else if (!strcmp(a, "--place")) {
            NEED_VALUE();
            char *end;
            errno = 0;
            d = strtod(v, &end);
            if (errno || end == v || *end != '@' || !parse_xy(end + 1, &x, &y))
                return usage_error("a placement is KG@X,Y, e.g. 20@0.15,-0.35, not", v);
            int rc = add_placement(o, d, x, y, v);
            if (rc)
                return rc;
        } else if (!strcmp(a, "--operator")) {
            NEED_VALUE();
            o->operator_name = v;
        } else if (!strcmp(a, "--out")) {
            NEED_VALUE();
            o->out = v;
        } else if (!strcmp(a, "--calibration")) {
            NEED_VALUE();
            o->calibration = v;
        } else if (!strcmp(a, "--allow-other-sensor")) {
            o->allow_other = true;
        } else if (!strcmp(a, "--settle")) {
            NEED_VALUE();
            if (!parse_num(v, &d) || d < 0 || d > 60)
                return usage_error("the settle time is 0..60 s, not", v);
            o->src.settle_s = d;
        } else if (!strcmp(a, "--window")) {
            NEED_VALUE();
            if (!parse_num(v, &d) || d < 0.1 || d > 60)
                return usage_error("the window is 0.1..60 s, not", v);
            o->src.window_s = d;
        } else if (!strcmp(a, "--prompt")) {
            o->prompt = 1;
        } else if (!strcmp(a, "--no-prompt")) {
            o->prompt = 0;
        } else if (!strcmp(a, "--no-imu")) {
            o->no_imu = true;
        } else if (!strcmp(a, "--no-tare")) {
            o->no_tare = true;
        } else if (!strcmp(a, "--json")) {
            o->json = true;
        } else if (!strcmp(a, "--tolerance-pct")) {
            NEED_VALUE();
            if (!parse_num(v, &d) || d <= 0)
                return usage_error("invalid tolerance", v);
            o->tol_pct = d;
        } else if (!strcmp(a, "--tolerance-mm")) {
            NEED_VALUE();
            if (!parse_num(v, &d) || d <= 0)
                return usage_error("invalid tolerance", v);
            o->tol_mm = d;
        } else if (a[0] != '-' && !strcmp(o->cmd, "show") && !o->show_file) {
            o->show_file = a;
        } else {
            return usage_error("unknown option", a);
        }
#undef NEED_VALUE
    }
    if (!strcmp(o->cmd, "show")) {
        if (!o->show_file)
            return usage_error("give the file to show", NULL);
        return 0;
    }
    if (o->src.sim && o->src.port)
        return usage_error("give either --port or --sim, not both", NULL);
    if (!o->src.sim && !o->src.port) {
        fprintf(stderr, "calib: no sensor given: use --port PATH (list ports with station ports) "
                        "or --sim.\n");
        return 2;
    }
    if (!strcmp(o->cmd, "verify")) {
        if (o->n_place != 1) {
            fprintf(stderr, "calib: verify needs exactly one known mass: --mass KG --at X,Y.\n");
            return 2;
        }
    } else if (strcmp(o->cmd, "span") != 0 && o->n_place > 0) {
        return usage_error("placements only belong to span and verify", NULL);
    }
    if (!strcmp(o->cmd, "span") && o->n_place > 0 && o->n_place < FIT_MIN_PLACEMENTS) {
        fprintf(stderr,
                "calib: %zu placement%s given, at least %d are needed: add placements of the "
                "known mass at points spread over the deck (see docs/calibration.md).\n",
                o->n_place, o->n_place == 1 ? "" : "s", FIT_MIN_PLACEMENTS);
        return 1;
    }
    if (o->prompt < 0)
        o->prompt = (!o->src.sim && isatty(STDIN_FILENO)) ? 1 : 0;
    return 0;
}

/* Wait for Enter.  Returns false when the operator typed q or stdin ended. */
static bool wait_enter(void)
{
    char line[64];
    fflush(stdout);
    if (!fgets(line, sizeof line, stdin))
        return false;
    return line[0] != 'q' && line[0] != 'Q';
}

static void now_iso(char *buf, size_t cap)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* One capture, with prompts and retry on a moving load in prompt mode. */
static int capture_still(const struct opts *o, struct source *src, const struct source_load *load,
                         size_t n_load, const char *instruction, struct pkt_hello *hello,
                         struct fit_window *w, bool check_still)
{
    for (;;) {
        if (instruction) {
            printf("%s%s\n", instruction, o->prompt ? ", then press Enter (q quits)." : ".");
            if (o->prompt && !wait_enter()) {
                fprintf(stderr, "calib: stopped by the operator; no file written.\n");
                return GC_ERR_STATE;
            }
        }
        struct pkt_sample *s = NULL;
        size_t n = 0;
        struct gc_diag diag;
        int rc = source_capture(src, load, n_load, hello, &s, &n, &diag);
        if (rc != GC_OK) {
            fprintf(stderr, "calib: %s%s\n", diag.msg, gc_sentence_end(diag.msg));
            return rc;
        }
        rc = fit_window_stats(s, n, hello->cell_n_per_count, w, &diag);
        free(s);
        if (rc != GC_OK) {
            fprintf(stderr, "calib: %s%s\n", diag.msg, gc_sentence_end(diag.msg));
            return rc;
        }
        if (!check_still)
            return GC_OK;
        struct fit_still_limits lim;
        fit_still_limits_default(&lim);
        rc = fit_window_check_still(w, &lim, &diag);
        if (rc == GC_OK)
            return GC_OK;
        if (!o->prompt) {
            fprintf(stderr, "calib: %s; no file written.\n", diag.msg);
            return rc;
        }
        printf("  %s.\n", diag.msg);
    }
}

static void cal_from_hello(const struct pkt_hello *h, struct deck_cal *cal)
{
    if (deck_cal_nominal(h, cal) != GC_OK)
        memset(cal, 0, sizeof *cal);
}

/* Placement points outside the cells, checked once the geometry is known. */
static int check_points(const struct opts *o, const struct deck_cal *cal)
{
    for (size_t j = 0; j < o->n_place; j++) {
        struct gc_diag diag;
        if (fit_placement_check(cal, o->place[j].mass_kg, o->place[j].x_m, o->place[j].y_m,
                                &diag) != GC_OK) {
            gc_diag_prefix(&diag, "placement %zu", j + 1);
            fprintf(stderr, "calib: %s; no file written.\n", diag.msg);
            return 1;
        }
    }
    return 0;
}

static int ask_operator(struct opts *o, char *buf, size_t cap)
{
    if (o->operator_name && o->operator_name[0])
        return 0;
    if (o->prompt) {
        printf("Operator name (recorded in the calibration file): ");
        fflush(stdout);
        if (fgets(buf, (int)cap, stdin)) {
            buf[strcspn(buf, "\r\n")] = '\0';
            if (buf[0]) {
                o->operator_name = buf;
                return 0;
            }
        }
    }
    fprintf(stderr, "calib: give --operator NAME: the calibration file records who calibrated.\n");
    return 2;
}

static int save(const struct opts *o, const struct calfile *cf)
{
    struct gc_diag diag;
    char path[CALFILE_PATH_LEN];
    int rc;
    if (o->out) {
        rc = calfile_write_new(cf, o->out, &diag);
        snprintf(path, sizeof path, "%s", o->out);
    } else {
        char dir[CALFILE_PATH_LEN];
        rc = calstore_dir(dir, sizeof dir, &diag);
        if (rc != GC_OK) {
            fprintf(stderr, "calib: %s: give --out FILE; no file written.\n", diag.msg);
            return 1;
        }
        rc = calfile_save_new(dir, cf, path, sizeof path, &diag);
    }
    if (rc != GC_OK) {
        fprintf(stderr, "calib: %s; no file written.\n", diag.msg);
        return 1;
    }
    printf("calibration written: %s\n", path);
    return 0;
}

static void fill_header(const struct opts *o, const struct pkt_hello *h, struct calfile *cf,
                        const char *kind)
{
    snprintf(cf->deck.serial, sizeof cf->deck.serial, "%s", h->serial);
    now_iso(cf->created, sizeof cf->created);
    snprintf(cf->operator_name, sizeof cf->operator_name, "%s", o->operator_name);
    snprintf(cf->tool, sizeof cf->tool, "calib %s", GC_VERSION);
    snprintf(cf->kind, sizeof cf->kind, "%s", kind);
    cf->nominal_n_per_count = h->cell_n_per_count;
}

static int apply_imu(struct calfile *cf, const struct fit_window *w, const struct pkt_hello *h)
{
    struct fit_imu_limits lim;
    fit_imu_limits_default(&lim);
    struct fit_imu_result r;
    struct gc_diag diag;
    if (fit_imu(w, h->accel_g_per_lsb, h->gyro_dps_per_lsb, &lim, &r, &diag) != GC_OK) {
        gc_diag_prefix(&diag, "IMU");
        fprintf(stderr, "calib: %s; no file written.\n", diag.msg);
        return 1;
    }
    cf->imu_present = true;
    memcpy(cf->imu_rot, r.rot, sizeof r.rot);
    memcpy(cf->imu_gyro_bias_dps, r.gyro_bias_dps, sizeof r.gyro_bias_dps);
    cf->imu_tilt_deg = r.tilt_deg;
    cf->imu_accel_norm_g = r.accel_norm_g;
    printf("IMU: gravity %.4f g, tilt %.2f deg, gyro bias %+.3f %+.3f %+.3f deg/s\n",
           r.accel_norm_g, r.tilt_deg, r.gyro_bias_dps[0], r.gyro_bias_dps[1], r.gyro_bias_dps[2]);
    return 0;
}

static int cmd_span(struct opts *o, struct source *src)
{
    char opname[CALFILE_TEXT_LEN];
    int rc = ask_operator(o, opname, sizeof opname);
    if (rc)
        return rc;
    bool guided = o->n_place == 0;
    double guided_mass = o->have_mass ? o->pending_mass : DEFAULT_SPAN_MASS_KG;
    size_t steps = (guided ? FIT_STD_POINTS : o->n_place) * (o->no_tare ? 1 : 2) + 1;

    struct pkt_hello hello;
    struct fit_window w;
    char line[256];
    snprintf(line, sizeof line,
             "Step 1/%zu: clear the deck (belt stopped, nobody and nothing on it)", steps);
    if (capture_still(o, src, NULL, 0, line, &hello, &w, true) != GC_OK)
        return 1;
    struct calfile *cf = malloc(sizeof *cf);
    if (!cf)
        return 1;
    calfile_init(cf);
    cal_from_hello(&hello, &cf->deck);
    struct fit_still_limits still;
    fit_still_limits_default(&still);
    struct gc_diag diag;
    if (fit_zero(&w, &still, &cf->deck, &diag) != GC_OK) {
        fprintf(stderr, "calib: %s; no file written.\n", diag.msg);
        free(cf);
        return 1;
    }
    printf("sensor %s: zero %.0f %.0f %.0f %.0f counts (noise %.1f N, drift %+.1f N)\n",
           hello.serial, w.mean_counts[0], w.mean_counts[1], w.mean_counts[2], w.mean_counts[3],
           w.total_std_n, w.total_drift_n);
    cf->zero_samples = (unsigned)w.n;
    cf->zero_std_n = w.total_std_n;
    cf->zero_drift_n = w.total_drift_n;
    fill_header(o, &hello, cf, "full");
    if (!o->no_imu && apply_imu(cf, &w, &hello) != 0) {
        free(cf);
        return 1;
    }

    if (guided) {
        double px[FIT_STD_POINTS], py[FIT_STD_POINTS];
        fit_std_points(&cf->deck, px, py);
        for (unsigned k = 0; k < FIT_STD_POINTS; k++) {
            o->place[k].mass_kg = guided_mass;
            o->place[k].x_m = px[k];
            o->place[k].y_m = py[k];
        }
        o->n_place = FIT_STD_POINTS;
    }
    if (check_points(o, &cf->deck)) {
        free(cf);
        return 1;
    }
    /* Each placement is followed by a fresh empty-deck reading (tare), and
     * its counts are taken relative to the mean of the tares just before
     * and just after it: slow baseline drift (creep, temperature) then
     * cancels to first order instead of being read as weight.  The counts
     * are stored as if taken at the time of the zero: load - tare + zero.
     *
     *   zero=T0   L1   T1   L2   T2  ...  Ln   Tn
     *             ^ (T0+T1)/2  ^ (T1+T2)/2
     */
    double zero[PKT_CELLS], prev[PKT_CELLS];
    for (unsigned i = 0; i < PKT_CELLS; i++)
        zero[i] = prev[i] = cf->deck.cell[i].offset_counts;
    double max_tare_step_n = 0.0;
    size_t step = 2;
    for (size_t j = 0; j < o->n_place; j++) {
        struct fit_placement *p = &o->place[j];
        struct pkt_hello h2;
        if (guided)
            snprintf(line, sizeof line,
                     "Step %zu/%zu: place %g kg at marked point %zu (x %+.3f m, y %+.3f m), step "
                     "off the deck",
                     step++, steps, p->mass_kg, j + 1, p->x_m, p->y_m);
        else
            snprintf(line, sizeof line,
                     "Step %zu/%zu: place %g kg at x %+.3f m, y %+.3f m, step off the deck", step++,
                     steps, p->mass_kg, p->x_m, p->y_m);
        struct source_load load = {p->mass_kg, p->x_m, p->y_m};
        if (capture_still(o, src, &load, 1, line, &h2, &w, true) != GC_OK) {
            free(cf);
            return 1;
        }
        double loaded[PKT_CELLS], after[PKT_CELLS];
        memcpy(loaded, w.mean_counts, sizeof loaded);
        memcpy(after, zero, sizeof after);
        if (!o->no_tare) {
            snprintf(line, sizeof line, "Step %zu/%zu: remove the mass and clear the deck", step++,
                     steps);
            if (capture_still(o, src, NULL, 0, line, &h2, &w, true) != GC_OK) {
                free(cf);
                return 1;
            }
            memcpy(after, w.mean_counts, sizeof after);
        }
        double step_n = 0.0;
        for (unsigned i = 0; i < PKT_CELLS; i++) {
            double ref = 0.5 * (prev[i] + after[i]);
            p->mean_counts[i] = loaded[i] - ref + zero[i];
            step_n += (after[i] - prev[i]) * hello.cell_n_per_count;
        }
        max_tare_step_n = fmax(max_tare_step_n, fabs(step_n));
        memcpy(prev, after, sizeof prev);
    }
    if (!o->no_tare)
        printf("empty-deck reading moved by up to %.2f N between placements\n", max_tare_step_n);
    if (o->prompt && o->no_tare)
        printf("Remove the mass from the deck.\n");

    struct fit_span_limits lim;
    fit_span_limits_default(&lim);
    struct fit_span_result res;
    rc = fit_span(o->place, o->n_place, hello.cell_n_per_count, &lim, &cf->deck, &res, &diag);
    if (rc != GC_OK) {
        fprintf(stderr, "calib: %s; no file written.\n", diag.msg);
        /* Drift of the empty deck larger than the fit's force limit is the
         * likelier cause than a wrong mass: say so. */
        double w_min = o->place[0].mass_kg;
        for (size_t j = 1; j < o->n_place; j++)
            w_min = fmin(w_min, o->place[j].mass_kg);
        if (max_tare_step_n > 0.5 * lim.max_force_resid * w_min * GC_G_MPS2)
            fprintf(stderr,
                    "calib: note: the empty-deck reading drifted by up to %.1f N between "
                    "placements; let the deck settle (belt stopped, sensor warmed up) or use a "
                    "heavier mass.\n",
                    max_tare_step_n);
        free(cf);
        return 1;
    }
    printf("\n cell  corner        offset_counts   n_per_count    vs nominal\n");
    for (unsigned i = 0; i < PKT_CELLS; i++)
        printf("  %u    %-12s  %13.1f   %.6e   %+6.2f %%\n", i, fit_corner_name(&cf->deck, i),
               cf->deck.cell[i].offset_counts, cf->deck.cell[i].n_per_count,
               100.0 * res.gain_rel[i]);
    printf("\n  #   mass kg   x m      y m      force residual   COP residual\n");
    cf->n_placements = (unsigned)o->n_place;
    for (size_t j = 0; j < o->n_place; j++) {
        const struct fit_residual *r = &res.resid[j];
        printf("  %-3zu %7.2f  %+.3f   %+.3f   %+8.3f N %+6.3f %%  %6.2f mm\n", j + 1,
               o->place[j].mass_kg, o->place[j].x_m, o->place[j].y_m, r->force_n,
               100.0 * r->force_rel, 1e3 * r->cop_m);
        struct calfile_placement *cp = &cf->placement[j];
        cp->mass_kg = o->place[j].mass_kg;
        cp->x_m = o->place[j].x_m;
        cp->y_m = o->place[j].y_m;
        memcpy(cp->mean_counts, o->place[j].mean_counts, sizeof cp->mean_counts);
        cp->resid_force_n = r->force_n;
        cp->resid_cop_mm = 1e3 * r->cop_m;
    }
    cf->span_condition = res.condition;
    cf->span_rms_force_n = res.rms_force_n;
    cf->span_max_force_pct = 100.0 * res.max_abs_force_rel;
    cf->span_rms_cop_mm = 1e3 * res.rms_cop_m;
    cf->span_max_cop_mm = 1e3 * res.max_cop_m;
    printf("fit: condition %.2f, rms force residual %.3f N, rms COP residual %.2f mm\n\n",
           res.condition, res.rms_force_n, 1e3 * res.rms_cop_m);
    rc = save(o, cf);
    free(cf);
    return rc;
}

/* Base calibration for zero/imu/verify: --calibration FILE or the newest
 * of the connected sensor. */
static int load_base(const struct opts *o, const char *serial, struct calfile *cf, char *path,
                     size_t path_cap)
{
    struct gc_diag diag;
    char dir[CALFILE_PATH_LEN];
    if (o->calibration) {
        snprintf(path, path_cap, "%s", o->calibration);
    } else if (calstore_dir(dir, sizeof dir, &diag) != GC_OK) {
        fprintf(stderr, "calib: %s: give --calibration FILE.\n", diag.msg);
        return 1;
    } else if (calfile_find_newest(dir, serial, path, path_cap, &diag) != GC_OK) {
        /* The history's own sentence names the folder; calib knows what to
         * do about it. */
        if (diag.code == GC_ERR_NOT_FOUND)
            fprintf(stderr,
                    "calib: there is no calibration for sensor %s yet: run calib span first, or "
                    "give --calibration FILE.\n",
                    serial);
        else
            fprintf(stderr, "calib: %s: give --calibration FILE.\n", diag.msg);
        return 1;
    }
    int rc = calfile_load(path, serial, o->allow_other ? CALFILE_ALLOW_OTHER_SERIAL : 0, cf, &diag);
    if (rc != GC_OK) {
        fprintf(stderr, "calib: %s%s\n", diag.msg, gc_sentence_end(diag.msg));
        return 1;
    }
    if (gc_diag_is_warning(&diag))
        fprintf(stderr, "calib: warning: %s%s\n", diag.msg, gc_sentence_end(diag.msg));
    if (calfile_is_stale(cf, time(NULL), CALFILE_DEFAULT_MAX_AGE_DAYS, &diag))
        fprintf(stderr, "calib: warning: %s%s\n", diag.msg, gc_sentence_end(diag.msg));
    return 0;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int cmd_update(struct opts *o, struct source *src, bool zero)
{
    char opname[CALFILE_TEXT_LEN];
    int rc = ask_operator(o, opname, sizeof opname);
    if (rc)
        return rc;
    struct pkt_hello hello;
    struct fit_window w;
    const char *what = zero ? "Clear the deck (belt stopped, nobody and nothing on it)"
                            : "Stop the belt and keep off the deck";
    if (capture_still(o, src, NULL, 0, what, &hello, &w, zero) != GC_OK)
        return 1;
    struct calfile *cf = malloc(sizeof *cf);
    if (!cf)
        return 1;
    char path[CALFILE_PATH_LEN];
    if (load_base(o, hello.serial, cf, path, sizeof path)) {
        free(cf);
        return 1;
    }
    if (zero) {
        struct fit_still_limits still;
        fit_still_limits_default(&still);
        struct deck_cal before = cf->deck;
        struct gc_diag diag;
        if (fit_zero(&w, &still, &cf->deck, &diag) != GC_OK) {
            fprintf(stderr, "calib: %s; no file written.\n", diag.msg);
            free(cf);
            return 1;
        }
        for (unsigned i = 0; i < PKT_CELLS; i++)
            printf("cell %u: offset %.1f -> %.1f counts (%+.2f N)\n", i,
                   before.cell[i].offset_counts, cf->deck.cell[i].offset_counts,
                   (cf->deck.cell[i].offset_counts - before.cell[i].offset_counts) *
                       cf->deck.cell[i].n_per_count);
        cf->zero_samples = (unsigned)w.n;
        cf->zero_std_n = w.total_std_n;
        cf->zero_drift_n = w.total_drift_n;
    } else if (apply_imu(cf, &w, &hello) != 0) {
        free(cf);
        return 1;
    }
    /* The new file records who and when; the rest carries over, with the
     * file it was based on named. */
    fill_header(o, &hello, cf, zero ? "zero" : "imu");
    snprintf(cf->based_on, sizeof cf->based_on, "%.63s", base_name(path));
    cf->verify_present = false;
    rc = save(o, cf);
    free(cf);
    return rc;
}

static void add_result(cJSON *obj, const char *name, const struct fit_verify_result *r)
{
    cJSON *o = cJSON_AddObjectToObject(obj, name);
    cJSON_AddNumberToObject(o, "fz_n", r->fz_n);
    cJSON_AddNumberToObject(o, "force_err_n", r->force_err_n);
    cJSON_AddNumberToObject(o, "force_err_pct", r->force_err_pct);
    cJSON_AddNumberToObject(o, "copx_m", r->copx_m);
    cJSON_AddNumberToObject(o, "copy_m", r->copy_m);
    cJSON_AddNumberToObject(o, "cop_err_mm", 1e3 * r->cop_err_m);
}

static int cmd_verify(struct opts *o, struct source *src)
{
    const struct fit_placement *p = &o->place[0];
    struct pkt_hello hello;
    struct fit_window w;
    char line[160];
    snprintf(line, sizeof line, "Place %g kg at x %+.3f m, y %+.3f m, step off the deck",
             p->mass_kg, p->x_m, p->y_m);
    /* Tare first (unless --no-tare): the station zeroes its baseline on
     * the unloaded deck too, so the calibrated gains are what is checked,
     * not the drift since the calibration. */
    struct fit_window tare_w;
    bool tared = false;
    if (!o->no_tare) {
        if (capture_still(o, src, NULL, 0,
                          o->json ? NULL : "Clear the deck (nobody and nothing on it)", &hello,
                          &tare_w, true) != GC_OK)
            return 1;
        tared = true;
    }
    struct source_load load = {p->mass_kg, p->x_m, p->y_m};
    if (capture_still(o, src, &load, 1, o->json ? NULL : line, &hello, &w, true) != GC_OK)
        return 1;
    struct calfile *cf = malloc(sizeof *cf);
    if (!cf)
        return 1;
    char path[CALFILE_PATH_LEN];
    if (load_base(o, hello.serial, cf, path, sizeof path)) {
        free(cf);
        return 1;
    }
    struct gc_diag diag;
    if (fit_placement_check(&cf->deck, p->mass_kg, p->x_m, p->y_m, &diag) != GC_OK) {
        fprintf(stderr, "calib: %s%s\n", diag.msg, gc_sentence_end(diag.msg));
        free(cf);
        return 1;
    }
    if (tared)
        for (unsigned i = 0; i < PKT_CELLS; i++)
            cf->deck.cell[i].offset_counts = tare_w.mean_counts[i];
    struct deck_cal nominal, zeroed = cf->deck;
    cal_from_hello(&hello, &nominal);
    for (unsigned i = 0; i < PKT_CELLS; i++)
        zeroed.cell[i].n_per_count = hello.cell_n_per_count;
    struct fit_verify_result rc_cal, rc_nom, rc_zero;
    if (fit_verify(&cf->deck, w.mean_counts, p->mass_kg, p->x_m, p->y_m, &rc_cal, &diag) != GC_OK ||
        fit_verify(&nominal, w.mean_counts, p->mass_kg, p->x_m, p->y_m, &rc_nom, &diag) != GC_OK ||
        fit_verify(&zeroed, w.mean_counts, p->mass_kg, p->x_m, p->y_m, &rc_zero, &diag) != GC_OK) {
        fprintf(stderr, "calib: %s%s\n", diag.msg, gc_sentence_end(diag.msg));
        free(cf);
        return 1;
    }
    bool pass = fabs(rc_cal.force_err_pct) <= o->tol_pct && 1e3 * rc_cal.cop_err_m <= o->tol_mm;
    char desc[200];
    calfile_describe(cf, time(NULL), desc, sizeof desc);
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "serial", hello.serial);
        cJSON_AddStringToObject(j, "calibration", path);
        cJSON_AddBoolToObject(j, "tared", tared);
        cJSON_AddNumberToObject(j, "mass_kg", p->mass_kg);
        cJSON_AddNumberToObject(j, "x_m", p->x_m);
        cJSON_AddNumberToObject(j, "y_m", p->y_m);
        cJSON_AddNumberToObject(j, "weight_n", p->mass_kg * GC_G_MPS2);
        add_result(j, "calibrated", &rc_cal);
        add_result(j, "uncalibrated", &rc_nom);
        add_result(j, "nominal_gain_zeroed", &rc_zero);
        cJSON_AddNumberToObject(j, "tolerance_pct", o->tol_pct);
        cJSON_AddNumberToObject(j, "tolerance_mm", o->tol_mm);
        cJSON_AddBoolToObject(j, "pass", pass);
        char *s = cJSON_Print(j);
        if (s)
            printf("%s\n", s);
        cJSON_free(s);
        cJSON_Delete(j);
    } else {
        printf("calibration: %s\n  %s\n", path, desc);
        printf("known load: %g kg (%.2f N) at x %+.3f m, y %+.3f m\n\n", p->mass_kg,
               p->mass_kg * GC_G_MPS2, p->x_m, p->y_m);
        printf("                              force N    error        COP x m  COP y m  COP "
               "error\n");
        const struct fit_verify_result *rows[] = {&rc_nom, &rc_zero, &rc_cal};
        const char *names[] = {"uncalibrated (nominal, no zero)",
                               tared ? "nominal gain, tared" : "nominal gain, file's zero",
                               tared ? "calibrated, tared" : "calibrated"};
        for (unsigned k = 0; k < 3; k++)
            printf("  %-30s %8.2f  %+7.3f %%    %+.4f  %+.4f  %6.2f mm\n", names[k], rows[k]->fz_n,
                   rows[k]->force_err_pct, rows[k]->copx_m, rows[k]->copy_m,
                   1e3 * rows[k]->cop_err_m);
        printf("\n%s: calibrated error %.3f %% (limit %.2f %%), COP %.2f mm (limit %.1f mm)\n",
               pass ? "PASS" : "FAIL", fabs(rc_cal.force_err_pct), o->tol_pct,
               1e3 * rc_cal.cop_err_m, o->tol_mm);
    }
    free(cf);
    if (!pass)
        fprintf(stderr,
                "calib: the reading is outside the tolerance: check the mass and point, then "
                "recalibrate with calib span.\n");
    return pass ? 0 : 1;
}

static int cmd_show(const struct opts *o)
{
    struct calfile *cf = malloc(sizeof *cf);
    if (!cf)
        return 1;
    struct gc_diag diag;
    if (calfile_load(o->show_file, NULL, 0, cf, &diag) != GC_OK) {
        fprintf(stderr, "calib: %s%s\n", diag.msg, gc_sentence_end(diag.msg));
        free(cf);
        return 1;
    }
    char desc[200];
    calfile_describe(cf, time(NULL), desc, sizeof desc);
    printf("%s: %s, format %d, %s\n", o->show_file, desc, cf->format_version, cf->kind);
    for (unsigned i = 0; i < PKT_CELLS; i++)
        printf("  cell %u at (%+.3f, %+.3f) m: offset %.1f counts, %.6e N/count\n", i,
               cf->deck.cell[i].x_m, cf->deck.cell[i].y_m, cf->deck.cell[i].offset_counts,
               cf->deck.cell[i].n_per_count);
    printf("  span: %u placements, rms residual %.3f N / %.2f mm\n", cf->n_placements,
           cf->span_rms_force_n, cf->span_rms_cop_mm);
    if (cf->imu_present)
        printf("  imu: tilt %.2f deg, gyro bias %+.3f %+.3f %+.3f deg/s\n", cf->imu_tilt_deg,
               cf->imu_gyro_bias_dps[0], cf->imu_gyro_bias_dps[1], cf->imu_gyro_bias_dps[2]);
    if (calfile_is_stale(cf, time(NULL), CALFILE_DEFAULT_MAX_AGE_DAYS, &diag))
        printf("  warning: %s\n", diag.msg);
    free(cf);
    return 0;
}

int main(int argc, char **argv)
{
    log_set_program("calib");
    /* Line-buffered so instructions and error sentences keep their order
     * when both streams go to one log. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct opts *o = malloc(sizeof *o);
    if (!o)
        return 1;
    int rc = parse_args(argc, argv, o);
    if (rc) {
        free(o);
        return rc;
    }
    if (!strcmp(o->cmd, "show")) {
        rc = cmd_show(o);
        free(o);
        return rc;
    }
    struct source *src = NULL;
    struct gc_diag diag;
    if (source_open(&o->src, &src, &diag) != GC_OK) {
        fprintf(stderr, "calib: %s%s\n", diag.msg, gc_sentence_end(diag.msg));
        free(o);
        return 1;
    }
    if (!strcmp(o->cmd, "span"))
        rc = cmd_span(o, src);
    else if (!strcmp(o->cmd, "zero"))
        rc = cmd_update(o, src, true);
    else if (!strcmp(o->cmd, "imu"))
        rc = cmd_update(o, src, false);
    else
        rc = cmd_verify(o, src);
    source_close(src);
    free(o);
    return rc;
}
