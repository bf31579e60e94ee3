/*
 * test_recording.c - raw session recording: round trip, crash tolerance
 * (truncated tail at every byte of the last records, corrupt record,
 * zero-filled tail), flush visibility, header helpers, refusals.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "gc_error.h"
#include "recording.h"

#define N_RECORDS 200

static void make_record(struct rec_record *r, int i)
{
    memset(r, 0, sizeof *r);
    r->kind = (i % 10 == 9) ? REC_LINK : REC_FRAME;
    r->aux = (uint8_t)(i % 10 == 9 ? REC_LINK_SILENCE : 2);
    r->extra = (uint32_t)(i * 3);
    r->t_host_ns = 1000000000LL + (int64_t)i * 10000000LL;
    r->len = (uint16_t)((i * 37) % 300);
    for (unsigned k = 0; k < r->len; k++)
        r->payload[k] = (uint8_t)(i + k * 7);
}

static bool same(const struct rec_record *a, const struct rec_record *b)
{
    return a->kind == b->kind && a->aux == b->aux && a->extra == b->extra &&
           a->t_host_ns == b->t_host_ns && a->len == b->len &&
           memcmp(a->payload, b->payload, a->len) == 0;
}

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

static unsigned char *slurp(const char *path, long *n)
{
    *n = file_size(path);
    unsigned char *b = malloc((size_t)*n);
    FILE *f = fopen(path, "rb");
    CHECK(f && fread(b, 1, (size_t)*n, f) == (size_t)*n);
    fclose(f);
    return b;
}

static void spit(const char *path, const unsigned char *b, long n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    fwrite(b, 1, (size_t)n, f);
    fclose(f);
}

/* Read a file; returns the number of records matching make_record(i). */
static int read_back(const char *path, bool *truncated)
{
    struct rec_reader *rd;
    if (rec_reader_open(path, &rd) != GC_OK)
        return -1;
    struct rec_record r, want;
    int i = 0;
    while (rec_reader_next(rd, &r) == 1) {
        make_record(&want, i);
        if (!same(&r, &want))
            break;
        i++;
    }
    *truncated = rec_reader_truncated(rd);
    rec_reader_close(rd);
    return i;
}

int main(void)
{
    char dir[] = "/tmp/gc-rec-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256], cut[256];
    snprintf(path, sizeof path, "%s/sub/dir/a.gcrec", dir); /* parents are created */
    snprintf(cut, sizeof cut, "%s/cut.gcrec", dir);

    struct rec_writer *w;
    CHECK_EQ(rec_writer_open(path, &w), GC_OK);
    long offsets[N_RECORDS + 1];
    offsets[0] = REC_FILE_HEADER_SIZE;
    struct rec_record r;
    for (int i = 0; i < N_RECORDS; i++) {
        make_record(&r, i);
        CHECK_EQ(rec_writer_append(w, &r), GC_OK);
        offsets[i + 1] = offsets[i] + REC_RECORD_OVERHEAD + r.len;
        if (i == 99) {
            /* kill -9 right after a flush: everything appended is readable */
            CHECK_EQ(rec_writer_flush(w, false), GC_OK);
            bool tr;
            CHECK_EQ(read_back(path, &tr), 100);
            CHECK(!tr);
        }
    }
    CHECK_EQ((long)rec_writer_bytes(w), offsets[N_RECORDS]);
    CHECK_EQ(rec_writer_close(w), GC_OK);
    CHECK_EQ(file_size(path), offsets[N_RECORDS]);

    /* never overwrite a recording */
    CHECK_EQ(rec_writer_open(path, &w), GC_ERR_BUSY);

    bool tr = true;
    CHECK_EQ(read_back(path, &tr), N_RECORDS);
    CHECK(!tr);

    /* truncation at every byte of the last three records: all complete
     * records before the cut survive, the tail is reported */
    long n;
    unsigned char *full = slurp(path, &n);
    for (long c = offsets[N_RECORDS - 3]; c <= n; c++) {
        spit(cut, full, c);
        int want = 0;
        while (want < N_RECORDS && offsets[want + 1] <= c)
            want++;
        int got = read_back(cut, &tr);
        CHECK_EQ(got, want);
        CHECK(tr == (c != offsets[want]));
        if (got != want)
            break;
    }
    /* truncation anywhere (sampled): never more, never fewer */
    for (long c = REC_FILE_HEADER_SIZE; c < n; c += 97) {
        spit(cut, full, c);
        int want = 0;
        while (want < N_RECORDS && offsets[want + 1] <= c)
            want++;
        CHECK_EQ(read_back(cut, &tr), want);
    }

    /* a flipped bit in record 150 costs that record only: the reader
     * resynchronises at record 151 (its own CRC is good) */
    unsigned char *bad = malloc((size_t)n);
    memcpy(bad, full, (size_t)n);
    bad[offsets[150] + 17] ^= 0x10;
    spit(cut, bad, n);
    {
        struct rec_reader *rb;
        CHECK_EQ(rec_reader_open(cut, &rb), GC_OK);
        struct rec_record got, want;
        int k = 0, match = 0;
        while (rec_reader_next(rb, &got) == 1) {
            make_record(&want, k < 150 ? k : k + 1);
            match += same(&got, &want);
            k++;
        }
        CHECK_EQ(k, N_RECORDS - 1);
        CHECK_EQ(match, N_RECORDS - 1);
        CHECK(!rec_reader_truncated(rb));
        struct rec_damage d;
        rec_reader_damage(rb, &d);
        CHECK_EQ(d.records, 1);
        CHECK_EQ(d.bytes, offsets[151] - offsets[150]);
        rec_reader_close(rb);
    }

    /* a zero-filled tail (file extended, data lost at power-off) */
    unsigned char *z = calloc(1, (size_t)n + 4096);
    memcpy(z, full, (size_t)n);
    spit(cut, z, n + 4096);
    CHECK_EQ(read_back(cut, &tr), N_RECORDS);
    CHECK(tr);
    struct rec_reader *rd;
    CHECK_EQ(rec_reader_open(cut, &rd), GC_OK);
    while (rec_reader_next(rd, &r) == 1)
        ;
    CHECK_EQ(rec_reader_ignored_bytes(rd), 4096);
    rec_reader_close(rd);

    /* not a recording / newer format */
    spit(cut, (const unsigned char *)"hello world, not a recording", 28);
    CHECK_EQ(rec_reader_open(cut, &rd), GC_ERR_FORMAT);
    memcpy(bad, full, (size_t)n);
    bad[8] = 99; /* format version 99 */
    spit(cut, bad, n);
    CHECK_EQ(rec_reader_open(cut, &rd), GC_ERR_VERSION);
    CHECK_EQ(rec_reader_open("/nonexistent/x.gcrec", &rd), GC_ERR_NOT_FOUND);

    /* summary */
    struct rec_summary *s = calloc(1, sizeof *s);
    CHECK_EQ(rec_summarize(path, s), GC_OK);
    CHECK_EQ(s->records, N_RECORDS);
    CHECK_EQ(s->link_events, N_RECORDS / 10);
    CHECK_EQ(s->frames, N_RECORDS - N_RECORDS / 10);
    CHECK(!s->has_end); /* no REC_END: an interrupted session */
    CHECK_EQ(s->t_first_ns, 1000000000LL);
    CHECK_EQ(s->t_last_ns, 1000000000LL + (N_RECORDS - 1) * 10000000LL);
    free(s);

    /* calibration text round-trips exactly */
    struct deck_cal cal, back;
    memset(&cal, 0, sizeof cal);
    snprintf(cal.serial, sizeof cal.serial, "SIM-0001");
    snprintf(cal.name, sizeof cal.name, "lab deck 1, 2024-05-02");
    for (int i = 0; i < 4; i++) {
        cal.cell[i].offset_counts = 1234.5678 * (i + 1) - 0.1;
        cal.cell[i].n_per_count = 2.5e-4 * (1.0 + 0.013 * i) / 3.0;
        cal.cell[i].x_m = (i & 1) ? 0.3 : -0.3;
        cal.cell[i].y_m = (i & 2) ? -0.7 : 0.7;
    }
    char text[1024];
    size_t tl = rec_cal_format(&cal, text, sizeof text);
    CHECK(tl > 0);
    CHECK_EQ(rec_cal_parse(text, tl, &back), GC_OK);
    CHECK(!strcmp(back.serial, cal.serial));
    CHECK(!strcmp(back.name, cal.name));
    for (int i = 0; i < 4; i++) {
        CHECK(back.cell[i].offset_counts == cal.cell[i].offset_counts);
        CHECK(back.cell[i].n_per_count == cal.cell[i].n_per_count);
        CHECK(back.cell[i].x_m == cal.cell[i].x_m);
        CHECK(back.cell[i].y_m == cal.cell[i].y_m);
    }
    CHECK_EQ(rec_cal_parse("serial=x\n", 9, &back), GC_ERR_FORMAT);
    CHECK_EQ(rec_cal_format(&cal, text, 20), 0);

    /* link stats round trip */
    struct rec_link_stats ls = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, lb;
    uint8_t buf[REC_LINK_STATS_SIZE];
    rec_link_stats_encode(&ls, buf);
    CHECK_EQ(rec_link_stats_decode(buf, sizeof buf, &lb), GC_OK);
    CHECK(memcmp(&ls, &lb, sizeof ls) == 0);
    CHECK_EQ(rec_link_stats_decode(buf, 10, &lb), GC_ERR_FORMAT);
    /* a recording from before protocol 2: six counters, the window's read as 0 */
    CHECK_EQ(rec_link_stats_decode(buf, REC_LINK_STATS_SIZE_V1, &lb), GC_OK);
    CHECK_EQ(lb.ring_dropped, 6);
    CHECK_EQ(lb.resent_rx, 0);
    CHECK_EQ(lb.max_wait_us, 0);

    free(full);
    free(bad);
    free(z);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
    return check_exit();
}
