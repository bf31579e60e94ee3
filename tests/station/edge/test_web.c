/*
 * test_web.c - the web console's server over loopback: [ADDR:]PORT
 * parsing, the token (401 without it, on every path), the compiled-in page,
 * the state and its event stream, commands answered by the "main thread"
 * (a thread here playing its part), their refusals, the rate limits, and
 * a stop with a stream still open.
 */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "web.h"

#define TOKEN "0123456789abcdef0123456789abcdef"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int connect_to(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One request on a fresh connection; returns the status (-1: refused or
 * closed without an answer) and the body in body. */
static int http(uint16_t port, const char *method, const char *path, const char *payload,
                char *body, size_t cap)
{
    int fd = connect_to(port);
    if (fd < 0)
        return -1;
    char req[2048];
    size_t plen = payload ? strlen(payload) : 0;
    int n = snprintf(req, sizeof req,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                     "Content-Length: %zu\r\n\r\n",
                     method, path, plen);
    if (write(fd, req, (size_t)n) != n || (plen && write(fd, payload, plen) != (ssize_t)plen)) {
        close(fd);
        return -1;
    }
    static char resp[65536];
    size_t got = 0;
    ssize_t k;
    while (got < sizeof resp - 1 && (k = read(fd, resp + got, sizeof resp - 1 - got)) > 0)
        got += (size_t)k;
    resp[got] = '\0';
    close(fd);
    int status = -1;
    if (sscanf(resp, "HTTP/1.1 %d", &status) != 1)
        return -1;
    const char *b = strstr(resp, "\r\n\r\n");
    if (body)
        snprintf(body, cap, "%s", b ? b + 4 : "");
    return status;
}

/* ---- a stand-in for the main thread: polls the command queue ------------ */

static atomic_bool polling;
static atomic_bool poll_stop;
static char last_source_key[64];

static void handler(void *user, const struct ctl_cmd *c, char *reply, size_t cap)
{
    (void)user;
    snprintf(last_source_key, sizeof last_source_key, "%s", c->key);
    if (!strcmp(c->key, "band"))
        snprintf(reply, cap, "error band must be 0.5..20 %%");
    else
        snprintf(reply, cap, "ok %s=%s", c->key, c->nargs ? c->arg[0] : "");
}

static void *poller(void *arg)
{
    struct web *w = arg;
    while (!atomic_load(&poll_stop)) {
        if (atomic_load(&polling))
            web_poll(w, handler, NULL);
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static void test_parse_listen(void)
{
    char addr[64];
    uint16_t port = 1;
    struct gc_diag d;
    CHECK(web_parse_listen("8088", addr, sizeof addr, &port, &d) == GC_OK);
    CHECK(!strcmp(addr, "0.0.0.0") && port == 8088);
    CHECK(web_parse_listen("127.0.0.1:9000", addr, sizeof addr, &port, &d) == GC_OK);
    CHECK(!strcmp(addr, "127.0.0.1") && port == 9000);
    CHECK(web_parse_listen("[::1]:80", addr, sizeof addr, &port, &d) == GC_OK);
    CHECK(!strcmp(addr, "::1") && port == 80);
    CHECK(web_parse_listen("0", addr, sizeof addr, &port, &d) == GC_OK && port == 0);
    const char *bad[] = {"",        "abc",          "1.2.3.4:",     "1.2.3.4:70000", "clinic:80",
                         ":80",     "1.2.3.4:80:1", "-1",           "80x",           "[::1]80",
                         "[::1:80", "999.1.1.1:80", "1.2.3.4:+80 ", "65536"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gc_diag_clear(&d);
        int rc = web_parse_listen(bad[i], addr, sizeof addr, &port, &d);
        CHECK_MSG(rc == GC_ERR_ARG && d.msg[0], bad[i]);
    }
}

int main(void)
{
    test_parse_listen();

    struct web_config cfg;
    web_config_default(&cfg);
    cfg.addr = "127.0.0.1";
    cfg.port = 0;
    cfg.token = "short";
    struct gc_diag d;
    gc_diag_clear(&d);
    CHECK(web_new(&cfg, &d) == NULL && d.code == GC_ERR_ARG); /* a weak token is refused */
    cfg.token = TOKEN;
    struct web *w = web_new(&cfg, &d);
    CHECK_MSG(w != NULL, d.msg);
    if (!w)
        return check_exit();
    uint16_t port = web_port(w);
    CHECK(port != 0);
    CHECK(!strcmp(web_token(w), TOKEN));
    char url[160];
    web_url(w, url, sizeof url);
    char want[160];
    snprintf(want, sizeof want, "http://127.0.0.1:%u/?token=" TOKEN, (unsigned)port);
    CHECK_MSG(!strcmp(url, want), url);

    /* a second server on the same port is refused with a sentence */
    struct web_config c2 = cfg;
    c2.port = port;
    gc_diag_clear(&d);
    struct web *w2 = web_new(&c2, &d);
    CHECK(w2 == NULL && strstr(d.msg, "in use") != NULL);
    web_free(w2);

    char body[8192];
    /* 401 on every path without the token */
    const char *paths[] = {"/",
                           "/index.html",
                           "/app.js",
                           "/style.css",
                           "/events",
                           "/api/state",
                           "/nope",
                           "/?token=",
                           "/?token=0123456789abcdef0123456789abcde",
                           "/?token=0123456789abcdef0123456789abcdef0",
                           "/?token=0123456789ABCDEF0123456789ABCDEF"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        CHECK_MSG(http(port, "GET", paths[i], NULL, body, sizeof body) == 401, paths[i]);
    CHECK(http(port, "POST", "/api/cmd", "set mode off", body, sizeof body) == 401);
    CHECK(http(port, "GET", "/api/state", "a body on a GET", body, sizeof body) == 401);
    CHECK(strstr(body, "token") != NULL); /* the sentence says what to do */

    /* the page, with the token in its asset URLs */
    CHECK(http(port, "GET", "/?token=" TOKEN, NULL, body, sizeof body) == 200);
    CHECK(strstr(body, "app.js?token=" TOKEN) && strstr(body, "id=\"target-cadence\"") &&
          strstr(body, "id=\"apply-pain\"") && !strstr(body, "@TOKEN@"));
    CHECK(http(port, "GET", "/app.js?token=" TOKEN, NULL, body, sizeof body) == 200);
    CHECK(strstr(body, "EventSource") != NULL);
    CHECK(http(port, "GET", "/nope?token=" TOKEN, NULL, body, sizeof body) == 404);
    CHECK(http(port, "GET", "/style.css?token=" TOKEN, "ignored body", body, sizeof body) == 200);
    CHECK(http(port, "DELETE", "/?token=" TOKEN, NULL, body, sizeof body) == 405);

    /* the state: none before the first publish, then exactly what was published */
    CHECK(http(port, "GET", "/api/state?token=" TOKEN, NULL, body, sizeof body) == 503);
    CHECK(web_publish(w, "{\"t\":1.00}") == GC_OK);
    CHECK(http(port, "GET", "/api/state?token=" TOKEN, NULL, body, sizeof body) == 200);
    CHECK(!strcmp(body, "{\"t\":1.00}"));
    static char big[WEB_STATE_MAX + 10];
    memset(big, 'x', sizeof big - 1);
    CHECK(web_publish(w, big) == GC_ERR_ARG);

    /* commands: answered on the polling thread with the handler's reply */
    pthread_t th;
    atomic_store(&polling, true);
    pthread_create(&th, NULL, poller, w);
    CHECK(http(port, "POST", "/api/cmd?token=" TOKEN, "set mode faded", body, sizeof body) == 200);
    CHECK(!strcmp(body, "ok mode=faded\n"));
    CHECK(!strcmp(last_source_key, "mode"));
    CHECK(http(port, "POST", "/api/cmd?token=" TOKEN, "set band 99\n", body, sizeof body) == 422);
    CHECK(!strncmp(body, "error band", 10));
    CHECK(http(port, "POST", "/api/cmd?token=" TOKEN, "set bogus 1", body, sizeof body) == 400);
    CHECK(http(port, "POST", "/api/cmd?token=" TOKEN, "stop", body, sizeof body) == 403);
    CHECK(http(port, "POST", "/api/cmd?token=" TOKEN, "set mode off\nstop", body, sizeof body) ==
          400);
    static char longline[700];
    memset(longline, 'a', sizeof longline - 1);
    memcpy(longline, "mark note ", 10);
    CHECK(http(port, "POST", "/api/cmd?token=" TOKEN, longline, body, sizeof body) == 413);
    /* nobody answers: 503 after WEB_REPLY_WAIT_MS, with a sentence */
    atomic_store(&polling, false);
    double t0 = now_s();
    CHECK(http(port, "POST", "/api/cmd?token=" TOKEN, "set mode off", body, sizeof body) == 503);
    double waited = now_s() - t0;
    /* 3 s wait; +1.5 s for a loaded machine's scheduling */
    CHECK_NEAR(waited, WEB_REPLY_WAIT_MS / 1000.0 + 0.5, 1.0);
    CHECK(strstr(body, "did not answer") != NULL);
    atomic_store(&polling, true);

    /* the event stream: a published state arrives as one SSE message */
    int fd = connect_to(port);
    const char *req = "GET /events?token=" TOKEN " HTTP/1.1\r\nHost: x\r\n\r\n";
    CHECK(write(fd, req, strlen(req)) == (ssize_t)strlen(req));
    struct timespec pause = {0, 100000000};
    nanosleep(&pause, NULL);
    CHECK(web_publish(w, "{\"t\":2.00}") == GC_OK);
    char sse[4096];
    size_t got = 0;
    double t_end = now_s() + 3;
    sse[0] = '\0';
    while (now_s() < t_end && !strstr(sse, "data: {\"t\":2.00}\n\n")) {
        ssize_t k = read(fd, sse + got, sizeof sse - 1 - got);
        if (k <= 0)
            break;
        got += (size_t)k;
        sse[got] = '\0';
    }
    CHECK(strstr(sse, "text/event-stream") != NULL);
    CHECK(strstr(sse, "data: {\"t\":2.00}\n\n") != NULL);

    /* rate limit: a flood from one address is cut (refused or 429), and
     * the address is served again once the bucket refills */
    int refused = 0, limited = 0, denied = 0;
    for (int i = 0; i < 300; i++) {
        int st = http(port, "GET", "/", NULL, NULL, 0);
        refused += st == -1;
        limited += st == 429;
        denied += st == 401;
    }
    CHECK(refused + limited > 0);
    CHECK(denied <= (int)(WEB_CONN_BURST + WEB_REQ_BURST));
    sleep(2);
    CHECK(http(port, "GET", "/api/state?token=" TOKEN, NULL, body, sizeof body) == 200);
    struct web_stats st;
    web_get_stats(w, &st);
    CHECK(st.denied >= 13 && st.limited > 0 && st.commands == 2 && st.events >= 1);

    /* stopping with a stream open ends it promptly */
    atomic_store(&poll_stop, true);
    pthread_join(th, NULL);
    t0 = now_s();
    web_free(w);
    CHECK(now_s() - t0 < 2.0); /* the stream's wait is 1 s at most */
    close(fd);
    return check_exit();
}
