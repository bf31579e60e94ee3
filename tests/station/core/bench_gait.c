/* bench_gait - CPU time of the gait pipeline alone (samples already in
 * memory), to separate it from CSV parsing in `station analyze`.
 * usage: bench_gait FILE.csv   (prints one line; see scripts/bench_analyze.sh) */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "force_csv.h"
#include "force_csv_file.h"
#include "gait.h"

static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench_gait FILE.csv\n");
        return 2;
    }
    struct gc_diag diag;
    struct force_csv *r;
    if (force_csv_open(argv[1], &r, &diag) < 0) {
        fprintf(stderr, "bench_gait: %s\n", diag.msg);
        return 1;
    }
    size_t cap = 1 << 20, n = 0;
    struct gait_sample *s = malloc(cap * sizeof *s);
    double t0 = cpu_s();
    for (;;) {
        if (n + 4096 > cap) {
            cap *= 2;
            s = realloc(s, cap * sizeof *s);
        }
        if (!s)
            return 1;
        int k = force_csv_read(r, s + n, 4096, &diag);
        if (k < 0) {
            fprintf(stderr, "bench_gait: %s\n", diag.msg);
            return 1;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    double parse_s = cpu_s() - t0;
    double rate = force_csv_info(r)->rate_hz;
    force_csv_close(r);
    double best = 1e30;
    long steps = 0;
    for (int rep = 0; rep < 3; rep++) {
        struct gait_config cfg;
        gait_config_default(&cfg, rate);
        struct gait *g = gait_new(&cfg);
        gait_set_body_weight(g, 700.0);
        struct gait_event ev[64];
        steps = 0;
        double a = cpu_s();
        for (size_t i = 0; i < n; i += 32) {
            int k = gait_process(g, s + i, n - i < 32 ? n - i : 32, ev, 64);
            for (int j = 0; j < k; j++)
                steps += ev[j].kind == GAIT_EV_STEP;
        }
        double d = cpu_s() - a;
        if (d < best)
            best = d;
        gait_free(g);
    }
    double dur = (double)n / rate;
    printf("samples %zu duration_s %.1f steps %ld parse_cpu_s %.3f gait_cpu_s %.3f "
           "gait_ns_per_sample %.1f gait_x_realtime %.0f\n",
           n, dur, steps, parse_s, best, 1e9 * best / (double)n, dur / best);
    free(s);
    return 0;
}
