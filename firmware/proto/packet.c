/*
 * packet.c - payload layouts of the gaitcue wire protocol (see packet.h and
 * docs/protocol.md, which lists every offset used below).
 *
 * Every field goes through the little-endian writers/readers below; no
 * struct is copied onto the wire, so host and MCU agree regardless of
 * padding or endianness.  Floats travel as their IEEE-754 binary32 bit
 * pattern.
 */
#include "packet.h"
#include "frame.h"

#include <string.h>

/* Byte offsets of every field.  The encoders and decoders use these names
 * and the _Static_asserts tie the last field's end to the declared size. */
enum {
    HELLO_PROTO = 0,
    HELLO_FW = 1, /* major, minor, patch */
    HELLO_SERIAL = 4,
    HELLO_RATE = HELLO_SERIAL + PKT_SERIAL_LEN,       /* 20 */
    HELLO_CORNER = HELLO_RATE + 2,                    /* 22 */
    HELLO_CELL_X = HELLO_CORNER + PKT_CELLS,          /* 26 */
    HELLO_CELL_Y = HELLO_CELL_X + 2 * PKT_CELLS,      /* 34 */
    HELLO_N_PER_COUNT = HELLO_CELL_Y + 2 * PKT_CELLS, /* 42 */
    HELLO_ACCEL = HELLO_N_PER_COUNT + 4,              /* 46 */
    HELLO_GYRO = HELLO_ACCEL + 4,                     /* 50 */
    HELLO_FAULTS = HELLO_GYRO + 4,                    /* 54 */
    HELLO_STREAMING = HELLO_FAULTS + 4,               /* 58 */
    HELLO_END = HELLO_STREAMING + 1,

    SAMPLES_SEQ = 0,
    SAMPLES_T_FIRST = 4,
    SAMPLES_RATE = 12,
    SAMPLES_N = 14,
    SAMPLES_END = 15,
    SAMPLE_CELL = 0,            /* 4 x i24 */
    SAMPLE_IMU = 3 * PKT_CELLS, /* 6 x i16 */
    SAMPLE_END = SAMPLE_IMU + 2 * PKT_IMU,

    STATUS_T = 0,
    STATUS_SAMPLES_TOTAL = 8,
    STATUS_DROPPED = 12,
    STATUS_OVERRUNS = 16,
    STATUS_FAULTS = 20,
    STATUS_RESET = 24,
    STATUS_END = 25,

    CMD_CMD = 0,
    CMD_TOKEN = 1,
    CMD_ARG = 3,
    CMD_ARG64 = 7,
    CMD_END = 15,

    ACK_CMD = 0,
    ACK_TOKEN = 1,
    ACK_STATUS = 3,
    ACK_T_DEVICE = 4,
    ACK_ECHO = 12,
    ACK_END = 20,
};

_Static_assert(HELLO_END == PKT_HELLO_SIZE, "HELLO layout does not match PKT_HELLO_SIZE");
_Static_assert(SAMPLES_END == PKT_SAMPLES_HEADER, "SAMPLES header does not match");
_Static_assert(SAMPLE_END == PKT_SAMPLE_BYTES, "sample layout does not match PKT_SAMPLE_BYTES");
_Static_assert(STATUS_END == PKT_STATUS_SIZE, "STATUS layout does not match PKT_STATUS_SIZE");
_Static_assert(CMD_END == PKT_CMD_SIZE, "CMD layout does not match PKT_CMD_SIZE");
_Static_assert(ACK_END == PKT_ACK_SIZE, "ACK layout does not match PKT_ACK_SIZE");
_Static_assert(PKT_SAMPLES_HEADER + PKT_MAX_BLOCK * PKT_SAMPLE_BYTES <= FRAME_MAX_PAYLOAD,
               "largest SAMPLES block does not fit a frame");
_Static_assert(PKT_HELLO_SIZE <= FRAME_MAX_PAYLOAD, "HELLO does not fit a frame");
_Static_assert(sizeof(float) == 4, "floats must be IEEE-754 binary32");

#define SAMPLES_MAX_SIZE (PKT_SAMPLES_HEADER + PKT_MAX_BLOCK * PKT_SAMPLE_BYTES)
#define CELL_MIN         (-8388608L) /* -2^23 */
#define CELL_MAX         8388607L    /* 2^23 - 1 */
/* STATUS.reset_reason: 0 power-on, 1 watchdog, 2 fault, 3 software. */
#define RESET_REASON_MAX 3u

/* ---- little-endian writers and readers ---- */

static void put_u8(uint8_t *p, uint8_t v)
{
    p[0] = v;
}

static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_u24(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put_u64(uint8_t *p, uint64_t v)
{
    put_u32(p, (uint32_t)v);
    put_u32(p + 4, (uint32_t)(v >> 32));
}

static void put_i16(uint8_t *p, int16_t v)
{
    put_u16(p, (uint16_t)v);
}

static void put_f32(uint8_t *p, float v)
{
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits); /* the bit pattern, not a value conversion */
    put_u32(p, bits);
}

static uint16_t get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (unsigned)p[1] << 8);
}

static uint32_t get_u24(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

/* Two's complement reinterpretation without implementation-defined casts. */
static int16_t get_i16(const uint8_t *p)
{
    uint16_t u = get_u16(p);
    return u < 0x8000u ? (int16_t)u : (int16_t)((int32_t)u - 65536);
}

static int8_t to_i8(uint8_t u)
{
    return u < 0x80u ? (int8_t)u : (int8_t)((int)u - 256);
}

static float get_f32(const uint8_t *p)
{
    uint32_t bits = get_u32(p);
    float v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

int32_t pkt_sign_extend24(uint32_t v)
{
    v &= 0xFFFFFFu;
    return v < 0x800000u ? (int32_t)v : (int32_t)v - 0x1000000;
}

/* ---- HELLO ---- */

size_t pkt_hello_encode(const struct pkt_hello *p, uint8_t *out, size_t cap)
{
    if (cap < PKT_HELLO_SIZE)
        return 0;
    for (unsigned i = 0; i < PKT_CELLS; i++)
        if (p->channel_corner[i] > CORNER_REAR_RIGHT)
            return 0;
    put_u8(out + HELLO_PROTO, p->proto_version);
    put_u8(out + HELLO_FW, p->fw_major);
    put_u8(out + HELLO_FW + 1, p->fw_minor);
    put_u8(out + HELLO_FW + 2, p->fw_patch);
    /* Serial: ASCII up to the first NUL, NUL-padded to PKT_SERIAL_LEN. */
    size_t k = 0;
    for (; k < PKT_SERIAL_LEN && p->serial[k] != '\0'; k++)
        out[HELLO_SERIAL + k] = (uint8_t)p->serial[k];
    for (; k < PKT_SERIAL_LEN; k++)
        out[HELLO_SERIAL + k] = 0;
    put_u16(out + HELLO_RATE, p->rate_hz);
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        put_u8(out + HELLO_CORNER + i, p->channel_corner[i]);
        put_i16(out + HELLO_CELL_X + 2 * i, p->cell_x_mm[i]);
        put_i16(out + HELLO_CELL_Y + 2 * i, p->cell_y_mm[i]);
    }
    put_f32(out + HELLO_N_PER_COUNT, p->cell_n_per_count);
    put_f32(out + HELLO_ACCEL, p->accel_g_per_lsb);
    put_f32(out + HELLO_GYRO, p->gyro_dps_per_lsb);
    put_u32(out + HELLO_FAULTS, p->faults);
    put_u8(out + HELLO_STREAMING, p->streaming ? 1u : 0u);
    return PKT_HELLO_SIZE;
}

int pkt_hello_decode(const uint8_t *in, size_t len, struct pkt_hello *p)
{
    if (in == NULL || len != PKT_HELLO_SIZE)
        return -1;
    if (in[HELLO_STREAMING] > 1u)
        return -1;
    /* Serial: once a NUL appears, the rest must be NUL padding. */
    int ended = 0;
    for (unsigned k = 0; k < PKT_SERIAL_LEN; k++) {
        uint8_t c = in[HELLO_SERIAL + k];
        if (c == 0)
            ended = 1;
        else if (ended)
            return -1;
    }
    for (unsigned i = 0; i < PKT_CELLS; i++)
        if (in[HELLO_CORNER + i] > CORNER_REAR_RIGHT)
            return -1;

    memset(p, 0, sizeof *p);
    p->proto_version = in[HELLO_PROTO];
    p->fw_major = in[HELLO_FW];
    p->fw_minor = in[HELLO_FW + 1];
    p->fw_patch = in[HELLO_FW + 2];
    for (unsigned k = 0; k < PKT_SERIAL_LEN; k++)
        p->serial[k] = (char)in[HELLO_SERIAL + k];
    p->serial[PKT_SERIAL_LEN] = '\0';
    p->rate_hz = get_u16(in + HELLO_RATE);
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        p->channel_corner[i] = in[HELLO_CORNER + i];
        p->cell_x_mm[i] = get_i16(in + HELLO_CELL_X + 2 * i);
        p->cell_y_mm[i] = get_i16(in + HELLO_CELL_Y + 2 * i);
    }
    p->cell_n_per_count = get_f32(in + HELLO_N_PER_COUNT);
    p->accel_g_per_lsb = get_f32(in + HELLO_ACCEL);
    p->gyro_dps_per_lsb = get_f32(in + HELLO_GYRO);
    p->faults = get_u32(in + HELLO_FAULTS);
    p->streaming = in[HELLO_STREAMING] != 0;
    return 0;
}

/* ---- SAMPLES ---- */

size_t pkt_samples_encode(const struct pkt_samples *p, uint8_t *out, size_t cap)
{
    if (p->n == 0 || p->n > PKT_MAX_BLOCK)
        return 0;
    size_t len = PKT_SAMPLES_HEADER + (size_t)p->n * PKT_SAMPLE_BYTES;
    if (cap < len)
        return 0;
    for (unsigned j = 0; j < p->n; j++)
        for (unsigned i = 0; i < PKT_CELLS; i++)
            if (p->s[j].cell[i] < CELL_MIN || p->s[j].cell[i] > CELL_MAX)
                return 0;
    put_u32(out + SAMPLES_SEQ, p->seq);
    put_u64(out + SAMPLES_T_FIRST, p->t_first_us);
    put_u16(out + SAMPLES_RATE, p->rate_hz);
    put_u8(out + SAMPLES_N, p->n);
    uint8_t *q = out + PKT_SAMPLES_HEADER;
    for (unsigned j = 0; j < p->n; j++, q += PKT_SAMPLE_BYTES) {
        for (unsigned i = 0; i < PKT_CELLS; i++)
            put_u24(q + SAMPLE_CELL + 3 * i, (uint32_t)p->s[j].cell[i] & 0xFFFFFFu);
        for (unsigned i = 0; i < PKT_IMU; i++)
            put_i16(q + SAMPLE_IMU + 2 * i, p->s[j].imu[i]);
    }
    return len;
}

int pkt_samples_decode(const uint8_t *in, size_t len, struct pkt_samples *p)
{
    if (in == NULL || len < PKT_SAMPLES_HEADER)
        return -1;
    uint8_t n = in[SAMPLES_N];
    if (n == 0 || n > PKT_MAX_BLOCK || len != PKT_SAMPLES_HEADER + (size_t)n * PKT_SAMPLE_BYTES)
        return -1;
    uint16_t rate = get_u16(in + SAMPLES_RATE);
    if (rate == 0) /* the sample period 1e6 / rate_hz must exist */
        return -1;
    p->seq = get_u32(in + SAMPLES_SEQ);
    p->t_first_us = get_u64(in + SAMPLES_T_FIRST);
    p->rate_hz = rate;
    p->n = n;
    const uint8_t *q = in + PKT_SAMPLES_HEADER;
    for (unsigned j = 0; j < n; j++, q += PKT_SAMPLE_BYTES) {
        for (unsigned i = 0; i < PKT_CELLS; i++)
            p->s[j].cell[i] = pkt_sign_extend24(get_u24(q + SAMPLE_CELL + 3 * i));
        for (unsigned i = 0; i < PKT_IMU; i++)
            p->s[j].imu[i] = get_i16(q + SAMPLE_IMU + 2 * i);
    }
    return 0;
}

/* ---- STATUS ---- */

size_t pkt_status_encode(const struct pkt_status *p, uint8_t *out, size_t cap)
{
    if (cap < PKT_STATUS_SIZE || p->reset_reason > RESET_REASON_MAX)
        return 0;
    put_u64(out + STATUS_T, p->t_us);
    put_u32(out + STATUS_SAMPLES_TOTAL, p->samples_total);
    put_u32(out + STATUS_DROPPED, p->dropped_samples);
    put_u32(out + STATUS_OVERRUNS, p->overruns);
    put_u32(out + STATUS_FAULTS, p->faults);
    put_u8(out + STATUS_RESET, p->reset_reason);
    return PKT_STATUS_SIZE;
}

int pkt_status_decode(const uint8_t *in, size_t len, struct pkt_status *p)
{
    if (in == NULL || len != PKT_STATUS_SIZE || in[STATUS_RESET] > RESET_REASON_MAX)
        return -1;
    p->t_us = get_u64(in + STATUS_T);
    p->samples_total = get_u32(in + STATUS_SAMPLES_TOTAL);
    p->dropped_samples = get_u32(in + STATUS_DROPPED);
    p->overruns = get_u32(in + STATUS_OVERRUNS);
    p->faults = get_u32(in + STATUS_FAULTS);
    p->reset_reason = in[STATUS_RESET];
    return 0;
}

/* ---- CMD ---- */

size_t pkt_cmd_encode(const struct pkt_cmd *p, uint8_t *out, size_t cap)
{
    if (cap < PKT_CMD_SIZE)
        return 0;
    put_u8(out + CMD_CMD, p->cmd);
    put_u16(out + CMD_TOKEN, p->token);
    put_u32(out + CMD_ARG, p->arg);
    put_u64(out + CMD_ARG64, p->arg64);
    return PKT_CMD_SIZE;
}

/* Any command number decodes: the device must be able to answer an unknown
 * one with ACK_UNSUPPORTED. */
int pkt_cmd_decode(const uint8_t *in, size_t len, struct pkt_cmd *p)
{
    if (in == NULL || len != PKT_CMD_SIZE)
        return -1;
    p->cmd = in[CMD_CMD];
    p->token = get_u16(in + CMD_TOKEN);
    p->arg = get_u32(in + CMD_ARG);
    p->arg64 = get_u64(in + CMD_ARG64);
    return 0;
}

/* ---- ACK ---- */

static bool ack_status_valid(int s)
{
    return s <= ACK_OK && s >= ACK_GONE;
}

size_t pkt_ack_encode(const struct pkt_ack *p, uint8_t *out, size_t cap)
{
    if (cap < PKT_ACK_SIZE || !ack_status_valid(p->status))
        return 0;
    put_u8(out + ACK_CMD, p->cmd);
    put_u16(out + ACK_TOKEN, p->token);
    put_u8(out + ACK_STATUS, (uint8_t)(p->status & 0xFF));
    put_u64(out + ACK_T_DEVICE, p->t_device_us);
    put_u64(out + ACK_ECHO, p->echo);
    return PKT_ACK_SIZE;
}

int pkt_ack_decode(const uint8_t *in, size_t len, struct pkt_ack *p)
{
    if (in == NULL || len != PKT_ACK_SIZE)
        return -1;
    int8_t status = to_i8(in[ACK_STATUS]);
    if (!ack_status_valid(status))
        return -1;
    p->cmd = in[ACK_CMD];
    p->token = get_u16(in + ACK_TOKEN);
    p->status = status;
    p->t_device_us = get_u64(in + ACK_T_DEVICE);
    p->echo = get_u64(in + ACK_ECHO);
    return 0;
}

/* ---- encode + frame ---- */

/* The payload is assembled on the stack (at most SAMPLES_MAX_SIZE = 783
 * bytes for a full SAMPLES block), then COBS-framed into out. */
size_t pkt_hello_frame(const struct pkt_hello *p, uint8_t *out, size_t cap)
{
    uint8_t buf[PKT_HELLO_SIZE];
    size_t n = pkt_hello_encode(p, buf, sizeof buf);
    return n ? frame_encode(PKT_HELLO, buf, n, out, cap) : 0;
}

size_t pkt_samples_frame(const struct pkt_samples *p, uint8_t *out, size_t cap)
{
    uint8_t buf[SAMPLES_MAX_SIZE];
    size_t n = pkt_samples_encode(p, buf, sizeof buf);
    return n ? frame_encode(PKT_SAMPLES, buf, n, out, cap) : 0;
}

size_t pkt_status_frame(const struct pkt_status *p, uint8_t *out, size_t cap)
{
    uint8_t buf[PKT_STATUS_SIZE];
    size_t n = pkt_status_encode(p, buf, sizeof buf);
    return n ? frame_encode(PKT_STATUS, buf, n, out, cap) : 0;
}

size_t pkt_cmd_frame(const struct pkt_cmd *p, uint8_t *out, size_t cap)
{
    uint8_t buf[PKT_CMD_SIZE];
    size_t n = pkt_cmd_encode(p, buf, sizeof buf);
    return n ? frame_encode(PKT_CMD, buf, n, out, cap) : 0;
}

size_t pkt_ack_frame(const struct pkt_ack *p, uint8_t *out, size_t cap)
{
    uint8_t buf[PKT_ACK_SIZE];
    size_t n = pkt_ack_encode(p, buf, sizeof buf);
    return n ? frame_encode(PKT_ACK, buf, n, out, cap) : 0;
}

/* ---- sequence tracking ---- */

void pkt_seq_init(struct pkt_seq_tracker *t)
{
    memset(t, 0, sizeof *t);
}

/*
 * Sequence numbers count blocks modulo 2^32, so the distance from the
 * expected number is taken in uint32_t arithmetic: 0xFFFFFFFF -> 0 is
 * contiguous.  A serial link does not reorder, so a jump "backwards" (a
 * modular distance of 2^31 or more) can only mean the device started
 * counting again; it is reported as a restart like seq == 0 is.
 */
long pkt_seq_update(struct pkt_seq_tracker *t, uint32_t seq)
{
    t->blocks++;
    if (!t->started) {
        t->started = true;
        t->next_seq = seq + 1u;
        return 0;
    }
    uint32_t expected = t->next_seq;
    t->next_seq = seq + 1u;
    if (seq == expected)
        return 0;
    uint32_t ahead = seq - expected;
    if ((seq == 0 && expected != 0) || ahead >= 0x80000000u) {
        t->restarts++;
        return -1;
    }
    t->gaps++;
    t->lost_blocks += ahead;
    return (long)ahead;
}
