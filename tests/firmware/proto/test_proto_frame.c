/*
 * test_proto_frame - CRC-32, COBS and the byte-fed frame decoder.
 *
 * Covers: CRC check value and chaining, COBS reference vectors and edge
 * cases (empty, all zeros, 254/255-byte non-zero runs), encoder capacity
 * limits, every bad-frame reason, truncation of a frame of every packet
 * type at every byte, 10,000 frames with random bit flips at 1e-3 of the
 * bytes, and random garbage bursts between frames.  All randomness uses a
 * fixed-seed xorshift generator, so every count asserted below is exact.
 */
#include "check.h"
#include "frame.h"
#include "packet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

/* Bitwise CRC-32/ISO-HDLC, the definition the table must reproduce. */
static uint32_t crc_bitwise(const uint8_t *b, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= b[i];
        for (int k = 0; k < 8; k++)
            c = (c & 1u) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
    }
    return ~c;
}

static void test_crc(void)
{
    const uint8_t check[] = "123456789";
    /* The published check value of CRC-32/ISO-HDLC. */
    CHECK_EQ(frame_crc32(check, 9), 0xCBF43926u);
    CHECK_EQ(frame_crc32(check, 0), 0);
    CHECK_EQ(frame_crc32_update(frame_crc32(check, 4), check + 4, 5), 0xCBF43926u);

    uint8_t buf[300];
    int mismatches = 0;
    for (int t = 0; t < 200; t++) {
        size_t n = rng() % sizeof buf;
        for (size_t i = 0; i < n; i++)
            buf[i] = (uint8_t)rng();
        if (frame_crc32(buf, n) != crc_bitwise(buf, n))
            mismatches++;
        size_t cut = n ? rng() % n : 0;
        if (frame_crc32_update(frame_crc32(buf, cut), buf + cut, n - cut) != crc_bitwise(buf, n))
            mismatches++;
    }
    CHECK_EQ(mismatches, 0);
}

/* Encode src and compare with the expected COBS bytes, then decode back. */
static void cobs_vector(const uint8_t *src, size_t n, const uint8_t *want, size_t want_n)
{
    uint8_t enc[600], dec[600];
    size_t e = frame_cobs_encode(src, n, enc, sizeof enc);
    CHECK_EQ(e, want_n);
    CHECK(e == want_n && memcmp(enc, want, want_n) == 0);
    long d = frame_cobs_decode(enc, e, dec, sizeof dec);
    CHECK_EQ(d, (long)n);
    CHECK(d == (long)n && (n == 0 || memcmp(dec, src, n) == 0));
}

static void test_cobs_vectors(void)
{
    /* Reference vectors (Cheshire & Baker 1999; the Wikipedia COBS page). */
    {
        const uint8_t s[] = {0x00}, w[] = {0x01, 0x01};
        cobs_vector(s, sizeof s, w, sizeof w);
    }
    {
        const uint8_t s[] = {0x00, 0x00}, w[] = {0x01, 0x01, 0x01};
        cobs_vector(s, sizeof s, w, sizeof w);
    }
    {
        const uint8_t s[] = {0x00, 0x11, 0x00}, w[] = {0x01, 0x02, 0x11, 0x01};
        cobs_vector(s, sizeof s, w, sizeof w);
    }
    {
        const uint8_t s[] = {0x11, 0x22, 0x00, 0x33}, w[] = {0x03, 0x11, 0x22, 0x02, 0x33};
        cobs_vector(s, sizeof s, w, sizeof w);
    }
    {
        const uint8_t s[] = {0x11, 0x22, 0x33, 0x44}, w[] = {0x05, 0x11, 0x22, 0x33, 0x44};
        cobs_vector(s, sizeof s, w, sizeof w);
    }
    {
        const uint8_t s[] = {0x11, 0x00, 0x00, 0x00}, w[] = {0x02, 0x11, 0x01, 0x01, 0x01};
        cobs_vector(s, sizeof s, w, sizeof w);
    }
    /* Empty input: one block with no data. */
    {
        const uint8_t w[] = {0x01};
        cobs_vector(NULL, 0, w, sizeof w);
    }
    uint8_t s[300], w[320];
    /* 254 non-zero bytes: a full block (0xFF) and an empty last block. */
    for (int i = 0; i < 254; i++)
        s[i] = (uint8_t)(i + 1);
    w[0] = 0xFF;
    memcpy(w + 1, s, 254);
    w[255] = 0x01;
    cobs_vector(s, 254, w, 256);
    /* 255 non-zero bytes: full block, then a block with the last byte. */
    s[254] = 0xFF;
    w[255] = 0x02;
    w[256] = 0xFF;
    cobs_vector(s, 255, w, 257);
    /* 253 non-zero bytes fit one ordinary block. */
    w[0] = 0xFE;
    cobs_vector(s, 253, w, 254);
    /* A zero, then 254 non-zero bytes. */
    s[0] = 0;
    for (int i = 1; i < 255; i++)
        s[i] = (uint8_t)i;
    w[0] = 0x01;
    w[1] = 0xFF;
    memcpy(w + 2, s + 1, 254);
    w[256] = 0x01;
    cobs_vector(s, 255, w, 257);
    /* All zeros: every zero becomes a 0x01 block, plus the last block. */
    memset(s, 0, sizeof s);
    memset(w, 0x01, sizeof w);
    cobs_vector(s, 300, w, 301);
}

static void test_cobs_random(void)
{
    static uint8_t src[1200], enc[1300], dec[1200];
    int bad_rt = 0, bad_len = 0, zeros = 0, small_cap_accepted = 0;
    for (int t = 0; t < 400; t++) {
        size_t n = rng() % sizeof src;
        unsigned zero_pct = rng() % 4 == 0 ? 0 : rng() % 60; /* some all-non-zero buffers */
        for (size_t i = 0; i < n; i++)
            src[i] = (rng() % 100 < zero_pct) ? 0 : (uint8_t)(1 + rng() % 255);
        size_t e = frame_cobs_encode(src, n, enc, sizeof enc);
        if (e == 0 || e > n + n / 254 + 1)
            bad_len++;
        for (size_t i = 0; i < e; i++)
            zeros += enc[i] == 0;
        long d = frame_cobs_decode(enc, e, dec, sizeof dec);
        if (d != (long)n || memcmp(dec, src, n) != 0)
            bad_rt++;
        /* One byte less capacity must be refused, never overrun. */
        if (e > 0 && frame_cobs_encode(src, n, enc, e - 1) != 0)
            small_cap_accepted++;
        if (e > 0 && n > 0 && frame_cobs_decode(enc, e, dec, n - 1) != -1)
            small_cap_accepted++;
    }
    CHECK_EQ(bad_rt, 0);
    CHECK_EQ(bad_len, 0);
    CHECK_EQ(zeros, 0);
    CHECK_EQ(small_cap_accepted, 0);

    /* Malformed input. */
    const uint8_t past_end[] = {0x05, 0x11, 0x22};
    const uint8_t has_zero[] = {0x03, 0x11, 0x00};
    const uint8_t zero_code[] = {0x02, 0x11, 0x00, 0x22};
    CHECK_EQ(frame_cobs_decode(past_end, sizeof past_end, dec, sizeof dec), -1);
    CHECK_EQ(frame_cobs_decode(has_zero, sizeof has_zero, dec, sizeof dec), -1);
    CHECK_EQ(frame_cobs_decode(zero_code, sizeof zero_code, dec, sizeof dec), -1);
    CHECK_EQ(frame_cobs_decode(NULL, 0, dec, sizeof dec), 0);
    CHECK_EQ(frame_cobs_encode(src, 10, enc, 0), 0);
}

/* Push n bytes; count results; remember the last good frame. */
struct push_result {
    int ok, bad, need_more;
};

static struct push_result push_all(struct frame_decoder *d, const uint8_t *b, size_t n)
{
    struct push_result r = {0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        enum frame_result fr = frame_decoder_push(d, b[i]);
        if (fr == FRAME_OK)
            r.ok++;
        else if (fr == FRAME_BAD)
            r.bad++;
        else
            r.need_more++;
    }
    return r;
}

static void test_encode_decode(void)
{
    static uint8_t payload[FRAME_MAX_PAYLOAD + 1], wire[FRAME_MAX_WIRE + 8];
    static struct frame_decoder d;
    frame_decoder_init(&d);

    const size_t sizes[] = {0, 1, 2, 253, 254, 255, 600, FRAME_MAX_PAYLOAD};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k];
        for (size_t i = 0; i < n; i++)
            payload[i] = (uint8_t)(k & 1 ? 0xFF : rng()); /* all non-zero, or random */
        size_t w = frame_encode((uint8_t)(0x40 + k), payload, n, wire, sizeof wire);
        CHECK(w > 0 && w <= FRAME_MAX_WIRE);
        CHECK_EQ(wire[w - 1], 0);
        CHECK(memchr(wire, 0, w - 1) == NULL);
        /* Exactly enough capacity works; one byte less is refused. */
        uint8_t *exact = malloc(w);
        CHECK_EQ(frame_encode((uint8_t)(0x40 + k), payload, n, exact, w), w);
        CHECK_EQ(frame_encode((uint8_t)(0x40 + k), payload, n, exact, w - 1), 0);
        free(exact);

        struct push_result r = push_all(&d, wire, w);
        CHECK_EQ(r.ok, 1);
        CHECK_EQ(r.bad, 0);
        CHECK_EQ(d.type, 0x40 + k);
        CHECK_EQ(d.payload_len, n);
        CHECK(n == 0 || memcmp(d.payload, payload, n) == 0);
    }
    CHECK_EQ(d.frames_ok, sizeof sizes / sizeof sizes[0]);
    CHECK_EQ(d.frames_bad, 0);
    CHECK_EQ(d.bytes_dropped, 0);
    /* Payload too long. */
    CHECK_EQ(frame_encode(1, payload, FRAME_MAX_PAYLOAD + 1, wire, sizeof wire), 0);

    /* Empty frames (runs of delimiters) are skipped silently. */
    const uint8_t zeros[5] = {0};
    struct push_result r = push_all(&d, zeros, sizeof zeros);
    CHECK_EQ(r.need_more, 5);
    CHECK_EQ(d.frames_bad, 0);
}

static void test_bad_reasons(void)
{
    static struct frame_decoder d;
    static uint8_t wire[FRAME_MAX_WIRE + 64], raw[FRAME_MAX_RAW + 8];
    frame_decoder_init(&d);

    /* SHORT: four raw bytes (type + 3) cannot hold type and CRC. */
    const uint8_t short_raw[4] = {1, 2, 3, 4};
    size_t w = frame_cobs_encode(short_raw, sizeof short_raw, wire, sizeof wire);
    wire[w++] = 0;
    struct push_result r = push_all(&d, wire, w);
    CHECK_EQ(r.bad, 1);
    CHECK_EQ(d.last_bad, FRAME_BAD_SHORT);
    CHECK_EQ(d.bytes_dropped, w);

    /* COBS: a code byte pointing past the delimiter. */
    const uint8_t cobs_bad[] = {0x09, 0x11, 0x22, 0x00};
    r = push_all(&d, cobs_bad, sizeof cobs_bad);
    CHECK_EQ(r.bad, 1);
    CHECK_EQ(d.last_bad, FRAME_BAD_COBS);

    /* CRC: a valid frame with one payload bit changed before encoding. */
    const uint8_t pl[6] = {1, 2, 3, 4, 5, 6};
    w = frame_encode(7, pl, sizeof pl, wire, sizeof wire);
    long n = frame_cobs_decode(wire, w - 1, raw, sizeof raw);
    CHECK_EQ(n, 1 + 6 + 4);
    raw[3] ^= 0x10;
    w = frame_cobs_encode(raw, (size_t)n, wire, sizeof wire);
    wire[w++] = 0;
    r = push_all(&d, wire, w);
    CHECK_EQ(r.bad, 1);
    CHECK_EQ(d.last_bad, FRAME_BAD_CRC);
    CHECK_EQ(d.crc_errors, 1);

    /* OVERLONG (buffer): more than FRAME_MAX_WIRE bytes before a 0x00. */
    memset(wire, 0x55, FRAME_MAX_WIRE + 10);
    wire[FRAME_MAX_WIRE + 10] = 0;
    r = push_all(&d, wire, FRAME_MAX_WIRE + 11);
    CHECK_EQ(r.bad, 1);
    CHECK_EQ(r.ok, 0);
    CHECK_EQ(d.last_bad, FRAME_BAD_OVERLONG);

    /* OVERLONG (decoded): fits the wire buffer but decodes to more than
     * type + FRAME_MAX_PAYLOAD + CRC: four full 0xFF blocks (1016 bytes)
     * plus a block of 14 -> 1030 > FRAME_MAX_RAW = 1029. */
    size_t k = 0;
    for (int b = 0; b < 4; b++) {
        wire[k++] = 0xFF;
        for (int i = 0; i < 254; i++)
            wire[k++] = 0x77;
    }
    wire[k++] = 15;
    for (int i = 0; i < 14; i++)
        wire[k++] = 0x77;
    CHECK(k <= FRAME_MAX_WIRE); /* fits the wire buffer: not the raw-overlong path */
    wire[k++] = 0;
    r = push_all(&d, wire, k);
    CHECK_EQ(r.bad, 1);
    CHECK_EQ(d.last_bad, FRAME_BAD_OVERLONG);

    /* After all that, a good frame still decodes, and the counters add up. */
    w = frame_encode(7, pl, sizeof pl, wire, sizeof wire);
    r = push_all(&d, wire, w);
    CHECK_EQ(r.ok, 1);
    CHECK_EQ(d.frames_bad, 5);
    CHECK_EQ(d.crc_errors, 1);
    CHECK_EQ(d.frames_ok, 1);
    CHECK_EQ(d.last_bad, FRAME_BAD_OVERLONG); /* "last FRAME_BAD" survives a good frame */
    CHECK_EQ(d.bytes_total - d.bytes_dropped, w);
}

/* One frame of every packet type, with busy field values. */
static size_t build_frames(uint8_t frames[5][FRAME_MAX_WIRE], size_t len[5])
{
    struct pkt_hello h;
    memset(&h, 0, sizeof h);
    h.proto_version = PROTO_VERSION;
    h.fw_major = 1;
    h.fw_minor = 2;
    h.fw_patch = 3;
    strcpy(h.serial, "GC-0001");
    h.rate_hz = 1000;
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        h.channel_corner[i] = (uint8_t)i;
        h.cell_x_mm[i] = (int16_t)(i & 1 ? 300 : -300);
        h.cell_y_mm[i] = (int16_t)(i < 2 ? 700 : -700);
    }
    h.cell_n_per_count = 1.5e-4f;
    h.accel_g_per_lsb = 1.0f / 2048.0f;
    h.gyro_dps_per_lsb = 1.0f / 16.4f;
    len[0] = pkt_hello_frame(&h, frames[0], FRAME_MAX_WIRE);

    static struct pkt_samples s;
    s.seq = 77;
    s.t_first_us = 123456789;
    s.rate_hz = 1000;
    s.n = 10;
    for (unsigned j = 0; j < s.n; j++) {
        for (unsigned i = 0; i < PKT_CELLS; i++)
            s.s[j].cell[i] = (int32_t)(j * 1000 + i) - 5000;
        for (unsigned i = 0; i < PKT_IMU; i++)
            s.s[j].imu[i] = (int16_t)(j * 7 - i * 100);
    }
    len[1] = pkt_samples_frame(&s, frames[1], FRAME_MAX_WIRE);

    struct pkt_status st = {5000000, 5000, 3, 1, FAULT_TX_OVERFLOW, 0};
    len[2] = pkt_status_frame(&st, frames[2], FRAME_MAX_WIRE);
    struct pkt_cmd c = {CMD_PING, 42, 0, 987654321};
    len[3] = pkt_cmd_frame(&c, frames[3], FRAME_MAX_WIRE);
    struct pkt_ack a = {CMD_PING, 42, ACK_OK, 1000, 987654321};
    len[4] = pkt_ack_frame(&a, frames[4], FRAME_MAX_WIRE);
    return 5;
}

static void test_truncation(void)
{
    static uint8_t frames[5][FRAME_MAX_WIRE];
    size_t len[5];
    size_t nf = build_frames(frames, len);
    static struct frame_decoder d;
    int wrong = 0, total = 0;
    for (size_t f = 0; f < nf; f++) {
        CHECK(len[f] > 0);
        const uint8_t *fr = frames[f];
        size_t n = len[f];
        for (size_t k = 0; k + 1 < n; k++) {
            /* Tail cut: the first k bytes of the frame, then a delimiter. */
            frame_decoder_init(&d);
            struct push_result r = push_all(&d, fr, k);
            if (r.ok || r.bad || r.need_more != (int)k)
                wrong++;
            enum frame_result e = frame_decoder_push(&d, 0x00);
            if (e != (k == 0 ? FRAME_NEED_MORE : FRAME_BAD))
                wrong++;
            /* ... and the next intact frame decodes (resynchronised). */
            r = push_all(&d, fr, n);
            if (r.ok != 1 || r.bad != 0)
                wrong++;

            /* Head cut: the receiver joins mid-frame at byte k + 1. */
            frame_decoder_init(&d);
            r = push_all(&d, fr + k + 1, n - k - 1);
            if (r.ok != 0 || (n - k - 1 > 1 && r.bad != 1))
                wrong++;
            r = push_all(&d, fr, n);
            if (r.ok != 1)
                wrong++;

            /* Cut without a delimiter, the next frame runs into it: both
             * lost as one bad frame, the one after decodes. */
            if (k > 0) {
                frame_decoder_init(&d);
                push_all(&d, fr, k);
                r = push_all(&d, fr, n);
                if (r.ok != 0 || r.bad != 1)
                    wrong++;
                r = push_all(&d, fr, n);
                if (r.ok != 1)
                    wrong++;
            }
            total++;
        }
    }
    CHECK(total > 300);
    CHECK_EQ(wrong, 0);
}

/*
 * 10,000 frames, each byte flipped (one random bit) with probability 1e-3.
 * A frame owns its bytes including its trailing 0x00.  Expected survivors:
 * every frame with no flipped byte whose predecessor's delimiter is intact
 * (a damaged delimiter joins the two frames, which then fail the CRC
 * together; COBS cannot do better).  Decoded frames must be exactly those,
 * in order, byte for byte.
 */
#define NFRAMES 10000

static void test_bit_flips(void)
{
    static uint8_t frames[5][FRAME_MAX_WIRE];
    size_t len[5];
    build_frames(frames, len);

    size_t cap = (size_t)NFRAMES * 300;
    uint8_t *stream = malloc(cap);
    uint32_t *start = malloc(sizeof(uint32_t) * (NFRAMES + 1));
    uint8_t *kind = malloc(NFRAMES);
    uint8_t *flipped = calloc(NFRAMES, 1);
    size_t pos = 0;
    for (int i = 0; i < NFRAMES; i++) {
        /* Mostly SAMPLES (as on the live link), every type present. */
        unsigned k = rng() % 10;
        kind[i] = (uint8_t)(k < 6 ? 1 : k == 6 ? 0 : k - 5);
        if (kind[i] == 1) {
            /* Vary the samples frame so consecutive frames differ. */
            static struct pkt_samples s;
            s.seq = (uint32_t)i;
            s.t_first_us = (uint64_t)i * 10000u;
            s.rate_hz = 1000;
            s.n = (uint8_t)(1 + rng() % 12);
            for (unsigned j = 0; j < s.n; j++) {
                for (unsigned c = 0; c < PKT_CELLS; c++)
                    s.s[j].cell[c] = (int32_t)(rng() & 0xFFFFFF) - 0x800000;
                for (unsigned c = 0; c < PKT_IMU; c++)
                    s.s[j].imu[c] = (int16_t)(rng() & 0x7FFF);
            }
            start[i] = (uint32_t)pos;
            pos += pkt_samples_frame(&s, stream + pos, cap - pos);
        } else {
            start[i] = (uint32_t)pos;
            memcpy(stream + pos, frames[kind[i]], len[kind[i]]);
            pos += len[kind[i]];
        }
    }
    start[NFRAMES] = (uint32_t)pos;
    uint8_t *orig = malloc(pos);
    memcpy(orig, stream, pos);

    int nflips = 0;
    for (int i = 0; i < NFRAMES; i++)
        for (uint32_t b = start[i]; b < start[i + 1]; b++)
            if (rng() % 1000 == 0) {
                stream[b] ^= (uint8_t)(1u << (rng() % 8));
                flipped[i] = 1;
                nflips++;
            }
    int expect_ok = 0, damaged = 0, neighbours_ok = 0;
    for (int i = 0; i < NFRAMES; i++) {
        damaged += flipped[i];
        bool prev_delim_ok = i == 0 || stream[start[i] - 1] == 0;
        if (!flipped[i] && prev_delim_ok) {
            expect_ok++;
            if ((i > 0 && flipped[i - 1]) || (i + 1 < NFRAMES && flipped[i + 1]))
                neighbours_ok++;
        }
    }
    /* 1e-3 of ~1.4 MB: about 1,400 flips; the exact number is fixed by the seed. */
    fprintf(stderr, "bit flips: %d bytes flipped, %d of %d frames damaged, %d expected intact\n",
            nflips, damaged, NFRAMES, expect_ok);
    CHECK(nflips > 500);
    CHECK(damaged > 500);

    static struct frame_decoder d;
    frame_decoder_init(&d);
    int got_ok = 0, wrong = 0, next = 0;
    for (size_t b = 0; b < pos; b++) {
        if (frame_decoder_push(&d, stream[b]) != FRAME_OK)
            continue;
        got_ok++;
        /* Which frame ended here?  The one containing byte b. */
        while (next < NFRAMES && start[next + 1] <= b)
            next++;
        int i = next;
        bool prev_delim_ok = i == 0 || stream[start[i] - 1] == 0;
        if (i >= NFRAMES || flipped[i] || !prev_delim_ok || b != start[i + 1] - 1) {
            wrong++;
            continue;
        }
        /* Byte-exact against the original frame. */
        uint8_t re[FRAME_MAX_WIRE];
        size_t rl = frame_encode(d.type, d.payload, d.payload_len, re, sizeof re);
        if (rl != start[i + 1] - start[i] || memcmp(re, orig + start[i], rl) != 0)
            wrong++;
    }
    CHECK_EQ(got_ok, expect_ok);
    CHECK_EQ(wrong, 0);
    CHECK(neighbours_ok > 300); /* frames next to damaged ones survive */
    CHECK(d.crc_errors > 0);
    CHECK(d.frames_bad > 0);
    CHECK_EQ(d.frames_ok, expect_ok);
    free(stream);
    free(orig);
    free(start);
    free(kind);
    free(flipped);
}

/*
 * Random garbage bursts between frames.  Garbage that ends in a non-zero
 * byte runs into the next frame, which is then lost (at most one frame per
 * burst); garbage followed by a 0x00 costs nothing.  Long non-zero bursts
 * exercise the overlong path.  bytes_dropped must account for every byte
 * that was not part of a good frame or an empty frame.
 */
static void test_garbage(void)
{
    static uint8_t frames[5][FRAME_MAX_WIRE];
    size_t len[5];
    build_frames(frames, len);
    static struct frame_decoder d;
    frame_decoder_init(&d);

    int expect_ok = 0, got_ok = 0, wrong = 0, bursts = 0, overlong_bursts = 0;
    uint64_t good_bytes = 0, empty_delims = 0;
    uint8_t prev = 0;
    static uint8_t garbage[3000];
    for (int i = 0; i < 3000; i++) {
        bool lost_next = false;
        if (rng() % 3 == 0) {
            bursts++;
            size_t n;
            if (rng() % 20 == 0) {
                n = FRAME_MAX_WIRE + rng() % 1000; /* overlong, no zero */
                for (size_t k = 0; k < n; k++)
                    garbage[k] = (uint8_t)(1 + rng() % 255);
                overlong_bursts++;
            } else {
                n = 1 + rng() % 300;
                for (size_t k = 0; k < n; k++)
                    garbage[k] = (uint8_t)rng();
            }
            if (rng() % 2 == 0)
                garbage[n++] = 0; /* the link went idle: resync before the frame */
            lost_next = garbage[n - 1] != 0;
            for (size_t k = 0; k < n; k++) {
                if (garbage[k] == 0 && prev == 0)
                    empty_delims++;
                prev = garbage[k];
                if (frame_decoder_push(&d, garbage[k]) == FRAME_OK)
                    wrong++; /* random bytes passing a CRC-32: ~2^-32 per try */
            }
        }
        unsigned f = rng() % 5;
        for (size_t k = 0; k < len[f]; k++) {
            enum frame_result r = frame_decoder_push(&d, frames[f][k]);
            if (r == FRAME_OK) {
                got_ok++;
                good_bytes += len[f];
                if (k != len[f] - 1 || d.payload_len + 5 > len[f])
                    wrong++;
            }
        }
        prev = 0;
        if (!lost_next)
            expect_ok++;
    }
    CHECK(bursts > 900);
    CHECK(overlong_bursts > 20);
    CHECK_EQ(wrong, 0);
    CHECK_EQ(got_ok, expect_ok);
    CHECK_EQ(d.frames_ok, expect_ok);
    /* Every byte is in a good frame, a bad frame or an empty frame. */
    CHECK_EQ(d.bytes_total, good_bytes + d.bytes_dropped + empty_delims);
}

int main(void)
{
    test_crc();
    test_cobs_vectors();
    test_cobs_random();
    test_encode_decode();
    test_bad_reasons();
    test_truncation();
    test_bit_flips();
    test_garbage();
    return check_exit();
}
