/*
 * recording.h - raw session recording: an append-only file of everything
 * the station received from the sensor, with host receive timestamps and
 * link events, so a session can be replayed and re-analysed exactly.
 * Format (byte layout, versioning, crash behaviour): docs/acquisition.md.
 *
 *   file   = magic "GCREC\r\n\x1a" | u16 version | u16 flags | u32 reserved
 *            | record*
 *   record = u8 kind | u8 aux | u16 len | u32 extra | i64 t_host_ns
 *            | payload[len] | u32 crc32(kind .. payload)
 *
 * All integers little-endian.  t_host_ns is CLOCK_MONOTONIC of the station
 * host in nanoseconds.  The first records are the header: REC_INFO,
 * REC_HELLO (identity), REC_CAL (calibration in use).  A file without a
 * REC_END record was interrupted (crash, kill, power loss); the reader
 * stops quietly at an incomplete or corrupt tail, so everything up to the
 * last flush survives.  A damaged record inside the file (a flipped bit)
 * costs only itself: the reader resynchronises at the next record whose
 * CRC is good and counts what it skipped (rec_reader_damage); the frames
 * it skipped are missing from the sequence numbers, so the DSP marks the
 * gap there as for frames lost on the link.
 *
 * Header values are input: an INFO mass_kg outside REC_MASS_MIN_KG..
 * REC_MASS_MAX_KG (the range of --mass) is removed from the record the
 * reader returns, and a calibration outside calfile_check_deck's limits
 * makes rec_cal_parse fail (callers fall back to the nominal gains); both
 * are said in rec_reader_notes.
 *
 * The same struct rec_record is what the live reader thread hands to the
 * DSP thread, so live and replay feed the DSP identical input.
 *
 * Thread: a writer or reader belongs to one thread.  The format helpers are
 * reentrant.
 */
#ifndef GC_RECORDING_H
#define GC_RECORDING_H

#include "gc_error.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "deck.h"

#define REC_FORMAT_VERSION   1u
#define REC_FILE_HEADER_SIZE 16u
#define REC_RECORD_OVERHEAD  20u /* 16-byte head + 4-byte CRC */
/* Largest payload: a full protocol frame, or a header text block. */
#define REC_MAX_PAYLOAD 1280u

enum rec_kind {
    REC_FRAME = 1,  /* good frame from the device: aux = packet type, payload = packet payload,
                       extra = bad frames (CRC/COBS) the reader saw since its previous record.
                       Sample blocks in the order the reorder window released them, at the
                       host time they were released; aux = PKT_RESENT (0x04) marks a block
                       that came again on request */
    REC_LINK = 2,   /* link event: aux = enum rec_link_event, extra = argument, payload per event */
    REC_TX = 3,     /* a command the station sent: aux = PKT_CMD, payload = CMD payload */
    REC_INFO = 16,  /* header: "key=value\n" text (station version, source, wall-clock start) */
    REC_HELLO = 17, /* header: HELLO payload of the device at session start */
    REC_CAL = 18,   /* header: calibration in use, "key=value\n" text (rec_cal_format) */
    REC_END = 31,   /* clean end of the session: "key=value\n" summary text */
};

enum rec_link_event {
    REC_LINK_SILENCE = 1,   /* no byte for extra ms while streaming */
    REC_LINK_LOST = 2,      /* device went away (hang-up, read error) */
    REC_LINK_RECONNECT = 3, /* reopened and identified; payload = HELLO payload */
    REC_LINK_RESUMED = 4,   /* bytes flow again after a silence; extra = ms of silence */
    REC_LINK_STATS = 5,     /* reader counters, payload = struct rec_link_stats (LE u64 each) */
};

/* Cumulative counters of the reader (frame layer), as carried by
 * REC_LINK_STATS.  Bytes dropped etc. are since the session start. */
struct rec_link_stats {
    uint64_t bytes;         /* bytes received */
    uint64_t frames_ok;     /* good frames */
    uint64_t frames_bad;    /* frames that ended corrupt */
    uint64_t crc_errors;    /* subset of frames_bad */
    uint64_t bytes_dropped; /* bytes that belonged to bad frames */
    uint64_t ring_dropped;  /* frames the DSP ring refused (DSP too slow) */
    /* The reorder window of the lossless link (protocol 2; 0 in older
     * recordings, whose STATS payload is REC_LINK_STATS_SIZE_V1 long). */
    uint64_t resent_rx;     /* resent blocks received intact, duplicates included */
    uint64_t duplicates;    /* blocks dropped as already delivered or given up */
    uint64_t window_lost;   /* holes the window gave up (waited out or gone) */
    uint64_t max_wait_us;   /* longest wait of a block behind a hole */
    uint64_t p99_wait_us;   /* 99th percentile of every block's wait (1 ms bins) */
};
#define REC_LINK_STATS_SIZE    88u
#define REC_LINK_STATS_SIZE_V1 48u

struct rec_record {
    uint8_t kind; /* enum rec_kind */
    uint8_t aux;
    uint16_t len; /* payload bytes, <= REC_MAX_PAYLOAD */
    uint32_t extra;
    int64_t t_host_ns; /* CLOCK_MONOTONIC, ns */
    uint8_t payload[REC_MAX_PAYLOAD];
};

/* ---- writer ---- */

struct rec_writer;

/* Create path (must not exist: a recording is never overwritten) and write
 * the file header.  The file is 0600 and missing parent directories are
 * created 0700, whatever the umask (datadir.h: a recording is patient
 * data).  Returns GC_OK,
 * GC_ERR_IO / GC_ERR_PERM / GC_ERR_BUSY (exists) with errno detail logged. */
GC_MUST_CHECK int rec_writer_open(const char *path, struct rec_writer **out);
/* Append one record to the write buffer (no system call unless the buffer
 * is full).  Returns GC_OK or GC_ERR_IO / GC_ERR_ARG. */
GC_MUST_CHECK int rec_writer_append(struct rec_writer *w, const struct rec_record *r);
/* Hand buffered bytes to the kernel (survives kill -9); with sync also
 * fdatasync (survives power loss). */
GC_MUST_CHECK int rec_writer_flush(struct rec_writer *w, bool sync);
/* Bytes written so far (header included). */
uint64_t rec_writer_bytes(const struct rec_writer *w);
/* Flush, fsync and close; NULL is fine.  Returns the flush result. */
GC_MUST_CHECK int rec_writer_close(struct rec_writer *w);

/* Serialise one record into out (capacity cap >= REC_RECORD_OVERHEAD +
 * r->len).  Returns bytes written or 0.  Pure. */
size_t rec_encode(const struct rec_record *r, uint8_t *out, size_t cap);

/* ---- reader ---- */

struct rec_reader;

/* GC_ERR_NOT_FOUND, GC_ERR_FORMAT (not a recording), GC_ERR_VERSION (newer
 * format). */
int rec_reader_open(const char *path, struct rec_reader **out);
/* Next good record: 1 and *r filled, 0 at the end (clean or truncated
 * tail).  Damaged records before it are skipped and counted. */
int rec_reader_next(struct rec_reader *rd, struct rec_record *r);

/* What the reader skipped inside the file so far (not the tail). */
struct rec_damage {
    uint64_t spans;   /* damaged stretches (resynchronisations) */
    uint64_t records; /* records in them: exact when their length fields
                         chain, else estimated from the mean record size */
    uint64_t bytes;   /* bytes skipped */
    double seconds;   /* host time from the last good record before each
                         stretch to the first after it, summed */
    bool pending;     /* internal: a stretch awaits its closing record */
};
void rec_reader_damage(const struct rec_reader *rd, struct rec_damage *d);
/* Header values the reader refused, as one or more "; "-separated
 * phrases for the user, "" if none. */
#define REC_NOTES_LEN 512
const char *rec_reader_notes(const struct rec_reader *rd);
#define REC_MASS_MIN_KG 10.0 /* the range station analyze --mass accepts */
#define REC_MASS_MAX_KG 400.0
/* After 0 from next: whether the file ended with an incomplete or corrupt
 * record (crash), and how many bytes were ignored. */
bool rec_reader_truncated(const struct rec_reader *rd);
uint64_t rec_reader_ignored_bytes(const struct rec_reader *rd);
uint64_t rec_reader_offset(const struct rec_reader *rd);
void rec_reader_close(struct rec_reader *rd);

/* Whole-file summary (reads the file once). */
struct rec_summary {
    uint64_t records, frames, link_events;
    bool has_hello, has_end, truncated;
    int64_t t_first_ns, t_last_ns; /* host time of the first/last record */
    uint8_t hello[REC_MAX_PAYLOAD];
    uint16_t hello_len;
    char info[REC_MAX_PAYLOAD + 1]; /* REC_INFO text, NUL-terminated */
    uint64_t damaged_records, damaged_bytes; /* skipped inside the file (rec_damage) */
    double damaged_s;
    char notes[REC_NOTES_LEN]; /* rec_reader_notes */
};
int rec_summarize(const char *path, struct rec_summary *s);

/* ---- header helpers ---- */

/* Calibration as text: "serial=..\nname=..\ncell0=offset_counts,n_per_count,x_m,y_m\n"...
 * with %.17g numbers so the values round-trip exactly.  Returns length or 0
 * if cap is too small. */
size_t rec_cal_format(const struct deck_cal *cal, char *out, size_t cap);
/* Parse rec_cal_format output.  GC_OK or GC_ERR_FORMAT (unreadable, or
 * values outside calfile_check_deck's limits). */
int rec_cal_parse(const char *text, size_t len, struct deck_cal *cal);
/* The same, with the reason of a refusal in diag ("unreadable", or
 * calfile_check_deck's sentence). */
GC_MUST_CHECK int rec_cal_check(const char *text, size_t len, struct deck_cal *cal,
                                struct gc_diag *diag);
/* Value of key in "key=value\n" text into out; false if absent. */
bool rec_text_get(const char *text, size_t len, const char *key, char *out, size_t cap);

void rec_link_stats_encode(const struct rec_link_stats *s, uint8_t out[REC_LINK_STATS_SIZE]);
int rec_link_stats_decode(const uint8_t *in, size_t len, struct rec_link_stats *s);

#endif
