/*
 * ctlsock.c - the station's control socket (see ctlsock.h).
 *
 * Why the directory check matters: the socket lives in a well-known place
 * (/tmp/gaitcue-UID when there is no XDG_RUNTIME_DIR).  If another user
 * created that directory first, they could plant a socket that our client
 * would talk to, or read what we send.  So both ends refuse a directory or
 * socket not owned by us, or open to group/others.  The socket is chmod'ed
 * to 0600 right after bind; the 0700 directory already keeps others out
 * in between.
 */
#define LOG_PREFIX "ctlsock"
#include "ctlsock.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "gc_error.h"
#include "log.h"
#include "numparse.h"
#include "ranges.h"
#include "usertext.h"

#define CTLSOCK_CLIENTS 8
/* A client connects, sends its line, reads the reply: a connection silent
 * for this long is stuck or forgotten, and is closed. */
#define CTLSOCK_IDLE_MS 30000

/* ---- parser ---------------------------------------------------------------- */

#define V_SET           (1u << 0)
#define V_GET           (1u << 1)
#define V_MARK          (1u << 2)
#define ARG_ANY         0 /* any token */
#define ARG_NUM         1 /* a number */
#define ARG_WORD        2 /* one of words */
#define ARG_NUM_OR_WORD 3

struct keyspec {
    const char *key;
    unsigned verbs;
    int min_args, max_args;
    int kind[3];
    const char *words; /* '|'-separated, for ARG_WORD / ARG_NUM_OR_WORD on arg 0 */
};

static const struct keyspec keys[] = {
    {"target-cadence", V_SET | V_GET, 1, 1, {ARG_NUM_OR_WORD}, "none"},
    {"target-relative", V_SET | V_GET, 1, 1, {ARG_NUM}, NULL},
    {"band", V_SET | V_GET, 1, 1, {ARG_NUM}, NULL},
    {"loading-ceiling", V_SET | V_GET, 1, 1, {ARG_NUM_OR_WORD}, "none"},
    {"impact-ceiling", V_SET | V_GET, 1, 1, {ARG_NUM_OR_WORD}, "off"},
    {"mode", V_SET | V_GET, 1, 1, {ARG_WORD}, "continuous|bandwidth|faded|off"},
    {"metronome", V_SET | V_GET, 1, 1, {ARG_WORD}, "on|off"},
    {"mute", V_SET | V_GET, 1, 1, {ARG_WORD}, "on|off"},
    {"align", V_SET | V_GET, 1, 1, {ARG_WORD}, "on|off"},
    {"volume", V_SET | V_GET, 1, 1, {ARG_NUM}, NULL},
    {"cues", V_SET | V_GET, 1, 1, {ARG_WORD}, "tones|soft"},
    {"good-cue", V_SET | V_GET, 1, 2, {ARG_WORD, ARG_NUM}, "on|off"},
    {"phase", V_SET | V_GET, 1, 1, {ARG_WORD}, "weigh-in|baseline|training|retention|run|walk"},
    {"baseline", V_SET | V_GET, 1, 1, {ARG_NUM}, NULL},
    {"speed", V_SET | V_GET, 1, 1, {ARG_NUM}, NULL},
    {"incline", V_SET | V_GET, 1, 1, {ARG_NUM}, NULL},
    {"deck-speed", V_GET, 0, 0, {0}, NULL},
    {"body-weight", V_GET, 0, 0, {0}, NULL},
    {"status", V_GET, 0, 0, {0}, NULL},
    {"pain", V_MARK, 1, 1, {ARG_NUM}, NULL},
    {"symptom", V_MARK, 1, 1, {ARG_ANY}, NULL},
    {"note", V_MARK, 1, 1, {ARG_ANY}, NULL},
    {"event", V_MARK, 0, 1, {ARG_ANY}, NULL},
};

static bool word_in(const char *w, const char *list)
{
    size_t n = strlen(w);
    while (list && *list) {
        size_t k = strcspn(list, "|");
        if (k == n && !strncmp(w, list, n))
            return true;
        list += k + (list[k] == '|');
    }
    return false;
}

/* A finite decimal number (numparse.h: no hex, no inf or nan), else NAN. */
static double parse_num(const char *s)
{
    double x;
    return numparse_double(s, strlen(s), &x) == 0 ? x : NAN;
}

/* Splits into at most max tokens; quoted strings with \" and \\. */
static int tokenize(const char *line, char tok[][CTLSOCK_LINE_MAX], int max, struct gc_diag *diag)
{
    int n = 0;
    const char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == 0)
            return n;
        if (n == max) {
            gc_fail(diag, GC_ERR_FORMAT, "too many arguments");
            return -1;
        }
        size_t k = 0;
        if (*p == '"') {
            p++;
            while (*p && *p != '"') {
                if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                    p++;
                if (k + 1 < CTLSOCK_LINE_MAX)
                    tok[n][k++] = *p;
                p++;
            }
            if (*p != '"') {
                gc_fail(diag, GC_ERR_FORMAT, "unterminated quote");
                return -1;
            }
            p++;
            if (*p && *p != ' ' && *p != '\t') {
                gc_fail(diag, GC_ERR_FORMAT, "text right after a closing quote");
                return -1;
            }
        } else {
            while (*p && *p != ' ' && *p != '\t') {
                if (*p == '"') {
                    gc_fail(diag, GC_ERR_FORMAT, "quote inside a word");
                    return -1;
                }
                if (k + 1 < CTLSOCK_LINE_MAX)
                    tok[n][k++] = *p;
                p++;
            }
        }
        tok[n][k] = 0;
        n++;
    }
}

int ctlsock_check_values(const struct ctl_cmd *c, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    static const struct {
        enum ctl_verb verb;
        const char *key;
        int arg;       /* which argument */
        double lo, hi; /* inclusive */
        bool whole;    /* a whole number */
        const char *text;
    } ranges[] = {
        {CTL_SET, "target-cadence", 0, RANGE_CADENCE_MIN_SPM, RANGE_CADENCE_MAX_SPM, false,
         RANGE_CADENCE_TEXT " (or none)"},
        {CTL_SET, "target-relative", 0, RANGE_CADENCE_REL_MIN_PCT, RANGE_CADENCE_REL_MAX_PCT,
         false, RANGE_CADENCE_REL_TEXT},
        {CTL_SET, "band", 0, RANGE_BAND_MIN_PCT, RANGE_BAND_MAX_PCT, false, RANGE_BAND_TEXT},
        {CTL_SET, "loading-ceiling", 0, RANGE_VALR_CEILING_MIN_BW_S, RANGE_VALR_CEILING_MAX_BW_S,
         false, RANGE_VALR_CEILING_TEXT " (or none)"},
        {CTL_SET, "impact-ceiling", 0, RANGE_IMPACT_CEILING_MIN_BW, RANGE_IMPACT_CEILING_MAX_BW,
         false, RANGE_IMPACT_CEILING_TEXT " (or off)"},
        {CTL_SET, "baseline", 0, RANGE_CADENCE_MIN_SPM, RANGE_CADENCE_MAX_SPM, false,
         RANGE_CADENCE_TEXT},
        {CTL_SET, "speed", 0, RANGE_BELT_SPEED_MIN_MPS, RANGE_BELT_SPEED_MAX_MPS, false,
         "the belt speed in m/s, " RANGE_BELT_SPEED_TEXT},
        {CTL_SET, "incline", 0, RANGE_INCLINE_MIN_PCT, RANGE_INCLINE_MAX_PCT, false,
         RANGE_INCLINE_TEXT},
        {CTL_SET, "volume", 0, 0, 100, false, "0..100"},
        {CTL_SET, "good-cue", 1, 1, 1000, true, "a whole number of steps 1..1000"},
        {CTL_MARK, "pain", 0, 0, 10, true, "a whole number 0..10"},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        if (c->verb != ranges[i].verb || strcmp(c->key, ranges[i].key) != 0 ||
            c->nargs <= ranges[i].arg)
            continue;
        double x = c->num[ranges[i].arg];
        if (isnan(x))
            continue; /* a word (none, off): the parser said whether it belongs */
        if (x < ranges[i].lo || x > ranges[i].hi || (ranges[i].whole && x != floor(x))) {
            return gc_fail(diag, GC_ERR_ARG, "%s %s must be %s; give a value in that range.",
                           c->key, c->arg[ranges[i].arg], ranges[i].text);
        }
    }
    return GC_OK;
}

int ctlsock_parse(const char *line, struct ctl_cmd *out, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    memset(out, 0, sizeof *out);
    if (strlen(line) > CTLSOCK_LINE_MAX) {
        return gc_fail(diag, GC_ERR_FORMAT, "line too long (max %d bytes)", CTLSOCK_LINE_MAX);
    }
    for (const unsigned char *c = (const unsigned char *)line; *c; c++)
        if (*c < 0x20 && *c != '\t') {
            return gc_fail(diag, GC_ERR_FORMAT, "control character in command");
        }
    /* a note that is not UTF-8 would make every report that shows it fail */
    if (!usertext_utf8_ok(line))
        return gc_fail(diag, GC_ERR_FORMAT, "the command is not UTF-8 text");
    char t[5][CTLSOCK_LINE_MAX];
    int n = tokenize(line, t, 5, diag);
    if (n < 0)
        return GC_ERR_FORMAT;
    if (n == 0) {
        return gc_fail(diag, GC_ERR_FORMAT, "empty command; try 'help'");
    }
    unsigned vbit;
    if (!strcmp(t[0], "set"))
        out->verb = CTL_SET, vbit = V_SET;
    else if (!strcmp(t[0], "get"))
        out->verb = CTL_GET, vbit = V_GET;
    else if (!strcmp(t[0], "mark"))
        out->verb = CTL_MARK, vbit = V_MARK;
    else if (!strcmp(t[0], "help") || !strcmp(t[0], "stop")) {
        out->verb = !strcmp(t[0], "help") ? CTL_HELP : CTL_STOP;
        if (n > 1) {
            return gc_fail(diag, GC_ERR_FORMAT, "'%s' takes no arguments", t[0]);
        }
        return GC_OK;
    } else {
        return gc_fail(diag, GC_ERR_FORMAT,
                       "unknown command '%.40s' (use set, get, mark, stop or help)", t[0]);
    }
    if (n < 2) {
        return gc_fail(diag, GC_ERR_FORMAT, "'%s' needs a key", t[0]);
    }
    const struct keyspec *ks = NULL;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(keys[i].key, t[1]) && (keys[i].verbs & vbit))
            ks = &keys[i];
    if (!ks) {
        return gc_fail(diag, GC_ERR_FORMAT, "unknown key '%.40s' for '%s'", t[1], t[0]);
    }
    snprintf(out->key, sizeof out->key, "%s", ks->key);
    int nargs = n - 2;
    int lo = out->verb == CTL_GET ? 0 : ks->min_args, hi = out->verb == CTL_GET ? 0 : ks->max_args;
    if (nargs < lo || nargs > hi) {
        if (lo == hi)
            gc_fail(diag, GC_ERR_FORMAT, "'%s %s' takes %d value%s", t[0], ks->key, lo,
                    lo == 1 ? "" : "s");
        else
            gc_fail(diag, GC_ERR_FORMAT, "'%s %s' takes %d to %d values", t[0], ks->key, lo, hi);
        return GC_ERR_FORMAT;
    }
    out->nargs = nargs;
    for (int i = 0; i < nargs; i++) {
        snprintf(out->arg[i], sizeof out->arg[i], "%s", t[2 + i]);
        out->num[i] = parse_num(out->arg[i]);
        int kind = ks->kind[i];
        bool ok =
            kind == ARG_ANY || (kind == ARG_NUM && !isnan(out->num[i])) ||
            (kind == ARG_WORD && word_in(out->arg[i], ks->words)) ||
            (kind == ARG_NUM_OR_WORD && (!isnan(out->num[i]) || word_in(out->arg[i], ks->words)));
        if (!ok) {
            if (kind == ARG_NUM)
                gc_fail(diag, GC_ERR_FORMAT, "'%.40s' is not a number", out->arg[i]);
            else
                gc_fail(diag, GC_ERR_FORMAT, "'%.40s' is not one of %s%s", out->arg[i],
                        kind == ARG_NUM_OR_WORD ? "a number or " : "", ks->words);
            return GC_ERR_FORMAT;
        }
    }
    for (int i = nargs; i < 3; i++)
        out->num[i] = NAN;
    return GC_OK;
}

/* ---- paths and ownership ----------------------------------------------------- */

int ctlsock_default_path(char *buf, size_t cap, uid_t uid)
{
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    int n;
    if (xdg && xdg[0] == '/')
        n = snprintf(buf, cap, "%s/gaitcue/station.sock", xdg);
    else
        n = snprintf(buf, cap, "/tmp/gaitcue-%lu/station.sock", (unsigned long)uid);
    return n > 0 && (size_t)n < cap && (size_t)n < sizeof(((struct sockaddr_un *)0)->sun_path)
               ? GC_OK
               : GC_ERR_ARG;
}

static void dir_of(const char *path, char *dir, size_t cap)
{
    snprintf(dir, cap, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir)
        *slash = 0;
    else if (slash)
        slash[1] = 0;
    else
        snprintf(dir, cap, ".");
}

int ctlsock_check_owner(const char *path, uid_t uid, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    char dir[PATH_MAX];
    dir_of(path, dir, sizeof dir);
    struct stat st;
    if (lstat(dir, &st) != 0) {
        return gc_fail(diag, GC_ERR_NOT_FOUND, "%s does not exist", dir);
    }
    if (!S_ISDIR(st.st_mode)) {
        return gc_fail(diag, GC_ERR_PERM, "%s is not a directory (a symlink or file is refused)",
                       dir);
    }
    if (st.st_uid != uid) {
        return gc_fail(
            diag, GC_ERR_PERM,
            "%s belongs to uid %lu, not to you (uid %lu); refusing to use it - remove it "
            "or set XDG_RUNTIME_DIR",
            dir, (unsigned long)st.st_uid, (unsigned long)uid);
    }
    if (st.st_mode & 077) {
        return gc_fail(diag, GC_ERR_PERM, "%s is open to other users (mode %03o); it must be 0700",
                       dir, (unsigned)(st.st_mode & 0777));
    }
    if (lstat(path, &st) != 0)
        return GC_OK; /* no socket yet */
    if (!S_ISSOCK(st.st_mode)) {
        return gc_fail(diag, GC_ERR_PERM, "%s is not a socket; refusing to use it", path);
    }
    if (st.st_uid != uid) {
        return gc_fail(diag, GC_ERR_PERM,
                       "socket %s belongs to uid %lu, not to you (uid %lu); refusing it", path,
                       (unsigned long)st.st_uid, (unsigned long)uid);
    }
    return GC_OK;
}

static int connect_to(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

bool ctlsock_in_use(const char *path, uid_t uid, char *used_path, size_t cap)
{
    char def[PATH_MAX];
    if (!path) {
        if (ctlsock_default_path(def, sizeof def, uid) != GC_OK)
            return false;
        path = def;
    }
    if (used_path && cap)
        snprintf(used_path, cap, "%s", path);
    int fd = connect_to(path);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

/* ---- server ------------------------------------------------------------------ */

struct ctl_client {
    int fd;
    size_t n;
    int64_t last_ms; /* monotonic time of the last byte received or accepted */
    char buf[CTLSOCK_LINE_MAX + 2];
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct ctlsock {
    int fd;
    uid_t uid;
    char path[PATH_MAX];
    struct ctl_client cl[CTLSOCK_CLIENTS];
};

int ctlsock_new(const struct ctlsock_config *cfg, struct ctlsock **out, struct gc_diag *diag)
{
    *out = NULL;
    gc_diag_clear(diag);
    struct ctlsock *s = calloc(1, sizeof *s);
    if (!s)
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory");
    int rc = GC_OK;
    s->fd = -1;
    for (int i = 0; i < CTLSOCK_CLIENTS; i++)
        s->cl[i].fd = -1;
    s->uid = (cfg && cfg->uid != (uid_t)-1) ? cfg->uid : getuid();
    if (cfg && cfg->path)
        snprintf(s->path, sizeof s->path, "%s", cfg->path);
    else if (ctlsock_default_path(s->path, sizeof s->path, s->uid) != GC_OK) {
        rc = gc_fail(diag, GC_ERR_ARG, "control socket path too long; shorten XDG_RUNTIME_DIR");
        goto fail;
    }
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(s->path) >= sizeof sa.sun_path) {
        rc = gc_fail(diag, GC_ERR_ARG, "control socket path %s is too long", s->path);
        goto fail;
    }
    char dir[PATH_MAX];
    dir_of(s->path, dir, sizeof dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        rc = gc_fail(diag, errno == EACCES ? GC_ERR_PERM : GC_ERR_IO, "cannot create %s (%s)", dir,
                     strerror(errno));
        goto fail;
    }
    rc = ctlsock_check_owner(s->path, s->uid, diag);
    if (rc != GC_OK) {
        gc_diag_prefix(diag, "control socket");
        goto fail;
    }
    struct stat st;
    if (lstat(s->path, &st) == 0) {
        int fd = connect_to(s->path);
        if (fd >= 0) {
            close(fd);
            rc = gc_fail(diag, GC_ERR_BUSY,
                         "another station is already running (control socket %s); stop it first",
                         s->path);
            goto fail;
        }
        unlink(s->path); /* stale: a station that died */
    }
    strcpy(sa.sun_path, s->path);
    s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        chmod(s->path, 0600) != 0 || listen(s->fd, 4) != 0) {
        rc = gc_fail(diag, GC_ERR_IO, "cannot listen on %s (%s)", s->path, strerror(errno));
        goto fail;
    }
    LOG_INFO("control socket %s", s->path);
    *out = s;
    return GC_OK;
fail:
    if (s->fd >= 0)
        close(s->fd);
    free(s);
    return rc;
}

static void drop_client(struct ctl_client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->n = 0;
}

void ctlsock_free(struct ctlsock *s)
{
    if (!s)
        return;
    for (int i = 0; i < CTLSOCK_CLIENTS; i++)
        drop_client(&s->cl[i]);
    if (s->fd >= 0) {
        close(s->fd);
        unlink(s->path);
    }
    free(s);
}

const char *ctlsock_path(const struct ctlsock *s)
{
    return s->path;
}

static void send_line(int fd, const char *reply)
{
    char out[1024];
    int n = snprintf(out, sizeof out, "%s\n", reply);
    if (n <= 0)
        return;
    if ((size_t)n >= sizeof out) {
        n = (int)sizeof out - 1;
        out[n - 1] = '\n';
    }
    /* replies are short; a client that does not read is its own problem */
    ssize_t w = send(fd, out, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
    (void)w;
}

static void accept_clients(struct ctlsock *s)
{
    for (;;) {
        int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        struct ucred cr;
        socklen_t len = sizeof cr;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0 ||
            (cr.uid != s->uid && cr.uid != 0)) {
            send_line(fd, "error permission denied");
            close(fd);
            continue;
        }
        /* A free slot, else the connection that has been quiet longest:
         * idle connections (a script that never closed, a stuck client)
         * must never lock the owner out, so the newest one is always
         * served. */
        int slot = -1;
        for (int i = 0; i < CTLSOCK_CLIENTS && slot < 0; i++)
            if (s->cl[i].fd < 0)
                slot = i;
        if (slot < 0) {
            slot = 0;
            for (int i = 1; i < CTLSOCK_CLIENTS; i++)
                if (s->cl[i].last_ms < s->cl[slot].last_ms)
                    slot = i;
            send_line(s->cl[slot].fd, "error closed: idle, replaced by a newer connection");
            drop_client(&s->cl[slot]);
        }
        s->cl[slot].fd = fd;
        s->cl[slot].n = 0;
        s->cl[slot].last_ms = now_ms();
    }
}

/* Reads what the client sent; answers each complete line. */
static int serve_client(struct ctl_client *c, ctlsock_handler h, void *user)
{
    int handled = 0;
    for (;;) {
        ssize_t r = recv(c->fd, c->buf + c->n, sizeof c->buf - 1 - c->n, 0);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            drop_client(c);
            return handled;
        }
        if (r < 0)
            return handled;
        c->last_ms = now_ms();
        c->n += (size_t)r;
        c->buf[c->n] = 0;
        char *nl;
        while ((nl = memchr(c->buf, '\n', c->n)) != NULL) {
            *nl = 0;
            if (nl > c->buf && nl[-1] == '\r')
                nl[-1] = 0;
            struct ctl_cmd cmd;
            struct gc_diag why;
            char reply[1024];
            if (ctlsock_parse(c->buf, &cmd, &why) != GC_OK) {
                snprintf(reply, sizeof reply, "error %s", why.msg);
            } else {
                snprintf(reply, sizeof reply, "error not handled");
                h(user, &cmd, reply, sizeof reply);
            }
            send_line(c->fd, reply);
            handled++;
            size_t used = (size_t)(nl - c->buf) + 1;
            memmove(c->buf, nl + 1, c->n - used);
            c->n -= used;
        }
        if (c->n >= sizeof c->buf - 1) {
            send_line(c->fd, "error line too long");
            drop_client(c);
            return handled;
        }
    }
}

int ctlsock_poll(struct ctlsock *s, int timeout_ms, ctlsock_handler h, void *user)
{
    struct pollfd pf[1 + CTLSOCK_CLIENTS];
    int map[1 + CTLSOCK_CLIENTS];
    int n = 0;
    pf[n] = (struct pollfd){.fd = s->fd, .events = POLLIN};
    map[n++] = -1;
    for (int i = 0; i < CTLSOCK_CLIENTS; i++)
        if (s->cl[i].fd >= 0) {
            pf[n] = (struct pollfd){.fd = s->cl[i].fd, .events = POLLIN};
            map[n++] = i;
        }
    int r = poll(pf, (nfds_t)n, timeout_ms);
    if (r < 0)
        return errno == EINTR ? 0 : GC_ERR_IO;
    int handled = 0;
    for (int i = 1; i < n; i++)
        if (pf[i].revents)
            handled += serve_client(&s->cl[map[i]], h, user);
    /* a connection that sent nothing for CTLSOCK_IDLE_MS is closed */
    int64_t t = now_ms();
    for (int i = 0; i < CTLSOCK_CLIENTS; i++)
        if (s->cl[i].fd >= 0 && t - s->cl[i].last_ms > CTLSOCK_IDLE_MS) {
            send_line(s->cl[i].fd, "error closed: idle too long");
            drop_client(&s->cl[i]);
        }
    if (pf[0].revents & POLLIN) {
        accept_clients(s);
        /* answer what new clients already sent */
        for (int i = 0; i < CTLSOCK_CLIENTS; i++)
            if (s->cl[i].fd >= 0)
                handled += serve_client(&s->cl[i], h, user);
    }
    return handled;
}

/* ---- client --------------------------------------------------------------------- */

int ctlsock_reply_parse(const char *reply, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    if (!reply)
        return gc_fail(diag, GC_ERR_PROTO, "the station gave no reply");
    /* "ok" alone or followed by what is in force */
    if (!strncmp(reply, "ok", 2) && (reply[2] == '\0' || isspace((unsigned char)reply[2])))
        return GC_OK;
    size_t n = strcspn(reply, "\r\n");
    if (!strncmp(reply, "error ", 6))
        return gc_fail(diag, GC_ERR_ARG, "%.*s", (int)(n - 6), reply + 6);
    return gc_fail(diag, GC_ERR_PROTO, "%.*s", (int)n, reply);
}

int ctlsock_request(const char *path, uid_t uid, const char *line, char *reply, size_t cap,
                    int timeout_ms, struct gc_diag *diag)
{
    int rc = ctlsock_check_owner(path, uid, diag);
    if (rc == GC_ERR_NOT_FOUND || (rc == GC_OK && access(path, F_OK) != 0)) {
        return gc_fail(diag, GC_ERR_NOT_FOUND,
                       "no running station found (no control socket at %s); start one "
                       "with 'station run'",
                       path);
    }
    if (rc != GC_OK)
        return rc;
    int fd = connect_to(path);
    if (fd < 0) {
        if (errno == ECONNREFUSED || errno == ENOENT) {
            return gc_fail(diag, GC_ERR_NOT_FOUND,
                           "no running station at %s (stale socket); start one with 'station run'",
                           path);
        }
        return gc_fail(diag, GC_ERR_IO, "cannot connect to %s (%s)", path, strerror(errno));
    }
    char out[CTLSOCK_LINE_MAX + 2];
    int n = snprintf(out, sizeof out, "%s\n", line);
    if (n <= 0 || (size_t)n >= sizeof out) {
        close(fd);
        return gc_fail(diag, GC_ERR_ARG, "command too long (max %d bytes)", CTLSOCK_LINE_MAX);
    }
    if (send(fd, out, (size_t)n, MSG_NOSIGNAL) != n) {
        int e = errno;
        close(fd);
        return gc_fail(diag, GC_ERR_IO, "cannot send to the station (%s)", strerror(e));
    }
    size_t got = 0;
    for (;;) {
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        int r = poll(&pf, 1, timeout_ms);
        if (r == 0) {
            close(fd);
            return gc_fail(diag, GC_ERR_TIMEOUT, "the station did not answer within %d ms",
                           timeout_ms);
        }
        if (r < 0 && errno == EINTR)
            continue;
        ssize_t k = r > 0 ? recv(fd, reply + got, cap - 1 - got, 0) : -1;
        if (k <= 0) {
            close(fd);
            return gc_fail(diag, GC_ERR_IO, "the station closed the connection without an answer");
        }
        got += (size_t)k;
        reply[got] = 0;
        char *nl = strchr(reply, '\n');
        if (nl || got >= cap - 1) {
            if (nl)
                *nl = 0;
            close(fd);
            return GC_OK;
        }
    }
}
