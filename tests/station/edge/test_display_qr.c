/*
 * test_display_qr.c - the web console's QR code on the therapist panel,
 * read back from the rendered frame: the white square (code + 4-module
 * quiet zone) is found in the screenshot, and every module's centre pixel
 * must match the code of the URL (qr_encode; test_qr checks that code's
 * structure).  No URL, no QR.  The panel alone (--panel-window) fills its
 * window: the panel's amber edge at the left, no runner's display, a
 * larger code.
 * GC_DOC_IMG_DIR=DIR keeps the two frames as DIR/feedback-panel-qr.png and
 * DIR/feedback-panel-window.png (the pictures in docs/feedback.md).
 */
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "display.h"
#include "qr.h"

#define URL "http://192.168.100.200:8088/?token=0123456789abcdef0123456789abcdef"

struct shot {
    cairo_surface_t *s;
    const unsigned char *px;
    int w, h, stride;
};

static int load(const char *path, struct shot *sh)
{
    sh->s = cairo_image_surface_create_from_png(path);
    if (cairo_surface_status(sh->s) != CAIRO_STATUS_SUCCESS)
        return -1;
    sh->px = cairo_image_surface_get_data(sh->s);
    sh->w = cairo_image_surface_get_width(sh->s);
    sh->h = cairo_image_surface_get_height(sh->s);
    sh->stride = cairo_image_surface_get_stride(sh->s);
    return 0;
}

static unsigned rgb(const struct shot *sh, int x, int y)
{
    uint32_t v;
    memcpy(&v, sh->px + (size_t)y * (size_t)sh->stride + (size_t)x * 4, 4);
    return v & 0xffffffu;
}

/* Renders the model offscreen at w x h and loads the PNG. */
static int render(const struct display_model *m, int w, int h, bool panel_only, struct shot *sh,
                  const char *doc_name)
{
    struct display_config cfg;
    display_config_default(&cfg);
    cfg.backend = DISPLAY_OFFSCREEN;
    cfg.width = w;
    cfg.height = h;
    cfg.panel_only = panel_only;
    struct gc_diag ed;
    const char *err = ed.msg;
    struct display *d;
    CHECK_EQ(display_new(&cfg, &d, &ed), GC_OK);
    if (!d) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    char path[] = "/tmp/gc-test-qr-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    int rc = display_render(d, m) == GC_OK && display_screenshot(d, path) == GC_OK ? 0 : -1;
    const char *doc = getenv("GC_DOC_IMG_DIR");
    if (rc == 0 && doc && doc_name) {
        char out[1024];
        snprintf(out, sizeof out, "%s/%s", doc, doc_name);
        rc = display_screenshot(d, out) == GC_OK ? 0 : -1;
    }
    display_free(d);
    if (rc == 0)
        rc = load(path, sh);
    unlink(path);
    return rc;
}

/* The pure white square's bounding box; returns the number of white pixels. */
static long white_box(const struct shot *sh, int *x0, int *y0, int *x1, int *y1)
{
    long n = 0;
    *x0 = *y0 = 1 << 30;
    *x1 = *y1 = -1;
    for (int y = 0; y < sh->h; y++)
        for (int x = 0; x < sh->w; x++)
            if (rgb(sh, x, y) == 0xffffff) {
                n++;
                *x0 = x < *x0 ? x : *x0;
                *y0 = y < *y0 ? y : *y0;
                *x1 = x > *x1 ? x : *x1;
                *y1 = y > *y1 ? y : *y1;
            }
    return n;
}

/* Every module of the code read back from the frame equals the URL's. */
static void check_code(const struct shot *sh, int *module_px)
{
    int x0, y0, x1, y1;
    long n = white_box(sh, &x0, &y0, &x1, &y1);
    CHECK(n > 1000);
    if (n <= 1000)
        return; /* no code in the frame: nothing to read */
    static struct qr_code q;
    CHECK(qr_encode(URL, &q, NULL) == GC_OK);
    int side = x1 - x0 + 1;
    CHECK_EQ(side, y1 - y0 + 1); /* square */
    int modules = q.width + 8;
    CHECK_EQ(side % modules, 0); /* whole pixels per module */
    int mod = side / modules;
    *module_px = mod;
    int wrong = 0;
    for (int r = 0; r < q.width; r++)
        for (int c = 0; c < q.width; c++) {
            int x = x0 + (4 + c) * mod + mod / 2, y = y0 + (4 + r) * mod + mod / 2;
            int dark = rgb(sh, x, y) != 0xffffff;
            wrong += dark != q.dark[r * q.width + c];
        }
    CHECK_EQ(wrong, 0);
}

int main(void)
{
    static struct display_model m;
    memset(&m, 0, sizeof m);
    m.session.phase = 0;
    m.session.n_phases = 1;
    snprintf(m.session.phase_name, sizeof m.session.phase_name, "training");
    m.session.targets.cadence_spm = 172;
    m.session.targets.cadence_lo_spm = 167.7;
    m.session.targets.cadence_hi_spm = 176.3;
    m.session.targets.valr_ceiling_bw_s = 66;
    m.session.kind = PLAN_KIND_TRAINING;
    m.session.phase_s = 252;
    m.session.phase_left_s = 348;
    m.session.body_weight_n = 608;
    m.session.baseline.valid = true;
    m.session.baseline.cadence_spm = 160;
    m.session.steps = 843;
    m.session.steps_scored = 520;
    m.session.steps_in_band = 406;
    m.session.share_in_band = 406.0 / 520.0;
    m.session.targets.feedback = PLAN_FB_CONTINUOUS;
    m.fb.cadence_spm = 170;
    m.fb.phase = FEEDBACK_PHASE_TRAINING;
    m.fb.band = FEEDBACK_BAND_IN;
    m.fb.feedback_on = true;
    m.fb.metronome_on = true;
    m.fb.metronome_spm = 172;
    m.fb.impact_ceiling_bw = NAN;
    m.fb.last_valr_bw_s = 58;
    m.fb.fade_next_s = NAN;
    m.volume = 0.8;
    snprintf(m.cue_set, sizeof m.cue_set, "tones");
    snprintf(m.audio_device, sizeof m.audio_device, "default");
    m.audio_latency_ms = 5.3;
    m.link_ok = true;
    snprintf(m.link, sizeof m.link, "sensor SIM-00000001: 1000 Hz, link streaming");
    snprintf(m.note, sizeof m.note, "4:10 set target-cadence=172.0 (web)");
    m.panel = true;
    snprintf(m.patient, sizeof m.patient, "P-0042");

    struct shot sh;
    /* no URL: nothing pure white in the frame (text is #f2f5f7) */
    CHECK(render(&m, 1280, 720, false, &sh, NULL) == 0);
    int x0, y0, x1, y1;
    CHECK_EQ(white_box(&sh, &x0, &y0, &x1, &y1), 0);
    cairo_surface_destroy(sh.s);

    /* with the URL: the code in the panel's top right corner */
    snprintf(m.web_url, sizeof m.web_url, "%s", URL);
    CHECK(render(&m, 1280, 720, false, &sh, "feedback-panel-qr.png") == 0);
    int mod = 0;
    check_code(&sh, &mod);
    CHECK_EQ(mod, 3); /* 1.8 u = 144 px at 1280 x 720: 45 modules of 3 px */
    white_box(&sh, &x0, &y0, &x1, &y1);
    CHECK(x0 > 1280 / 2 && x1 < 1280 && y0 < 720 / 3); /* right half, top */
    cairo_surface_destroy(sh.s);

    /* the panel alone in its own window: larger, and nothing of the runner's */
    CHECK(render(&m, 800, 760, true, &sh, "feedback-panel-window.png") == 0);
    check_code(&sh, &mod);
    CHECK(mod >= 4);
    /* the panel's amber edge runs down its left side */
    int amber = 0;
    for (int y = 0; y < sh.h; y++)
        for (int x = 0; x < 40; x++)
            amber += rgb(&sh, x, y) == 0xf5a623;
    CHECK(amber > sh.h / 2 * 4);
    cairo_surface_destroy(sh.s);
    return check_exit();
}
