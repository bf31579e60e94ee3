/* fuzz_files.c - fuzz entries of the user-file parsers (fuzz_files.h). */
#include "fuzz_files.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calfile.h"
#include "force_csv.h"
#include "gc_error.h"
#include "log.h"
#include "plan.h"
#include "recording.h"
#include "steps_csv.h"
#include "steps_csv_file.h"

#define REQUIRE(c)                                                                                 \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "fuzz invariant broken: %s (%s:%d)\n", #c, __FILE__, __LINE__);       \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* The input as a file the path-based readers can open. */
static const char *as_file(const uint8_t *data, size_t size)
{
    static char path[256];
    if (!path[0]) {
        const char *d = getenv("TMPDIR");
        snprintf(path, sizeof path, "%s/gc-fuzz-%d.in", d && d[0] ? d : "/tmp", (int)getpid());
        log_set_level(LOG_LEVEL_ERROR); /* parsers' warnings are expected here */
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    return path;
}

static int run_recording(const uint8_t *data, size_t size)
{
    const char *p = as_file(data, size);
    struct rec_reader *rd;
    if (rec_reader_open(p, &rd) != GC_OK)
        return 0;
    static struct rec_record r;
    uint64_t good = 0;
    while (rec_reader_next(rd, &r) == 1) {
        REQUIRE(r.len <= REC_MAX_PAYLOAD);
        good += REC_RECORD_OVERHEAD + r.len;
        if (r.kind == REC_INFO) {
            char v[64];
            if (rec_text_get((const char *)r.payload, r.len, "mass_kg", v, sizeof v)) {
                /* what the reader lets through is a body mass, or 0 */
                double m = atof(v);
                REQUIRE(m == 0.0 || (m >= REC_MASS_MIN_KG && m <= REC_MASS_MAX_KG));
            }
        } else if (r.kind == REC_CAL) {
            struct deck_cal cal;
            if (rec_cal_parse((const char *)r.payload, r.len, &cal) == GC_OK)
                for (unsigned i = 0; i < PKT_CELLS; i++)
                    REQUIRE(cal.cell[i].n_per_count > 0 &&
                            cal.cell[i].n_per_count <= CALFILE_GAIN_MAX_N_PER_COUNT);
        }
    }
    struct rec_damage d;
    rec_reader_damage(rd, &d);
    /* good + skipped + ignored tail never exceed the file */
    REQUIRE(REC_FILE_HEADER_SIZE + good + d.bytes + rec_reader_ignored_bytes(rd) <= size);
    REQUIRE(d.records >= d.spans);
    rec_reader_close(rd);
    return 0;
}

static int run_force_csv(const uint8_t *data, size_t size)
{
    FILE *fp = fmemopen((void *)(uintptr_t)data, size, "r");
    if (size == 0 || !fp) {
        if (fp)
            fclose(fp);
        return 0;
    }
    struct gc_diag diag;
    struct force_csv *r;
    int rc = force_csv_open_stream(fp, "fuzz", &r, &diag);
    /* The code returned is the code kept; a refusal says why. */
    REQUIRE(diag.code == rc && (rc == GC_OK || diag.msg[0] != '\0'));
    if (rc == GC_OK) {
        static struct gait_sample buf[64];
        int k;
        double t_prev = -INFINITY;
        while ((k = force_csv_read(r, buf, 64, &diag)) > 0)
            for (int i = 0; i < k; i++) {
                REQUIRE(buf[i].t_s > t_prev);
                REQUIRE(fabsf(buf[i].fz_n) <= (float)FORCE_CSV_MAX_N);
                t_prev = buf[i].t_s;
            }
        REQUIRE(k == 0 ? diag.code == GC_OK : (diag.code == k && diag.msg[0] != '\0'));
        force_csv_close(r);
    }
    fclose(fp);
    return 0;
}

static int run_steps_csv(const uint8_t *data, size_t size)
{
    const char *p = as_file(data, size);
    struct gait_step *v = NULL;
    size_t n = 0;
    struct gc_diag err;
    if (steps_csv_read(p, &v, &n, &err) == GC_OK) {
        static FILE *null_out;
        if (!null_out)
            null_out = fopen("/dev/null", "w");
        double t_prev = NAN;
        for (size_t i = 0; i < n; i++) {
            REQUIRE(steps_csv_check_step(&v[i], t_prev, NULL) == GC_OK);
            t_prev = v[i].t_ic_s;
            REQUIRE(steps_csv_write_row(null_out, &v[i]) == GC_OK);
        }
    }
    free(v);
    /* the code returned is the code kept, and a refusal says why */
    int rc = steps_csv_check_file(p, &err);
    REQUIRE(rc == err.code && (rc == GC_OK || err.msg[0]));
    return 0;
}

static int run_plan(const uint8_t *data, size_t size)
{
    static struct plan plan;
    struct gc_diag perr;
    int prc = plan_parse((const char *)data, size, &plan, &perr);
    REQUIRE(prc == perr.code && (prc == GC_OK || perr.msg[0]));
    return 0;
}

static int run_calfile(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    static struct calfile cf;
    struct gc_diag diag;
    int rc = calfile_parse(text, NULL, 0, &cf, &diag);
    /* The code returned is the code kept, and a refusal says why. */
    REQUIRE(diag.code == rc);
    REQUIRE(rc == GC_OK || diag.msg[0] != '\0');
    if (rc == GC_OK)
        REQUIRE(calfile_check_deck(&cf.deck, cf.nominal_n_per_count, &diag) == GC_OK);
    free(text);
    return 0;
}

static const struct fuzz_file_target targets[] = {
    {"recording", run_recording}, {"force_csv", run_force_csv}, {"steps_csv", run_steps_csv},
    {"plan", run_plan},           {"calfile", run_calfile},
};

const struct fuzz_file_target *fuzz_file_targets(size_t *n)
{
    *n = sizeof targets / sizeof targets[0];
    return targets;
}
