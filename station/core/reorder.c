/*
 * reorder.c - the reorder window of the lossless link (see reorder.h).
 *
 *   window: slots for the blocks [base, top), slot = seq % REORDER_SLOTS,
 *           each HELD (arrived, waiting behind a hole) or a HOLE
 *   outq:   blocks ready to leave, in sequence order (copies)
 *
 * advance() moves the window's front into outq while it is HELD, and skips
 * a HOLE whose wait is over; it runs after every change, so pop only
 * dequeues.
 */
#include "reorder.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum slot_state { SLOT_FREE = 0, SLOT_HOLE = 1, SLOT_HELD = 2 };

struct slot {
    uint8_t state;
    uint8_t type;
    bool asked;
    bool gone;
    uint32_t seq;
    uint32_t bad_before;
    int64_t t_rx_ns;  /* HELD: arrival */
    int64_t seen_ns;  /* HOLE: when it was seen missing */
    int64_t asked_ns; /* HOLE: last request */
    uint16_t len;
    uint8_t payload[REORDER_PAYLOAD_MAX];
};

#define OUTQ_LEN (REORDER_SLOTS + 1u)

struct reorder {
    struct reorder_config cfg;
    bool started;
    uint32_t base, top; /* window [base, top) */
    struct slot win[REORDER_SLOTS];
    struct slot outq[OUTQ_LEN];
    uint32_t out_head, out_n;
    struct slot cur; /* the block handed out by the last pop */
    bool have_rtt;
    int64_t srtt_ns, rttvar_ns; /* RFC 6298 estimators */
    int64_t rto_ns;             /* retry timeout in use */
    bool defer;                 /* reorder_defer_giveup */
    struct reorder_stats st;
    uint64_t wait_hist[REORDER_WAIT_BINS];
};

static struct slot *at(struct reorder *r, uint32_t seq)
{
    return &r->win[seq % REORDER_SLOTS];
}

/* Signed distance a - b of two sequence numbers (modulo 2^32). */
static int64_t seq_diff(uint32_t a, uint32_t b)
{
    return (int64_t)(int32_t)(a - b);
}

static void to_outq(struct reorder *r, struct slot *s)
{
    /* The window holds at most REORDER_SLOTS blocks and the caller pops
     * after every push, so outq never overflows; if it would, the oldest
     * is dropped (counted as lost) rather than writing past the queue. */
    if (r->out_n == OUTQ_LEN) {
        r->out_head = (r->out_head + 1u) % OUTQ_LEN;
        r->out_n--;
        r->st.lost++;
    }
    struct slot *d = &r->outq[(r->out_head + r->out_n) % OUTQ_LEN];
    d->type = s->type;
    d->seq = s->seq;
    d->bad_before = s->bad_before;
    d->t_rx_ns = s->t_rx_ns;
    d->len = s->len;
    memcpy(d->payload, s->payload, s->len);
    r->out_n++;
}

/* Release the window's front: HELD blocks to outq, holes whose wait is
 * over (or all holes before force_to) given up. */
static void advance(struct reorder *r, int64_t t_ns, bool force_all, uint32_t force_to)
{
    while (r->base != r->top) {
        struct slot *s = at(r, r->base);
        bool forced = force_all || seq_diff(force_to, r->base) > 0;
        if (s->state == SLOT_HELD) {
            to_outq(r, s);
        } else if (s->state == SLOT_HOLE &&
                   (forced || s->gone || (!r->defer && t_ns - s->seen_ns >= r->cfg.hold_ns))) {
            r->st.lost++;
            if (s->gone)
                r->st.lost_gone++;
        } else {
            break;
        }
        s->state = SLOT_FREE;
        r->base++;
    }
}

/* Open holes for [r->top, upto) seen at t_ns, making room first. */
static void extend(struct reorder *r, uint32_t upto, int64_t t_ns)
{
    if (seq_diff(upto, r->base) > (int64_t)REORDER_SLOTS) {
        /* No room to wait for all of them: the oldest are given up now
         * (a jump this long is beyond the device's resend ring anyway). */
        uint32_t new_base = upto - REORDER_SLOTS;
        advance(r, t_ns, false, new_base);
        if (seq_diff(new_base, r->top) > 0) {
            /* Never seen, never held: lost without a slot. */
            r->st.lost += (uint64_t)seq_diff(new_base, r->top);
            r->base = r->top = new_base;
        }
    }
    while (r->top != upto) {
        struct slot *s = at(r, r->top);
        memset(s, 0, offsetof(struct slot, payload));
        s->state = SLOT_HOLE;
        s->seq = r->top;
        s->seen_ns = t_ns;
        r->top++;
    }
}

static void restart(struct reorder *r, uint32_t seq, int64_t t_ns)
{
    advance(r, t_ns, true, 0);
    r->base = r->top = seq;
    r->st.restarts++;
}

struct reorder *reorder_new(const struct reorder_config *cfg)
{
    if (cfg == NULL || cfg->hold_ns <= 0 || cfg->retry_ns <= 0)
        return NULL;
    struct reorder *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->cfg = *cfg;
    r->rto_ns = cfg->retry_ns;
    return r;
}

void reorder_free(struct reorder *r)
{
    free(r);
}

int reorder_push(struct reorder *r, uint8_t type, const uint8_t *payload, size_t len,
                 uint32_t bad_before, int64_t t_ns)
{
    if ((type != PKT_SAMPLES && type != PKT_RESENT) || payload == NULL || len < 4 ||
        len > REORDER_PAYLOAD_MAX)
        return -1;
    uint32_t seq = (uint32_t)payload[0] | (uint32_t)payload[1] << 8 |
                   (uint32_t)payload[2] << 16 | (uint32_t)payload[3] << 24;
    r->st.blocks_in++;
    if (type == PKT_RESENT)
        r->st.resent_rx++;
    if (!r->started) {
        r->started = true;
        r->base = r->top = seq;
    }
    int64_t off = seq_diff(seq, r->base);
    if (off < 0) {
        uint32_t back = r->base - seq;
        bool reboot = (type == PKT_SAMPLES && seq == 0) || back > REORDER_LATE_SPAN;
        if (!reboot) {
            r->st.duplicates++;
            return 0;
        }
        restart(r, seq, t_ns);
    }
    struct slot *s;
    if (seq_diff(seq, r->top) < 0) {
        s = at(r, seq);
        if (s->state != SLOT_HOLE) {
            r->st.duplicates++;
            return 0;
        }
        if (type == PKT_RESENT)
            r->st.recovered++;
    } else {
        extend(r, seq + 1u, t_ns);
        s = at(r, seq);
    }
    s->state = SLOT_HELD;
    s->type = type;
    s->seq = seq;
    s->bad_before = bad_before;
    s->t_rx_ns = t_ns;
    s->len = (uint16_t)len;
    memcpy(s->payload, payload, len);
    advance(r, t_ns, false, r->base);
    return 0;
}

int reorder_pop(struct reorder *r, int64_t t_ns, struct reorder_block *out)
{
    advance(r, t_ns, false, r->base);
    if (r->out_n == 0)
        return 0;
    struct slot *s = &r->outq[r->out_head];
    r->out_head = (r->out_head + 1u) % OUTQ_LEN;
    r->out_n--;
    r->cur.type = s->type;
    r->cur.seq = s->seq;
    r->cur.bad_before = s->bad_before;
    r->cur.t_rx_ns = s->t_rx_ns;
    r->cur.len = s->len;
    memcpy(r->cur.payload, s->payload, s->len);
    int64_t wait = t_ns - s->t_rx_ns;
    int64_t bin = wait > 0 ? wait / 1000000 : 0;
    r->wait_hist[bin < (int64_t)REORDER_WAIT_BINS ? bin : (int64_t)REORDER_WAIT_BINS - 1]++;
    if (wait > 0) {
        r->st.held++;
        if (wait > r->st.max_wait_ns)
            r->st.max_wait_ns = wait;
    }
    r->st.blocks_out++;
    out->type = r->cur.type;
    out->seq = r->cur.seq;
    out->bad_before = r->cur.bad_before;
    out->t_rx_ns = r->cur.t_rx_ns;
    out->payload = r->cur.payload;
    out->len = r->cur.len;
    return 1;
}

static bool hole_due(const struct reorder *r, const struct slot *s, int64_t t_ns)
{
    return s->state == SLOT_HOLE && !s->gone && t_ns - s->seen_ns < r->cfg.hold_ns &&
           (!s->asked || t_ns - s->asked_ns >= r->rto_ns);
}

int reorder_request(struct reorder *r, int64_t t_ns, uint32_t *first, uint32_t *count)
{
    for (uint32_t q = r->base; q != r->top; q++) {
        struct slot *s = at(r, q);
        if (!hole_due(r, s, t_ns))
            continue;
        uint32_t n = 0;
        while (q + n != r->top && n < PKT_RESEND_MAX && hole_due(r, at(r, q + n), t_ns)) {
            struct slot *h = at(r, q + n);
            h->asked = true;
            h->asked_ns = t_ns;
            n++;
        }
        *first = q;
        *count = n;
        r->st.requests++;
        r->st.requested += n;
        return 1;
    }
    return 0;
}

void reorder_answer(struct reorder *r, bool was_request, uint32_t first, uint32_t count,
                    int64_t asked_ns, uint32_t oldest, uint32_t next, int64_t t_ns)
{
    if (!r->started)
        return;
    /* Blocks the device built that were never seen (the tail before a
     * STOP, or a resend's ACK naming newer blocks): holes now. */
    int64_t ahead = seq_diff(next, r->top);
    if (ahead > 0 && ahead <= (int64_t)REORDER_LATE_SPAN)
        extend(r, next, t_ns);
    for (uint32_t q = r->base; q != r->top; q++) {
        struct slot *s = at(r, q);
        if (s->state != SLOT_HOLE)
            continue;
        if (seq_diff(q, oldest) < 0 || seq_diff(q, next) >= 0) {
            s->gone = true;
            continue;
        }
        /* Resends come before their ACK on an ordered link: a requested
         * block still missing now was damaged on the way.  Ask again. */
        if (was_request && s->asked && s->asked_ns <= asked_ns && seq_diff(q, first) >= 0 &&
            seq_diff(q, first + count) < 0)
            s->asked_ns = t_ns - r->rto_ns;
    }
}

void reorder_rtt_sample(struct reorder *r, int64_t rtt_ns)
{
    if (rtt_ns < 0)
        return;
    if (!r->have_rtt) {
        r->srtt_ns = rtt_ns;
        r->rttvar_ns = rtt_ns / 2;
        r->have_rtt = true;
    } else {
        int64_t err = rtt_ns - r->srtt_ns;
        r->rttvar_ns += ((err < 0 ? -err : err) - r->rttvar_ns) / 4; /* beta 1/4 */
        r->srtt_ns += err / 8;                                          /* alpha 1/8 */
    }
    int64_t rto = r->srtt_ns + 4 * r->rttvar_ns;
    int64_t cap = r->cfg.hold_ns / 4;
    if (rto > cap)
        rto = cap;
    r->rto_ns = rto > r->cfg.retry_ns ? rto : r->cfg.retry_ns;
}

int64_t reorder_retry_ns(const struct reorder *r)
{
    return r->rto_ns;
}

void reorder_defer_giveup(struct reorder *r, bool defer)
{
    r->defer = defer;
}

void reorder_flush(struct reorder *r)
{
    for (uint32_t q = r->base; q != r->top; q++)
        if (at(r, q)->state == SLOT_HOLE)
            at(r, q)->gone = true;
    advance(r, INT64_MAX, true, 0);
}

int64_t reorder_deadline(const struct reorder *r)
{
    int64_t d = INT64_MAX;
    for (uint32_t q = r->base; q != r->top; q++) {
        const struct slot *s = &r->win[q % REORDER_SLOTS];
        if (s->state != SLOT_HOLE)
            continue;
        if (s->gone)
            return INT64_MIN; /* leaves at the next pop */
        int64_t give_up = s->seen_ns + r->cfg.hold_ns;
        if (give_up < d)
            d = give_up;
        int64_t ask = s->asked ? s->asked_ns + r->rto_ns : s->seen_ns;
        if (ask < d)
            d = ask;
    }
    return d;
}

bool reorder_next_expected(const struct reorder *r, uint32_t *seq)
{
    *seq = r->top;
    return r->started;
}

uint32_t reorder_open_holes(const struct reorder *r)
{
    uint32_t n = 0;
    for (uint32_t q = r->base; q != r->top; q++)
        if (r->win[q % REORDER_SLOTS].state == SLOT_HOLE)
            n++;
    return n;
}

void reorder_get_stats(const struct reorder *r, struct reorder_stats *out)
{
    *out = r->st;
}

double reorder_wait_quantile_ms(const struct reorder *r, double q)
{
    uint64_t n = r->st.blocks_out;
    if (n == 0)
        return 0.0;
    uint64_t want = (uint64_t)ceil(q * (double)n);
    if (want < 1)
        want = 1;
    uint64_t seen = 0;
    for (uint32_t i = 0; i < REORDER_WAIT_BINS; i++) {
        seen += r->wait_hist[i];
        if (seen >= want)
            return (double)(i + 1);
    }
    return (double)REORDER_WAIT_BINS;
}
