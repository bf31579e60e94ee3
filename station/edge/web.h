/*
 * web.h - the therapist's web console: an embedded HTTP server
 * (libmicrohttpd) serving one page, the live state as Server-Sent Events
 * and the therapist's commands, on the clinic network.
 *
 *   browser --GET /?token=T------------> page (compiled in: web_assets)
 *           --GET /events?token=T------> SSE: "data: {state JSON}\n\n" per
 *                                        state the main thread publishes
 *           --GET /api/state?token=T---> one state JSON
 *           --POST /api/cmd?token=T----> body: one control line
 *                                        ("set target-cadence 176",
 *                                        "mark pain 3"), reply: the control
 *                                        socket's reply line
 *
 *   web threads (MHD)                      main thread
 *     parse the line (ctlsock_parse)
 *     queue it, wait <= 3 s ------------>  web_poll: handler(cmd) -> reply
 *     answer with the reply  <-----------  (the same handler as the socket)
 *     SSE: wait for a new state <--------  web_publish(json) every frame
 *
 * Access: every request needs the session's token (128 random bits, hex,
 * made at web_new) as ?token=; without it, or with a wrong one, 401 on
 * every path (compared in constant time).  Rate limits per client address:
 * new connections (WEB_CONN_RATE_PER_S, burst WEB_CONN_BURST; beyond it
 * the connection is closed at accept, before any thread is made) and
 * requests (WEB_REQ_RATE_PER_S, burst WEB_REQ_BURST; beyond it 429); at
 * most WEB_MAX_CONNECTIONS connections (WEB_MAX_PER_IP per address) and
 * WEB_MAX_STREAMS event streams.  Only the live session's state is served:
 * no path reads the store, a recording or a file.  No TLS (docs/web.md:
 * what the token protects against and how to put it behind TLS).
 *
 * Threads: libmicrohttpd runs a listening thread and one thread per
 * connection; they share one mutex with the main thread and hold it only
 * to copy a state or a command (never during I/O).  The DSP and audio
 * threads never touch this module.  web_new, web_free, web_publish and
 * web_poll: main thread.
 */
#ifndef GC_WEB_H
#define GC_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctlsock.h"
#include "gc_error.h"

#define WEB_DEFAULT_PORT    8088
#define WEB_DEFAULT_ADDR    "0.0.0.0"
#define WEB_TOKEN_HEX       32   /* 128 bits */
#define WEB_STATE_MAX       8192 /* bytes of one state JSON */
#define WEB_CONN_RATE_PER_S 20.0
#define WEB_CONN_BURST      40.0
#define WEB_REQ_RATE_PER_S  50.0
#define WEB_REQ_BURST       100.0
#define WEB_MAX_CONNECTIONS 32
#define WEB_MAX_PER_IP      16
#define WEB_MAX_STREAMS     8
#define WEB_REPLY_WAIT_MS   3000 /* a command the main thread did not answer: 503 */

struct web_config {
    const char *addr;  /* numeric IPv4 or IPv6 address to bind; NULL = WEB_DEFAULT_ADDR */
    uint16_t port;     /* 0 = any free port (tests); see web_port */
    const char *token; /* NULL = random (the product); tests may fix one (>= 16 chars) */
};

void web_config_default(struct web_config *cfg);

/* Parses "[ADDR:]PORT" ("8088", "127.0.0.1:8088", "[::1]:8088") into
 * addr (numeric, NUL-terminated) and port.  GC_OK or GC_ERR_ARG with one
 * sentence in diag. */
int web_parse_listen(const char *text, char *addr, size_t addrcap, uint16_t *port,
                     struct gc_diag *diag);

/* Checks that addr:port can be bound now (a socket bound and closed at
 * once), so that `station run` can refuse a port in use before it opens
 * the sensor.  Port 0 always can.  GC_OK, GC_ERR_BUSY (in use, or not
 * this machine's address) or GC_ERR_ARG, with one sentence in diag. */
int web_probe(const char *addr, uint16_t port, struct gc_diag *diag);

struct web;

/* Starts the server (listening at return).  NULL on failure with one
 * sentence in diag (address in use, bad address, no randomness). */
struct web *web_new(const struct web_config *cfg, struct gc_diag *diag);
/* Stops the server: open streams end, queued commands get 503, threads
 * are joined.  NULL is allowed. */
void web_free(struct web *w);

const char *web_token(const struct web *w);
uint16_t web_port(const struct web *w); /* the port bound (also when 0 was asked) */
/* The console's URL for a person: http://HOST:PORT/?token=T, HOST being
 * the bound address, or for 0.0.0.0 / :: this machine's first
 * non-loopback IPv4 address (else its host name). */
void web_url(const struct web *w, char *buf, size_t cap);

/* Main thread: the live state as one JSON object (at most
 * WEB_STATE_MAX - 1 bytes; longer is refused with GC_ERR_ARG).  Every
 * open event stream sends it. */
int web_publish(struct web *w, const char *json);

/* Main thread: answers every queued command with h (on this thread, as
 * ctlsock_poll does) and hands the replies back.  Returns the number
 * answered. */
int web_poll(struct web *w, ctlsock_handler h, void *user);

struct web_stats {
    uint64_t requests; /* answered requests (any status) */
    uint64_t denied;   /* 401 */
    uint64_t limited;  /* 429 and connections closed at accept */
    uint64_t commands; /* commands answered by the main thread */
    uint64_t events;   /* SSE messages sent */
};
void web_get_stats(struct web *w, struct web_stats *st);

#endif
