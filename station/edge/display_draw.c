/*
 * display_draw.c - how the display draws (see display_draw.h): fonts, the
 * text texture cache, shapes, and the frame hash that lets display_render
 * skip frames whose picture has not changed.
 */
#include "display_draw.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- fonts ----------------------------------------------------------------- */

static bool dd_file_exists(const char *p)
{
    FILE *f = fopen(p, "rb");
    if (f)
        fclose(f);
    return f != NULL;
}

bool dd_find_fonts(struct display *d)
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
        if (dd_file_exists(d->font_regular) && dd_file_exists(d->font_bold))
            return true;
    }
    return false;
}

static TTF_Font *dd_font(struct display *d, int px, bool bold)
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

/* ---- the frame's hash (render on change) ---------------------------------- */

/* FNV-1a over bytes. */
static void hash_bytes(struct display *d, const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = d->hash;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 1099511628211ull;
    }
    d->hash = h;
}

/* Positions and sizes as drawn: to 1/16 pixel (what the renderer can show). */
static void hash_f(struct display *d, float v)
{
    int32_t q = (int32_t)lrintf(v * 16.0f);
    hash_bytes(d, &q, sizeof q);
}

static void hash_rgb(struct display *d, struct rgb c, Uint8 a)
{
    Uint8 v[4] = {c.r, c.g, c.b, a};
    hash_bytes(d, v, sizeof v);
}

static void hash_op(struct display *d, char op)
{
    hash_bytes(d, &op, 1);
}

/* ---- primitives ------------------------------------------------------------ */

static void dd_color(struct display *d, struct rgb c, Uint8 a)
{
    SDL_SetRenderDrawColor(d->ren, c.r, c.g, c.b, a);
}

void dd_clear(struct display *d, struct rgb c)
{
    if (d->dry) {
        hash_op(d, 'C');
        hash_rgb(d, c, 255);
        return;
    }
    SDL_SetRenderDrawBlendMode(d->ren, SDL_BLENDMODE_NONE);
    dd_color(d, c, 255);
    SDL_RenderClear(d->ren);
}

void dd_fill_rect(struct display *d, float x, float y, float w, float h, struct rgb c, Uint8 a)
{
    if (d->dry) {
        hash_op(d, 'R');
        hash_f(d, x);
        hash_f(d, y);
        hash_f(d, w);
        hash_f(d, h);
        hash_rgb(d, c, a);
        return;
    }
    dd_color(d, c, a);
    SDL_FRect r = {x, y, w, h};
    SDL_RenderFillRectF(d->ren, &r);
}

/* The cached texture of (s, px, bold, c), rendered on a miss; NULL if it
 * cannot be drawn.  *tmp is set when the texture is not cached (too long a
 * string): the caller destroys it. */
static SDL_Texture *text_texture(struct display *d, const char *s, int px, bool bold, struct rgb c,
                                 int *w, int *h, bool *tmp)
{
    size_t n = strlen(s);
    bool cacheable = n < DD_TEXT_KEY;
    struct dd_text_slot *victim = NULL;
    if (cacheable) {
        for (int i = 0; i < DD_TEXT_CACHE; i++) {
            struct dd_text_slot *e = &d->text_cache[i];
            if (!e->tex) {
                if (!victim || victim->tex)
                    victim = e;
                continue;
            }
            if (e->px == px && e->bold == bold && e->c.r == c.r && e->c.g == c.g &&
                e->c.b == c.b && !strcmp(e->s, s)) {
                e->used = d->drawn;
                *w = e->w;
                *h = e->h;
                *tmp = false;
                return e->tex;
            }
            if (!victim || (victim->tex && e->used < victim->used))
                victim = e; /* a free slot, else the least recently drawn */
        }
    }
    TTF_Font *f = dd_font(d, px, bold);
    if (!f)
        return NULL;
    SDL_Color col = {c.r, c.g, c.b, 255};
    SDL_Surface *s1 = TTF_RenderUTF8_Blended(f, s, col);
    if (!s1)
        return NULL;
    SDL_Texture *t = SDL_CreateTextureFromSurface(d->ren, s1);
    *w = s1->w;
    *h = s1->h;
    SDL_FreeSurface(s1);
    if (!t)
        return NULL;
    *tmp = !cacheable;
    if (cacheable) {
        if (victim->tex)
            SDL_DestroyTexture(victim->tex);
        memcpy(victim->s, s, n + 1);
        victim->px = px;
        victim->bold = bold;
        victim->c = c;
        victim->tex = t;
        victim->w = *w;
        victim->h = *h;
        victim->used = d->drawn;
    }
    return t;
}

void dd_text_cache_clear(struct display *d)
{
    for (int i = 0; i < DD_TEXT_CACHE; i++) {
        if (d->text_cache[i].tex)
            SDL_DestroyTexture(d->text_cache[i].tex);
        d->text_cache[i].tex = NULL;
    }
}

int dd_text(struct display *d, const char *s, float x, float y, int px, bool bold, enum align al,
            struct rgb c)
{
    if (!s || !*s)
        return 0;
    if (d->dry) {
        hash_op(d, 'T');
        hash_bytes(d, s, strlen(s) + 1);
        hash_f(d, x);
        hash_f(d, y);
        int v[2] = {px, (int)bold * 4 + (int)al};
        hash_bytes(d, v, sizeof v);
        hash_rgb(d, c, 255);
        return dd_text_width(d, s, px, bold);
    }
    int w, h;
    bool tmp;
    SDL_Texture *t = text_texture(d, s, px, bold, c, &w, &h, &tmp);
    if (!t)
        return 0;
    float x0 = al == AL_LEFT ? x : al == AL_CENTER ? x - w / 2.0f : x - (float)w;
    SDL_FRect dst = {floorf(x0), floorf(y), (float)w, (float)h};
    SDL_RenderCopyF(d->ren, t, NULL, &dst);
    if (tmp)
        SDL_DestroyTexture(t);
    return w;
}

/* Width of s at this size, pixels (0 if it cannot be measured). */
void dd_fill_rect_blend(struct display *d, float x, float y, float w, float h, struct rgb c,
                        Uint8 a)
{
    if (d->dry) {
        hash_op(d, 'B');
        dd_fill_rect(d, x, y, w, h, c, a);
        return;
    }
    SDL_SetRenderDrawBlendMode(d->ren, SDL_BLENDMODE_BLEND);
    dd_fill_rect(d, x, y, w, h, c, a);
    SDL_SetRenderDrawBlendMode(d->ren, SDL_BLENDMODE_NONE);
}

int dd_text_width(struct display *d, const char *s, int px, bool bold)
{
    if (!s || !*s)
        return 0;
    size_t n = strlen(s);
    if (n < DD_TEXT_KEY) {
        for (int i = 0; i < DD_WIDTH_CACHE; i++) {
            const struct dd_width_slot *e = &d->width_cache[i];
            if (e->w >= 0 && e->px == px && e->bold == bold && !strcmp(e->s, s))
                return e->w;
        }
    }
    TTF_Font *f = dd_font(d, px, bold);
    int w = 0, h = 0;
    if (!f || TTF_SizeUTF8(f, s, &w, &h) != 0)
        return 0;
    if (n < DD_TEXT_KEY) {
        struct dd_width_slot *e = &d->width_cache[d->width_next++ % DD_WIDTH_CACHE];
        memcpy(e->s, s, n + 1);
        e->px = px;
        e->bold = bold;
        e->w = w;
    }
    return w;
}

/* Shorten s (ASCII-safe: cuts at a byte before a UTF-8 lead byte) with
 * "..." until it fits in max_w pixels. */
void dd_fit_width(struct display *d, char *s, int px, bool bold, float max_w)
{
    size_t n = strlen(s);
    while (n > 3 && dd_text_width(d, s, px, bold) > max_w) {
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
float dd_key_table(struct display *d, const char *s, float x, float y, float colw, float keyw,
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
            dd_text(d, line, cx, cy, px, true, AL_LEFT, C_TEXT);
            dd_text(d, tab + 1, cx + keyw, cy, px, false, AL_LEFT, C_DIM);
        }
        i++;
        s += n;
        if (*s == '\n')
            s++;
    }
    return (float)rows * px * 1.3f;
}

static void dd_geometry(struct display *d, const SDL_Vertex *v, int n)
{
    SDL_RenderGeometry(d->ren, NULL, v, n, NULL, 0);
}

static SDL_Vertex dd_vert(float x, float y, struct rgb c)
{
    SDL_Vertex v = {{x, y}, {c.r, c.g, c.b, 255}, {0, 0}};
    return v;
}

/* A filled circle with a one-pixel feathered rim (alpha from opaque to
 * clear), so edges look smooth on the software renderer too. */
void dd_fill_circle(struct display *d, float cx, float cy, float r, struct rgb c)
{
    if (d->dry) {
        hash_op(d, 'O');
        hash_f(d, cx);
        hash_f(d, cy);
        hash_f(d, r);
        hash_rgb(d, c, 255);
        return;
    }
    enum { SEG = 48 };
    SDL_Vertex v[SEG * 9];
    float ri = r - 0.5f, ro = r + 0.75f;
    for (int i = 0; i < SEG; i++) {
        double a0 = 2 * M_PI * i / SEG, a1 = 2 * M_PI * (i + 1) / SEG;
        float c0 = (float)cos(a0), s0 = (float)sin(a0), c1 = (float)cos(a1), s1 = (float)sin(a1);
        SDL_Vertex *t = v + 9 * i;
        t[0] = dd_vert(cx, cy, c);
        t[1] = dd_vert(cx + ri * c0, cy + ri * s0, c);
        t[2] = dd_vert(cx + ri * c1, cy + ri * s1, c);
        t[3] = dd_vert(cx + ri * c0, cy + ri * s0, c);
        t[4] = dd_vert(cx + ro * c0, cy + ro * s0, c);
        t[5] = dd_vert(cx + ri * c1, cy + ri * s1, c);
        t[6] = dd_vert(cx + ri * c1, cy + ri * s1, c);
        t[7] = dd_vert(cx + ro * c0, cy + ro * s0, c);
        t[8] = dd_vert(cx + ro * c1, cy + ro * s1, c);
        t[4].color.a = t[7].color.a = t[8].color.a = 0;
    }
    SDL_SetRenderDrawBlendMode(d->ren, SDL_BLENDMODE_BLEND);
    dd_geometry(d, v, SEG * 9);
    SDL_SetRenderDrawBlendMode(d->ren, SDL_BLENDMODE_NONE);
}

/* Triangle of height ~2r centred on (cx, cy), apex up or down. */
void dd_fill_triangle(struct display *d, float cx, float cy, float r, bool up, struct rgb c)
{
    if (d->dry) {
        hash_op(d, up ? 'A' : 'V');
        hash_f(d, cx);
        hash_f(d, cy);
        hash_f(d, r);
        hash_rgb(d, c, 255);
        return;
    }
    float s = up ? 1.0f : -1.0f;
    SDL_Vertex v[3] = {dd_vert(cx, cy - s * r, c), dd_vert(cx - r * 1.05f, cy + s * r * 0.85f, c),
                       dd_vert(cx + r * 1.05f, cy + s * r * 0.85f, c)};
    dd_geometry(d, v, 3);
}

void dd_fill_square(struct display *d, float cx, float cy, float r, struct rgb c)
{
    dd_fill_rect(d, cx - r * 0.85f, cy - r * 0.85f, r * 1.7f, r * 1.7f, c, 255);
}

struct rgb dd_band_color(enum feedback_band b)
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
void dd_band_shape(struct display *d, enum feedback_band b, float cx, float cy, float r)
{
    struct rgb c = dd_band_color(b);
    if (b == FEEDBACK_BAND_IN)
        dd_fill_circle(d, cx, cy, r, c);
    else if (b == FEEDBACK_BAND_LOW)
        dd_fill_triangle(d, cx, cy, r, true, c);
    else if (b == FEEDBACK_BAND_HIGH)
        dd_fill_triangle(d, cx, cy, r, false, c);
    else {
        dd_fill_circle(d, cx, cy, r * 0.6f, c);
        dd_fill_circle(d, cx, cy, r * 0.35f, C_BG);
    }
}

void dd_fonts_close(struct display *d)
{
    for (int i = 0; i < FONT_CACHE; i++) {
        if (d->fonts[i].f)
            TTF_CloseFont(d->fonts[i].f);
        d->fonts[i].f = NULL;
    }
}
