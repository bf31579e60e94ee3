/*
 * test_fwcore - the firmware core driven through a fake HAL.
 *
 * The fake HAL captures every byte the core transmits; the test decodes
 * them back with the station-side frame decoder and packet decoders, so
 * every assertion is about what a host would actually receive.  The clock
 * is a variable the test sets.
 */
#include "check.h"
#include "fw_core.h"

#include <stdio.h>
#include <string.h>

struct fake_hal {
    uint64_t now_us;
    bool refuse_tx;
    int sampling_fail;
    uint32_t sampling_rate; /* last rate passed to sampling_set */
    int sampling_calls;
    uint32_t metronome_spm_x100;
    int metronome_calls;
    size_t tx_calls;
    uint8_t tx[1u << 20];
    size_t tx_len;
};

static uint64_t fake_now(void *ctx)
{
    return ((struct fake_hal *)ctx)->now_us;
}

static size_t fake_tx(void *ctx, const uint8_t *buf, size_t n)
{
    struct fake_hal *f = ctx;
    f->tx_calls++;
    if (f->refuse_tx || f->tx_len + n > sizeof f->tx)
        return 0;
    memcpy(f->tx + f->tx_len, buf, n);
    f->tx_len += n;
    return n;
}

static int fake_sampling(void *ctx, uint32_t rate_hz)
{
    struct fake_hal *f = ctx;
    f->sampling_calls++;
    if (f->sampling_fail)
        return -1;
    f->sampling_rate = rate_hz;
    return 0;
}

static void fake_metronome(void *ctx, uint32_t spm_x100)
{
    struct fake_hal *f = ctx;
    f->metronome_calls++;
    f->metronome_spm_x100 = spm_x100;
}

/* One decoded packet from the captured stream. */
struct rx_pkt {
    uint8_t type;
    union {
        struct pkt_hello hello;
        struct pkt_samples samples;
        struct pkt_status status;
        struct pkt_ack ack;
    } u;
};

#define MAX_PKTS 2000
static struct rx_pkt pkts[MAX_PKTS];
static struct frame_decoder host_dec;
static size_t host_read; /* bytes of fake.tx already decoded */
static int decode_errors;

static struct fake_hal fake;
static struct fw_hal hal;
static struct fw_core fw;
static struct fw_identity ident;

/* Decode everything transmitted since the last call; returns the count. */
static int take(void)
{
    int n = 0;
    for (; host_read < fake.tx_len; host_read++) {
        enum frame_result r = frame_decoder_push(&host_dec, fake.tx[host_read]);
        if (r == FRAME_BAD)
            decode_errors++;
        if (r != FRAME_OK)
            continue;
        if (n >= MAX_PKTS) {
            decode_errors++;
            continue;
        }
        struct rx_pkt *p = &pkts[n];
        p->type = host_dec.type;
        int rc = -1;
        switch (host_dec.type) {
        case PKT_HELLO:
            rc = pkt_hello_decode(host_dec.payload, host_dec.payload_len, &p->u.hello);
            break;
        case PKT_SAMPLES:
        case PKT_RESENT:
            rc = pkt_samples_decode(host_dec.payload, host_dec.payload_len, &p->u.samples);
            break;
        case PKT_STATUS:
            rc = pkt_status_decode(host_dec.payload, host_dec.payload_len, &p->u.status);
            break;
        case PKT_ACK:
            rc = pkt_ack_decode(host_dec.payload, host_dec.payload_len, &p->u.ack);
            break;
        }
        if (rc != 0)
            decode_errors++;
        n++;
    }
    return n;
}

static void send_cmd(uint8_t cmd, uint16_t token, uint32_t arg, uint64_t arg64)
{
    struct pkt_cmd c = {cmd, token, arg, arg64};
    uint8_t w[FRAME_MAX_WIRE];
    size_t n = pkt_cmd_frame(&c, w, sizeof w);
    fw_core_rx(&fw, w, n);
}

/* Check that pkts[i] is an ACK for cmd/token with the given status. */
static void check_ack(int i, uint8_t cmd, uint16_t token, int status)
{
    CHECK_EQ(pkts[i].type, PKT_ACK);
    CHECK_EQ(pkts[i].u.ack.cmd, cmd);
    CHECK_EQ(pkts[i].u.ack.token, token);
    CHECK_EQ(pkts[i].u.ack.status, status);
    CHECK(pkts[i].u.ack.t_device_us == fake.now_us);
}

static void setup(bool with_metronome)
{
    memset(&fake, 0, sizeof fake);
    fake.now_us = 5000;
    hal.ctx = &fake;
    hal.now_us = fake_now;
    hal.tx_write = fake_tx;
    hal.sampling_set = fake_sampling;
    hal.metronome = with_metronome ? fake_metronome : NULL;
    memset(&ident, 0, sizeof ident);
    strcpy(ident.serial, "SIM-000042");
    ident.fw_major = 0;
    ident.fw_minor = 3;
    ident.fw_patch = 9;
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        ident.channel_corner[i] = (uint8_t)(3 - i);
        ident.cell_x_mm[i] = (int16_t)(i % 2 ? 310 : -310);
        ident.cell_y_mm[i] = (int16_t)(i < 2 ? 720 : -720);
    }
    ident.cell_n_per_count = 2.5e-4f;
    ident.accel_g_per_lsb = 1.0f / 2048.0f;
    ident.gyro_dps_per_lsb = 1.0f / 16.4f;
    ident.reset_reason = 1;
    fw_core_init(&fw, &hal, &ident);
    frame_decoder_init(&host_dec);
    host_read = 0;
}

static struct pkt_sample make_sample(uint32_t k)
{
    struct pkt_sample s;
    for (unsigned i = 0; i < PKT_CELLS; i++)
        s.cell[i] = (int32_t)(k * 100 + i) - 400000;
    for (unsigned i = 0; i < PKT_IMU; i++)
        s.imu[i] = (int16_t)((int)(k % 1000) * (i % 2 ? -1 : 1) + (int)i);
    return s;
}

static void test_boot_hello(void)
{
    setup(false);
    CHECK_EQ(fake.tx_len, 0); /* init does not transmit */
    fw_core_boot(&fw);
    CHECK_EQ(take(), 1);
    const struct pkt_hello *h = &pkts[0].u.hello;
    CHECK_EQ(pkts[0].type, PKT_HELLO);
    CHECK_EQ(h->proto_version, PROTO_VERSION);
    CHECK(strcmp(h->serial, "SIM-000042") == 0);
    CHECK_EQ(h->fw_minor, 3);
    CHECK_EQ(h->fw_patch, 9);
    CHECK_EQ(h->rate_hz, FW_RATE_DEFAULT_HZ);
    CHECK_EQ(h->channel_corner[0], 3);
    CHECK_EQ(h->cell_x_mm[1], 310);
    CHECK_EQ(h->cell_y_mm[3], -720);
    CHECK(h->cell_n_per_count == 2.5e-4f);
    CHECK(h->gyro_dps_per_lsb == 1.0f / 16.4f);
    CHECK_EQ(h->faults, 0);
    CHECK(!h->streaming);
    CHECK(!fw_core_streaming(&fw));
    CHECK_EQ(fw_core_rate_hz(&fw), FW_RATE_DEFAULT_HZ);
    CHECK_EQ(fake.sampling_calls, 0);
}

static void test_blocks(void)
{
    setup(false);
    fw_core_boot(&fw);
    take();
    /* Samples before START are ignored. */
    struct pkt_sample s0 = make_sample(0);
    fw_core_sample(&fw, &s0, 1000);
    CHECK_EQ(fake.tx_len, host_read);

    send_cmd(CMD_START, 11, 0, 0);
    CHECK_EQ(take(), 1);
    check_ack(0, CMD_START, 11, ACK_OK);
    CHECK(fw_core_streaming(&fw));
    CHECK_EQ(fake.sampling_rate, 1000);

    /* 25 samples at 1 kHz: two full blocks, then STOP flushes 5. */
    const uint64_t t0 = 7000000;
    for (uint32_t k = 0; k < 25; k++) {
        struct pkt_sample s = make_sample(k);
        if (k == 3)
            s.cell[2] = 1 << 24; /* beyond 24 bits: clamped, never refused */
        if (k == 4)
            s.cell[1] = -(1 << 24);
        fw_core_sample(&fw, &s, t0 + k * 1000u);
    }
    CHECK_EQ(take(), 2);
    for (int b = 0; b < 2; b++) {
        const struct pkt_samples *p = &pkts[b].u.samples;
        CHECK_EQ(pkts[b].type, PKT_SAMPLES);
        CHECK_EQ(p->seq, b);
        CHECK_EQ(p->n, FW_BLOCK_SAMPLES);
        CHECK_EQ(p->rate_hz, 1000);
        CHECK(p->t_first_us == t0 + (uint64_t)b * 10000u);
        int diff = 0;
        for (unsigned j = 0; j < p->n; j++) {
            uint32_t k = (uint32_t)b * 10 + j;
            struct pkt_sample want = make_sample(k);
            if (k == 3)
                want.cell[2] = 8388607;
            if (k == 4)
                want.cell[1] = -8388608;
            diff += memcmp(p->s[j].cell, want.cell, sizeof want.cell) != 0;
            diff += memcmp(p->s[j].imu, want.imu, sizeof want.imu) != 0;
        }
        CHECK_EQ(diff, 0);
    }
    fake.now_us = 7030000;
    send_cmd(CMD_STOP, 12, 0, 0);
    CHECK_EQ(take(), 2);
    /* The partial block comes before the ACK. */
    CHECK_EQ(pkts[0].type, PKT_SAMPLES);
    CHECK_EQ(pkts[0].u.samples.seq, 2);
    CHECK_EQ(pkts[0].u.samples.n, 5);
    CHECK(pkts[0].u.samples.t_first_us == t0 + 20000u);
    CHECK_EQ(pkts[0].u.samples.s[4].cell[0], make_sample(24).cell[0]);
    check_ack(1, CMD_STOP, 12, ACK_OK);
    CHECK(!fw_core_streaming(&fw));
    CHECK_EQ(fake.sampling_rate, 0);

    /* Stopped again: samples ignored, STOP is idempotent and sends no block. */
    fw_core_sample(&fw, &s0, 8000000);
    send_cmd(CMD_STOP, 13, 0, 0);
    CHECK_EQ(take(), 1);
    check_ack(0, CMD_STOP, 13, ACK_OK);

    /* A new START continues the sequence (seq restarts only on boot). */
    send_cmd(CMD_START, 14, 0, 0);
    for (uint32_t k = 0; k < 10; k++)
        fw_core_sample(&fw, &s0, 9000000 + k * 1000u);
    CHECK_EQ(take(), 2);
    check_ack(0, CMD_START, 14, ACK_OK);
    CHECK_EQ(pkts[1].u.samples.seq, 3);
    /* START while streaming: OK, nothing reset. */
    send_cmd(CMD_START, 15, 0, 0);
    CHECK_EQ(take(), 1);
    check_ack(0, CMD_START, 15, ACK_OK);
    CHECK_EQ(fake.sampling_calls, 3); /* start, stop, start */
    CHECK_EQ(decode_errors, 0);
}

static void test_set_rate(void)
{
    setup(false);
    send_cmd(CMD_SET_RATE, 1, 499, 0);
    send_cmd(CMD_SET_RATE, 2, 2001, 0);
    send_cmd(CMD_SET_RATE, 3, 0, 0);
    send_cmd(CMD_SET_RATE, 4, 500, 0);
    CHECK_EQ(take(), 4);
    check_ack(0, CMD_SET_RATE, 1, ACK_BAD_ARG);
    check_ack(1, CMD_SET_RATE, 2, ACK_BAD_ARG);
    check_ack(2, CMD_SET_RATE, 3, ACK_BAD_ARG);
    check_ack(3, CMD_SET_RATE, 4, ACK_OK);
    CHECK_EQ(fw_core_rate_hz(&fw), 500);
    send_cmd(CMD_SET_RATE, 5, 2000, 0);
    CHECK_EQ(take(), 1);
    check_ack(0, CMD_SET_RATE, 5, ACK_OK);
    CHECK_EQ(fw_core_rate_hz(&fw), 2000);

    send_cmd(CMD_START, 6, 0, 0);
    CHECK_EQ(fake.sampling_rate, 2000);
    /* While streaming: refused (even an in-range rate), rate unchanged. */
    send_cmd(CMD_SET_RATE, 7, 1000, 0);
    send_cmd(CMD_SET_RATE, 8, 5, 0);
    CHECK_EQ(take(), 3);
    check_ack(1, CMD_SET_RATE, 7, ACK_BAD_STATE);
    check_ack(2, CMD_SET_RATE, 8, ACK_BAD_STATE);
    CHECK_EQ(fw_core_rate_hz(&fw), 2000);
    struct pkt_sample s = make_sample(1);
    for (uint32_t k = 0; k < 10; k++)
        fw_core_sample(&fw, &s, 100 + k * 500u);
    CHECK_EQ(take(), 1);
    CHECK_EQ(pkts[0].u.samples.rate_hz, 2000);

    /* IDENTIFY: ACK then HELLO with the current state. */
    send_cmd(CMD_IDENTIFY, 9, 0, 0);
    CHECK_EQ(take(), 2);
    check_ack(0, CMD_IDENTIFY, 9, ACK_OK);
    CHECK_EQ(pkts[1].type, PKT_HELLO);
    CHECK_EQ(pkts[1].u.hello.rate_hz, 2000);
    CHECK(pkts[1].u.hello.streaming);

    /* START refused by the board's sample clock. */
    setup(false);
    fake.sampling_fail = 1;
    send_cmd(CMD_START, 10, 0, 0);
    CHECK_EQ(take(), 1);
    check_ack(0, CMD_START, 10, ACK_BAD_STATE);
    CHECK(!fw_core_streaming(&fw));
    CHECK_EQ(decode_errors, 0);
}

static void test_ping_metronome_unknown(void)
{
    setup(false);
    fake.now_us = 0x0123456789ABCDEFull;
    send_cmd(CMD_PING, 0xFFFF, 0, 0xFEDCBA9876543210ull);
    send_cmd(CMD_METRONOME, 2, 17200, 0);
    send_cmd(0x7F, 3, 0, 0);
    send_cmd(0, 4, 0, 0);
    CHECK_EQ(take(), 4);
    check_ack(0, CMD_PING, 0xFFFF, ACK_OK);
    CHECK(pkts[0].u.ack.echo == 0xFEDCBA9876543210ull);
    check_ack(1, CMD_METRONOME, 2, ACK_UNSUPPORTED); /* hardware: no metronome hook */
    CHECK(pkts[1].u.ack.echo == 0);
    check_ack(2, 0x7F, 3, ACK_UNSUPPORTED);
    check_ack(3, 0, 4, ACK_UNSUPPORTED);

    setup(true);
    send_cmd(CMD_METRONOME, 5, 17200, 0);
    send_cmd(CMD_METRONOME, 6, 30001, 0);
    send_cmd(CMD_METRONOME, 7, 0, 0);
    CHECK_EQ(take(), 3);
    check_ack(0, CMD_METRONOME, 5, ACK_OK);
    check_ack(1, CMD_METRONOME, 6, ACK_BAD_ARG);
    check_ack(2, CMD_METRONOME, 7, ACK_OK);
    CHECK_EQ(fake.metronome_calls, 2);
    CHECK_EQ(fake.metronome_spm_x100, 0);
    CHECK_EQ(decode_errors, 0);
}

static void test_rx_robustness(void)
{
    setup(false);
    /* Garbage, then a command split into single bytes, then a HELLO sent to
     * the device (ignored: only commands travel host -> device). */
    const uint8_t junk[] = {0x13, 0x00, 0xFF, 0xFE, 0x01, 0x00, 0x00, 0x42};
    fw_core_rx(&fw, junk, sizeof junk);
    fw_core_rx(&fw, (const uint8_t[]){0x00}, 1);
    struct pkt_cmd c = {CMD_PING, 77, 0, 123};
    uint8_t w[FRAME_MAX_WIRE];
    size_t n = pkt_cmd_frame(&c, w, sizeof w);
    for (size_t i = 0; i < n; i++)
        fw_core_rx(&fw, &w[i], 1);
    struct pkt_hello h;
    memset(&h, 0, sizeof h);
    n = pkt_hello_frame(&h, w, sizeof w);
    fw_core_rx(&fw, w, n);
    /* A CMD frame whose payload has the wrong length is ignored. */
    const uint8_t short_cmd[3] = {CMD_START, 1, 0};
    n = frame_encode(PKT_CMD, short_cmd, sizeof short_cmd, w, sizeof w);
    fw_core_rx(&fw, w, n);
    CHECK_EQ(take(), 1);
    check_ack(0, CMD_PING, 77, ACK_OK);
    CHECK(pkts[0].u.ack.echo == 123);
    CHECK(!fw_core_streaming(&fw));
}

static void test_tx_refusal_and_faults(void)
{
    setup(false);
    fake.now_us = 0;
    send_cmd(CMD_START, 1, 0, 0);
    take();
    struct pkt_sample s = make_sample(5);
    uint64_t t = 0;
    for (int k = 0; k < 10; k++, t += 1000)
        fw_core_sample(&fw, &s, t);
    fake.refuse_tx = true;
    size_t before = fake.tx_calls;
    for (int k = 0; k < 10; k++, t += 1000)
        fw_core_sample(&fw, &s, t);
    CHECK_EQ(fake.tx_calls, before + 1); /* the block was offered once */
    fake.refuse_tx = false;
    for (int k = 0; k < 10; k++, t += 1000)
        fw_core_sample(&fw, &s, t);
    fw_core_set_faults(&fw, FAULT_IMU_ABSENT);
    fw_core_count_overrun(&fw, 2);
    fake.now_us = FW_STATUS_PERIOD_US;
    fw_core_poll(&fw);
    CHECK_EQ(take(), 3);
    CHECK_EQ(pkts[0].u.samples.seq, 0);
    CHECK_EQ(pkts[1].u.samples.seq, 2); /* seq 1 was refused: the host sees a gap */
    struct pkt_seq_tracker tr;
    pkt_seq_init(&tr);
    pkt_seq_update(&tr, pkts[0].u.samples.seq);
    CHECK_EQ(pkt_seq_update(&tr, pkts[1].u.samples.seq), 1);
    CHECK_EQ(pkts[2].type, PKT_STATUS);
    const struct pkt_status *st = &pkts[2].u.status;
    CHECK_EQ(st->dropped_samples, 10);
    CHECK_EQ(st->samples_total, 30);
    CHECK_EQ(st->overruns, 2);
    CHECK_EQ(st->faults, FAULT_TX_OVERFLOW | FAULT_SAMPLE_LATE | FAULT_IMU_ABSENT);
    CHECK_EQ(st->reset_reason, 1);

    /* The board clears its own bits, not the core's. */
    fw_core_set_faults(&fw, 0);
    send_cmd(CMD_IDENTIFY, 2, 0, 0);
    CHECK_EQ(take(), 2);
    CHECK_EQ(pkts[1].u.hello.faults, FAULT_TX_OVERFLOW | FAULT_SAMPLE_LATE);
    /* STOP + START clears the core's sticky bits; counters since boot stay. */
    send_cmd(CMD_STOP, 3, 0, 0);
    fw_core_set_faults(&fw, FAULT_ADC_CRC);
    send_cmd(CMD_START, 4, 0, 0);
    fake.now_us += FW_STATUS_PERIOD_US;
    fw_core_poll(&fw);
    int n = take();
    CHECK_EQ(n, 3);
    CHECK_EQ(pkts[2].type, PKT_STATUS);
    CHECK_EQ(pkts[2].u.status.faults, FAULT_ADC_CRC);
    CHECK_EQ(pkts[2].u.status.dropped_samples, 10);
    CHECK_EQ(pkts[2].u.status.samples_total, 0);

    /* A refused ACK is a dropped frame too. */
    send_cmd(CMD_STOP, 5, 0, 0);
    take();
    fake.refuse_tx = true;
    send_cmd(CMD_PING, 6, 0, 1);
    fake.refuse_tx = false;
    send_cmd(CMD_IDENTIFY, 7, 0, 0);
    CHECK_EQ(take(), 2);
    check_ack(0, CMD_IDENTIFY, 7, ACK_OK);
    CHECK_EQ(pkts[1].u.hello.faults & FAULT_TX_OVERFLOW, FAULT_TX_OVERFLOW);
    CHECK_EQ(decode_errors, 0);
}

static void test_status_cadence(void)
{
    setup(false);
    fake.now_us = 250000;
    /* Stopped: no STATUS however long we poll. */
    for (int k = 0; k < 3000; k++, fake.now_us += 1000)
        fw_core_poll(&fw);
    CHECK_EQ(take(), 0);
    fake.now_us = 1000000;
    send_cmd(CMD_START, 1, 0, 0);
    take();
    /* Poll every 1 ms for 3.5 s: STATUS at +1 s, +2 s, +3 s exactly. */
    const uint64_t t_start = fake.now_us;
    struct pkt_sample s = make_sample(0);
    int statuses = 0, wrong_t = 0;
    uint32_t samples = 0;
    for (int k = 0; k <= 3500; k++) {
        fake.now_us = t_start + (uint64_t)k * 1000u;
        fw_core_sample(&fw, &s, fake.now_us);
        samples++;
        fw_core_poll(&fw);
        int n = take();
        for (int i = 0; i < n; i++) {
            if (pkts[i].type != PKT_STATUS)
                continue;
            statuses++;
            if (pkts[i].u.status.t_us != t_start + (uint64_t)statuses * FW_STATUS_PERIOD_US)
                wrong_t++;
            if (pkts[i].u.status.samples_total != samples)
                wrong_t++;
        }
    }
    CHECK_EQ(statuses, 3);
    CHECK_EQ(wrong_t, 0);

    /* A 5 s stall yields one STATUS, not a burst of five, and the cadence
     * continues from the stall. */
    fake.now_us += 5 * FW_STATUS_PERIOD_US;
    fw_core_poll(&fw);
    fw_core_poll(&fw);
    CHECK_EQ(take(), 1);
    CHECK_EQ(pkts[0].type, PKT_STATUS);
    uint64_t t_stall = fake.now_us;
    fake.now_us = t_stall + FW_STATUS_PERIOD_US - 1;
    fw_core_poll(&fw);
    CHECK_EQ(take(), 0);
    fake.now_us = t_stall + FW_STATUS_PERIOD_US;
    fw_core_poll(&fw);
    CHECK_EQ(take(), 1);

    /* After STOP: none. */
    send_cmd(CMD_STOP, 2, 0, 0);
    take();
    fake.now_us += 10 * FW_STATUS_PERIOD_US;
    fw_core_poll(&fw);
    CHECK_EQ(take(), 0);
    CHECK_EQ(decode_errors, 0);
}

/* The resend ring (protocol 2): blocks kept whatever the link did with
 * them, sent again as PKT_RESENT on CMD_RESEND, before the ACK; blocks no
 * longer (or not yet) held answered ACK_GONE; the echo names the ring. */
static void test_resend(void)
{
    static struct fw_resend_slot ring[5];
    setup(false);
    fw_core_set_resend_ring(&fw, ring, 5);
    fw_core_boot(&fw);
    take();
    send_cmd(CMD_START, 1, 0, 0);
    take();
    /* 8 blocks; blocks 2 and 3 refused by the link (a stall) */
    for (uint32_t k = 0; k < 8 * FW_BLOCK_SAMPLES; k++) {
        fake.refuse_tx = k / FW_BLOCK_SAMPLES == 2 || k / FW_BLOCK_SAMPLES == 3;
        struct pkt_sample s = make_sample(k);
        fw_core_sample(&fw, &s, 1000u * k);
    }
    fake.refuse_tx = false;
    CHECK_EQ(take(), 6);
    /* ask for 2..4: the 5-block ring keeps 3..7, so 2 is gone */
    send_cmd(CMD_RESEND, 9, 2, 3);
    CHECK_EQ(take(), 3);
    CHECK_EQ(pkts[0].type, PKT_RESENT);
    CHECK_EQ(pkts[0].u.samples.seq, 3);
    CHECK_EQ(pkts[1].u.samples.seq, 4);
    /* the resent block is the original, sample for sample */
    struct pkt_sample want = make_sample(3 * FW_BLOCK_SAMPLES + 4);
    CHECK_EQ(pkts[0].u.samples.s[4].cell[2], want.cell[2]);
    CHECK_EQ(pkts[0].u.samples.s[4].imu[5], want.imu[5]);
    CHECK(pkts[0].u.samples.t_first_us == 1000u * 3 * FW_BLOCK_SAMPLES);
    check_ack(2, CMD_RESEND, 9, ACK_GONE); /* 2 fell out of the 5-block ring */
    CHECK(pkts[2].u.ack.echo == pkt_resend_echo(3, 8));
    /* all held: OK; not yet built: GONE; count 0 or > PKT_RESEND_MAX: BAD_ARG */
    send_cmd(CMD_RESEND, 10, 7, 1);
    send_cmd(CMD_RESEND, 11, 7, 2);
    send_cmd(CMD_RESEND, 12, 7, 0);
    send_cmd(CMD_RESEND, 13, 7, PKT_RESEND_MAX + 1);
    CHECK_EQ(take(), 6);
    CHECK_EQ(pkts[0].u.samples.seq, 7);
    check_ack(1, CMD_RESEND, 10, ACK_OK);
    CHECK_EQ(pkts[2].u.samples.seq, 7);
    check_ack(3, CMD_RESEND, 11, ACK_GONE);
    check_ack(4, CMD_RESEND, 12, ACK_BAD_ARG);
    check_ack(5, CMD_RESEND, 13, ACK_BAD_ARG);
    CHECK_EQ(fw_core_resent(&fw), 4);
    CHECK_EQ(fw_core_resend_gone(&fw), 2);
    /* STOP: partial block 8 first, then the ACK naming next = 9 */
    struct pkt_sample s = make_sample(999);
    fw_core_sample(&fw, &s, 999000);
    send_cmd(CMD_STOP, 14, 0, 0);
    CHECK_EQ(take(), 2);
    CHECK_EQ(pkts[0].u.samples.seq, 8);
    check_ack(1, CMD_STOP, 14, ACK_OK);
    CHECK(pkts[1].u.ack.echo == pkt_resend_echo(4, 9));
    /* the partial block is held too, at its own length */
    send_cmd(CMD_RESEND, 15, 8, 1);
    CHECK_EQ(take(), 2);
    CHECK_EQ(pkts[0].type, PKT_RESENT);
    CHECK_EQ(pkts[0].u.samples.n, 1);
    CHECK_EQ(pkts[0].u.samples.s[0].cell[0], s.cell[0]);
    /* without a ring every request is GONE, nothing is sent */
    setup(false);
    send_cmd(CMD_RESEND, 1, 0, 1);
    CHECK_EQ(take(), 1);
    check_ack(0, CMD_RESEND, 1, ACK_GONE);
    CHECK(pkts[0].u.ack.echo == pkt_resend_echo(0, 0));
    CHECK_EQ(decode_errors, 0);
}

int main(void)
{
    test_resend();
    test_boot_hello();
    test_blocks();
    test_set_rate();
    test_ping_metronome_unknown();
    test_rx_robustness();
    test_tx_refusal_and_faults();
    test_status_cadence();
    return check_exit();
}
