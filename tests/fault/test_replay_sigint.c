/*
 * test_replay_sigint.c - `station replay` at real speed answers Ctrl-C
 * inside a long recorded gap (issue 13 item 8).
 *
 * A recording is written with 1 s of data, a link silence, then 60 s of
 * host time without any record, then 1 s more.  `station replay FILE`
 * (speed 1) is started; 2.5 s later (inside the gap) it gets SIGINT.  It
 * must exit within 100 ms, with its summary.  Before the fix the replay
 * thread slept through the whole gap (60 s) before the stop was seen.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dsp_stream.h"
#include "check.h"
#include "gc_error.h"
#include "recording.h"

#define GAP_S 60.0
/* Bound from the issue: Ctrl-C answered within 100 ms. */
#define EXIT_BOUND_S 0.100

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int write_recording(const char *path)
{
    struct rec_writer *w = NULL;
    int rc = rec_writer_open(path, &w);
    if (rc < 0)
        return rc;
    static struct rec_record r;
    struct pkt_hello h;
    stream_hello(&h);
    struct deck_cal cal;
    deck_cal_nominal(&h, &cal);
    memset(&r, 0, sizeof r);
    r.kind = REC_INFO;
    r.len = (uint16_t)snprintf((char *)r.payload, REC_MAX_PAYLOAD,
                               "station_version=test\nsource=test\nmass_kg=70\n");
    rc = rec_writer_append(w, &r);
    r.kind = REC_HELLO;
    r.len = (uint16_t)pkt_hello_encode(&h, r.payload, REC_MAX_PAYLOAD);
    if (rc == GC_OK)
        rc = rec_writer_append(w, &r);
    r.kind = REC_CAL;
    r.len = (uint16_t)rec_cal_format(&cal, (char *)r.payload, REC_MAX_PAYLOAD);
    if (rc == GC_OK)
        rc = rec_writer_append(w, &r);
    int64_t t0 = 1000000000LL;
    for (uint32_t k = 0; k < 200 && rc == GC_OK; k++) {
        double t_run = k * 0.010;
        bool after = k >= 100;
        r.kind = REC_FRAME;
        r.aux = PKT_SAMPLES;
        r.extra = 0;
        r.t_host_ns = t0 + (int64_t)llround((t_run + 0.010 + (after ? GAP_S : 0.0)) * 1e9);
        uint64_t t_us = (uint64_t)llround((t_run + (after ? GAP_S : 0.0)) * 1e6);
        r.len = (uint16_t)stream_block(k + (after ? 6000u : 0u), t_us, t_run, STREAM_RATE_HZ,
                                       r.payload, REC_MAX_PAYLOAD);
        rc = rec_writer_append(w, &r);
        if (k == 99 && rc == GC_OK) {
            r.kind = REC_LINK;
            r.aux = REC_LINK_SILENCE;
            r.extra = 300;
            r.t_host_ns += 1000000LL; /* due right after the data: the test waits less */
            r.len = 0;
            rc = rec_writer_append(w, &r);
        }
    }
    int rc2 = rec_writer_close(w);
    return rc < 0 ? rc : rc2;
}

/* The replay's output holds its summary line (it has stopped). */
static bool has_summary(const char *path)
{
    char buf[8192];
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, "summary:") != NULL;
}

int main(void)
{
    char dir[] = "/tmp/gc_replay_sigint.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char rec[256], out[256], bin[512];
    snprintf(rec, sizeof rec, "%s/gap.gcrec", dir);
    snprintf(out, sizeof out, "%s/replay.out", dir);
    snprintf(bin, sizeof bin, "%s/bin/station", GC_BINARY_DIR);
    CHECK_EQ(write_recording(rec), GC_OK);

    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execl(bin, bin, "replay", rec, (char *)NULL);
        _exit(127);
    }
    CHECK(pid > 0);
    /* 1 s of data, then the gap: at 2.5 s the replay sleeps in it (1.5 s
     * of margin for a slow start, e.g. under a sanitizer). */
    struct timespec ts = {2, 500000000L};
    nanosleep(&ts, NULL);
    int status = 0;
    CHECK_EQ(waitpid(pid, &status, WNOHANG), 0); /* still replaying the gap */
    double t_sig = mono_s();
    kill(pid, SIGINT);
    double waited = 0, reacted = NAN;
    pid_t got = 0;
    /* Poll every 1 ms, up to 5 s (far beyond the bound, so a slow exit is
     * measured rather than left running): the reaction is the summary line
     * the replay prints once it has stopped; the exit comes after it (under
     * a sanitizer the exit adds LeakSanitizer's scan, which is not the
     * station's reaction). */
    while ((got = waitpid(pid, &status, WNOHANG)) == 0 && (waited = mono_s() - t_sig) < 5.0) {
        if (isnan(reacted) && has_summary(out))
            reacted = mono_s() - t_sig;
        struct timespec p = {0, 1000000L};
        nanosleep(&p, NULL);
    }
    waited = mono_s() - t_sig;
    if (isnan(reacted) && has_summary(out))
        reacted = waited; /* it exited between two polls */
    if (got == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    printf("replay stopped (summary printed) %.1f ms after SIGINT (bound %.0f ms), exited after "
           "%.1f ms\n",
           reacted * 1e3, EXIT_BOUND_S * 1e3, waited * 1e3);
    CHECK(got == pid);
    CHECK(reacted <= EXIT_BOUND_S);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* It said what it replayed: the summary line, 1 s of data. */
    char buf[8192] = "";
    FILE *f = fopen(out, "r");
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
    CHECK_MSG(strstr(buf, "summary: 1.0 s") != NULL, buf);
    CHECK_MSG(strstr(buf, "link silent") != NULL, buf);
    CHECK_MSG(strstr(buf, "silences 1") != NULL, buf);
    unlink(out);
    unlink(rec);
    rmdir(dir);
    return check_exit();
}
