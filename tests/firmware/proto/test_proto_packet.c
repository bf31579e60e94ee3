/*
 * test_proto_packet - payload encoders/decoders, exact byte layouts, field
 * validation, the *_frame helpers and the SAMPLES sequence tracker.
 *
 * Round trips use the extremes of every field: 24-bit cell min/max,
 * int16 min/max, 64-bit times near 2^64, 32-bit counters at 2^32 - 1.
 */
#include "check.h"
#include "frame.h"
#include "packet.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

static uint32_t f32_bits(float f)
{
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

static float bits_f32(uint32_t b)
{
    float f;
    memcpy(&f, &b, sizeof f);
    return f;
}

static void fill_hello(struct pkt_hello *h, int variant)
{
    memset(h, 0, sizeof *h);
    h->proto_version = variant ? 255 : PROTO_VERSION;
    h->fw_major = variant ? 255 : 0;
    h->fw_minor = 7;
    h->fw_patch = variant ? 0 : 255;
    if (variant)
        memcpy(h->serial, "ABCDEFGHIJKLMNOP", 16); /* exactly PKT_SERIAL_LEN */
    else
        strcpy(h->serial, "GC-1");
    h->rate_hz = variant ? 65535 : 500;
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        h->channel_corner[i] = (uint8_t)(variant ? 3 - i : i);
        h->cell_x_mm[i] = (int16_t)(i % 2 ? INT16_MAX : INT16_MIN);
        h->cell_y_mm[i] = (int16_t)(i % 2 ? -1 : 1);
    }
    h->cell_n_per_count = variant ? bits_f32(0x00000001u) /* smallest denormal */ : 1.25e-4f;
    h->accel_g_per_lsb = variant ? -INFINITY : 1.0f / 2048.0f;
    h->gyro_dps_per_lsb = variant ? bits_f32(0x7FC12345u) /* NaN with payload */ : 1.0f / 16.4f;
    h->faults = variant ? 0xFFFFFFFFu : 0;
    h->streaming = variant != 0;
}

static void test_hello(void)
{
    for (int v = 0; v < 2; v++) {
        struct pkt_hello h, g;
        fill_hello(&h, v);
        uint8_t buf[PKT_HELLO_SIZE + 4];
        CHECK_EQ(pkt_hello_encode(&h, buf, sizeof buf), PKT_HELLO_SIZE);
        CHECK_EQ(pkt_hello_encode(&h, buf, PKT_HELLO_SIZE - 1), 0);
        memset(&g, 0xA5, sizeof g);
        CHECK_EQ(pkt_hello_decode(buf, PKT_HELLO_SIZE, &g), 0);
        CHECK_EQ(g.proto_version, h.proto_version);
        CHECK_EQ(g.fw_major, h.fw_major);
        CHECK_EQ(g.fw_minor, h.fw_minor);
        CHECK_EQ(g.fw_patch, h.fw_patch);
        CHECK(strcmp(g.serial, h.serial) == 0);
        CHECK_EQ(g.serial[PKT_SERIAL_LEN], 0);
        CHECK_EQ(g.rate_hz, h.rate_hz);
        for (unsigned i = 0; i < PKT_CELLS; i++) {
            CHECK_EQ(g.channel_corner[i], h.channel_corner[i]);
            CHECK_EQ(g.cell_x_mm[i], h.cell_x_mm[i]);
            CHECK_EQ(g.cell_y_mm[i], h.cell_y_mm[i]);
        }
        /* Floats travel as bit patterns: NaN payloads and denormals survive. */
        CHECK_EQ(f32_bits(g.cell_n_per_count), f32_bits(h.cell_n_per_count));
        CHECK_EQ(f32_bits(g.accel_g_per_lsb), f32_bits(h.accel_g_per_lsb));
        CHECK_EQ(f32_bits(g.gyro_dps_per_lsb), f32_bits(h.gyro_dps_per_lsb));
        CHECK_EQ(g.faults, h.faults);
        CHECK_EQ(g.streaming, h.streaming);
        /* Wrong lengths. */
        CHECK_EQ(pkt_hello_decode(buf, PKT_HELLO_SIZE - 1, &g), -1);
        CHECK_EQ(pkt_hello_decode(buf, PKT_HELLO_SIZE + 1, &g), -1);
    }

    /* Byte layout (offsets in docs/protocol.md). */
    struct pkt_hello h;
    fill_hello(&h, 0);
    uint8_t b[PKT_HELLO_SIZE];
    pkt_hello_encode(&h, b, sizeof b);
    CHECK_EQ(b[0], PROTO_VERSION);
    CHECK(memcmp(b + 4, "GC-1\0\0\0\0\0\0\0\0\0\0\0\0", 16) == 0);
    CHECK_EQ(b[20], 500 & 0xFF);
    CHECK_EQ(b[21], 500 >> 8);
    CHECK_EQ(b[22], 0);
    CHECK_EQ(b[25], 3);
    CHECK_EQ(b[26], 0x00); /* cell_x_mm[0] = INT16_MIN = 0x8000 LE */
    CHECK_EQ(b[27], 0x80);
    CHECK_EQ(b[28], 0xFF); /* cell_x_mm[1] = INT16_MAX = 0x7FFF LE */
    CHECK_EQ(b[29], 0x7F);
    CHECK_EQ(b[34], 1);    /* cell_y_mm[0] = 1 */
    CHECK_EQ(b[36], 0xFF); /* cell_y_mm[1] = -1 */
    CHECK_EQ(b[37], 0xFF);
    uint32_t fb = f32_bits(h.cell_n_per_count);
    CHECK_EQ(b[42], fb & 0xFF);
    CHECK_EQ(b[45], fb >> 24);
    CHECK_EQ(b[58], 0);

    /* Validation. */
    struct pkt_hello g;
    uint8_t bad[PKT_HELLO_SIZE];
    memcpy(bad, b, sizeof b);
    bad[58] = 2; /* streaming must be 0 or 1 */
    CHECK_EQ(pkt_hello_decode(bad, sizeof bad, &g), -1);
    memcpy(bad, b, sizeof b);
    bad[24] = 4; /* corner enum is 0..3 */
    CHECK_EQ(pkt_hello_decode(bad, sizeof bad, &g), -1);
    memcpy(bad, b, sizeof b);
    bad[4 + 10] = 'X'; /* text after the serial's NUL padding began */
    CHECK_EQ(pkt_hello_decode(bad, sizeof bad, &g), -1);
    h.channel_corner[2] = 4;
    CHECK_EQ(pkt_hello_encode(&h, b, sizeof b), 0);
    /* A serial without a NUL within 16 chars is cut at 16. */
    fill_hello(&h, 0);
    memset(h.serial, 'Z', sizeof h.serial);
    CHECK_EQ(pkt_hello_encode(&h, b, sizeof b), PKT_HELLO_SIZE);
    CHECK_EQ(pkt_hello_decode(b, sizeof b, &g), 0);
    CHECK_EQ(strlen(g.serial), 16);
}

static void test_samples(void)
{
    static struct pkt_samples s, g;
    static uint8_t buf[PKT_SAMPLES_HEADER + PKT_MAX_BLOCK * PKT_SAMPLE_BYTES + 8];
    const uint8_t ns[] = {1, 10, PKT_MAX_BLOCK};
    const int32_t cells[] = {-8388608, 8388607, -1, 0, 1, 0x123456, -0x123456};
    const int16_t imus[] = {INT16_MIN, INT16_MAX, -1, 0, 1, 12345};
    for (size_t k = 0; k < sizeof ns; k++) {
        memset(&s, 0, sizeof s);
        s.seq = k == 0 ? UINT32_MAX : (uint32_t)k;
        s.t_first_us = k == 0 ? UINT64_MAX : (k == 1 ? 0 : 0x8000000000000001ull);
        s.rate_hz = k == 2 ? 2000 : 1;
        s.n = ns[k];
        for (unsigned j = 0; j < s.n; j++) {
            for (unsigned i = 0; i < PKT_CELLS; i++)
                s.s[j].cell[i] = cells[(j + i) % 7];
            for (unsigned i = 0; i < PKT_IMU; i++)
                s.s[j].imu[i] = imus[(j * 3 + i) % 6];
        }
        size_t len = PKT_SAMPLES_HEADER + s.n * PKT_SAMPLE_BYTES;
        CHECK_EQ(pkt_samples_encode(&s, buf, sizeof buf), len);
        CHECK_EQ(pkt_samples_encode(&s, buf, len - 1), 0);
        memset(&g, 0x5A, sizeof g);
        CHECK_EQ(pkt_samples_decode(buf, len, &g), 0);
        CHECK_EQ(g.seq, s.seq);
        CHECK(g.t_first_us == s.t_first_us);
        CHECK_EQ(g.rate_hz, s.rate_hz);
        CHECK_EQ(g.n, s.n);
        int diff = 0;
        for (unsigned j = 0; j < s.n; j++) {
            for (unsigned i = 0; i < PKT_CELLS; i++)
                diff += g.s[j].cell[i] != s.s[j].cell[i];
            for (unsigned i = 0; i < PKT_IMU; i++)
                diff += g.s[j].imu[i] != s.s[j].imu[i];
        }
        CHECK_EQ(diff, 0);
        CHECK_EQ(pkt_samples_decode(buf, len - 1, &g), -1);
        CHECK_EQ(pkt_samples_decode(buf, len + 1, &g), -1);
    }

    /* Exact bytes: header and the 24-bit cells. */
    memset(&s, 0, sizeof s);
    s.seq = 0x04030201u;
    s.t_first_us = 0x0C0B0A0908070605ull;
    s.rate_hz = 1000;
    s.n = 1;
    s.s[0].cell[0] = -8388608; /* 0x800000 */
    s.s[0].cell[1] = 8388607;  /* 0x7FFFFF */
    s.s[0].cell[2] = -1;
    s.s[0].cell[3] = 0x123456;
    s.s[0].imu[0] = INT16_MIN;
    s.s[0].imu[5] = -2;
    const uint8_t want[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A,
                            0x0B, 0x0C, 0xE8, 0x03, 0x01, 0x00, 0x00, 0x80, 0xFF, 0xFF,
                            0x7F, 0xFF, 0xFF, 0xFF, 0x56, 0x34, 0x12, 0x00, 0x80, 0x00,
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFE, 0xFF};
    CHECK_EQ(sizeof want, PKT_SAMPLES_HEADER + PKT_SAMPLE_BYTES);
    CHECK_EQ(pkt_samples_encode(&s, buf, sizeof buf), sizeof want);
    CHECK(memcmp(buf, want, sizeof want) == 0);

    /* Encoder refuses out-of-range fields. */
    s.n = 0;
    CHECK_EQ(pkt_samples_encode(&s, buf, sizeof buf), 0);
    s.n = PKT_MAX_BLOCK + 1;
    CHECK_EQ(pkt_samples_encode(&s, buf, sizeof buf), 0);
    s.n = 1;
    s.s[0].cell[2] = 8388608;
    CHECK_EQ(pkt_samples_encode(&s, buf, sizeof buf), 0);
    s.s[0].cell[2] = -8388609;
    CHECK_EQ(pkt_samples_encode(&s, buf, sizeof buf), 0);

    /* Decoder refuses n == 0, n > 32, rate 0, short headers. */
    uint8_t b2[sizeof want];
    memcpy(b2, want, sizeof want);
    b2[14] = 0;
    CHECK_EQ(pkt_samples_decode(b2, PKT_SAMPLES_HEADER, &g), -1);
    b2[14] = PKT_MAX_BLOCK + 1;
    static uint8_t big[PKT_SAMPLES_HEADER + (PKT_MAX_BLOCK + 1) * PKT_SAMPLE_BYTES];
    memcpy(big, b2, PKT_SAMPLES_HEADER);
    CHECK_EQ(pkt_samples_decode(big, sizeof big, &g), -1);
    memcpy(b2, want, sizeof want);
    b2[12] = b2[13] = 0;
    CHECK_EQ(pkt_samples_decode(b2, sizeof b2, &g), -1);
    for (size_t n = 0; n < PKT_SAMPLES_HEADER; n++)
        CHECK_EQ(pkt_samples_decode(want, n, &g), -1);
}

static void test_status_cmd_ack(void)
{
    uint8_t b[64];
    /* STATUS */
    struct pkt_status st = {UINT64_MAX, UINT32_MAX, 0x11223344u, 7, 0x80000001u, 3}, sg;
    CHECK_EQ(pkt_status_encode(&st, b, sizeof b), PKT_STATUS_SIZE);
    CHECK_EQ(pkt_status_encode(&st, b, PKT_STATUS_SIZE - 1), 0);
    CHECK_EQ(pkt_status_decode(b, PKT_STATUS_SIZE, &sg), 0);
    CHECK(sg.t_us == UINT64_MAX);
    CHECK_EQ(sg.samples_total, UINT32_MAX);
    CHECK_EQ(sg.dropped_samples, 0x11223344u);
    CHECK_EQ(sg.overruns, 7);
    CHECK_EQ(sg.faults, 0x80000001u);
    CHECK_EQ(sg.reset_reason, 3);
    CHECK_EQ(b[12], 0x44);
    CHECK_EQ(b[15], 0x11);
    CHECK_EQ(b[24], 3);
    CHECK_EQ(pkt_status_decode(b, PKT_STATUS_SIZE - 1, &sg), -1);
    b[24] = 4;
    CHECK_EQ(pkt_status_decode(b, PKT_STATUS_SIZE, &sg), -1);
    st.reset_reason = 4;
    CHECK_EQ(pkt_status_encode(&st, b, sizeof b), 0);

    /* CMD: exact bytes. */
    struct pkt_cmd c = {CMD_PING, 0x1234, 0xA1B2C3D4u, 0x0102030405060708ull}, cg;
    const uint8_t want_cmd[] = {0x05, 0x34, 0x12, 0xD4, 0xC3, 0xB2, 0xA1, 0x08,
                                0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01};
    CHECK_EQ(pkt_cmd_encode(&c, b, sizeof b), PKT_CMD_SIZE);
    CHECK(memcmp(b, want_cmd, sizeof want_cmd) == 0);
    CHECK_EQ(pkt_cmd_decode(b, PKT_CMD_SIZE, &cg), 0);
    CHECK_EQ(cg.cmd, CMD_PING);
    CHECK_EQ(cg.token, 0x1234);
    CHECK_EQ(cg.arg, 0xA1B2C3D4u);
    CHECK(cg.arg64 == 0x0102030405060708ull);
    CHECK_EQ(pkt_cmd_decode(b, PKT_CMD_SIZE + 1, &cg), -1);
    /* Unknown command numbers decode (the device answers ACK_UNSUPPORTED). */
    struct pkt_cmd cx = {0xFF, UINT16_MAX, UINT32_MAX, UINT64_MAX};
    CHECK_EQ(pkt_cmd_encode(&cx, b, sizeof b), PKT_CMD_SIZE);
    CHECK_EQ(pkt_cmd_decode(b, PKT_CMD_SIZE, &cg), 0);
    CHECK_EQ(cg.cmd, 0xFF);
    CHECK_EQ(cg.token, UINT16_MAX);
    CHECK(cg.arg64 == UINT64_MAX);
    CHECK_EQ(pkt_cmd_encode(&cx, b, PKT_CMD_SIZE - 1), 0);

    /* ACK: every status, exact bytes of one. */
    const int statuses[] = {ACK_OK, ACK_BAD_ARG, ACK_BAD_STATE, ACK_UNSUPPORTED};
    for (int k = 0; k < 4; k++) {
        struct pkt_ack a = {CMD_SET_RATE, 0xBEEF, (int8_t)statuses[k], UINT64_MAX - 1, 0}, ag;
        CHECK_EQ(pkt_ack_encode(&a, b, sizeof b), PKT_ACK_SIZE);
        CHECK_EQ(pkt_ack_decode(b, PKT_ACK_SIZE, &ag), 0);
        CHECK_EQ(ag.status, statuses[k]);
        CHECK_EQ(ag.cmd, CMD_SET_RATE);
        CHECK_EQ(ag.token, 0xBEEF);
        CHECK(ag.t_device_us == UINT64_MAX - 1);
        CHECK(ag.echo == 0);
        CHECK_EQ(b[3], (uint8_t)statuses[k]);
    }
    struct pkt_ack a = {CMD_PING, 1, ACK_OK, 0x1122334455667788ull, UINT64_MAX}, ag;
    const uint8_t want_ack[] = {0x05, 0x01, 0x00, 0x00, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33,
                                0x22, 0x11, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    CHECK_EQ(pkt_ack_encode(&a, b, sizeof b), PKT_ACK_SIZE);
    CHECK(memcmp(b, want_ack, sizeof want_ack) == 0);
    CHECK_EQ(pkt_ack_encode(&a, b, PKT_ACK_SIZE - 1), 0);
    b[3] = 1; /* statuses are 0..-4 (protocol 2 added ACK_GONE) */
    CHECK_EQ(pkt_ack_decode(b, PKT_ACK_SIZE, &ag), -1);
    b[3] = 0xFC; /* -4: ACK_GONE */
    CHECK_EQ(pkt_ack_decode(b, PKT_ACK_SIZE, &ag), 0);
    CHECK_EQ(ag.status, ACK_GONE);
    b[3] = 0xFB; /* -5 */
    CHECK_EQ(pkt_ack_decode(b, PKT_ACK_SIZE, &ag), -1);
    a.status = -5;
    CHECK_EQ(pkt_ack_encode(&a, b, sizeof b), 0);
    a.status = 1;
    CHECK_EQ(pkt_ack_encode(&a, b, sizeof b), 0);
}

/* The *_frame helpers produce frames the decoder returns with the right
 * type and a payload the matching decoder accepts. */
static void test_frame_helpers(void)
{
    static struct frame_decoder d;
    static uint8_t w[FRAME_MAX_WIRE];
    frame_decoder_init(&d);

    struct pkt_hello h, hg;
    fill_hello(&h, 1);
    size_t n = pkt_hello_frame(&h, w, sizeof w);
    CHECK(n > PKT_HELLO_SIZE + 5);
    int ok = 0;
    for (size_t i = 0; i < n; i++)
        ok += frame_decoder_push(&d, w[i]) == FRAME_OK;
    CHECK_EQ(ok, 1);
    CHECK_EQ(d.type, PKT_HELLO);
    CHECK_EQ(pkt_hello_decode(d.payload, d.payload_len, &hg), 0);
    CHECK(strcmp(hg.serial, h.serial) == 0);

    static struct pkt_samples s, sg;
    memset(&s, 0, sizeof s);
    s.n = PKT_MAX_BLOCK;
    s.rate_hz = 2000;
    for (unsigned j = 0; j < s.n; j++)
        s.s[j].cell[0] = -8388608; /* lots of zero bytes: worst COBS density */
    n = pkt_samples_frame(&s, w, sizeof w);
    CHECK(n > 0 && n <= FRAME_MAX_WIRE);
    ok = 0;
    for (size_t i = 0; i < n; i++)
        ok += frame_decoder_push(&d, w[i]) == FRAME_OK;
    CHECK_EQ(ok, 1);
    CHECK_EQ(d.type, PKT_SAMPLES);
    CHECK_EQ(pkt_samples_decode(d.payload, d.payload_len, &sg), 0);
    CHECK_EQ(sg.n, PKT_MAX_BLOCK);
    CHECK_EQ(sg.s[31].cell[0], -8388608);
    /* Too small an output buffer and invalid packets give 0. */
    CHECK_EQ(pkt_samples_frame(&s, w, n - 1), 0);
    s.n = 0;
    CHECK_EQ(pkt_samples_frame(&s, w, sizeof w), 0);

    struct pkt_status st = {1, 2, 3, 4, 5, 1};
    struct pkt_cmd c = {CMD_START, 9, 0, 0};
    struct pkt_ack a = {CMD_START, 9, ACK_BAD_STATE, 77, 0};
    size_t ns = pkt_status_frame(&st, w, sizeof w);
    ok = 0;
    for (size_t i = 0; i < ns; i++)
        ok += frame_decoder_push(&d, w[i]) == FRAME_OK;
    CHECK_EQ(ok, 1);
    CHECK_EQ(d.type, PKT_STATUS);
    CHECK_EQ(d.payload_len, PKT_STATUS_SIZE);
    size_t nc = pkt_cmd_frame(&c, w, sizeof w);
    ok = 0;
    for (size_t i = 0; i < nc; i++)
        ok += frame_decoder_push(&d, w[i]) == FRAME_OK;
    CHECK_EQ(ok, 1);
    CHECK_EQ(d.type, PKT_CMD);
    CHECK_EQ(d.payload_len, PKT_CMD_SIZE);
    size_t na = pkt_ack_frame(&a, w, sizeof w);
    ok = 0;
    for (size_t i = 0; i < na; i++)
        ok += frame_decoder_push(&d, w[i]) == FRAME_OK;
    CHECK_EQ(ok, 1);
    CHECK_EQ(d.type, PKT_ACK);
    struct pkt_ack ag;
    CHECK_EQ(pkt_ack_decode(d.payload, d.payload_len, &ag), 0);
    CHECK_EQ(ag.status, ACK_BAD_STATE);
    a.status = 5;
    CHECK_EQ(pkt_ack_frame(&a, w, sizeof w), 0);
}

static void test_sign_extend(void)
{
    CHECK_EQ(pkt_sign_extend24(0x000000u), 0);
    CHECK_EQ(pkt_sign_extend24(0x7FFFFFu), 8388607);
    CHECK_EQ(pkt_sign_extend24(0x800000u), -8388608);
    CHECK_EQ(pkt_sign_extend24(0xFFFFFFu), -1);
    CHECK_EQ(pkt_sign_extend24(0xFF000001u), 1); /* bits above 24 are ignored */
}

static void test_seq(void)
{
    struct pkt_seq_tracker t;
    pkt_seq_init(&t);
    /* The first block sets the expectation, whatever its number. */
    CHECK_EQ(pkt_seq_update(&t, 1000), 0);
    long lost = 0;
    for (uint32_t s = 1001; s < 1100; s++)
        lost += pkt_seq_update(&t, s);
    CHECK_EQ(lost, 0);
    CHECK_EQ(t.gaps, 0);
    CHECK_EQ(t.blocks, 100);

    /* Gap: 1100 and 1101 missing. */
    CHECK_EQ(pkt_seq_update(&t, 1102), 2);
    CHECK_EQ(pkt_seq_update(&t, 1103), 0);
    CHECK_EQ(t.gaps, 1);
    CHECK_EQ(t.lost_blocks, 2);

    /* Restart: back to 0. */
    CHECK_EQ(pkt_seq_update(&t, 0), -1);
    CHECK_EQ(t.restarts, 1);
    CHECK_EQ(pkt_seq_update(&t, 1), 0);
    CHECK_EQ(t.gaps, 1);
    /* Restart whose first blocks were lost: a jump backwards. */
    CHECK_EQ(pkt_seq_update(&t, 2), 0);
    CHECK_EQ(pkt_seq_update(&t, 3), 0);
    pkt_seq_update(&t, 500);
    CHECK_EQ(t.lost_blocks, 2 + 496);
    CHECK_EQ(pkt_seq_update(&t, 4), -1);
    CHECK_EQ(t.restarts, 2);

    /* Wraparound at 2^32 is contiguous... */
    pkt_seq_init(&t);
    CHECK_EQ(pkt_seq_update(&t, 0xFFFFFFFEu), 0);
    CHECK_EQ(pkt_seq_update(&t, 0xFFFFFFFFu), 0);
    CHECK_EQ(pkt_seq_update(&t, 0), 0);
    CHECK_EQ(pkt_seq_update(&t, 1), 0);
    CHECK_EQ(t.gaps, 0);
    CHECK_EQ(t.restarts, 0);
    /* ... and a loss across it counts the right blocks (0xFFFFFFFF, 0, 1). */
    pkt_seq_init(&t);
    pkt_seq_update(&t, 0xFFFFFFFDu);
    pkt_seq_update(&t, 0xFFFFFFFEu);
    CHECK_EQ(pkt_seq_update(&t, 2), 3);
    CHECK_EQ(t.lost_blocks, 3);
    CHECK_EQ(t.restarts, 0);
    /* seq 0 after a non-zero expectation is a restart by definition. */
    CHECK_EQ(pkt_seq_update(&t, 0), -1);
    CHECK_EQ(t.blocks, 4);
}

int main(void)
{
    test_hello();
    test_samples();
    test_status_cmd_ack();
    test_frame_helpers();
    test_sign_extend();
    test_seq();
    return check_exit();
}
