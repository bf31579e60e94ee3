/*
 * fw_core.c - sampler, packetizer and command handler of the sensor unit.
 *
 * No heap, no libc I/O: everything lives in the caller's struct fw_core and
 * leaves through hal->tx_write.  Every frame is built in fw->wire and handed
 * to the HAL in one call, which takes all of it or nothing.
 *
 *   fw_core_sample() x FW_BLOCK_SAMPLES -> fw->block -> PKT_SAMPLES frame
 *   fw_core_rx() -> fw->rx (frame decoder) -> PKT_CMD -> PKT_ACK [+ HELLO]
 *   fw_core_poll() -> PKT_STATUS every FW_STATUS_PERIOD_US while streaming
 *   every block built -> the resend ring (slot seq % ring_slots)
 *   CMD_RESEND(first, count) -> PKT_RESENT of each block still held, then ACK
 *
 * Counters (see docs/protocol.md section 4):
 *   seq             +1 per SAMPLES block built, also when the link refused
 *                   it, so the host sees the loss as a gap; 0 at boot only.
 *   samples_total   samples taken since the last START.
 *   dropped_samples samples of refused blocks, since boot.
 *   overruns        fw_core_count_overrun() totals, since boot.
 */
#include "fw_core.h"

#include <string.h>

/* Fault bits the core itself raises; the board's fw_core_set_faults()
 * cannot clear them.  They are sticky until the next START. */
#define CORE_FAULTS (FAULT_TX_OVERFLOW | FAULT_SAMPLE_LATE)
/* CMD_METRONOME accepts 0 (off) or up to 300.00 steps/min. */
#define METRONOME_MAX_SPM_X100 30000u
/* 24-bit signed range of a load-cell channel. */
#define CELL_MIN (-8388608L)
#define CELL_MAX 8388607L

static uint64_t now_us(const struct fw_core *fw)
{
    return fw->hal->now_us(fw->hal->ctx);
}

/* Hand one finished frame to the link.  Returns true when it was queued. */
static bool send_frame(struct fw_core *fw, size_t len)
{
    if (len == 0)
        return false; /* encoder refused: cannot happen with valid fields */
    if (fw->hal->tx_write(fw->hal->ctx, fw->wire, len) != len) {
        fw->faults |= FAULT_TX_OVERFLOW;
        return false;
    }
    return true;
}

static void send_hello(struct fw_core *fw)
{
    struct pkt_hello h;
    memset(&h, 0, sizeof h);
    h.proto_version = PROTO_VERSION;
    h.fw_major = fw->id.fw_major;
    h.fw_minor = fw->id.fw_minor;
    h.fw_patch = fw->id.fw_patch;
    memcpy(h.serial, fw->id.serial, PKT_SERIAL_LEN);
    h.serial[PKT_SERIAL_LEN] = '\0';
    h.rate_hz = (uint16_t)fw->rate_hz;
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        h.channel_corner[i] = fw->id.channel_corner[i];
        h.cell_x_mm[i] = fw->id.cell_x_mm[i];
        h.cell_y_mm[i] = fw->id.cell_y_mm[i];
    }
    h.cell_n_per_count = fw->id.cell_n_per_count;
    h.accel_g_per_lsb = fw->id.accel_g_per_lsb;
    h.gyro_dps_per_lsb = fw->id.gyro_dps_per_lsb;
    h.faults = fw->faults;
    h.streaming = fw->streaming;
    send_frame(fw, pkt_hello_frame(&h, fw->wire, sizeof fw->wire));
}

static void send_status(struct fw_core *fw, uint64_t t_us)
{
    struct pkt_status st;
    st.t_us = t_us;
    st.samples_total = fw->samples_total;
    st.dropped_samples = fw->dropped_samples;
    st.overruns = fw->overruns;
    st.faults = fw->faults;
    st.reset_reason = fw->id.reset_reason;
    send_frame(fw, pkt_status_frame(&st, fw->wire, sizeof fw->wire));
}

static void send_ack(struct fw_core *fw, const struct pkt_cmd *c, int status, uint64_t echo)
{
    struct pkt_ack a;
    a.cmd = c->cmd;
    a.token = c->token;
    a.status = (int8_t)status;
    a.t_device_us = now_us(fw);
    a.echo = echo;
    send_frame(fw, pkt_ack_frame(&a, fw->wire, sizeof fw->wire));
}

/* The oldest block sequence number still in the resend ring (== seq when
 * the ring is empty). */
static uint32_t ring_oldest(const struct fw_core *fw)
{
    return fw->seq - fw->ring_fill;
}

/* The slot holding block s, or NULL when s is not (or no longer) held. */
static const struct fw_resend_slot *ring_find(const struct fw_core *fw, uint32_t s)
{
    uint32_t age = fw->seq - s; /* 1 = the newest block built */
    if (age == 0 || age > fw->ring_fill)
        return NULL;
    const struct fw_resend_slot *slot = &fw->ring[s % fw->ring_slots];
    /* The payload starts with its sequence number (LE): a slot reused at
     * the 2^32 wrap, where s % ring_slots jumps, is not mistaken. */
    if (slot->len < 4 || ((uint32_t)slot->payload[0] | (uint32_t)slot->payload[1] << 8 |
                          (uint32_t)slot->payload[2] << 16 | (uint32_t)slot->payload[3] << 24) != s)
        return NULL;
    return slot;
}

/* Frame the pending block (1..FW_BLOCK_SAMPLES samples), keep it in the
 * resend ring and start a new one.  The sequence number advances even when
 * the link refuses the frame, so the host sees the block missing and can
 * ask for it again; the device counts its samples as dropped. */
static void flush_block(struct fw_core *fw)
{
    if (fw->block.n == 0)
        return;
    uint8_t payload[FW_RESEND_SLOT_BYTES];
    size_t pn = pkt_samples_encode(&fw->block, payload, sizeof payload);
    size_t len = pn ? frame_encode(PKT_SAMPLES, payload, pn, fw->wire, sizeof fw->wire) : 0;
    if (fw->ring_slots > 0 && pn > 0) {
        struct fw_resend_slot *slot = &fw->ring[fw->seq % fw->ring_slots];
        memcpy(slot->payload, payload, pn);
        slot->len = (uint8_t)pn;
        if (fw->ring_fill < fw->ring_slots)
            fw->ring_fill++;
    }
    if (!send_frame(fw, len))
        fw->dropped_samples += fw->block.n;
    fw->seq++;
    fw->block.n = 0;
}

/* CMD_RESEND: every block of [first, first + count) still held goes out
 * again as PKT_RESENT, in order, before the ACK.  ACK_GONE when one of
 * them was not held (too old, or not built yet); the ACK's echo tells the
 * host which blocks can still come (pkt_resend_echo). */
static int cmd_resend(struct fw_core *fw, uint32_t first, uint64_t count)
{
    if (count == 0 || count > PKT_RESEND_MAX)
        return ACK_BAD_ARG;
    int status = ACK_OK;
    for (uint32_t k = 0; k < (uint32_t)count; k++) {
        const struct fw_resend_slot *slot = ring_find(fw, first + k);
        if (slot == NULL) {
            fw->resend_gone++;
            status = ACK_GONE;
            continue;
        }
        size_t len = frame_encode(PKT_RESENT, slot->payload, slot->len, fw->wire, sizeof fw->wire);
        /* A full tx queue refuses the resend: the host asks again.  It is
         * not a sample the device dropped, so no FAULT_TX_OVERFLOW. */
        if (len > 0 && fw->hal->tx_write(fw->hal->ctx, fw->wire, len) == len)
            fw->resent++;
    }
    return status;
}

static int cmd_start(struct fw_core *fw)
{
    if (fw->streaming)
        return ACK_OK; /* idempotent: the host may repeat a START whose ACK it lost */
    if (fw->hal->sampling_set(fw->hal->ctx, fw->rate_hz) != 0)
        return ACK_BAD_STATE;
    fw->streaming = true;
    fw->samples_total = 0;
    fw->block.n = 0;
    fw->faults &= ~(uint32_t)CORE_FAULTS;
    fw->next_status_us = now_us(fw) + FW_STATUS_PERIOD_US;
    return ACK_OK;
}

static int cmd_stop(struct fw_core *fw)
{
    if (!fw->streaming)
        return ACK_OK;
    fw->hal->sampling_set(fw->hal->ctx, 0);
    fw->streaming = false;
    /* The partial block goes out before the ACK: once the host holds the
     * ACK it has every sample taken. */
    flush_block(fw);
    return ACK_OK;
}

static int cmd_set_rate(struct fw_core *fw, uint32_t rate_hz)
{
    if (fw->streaming)
        return ACK_BAD_STATE;
    if (rate_hz < FW_RATE_MIN_HZ || rate_hz > FW_RATE_MAX_HZ)
        return ACK_BAD_ARG;
    fw->rate_hz = rate_hz;
    return ACK_OK;
}

static int cmd_metronome(struct fw_core *fw, uint32_t spm_x100)
{
    if (fw->hal->metronome == NULL)
        return ACK_UNSUPPORTED;
    if (spm_x100 > METRONOME_MAX_SPM_X100)
        return ACK_BAD_ARG;
    fw->hal->metronome(fw->hal->ctx, spm_x100);
    return ACK_OK;
}

static void handle_cmd(struct fw_core *fw, const struct pkt_cmd *c)
{
    switch (c->cmd) {
    case CMD_START:
        send_ack(fw, c, cmd_start(fw), 0);
        break;
    case CMD_STOP: {
        int st = cmd_stop(fw); /* flushes the block first */
        send_ack(fw, c, st, pkt_resend_echo(ring_oldest(fw), fw->seq));
        break;
    }
    case CMD_RESEND: {
        int st = cmd_resend(fw, c->arg, c->arg64);
        send_ack(fw, c, st, pkt_resend_echo(ring_oldest(fw), fw->seq));
        break;
    }
    case CMD_SET_RATE:
        send_ack(fw, c, cmd_set_rate(fw, c->arg), 0);
        break;
    case CMD_IDENTIFY:
        send_ack(fw, c, ACK_OK, 0);
        send_hello(fw);
        break;
    case CMD_PING:
        send_ack(fw, c, ACK_OK, c->arg64);
        break;
    case CMD_METRONOME:
        send_ack(fw, c, cmd_metronome(fw, c->arg), 0);
        break;
    default:
        send_ack(fw, c, ACK_UNSUPPORTED, 0);
        break;
    }
}

void fw_core_init(struct fw_core *fw, const struct fw_hal *hal, const struct fw_identity *id)
{
    memset(fw, 0, sizeof *fw);
    fw->hal = hal;
    fw->id = *id;
    fw->id.serial[PKT_SERIAL_LEN] = '\0';
    frame_decoder_init(&fw->rx);
    fw->rate_hz = FW_RATE_DEFAULT_HZ;
    fw->streaming = false;
    fw->seq = 0;
}

void fw_core_set_resend_ring(struct fw_core *fw, struct fw_resend_slot *slots, uint32_t n)
{
    fw->ring = n > 0 ? slots : NULL;
    fw->ring_slots = fw->ring ? n : 0;
    fw->ring_fill = 0;
    for (uint32_t i = 0; i < fw->ring_slots; i++)
        fw->ring[i].len = 0;
}

void fw_core_boot(struct fw_core *fw)
{
    send_hello(fw);
}

void fw_core_rx(struct fw_core *fw, const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (frame_decoder_push(&fw->rx, buf[i]) != FRAME_OK)
            continue;
        struct pkt_cmd c;
        /* Only commands travel host -> device; anything else is ignored. */
        if (fw->rx.type == PKT_CMD && pkt_cmd_decode(fw->rx.payload, fw->rx.payload_len, &c) == 0)
            handle_cmd(fw, &c);
    }
}

void fw_core_sample(struct fw_core *fw, const struct pkt_sample *s, uint64_t t_us)
{
    if (!fw->streaming)
        return;
    struct pkt_samples *b = &fw->block;
    if (b->n == 0) {
        b->seq = fw->seq;
        b->t_first_us = t_us;
        b->rate_hz = (uint16_t)fw->rate_hz;
    }
    struct pkt_sample *d = &b->s[b->n];
    /* The ADC cannot exceed 24 bits; clamp anyway so one bad reading never
     * makes the encoder refuse a whole block. */
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        int32_t v = s->cell[i];
        d->cell[i] = v < CELL_MIN ? (int32_t)CELL_MIN : v > CELL_MAX ? (int32_t)CELL_MAX : v;
    }
    for (unsigned i = 0; i < PKT_IMU; i++)
        d->imu[i] = s->imu[i];
    b->n++;
    fw->samples_total++;
    if (b->n >= FW_BLOCK_SAMPLES)
        flush_block(fw);
}

void fw_core_poll(struct fw_core *fw)
{
    if (!fw->streaming)
        return;
    uint64_t t = now_us(fw);
    if (t < fw->next_status_us)
        return;
    send_status(fw, t);
    fw->next_status_us += FW_STATUS_PERIOD_US;
    /* After a long stall do not send a burst of catch-up STATUS packets. */
    if (fw->next_status_us <= t)
        fw->next_status_us = t + FW_STATUS_PERIOD_US;
}

void fw_core_set_faults(struct fw_core *fw, uint32_t faults)
{
    fw->faults = (fw->faults & CORE_FAULTS) | (faults & ~(uint32_t)CORE_FAULTS);
}

void fw_core_count_overrun(struct fw_core *fw, uint32_t n)
{
    if (n == 0)
        return;
    fw->overruns += n;
    fw->faults |= FAULT_SAMPLE_LATE;
}

bool fw_core_streaming(const struct fw_core *fw)
{
    return fw->streaming;
}

uint32_t fw_core_rate_hz(const struct fw_core *fw)
{
    return fw->rate_hz;
}

uint32_t fw_core_resent(const struct fw_core *fw)
{
    return fw->resent;
}

uint32_t fw_core_resend_gone(const struct fw_core *fw)
{
    return fw->resend_gone;
}
