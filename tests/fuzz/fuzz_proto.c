/*
 * fuzz_proto.c - fuzz entry and seed corpus for the wire protocol.
 */
#include "fuzz_proto.h"

#include "frame.h"
#include "fw_core.h"
#include "packet.h"

#include <stdlib.h>
#include <string.h>

/* Bytes of each input also fed to the firmware core as host traffic. */
#define FUZZ_FW_MAX_INPUT 512u
/* Device frames up to this many wire bytes are decoded back in full. */
#define FUZZ_FULL_CHECK_MAX 100u

#define REQUIRE(c)                                                                                 \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

/* Decode a payload with the decoder of its type and every other decoder;
 * whatever is accepted must re-encode to exactly the same bytes. */
static void check_payload(const uint8_t *p, size_t n)
{
    static uint8_t re[FRAME_MAX_PAYLOAD];
    static struct pkt_samples s;
    struct pkt_hello h;
    struct pkt_status st;
    struct pkt_cmd c;
    struct pkt_ack a;
    if (pkt_hello_decode(p, n, &h) == 0) {
        REQUIRE(n == PKT_HELLO_SIZE);
        REQUIRE(h.serial[PKT_SERIAL_LEN] == '\0');
        REQUIRE(pkt_hello_encode(&h, re, sizeof re) == n && memcmp(re, p, n) == 0);
    }
    if (pkt_samples_decode(p, n, &s) == 0) {
        REQUIRE(s.n >= 1 && s.n <= PKT_MAX_BLOCK);
        for (unsigned j = 0; j < s.n; j++)
            for (unsigned i = 0; i < PKT_CELLS; i++)
                REQUIRE(s.s[j].cell[i] >= -8388608 && s.s[j].cell[i] <= 8388607);
        REQUIRE(pkt_samples_encode(&s, re, sizeof re) == n && memcmp(re, p, n) == 0);
    }
    if (pkt_status_decode(p, n, &st) == 0)
        REQUIRE(pkt_status_encode(&st, re, sizeof re) == n && memcmp(re, p, n) == 0);
    if (pkt_cmd_decode(p, n, &c) == 0)
        REQUIRE(pkt_cmd_encode(&c, re, sizeof re) == n && memcmp(re, p, n) == 0);
    if (pkt_ack_decode(p, n, &a) == 0) {
        REQUIRE(a.status <= ACK_OK && a.status >= ACK_GONE); /* the statuses protocol 2 knows */
        REQUIRE(pkt_ack_encode(&a, re, sizeof re) == n && memcmp(re, p, n) == 0);
    }
}

/* ---- a fake board for fw_core_rx: everything it sends must decode ---- */

struct fuzz_board {
    uint64_t now_us;
    struct frame_decoder out; /* host-side decoder of the device's output */
    int refuse;
};

static uint64_t board_now(void *ctx)
{
    struct fuzz_board *b = ctx;
    /* 20 ms per call: STATUS (1 s period) shows up within a short input. */
    return b->now_us += 20000;
}

static size_t board_tx(void *ctx, const uint8_t *buf, size_t n)
{
    struct fuzz_board *b = ctx;
    if (b->refuse)
        return 0;
    REQUIRE(n >= 2 && n <= FRAME_MAX_WIRE && buf[n - 1] == 0);
    REQUIRE(memchr(buf, 0, n - 1) == NULL);
    /* Replies to commands (ACK, HELLO, STATUS: short) are decoded in full;
     * SAMPLES frames come from the packetizer, which test_fwcore checks, and
     * decoding each would dominate the fuzzer's time. */
    if (n > FUZZ_FULL_CHECK_MAX)
        return n;
    size_t ok = 0;
    for (size_t i = 0; i < n; i++) {
        enum frame_result r = frame_decoder_push(&b->out, buf[i]);
        REQUIRE(r != FRAME_BAD);
        if (r == FRAME_OK) {
            ok++;
            check_payload(b->out.payload, b->out.payload_len);
        }
    }
    REQUIRE(ok == 1); /* exactly one whole frame per tx_write */
    return n;
}

static int board_sampling(void *ctx, uint32_t rate_hz)
{
    (void)ctx;
    return rate_hz <= FW_RATE_MAX_HZ ? 0 : -1;
}

static void board_metronome(void *ctx, uint32_t spm_x100)
{
    (void)ctx;
    REQUIRE(spm_x100 <= 30000u);
}

static void run_firmware(const uint8_t *data, size_t size)
{
    static struct fuzz_board board;
    static struct fw_core fw;
    static struct fw_hal hal;
    static struct fw_identity id;
    memset(&board, 0, sizeof board);
    frame_decoder_init(&board.out);
    hal.ctx = &board;
    hal.now_us = board_now;
    hal.tx_write = board_tx;
    hal.sampling_set = board_sampling;
    /* The first byte picks the board flavour: with or without metronome,
     * and a link that refuses everything. */
    uint8_t flavour = size ? data[0] : 0;
    hal.metronome = (flavour & 1) ? board_metronome : NULL;
    board.refuse = (flavour & 0x0E) == 0x0E;
    memset(&id, 0, sizeof id);
    memcpy(id.serial, "FUZZ", 4);
    fw_core_init(&fw, &hal, &id);
    fw_core_boot(&fw);

    /* Interleave: feed the input in chunks, sampling and polling between
     * them, so commands land in every state.  Samples are capped at a few
     * blocks per input: the packetizer is covered by test_fwcore, and
     * encoding many blocks would dominate the fuzzer's time. */
    struct pkt_sample s;
    memset(&s, 0, sizeof s);
    uint64_t t = 0;
    unsigned samples = 0;
    for (size_t i = 0; i < size;) {
        size_t chunk = 1 + data[i] % 32;
        if (chunk > size - i)
            chunk = size - i;
        fw_core_rx(&fw, data + i, chunk);
        i += chunk;
        s.cell[0] = (int32_t)(data[i - 1] * 65793); /* spans the 24-bit range */
        if (samples < 2 * FW_BLOCK_SAMPLES + 5) {
            fw_core_sample(&fw, &s, t);
            t += 1000;
            samples++;
        }
        fw_core_poll(&fw);
    }
    REQUIRE(board.out.frames_bad == 0);
    REQUIRE(fw_core_rate_hz(&fw) >= FW_RATE_MIN_HZ && fw_core_rate_hz(&fw) <= FW_RATE_MAX_HZ);
}

int fuzz_proto_input(const uint8_t *data, size_t size)
{
    static struct frame_decoder d;
    static uint8_t wire[FRAME_MAX_WIRE], raw[FRAME_MAX_RAW + 64];
    frame_decoder_init(&d);

    uint64_t ok = 0, bad = 0;
    for (size_t i = 0; i < size; i++) {
        enum frame_result r = frame_decoder_push(&d, data[i]);
        if (r == FRAME_BAD) {
            bad++;
            REQUIRE(d.last_bad != FRAME_BAD_NONE);
            REQUIRE(data[i] == 0);
        } else if (r == FRAME_OK) {
            ok++;
            REQUIRE(data[i] == 0);
            REQUIRE(d.payload_len <= FRAME_MAX_PAYLOAD);
            check_payload(d.payload, d.payload_len);
            /* The accepted frame re-frames to a frame that decodes again. */
            size_t w = frame_encode(d.type, d.payload, d.payload_len, wire, sizeof wire);
            REQUIRE(w > 0);
        } else {
            REQUIRE(r == FRAME_NEED_MORE);
        }
    }
    REQUIRE(d.frames_ok == ok && d.frames_bad == bad);
    REQUIRE(d.bytes_total == size && d.bytes_dropped <= size);
    REQUIRE(d.crc_errors <= d.frames_bad);

    /* The input as one COBS block: whatever decodes re-encodes losslessly. */
    size_t n = size < sizeof wire ? size : sizeof wire;
    long m = frame_cobs_decode(data, n, raw, sizeof raw);
    if (m >= 0) {
        static uint8_t enc[FRAME_MAX_WIRE + 64], back[FRAME_MAX_RAW + 64];
        size_t e = frame_cobs_encode(raw, (size_t)m, enc, sizeof enc);
        REQUIRE(e > 0 && memchr(enc, 0, e) == NULL);
        REQUIRE(frame_cobs_decode(enc, e, back, sizeof back) == m);
        REQUIRE(memcmp(back, raw, (size_t)m) == 0);
    }

    /* The input as raw payloads of every type. */
    check_payload(data, size);

    /* The input as a stream of sequence numbers. */
    struct pkt_seq_tracker t;
    pkt_seq_init(&t);
    for (size_t i = 0; i + 4 <= size && i < 256; i += 4) {
        uint32_t seq = (uint32_t)data[i] | (uint32_t)data[i + 1] << 8 |
                       (uint32_t)data[i + 2] << 16 | (uint32_t)data[i + 3] << 24;
        long r = pkt_seq_update(&t, seq);
        REQUIRE(r >= -1);
    }
    REQUIRE(t.gaps + t.restarts <= t.blocks);

    /* Commands are 22 wire bytes each: the first 512 bytes hold a long
     * enough session script, and capping keeps the fuzzer fast. */
    run_firmware(data, size < FUZZ_FW_MAX_INPUT ? size : FUZZ_FW_MAX_INPUT);
    return 0;
}

/* ---- seeds ---- */

struct seed_buf {
    uint8_t b[4 * FRAME_MAX_WIRE];
    size_t n;
};

static void add(struct seed_buf *s, const uint8_t *p, size_t n)
{
    if (n <= sizeof s->b - s->n) {
        memcpy(s->b + s->n, p, n);
        s->n += n;
    }
}

static size_t cmd_frame(uint8_t cmd, uint16_t token, uint32_t arg, uint64_t arg64, uint8_t *w)
{
    struct pkt_cmd c = {cmd, token, arg, arg64};
    return pkt_cmd_frame(&c, w, FRAME_MAX_WIRE);
}

int fuzz_proto_seeds(fuzz_seed_fn emit, void *ctx)
{
    static struct seed_buf s;
    static uint8_t w[FRAME_MAX_WIRE];
    static struct pkt_samples sm;
    int count = 0;

    struct pkt_hello h;
    memset(&h, 0, sizeof h);
    h.proto_version = PROTO_VERSION;
    memcpy(h.serial, "GC-SEED", 7);
    h.rate_hz = 1000;
    for (unsigned i = 0; i < PKT_CELLS; i++)
        h.channel_corner[i] = (uint8_t)i;
    h.cell_n_per_count = 1e-4f;
    emit(ctx, w, pkt_hello_frame(&h, w, sizeof w));
    count++;

    memset(&sm, 0, sizeof sm);
    sm.seq = 41;
    sm.t_first_us = 410000;
    sm.rate_hz = 1000;
    for (unsigned n = 1; n <= PKT_MAX_BLOCK; n += 31) {
        sm.n = (uint8_t)n;
        for (unsigned j = 0; j < n; j++)
            for (unsigned i = 0; i < PKT_CELLS; i++)
                sm.s[j].cell[i] = (int32_t)(j * 4 + i) * 1000 - 8000;
        emit(ctx, w, pkt_samples_frame(&sm, w, sizeof w));
        count++;
    }
    struct pkt_status st = {1000000, 1000, 2, 1, FAULT_ADC_CRC, 0};
    emit(ctx, w, pkt_status_frame(&st, w, sizeof w));
    count++;
    struct pkt_ack a = {CMD_PING, 7, ACK_OK, 5, 6};
    emit(ctx, w, pkt_ack_frame(&a, w, sizeof w));
    count++;

    /* Every command, alone and as a session script. */
    const uint8_t cmds[] = {CMD_START, CMD_STOP,      CMD_SET_RATE, CMD_IDENTIFY,
                            CMD_PING,  CMD_METRONOME, 0x99};
    s.n = 0;
    for (size_t k = 0; k < sizeof cmds; k++) {
        size_t n = cmd_frame(cmds[k], (uint16_t)k, cmds[k] == CMD_SET_RATE ? 500 : 17200,
                             0x1122334455667788ull, w);
        emit(ctx, w, n);
        count++;
        add(&s, w, n);
    }
    emit(ctx, s.b, s.n);
    count++;

    /* START, SET_RATE while streaming, STOP, SET_RATE, START, with a garbage
     * burst and an idle zero in between. */
    s.n = 0;
    static const uint8_t junk[] = {0x31, 0xFF, 0x02, 0x00, 0x00, 0x17};
    add(&s, w, cmd_frame(CMD_START, 1, 0, 0, w));
    add(&s, w, cmd_frame(CMD_SET_RATE, 2, 2000, 0, w));
    add(&s, junk, sizeof junk);
    add(&s, (const uint8_t[]){0}, 1);
    add(&s, w, cmd_frame(CMD_STOP, 3, 0, 0, w));
    add(&s, w, cmd_frame(CMD_SET_RATE, 4, 2000, 0, w));
    add(&s, w, cmd_frame(CMD_START, 5, 0, 0, w));
    emit(ctx, s.b, s.n);
    count++;

    /* A maximal frame and an overlong run. */
    static uint8_t big[FRAME_MAX_PAYLOAD];
    memset(big, 0xA5, sizeof big);
    emit(ctx, w, frame_encode(0x7E, big, sizeof big, w, sizeof w));
    count++;
    s.n = 0;
    memset(s.b, 0x5A, FRAME_MAX_WIRE + 3);
    s.b[FRAME_MAX_WIRE + 3] = 0;
    emit(ctx, s.b, FRAME_MAX_WIRE + 4);
    count++;
    /* COBS edge cases and an empty frame. */
    emit(ctx, (const uint8_t[]){0x00, 0x00, 0x01, 0x00}, 4);
    count++;
    return count;
}
