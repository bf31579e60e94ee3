/*
 * test_proto_doc - the example frames in docs/protocol.md decode to the
 * values written above them.
 *
 * Doc format (section "Example frames"): for each example a line
 *
 *     decoded: type=ACK cmd=5 token=7 status=0 t_device_us=... echo=...
 *
 * followed by a fenced block with info string `frame` holding the wire
 * bytes as space-separated hex.  The test feeds the bytes to the frame
 * decoder (exactly one good frame, ending at the last byte), decodes the
 * payload with the packet decoder of its type, re-formats it with
 * format_packet() below and compares the text with the decoded: line.
 *
 *     test_proto_doc PATH/protocol.md     check the document
 *     test_proto_doc --print              print the examples (to paste)
 */
#include "check.h"
#include "frame.h"
#include "packet.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct text {
    char *s;
    size_t cap, len;
};

#if defined(__GNUC__)
#define PRINTF_LIKE __attribute__((format(printf, 2, 3)))
#else
#define PRINTF_LIKE
#endif

static void put(struct text *t, const char *fmt, ...) PRINTF_LIKE;
static void put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n < t->cap - t->len ? (size_t)n : t->cap - t->len - 1;
}

static void put_list_i(struct text *t, const char *name, const long *v, unsigned n)
{
    put(t, " %s=", name);
    for (unsigned i = 0; i < n; i++)
        put(t, i ? ",%ld" : "%ld", v[i]);
}

/* Canonical one-line text of a decoded packet; -1 if it does not decode. */
static int format_packet(uint8_t type, const uint8_t *p, size_t n, char *out, size_t cap)
{
    struct text t = {out, cap, 0};
    out[0] = '\0';
    long v[PKT_IMU];
    switch (type) {
    case PKT_HELLO: {
        struct pkt_hello h;
        if (pkt_hello_decode(p, n, &h) != 0)
            return -1;
        put(&t, "type=HELLO proto_version=%u fw=%u.%u.%u serial=%s rate_hz=%u", h.proto_version,
            h.fw_major, h.fw_minor, h.fw_patch, h.serial, h.rate_hz);
        for (unsigned i = 0; i < PKT_CELLS; i++)
            v[i] = h.channel_corner[i];
        put_list_i(&t, "channel_corner", v, PKT_CELLS);
        for (unsigned i = 0; i < PKT_CELLS; i++)
            v[i] = h.cell_x_mm[i];
        put_list_i(&t, "cell_x_mm", v, PKT_CELLS);
        for (unsigned i = 0; i < PKT_CELLS; i++)
            v[i] = h.cell_y_mm[i];
        put_list_i(&t, "cell_y_mm", v, PKT_CELLS);
        put(&t, " cell_n_per_count=%.9g accel_g_per_lsb=%.9g gyro_dps_per_lsb=%.9g",
            (double)h.cell_n_per_count, (double)h.accel_g_per_lsb, (double)h.gyro_dps_per_lsb);
        put(&t, " faults=0x%08x streaming=%d", (unsigned)h.faults, h.streaming ? 1 : 0);
        return 0;
    }
    case PKT_SAMPLES:
    case PKT_RESENT: {
        static struct pkt_samples s;
        if (pkt_samples_decode(p, n, &s) != 0)
            return -1;
        put(&t, "type=%s seq=%lu", type == PKT_RESENT ? "RESENT" : "SAMPLES", (unsigned long)s.seq);
        put(&t, " t_first_us=%llu rate_hz=%u n=%u",
            (unsigned long long)s.t_first_us, s.rate_hz, s.n);
        for (unsigned j = 0; j < s.n; j++) {
            char name[16];
            for (unsigned i = 0; i < PKT_CELLS; i++)
                v[i] = s.s[j].cell[i];
            snprintf(name, sizeof name, "s%u.cell", j);
            put_list_i(&t, name, v, PKT_CELLS);
            for (unsigned i = 0; i < PKT_IMU; i++)
                v[i] = s.s[j].imu[i];
            snprintf(name, sizeof name, "s%u.imu", j);
            put_list_i(&t, name, v, PKT_IMU);
        }
        return 0;
    }
    case PKT_STATUS: {
        struct pkt_status s;
        if (pkt_status_decode(p, n, &s) != 0)
            return -1;
        put(&t,
            "type=STATUS t_us=%llu samples_total=%lu dropped_samples=%lu overruns=%lu "
            "faults=0x%08x reset_reason=%u",
            (unsigned long long)s.t_us, (unsigned long)s.samples_total,
            (unsigned long)s.dropped_samples, (unsigned long)s.overruns, (unsigned)s.faults,
            s.reset_reason);
        return 0;
    }
    case PKT_CMD: {
        struct pkt_cmd c;
        if (pkt_cmd_decode(p, n, &c) != 0)
            return -1;
        put(&t, "type=CMD cmd=%u token=%u arg=%lu arg64=%llu", c.cmd, c.token, (unsigned long)c.arg,
            (unsigned long long)c.arg64);
        return 0;
    }
    case PKT_ACK: {
        struct pkt_ack a;
        if (pkt_ack_decode(p, n, &a) != 0)
            return -1;
        put(&t, "type=ACK cmd=%u token=%u status=%d t_device_us=%llu", a.cmd, a.token, a.status,
            (unsigned long long)a.t_device_us);
        if (a.cmd == CMD_RESEND || a.cmd == CMD_STOP) /* echo = pkt_resend_echo(oldest, next) */
            put(&t, " echo.oldest=%lu echo.next=%lu", (unsigned long)(uint32_t)a.echo,
                (unsigned long)(uint32_t)(a.echo >> 32));
        else
            put(&t, " echo=%llu", (unsigned long long)a.echo);
        return 0;
    }
    default:
        return -1;
    }
}

/* ---- --print: the examples, generated with the encoders ---- */

static void print_example(const char *title, const uint8_t *w, size_t n)
{
    static struct frame_decoder d;
    frame_decoder_init(&d);
    int ok = 0;
    for (size_t i = 0; i < n; i++)
        ok += frame_decoder_push(&d, w[i]) == FRAME_OK;
    char line[4096];
    if (ok != 1 || format_packet(d.type, d.payload, d.payload_len, line, sizeof line) != 0) {
        fprintf(stderr, "example %s does not round-trip\n", title);
        exit(1);
    }
    printf("### %s\n\n%zu bytes on the wire (payload %zu).\n\ndecoded: %s\n\n```frame\n", title, n,
           d.payload_len, line);
    for (size_t i = 0; i < n; i++)
        printf("%02x%s", w[i], (i + 1) % 16 == 0 || i + 1 == n ? "\n" : " ");
    printf("```\n\n");
}

static int print_examples(void)
{
    static uint8_t w[FRAME_MAX_WIRE];
    struct pkt_hello h;
    memset(&h, 0, sizeof h);
    h.proto_version = PROTO_VERSION;
    h.fw_major = 0;
    h.fw_minor = 1;
    h.fw_patch = 0;
    strcpy(h.serial, "GC-SIM-0001");
    h.rate_hz = 1000;
    const int16_t x[4] = {-300, 300, -300, 300}, y[4] = {700, 700, -700, -700};
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        h.channel_corner[i] = (uint8_t)i;
        h.cell_x_mm[i] = x[i];
        h.cell_y_mm[i] = y[i];
    }
    h.cell_n_per_count = 1e-3f;
    h.accel_g_per_lsb = 1.0f / 2048.0f;
    h.gyro_dps_per_lsb = 1.0f / 16.4f;
    h.faults = 0;
    h.streaming = false;
    print_example("HELLO (device identity, sent on boot)", w, pkt_hello_frame(&h, w, sizeof w));

    static struct pkt_samples s;
    memset(&s, 0, sizeof s);
    s.seq = 7;
    s.t_first_us = 1070000;
    s.rate_hz = 1000;
    s.n = 2;
    const int32_t c0[4] = {181234, 175002, 90311, 88120};
    const int16_t i0[6] = {12, -40, 2051, 3, -7, 1};
    const int32_t c1[4] = {8388607, -8388608, -1, 0};
    const int16_t i1[6] = {32767, -32768, 2048, -1, 0, 164};
    memcpy(s.s[0].cell, c0, sizeof c0);
    memcpy(s.s[0].imu, i0, sizeof i0);
    memcpy(s.s[1].cell, c1, sizeof c1);
    memcpy(s.s[1].imu, i1, sizeof i1);
    print_example("SAMPLES (2 samples; live blocks carry 10)", w,
                  pkt_samples_frame(&s, w, sizeof w));

    struct pkt_status st = {5000123, 4000, 10, 1, FAULT_TX_OVERFLOW | FAULT_SAMPLE_LATE, 0};
    print_example("STATUS", w, pkt_status_frame(&st, w, sizeof w));

    struct pkt_cmd c = {CMD_START, 1, 0, 0};
    print_example("CMD START", w, pkt_cmd_frame(&c, w, sizeof w));
    struct pkt_cmd r = {CMD_SET_RATE, 2, 2000, 0};
    print_example("CMD SET_RATE 2000 Hz", w, pkt_cmd_frame(&r, w, sizeof w));
    struct pkt_cmd p = {CMD_PING, 3, 0, 1700000000123456ull};
    print_example("CMD PING", w, pkt_cmd_frame(&p, w, sizeof w));

    struct pkt_ack a = {CMD_PING, 3, ACK_OK, 5012345, 1700000000123456ull};
    print_example("ACK of the PING", w, pkt_ack_frame(&a, w, sizeof w));
    struct pkt_ack b = {CMD_SET_RATE, 2, ACK_BAD_STATE, 5013000, 0};
    print_example("ACK BAD_STATE (SET_RATE while streaming)", w, pkt_ack_frame(&b, w, sizeof w));

    /* Protocol 2: selective retransmission. */
    struct pkt_cmd q = {CMD_RESEND, 4, 7, 2};
    print_example("CMD RESEND (blocks 7 and 8)", w, pkt_cmd_frame(&q, w, sizeof w));
    uint8_t pay[FRAME_MAX_PAYLOAD];
    size_t pn = pkt_samples_encode(&s, pay, sizeof pay);
    print_example("RESENT (block 7 again, the SAMPLES example's payload)", w,
                  frame_encode(PKT_RESENT, pay, pn, w, sizeof w));
    struct pkt_ack g = {CMD_RESEND, 4, ACK_GONE, 5014000, pkt_resend_echo(8, 33)};
    print_example("ACK GONE of the RESEND (block 7 no longer held: oldest 8, next 33)", w,
                  pkt_ack_frame(&g, w, sizeof w));
    struct pkt_ack e = {CMD_STOP, 5, ACK_OK, 5020000, pkt_resend_echo(9, 34)};
    print_example("ACK of a STOP (oldest 9, next 34)", w, pkt_ack_frame(&e, w, sizeof w));
    return 0;
}

/* ---- check the document ---- */

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static void check_example(int idx, const char *decoded, const uint8_t *w, size_t n, int *types_seen)
{
    char msg[256];
    snprintf(msg, sizeof msg, "example %d", idx);
    CHECK_MSG(decoded != NULL, msg);
    if (decoded == NULL)
        return;
    static struct frame_decoder d;
    frame_decoder_init(&d);
    int ok = 0, bad = 0;
    size_t ok_at = 0;
    for (size_t i = 0; i < n; i++) {
        enum frame_result r = frame_decoder_push(&d, w[i]);
        if (r == FRAME_OK) {
            ok++;
            ok_at = i;
        }
        bad += r == FRAME_BAD;
    }
    CHECK_MSG(ok == 1 && bad == 0 && ok_at == n - 1, msg);
    if (ok != 1)
        return;
    char line[4096];
    CHECK_MSG(format_packet(d.type, d.payload, d.payload_len, line, sizeof line) == 0, msg);
    if (strcmp(line, decoded) != 0) {
        fprintf(stderr, "example %d:\n  doc:     %s\n  decoded: %s\n", idx, decoded, line);
        CHECK_MSG(strcmp(line, decoded) == 0, msg);
    }
    if (d.type < 32)
        types_seen[d.type] = 1;
}

static int check_doc(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s; pass the path of docs/protocol.md\n", path);
        return 1;
    }
    static char line[8192], decoded[8192];
    static uint8_t w[4 * FRAME_MAX_WIRE];
    bool have_decoded = false, in_frame = false, hex_error = false;
    size_t n = 0;
    int examples = 0, types_seen[32] = {0};
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!in_frame && strncmp(line, "decoded: ", 9) == 0) {
            snprintf(decoded, sizeof decoded, "%s", line + 9);
            have_decoded = true;
        } else if (!in_frame && strcmp(line, "```frame") == 0) {
            in_frame = true;
            n = 0;
        } else if (in_frame && strncmp(line, "```", 3) == 0) {
            in_frame = false;
            CHECK_MSG(!hex_error, "frame block holds only hex byte pairs");
            check_example(++examples, have_decoded ? decoded : NULL, w, n, types_seen);
            have_decoded = false;
        } else if (in_frame) {
            for (char *tok = strtok(line, " \t"); tok != NULL; tok = strtok(NULL, " \t")) {
                if (strlen(tok) != 2 || hexval(tok[0]) < 0 || hexval(tok[1]) < 0 || n >= sizeof w) {
                    hex_error = true;
                    continue;
                }
                w[n++] = (uint8_t)(hexval(tok[0]) * 16 + hexval(tok[1]));
            }
        }
    }
    fclose(f);
    CHECK_MSG(!in_frame, "unterminated frame block");
    /* Every packet type has at least one example. */
    CHECK(examples >= 5);
    CHECK(types_seen[PKT_HELLO]);
    CHECK(types_seen[PKT_SAMPLES]);
    CHECK(types_seen[PKT_STATUS]);
    CHECK(types_seen[PKT_CMD]);
    CHECK(types_seen[PKT_ACK]);
    CHECK(types_seen[PKT_RESENT]);
    fprintf(stderr, "%d example frames checked\n", examples);
    return check_exit();
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--print") == 0)
        return print_examples();
    if (argc != 2) {
        fprintf(stderr, "usage: test_proto_doc PATH/protocol.md | --print\n");
        return 2;
    }
    return check_doc(argv[1]);
}
