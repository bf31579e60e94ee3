/*
 * display_input.c - the therapist's keys and the window's events (see
 * display.h): key -> action, resize, expose, F11 full screen.
 */
#include <SDL.h>

#include "display_draw.h"

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


static void add_action(struct display_input *out, size_t cap, int *n, enum display_action a,
                       int value)
{
    if ((size_t)*n < cap)
        out[(*n)++] = (struct display_input){a, value};
}

/* SDL has one event queue for every window: a second window's events
 * (--panel-window) arrive here too and go to the display that owns it. */
static struct display *display_of_window(struct display *d, Uint32 window_id)
{
    SDL_Window *w = SDL_GetWindowFromID(window_id);
    struct display *t = w ? SDL_GetWindowData(w, DISPLAY_WINDOW_DATA) : NULL;
    return t ? t : d;
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
        } else if (e.type == SDL_WINDOWEVENT && e.window.event == SDL_WINDOWEVENT_CLOSE) {
            /* the runner's window closed ends the session; a panel window
             * (--panel-window) closes with the session */
            struct display *t = display_of_window(d, e.window.windowID);
            if (!t->cfg.panel_only)
                add_action(out, cap, &n, DISPLAY_ACT_QUIT, 0);
        } else if (e.type == SDL_WINDOWEVENT && e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
            struct display *t = display_of_window(d, e.window.windowID);
            SDL_GetRendererOutputSize(t->ren, &t->w, &t->h);
            t->dirty = true;
        } else if (e.type == SDL_WINDOWEVENT && e.window.event == SDL_WINDOWEVENT_EXPOSED) {
            /* uncovered: the window's pixels must be drawn again */
            display_of_window(d, e.window.windowID)->dirty = true;
        } else if (e.type == SDL_KEYDOWN) {
            SDL_Keycode k = e.key.keysym.sym;
            if (k == SDLK_F11) {
                d->fullscreen = !d->fullscreen;
                SDL_SetWindowFullscreen(d->win, d->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
                d->dirty = true;
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

