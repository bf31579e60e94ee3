/*
 * sim_spawn.c - run gaitcue-sim as a child on a pty (sim_spawn.h).
 */
#include "sim_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gc_error.h"

#define LOG_PREFIX "sim"
#include "log.h"

#define SIM_NAME     "gaitcue-sim"
#define SIM_MAX_ARGS 80

struct sim_proc {
    pid_t pid;
    int out_fd; /* read end of the child's stdout */
    bool reaped;
    int status;
};

static bool executable(const char *path)
{
    return access(path, X_OK) == 0;
}

static bool try_dir(const char *dir, char *out, size_t cap)
{
    if (dir == NULL || dir[0] == '\0')
        return false;
    int k = snprintf(out, cap, "%s/%s", dir, SIM_NAME);
    return k > 0 && (size_t)k < cap && executable(out);
}

bool sim_find_executable(char *out, size_t cap)
{
    const char *env = getenv("GC_SIM_BIN");
    if (env && executable(env)) {
        snprintf(out, cap, "%s", env);
        return true;
    }
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            if (try_dir(self, out, cap))
                return true;
        }
    }
    if (try_dir(getenv("GC_BUILD_BINDIR"), out, cap))
        return true;
#ifdef GC_BUILD_BINDIR
    if (try_dir(GC_BUILD_BINDIR, out, cap))
        return true;
#endif
    const char *path = getenv("PATH");
    if (path) {
        char buf[4096];
        snprintf(buf, sizeof buf, "%s", path);
        char *save = NULL;
        for (char *d = strtok_r(buf, ":", &save); d; d = strtok_r(NULL, ":", &save))
            if (try_dir(d, out, cap))
                return true;
    }
    return false;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void describe_status(int status, char *buf, size_t cap)
{
    if (WIFEXITED(status))
        snprintf(buf, cap, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, cap, "was killed by signal %d", WTERMSIG(status));
    else
        snprintf(buf, cap, "stopped");
}

int sim_spawn(const char *const *args, int n, int timeout_ms, struct sim_proc **out, char *pty_path,
              size_t pty_cap, struct gc_diag *diag)
{
    *out = NULL;
    gc_diag_clear(diag);
    char exe[PATH_MAX];
    if (!sim_find_executable(exe, sizeof exe)) {
        return gc_fail(diag, GC_ERR_NOT_FOUND,
                       "the simulator %s was not found next to station, in the build tree or on "
                       "PATH; build it with 'cmake --build build --target %s'",
                       SIM_NAME, SIM_NAME);
    }
    if (n < 0 || n > SIM_MAX_ARGS - 3)
        return gc_fail(diag, GC_ERR_ARG, "too many simulator options (at most %d)",
                       SIM_MAX_ARGS - 3);
    const char *argv[SIM_MAX_ARGS];
    int k = 0;
    argv[k++] = exe;
    argv[k++] = "--pty";
    for (int i = 0; i < n; i++)
        argv[k++] = args[i];
    argv[k] = NULL;

    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0) {
        return gc_fail(diag, GC_ERR_IO, "cannot start the simulator: %s", strerror(errno));
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        return gc_fail(diag, GC_ERR_IO, "cannot start the simulator: %s", strerror(errno));
    }
    if (pid == 0) {
        /* child: only async-signal-safe calls until exec */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(pfd[1], 1);
        execv(exe, (char *const *)argv);
        _exit(127);
    }
    close(pfd[1]);
    struct sim_proc *s = calloc(1, sizeof *s);
    if (s == NULL) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        close(pfd[0]);
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory");
    }
    s->pid = pid;
    s->out_fd = pfd[0];

    char line[512];
    size_t len = 0;
    int64_t deadline = mono_ms() + timeout_ms;
    for (;;) {
        int64_t left = deadline - mono_ms();
        if (left <= 0) {
            gc_fail(diag, GC_ERR_TIMEOUT,
                    "the simulator did not report its pseudo-terminal within %d ms; run '%s "
                    "--pty' by hand to see why",
                    timeout_ms, exe);
            sim_stop(s);
            return GC_ERR_TIMEOUT;
        }
        struct pollfd p = {.fd = s->out_fd, .events = POLLIN};
        int rc = poll(&p, 1, (int)left);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0)
            continue;
        ssize_t got = read(s->out_fd, line + len, sizeof line - 1 - len);
        if (got <= 0) {
            char how[64] = "exited";
            int st = 0;
            if (waitpid(pid, &st, 0) == pid) {
                s->reaped = true;
                describe_status(st, how, sizeof how);
            }
            gc_fail(diag, GC_ERR_IO,
                    "the simulator %s before opening its pseudo-terminal (see its message "
                    "above); check the --sim-X options",
                    how);
            sim_stop(s);
            return GC_ERR_IO;
        }
        len += (size_t)got;
        line[len] = '\0';
        char *nl;
        while ((nl = strchr(line, '\n')) != NULL) {
            *nl = '\0';
            if (!strncmp(line, "pty: ", 5)) {
                snprintf(pty_path, pty_cap, "%s", line + 5);
                fcntl(s->out_fd, F_SETFL, fcntl(s->out_fd, F_GETFL) | O_NONBLOCK);
                *out = s;
                return GC_OK;
            }
            size_t rest = len - (size_t)(nl + 1 - line);
            memmove(line, nl + 1, rest + 1);
            len = rest;
        }
        if (len >= sizeof line - 1)
            len = 0; /* an absurdly long line: forget it */
    }
}

bool sim_alive(struct sim_proc *s, char *exit_desc, size_t cap)
{
    if (s == NULL)
        return false;
    if (s->reaped) {
        describe_status(s->status, exit_desc, cap);
        return false;
    }
    int st;
    pid_t r = waitpid(s->pid, &st, WNOHANG);
    if (r == s->pid) {
        s->reaped = true;
        s->status = st;
        describe_status(st, exit_desc, cap);
        return false;
    }
    return true;
}

void sim_drain(struct sim_proc *s)
{
    if (s == NULL || s->out_fd < 0)
        return;
    char buf[1024];
    while (read(s->out_fd, buf, sizeof buf) > 0)
        ;
}

int sim_pid(const struct sim_proc *s)
{
    return s ? (int)s->pid : -1;
}

void sim_stop(struct sim_proc *s)
{
    if (s == NULL)
        return;
    if (!s->reaped) {
        kill(s->pid, SIGTERM);
        int64_t deadline = mono_ms() + 1000;
        while (mono_ms() < deadline) {
            if (waitpid(s->pid, &s->status, WNOHANG) == s->pid) {
                s->reaped = true;
                break;
            }
            struct timespec ts = {0, 10000000L};
            nanosleep(&ts, NULL);
        }
        if (!s->reaped) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &s->status, 0);
            s->reaped = true;
        }
    }
    if (s->out_fd >= 0)
        close(s->out_fd);
    free(s);
}
