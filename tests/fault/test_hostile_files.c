/*
 * test_hostile_files.c - hostile input files never crash or mislead
 * (issue 13): each case reproduces a failure seen before the fix.
 *
 *  1. steps CSV writer: values of 1e303 (a recording whose mass_kg is
 *     1e-300) overflowed a 512-byte line; now bounded and parseable.  A
 *     recording's out-of-range mass_kg is dropped by the reader, with a
 *     note.
 *  2. a flipped byte a third into a recording: the reader used to stop
 *     there; now exactly one record is skipped and counted.
 *  3. steps CSV reader / import check: reversed, negative, 1e300 times and
 *     a line over 4 KB are refused with the line named.
 *  4. checksum-valid calibration files with negative, 1e300, 1e-300 gains
 *     are refused.
 *  5. force CSV: a BOM before '#' is accepted; all-negative and 1e308
 *     forces are refused with a sentence about newtons.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calfile.h"
#include "check.h"
#include "force_csv.h"
#include "force_csv_file.h"
#include "gc_error.h"
#include "recording.h"
#include "steps_csv.h"
#include "steps_csv_file.h"

static char g_dir[256];

static const char *tmp(const char *name)
{
    static char p[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", g_dir, name);
    return p[k];
}

static void spit(const char *path, const void *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(fwrite(b, 1, n, f) == n);
    fclose(f);
}

static void spits(const char *path, const char *text)
{
    spit(path, text, strlen(text));
}

/* ---- 1. steps CSV writer bounded ---- */

static void test_steps_writer_huge_values(void)
{
    struct gait_step s;
    memset(&s, 0, sizeof s);
    s.index = 4000000000u;
    s.side = GAIT_SIDE_LEFT;
    s.t_ic_s = 12.5;
    s.t_to_s = 12.75;
    /* What a body weight of 1e-300 kg makes of real forces: 1e303 BW. */
    s.contact_ms = -1.7976931348623157e308;
    s.flight_ms = 1e300;
    s.step_ms = 1e303;
    s.cadence_spm = 1e-300;
    s.impact_peak_n = 1e308;
    s.impact_peak_bw = 1.2e303;
    s.t_impact_s = 1e200;
    s.valr_bw_s = -1e307;
    s.vilr_bw_s = 1e306;
    s.active_peak_n = 1e305;
    s.active_peak_bw = 1.7e303;
    s.flags = 0xffffffffu;
    const char *p = tmp("huge.csv");
    FILE *fp = fopen(p, "w");
    CHECK(fp != NULL);
    CHECK_EQ(steps_csv_write_header(fp), GC_OK);
    CHECK_EQ(steps_csv_write_row(fp, &s), GC_OK);
    fclose(fp);
    fp = fopen(p, "r");
    char line[2048];
    CHECK(fgets(line, sizeof line, fp) != NULL);
    CHECK(fgets(line, sizeof line, fp) != NULL);
    fclose(fp);
    /* Every field at most 26 characters: the line stays far below the
     * 512 bytes that used to overflow. */
    CHECK_MSG(strlen(line) < 400, line);
    /* exponent form, %.17g: the value round-trips */
    CHECK_MSG(strstr(line, ",1.1999999999999999e+303,") != NULL, line);
    CHECK_MSG(strstr(line, ",12.50000,12.75000,") != NULL, line);
}

/* ---- recordings ---- */

#define N_FRAMES 300

static void put_rec(struct rec_writer *w, uint8_t kind, int64_t t_ns, const char *text,
                    uint16_t len, int i)
{
    struct rec_record r;
    memset(&r, 0, sizeof r);
    r.kind = kind;
    r.aux = 2;
    r.t_host_ns = t_ns;
    if (text) {
        r.len = (uint16_t)strlen(text);
        memcpy(r.payload, text, r.len);
    } else {
        r.len = len;
        for (unsigned k = 0; k < len; k++)
            r.payload[k] = (uint8_t)(i * 13 + k);
    }
    CHECK_EQ(rec_writer_append(w, &r), GC_OK);
}

/* Header (INFO with the given mass line, CAL text) then N_FRAMES frames of
 * 100 + i % 50 bytes every 10 ms.  Returns the byte offset of each frame. */
static void make_recording(const char *path, const char *mass_line, const char *cal,
                           long *frame_off)
{
    unlink(path);
    struct rec_writer *w;
    CHECK_EQ(rec_writer_open(path, &w), GC_OK);
    char info[256];
    snprintf(info, sizeof info, "station_version=test\nsource=hostile\n%screated_utc=x\n",
             mass_line);
    put_rec(w, REC_INFO, 0, info, 0, 0);
    put_rec(w, REC_CAL, 0, cal, 0, 0);
    for (int i = 0; i < N_FRAMES; i++) {
        frame_off[i] = (long)rec_writer_bytes(w);
        put_rec(w, REC_FRAME, 1000000000LL + 10000000LL * i, NULL, (uint16_t)(100 + i % 50), i);
    }
    put_rec(w, REC_END, 1000000000LL + 10000000LL * N_FRAMES, "end=1\n", 0, 0);
    CHECK_EQ(rec_writer_close(w), GC_OK);
}

static const char good_cal[] = "serial=GCSIM-0001\nname=x\n"
                               "cell0=100,0.00025,-0.3,0.7\ncell1=100,0.00025,0.3,0.7\n"
                               "cell2=100,0.00025,-0.3,-0.7\ncell3=100,0.00025,0.3,-0.7\n";

struct readout {
    int frames;
    bool has_end, truncated, info_has_mass;
    struct rec_damage d;
    char notes[REC_NOTES_LEN];
    int64_t t_frames[N_FRAMES];
};

static void read_all(const char *path, struct readout *o)
{
    memset(o, 0, sizeof *o);
    struct rec_reader *rd;
    CHECK_EQ(rec_reader_open(path, &rd), GC_OK);
    static struct rec_record r;
    while (rec_reader_next(rd, &r) == 1) {
        if (r.kind == REC_FRAME && o->frames < N_FRAMES)
            o->t_frames[o->frames++] = r.t_host_ns;
        if (r.kind == REC_END)
            o->has_end = true;
        if (r.kind == REC_INFO) {
            char v[64];
            o->info_has_mass = rec_text_get((const char *)r.payload, r.len, "mass_kg", v, sizeof v);
        }
    }
    o->truncated = rec_reader_truncated(rd);
    rec_reader_damage(rd, &o->d);
    snprintf(o->notes, sizeof o->notes, "%s", rec_reader_notes(rd));
    rec_reader_close(rd);
}

static void test_recording_mass(void)
{
    static long off[N_FRAMES];
    static struct readout o;
    const char *p = tmp("mass.gcrec");
    static const char *const bad[] = {"mass_kg=1e-300\n", "mass_kg=1e-100\n", "mass_kg=1e300\n",
                                      "mass_kg=-70\n", "mass_kg=nan\n", "mass_kg=9.9\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        make_recording(p, bad[i], good_cal, off);
        read_all(p, &o);
        CHECK_MSG(!o.info_has_mass, bad[i]);
        CHECK_MSG(strstr(o.notes, "is not a body mass") != NULL, o.notes);
        CHECK_EQ(o.frames, N_FRAMES);
    }
    static const char *const fine[] = {"mass_kg=70.500\n", "mass_kg=0.000\n", "mass_kg=400\n"};
    for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
        make_recording(p, fine[i], good_cal, off);
        read_all(p, &o);
        CHECK_MSG(o.info_has_mass, fine[i]);
        CHECK_MSG(o.notes[0] == '\0', o.notes);
    }
    /* A calibration header with impossible gains: noted, and
     * rec_cal_parse refuses it (the replay then uses the nominal gains). */
    static const char *const badcal[] = {"-0.00025", "1e300", "1e-300"};
    for (size_t i = 0; i < 3; i++) {
        char cal[512];
        snprintf(cal, sizeof cal,
                 "serial=S\nname=x\ncell0=100,%s,-0.3,0.7\ncell1=100,0.00025,0.3,0.7\n"
                 "cell2=100,0.00025,-0.3,-0.7\ncell3=100,0.00025,0.3,-0.7\n",
                 badcal[i]);
        struct deck_cal dc;
        CHECK_EQ(rec_cal_parse(cal, strlen(cal), &dc), GC_ERR_FORMAT);
        make_recording(p, "", cal, off);
        read_all(p, &o);
        CHECK_MSG(strstr(o.notes, "calibration in the header is unusable") != NULL, o.notes);
    }
    struct deck_cal dc;
    CHECK_EQ(rec_cal_parse(good_cal, strlen(good_cal), &dc), GC_OK);
}

/* ---- 2. one flipped byte ---- */

static void test_recording_flip(void)
{
    static long off[N_FRAMES];
    static struct readout o;
    const char *p = tmp("flip.gcrec");
    make_recording(p, "mass_kg=70\n", good_cal, off);
    FILE *f = fopen(p, "rb");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *full = malloc((size_t)n);
    CHECK(fread(full, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    unsigned char *b = malloc((size_t)n);

    /* Every byte of the record a third of the way in, in turn: the head
     * (kind, length, time), the payload and the CRC. */
    int k = N_FRAMES / 3;
    long rec_len = off[k + 1] - off[k];
    int worst = N_FRAMES;
    for (long j = 0; j < rec_len; j++) {
        memcpy(b, full, (size_t)n);
        b[off[k] + j] ^= 0x10;
        spit(p, b, (size_t)n);
        read_all(p, &o);
        worst = o.frames < worst ? o.frames : worst;
        CHECK(o.has_end);
        CHECK(!o.truncated);
        CHECK_EQ(o.d.spans, 1);
        CHECK_EQ(o.d.records, 1);
        CHECK_EQ(o.d.bytes, rec_len);
        /* The span from frame k-1 to k+1: 20 ms (exact in the test data). */
        CHECK_NEAR(o.d.seconds, 0.020, 1e-9);
    }
    /* The one record is lost, every other one is kept. */
    CHECK_EQ(worst, N_FRAMES - 1);
    printf("flip: record %d of %d damaged at each of its %ld bytes: %d frames kept\n", k, N_FRAMES,
           rec_len, worst);

    /* A byte flipped in each of 3 records, and a 700-byte burst of zeros
     * over several records: both resynchronised. */
    memcpy(b, full, (size_t)n);
    b[off[50] + 30] ^= 1;
    b[off[150] + 2] ^= 0x80; /* the length field */
    b[off[250] + 9] ^= 4;    /* the time */
    memset(b + off[200] + 5, 0, 700);
    spit(p, b, (size_t)n);
    read_all(p, &o);
    long burst_end = off[200] + 5 + 700;
    int lost_burst = 0;
    for (int i = 200; i < N_FRAMES && off[i] < burst_end; i++)
        lost_burst++;
    CHECK_EQ(o.frames, N_FRAMES - 3 - lost_burst);
    CHECK_EQ(o.d.spans, 4);
    CHECK(o.has_end);
    /* The estimate counts lost_burst records for the burst (mean record
     * size ~145 bytes; the burst starts inside a record): within 1. */
    CHECK(o.d.records >= (uint64_t)(3 + lost_burst - 1) && o.d.records <= (uint64_t)(3 + lost_burst + 1));

    /* Damage at the very end is still the truncated tail. */
    memcpy(b, full, (size_t)n);
    b[n - 2] ^= 1;
    spit(p, b, (size_t)n);
    read_all(p, &o);
    CHECK(o.truncated);
    CHECK(!o.has_end);
    CHECK_EQ(o.frames, N_FRAMES);
    CHECK_EQ(o.d.records, 0);
    free(full);
    free(b);
}

/* ---- 3. steps CSV reader and import check ---- */

static void expect_refused(const char *name, const char *body, const char *want_line,
                           const char *want_text)
{
    const char *p = tmp(name);
    spits(p, body);
    struct gait_step *v = NULL;
    size_t n = 0;
    struct gc_diag d1, d2;
    const char *err = d1.msg, *err2 = d2.msg;
    int rc = steps_csv_read(p, &v, &n, &d1);
    CHECK_MSG(rc == GC_ERR_FORMAT, name);
    CHECK_MSG(strstr(err, want_line) != NULL, err);
    CHECK_MSG(strstr(err, want_text) != NULL, err);
    free(v);
    CHECK_MSG(steps_csv_check_file(p, &d2) == GC_ERR_FORMAT, name);
    CHECK_MSG(strstr(err2, want_line) != NULL, err2);
}

static void test_steps_reader(void)
{
    const char *hdr = STEPS_CSV_HEADER "\n";
    const char *row1 = "0,L,1.00000,1.25000,250.00,,,,,,,,,1500.0,2.0000,,0,0,0\n";
    char body[8192];
    snprintf(body, sizeof body, "%s%s%s", hdr, row1,
             "1,R,0.50000,0.75000,250.00,,,,,,,,,1500.0,2.0000,,0,0,0\n");
    expect_refused("rev.csv", body, ":3:", "time order");
    snprintf(body, sizeof body, "%s%s", hdr,
             "0,L,-5.00000,-4.75000,250.00,,,,,,,,,1500.0,2.0000,,0,0,0\n");
    expect_refused("neg.csv", body, ":2:", "not a session time");
    snprintf(body, sizeof body, "%s%s", hdr,
             "0,L,1e300,1e300,250.00,,,,,,,,,1500.0,2.0000,,0,0,0\n");
    expect_refused("big.csv", body, ":2:", "not a session time");
    snprintf(body, sizeof body, "%s%s", hdr,
             "0,L,1.0,0.5,250.00,,,,,,,,,1500.0,2.0000,,0,0,0\n");
    expect_refused("to.csv", body, ":2:", "toe-off");
    snprintf(body, sizeof body, "%s%s", hdr,
             "0,L,1.0,1.25,250.00,,,,,,,,,1e300,2.0000,,0,0,0\n");
    expect_refused("val.csv", body, ":2:", "active_peak_n");
    /* A line of 5000 bytes: it used to split into an extra step. */
    int k = snprintf(body, sizeof body, "%s%s0,L,2.0,2.25,250.00,,,,,,,,,1500.0,2.0000,", hdr,
                     row1);
    memset(body + k, 'x', 5000);
    snprintf(body + k + 5000, sizeof body - (size_t)k - 5000, ",0,0,0\n%s", row1);
    expect_refused("long.csv", body, ":3:", "longer than");

    /* A good file still reads. */
    snprintf(body, sizeof body, "%s%s%s", hdr, row1,
             "1,R,1.35000,1.60000,250.00,100.00,350.00,171.43,,,,,,1500.0,2.0000,,0,0,0\n");
    const char *p = tmp("good.csv");
    spits(p, body);
    struct gait_step *v = NULL;
    size_t n = 0;
    struct gc_diag err;
    CHECK_EQ(steps_csv_read(p, &v, &n, &err), GC_OK);
    CHECK_EQ(n, 2);
    free(v);
    CHECK_EQ(steps_csv_check_file(p, &err), GC_OK);
}

/* ---- 4. calibration gains ---- */

static void test_calfile_gains(void)
{
    static struct calfile cf, back;
    static char text[16384];
    struct gc_diag diag;
    const double gains[] = {-2.5e-4, 1e300, 1e-300, 0.0, 2.5e-4 * 1.6, 2.5e-4 * 0.4};
    for (size_t g = 0; g <= sizeof gains / sizeof gains[0]; g++) {
        calfile_init(&cf);
        snprintf(cf.deck.serial, sizeof cf.deck.serial, "GCSIM-0001");
        snprintf(cf.created, sizeof cf.created, "2024-05-02T10:31:07Z");
        snprintf(cf.operator_name, sizeof cf.operator_name, "test");
        cf.nominal_n_per_count = 2.5e-4;
        static const double x[4] = {-0.3, 0.3, -0.3, 0.3}, y[4] = {0.7, 0.7, -0.7, -0.7};
        for (unsigned i = 0; i < 4; i++) {
            cf.deck.cell[i].x_m = x[i];
            cf.deck.cell[i].y_m = y[i];
            cf.deck.cell[i].offset_counts = 1000.0 * i;
            cf.deck.cell[i].n_per_count = 2.5e-4 * (1.0 + 0.01 * i);
        }
        bool good = g == sizeof gains / sizeof gains[0];
        if (!good)
            cf.deck.cell[2].n_per_count = gains[g];
        CHECK(calfile_format(&cf, text, sizeof text) > 0);
        int rc = calfile_parse(text, NULL, 0, &back, &diag);
        if (good) {
            CHECK_MSG(rc == GC_OK, diag.msg);
            CHECK(diag.code == GC_OK && diag.msg[0] == '\0');
        } else {
            CHECK_MSG(rc == GC_ERR_FORMAT, text);
            /* (a zero gain was already refused as malformed) */
            CHECK_EQ(diag.code, GC_ERR_FORMAT);
            CHECK_MSG(gains[g] == 0.0 || (strstr(diag.msg, "impossible values") &&
                                          strstr(diag.msg, "cell 2 gain")),
                      diag.msg);
            CHECK(back.deck.cell[2].n_per_count == 0.0); /* nothing of it usable */
        }
    }
    /* (the attacker trial) no nominal gain, one cell 0.9 N/count: the cells
     * disagree; all four cells on one line: no corners, no left/right */
    struct deck_cal d;
    memset(&d, 0, sizeof d);
    static const double x[4] = {-0.3, 0.3, -0.3, 0.3}, y[4] = {0.7, 0.7, -0.7, -0.7};
    for (unsigned i = 0; i < 4; i++) {
        d.cell[i].x_m = x[i];
        d.cell[i].y_m = y[i];
        d.cell[i].n_per_count = 2.5e-4;
    }
    CHECK_EQ(calfile_check_deck(&d, 0.0, &diag), GC_OK);
    d.cell[1].n_per_count = 0.9;
    CHECK_EQ(calfile_check_deck(&d, 0.0, &diag), GC_ERR_FORMAT);
    CHECK_MSG(strstr(diag.msg, "off the cells' mean") != NULL, diag.msg);
    d.cell[1].n_per_count = 2.5e-4;
    for (unsigned i = 0; i < 4; i++)
        d.cell[i].x_m = 0.0;
    CHECK_EQ(calfile_check_deck(&d, 2.5e-4, &diag), GC_ERR_FORMAT);
    CHECK_MSG(strstr(diag.msg, "not the deck's corners") != NULL, diag.msg);
}

/* ---- 5. force CSV ---- */

static int force_csv_run(const char *text, struct gc_diag *diag, int *samples)
{
    const char *p = tmp("force.csv");
    spits(p, text);
    struct force_csv *r;
    *samples = 0;
    int rc = force_csv_open(p, &r, diag);
    if (rc < 0)
        return rc;
    static struct gait_sample buf[256];
    while ((rc = force_csv_read(r, buf, 256, diag)) > 0)
        *samples += rc;
    force_csv_close(r);
    return rc;
}

static void test_force_csv(void)
{
    struct gc_diag diag;
    int n;
    char body[4096];
    /* BOM, then a comment: accepted (spreadsheet "CSV UTF-8" export). */
    int k = snprintf(body, sizeof body, "\xEF\xBB\xBF# mass_kg=70\n# rate_hz=100\nt_s,fz_n\n");
    for (int i = 0; i < 50; i++)
        k += snprintf(body + k, sizeof body - (size_t)k, "%.2f,%d\n", i * 0.01, 700 + i);
    CHECK_MSG(force_csv_run(body, &diag, &n) == 0, diag.msg);
    CHECK_EQ(n, 50);

    k = snprintf(body, sizeof body, "t_s,fz_n\n");
    for (int i = 0; i < 50; i++)
        k += snprintf(body + k, sizeof body - (size_t)k, "%.2f,%d\n", i * 0.01, -700 - i);
    CHECK_EQ(force_csv_run(body, &diag, &n), GC_ERR_FORMAT);
    CHECK_MSG(strstr(diag.msg, "never above") && strstr(diag.msg, "negate"), diag.msg);

    k = snprintf(body, sizeof body, "t_s,fz_n\n");
    for (int i = 0; i < 50; i++)
        k += snprintf(body + k, sizeof body - (size_t)k, "%.2f,%s\n", i * 0.01,
                      i == 20 ? "1e308" : "700");
    CHECK_EQ(force_csv_run(body, &diag, &n), GC_ERR_FORMAT);
    CHECK_MSG(strstr(diag.msg, ":22:") && strstr(diag.msg, "cannot be a force in newtons"),
              diag.msg);
    CHECK_EQ(diag.code, GC_ERR_FORMAT);

    /* Four cells of 1e308 sum to inf: refused, not cast to a float. */
    k = snprintf(body, sizeof body, "t_s,fz1_n,fz2_n,fz3_n,fz4_n\n");
    for (int i = 0; i < 5; i++)
        k += snprintf(body + k, sizeof body - (size_t)k, "%.2f,1e308,1e308,1e308,1e308\n",
                      i * 0.01);
    CHECK_EQ(force_csv_run(body, &diag, &n), GC_ERR_FORMAT);
    CHECK_MSG(strstr(diag.msg, "newtons") != NULL, diag.msg);
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "%s/hostile_%d", GC_BINARY_DIR, (int)getpid());
    char cmd[400];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", g_dir);
    CHECK(system(cmd) == 0);
    test_steps_writer_huge_values();
    test_recording_mass();
    test_recording_flip();
    test_steps_reader();
    test_calfile_gains();
    test_force_csv();
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    CHECK(system(cmd) == 0);
    return check_exit();
}
