/*
 * display.c - the runner's display (see display.h): create and free it,
 * render a model (only when the picture changes), screenshots, size.
 * What goes where: display_layout.c; how it is drawn: display_draw.c;
 * keys: display_input.c.
 */
#define LOG_PREFIX "display"
#include "display.h"

#include <SDL.h>
#include <SDL_ttf.h>
#include <cairo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "display_draw.h"
#include "gc_error.h"
#include "log.h"

void display_config_default(struct display_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->backend = DISPLAY_WINDOW;
    cfg->width = 1280;
    cfg->height = 720;
    cfg->vsync = true;
    cfg->title = "gaitcue";
}

static int make_offscreen(struct display *d, int w, int h, struct gc_diag *diag)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *r = s ? SDL_CreateSoftwareRenderer(s) : NULL;
    if (!r) {
        gc_fail(diag, GC_ERR_NOMEM, "cannot create an offscreen %dx%d canvas (%s)", w, h,
                SDL_GetError());
        SDL_FreeSurface(s);
        return GC_ERR_NOMEM;
    }
    dd_text_cache_clear(d); /* textures belong to the old renderer */
    if (d->ren)
        SDL_DestroyRenderer(d->ren);
    SDL_FreeSurface(d->surf);
    d->surf = s;
    d->dirty = true;
    d->ren = r;
    d->w = w;
    d->h = h;
    return GC_OK;
}

int display_new(const struct display_config *cfg, struct display **out, struct gc_diag *diag)
{
    *out = NULL;
    gc_diag_clear(diag);
    if (!cfg || cfg->width < 160 || cfg->height < 90 || cfg->width > 16384 || cfg->height > 16384)
        return gc_fail(diag, GC_ERR_ARG, "invalid display size");
    struct display *d = calloc(1, sizeof *d);
    if (!d)
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory");
    int rc = GC_ERR_UNSUPPORTED;
    d->cfg = *cfg;
    for (int i = 0; i < DD_WIDTH_CACHE; i++)
        d->width_cache[i].w = -1;
    d->w = cfg->width;
    d->h = cfg->height;
    if (cfg->backend == DISPLAY_NULL) {
        *out = d;
        return GC_OK;
    }

    if (!dd_find_fonts(d)) {
        gc_fail(diag, rc,
                "DejaVu Sans not found; install it (apt-get install fonts-dejavu-core) or run "
                "with --headless");
        goto fail;
    }
    if (TTF_Init() != 0) {
        gc_fail(diag, rc, "cannot start SDL_ttf (%s)", TTF_GetError());
        goto fail;
    }
    d->ttf = true;
    if (cfg->backend == DISPLAY_OFFSCREEN) {
        rc = make_offscreen(d, cfg->width, cfg->height, diag);
        if (rc != GC_OK)
            goto fail;
        *out = d;
        return GC_OK;
    }
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        gc_fail(diag, rc,
                "cannot open a display (%s); run with --headless, or set DISPLAY / start Xvfb",
                SDL_GetError());
        goto fail;
    }
    d->sdl_video = true;
    Uint32 wflags = SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI;
    if (cfg->fullscreen)
        wflags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    /* cfg->screen: the monitor (a panel window goes to the second one) */
    int screen = cfg->screen < SDL_GetNumVideoDisplays() ? cfg->screen : 0;
    d->win = SDL_CreateWindow(cfg->title ? cfg->title : "gaitcue",
                              (int)SDL_WINDOWPOS_CENTERED_DISPLAY(screen),
                              (int)SDL_WINDOWPOS_CENTERED_DISPLAY(screen), cfg->width, cfg->height,
                              wflags);
    if (!d->win) {
        gc_fail(diag, rc, "cannot open a window (%s); run with --headless", SDL_GetError());
        goto fail;
    }
    SDL_SetWindowData(d->win, DISPLAY_WINDOW_DATA, d);
    d->fullscreen = cfg->fullscreen;
    Uint32 rflags = cfg->software ? SDL_RENDERER_SOFTWARE : SDL_RENDERER_ACCELERATED;
    if (cfg->vsync && !cfg->software)
        rflags |= SDL_RENDERER_PRESENTVSYNC;
    d->ren = SDL_CreateRenderer(d->win, -1, rflags);
    if (!d->ren)
        d->ren = SDL_CreateRenderer(d->win, -1, SDL_RENDERER_SOFTWARE);
    if (!d->ren) {
        gc_fail(diag, rc, "cannot create a renderer (%s); run with --headless", SDL_GetError());
        goto fail;
    }
    SDL_GetRendererOutputSize(d->ren, &d->w, &d->h);
    *out = d;
    return GC_OK;
fail:
    display_free(d);
    return rc;
}

void display_free(struct display *d)
{
    if (!d)
        return;
    if (d->cfg.backend != DISPLAY_NULL && d->frames > 0)
        LOG_INFO("%lu frames, %lu drawn (the others showed the same picture)", d->frames,
                 d->drawn);
    dd_text_cache_clear(d);
    dd_fonts_close(d);
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
    /* Describe the frame first: the same picture as the one on screen is
     * neither drawn nor presented (display_draw.h). */
    d->dry = true;
    d->hash = 14695981039346656037ull;
    uint32_t size[2] = {(uint32_t)d->w, (uint32_t)d->h};
    for (size_t i = 0; i < sizeof size; i++) {
        d->hash ^= ((const unsigned char *)size)[i];
        d->hash *= 1099511628211ull;
    }
    display_layout_draw(d, m);
    d->dry = false;
    if (!d->dirty && d->drawn > 0 && d->hash == d->drawn_hash)
        return GC_OK;
    d->drawn_hash = d->hash;
    d->dirty = false;
    d->drawn++;
    display_layout_draw(d, m);
    SDL_RenderPresent(d->ren);
    return GC_OK;
}

unsigned long display_frames_drawn(const struct display *d)
{
    return d->drawn;
}

int display_screenshot(struct display *d, const char *png_path)
{
    if (d->cfg.backend == DISPLAY_NULL || !d->ren)
        return GC_ERR_UNSUPPORTED;
    if (d->have_model)
        display_layout_draw(d, &d->last); /* the back buffer is undefined after a present */
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
        return make_offscreen(d, w, h, NULL);
    }
    if (d->win) {
        SDL_SetWindowSize(d->win, w, h);
        SDL_GetRendererOutputSize(d->ren, &d->w, &d->h);
        d->dirty = true;
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
