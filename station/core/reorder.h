/*
 * reorder.h - the reorder window of the lossless link: sample blocks in
 * sequence order, holes asked for again, a bounded wait.
 *
 *   SAMPLES / RESENT frame (seq, payload)  --reorder_push-->  window
 *   window  --reorder_pop-->   blocks in sequence order (to the DSP and the
 *                              recording); a hole is released as a gap only
 *                              after hold_ns, or at once when the device
 *                              says it no longer holds the block
 *   window  --reorder_request--> (first, count): send CMD_RESEND now
 *   ACK of CMD_RESEND / CMD_STOP --reorder_answer--> what the device holds
 *
 * Bound: a block waits in the window at most hold_ns after it arrived
 * (every hole before it was seen no later than it arrived, and each hole
 * is given up hold_ns after it was seen).  With no hole nothing waits: a
 * block pushed is popped by the same thread at once.
 *
 * Holes are asked for when they are seen, and again after a retry timeout
 * while they stay open; an answer (the device's ACK, sent after its
 * resends) that leaves a requested block missing means the resend was
 * damaged: it is asked for again at the next reorder_request, unless a newer
 * request for it is on its way.  The retry timeout adapts to the measured
 * round trip like TCP's (RFC 6298: srtt + 4 rttvar, never below retry_ns
 * and never above hold_ns / 4, so a hole is asked for at least four times
 * before it is given up), so a slow link (QEMU's emulated UART) is not
 * flooded with repeats whose resends would only queue behind each other.
 *
 * Sequence rules (docs/protocol.md section 4): a block before the window
 * that is at most REORDER_LATE_SPAN behind is a late duplicate (dropped,
 * counted); a SAMPLES block with seq 0 while something else was expected,
 * or a jump backwards further than that, is a device restart: the window
 * gives up its holes, releases what it holds and starts again.
 *
 * Pure core: no clock (times are the caller's CLOCK_MONOTONIC ns), no I/O,
 * no threads.  reorder_new allocates the slots; nothing else allocates.
 * Thread: one object belongs to one thread (the live reader thread).
 */
#ifndef GC_REORDER_H
#define GC_REORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"

/* Window span in blocks: at 2 kHz (5 ms blocks) 320 ms, more than the
 * device's 250 ms resend ring, so nothing it can still resend is given up
 * for lack of room. */
#define REORDER_SLOTS 64u
/* The longest SAMPLES payload (32 samples). */
#define REORDER_PAYLOAD_MAX (PKT_SAMPLES_HEADER + PKT_MAX_BLOCK * PKT_SAMPLE_BYTES)
/* A block this far or less behind the window is a late duplicate. */
#define REORDER_LATE_SPAN 4096u

/* Defaults of the live station (docs/reliability.md, "Lossless link"). */
#define REORDER_HOLD_MS_DEFAULT  200
#define REORDER_RETRY_MS_DEFAULT 12

struct reorder_config {
    int64_t hold_ns;  /* longest wait for a hole (> 0) */
    int64_t retry_ns; /* ask again after this long without the block (> 0): the
                         least retry timeout; reorder_rtt_sample raises it */
};

/* A block leaving the window, viewed (valid until the next call). */
struct reorder_block {
    uint8_t type;        /* PKT_SAMPLES, or PKT_RESENT when it came again on request */
    uint32_t seq;
    uint32_t bad_before; /* bad frames the receiver saw before this frame */
    int64_t t_rx_ns;     /* when it arrived */
    const uint8_t *payload;
    size_t len;
};

struct reorder_stats {
    uint64_t blocks_in;     /* blocks pushed (originals and resends, duplicates included) */
    uint64_t blocks_out;    /* blocks popped */
    uint64_t requests;      /* CMD_RESEND requests handed out */
    uint64_t requested;     /* blocks asked for (a block asked twice counts twice) */
    uint64_t resent_rx;     /* PKT_RESENT blocks received intact (duplicates included) */
    uint64_t recovered;     /* holes filled (by a resend) */
    uint64_t lost;          /* holes given up: finally lost */
    uint64_t lost_gone;     /* of those, given up because the device no longer held them */
    uint64_t duplicates;    /* blocks dropped because already delivered or given up */
    uint64_t restarts;      /* device restarts seen */
    uint64_t held;          /* blocks that had to wait behind a hole */
    int64_t max_wait_ns;    /* longest wait of a block in the window */
};

/* Waits of the blocks popped, in 1 ms bins (the last bin: longer). */
#define REORDER_WAIT_BINS 256u

struct reorder;

/* Returns NULL on a bad config (hold or retry <= 0) or no memory. */
struct reorder *reorder_new(const struct reorder_config *cfg);
void reorder_free(struct reorder *r);

/* A SAMPLES (type PKT_SAMPLES) or resent (PKT_RESENT) frame's payload
 * arrived at t_ns.  Returns 0 (taken or dropped as a duplicate), or -1 for
 * a payload too short to hold a sequence number or longer than
 * REORDER_PAYLOAD_MAX, or another type (nothing changes).  Blocks it
 * completes are ready for reorder_pop. */
int reorder_push(struct reorder *r, uint8_t type, const uint8_t *payload, size_t len,
                 uint32_t bad_before, int64_t t_ns);

/* The next block in sequence order, if one may leave at t_ns: returns 1
 * and fills *out, or 0.  Holes whose wait is over (hold_ns, or given up by
 * the device) are skipped here; the DSP sees them as a sequence gap. */
int reorder_pop(struct reorder *r, int64_t t_ns, struct reorder_block *out);

/* A resend request due at t_ns: returns 1 with [*first, *first + *count)
 * (count <= PKT_RESEND_MAX) and marks it asked, or 0 when none is due.
 * Call until it returns 0. */
int reorder_request(struct reorder *r, int64_t t_ns, uint32_t *first, uint32_t *count);

/* The device's ACK of CMD_RESEND (was_request; asked_ns = when that
 * request was sent) or CMD_STOP: oldest and next from its echo
 * (pkt_resend_echo).  Blocks before oldest or from next on will never come
 * (given up at the next pop); blocks of the request still missing are
 * asked again at once unless asked again since asked_ns; blocks up to next
 * that were never seen become holes. */
void reorder_answer(struct reorder *r, bool was_request, uint32_t first, uint32_t count,
                    int64_t asked_ns, uint32_t oldest, uint32_t next, int64_t t_ns);

/* One measured round trip (request sent -> its ACK received), for the
 * retry timeout. */
void reorder_rtt_sample(struct reorder *r, int64_t rtt_ns);

/* The retry timeout in use, ns. */
int64_t reorder_retry_ns(const struct reorder *r);

/* While deferred, no hole is given up for its wait (only when the device
 * said it is gone): a receiver that was descheduled sets this while it
 * reads what queued up meanwhile, so a resend already waiting in the OS
 * buffer is not given up unread. */
void reorder_defer_giveup(struct reorder *r, bool defer);

/* Give up every hole now (link lost, end of the session): what is held
 * leaves at the next pops, and the window starts afresh at the next block. */
void reorder_flush(struct reorder *r);

/* The earliest time reorder_pop or reorder_request can have something new
 * without a push (a hold or retry deadline), or INT64_MAX. */
int64_t reorder_deadline(const struct reorder *r);

/* The sequence number the window expects next (one past the newest block
 * seen); false before the first block.  A receiver that saw no block for a
 * while asks for this one (a tail probe): the ACK's echo tells whether the
 * device built it, and reorder_answer opens the holes. */
bool reorder_next_expected(const struct reorder *r, uint32_t *seq);

/* Holes open now. */
uint32_t reorder_open_holes(const struct reorder *r);

void reorder_get_stats(const struct reorder *r, struct reorder_stats *out);

/* The q-quantile (0..1) of the waits of every block popped so far
 * (0 for the blocks that did not wait), in ms, to the 1 ms bin above; 0
 * before any pop.  What a loss adds to a cue's latency. */
double reorder_wait_quantile_ms(const struct reorder *r, double q);

#endif
