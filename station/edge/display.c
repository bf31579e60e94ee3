/*
 * display.c - the runner's display (see display.h).
 *
 * Layout works in a 16 x 9 grid of square units u = min(W/16, H/9),
 * centred in the window, so every element scales with the window and the
 * big numbers stay big: at 1280 x 720, u = 80 px and the cadence digits
 * are 2.6 u = 208 px tall, about 6 cm on a 32" screen - readable at 3 m
 * (a 20/40 letter at 3 m is ~9 mm).
 */
#define LOG_PREFIX "display"
#include "display.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <cairo.h>
#include <math.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_error.h"
#include "log.h"

#define FONT_CACHE 24

struct font_slot {
    int px;
    bool bold;
    TTF_Font *f;
};

struct display {
    struct display_config cfg;
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Surface *surf; /* offscreen target */
    bool sdl_video, ttf;
    char font_regular[512], font_bold[512];
    struct font_slot fonts[FONT_CACHE];
    int w, h;
    bool fullscreen;
    bool have_model;
    struct display_model last;
    unsigned long frames;
};

struct rgb {
    Uint8 r, g, b;
};

static const struct rgb C_BG = {0x0f, 0x14, 0x1a};
static const struct rgb C_PANEL = {0x1b, 0x23, 0x2c};
static const struct rgb C_TEXT = {0xf2, 0xf5, 0xf7};
static const struct rgb C_DIM = {0x8a, 0x96, 0xa3};
static const struct rgb C_GREEN = {0x2e, 0xcc, 0x71};
static const struct rgb C_AMBER = {0xf5, 0xa6, 0x23};
static const struct rgb C_BLUE = {0x4a, 0xa3, 0xff};
static const struct rgb C_RED = {0xff, 0x4d, 0x4d};
static const struct rgb C_GREY = {0x5c, 0x66, 0x70};
static const struct rgb C_BAND = {0x1f, 0x5c, 0x3a};

void display_config_default(struct display_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->backend = DISPLAY_WINDOW;
    cfg->width = 1280;
    cfg->height = 720;
    cfg->vsync = true;
    cfg->title = "gaitcue";
}

/* key TAB action, one per line: drawn as a two-column table in the panel */
const char *display_key_help(void)
{
    return "Up/Down\ttarget \xc2\xb1"
           "1 spm\n"
           "Left/Right\tband \xc2\xb1"
           "0.5 %\n"
           "PgUp/Dn\tceiling \xc2\xb1"
           "2 BW/s\n"
           "F\tfeedback mode\n"
           "K\tmetronome\n"
           "M\tmute\n"
           "B\tbaseline\n"
           "R\tretention\n"
           "Space\tmarker\n"
           "0-9\tpain score\n"
           "Tab/H\tthis panel\n"
           "F11\tfull screen\n"
           "Esc/Q\tquit";
}

/* ---- fonts ---------------------------------------------------------------- */

static bool file_exists(const char *p)
{
    FILE *f = fopen(p, "rb");
    if (f)
        fclose(f);
    return f != NULL;
}

static bool find_fonts(struct display *d)
{
    static const char *const dirs[] = {
        "/usr/share/fonts/truetype/dejavu",   /* Debian, Ubuntu: fonts-dejavu-core */
        "/usr/share/fonts/dejavu-sans-fonts", /* Fedora */
        "/usr/share/fonts/dejavu",            /* older Fedora, Alpine */
        "/usr/share/fonts/TTF",               /* Arch */
    };
    const char *list[5];
    size_t n = 0;
    if (d->cfg.font_dir)
        list[n++] = d->cfg.font_dir;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        list[n++] = dirs[i];
    for (size_t i = 0; i < n; i++) {
        snprintf(d->font_regular, sizeof d->font_regular, "%s/DejaVuSans.ttf", list[i]);
        snprintf(d->font_bold, sizeof d->font_bold, "%s/DejaVuSans-Bold.ttf", list[i]);
        if (file_exists(d->font_regular) && file_exists(d->font_bold))
            return true;
    }
    return false;
}

static TTF_Font *font(struct display *d, int px, bool bold)
{
    if (px < 6)
        px = 6;
    for (int i = 0; i < FONT_CACHE; i++)
        if (d->fonts[i].f && d->fonts[i].px == px && d->fonts[i].bold == bold)
            return d->fonts[i].f;
    int slot = -1;
    for (int i = 0; i < FONT_CACHE && slot < 0; i++)
        if (!d->fonts[i].f)
            slot = i;
    if (slot < 0) { /* full (many resizes): start over */
        for (int i = 0; i < FONT_CACHE; i++) {
            TTF_CloseFont(d->fonts[i].f);
            d->fonts[i].f = NULL;
        }
        slot = 0;
    }
    TTF_Font *f = TTF_OpenFont(bold ? d->font_bold : d->font_regular, px);
    if (!f)
        return NULL;
    TTF_SetFontHinting(f, TTF_HINTING_LIGHT);
    d->fonts[slot] = (struct font_slot){px, bold, f};
    return f;
}

/* ---- drawing primitives ----------------------------------------------------- */

enum align { AL_LEFT, AL_CENTER, AL_RIGHT };

static void color(struct display *d, struct rgb c, Uint8 a)
{
    SDL_SetRenderDrawColor(d->ren, c.r, c.g, c.b, a);
}

static void fill_rect(struct display *d, float x, float y, float w, float h, struct rgb c, Uint8 a)
{
    color(d, c, a);
    SDL_FRect r = {x, y, w, h};
    SDL_RenderFillRectF(d->ren, &r);
}

/* Draws text with its top at y; returns the width drawn (0 if none). */
static int text(struct display *d, const char *s, float x, float y, int px, bool bold,
                enum align al, struct rgb c)
{
    if (!s || !*s)
        return 0;
    TTF_Font *f = font(d, px, bold);
    if (!f)
        return 0;
    SDL_Color col = {c.r, c.g, c.b, 255};
    SDL_Surface *s1 = TTF_RenderUTF8_Blended(f, s, col);
    if (!s1)
        return 0;
    SDL_Texture *t = SDL_CreateTextureFromSurface(d->ren, s1);
    int w = s1->w, h = s1->h;
    SDL_FreeSurface(s1);
    if (!t)
        return 0;
    float x0 = al == AL_LEFT ? x : al == AL_CENTER ? x - w / 2.0f : x - (float)w;
    SDL_FRect dst = {floorf(x0), floorf(y), (float)w, (float)h};
    SDL_RenderCopyF(d->ren, t, NULL, &dst);
    SDL_DestroyTexture(t);
    return w;
}

/* Width of s at this size, pixels (0 if it cannot be measured). */
static int text_width(struct display *d, const char *s, int px, bool bold)
{
    TTF_Font *f = font(d, px, bold);
    int w = 0, h = 0;
    if (!f || !s || !*s || TTF_SizeUTF8(f, s, &w, &h) != 0)
        return 0;
    return w;
}

/* Shorten s (ASCII-safe: cuts at a byte before a UTF-8 lead byte) with
 * "..." until it fits in max_w pixels. */
static void fit_width(struct display *d, char *s, int px, bool bold, float max_w)
{
    size_t n = strlen(s);
    while (n > 3 && text_width(d, s, px, bold) > max_w) {
        n--;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        s[n] = '\0';
        if (n > 3)
            memcpy(s + n - 3, "...", 3);
    }
}

/* The key table: "key<TAB>action" lines laid out in two columns of
 * (key, action) pairs; returns the height used. */
static float key_table(struct display *d, const char *s, float x, float y, float colw, float keyw,
                       int px)
{
    char line[128];
    int i = 0, rows = 0;
    const char *p = s;
    while (*p) { /* count lines for the column split */
        rows += *p == '\n';
        p++;
    }
    rows = (rows + 1 + 1) / 2;
    while (*s) {
        size_t n = strcspn(s, "\n");
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line - 1 ? n : sizeof line - 1), s);
        char *tab = strchr(line, '\t');
        float cx = x + (float)(i / rows) * colw, cy = y + (float)(i % rows) * px * 1.3f;
        if (tab) {
            *tab = 0;
            text(d, line, cx, cy, px, true, AL_LEFT, C_TEXT);
            text(d, tab + 1, cx + keyw, cy, px, false, AL_LEFT, C_DIM);
        }
        i++;
        s += n;
        if (*s == '\n')
            s++;
    }
    return (float)rows * px * 1.3f;
}

static void geometry(struct display *d, const SDL_Vertex *v, int n)
{
    SDL_RenderGeometry(d->ren, NULL, v, n, NULL, 0);
}

static SDL_Vertex vert(float x, float y, struct rgb c)
{
    SDL_Vertex v = {{x, y}, {c.r, c.g, c.b, 255}, {0, 0}};
    return v;
}

/* A filled circle with a one-pixel feathered rim (alpha from opaque to
 * clear), so edges look smooth on the software renderer too. */
static void fill_circle(struct display *d, float cx, float cy, float r, struct rgb c)
{
    enum { SEG = 48 };
    SDL_Vertex v[SEG * 9];
    float ri = r - 0.5f, ro = r + 0.75f;
    for (int i = 0; i < SEG; i++) {
        double a0 = 2 * M_PI * i / SEG, a1 = 2 * M_PI * (i + 1) / SEG;
        float c0 = (float)cos(a0), s0 = (float)sin(a0), c1 = (float)cos(a1), s1 = (float)sin(a1);
        SDL_Vertex *t = v + 9 * i;
        t[0] = vert(cx, cy, c);
        t[1] = vert(cx + ri * c0, cy + ri * s0, c);
        t[2] = vert(cx + ri * c1, cy + ri * s1, c);
        t[3] = vert(cx + ri * c0, cy + ri * s0, c);
        t[4] = vert(cx + ro * c0, cy + ro * s0, c);
        t[5] = vert(cx + ri * c1, cy + ri * s1, c);
        t[6] = vert(cx + ri * c1, cy + ri * s1, c);
        t[7] = vert(cx + ro * c0, cy + ro * s0, c);
        t[8] = vert(cx + ro * c1, cy + ro * s1, c);
        t[4].color.a = t[7].color.a = t[8].color.a = 0;
    }
    SDL_SetRenderDrawBlendMode(d->ren, SDL_BLENDMODE_BLEND);
    geometry(d, v, SEG * 9);
    SDL_SetRenderDrawBlendMode(d->ren, SDL_BLENDMODE_NONE);
}

/* Triangle of height ~2r centred on (cx, cy), apex up or down. */
static void fill_triangle(struct display *d, float cx, float cy, float r, bool up, struct rgb c)
{
    float s = up ? 1.0f : -1.0f;
    SDL_Vertex v[3] = {vert(cx, cy - s * r, c), vert(cx - r * 1.05f, cy + s * r * 0.85f, c),
                       vert(cx + r * 1.05f, cy + s * r * 0.85f, c)};
    geometry(d, v, 3);
}

static void fill_square(struct display *d, float cx, float cy, float r, struct rgb c)
{
    fill_rect(d, cx - r * 0.85f, cy - r * 0.85f, r * 1.7f, r * 1.7f, c, 255);
}

static struct rgb band_color(enum feedback_band b)
{
    switch (b) {
    case FEEDBACK_BAND_IN:
        return C_GREEN;
    case FEEDBACK_BAND_LOW:
        return C_AMBER;
    case FEEDBACK_BAND_HIGH:
        return C_BLUE;
    default:
        return C_GREY;
    }
}

/* The band's shape: circle in, triangle up (quicker) below, down above,
 * a small ring when unknown. */
static void band_shape(struct display *d, enum feedback_band b, float cx, float cy, float r)
{
    struct rgb c = band_color(b);
    if (b == FEEDBACK_BAND_IN)
        fill_circle(d, cx, cy, r, c);
    else if (b == FEEDBACK_BAND_LOW)
        fill_triangle(d, cx, cy, r, true, c);
    else if (b == FEEDBACK_BAND_HIGH)
        fill_triangle(d, cx, cy, r, false, c);
    else {
        fill_circle(d, cx, cy, r * 0.6f, c);
        fill_circle(d, cx, cy, r * 0.35f, C_BG);
    }
}

static void clock_str(char *buf, size_t cap, double s)
{
    if (!(s >= 0))
        s = 0;
    long t = (long)floor(s);
    if (t >= 3600)
        snprintf(buf, cap, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
    else
        snprintf(buf, cap, "%ld:%02ld", t / 60, t % 60);
}

/* ---- the frame ------------------------------------------------------------ */

struct layout {
    float u, x0, y0;   /* unit and the 16:9 box origin */
    float top, bottom; /* header and footer rows: pinned to the window edges */
};

static float X(const struct layout *L, float gx)
{
    return L->x0 + gx * L->u;
}

static float Y(const struct layout *L, float gy)
{
    return L->y0 + gy * L->u;
}

static int PX(const struct layout *L, float gu)
{
    return (int)lrintf(gu * L->u);
}

/* The phase as the runner reads it: its kind in capitals. */
static const char *phase_label(const struct session_view *sv)
{
    if (sv->phase < 0)
        return "STARTING";
    if (sv->ended)
        return "DONE";
    switch (sv->kind) {
    case PLAN_KIND_WEIGH_IN:
        return "STAND STILL";
    case PLAN_KIND_BASELINE:
        return "BASELINE";
    case PLAN_KIND_TRAINING:
        return "TRAINING";
    case PLAN_KIND_RETENTION:
        return "RETENTION";
    case PLAN_KIND_WALK:
        return "WALK";
    case PLAN_KIND_RUN:
        return "RUN";
    }
    return "";
}

static void draw_header(struct display *d, const struct layout *L, const struct display_model *m)
{
    const struct feedback_view *v = &m->fb;
    const struct session_view *sv = &m->session;
    char buf[96], t[32];
    fill_rect(d, 0, 0, (float)d->w, L->top + L->u * 0.95f, C_PANEL, 255);
    bool interval = sv->intervals > 0 && !sv->ended && sv->phase >= 0;
    if (interval) {
        /* walk-run: RUN 2/4 or WALK 2/4 and the interval clock, counting down */
        clock_str(t, sizeof t, ceil(sv->phase_left_s));
        snprintf(buf, sizeof buf, "%s %d/%d  %s", phase_label(sv), sv->interval, sv->intervals, t);
        text(d, buf, X(L, 0.3f), (L->top + 0.18f * L->u), PX(L, 0.5f), true, AL_LEFT,
             sv->kind == PLAN_KIND_RUN ? C_AMBER : C_BLUE);
    } else {
        if (isfinite(sv->phase_left_s))
            clock_str(t, sizeof t, ceil(sv->phase_left_s)); /* time left in the phase */
        else
            clock_str(t, sizeof t, sv->phase_s); /* an open phase: time in it */
        snprintf(buf, sizeof buf, "%s %s", phase_label(sv), t);
        text(d, buf, X(L, 0.3f), (L->top + 0.18f * L->u), PX(L, 0.5f), true, AL_LEFT, C_TEXT);
    }

    clock_str(t, sizeof t, v->session_s);
    text(d, t, X(L, 15.7f), (L->top + 0.18f * L->u), PX(L, 0.5f), true, AL_RIGHT, C_TEXT);
    float xr = X(L, 13.4f);
    if (v->muted) {
        fill_rect(d, xr - L->u * 1.5f, (L->top + 0.2f * L->u), L->u * 1.5f, L->u * 0.55f, C_RED,
                  255);
        text(d, "MUTED", xr - L->u * 0.75f, (L->top + 0.26f * L->u), PX(L, 0.36f), true, AL_CENTER,
             C_BG);
    } else if (v->metronome_on) {
        snprintf(buf, sizeof buf, "\xe2\x99\xa9 %.0f", v->metronome_spm); /* quarter note */
        text(d, buf, xr, (L->top + 0.22f * L->u), PX(L, 0.42f), false, AL_RIGHT, C_TEXT);
    }
}

static void draw_cadence(struct display *d, const struct layout *L, const struct display_model *m)
{
    const struct feedback_view *v = &m->fb;
    char buf[64];
    bool show = v->feedback_on && v->band != FEEDBACK_BAND_PAUSED;
    text(d, "CADENCE  steps/min", X(L, 0.3f), Y(L, 1.15f), PX(L, 0.36f), false, AL_LEFT, C_DIM);

    const struct session_view *sv = &m->session;
    if (sv->phase >= 0 && !sv->ended && sv->kind == PLAN_KIND_WEIGH_IN) {
        text(d, "Stand still on the deck", X(L, 0.3f), Y(L, 2.0f), PX(L, 0.6f), true, AL_LEFT,
             C_TEXT);
        if (isfinite(sv->body_weight_n))
            snprintf(buf, sizeof buf, "weight %.1f kg", sv->body_weight_n / 9.80665);
        else
            snprintf(buf, sizeof buf, "weighing...");
        text(d, buf, X(L, 0.3f), Y(L, 3.0f), PX(L, 0.45f), false, AL_LEFT, C_DIM);
        return;
    }
    if (v->phase == FEEDBACK_PHASE_BASELINE) {
        text(d, "Run as you usually do", X(L, 0.3f), Y(L, 2.0f), PX(L, 0.6f), true, AL_LEFT,
             C_TEXT);
        snprintf(buf, sizeof buf, "baseline: %zu steps", sv->baseline_steps);
        text(d, buf, X(L, 0.3f), Y(L, 3.0f), PX(L, 0.45f), false, AL_LEFT, C_DIM);
        return;
    }
    if (!show) {
        const char *msg = v->band == FEEDBACK_BAND_PAUSED        ? "Walk - cadence paused"
                          : v->phase == FEEDBACK_PHASE_RETENTION ? "No feedback: your rhythm"
                                                                 : "Keep your rhythm";
        text(d, msg, X(L, 0.3f), Y(L, 2.0f), PX(L, 0.6f), true, AL_LEFT, C_DIM);
        return;
    }
    struct rgb c = band_color(v->band);
    if (isfinite(v->cadence_spm))
        snprintf(buf, sizeof buf, "%.0f", v->cadence_spm);
    else
        snprintf(buf, sizeof buf, "--");
    text(d, buf, X(L, 0.2f), Y(L, 1.35f), PX(L, 2.6f), true, AL_LEFT, C_TEXT);

    /* state: shape + word */
    band_shape(d, v->band, X(L, 7.6f), Y(L, 2.55f), L->u * 0.62f);
    const char *word = v->band == FEEDBACK_BAND_IN     ? "IN BAND"
                       : v->band == FEEDBACK_BAND_LOW  ? "QUICKER"
                       : v->band == FEEDBACK_BAND_HIGH ? "SLOWER"
                                                       : "";
    text(d, word, X(L, 7.6f), Y(L, 3.35f), PX(L, 0.48f), true, AL_CENTER, c);

    /* band gauge: target +-8 % */
    if (isfinite(v->target_spm)) {
        float gx = X(L, 0.3f), gw = L->u * 8.4f, gy = Y(L, 4.55f), gh = L->u * 0.42f;
        double lo = v->target_spm * 0.92, hi = v->target_spm * 1.08;
#define GX(spm) (gx + (float)(((spm)-lo) / (hi - lo)) * gw)
        fill_rect(d, gx, gy, gw, gh, C_PANEL, 255);
        fill_rect(d, GX(v->band_lo_spm), gy, GX(v->band_hi_spm) - GX(v->band_lo_spm), gh, C_BAND,
                  255);
        fill_rect(d, GX(v->target_spm) - 2, gy - L->u * 0.08f, 4, gh + L->u * 0.16f, C_TEXT, 255);
        if (isfinite(v->cadence_spm)) {
            double cs = fmin(hi, fmax(lo, v->cadence_spm));
            fill_triangle(d, GX(cs), gy - L->u * 0.22f, L->u * 0.2f, false, c);
        }
        snprintf(buf, sizeof buf, "%.0f", v->band_lo_spm);
        text(d, buf, GX(v->band_lo_spm), gy + gh + L->u * 0.05f, PX(L, 0.3f), false, AL_CENTER,
             C_DIM);
        snprintf(buf, sizeof buf, "%.0f", v->band_hi_spm);
        text(d, buf, GX(v->band_hi_spm), gy + gh + L->u * 0.05f, PX(L, 0.3f), false, AL_CENTER,
             C_DIM);
        snprintf(buf, sizeof buf, "target %.0f", v->target_spm);
        text(d, buf, gx + gw, gy + gh + L->u * 0.05f, PX(L, 0.3f), false, AL_RIGHT, C_DIM);
#undef GX
    }
}

static void draw_loading(struct display *d, const struct layout *L, const struct display_model *m)
{
    const struct feedback_view *v = &m->fb;
    char buf[64];
    float x = X(L, 9.6f);
    text(d, "LOADING  VALR BW/s", x, Y(L, 1.15f), PX(L, 0.36f), false, AL_LEFT, C_DIM);
    if (!v->feedback_on || v->phase != FEEDBACK_PHASE_TRAINING)
        return;
    bool known = isfinite(v->last_valr_bw_s);
    struct rgb c = !known ? C_GREY : v->last_hard ? C_RED : C_GREEN;
    snprintf(buf, sizeof buf, known ? "%.0f" : "--", v->last_valr_bw_s);
    text(d, buf, x, Y(L, 1.6f), PX(L, 1.5f), true, AL_LEFT, C_TEXT);
    float sx = X(L, 14.2f), sy = Y(L, 2.4f), r = L->u * 0.55f;
    if (known && v->last_hard)
        fill_square(d, sx, sy, r, c);
    else if (known)
        fill_circle(d, sx, sy, r, c);
    text(d,
         !known         ? ""
         : v->last_hard ? "HARD"
                        : "SOFT",
         sx, Y(L, 3.1f), PX(L, 0.48f), true, AL_CENTER, c);

    double ceil_v = v->loading_ceiling_bw_s;
    if (isfinite(ceil_v)) {
        float gx = x, gw = L->u * 6.0f, gy = Y(L, 4.55f), gh = L->u * 0.42f;
        double hi = ceil_v * 1.5;
        fill_rect(d, gx, gy, gw, gh, C_PANEL, 255);
        if (known) {
            double f = fmin(1.0, fmax(0.0, v->last_valr_bw_s / hi));
            fill_rect(d, gx, gy, gw * (float)f, gh, c, 255);
        }
        float cx = gx + gw * (float)(ceil_v / hi);
        fill_rect(d, cx - 2, gy - L->u * 0.08f, 4, gh + L->u * 0.16f, C_RED, 255);
        snprintf(buf, sizeof buf, "ceiling %.0f", ceil_v);
        text(d, buf, cx, gy + gh + L->u * 0.05f, PX(L, 0.3f), false, AL_CENTER, C_DIM);
    }
}

static void draw_ticker(struct display *d, const struct layout *L, const struct display_model *m)
{
    const struct feedback_view *v = &m->fb;
    bool live = v->feedback_on && v->phase == FEEDBACK_PHASE_TRAINING;
    float row[2] = {Y(L, 6.05f), Y(L, 6.95f)};
    text(d, "L", X(L, 0.3f), row[0] - L->u * 0.3f, PX(L, 0.45f), true, AL_LEFT, C_TEXT);
    text(d, "R", X(L, 0.3f), row[1] - L->u * 0.3f, PX(L, 0.45f), true, AL_LEFT, C_TEXT);
    float x0 = X(L, 1.1f), dx = L->u * 0.5f, r = L->u * 0.19f;
    for (unsigned i = 0; i < v->ticker_n; i++) {
        const struct feedback_strike *k = &v->ticker[i];
        float cx = x0 + dx * (float)i;
        float cy = k->side == 'R' ? row[1] : k->side == 'L' ? row[0] : 0.5f * (row[0] + row[1]);
        enum feedback_band b = live ? (enum feedback_band)k->band : FEEDBACK_BAND_UNKNOWN;
        if (live && k->hard) {
            fill_square(d, cx, cy, r * 1.15f, C_RED); /* hard landing: a red square */
            band_shape(d, b, cx, cy, r * 0.6f);
        } else {
            band_shape(d, b, cx, cy, r);
        }
    }
    /* share of steps in band: the session's score, the one the report prints */
    char buf[32];
    text(d, "IN BAND", X(L, 15.7f), Y(L, 5.55f), PX(L, 0.36f), false, AL_RIGHT, C_DIM);
    if (isfinite(m->session.share_in_band))
        snprintf(buf, sizeof buf, "%.0f %%", 100.0 * m->session.share_in_band);
    else
        snprintf(buf, sizeof buf, "--");
    text(d, buf, X(L, 15.7f), Y(L, 6.0f), PX(L, 1.0f), true, AL_RIGHT, C_TEXT);
}

static void draw_footer(struct display *d, const struct layout *L, const struct display_model *m)
{
    char buf[200];
    snprintf(buf, sizeof buf, "%s%s%s", m->link, m->calib[0] ? "   " : "", m->calib);
    float y = L->bottom - L->u * 0.65f;
    const char *keys = "Tab: therapist panel   F11: full screen";
    int px = PX(L, 0.3f);
    /* the status never runs under the key hint: it is shortened to the
     * room left of it (the whole line is in the terminal and the report) */
    float room = X(L, 15.7f) - (float)text_width(d, keys, px, false) - L->u * 0.4f - X(L, 0.7f);
    fit_width(d, buf, px, false, room);
    fill_circle(d, X(L, 0.45f), y + L->u * 0.17f, L->u * 0.11f, m->link_ok ? C_GREEN : C_RED);
    text(d, buf, X(L, 0.7f), y, px, false, AL_LEFT, m->link_ok ? C_DIM : C_RED);
    text(d, keys, X(L, 15.7f), y, px, false, AL_RIGHT, C_DIM);
    if (m->alert[0]) {
        /* data is being lost: a red bar above the footer, never hidden */
        float ay = y - L->u * 0.62f;
        fill_rect(d, 0, ay - L->u * 0.08f, (float)d->w, L->u * 0.52f, C_RED, 255);
        char a[128];
        snprintf(a, sizeof a, "%s", m->alert);
        fit_width(d, a, PX(L, 0.34f), true, (float)d->w - L->u * 0.6f);
        text(d, a, X(L, 0.3f), ay, PX(L, 0.34f), true, AL_LEFT, C_BG);
    }
}

/* One line of the therapist panel, shortened to fit (b is changed). */
static void panel_line(struct display *d, char *b, float x, float y, int px, bool bold,
                       struct rgb c, float maxw)
{
    fit_width(d, b, px, bold, maxw);
    text(d, b, x, y, px, bold, AL_LEFT, c);
}

static void draw_panel(struct display *d, const struct layout *L, const struct display_model *m)
{
    const struct feedback_view *v = &m->fb;
    float x = X(L, 8.3f), y = Y(L, 1.05f), w = L->u * 7.5f, h = L->u * 7.15f;
    SDL_SetRenderDrawBlendMode(d->ren, SDL_BLENDMODE_BLEND);
    fill_rect(d, x, y, w, h, C_PANEL, 245);
    SDL_SetRenderDrawBlendMode(d->ren, SDL_BLENDMODE_NONE);
    fill_rect(d, x, y, 4, h, C_AMBER, 255);
    int px = PX(L, 0.27f);
    float lh = px * 1.3f, tx = x + L->u * 0.3f, ty = y + L->u * 0.2f;
    char b[160], t1[32];
    float maxw = w - L->u * 0.5f; /* every line is shortened to the panel */

    snprintf(b, sizeof b, "THERAPIST%s%s", m->patient[0] ? "  -  " : "", m->patient);
    text(d, b, tx, ty, PX(L, 0.34f), true, AL_LEFT, C_AMBER);
    ty += lh * 1.4f;
    /* every figure here is the session's (the report prints the same) */
    const struct session_view *sv = &m->session;
    const struct session_targets *tg = &sv->targets;
    snprintf(b, sizeof b, "Phase %d/%zu %.30s", sv->phase + 1, sv->n_phases, sv->phase_name);
    panel_line(d, b, tx, ty, px, true, C_TEXT, maxw);
    ty += lh;
    if (isfinite(tg->cadence_spm))
        snprintf(b, sizeof b, "Cadence target %.1f  (band %.1f - %.1f)", tg->cadence_spm,
                 tg->cadence_lo_spm, tg->cadence_hi_spm);
    else
        snprintf(b, sizeof b, "No cadence target in this phase");
    panel_line(d, b, tx, ty, px, false, C_TEXT, maxw);
    ty += lh;
    char base[48], wt[40];
    if (sv->baseline.valid)
        snprintf(base, sizeof base, "Baseline %.1f steps/min", sv->baseline.cadence_spm);
    else
        snprintf(base, sizeof base, "%s", sv->baseline_done ? "Baseline too short" : "No baseline yet");
    if (isfinite(sv->body_weight_n))
        snprintf(wt, sizeof wt, "body weight %.0f N", sv->body_weight_n);
    else
        snprintf(wt, sizeof wt, "body weight pending");
    snprintf(b, sizeof b, "%s   %s", base, wt);
    panel_line(d, b, tx, ty, px, false, C_TEXT, maxw);
    ty += lh;
    char imp[40] = "";
    if (isfinite(v->impact_ceiling_bw))
        snprintf(imp, sizeof imp, ", impact %.1f BW", v->impact_ceiling_bw);
    if (isfinite(tg->valr_ceiling_bw_s))
        snprintf(b, sizeof b, "Loading ceiling VALR %.0f BW/s%s", tg->valr_ceiling_bw_s, imp);
    else
        snprintf(b, sizeof b, "No loading ceiling%s", imp);
    panel_line(d, b, tx, ty, px, false, C_TEXT, maxw);
    ty += lh;
    snprintf(b, sizeof b, "Mode %s   feedback %s",
             tg->feedback == PLAN_FB_NONE ? "off" : plan_feedback_name(tg->feedback),
             v->feedback_on ? "ON now" : "off now");
    panel_line(d, b, tx, ty, px, true, C_TEXT, maxw);
    ty += lh;
    if (tg->feedback == PLAN_FB_FADED) {
        clock_str(t1, sizeof t1, v->fade_duration_s);
        char next[32] = "";
        if (isfinite(v->fade_next_s))
            snprintf(next, sizeof next, ", switch in %.0f s", ceil(v->fade_next_s));
        snprintf(b, sizeof b, "Fading %.0f %% now -> %.0f %% at %s%s", 100 * v->fade_share_now,
                 100 * v->fade_end_share, t1, next);
        panel_line(d, b, tx, ty, px, false, C_TEXT, maxw);
        ty += lh;
    }
    snprintf(b, sizeof b, "Metronome %s %.1f%s   vol %.0f %%  cues %s%s",
             v->metronome_on ? "on" : "off", v->metronome_spm, m->align ? " aligned" : "",
             100 * m->volume, m->cue_set, v->muted ? "  MUTED" : "");
    panel_line(d, b, tx, ty, px, false, C_TEXT, maxw);
    ty += lh;
    if (isfinite(m->audio_latency_ms))
        snprintf(b, sizeof b, "Audio %s, output latency %.1f ms", m->audio_device,
                 m->audio_latency_ms);
    else
        snprintf(b, sizeof b, "Audio %s", m->audio_device[0] ? m->audio_device : "off");
    panel_line(d, b, tx, ty, px, false, C_DIM, maxw);
    ty += lh;
    if (sv->intervals > 0) {
        snprintf(b, sizeof b, "Interval %d of %d (%s)", sv->interval, sv->intervals,
                 sv->kind == PLAN_KIND_RUN ? "run" : "walk");
        panel_line(d, b, tx, ty, px, false, C_TEXT, maxw);
        ty += lh;
    }
    char inb[32], hard[32];
    if (isfinite(sv->share_in_band))
        snprintf(inb, sizeof inb, "%.0f %%", 100 * sv->share_in_band);
    else
        snprintf(inb, sizeof inb, "-");
    if (sv->steps_loaded)
        snprintf(hard, sizeof hard, "%.0f %%", 100.0 * (double)sv->steps_over / (double)sv->steps_loaded);
    else
        snprintf(hard, sizeof hard, "-");
    snprintf(b, sizeof b, "Steps %zu  in band %s of %zu  hard %s", sv->steps, inb,
             sv->steps_scored, hard);
    panel_line(d, b, tx, ty, px, false, C_TEXT, maxw);
    ty += lh;
    if (m->note[0]) {
        snprintf(b, sizeof b, "%s", m->note);
        panel_line(d, b, tx, ty, px, false, C_AMBER, maxw);
        ty += lh;
    }
    ty += lh * 0.4f;
    key_table(d, display_key_help(), tx, ty, w / 2 - L->u * 0.1f, L->u * 1.5f, PX(L, 0.24f));
}

static void draw(struct display *d, const struct display_model *m)
{
    struct layout L;
    L.u = fminf(d->w / 16.0f, d->h / 9.0f);
    L.x0 = (d->w - 16 * L.u) / 2;
    L.y0 = (d->h - 9 * L.u) / 2;
    L.top = 0;
    L.bottom = (float)d->h;
    SDL_SetRenderDrawBlendMode(d->ren, SDL_BLENDMODE_NONE);
    color(d, C_BG, 255);
    SDL_RenderClear(d->ren);
    draw_header(d, &L, m);
    draw_cadence(d, &L, m);
    draw_loading(d, &L, m);
    draw_ticker(d, &L, m);
    draw_footer(d, &L, m);
    if (m->panel)
        draw_panel(d, &L, m);
}

/* ---- lifecycle ------------------------------------------------------------- */

static int make_offscreen(struct display *d, int w, int h, char *err, size_t errcap)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *r = s ? SDL_CreateSoftwareRenderer(s) : NULL;
    if (!r) {
        snprintf(err, errcap, "cannot create an offscreen %dx%d canvas (%s)", w, h, SDL_GetError());
        SDL_FreeSurface(s);
        return GC_ERR_NOMEM;
    }
    if (d->ren)
        SDL_DestroyRenderer(d->ren);
    SDL_FreeSurface(d->surf);
    d->surf = s;
    d->ren = r;
    d->w = w;
    d->h = h;
    return GC_OK;
}

struct display *display_new(const struct display_config *cfg, char *err, size_t errcap)
{
    char dummy[8];
    if (!err) {
        err = dummy;
        errcap = sizeof dummy;
    }
    if (!cfg || cfg->width < 160 || cfg->height < 90 || cfg->width > 16384 || cfg->height > 16384) {
        snprintf(err, errcap, "invalid display size");
        return NULL;
    }
    struct display *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    d->cfg = *cfg;
    d->w = cfg->width;
    d->h = cfg->height;
    if (cfg->backend == DISPLAY_NULL)
        return d;

    if (!find_fonts(d)) {
        snprintf(err, errcap,
                 "DejaVu Sans not found; install it (apt-get install fonts-dejavu-core) or run "
                 "with --headless");
        goto fail;
    }
    if (TTF_Init() != 0) {
        snprintf(err, errcap, "cannot start SDL_ttf (%s)", TTF_GetError());
        goto fail;
    }
    d->ttf = true;
    if (cfg->backend == DISPLAY_OFFSCREEN) {
        if (make_offscreen(d, cfg->width, cfg->height, err, errcap) != GC_OK)
            goto fail;
        return d;
    }
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        snprintf(err, errcap,
                 "cannot open a display (%s); run with --headless, or set DISPLAY / start Xvfb",
                 SDL_GetError());
        goto fail;
    }
    d->sdl_video = true;
    Uint32 wflags = SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI;
    if (cfg->fullscreen)
        wflags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    d->win = SDL_CreateWindow(cfg->title ? cfg->title : "gaitcue", SDL_WINDOWPOS_CENTERED,
                              SDL_WINDOWPOS_CENTERED, cfg->width, cfg->height, wflags);
    if (!d->win) {
        snprintf(err, errcap, "cannot open a window (%s); run with --headless", SDL_GetError());
        goto fail;
    }
    d->fullscreen = cfg->fullscreen;
    Uint32 rflags = cfg->software ? SDL_RENDERER_SOFTWARE : SDL_RENDERER_ACCELERATED;
    if (cfg->vsync && !cfg->software)
        rflags |= SDL_RENDERER_PRESENTVSYNC;
    d->ren = SDL_CreateRenderer(d->win, -1, rflags);
    if (!d->ren)
        d->ren = SDL_CreateRenderer(d->win, -1, SDL_RENDERER_SOFTWARE);
    if (!d->ren) {
        snprintf(err, errcap, "cannot create a renderer (%s); run with --headless", SDL_GetError());
        goto fail;
    }
    SDL_GetRendererOutputSize(d->ren, &d->w, &d->h);
    return d;
fail:
    display_free(d);
    return NULL;
}

void display_free(struct display *d)
{
    if (!d)
        return;
    for (int i = 0; i < FONT_CACHE; i++)
        if (d->fonts[i].f)
            TTF_CloseFont(d->fonts[i].f);
    if (d->ren)
        SDL_DestroyRenderer(d->ren);
    SDL_FreeSurface(d->surf);
    if (d->win)
        SDL_DestroyWindow(d->win);
    if (d->ttf)
        TTF_Quit();
    if (d->sdl_video)
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
    free(d);
}

int display_render(struct display *d, const struct display_model *m)
{
    d->last = *m;
    d->have_model = true;
    d->frames++;
    if (d->cfg.backend == DISPLAY_NULL)
        return GC_OK;
    if (d->win)
        SDL_GetRendererOutputSize(d->ren, &d->w, &d->h);
    draw(d, m);
    SDL_RenderPresent(d->ren);
    return GC_OK;
}

static void add_action(struct display_input *out, size_t cap, int *n, enum display_action a,
                       int value)
{
    if ((size_t)*n < cap)
        out[(*n)++] = (struct display_input){a, value};
}

int display_poll(struct display *d, struct display_input *out, size_t cap)
{
    int n = 0;
    if (!d->sdl_video)
        return 0;
    SDL_Event e;
    while (SDL_PollEvent(&e)) {
        if (e.type == SDL_QUIT) {
            add_action(out, cap, &n, DISPLAY_ACT_QUIT, 0);
        } else if (e.type == SDL_WINDOWEVENT && e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
            SDL_GetRendererOutputSize(d->ren, &d->w, &d->h);
        } else if (e.type == SDL_KEYDOWN) {
            SDL_Keycode k = e.key.keysym.sym;
            if (k == SDLK_F11) {
                d->fullscreen = !d->fullscreen;
                SDL_SetWindowFullscreen(d->win, d->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
            } else if (k == SDLK_ESCAPE || k == SDLK_q) {
                add_action(out, cap, &n, DISPLAY_ACT_QUIT, 0);
            } else if (k == SDLK_UP) {
                add_action(out, cap, &n, DISPLAY_ACT_TARGET_UP, 0);
            } else if (k == SDLK_DOWN) {
                add_action(out, cap, &n, DISPLAY_ACT_TARGET_DOWN, 0);
            } else if (k == SDLK_RIGHT) {
                add_action(out, cap, &n, DISPLAY_ACT_BAND_UP, 0);
            } else if (k == SDLK_LEFT) {
                add_action(out, cap, &n, DISPLAY_ACT_BAND_DOWN, 0);
            } else if (k == SDLK_PAGEUP) {
                add_action(out, cap, &n, DISPLAY_ACT_CEILING_UP, 0);
            } else if (k == SDLK_PAGEDOWN) {
                add_action(out, cap, &n, DISPLAY_ACT_CEILING_DOWN, 0);
            } else if (k == SDLK_f) {
                add_action(out, cap, &n, DISPLAY_ACT_MODE_NEXT, 0);
            } else if (k == SDLK_m) {
                add_action(out, cap, &n, DISPLAY_ACT_MUTE, 0);
            } else if (k == SDLK_k) {
                add_action(out, cap, &n, DISPLAY_ACT_METRONOME, 0);
            } else if (k == SDLK_b) {
                add_action(out, cap, &n, DISPLAY_ACT_BASELINE, 0);
            } else if (k == SDLK_r) {
                add_action(out, cap, &n, DISPLAY_ACT_RETENTION, 0);
            } else if (k == SDLK_SPACE) {
                add_action(out, cap, &n, DISPLAY_ACT_MARKER, 0);
            } else if (k >= SDLK_0 && k <= SDLK_9) {
                add_action(out, cap, &n, DISPLAY_ACT_PAIN, (int)(k - SDLK_0));
            } else if (k == SDLK_TAB || k == SDLK_h) {
                add_action(out, cap, &n, DISPLAY_ACT_PANEL, 0);
            }
        }
    }
    return n;
}

int display_screenshot(struct display *d, const char *png_path)
{
    if (d->cfg.backend == DISPLAY_NULL || !d->ren)
        return GC_ERR_UNSUPPORTED;
    if (d->have_model)
        draw(d, &d->last); /* the back buffer is undefined after a present */
    int w = d->w, h = d->h;
    cairo_surface_t *cs = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    if (cairo_surface_status(cs) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(cs);
        return GC_ERR_NOMEM;
    }
    cairo_surface_flush(cs);
    unsigned char *px = cairo_image_surface_get_data(cs);
    int stride = cairo_image_surface_get_stride(cs);
    /* SDL ARGB8888 and cairo ARGB32 are both native-endian 0xAARRGGBB */
    int rc = GC_OK;
    if (SDL_RenderReadPixels(d->ren, NULL, SDL_PIXELFORMAT_ARGB8888, px, stride) != 0) {
        LOG_ERR("cannot read the frame back (%s)", SDL_GetError());
        rc = GC_ERR_IO;
    } else {
        for (int y = 0; y < h; y++) {
            Uint32 *row = (Uint32 *)(void *)(px + (size_t)y * stride);
            for (int x = 0; x < w; x++)
                row[x] |= 0xff000000u; /* opaque: cairo expects premultiplied alpha */
        }
        cairo_surface_mark_dirty(cs);
        if (cairo_surface_write_to_png(cs, png_path) != CAIRO_STATUS_SUCCESS) {
            LOG_ERR("cannot write %s", png_path);
            rc = GC_ERR_IO;
        } else if (chmod(png_path, 0600) != 0) {
            /* the runner's screen shows patient data: private like every output */
            LOG_WARN("%s could not be made private (chmod 600)", png_path);
        }
    }
    cairo_surface_destroy(cs);
    if (d->have_model && d->win)
        SDL_RenderPresent(d->ren);
    return rc;
}

void display_size(const struct display *d, int *w, int *h)
{
    *w = d->w;
    *h = d->h;
}

int display_resize(struct display *d, int w, int h)
{
    if (w < 160 || h < 90)
        return GC_ERR_ARG;
    if (d->cfg.backend == DISPLAY_OFFSCREEN) {
        char err[128];
        return make_offscreen(d, w, h, err, sizeof err);
    }
    if (d->win) {
        SDL_SetWindowSize(d->win, w, h);
        SDL_GetRendererOutputSize(d->ren, &d->w, &d->h);
    } else {
        d->w = w;
        d->h = h;
    }
    return GC_OK;
}

unsigned long display_frames(const struct display *d)
{
    return d->frames;
}
