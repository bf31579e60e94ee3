/* test_port.c - a readiness test from a real sensor (test_port.h). */
#include "test_port.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dsp.h"
#include "live.h"
#include "recording.h"

int test_port_record(const char *port, double seconds, const char *rec_path, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) {
        return gc_fail(diag, GC_ERR_IO, "cannot find the station executable: %s", strerror(errno));
    }
    self[len] = '\0';
    char secs[32], errpath[PATH_MAX];
    snprintf(secs, sizeof secs, "%g", seconds);
    snprintf(errpath, sizeof errpath, "%s.err", rec_path);
    pid_t pid = fork();
    if (pid < 0) {
        return gc_fail(diag, GC_ERR_IO, "cannot start the recording: %s", strerror(errno));
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        int err = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (devnull >= 0)
            dup2(devnull, STDOUT_FILENO);
        if (err >= 0)
            dup2(err, STDERR_FILENO);
        execl(self, "station", "run", "--port", port, "--seconds", secs, "--record", rec_path,
              "--headless", "--audio-device", "null", "--quiet", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    /* the child's last line says what went wrong */
    char last[400] = "";
    FILE *f = fopen(errpath, "r");
    if (f) {
        char line[400];
        while (fgets(line, sizeof line, f))
            if (line[0] && line[0] != '\n' && !strstr(line, "warning:"))
                snprintf(last, sizeof last, "%s", line);
        fclose(f);
    }
    unlink(errpath);
    last[strcspn(last, "\n")] = '\0';
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        const char *why = last;
        if (!strncmp(why, "station: ", 9))
            why += 9;
        size_t wl = strlen(why);
        return gc_fail(diag, WIFEXITED(status) && WEXITSTATUS(status) == 2 ? GC_ERR_ARG : GC_ERR_IO,
                       "the deck on %s could not be recorded: %.*s", port,
                       (int)(wl && why[wl - 1] == '.' ? wl - 1 : wl),
                       wl ? why : "station run failed");
    }
    return GC_OK;
}

struct sink {
    struct gait_sample *s;
    size_t n, cap;
    bool nomem;
};

static void keep(struct sink *k, const struct gait_sample *s, size_t n)
{
    if (k->nomem)
        return;
    if (k->n + n > k->cap) {
        size_t nc = k->cap ? k->cap * 2 : 1 << 16;
        while (nc < k->n + n)
            nc *= 2;
        struct gait_sample *ns = realloc(k->s, nc * sizeof *ns);
        if (!ns) {
            k->nomem = true;
            return;
        }
        k->s = ns;
        k->cap = nc;
    }
    memcpy(k->s + k->n, s, n * sizeof *s);
    k->n += n;
}

int test_port_samples(const char *rec_path, struct gait_sample **out, size_t *n,
                      struct gc_diag *diag)
{
    gc_diag_clear(diag);
    *out = NULL;
    *n = 0;
    struct dsp_config cfg;
    uint8_t hello_raw[PKT_HELLO_SIZE];
    struct gc_diag rd0;
    int rc = live_replay_config(rec_path, 0, &cfg, hello_raw, &rd0);
    if (rc < 0)
        return gc_fail(diag, rc, "%s", rd0.msg);
    struct sink k = {0};
    struct rec_reader *rd = NULL;
    struct rec_record *r = malloc(sizeof *r);
    struct dsp_out *o = malloc(DSP_OUT_MAX * sizeof *o);
    struct dsp *d = dsp_new(&cfg, &rc);
    if (!r || !o || !d) {
        rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory reading the recording");
        goto out;
    }
    rc = rec_reader_open(rec_path, &rd);
    if (rc < 0) {
        gc_fail(diag, rc, "cannot read the recording %s (%s)", rec_path, gc_strerror(rc));
        goto out;
    }
    while (!dsp_ended(d) && rec_reader_next(rd, r) == 1) {
        struct dsp_record v;
        live_record_view(r, &v);
        (void)dsp_feed(d, &v, o, DSP_OUT_MAX);
        const struct gait_sample *smp;
        size_t ns = dsp_last_samples(d, &smp);
        if (ns)
            keep(&k, smp, ns);
    }
    (void)dsp_finish(d, o, DSP_OUT_MAX);
    if (k.nomem) {
        rc = gc_fail(diag, GC_ERR_NOMEM, "out of memory reading the recording");
        goto out;
    }
    rc = GC_OK;
    *out = k.s;
    *n = k.n;
    k.s = NULL;
out:
    if (rd)
        rec_reader_close(rd);
    dsp_free(d);
    free(o);
    free(r);
    free(k.s);
    return rc;
}
