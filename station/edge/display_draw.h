/*
 * display_draw.h - the display's drawing layer (private to station/edge
 * display_*.c): the display object, fonts, colours, and the SDL drawing
 * primitives every screen element is made of.
 *
 *   display.c         lifecycle: new/free, render (only when the picture
 *                     changes), screenshot, size
 *   display_layout.c  what goes where: header, cadence, loading, ticker,
 *                     footer, therapist panel (display_layout_draw)
 *   display_draw.c    how it is drawn: fonts, the text cache, shapes
 *   display_input.c   keys and window events -> therapist actions
 *
 * Render only on change (issue 17 item 6): display_render first runs the
 * layout with d->dry set; every primitive then folds its arguments (pixel
 * positions, sizes, colours, strings) into d->hash instead of drawing.
 * The same hash as the last drawn frame means the same picture: nothing is
 * drawn or presented.  Text is drawn from cached textures (DD_TEXT_CACHE
 * entries keyed by string, size, weight and colour), so a frame that is
 * drawn re-rasterises only the strings that changed; widths are cached
 * too (DD_WIDTH_CACHE), so describing a frame shapes no text it has seen.
 *
 * Thread: main thread only (SDL's rule).
 */
#ifndef GC_DISPLAY_DRAW_H
#define GC_DISPLAY_DRAW_H

#include <SDL.h>
#include <SDL_ttf.h>
#include <stdbool.h>
#include <stdint.h>

#include "display.h"

#define FONT_CACHE 24
/* Rendered strings kept as textures: a frame shows ~40 strings, the
 * panel ~30 more; the rest is room for the values that change. */
#define DD_TEXT_CACHE 128
/* Longest string cached (longer ones are rendered every time). */
#define DD_TEXT_KEY 96

struct font_slot {
    int px;
    bool bold;
    TTF_Font *f;
};

struct rgb {
    Uint8 r, g, b;
};

struct dd_text_slot {
    char s[DD_TEXT_KEY];
    int px;
    bool bold;
    struct rgb c;
    SDL_Texture *tex; /* NULL: free slot */
    int w, h;
    unsigned long used; /* frame it was last drawn in */
};

/* Measured text widths (layout asks for them every frame). */
#define DD_WIDTH_CACHE 256
struct dd_width_slot {
    char s[DD_TEXT_KEY];
    int px;
    bool bold;
    int w; /* < 0: free slot */
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
    unsigned long frames; /* display_render calls */
    /* render on change */
    bool dry;             /* primitives hash instead of drawing */
    uint64_t hash;        /* of the frame being described */
    uint64_t drawn_hash;  /* of the last frame drawn and presented */
    bool dirty;           /* the window needs a redraw whatever the hash (exposed, resized) */
    unsigned long drawn;  /* frames actually drawn */
    struct dd_text_slot text_cache[DD_TEXT_CACHE];
    struct dd_width_slot width_cache[DD_WIDTH_CACHE];
    unsigned width_next; /* round-robin replacement */
};

/* Colours (docs/feedback.md). */
#define C_BG    ((struct rgb){0x0f, 0x14, 0x1a})
#define C_PANEL ((struct rgb){0x1b, 0x23, 0x2c})
#define C_TEXT  ((struct rgb){0xf2, 0xf5, 0xf7})
#define C_DIM   ((struct rgb){0x8a, 0x96, 0xa3})
#define C_GREEN ((struct rgb){0x2e, 0xcc, 0x71})
#define C_AMBER ((struct rgb){0xf5, 0xa6, 0x23})
#define C_BLUE  ((struct rgb){0x4a, 0xa3, 0xff})
#define C_RED   ((struct rgb){0xff, 0x4d, 0x4d})
#define C_GREY  ((struct rgb){0x5c, 0x66, 0x70})
#define C_BAND  ((struct rgb){0x1f, 0x5c, 0x3a})

enum align { AL_LEFT, AL_CENTER, AL_RIGHT };

/* SDL_SetWindowData name under which a window keeps its struct display
 * (display_poll hands a second window's events to its display). */
#define DISPLAY_WINDOW_DATA "gaitcue-display"

/* Fonts: DejaVu Sans regular and bold in cfg.font_dir or the usual
 * distribution folders (false: not found). */
bool dd_find_fonts(struct display *d);
void dd_fonts_close(struct display *d);
/* Forget every cached text texture (the renderer is about to change). */
void dd_text_cache_clear(struct display *d);

/* Clear the frame to c. */
void dd_clear(struct display *d, struct rgb c);
void dd_fill_rect(struct display *d, float x, float y, float w, float h, struct rgb c, Uint8 a);
/* The same, blended with what is below (alpha a). */
void dd_fill_rect_blend(struct display *d, float x, float y, float w, float h, struct rgb c,
                        Uint8 a);
/* Text with its top at y; returns the width drawn, pixels (0 if none). */
int dd_text(struct display *d, const char *s, float x, float y, int px, bool bold, enum align al,
            struct rgb c);
/* Width of s at this size, pixels (0 if it cannot be measured). */
int dd_text_width(struct display *d, const char *s, int px, bool bold);
/* Shorten s with "..." until it fits in max_w pixels (s is changed). */
void dd_fit_width(struct display *d, char *s, int px, bool bold, float max_w);
/* "key<TAB>action" lines as a two-column table; returns the height used. */
float dd_key_table(struct display *d, const char *s, float x, float y, float colw, float keyw,
                   int px);
void dd_fill_circle(struct display *d, float cx, float cy, float r, struct rgb c);
void dd_fill_triangle(struct display *d, float cx, float cy, float r, bool up, struct rgb c);
void dd_fill_square(struct display *d, float cx, float cy, float r, struct rgb c);
struct rgb dd_band_color(enum feedback_band b);
/* The band's shape: circle in, triangle up (quicker) below, down above, a
 * small ring when unknown. */
void dd_band_shape(struct display *d, enum feedback_band b, float cx, float cy, float r);

/* The whole frame from the model (display_layout.c). */
void display_layout_draw(struct display *d, const struct display_model *m);

#endif
