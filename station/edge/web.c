/*
 * web.c - the therapist's web console server (see web.h).
 *
 * libmicrohttpd in thread-per-connection mode: an event stream is a
 * response whose reader blocks (on a condition variable) until the main
 * thread publishes the next state, which that mode allows.  The accept
 * policy refuses a client over its connection rate before a thread is
 * made, so a flood costs an accept and a close, not a thread.
 */
#define LOG_PREFIX "web"
#include "web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "web_assets.h"

#define WEB_CLIENTS          64 /* rate-limit table: client addresses remembered */
#define WEB_QUEUE            8  /* commands waiting for the main thread */
#define WEB_BODY_MAX         CTLSOCK_LINE_MAX
#define WEB_SSE_BLOCK        (WEB_STATE_MAX + 16)
#define WEB_SSE_KEEPALIVE_MS 1000

struct web_client {
    uint8_t addr[16]; /* IPv4 in the first 4 bytes, or IPv6 */
    bool used;
    double conn_tokens, req_tokens;
    double t_conn_s, t_req_s, t_seen_s;
};

enum slot_state { SLOT_FREE = 0, SLOT_QUEUED, SLOT_TAKEN, SLOT_ANSWERED, SLOT_ABANDONED };

struct web_slot {
    enum slot_state state;
    struct ctl_cmd cmd;
    char reply[CTLSOCK_LINE_MAX + 64];
};

struct web {
    struct MHD_Daemon *d;
    char token[WEB_TOKEN_HEX + 1];
    size_t token_len;
    char addr[64];
    uint16_t port;
    unsigned char *index_html; /* the page with the token in its asset URLs */
    size_t index_len;

    pthread_mutex_t mu;
    pthread_cond_t state_cv, reply_cv;
    bool stopping;
    char state[WEB_STATE_MAX];
    size_t state_len;
    uint64_t state_seq;
    struct web_client clients[WEB_CLIENTS];
    struct web_slot slots[WEB_QUEUE];
    unsigned streams;
    struct web_stats stats;
};

/* Per request: the POST body gathered so far. */
struct web_req {
    char body[WEB_BODY_MAX + 1];
    size_t len;
    bool too_long;
};

struct web_stream {
    struct web *w;
    uint64_t seq_sent;
    bool first;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

void web_config_default(struct web_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->addr = WEB_DEFAULT_ADDR;
    cfg->port = WEB_DEFAULT_PORT;
}

int web_parse_listen(const char *text, char *addr, size_t addrcap, uint16_t *port,
                     struct gc_diag *diag)
{
    const char *hint = "give the web console's address as PORT or ADDR:PORT, e.g. 8088 or "
                       "127.0.0.1:8088";
    if (!text || !*text)
        return gc_fail(diag, GC_ERR_ARG, "%s", hint);
    const char *p = text;
    const char *colon = NULL;
    char host[64] = WEB_DEFAULT_ADDR;
    if (text[0] == '[') { /* [v6]:port */
        const char *end = strchr(text, ']');
        if (!end || end[1] != ':' || (size_t)(end - text - 1) >= sizeof host)
            return gc_fail(diag, GC_ERR_ARG, "'%.80s' is not [IPv6]:PORT; %s", text, hint);
        memcpy(host, text + 1, (size_t)(end - text - 1));
        host[end - text - 1] = '\0';
        p = end + 2;
    } else if ((colon = strrchr(text, ':')) != NULL) {
        if (strchr(text, ':') != colon || (size_t)(colon - text) >= sizeof host || colon == text)
            return gc_fail(diag, GC_ERR_ARG, "'%.80s' is not ADDR:PORT; %s", text, hint);
        memcpy(host, text, (size_t)(colon - text));
        host[colon - text] = '\0';
        p = colon + 1;
    }
    char *end;
    errno = 0;
    long v = strtol(p, &end, 10);
    if (errno || end == p || *end != '\0' || v < 0 || v > 65535)
        return gc_fail(diag, GC_ERR_ARG, "the port in '%.80s' must be a number from 0 to 65535; %s", text, hint);
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, host, &a4) != 1 && inet_pton(AF_INET6, host, &a6) != 1)
        return gc_fail(diag, GC_ERR_ARG,
                       "'%.60s' is not a numeric IP address (e.g. 0.0.0.0, 127.0.0.1, "
                       "192.168.1.20 or ::1)",
                       host);
    if (strlen(host) >= addrcap)
        return gc_fail(diag, GC_ERR_ARG, "the address '%.60s' is too long", host);
    snprintf(addr, addrcap, "%s", host);
    *port = (uint16_t)v;
    return GC_OK;
}

/* ---- access: token and rate limits ------------------------------------- */

static bool token_ok(const struct web *w, const char *t)
{
    if (!t)
        return false;
    size_t n = strlen(t);
    /* constant time in the token's length: no early exit on a mismatch */
    unsigned diff = n != w->token_len;
    for (size_t i = 0; i < w->token_len; i++)
        diff |= (unsigned)(unsigned char)w->token[i] ^ (unsigned char)(i < n ? t[i] : 0);
    return diff == 0;
}

static void addr_key(const struct sockaddr *sa, uint8_t key[16])
{
    memset(key, 0, 16);
    if (!sa)
        return;
    if (sa->sa_family == AF_INET)
        memcpy(key, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
    else if (sa->sa_family == AF_INET6)
        memcpy(key, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
}

/* The client's entry (caller holds mu): a new address replaces the one
 * seen longest ago. */
static struct web_client *client_of(struct web *w, const struct sockaddr *sa, double t)
{
    uint8_t key[16];
    addr_key(sa, key);
    struct web_client *oldest = &w->clients[0];
    for (int i = 0; i < WEB_CLIENTS; i++) {
        struct web_client *c = &w->clients[i];
        if (c->used && !memcmp(c->addr, key, 16)) {
            c->t_seen_s = t;
            return c;
        }
        if (!c->used || (oldest->used && c->t_seen_s < oldest->t_seen_s))
            oldest = c;
    }
    memset(oldest, 0, sizeof *oldest);
    memcpy(oldest->addr, key, 16);
    oldest->used = true;
    oldest->conn_tokens = WEB_CONN_BURST;
    oldest->req_tokens = WEB_REQ_BURST;
    oldest->t_conn_s = oldest->t_req_s = oldest->t_seen_s = t;
    return oldest;
}

/* Token bucket: refill at rate, hold at most burst, take one. */
static bool bucket_take(double *tokens, double *t_last, double t, double rate, double burst)
{
    *tokens += (t - *t_last) * rate;
    if (*tokens > burst)
        *tokens = burst;
    *t_last = t;
    if (*tokens < 1.0)
        return false;
    *tokens -= 1.0;
    return true;
}

static enum MHD_Result accept_policy(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    (void)addrlen;
    struct web *w = cls;
    double t = now_s();
    pthread_mutex_lock(&w->mu);
    struct web_client *c = client_of(w, addr, t);
    bool ok = bucket_take(&c->conn_tokens, &c->t_conn_s, t, WEB_CONN_RATE_PER_S, WEB_CONN_BURST);
    if (!ok)
        w->stats.limited++;
    pthread_mutex_unlock(&w->mu);
    return ok ? MHD_YES : MHD_NO;
}

/* ---- responses ------------------------------------------------------------ */

static void common_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; frame-ancestors 'none'; form-action 'none'");
}

static enum MHD_Result answer(struct web *w, struct MHD_Connection *con, unsigned status,
                              const char *type, const void *data, size_t len, bool copy)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, (void *)data, copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    common_headers(r);
    MHD_add_response_header(r, "Content-Type", type);
    enum MHD_Result rc = MHD_queue_response(con, status, r);
    MHD_destroy_response(r);
    pthread_mutex_lock(&w->mu);
    w->stats.requests++;
    if (status == MHD_HTTP_UNAUTHORIZED)
        w->stats.denied++;
    if (status == MHD_HTTP_TOO_MANY_REQUESTS)
        w->stats.limited++;
    pthread_mutex_unlock(&w->mu);
    return rc;
}

static enum MHD_Result answer_text(struct web *w, struct MHD_Connection *con, unsigned status,
                                   const char *text)
{
    return answer(w, con, status, "text/plain; charset=utf-8", text, strlen(text), true);
}

/* ---- event stream ------------------------------------------------------- */

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct web_stream *s = cls;
    struct web *w = s->w;
    pthread_mutex_lock(&w->mu);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += WEB_SSE_KEEPALIVE_MS / 1000;
    while (!w->stopping && (w->state_seq == s->seq_sent || w->state_len == 0)) {
        if (pthread_cond_timedwait(&w->state_cv, &w->mu, &until) == ETIMEDOUT)
            break;
    }
    if (w->stopping) {
        pthread_mutex_unlock(&w->mu);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    size_t n;
    if (w->state_seq != s->seq_sent && w->state_len > 0 && w->state_len + 16 <= max) {
        memcpy(buf, "data: ", 6);
        memcpy(buf + 6, w->state, w->state_len);
        memcpy(buf + 6 + w->state_len, "\n\n", 2);
        n = w->state_len + 8;
        s->seq_sent = w->state_seq;
        w->stats.events++;
    } else {
        /* nothing new for a second: a comment keeps proxies from closing */
        memcpy(buf, ":\n\n", 3);
        n = 3;
    }
    pthread_mutex_unlock(&w->mu);
    return (ssize_t)n;
}

static void sse_free(void *cls)
{
    struct web_stream *s = cls;
    pthread_mutex_lock(&s->w->mu);
    s->w->streams--;
    pthread_mutex_unlock(&s->w->mu);
    free(s);
}

static enum MHD_Result serve_events(struct web *w, struct MHD_Connection *con)
{
    pthread_mutex_lock(&w->mu);
    bool full = w->streams >= WEB_MAX_STREAMS;
    if (!full)
        w->streams++;
    pthread_mutex_unlock(&w->mu);
    if (full)
        return answer_text(w, con, MHD_HTTP_SERVICE_UNAVAILABLE,
                           "too many open consoles: close one and reload\n");
    struct web_stream *s = calloc(1, sizeof *s);
    struct MHD_Response *r = s ? MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, WEB_SSE_BLOCK,
                                                                   sse_read, s, sse_free)
                               : NULL;
    if (!r) {
        free(s);
        pthread_mutex_lock(&w->mu);
        w->streams--;
        pthread_mutex_unlock(&w->mu);
        return MHD_NO;
    }
    s->w = w;
    common_headers(r);
    MHD_add_response_header(r, "Content-Type", "text/event-stream");
    enum MHD_Result rc = MHD_queue_response(con, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    pthread_mutex_lock(&w->mu);
    w->stats.requests++;
    pthread_mutex_unlock(&w->mu);
    return rc;
}

/* ---- commands ------------------------------------------------------------- */

/* Only what a therapist does live: set, get, mark (and help). */
static enum MHD_Result serve_command(struct web *w, struct MHD_Connection *con, struct web_req *rq)
{
    if (rq->too_long)
        return answer_text(w, con, MHD_HTTP_CONTENT_TOO_LARGE,
                           "error the command is too long (at most 480 bytes)\n");
    rq->body[rq->len] = '\0';
    /* one line: a trailing newline is allowed, none inside */
    while (rq->len > 0 && (rq->body[rq->len - 1] == '\n' || rq->body[rq->len - 1] == '\r'))
        rq->body[--rq->len] = '\0';
    if (memchr(rq->body, '\n', rq->len) || memchr(rq->body, '\r', rq->len) ||
        strlen(rq->body) != rq->len)
        return answer_text(w, con, MHD_HTTP_BAD_REQUEST,
                           "error send one command line, e.g. 'set target-cadence 176'\n");
    struct ctl_cmd cmd;
    struct gc_diag why;
    if (ctlsock_parse(rq->body, &cmd, &why) != GC_OK) {
        char msg[GC_DIAG_MSG_MAX + 8];
        snprintf(msg, sizeof msg, "error %s\n", why.msg);
        return answer_text(w, con, MHD_HTTP_BAD_REQUEST, msg);
    }
    if (cmd.verb == CTL_STOP)
        return answer_text(w, con, MHD_HTTP_FORBIDDEN,
                           "error the session is stopped at the station (Esc, Ctrl-C or "
                           "'station ctl stop'), not from the web console\n");

    pthread_mutex_lock(&w->mu);
    int k = -1;
    for (int i = 0; i < WEB_QUEUE && k < 0; i++)
        if (w->slots[i].state == SLOT_FREE)
            k = i;
    if (k < 0 || w->stopping) {
        pthread_mutex_unlock(&w->mu);
        return answer_text(w, con, MHD_HTTP_SERVICE_UNAVAILABLE,
                           "error the station is busy with other commands; try again\n");
    }
    struct web_slot *sl = &w->slots[k];
    sl->cmd = cmd;
    sl->reply[0] = '\0';
    sl->state = SLOT_QUEUED;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += WEB_REPLY_WAIT_MS / 1000;
    until.tv_nsec += (WEB_REPLY_WAIT_MS % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    while (sl->state != SLOT_ANSWERED && !w->stopping)
        if (pthread_cond_timedwait(&w->reply_cv, &w->mu, &until) == ETIMEDOUT)
            break;
    char reply[sizeof sl->reply + 1];
    bool answered = sl->state == SLOT_ANSWERED;
    if (answered) {
        snprintf(reply, sizeof reply, "%s\n", sl->reply);
        sl->state = SLOT_FREE;
    } else {
        /* the main thread may still be answering it: it frees the slot */
        sl->state = sl->state == SLOT_TAKEN ? SLOT_ABANDONED : SLOT_FREE;
    }
    pthread_mutex_unlock(&w->mu);
    if (!answered)
        return answer_text(w, con, MHD_HTTP_SERVICE_UNAVAILABLE,
                           "error the station did not answer in time; the command may not "
                           "have been applied: check the state and try again\n");
    unsigned status =
        ctlsock_reply_parse(reply, NULL) == GC_OK ? MHD_HTTP_OK : MHD_HTTP_UNPROCESSABLE_CONTENT;
    return answer_text(w, con, status, reply);
}

int web_poll(struct web *w, ctlsock_handler h, void *user)
{
    if (!w)
        return 0;
    int n = 0;
    for (int i = 0; i < WEB_QUEUE; i++) {
        pthread_mutex_lock(&w->mu);
        struct web_slot *sl = &w->slots[i];
        if (sl->state != SLOT_QUEUED) {
            pthread_mutex_unlock(&w->mu);
            continue;
        }
        sl->state = SLOT_TAKEN;
        struct ctl_cmd cmd = sl->cmd;
        pthread_mutex_unlock(&w->mu);

        char reply[sizeof sl->reply];
        reply[0] = '\0';
        h(user, &cmd, reply, sizeof reply);
        if (!reply[0])
            snprintf(reply, sizeof reply, "error no reply");

        pthread_mutex_lock(&w->mu);
        if (sl->state == SLOT_ABANDONED) {
            sl->state = SLOT_FREE;
        } else {
            snprintf(sl->reply, sizeof sl->reply, "%s", reply);
            sl->state = SLOT_ANSWERED;
        }
        w->stats.commands++;
        pthread_cond_broadcast(&w->reply_cv);
        pthread_mutex_unlock(&w->mu);
        n++;
    }
    return n;
}

/* ---- routing --------------------------------------------------------------- */

static const struct web_asset *asset_of(const char *url)
{
    for (const struct web_asset *a = web_assets; a->path; a++)
        if (!strcmp(a->path, url))
            return a;
    return NULL;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *con, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct web *w = cls;
    bool post = !strcmp(method, "POST");
    if (*con_cls == NULL) {
        /* first call: headers only.  Access is decided here, before a body
         * is read. */
        struct web_req *rq = calloc(1, sizeof *rq);
        if (!rq)
            return MHD_NO;
        *con_cls = rq;
        return MHD_YES;
    }
    struct web_req *rq = *con_cls;
    if (*upload_data_size > 0) {
        /* a body is gathered (POST) or dropped (any other method); the
         * answer comes on the last call, once it is all read */
        if (!post || rq->len + *upload_data_size > WEB_BODY_MAX)
            rq->too_long = rq->too_long || post;
        else {
            memcpy(rq->body + rq->len, upload_data, *upload_data_size);
            rq->len += *upload_data_size;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }

    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    double t = now_s();
    pthread_mutex_lock(&w->mu);
    struct web_client *c = client_of(w, ci ? ci->client_addr : NULL, t);
    bool allowed = bucket_take(&c->req_tokens, &c->t_req_s, t, WEB_REQ_RATE_PER_S, WEB_REQ_BURST);
    pthread_mutex_unlock(&w->mu);
    if (!allowed)
        return answer_text(w, con, MHD_HTTP_TOO_MANY_REQUESTS,
                           "too many requests from this address; wait a second\n");
    const char *tok = MHD_lookup_connection_value(con, MHD_GET_ARGUMENT_KIND, "token");
    if (!token_ok(w, tok))
        return answer_text(w, con, MHD_HTTP_UNAUTHORIZED,
                           "this console needs the session's token: open the address the "
                           "station printed (web console: http://...?token=...) or scan the "
                           "QR code on the therapist panel\n");

    bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    if (post && !strcmp(url, "/api/cmd"))
        return serve_command(w, con, rq);
    if (get && !strcmp(url, "/events"))
        return serve_events(w, con);
    if (get && !strcmp(url, "/api/state")) {
        char buf[WEB_STATE_MAX];
        pthread_mutex_lock(&w->mu);
        size_t n = w->state_len;
        memcpy(buf, w->state, n);
        pthread_mutex_unlock(&w->mu);
        if (n == 0)
            return answer_text(w, con, MHD_HTTP_SERVICE_UNAVAILABLE,
                               "the session has not started yet; try again in a second\n");
        return answer(w, con, MHD_HTTP_OK, "application/json", buf, n, true);
    }
    if (get && (!strcmp(url, "/") || !strcmp(url, "/index.html")))
        return answer(w, con, MHD_HTTP_OK, "text/html; charset=utf-8", w->index_html, w->index_len,
                      false);
    const struct web_asset *a = get ? asset_of(url) : NULL;
    if (a)
        return answer(w, con, MHD_HTTP_OK, a->type, a->data, a->len, false);
    if (!get && !post)
        return answer_text(w, con, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and POST\n");
    return answer_text(w, con, MHD_HTTP_NOT_FOUND,
                       "no such page: the console is at / (with its token)\n");
}

static void completed(void *cls, struct MHD_Connection *con, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)con;
    (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

/* libmicrohttpd's log callback: fmt is its own printf format. */
__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[300];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && msg[n - 1] == '\n')
        msg[--n] = '\0';
    LOG_INFO("%s", msg);
}

/* ---- lifecycle ------------------------------------------------------------- */

int web_probe(const char *addr, uint16_t port, struct gc_diag *diag)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    socklen_t len;
    if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        len = sizeof *s4;
    } else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        len = sizeof *s6;
    } else {
        return gc_fail(diag, GC_ERR_ARG, "'%.60s' is not a numeric IP address for the web console",
                       addr);
    }
    if (port == 0)
        return GC_OK;
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return gc_fail(diag, GC_ERR_IO, "cannot make a socket for the web console (%s)",
                       strerror(errno));
    int one = 1; /* as the server will: a port in TIME_WAIT is free */
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int rc = bind(fd, (struct sockaddr *)&ss, len);
    int e = errno;
    close(fd);
    if (rc != 0)
        return gc_fail(diag, GC_ERR_BUSY,
                       "cannot serve the web console on %s:%u (%s); choose another with --web "
                       "ADDR:PORT",
                       addr, (unsigned)port, strerror(e));
    return GC_OK;
}

/* The page with the token placed in its asset URLs (@TOKEN@). */
static int make_index(struct web *w)
{
    const struct web_asset *a = asset_of("/index.html");
    if (!a)
        return GC_ERR_NOT_FOUND;
    static const char mark[] = "@TOKEN@";
    size_t marks = 0;
    for (const char *p = (const char *)a->data; (p = strstr(p, mark)) != NULL; p += sizeof mark - 1)
        marks++;
    size_t cap = a->len + marks * w->token_len + 1;
    w->index_html = malloc(cap);
    if (!w->index_html)
        return GC_ERR_NOMEM;
    size_t n = 0;
    const char *p = (const char *)a->data;
    const char *hit;
    while ((hit = strstr(p, mark)) != NULL) {
        memcpy(w->index_html + n, p, (size_t)(hit - p));
        n += (size_t)(hit - p);
        memcpy(w->index_html + n, w->token, w->token_len);
        n += w->token_len;
        p = hit + sizeof mark - 1;
    }
    size_t rest = a->len - (size_t)(p - (const char *)a->data);
    memcpy(w->index_html + n, p, rest);
    w->index_len = n + rest;
    return GC_OK;
}

struct web *web_new(const struct web_config *cfg, struct gc_diag *diag)
{
    struct web *w = calloc(1, sizeof *w);
    if (!w) {
        gc_fail(diag, GC_ERR_NOMEM, "out of memory for the web console");
        return NULL;
    }
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->state_cv, NULL);
    pthread_cond_init(&w->reply_cv, NULL);
    if (cfg->token) {
        size_t n = strlen(cfg->token);
        if (n < 16 || n > WEB_TOKEN_HEX || strspn(cfg->token, "0123456789abcdef") != n) {
            gc_fail(diag, GC_ERR_ARG, "the web token must be 16-32 lowercase hex digits");
            web_free(w);
            return NULL;
        }
        snprintf(w->token, sizeof w->token, "%s", cfg->token);
    } else {
        uint8_t rnd[WEB_TOKEN_HEX / 2];
        if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
            gc_fail(diag, GC_ERR_IO, "no random numbers for the web console's token (%s)",
                    strerror(errno));
            web_free(w);
            return NULL;
        }
        for (size_t i = 0; i < sizeof rnd; i++)
            snprintf(w->token + 2 * i, 3, "%02x", rnd[i]);
    }
    w->token_len = strlen(w->token);
    if (make_index(w) != GC_OK) {
        gc_fail(diag, GC_ERR_NOMEM, "the web console's page is missing from this build");
        web_free(w);
        return NULL;
    }

    const char *addr = cfg->addr ? cfg->addr : WEB_DEFAULT_ADDR;
    snprintf(w->addr, sizeof w->addr, "%s", addr);
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_ERROR_LOG | MHD_USE_POLL;
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons(cfg->port);
    } else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(cfg->port);
        flags |= MHD_USE_IPv6;
    } else {
        gc_fail(diag, GC_ERR_ARG, "'%.60s' is not a numeric IP address for the web console", addr);
        web_free(w);
        return NULL;
    }
    w->d = MHD_start_daemon(flags, cfg->port, accept_policy, w, handle, w, MHD_OPTION_SOCK_ADDR,
                            (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT,
                            (unsigned)WEB_MAX_CONNECTIONS, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                            (unsigned)WEB_MAX_PER_IP, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)15,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, w, MHD_OPTION_EXTERNAL_LOGGER,
                            mhd_log, w, MHD_OPTION_END);
    if (!w->d) {
        gc_fail(diag, GC_ERR_BUSY,
                "cannot serve the web console on %s:%u (the port is in use or the address is "
                "not this machine's); choose another with --web ADDR:PORT",
                addr, (unsigned)cfg->port);
        web_free(w);
        return NULL;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(w->d, MHD_DAEMON_INFO_BIND_PORT);
    w->port = di && di->port ? di->port : cfg->port;
    return w;
}

void web_free(struct web *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    pthread_cond_broadcast(&w->state_cv);
    pthread_cond_broadcast(&w->reply_cv);
    pthread_mutex_unlock(&w->mu);
    if (w->d)
        MHD_stop_daemon(w->d); /* joins every connection thread */
    pthread_cond_destroy(&w->state_cv);
    pthread_cond_destroy(&w->reply_cv);
    pthread_mutex_destroy(&w->mu);
    free(w->index_html);
    free(w);
}

const char *web_token(const struct web *w)
{
    return w->token;
}

uint16_t web_port(const struct web *w)
{
    return w->port;
}

void web_url(const struct web *w, char *buf, size_t cap)
{
    char host[80] = "";
    bool any = !strcmp(w->addr, "0.0.0.0") || !strcmp(w->addr, "::");
    if (any) {
        struct ifaddrs *ifs = NULL;
        if (getifaddrs(&ifs) == 0) {
            for (struct ifaddrs *i = ifs; i && !host[0]; i = i->ifa_next) {
                if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
                    continue;
                const struct in_addr *a = &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr;
                if ((ntohl(a->s_addr) >> 24) == 127)
                    continue;
                inet_ntop(AF_INET, a, host, sizeof host);
            }
            freeifaddrs(ifs);
        }
        if (!host[0] && gethostname(host, sizeof host) != 0)
            snprintf(host, sizeof host, "localhost");
        host[sizeof host - 1] = '\0';
    } else if (strchr(w->addr, ':')) {
        snprintf(host, sizeof host, "[%.*s]", (int)sizeof host - 3, w->addr);
    } else {
        snprintf(host, sizeof host, "%s", w->addr);
    }
    snprintf(buf, cap, "http://%s:%u/?token=%s", host, (unsigned)w->port, w->token);
}

int web_publish(struct web *w, const char *json)
{
    if (!w)
        return GC_OK;
    size_t n = strlen(json);
    if (n >= WEB_STATE_MAX)
        return GC_ERR_ARG;
    pthread_mutex_lock(&w->mu);
    memcpy(w->state, json, n + 1);
    w->state_len = n;
    w->state_seq++;
    pthread_cond_broadcast(&w->state_cv);
    pthread_mutex_unlock(&w->mu);
    return GC_OK;
}

void web_get_stats(struct web *w, struct web_stats *st)
{
    pthread_mutex_lock(&w->mu);
    *st = w->stats;
    pthread_mutex_unlock(&w->mu);
}
