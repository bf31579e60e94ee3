/*
 * web_assets.h - the web console's page, style and script, compiled into
 * the binary at build time from station/edge/web_assets/ (embed.cmake): no
 * files to install, no CDN, works offline.
 *
 * Thread: any (constant data).
 */
#ifndef GC_WEB_ASSETS_H
#define GC_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
    const char *path; /* "/index.html", "/app.js", "/style.css" */
    const char *type; /* Content-Type */
    const unsigned char *data;
    size_t len; /* bytes (data has one NUL after them) */
};

/* Ends with an entry whose path is NULL. */
extern const struct web_asset web_assets[];

#endif
