/*
 * recording.c - raw session recording writer and crash-tolerant reader
 * (format: recording.h and docs/acquisition.md).
 */
#include "recording.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calfile.h"
#include "datadir.h"
#include "frame.h"
#include "gc_error.h"

#define LOG_PREFIX "recording"
#include "log.h"

static const uint8_t rec_magic[8] = {'G', 'C', 'R', 'E', 'C', '\r', '\n', 0x1a};

/* Writer buffer: ~0.25 s of a 1 kHz stream; flushed earlier by the caller. */
#define REC_WBUF_SIZE 65536u

static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) | ((uint64_t)get_u32(p + 4) << 32);
}

static bool kind_known(uint8_t k)
{
    switch (k) {
    case REC_FRAME:
    case REC_LINK:
    case REC_TX:
    case REC_INFO:
    case REC_HELLO:
    case REC_CAL:
    case REC_END:
        return true;
    default:
        return false;
    }
}

size_t rec_encode(const struct rec_record *r, uint8_t *out, size_t cap)
{
    if (r->len > REC_MAX_PAYLOAD || cap < REC_RECORD_OVERHEAD + (size_t)r->len)
        return 0;
    out[0] = r->kind;
    out[1] = r->aux;
    put_u16(out + 2, r->len);
    put_u32(out + 4, r->extra);
    put_u64(out + 8, (uint64_t)r->t_host_ns);
    memcpy(out + 16, r->payload, r->len);
    put_u32(out + 16 + r->len, frame_crc32(out, 16u + r->len));
    return REC_RECORD_OVERHEAD + r->len;
}

/* ---- writer ---- */

struct rec_writer {
    int fd;
    uint8_t buf[REC_WBUF_SIZE];
    size_t n;
    uint64_t bytes;
    char path[512];
};

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return GC_ERR_IO;
        p += w;
        n -= (size_t)w;
    }
    return GC_OK;
}

int rec_writer_open(const char *path, struct rec_writer **out)
{
    *out = NULL;
    if (path == NULL || strlen(path) >= sizeof((struct rec_writer *)0)->path)
        return GC_ERR_ARG;
    /* The data folder's policy (datadir.h): folders 0700 and the recording
     * 0600 whatever the umask; open() masks the mode, fchmod sets it. */
    int mrc = datadir_mkdirs_for(path);
    if (mrc != GC_OK) {
        LOG_ERR("cannot create the directory for %s: %s", path, strerror(errno));
        return mrc == GC_ERR_PERM ? GC_ERR_PERM : GC_ERR_IO;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, DATADIR_FILE_MODE);
    if (fd < 0) {
        int e = errno;
        LOG_ERR("cannot create %s: %s", path, strerror(e));
        return e == EEXIST ? GC_ERR_BUSY : e == EACCES ? GC_ERR_PERM : GC_ERR_IO;
    }
    if (fchmod(fd, DATADIR_FILE_MODE) != 0) {
        int e = errno;
        LOG_ERR("cannot make %s owner-only: %s", path, strerror(e));
        close(fd);
        unlink(path);
        return e == EPERM ? GC_ERR_PERM : GC_ERR_IO;
    }
    struct rec_writer *w = calloc(1, sizeof *w);
    if (w == NULL) {
        close(fd);
        return GC_ERR_NOMEM;
    }
    w->fd = fd;
    snprintf(w->path, sizeof w->path, "%s", path);
    uint8_t hdr[REC_FILE_HEADER_SIZE] = {0};
    memcpy(hdr, rec_magic, sizeof rec_magic);
    put_u16(hdr + 8, REC_FORMAT_VERSION);
    memcpy(w->buf, hdr, sizeof hdr);
    w->n = sizeof hdr;
    int rc = rec_writer_flush(w, false);
    if (rc < 0) {
        close(fd);
        free(w);
        return rc;
    }
    *out = w;
    return GC_OK;
}

int rec_writer_append(struct rec_writer *w, const struct rec_record *r)
{
    if (w == NULL || r == NULL || r->len > REC_MAX_PAYLOAD)
        return GC_ERR_ARG;
    size_t need = REC_RECORD_OVERHEAD + r->len;
    if (w->n + need > sizeof w->buf) {
        int rc = rec_writer_flush(w, false);
        if (rc < 0)
            return rc;
    }
    size_t k = rec_encode(r, w->buf + w->n, sizeof w->buf - w->n);
    if (k == 0)
        return GC_ERR_ARG;
    w->n += k;
    return GC_OK;
}

int rec_writer_flush(struct rec_writer *w, bool sync)
{
    if (w == NULL)
        return GC_ERR_ARG;
    if (w->n > 0) {
        if (write_all(w->fd, w->buf, w->n) < 0) {
            LOG_ERR("writing %s failed: %s", w->path, strerror(errno));
            return GC_ERR_IO;
        }
        w->bytes += w->n;
        w->n = 0;
    }
    if (sync && fdatasync(w->fd) < 0 && errno != EINVAL && errno != EROFS)
        return GC_ERR_IO;
    return GC_OK;
}

uint64_t rec_writer_bytes(const struct rec_writer *w)
{
    return w->bytes + w->n;
}

int rec_writer_close(struct rec_writer *w)
{
    if (w == NULL)
        return GC_OK;
    int rc = rec_writer_flush(w, true);
    if (fsync(w->fd) < 0 && errno != EINVAL && errno != EROFS && rc == GC_OK)
        rc = GC_ERR_IO;
    close(w->fd);
    free(w);
    return rc;
}

/* ---- reader ---- */

/* Resync window: many records long, so a scan over a damaged stretch
 * reads the file in large pieces. */
#define REC_SCAN_WIN 65536u
#define REC_RECORD_MAX (REC_RECORD_OVERHEAD + REC_MAX_PAYLOAD)

struct rec_reader {
    FILE *f;
    uint64_t offset; /* end of the last good record */
    uint64_t size;
    bool truncated;
    uint64_t ignored;
    /* good records so far (for the damaged-record estimate) */
    uint64_t good_records, good_bytes;
    bool have_t;
    int64_t t_last_ns;
    struct rec_damage damage;
    char notes[REC_NOTES_LEN];
    uint8_t *win; /* REC_SCAN_WIN bytes, allocated on the first resync */
};

int rec_reader_open(const char *path, struct rec_reader **out)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return errno == ENOENT ? GC_ERR_NOT_FOUND : errno == EACCES ? GC_ERR_PERM : GC_ERR_IO;
    uint8_t hdr[REC_FILE_HEADER_SIZE];
    if (fread(hdr, 1, sizeof hdr, f) != sizeof hdr || memcmp(hdr, rec_magic, sizeof rec_magic)) {
        fclose(f);
        return GC_ERR_FORMAT;
    }
    if (get_u16(hdr + 8) > REC_FORMAT_VERSION) {
        fclose(f);
        return GC_ERR_VERSION;
    }
    struct rec_reader *rd = calloc(1, sizeof *rd);
    if (rd == NULL) {
        fclose(f);
        return GC_ERR_NOMEM;
    }
    struct stat st;
    rd->size = fstat(fileno(f), &st) == 0 ? (uint64_t)st.st_size : 0;
    rd->f = f;
    rd->offset = REC_FILE_HEADER_SIZE;
    *out = rd;
    return GC_OK;
}

static int reader_stop(struct rec_reader *rd)
{
    /* A run of zero bytes at the end (file system extended the file but the
     * data never reached the disk) is a truncated tail like any other. */
    rd->truncated = rd->size > rd->offset;
    rd->ignored = rd->size > rd->offset ? rd->size - rd->offset : 0;
    return 0;
}

/* A whole, checksum-valid record at p (avail bytes there)?  Its size. */
static size_t probe(const uint8_t *p, size_t avail)
{
    if (avail < REC_RECORD_OVERHEAD || !kind_known(p[0]))
        return 0;
    size_t len = get_u16(p + 2);
    if (len > REC_MAX_PAYLOAD || avail < REC_RECORD_OVERHEAD + len)
        return 0;
    if (frame_crc32(p, 16u + len) != get_u32(p + 16 + len))
        return 0;
    return REC_RECORD_OVERHEAD + len;
}

/* Records that fit in a damaged span of n bytes starting at p: walk the
 * length fields; if they chain exactly to the end, that many records were
 * lost.  Otherwise a length field itself is damaged: estimate from the
 * mean size of the good records (at least one). */
static uint64_t damaged_records(const struct rec_reader *rd, const uint8_t *p, size_t n)
{
    uint64_t k = 0;
    size_t i = 0;
    while (p && i + REC_RECORD_OVERHEAD <= n) {
        size_t len = get_u16(p + i + 2);
        if (!kind_known(p[i]) || len > REC_MAX_PAYLOAD)
            break;
        i += REC_RECORD_OVERHEAD + len;
        k++;
    }
    if (p && i == n && k > 0)
        return k;
    uint64_t mean = rd->good_records ? rd->good_bytes / rd->good_records : REC_RECORD_MAX;
    if (mean < REC_RECORD_OVERHEAD)
        mean = REC_RECORD_OVERHEAD;
    uint64_t est = ((uint64_t)n + mean / 2) / mean;
    return est ? est : 1;
}

/* The record at rd->offset is damaged: find the next whole record after
 * it.  Each record carries its own CRC-32 over kind, length, time and
 * payload, so a position is taken only when a known kind, a possible
 * length and the checksum all agree (a chance match is ~2^-32 per
 * candidate).  Returns true with the file positioned there and the span
 * counted, false if nothing good follows (a cut or garbage tail). */
static bool resync(struct rec_reader *rd)
{
    if (rd->win == NULL && (rd->win = malloc(REC_SCAN_WIN)) == NULL)
        return false;
    uint64_t bad = rd->offset;
    uint64_t pos = bad + 1;
    while (pos < rd->size) {
        if (fseeko(rd->f, (off_t)pos, SEEK_SET) != 0)
            return false;
        size_t n = fread(rd->win, 1, REC_SCAN_WIN, rd->f);
        if (n == 0)
            return false;
        bool more = pos + n < rd->size;
        size_t i = 0;
        for (; i < n; i++) {
            if (more && n - i < REC_RECORD_MAX)
                break; /* slide the window so a whole record fits */
            if (probe(rd->win + i, n - i) == 0)
                continue;
            uint64_t good = pos + i;
            /* Count what was skipped; the span's own bytes are reread for
             * the record estimate (at most a window of them). */
            uint64_t span = good - bad;
            uint64_t nrec = 1;
            uint8_t *tmp = span <= REC_SCAN_WIN ? malloc((size_t)span) : NULL;
            if (tmp && fseeko(rd->f, (off_t)bad, SEEK_SET) == 0 &&
                fread(tmp, 1, (size_t)span, rd->f) == span)
                nrec = damaged_records(rd, tmp, (size_t)span);
            else
                nrec = damaged_records(rd, NULL, 0);
            free(tmp);
            rd->damage.spans++;
            rd->damage.records += nrec;
            rd->damage.bytes += span;
            rd->damage.pending = true;
            if (fseeko(rd->f, (off_t)good, SEEK_SET) != 0)
                return false;
            rd->offset = good;
            return true;
        }
        pos += i > 0 ? i : 1;
    }
    return false;
}

/* Header values are input like a command-line flag: one outside the
 * range `--mass` accepts is dropped from the record (the callers then
 * estimate the body weight as when it is absent) and said in the notes. */
static void sanitize_info(struct rec_reader *rd, struct rec_record *r)
{
    char v[64];
    if (!rec_text_get((const char *)r->payload, r->len, "mass_kg", v, sizeof v))
        return;
    char *end;
    double m = strtod(v, &end);
    bool empty_or_zero = (end != v && *end == '\0' && m == 0.0);
    if (empty_or_zero || (end != v && *end == '\0' && m >= REC_MASS_MIN_KG && m <= REC_MASS_MAX_KG))
        return; /* 0.000: written when the mass was not known */
    /* Cut the line "mass_kg=...\n" out of the payload. */
    char *t = (char *)r->payload;
    size_t i = 0;
    while (i < r->len) {
        size_t e = i;
        while (e < r->len && t[e] != '\n')
            e++;
        if (e - i > 8 && !memcmp(t + i, "mass_kg=", 8)) {
            size_t cut = (e < r->len ? e + 1 : e) - i;
            memmove(t + i, t + i + cut, r->len - i - cut);
            r->len = (uint16_t)(r->len - cut);
            break;
        }
        i = e + 1;
    }
    size_t k = strlen(rd->notes);
    snprintf(rd->notes + k, sizeof rd->notes - k,
             "%smass_kg=%.24s in the header is not a body mass (%.0f to %.0f kg): ignored, the "
             "body weight is estimated from the force",
             k ? "; " : "", v, REC_MASS_MIN_KG, REC_MASS_MAX_KG);
}

static void check_cal(struct rec_reader *rd, const struct rec_record *r)
{
    struct deck_cal cal;
    struct gc_diag why;
    if (rec_cal_check((const char *)r->payload, r->len, &cal, &why) == GC_OK)
        return;
    size_t k = strlen(rd->notes);
    snprintf(rd->notes + k, sizeof rd->notes - k,
             "%sthe calibration in the header is unusable (%s): ignored, the sensor's nominal "
             "gains are used",
             k ? "; " : "", why.msg);
}

int rec_reader_next(struct rec_reader *rd, struct rec_record *r)
{
    if (rd == NULL || rd->f == NULL)
        return 0;
    for (;;) {
        uint8_t head[16];
        size_t got = fread(head, 1, sizeof head, rd->f);
        if (got == 0 && feof(rd->f) && rd->offset >= rd->size) {
            rd->truncated = false;
            return 0;
        }
        bool ok = got == sizeof head;
        uint16_t len = ok ? get_u16(head + 2) : 0;
        ok = ok && kind_known(head[0]) && len <= REC_MAX_PAYLOAD;
        uint8_t rest[REC_MAX_PAYLOAD + 4];
        ok = ok && fread(rest, 1, (size_t)len + 4u, rd->f) == (size_t)len + 4u;
        ok = ok && frame_crc32_update(frame_crc32(head, sizeof head), rest, len) == get_u32(rest + len);
        if (!ok) {
            if (!resync(rd))
                return reader_stop(rd);
            continue;
        }
        r->kind = head[0];
        r->aux = head[1];
        r->len = len;
        r->extra = get_u32(head + 4);
        r->t_host_ns = (int64_t)get_u64(head + 8);
        memcpy(r->payload, rest, len);
        rd->offset += REC_RECORD_OVERHEAD + len;
        rd->good_records++;
        rd->good_bytes += REC_RECORD_OVERHEAD + len;
        if (rd->damage.pending) {
            /* The host time the skipped records covered: from the last
             * good record before the damage to this one. */
            rd->damage.pending = false;
            if (rd->have_t && r->t_host_ns > rd->t_last_ns)
                rd->damage.seconds += (double)(r->t_host_ns - rd->t_last_ns) * 1e-9;
        }
        rd->t_last_ns = r->t_host_ns;
        rd->have_t = true;
        if (r->kind == REC_INFO)
            sanitize_info(rd, r);
        else if (r->kind == REC_CAL)
            check_cal(rd, r);
        return 1;
    }
}

void rec_reader_damage(const struct rec_reader *rd, struct rec_damage *d)
{
    *d = rd->damage;
}

const char *rec_reader_notes(const struct rec_reader *rd)
{
    return rd->notes;
}

bool rec_reader_truncated(const struct rec_reader *rd)
{
    return rd->truncated;
}

uint64_t rec_reader_ignored_bytes(const struct rec_reader *rd)
{
    return rd->ignored;
}

uint64_t rec_reader_offset(const struct rec_reader *rd)
{
    return rd->offset;
}

void rec_reader_close(struct rec_reader *rd)
{
    if (rd == NULL)
        return;
    if (rd->f)
        fclose(rd->f);
    free(rd->win);
    free(rd);
}

int rec_summarize(const char *path, struct rec_summary *s)
{
    memset(s, 0, sizeof *s);
    struct rec_reader *rd;
    int rc = rec_reader_open(path, &rd);
    if (rc < 0)
        return rc;
    static _Thread_local struct rec_record r;
    while (rec_reader_next(rd, &r) == 1) {
        if (s->records == 0)
            s->t_first_ns = r.t_host_ns;
        s->records++;
        s->t_last_ns = r.t_host_ns;
        switch (r.kind) {
        case REC_FRAME:
            s->frames++;
            break;
        case REC_LINK:
            s->link_events++;
            break;
        case REC_HELLO:
            if (!s->has_hello) {
                s->has_hello = true;
                memcpy(s->hello, r.payload, r.len);
                s->hello_len = r.len;
            }
            break;
        case REC_INFO:
            memcpy(s->info, r.payload, r.len);
            s->info[r.len] = '\0';
            break;
        case REC_END:
            s->has_end = true;
            break;
        default:
            break;
        }
    }
    s->truncated = rec_reader_truncated(rd);
    struct rec_damage d;
    rec_reader_damage(rd, &d);
    s->damaged_records = d.records;
    s->damaged_bytes = d.bytes;
    s->damaged_s = d.seconds;
    snprintf(s->notes, sizeof s->notes, "%s", rec_reader_notes(rd));
    rec_reader_close(rd);
    return GC_OK;
}

/* ---- header helpers ---- */

size_t rec_cal_format(const struct deck_cal *cal, char *out, size_t cap)
{
    size_t n = 0;
    int k = snprintf(out, cap, "serial=%s\nname=%s\n", cal->serial, cal->name);
    if (k < 0 || (size_t)k >= cap)
        return 0;
    n = (size_t)k;
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        const struct deck_cell_cal *c = &cal->cell[i];
        k = snprintf(out + n, cap - n, "cell%u=%.17g,%.17g,%.17g,%.17g\n", i, c->offset_counts,
                     c->n_per_count, c->x_m, c->y_m);
        if (k < 0 || (size_t)k >= cap - n)
            return 0;
        n += (size_t)k;
    }
    return n;
}

bool rec_text_get(const char *text, size_t len, const char *key, char *out, size_t cap)
{
    size_t kl = strlen(key);
    size_t i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && text[e] != '\n')
            e++;
        if (e - i > kl && !memcmp(text + i, key, kl) && text[i + kl] == '=') {
            size_t vl = e - i - kl - 1;
            if (vl >= cap)
                vl = cap - 1;
            memcpy(out, text + i + kl + 1, vl);
            out[vl] = '\0';
            return true;
        }
        i = e + 1;
    }
    return false;
}

int rec_cal_parse(const char *text, size_t len, struct deck_cal *cal)
{
    return rec_cal_check(text, len, cal, NULL);
}

int rec_cal_check(const char *text, size_t len, struct deck_cal *cal, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    memset(cal, 0, sizeof *cal);
    char v[256];
    if (rec_text_get(text, len, "serial", v, sizeof cal->serial))
        memcpy(cal->serial, v, sizeof cal->serial);
    if (rec_text_get(text, len, "name", v, sizeof cal->name))
        memcpy(cal->name, v, sizeof cal->name);
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        char key[8];
        snprintf(key, sizeof key, "cell%u", i);
        if (!rec_text_get(text, len, key, v, sizeof v))
            return gc_fail(diag, GC_ERR_FORMAT, "unreadable");
        struct deck_cell_cal *c = &cal->cell[i];
        if (sscanf(v, "%lf,%lf,%lf,%lf", &c->offset_counts, &c->n_per_count, &c->x_m, &c->y_m) != 4)
            return gc_fail(diag, GC_ERR_FORMAT, "unreadable");
    }
    /* The same limits as a calibration file (no nominal gain here: the
     * absolute ones). */
    return calfile_check_deck(cal, 0.0, diag);
}

void rec_link_stats_encode(const struct rec_link_stats *s, uint8_t out[REC_LINK_STATS_SIZE])
{
    put_u64(out + 0, s->bytes);
    put_u64(out + 8, s->frames_ok);
    put_u64(out + 16, s->frames_bad);
    put_u64(out + 24, s->crc_errors);
    put_u64(out + 32, s->bytes_dropped);
    put_u64(out + 40, s->ring_dropped);
    put_u64(out + 48, s->resent_rx);
    put_u64(out + 56, s->duplicates);
    put_u64(out + 64, s->window_lost);
    put_u64(out + 72, s->max_wait_us);
    put_u64(out + 80, s->p99_wait_us);
}

int rec_link_stats_decode(const uint8_t *in, size_t len, struct rec_link_stats *s)
{
    if (len < REC_LINK_STATS_SIZE_V1)
        return GC_ERR_FORMAT;
    s->resent_rx = s->duplicates = s->window_lost = s->max_wait_us = s->p99_wait_us = 0;
    if (len >= REC_LINK_STATS_SIZE) {
        s->resent_rx = get_u64(in + 48);
        s->duplicates = get_u64(in + 56);
        s->window_lost = get_u64(in + 64);
        s->max_wait_us = get_u64(in + 72);
        s->p99_wait_us = get_u64(in + 80);
    }
    s->bytes = get_u64(in + 0);
    s->frames_ok = get_u64(in + 8);
    s->frames_bad = get_u64(in + 16);
    s->crc_errors = get_u64(in + 24);
    s->bytes_dropped = get_u64(in + 32);
    s->ring_dropped = get_u64(in + 40);
    return GC_OK;
}
