/*
 * packet.h - packets of the gaitcue wire protocol (payload layouts).
 *
 * Every multi-byte field is little-endian and written/read by explicit byte
 * helpers; no struct is ever memcpy'd onto the wire.  Byte layouts are in
 * docs/protocol.md, which must change together with this file.
 *
 * Direction: D->H device to host, H->D host to device.
 *
 * Pure code (no allocation, no I/O).  All functions are reentrant.
 */
#ifndef GC_PACKET_H
#define GC_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 2: selective retransmission (PKT_RESENT, CMD_RESEND, ACK_GONE, STOP's ACK
 * carries the next sequence number). */
#define PROTO_VERSION 2u

#define PKT_CELLS 4u /* load-cell channels (24 bit signed) */
#define PKT_IMU 6u   /* IMU channels: ax ay az gx gy gz (16 bit signed) */
/* Bytes per sample on the wire: 4 x 3 + 6 x 2. */
#define PKT_SAMPLE_BYTES (PKT_CELLS * 3u + PKT_IMU * 2u)
/* Largest number of samples in one SAMPLES packet. */
#define PKT_MAX_BLOCK 32u
#define PKT_SERIAL_LEN 16u /* serial number, ASCII, NUL-padded */

enum pkt_type {
    PKT_HELLO = 0x01,   /* D->H identity; sent on boot and on CMD_IDENTIFY */
    PKT_SAMPLES = 0x02, /* D->H a block of samples */
    PKT_STATUS = 0x03,  /* D->H health, about once per second while streaming */
    PKT_RESENT = 0x04,  /* D->H a SAMPLES block sent again on CMD_RESEND (same payload) */
    PKT_CMD = 0x10,     /* H->D a command */
    PKT_ACK = 0x11,     /* D->H acknowledgement of one command */
};

enum pkt_cmd_id { /* tag differs from struct pkt_cmd: C tags share one namespace */
    CMD_START = 1,     /* start streaming samples; arg unused */
    CMD_STOP = 2,      /* stop streaming; arg unused */
    CMD_SET_RATE = 3,  /* arg = sample rate in Hz (500..2000); only while stopped */
    CMD_IDENTIFY = 4,  /* device answers with ACK then HELLO */
    CMD_PING = 5,      /* arg64 = host time in us, echoed in the ACK */
    CMD_METRONOME = 6, /* arg = metronome cadence in steps/min x 100, 0 = off.
                        * Only the simulator acts on it (closed-loop runner);
                        * real firmware answers ACK_UNSUPPORTED. */
    CMD_RESEND = 7,    /* arg = first block sequence number, arg64 = count
                        * (1..PKT_RESEND_MAX): send these blocks again as
                        * PKT_RESENT, then the ACK (echo: see pkt_resend_echo) */
};

/* Largest count of one CMD_RESEND. */
#define PKT_RESEND_MAX 64u

enum pkt_ack_status {
    ACK_OK = 0,
    ACK_BAD_ARG = -1,     /* argument out of range */
    ACK_BAD_STATE = -2,   /* e.g. SET_RATE while streaming */
    ACK_UNSUPPORTED = -3, /* unknown command */
    ACK_GONE = -4,        /* CMD_RESEND: some blocks are no longer (or not yet) held */
};

/* The echo of a CMD_RESEND's ACK and of a CMD_STOP's ACK (protocol 2):
 * low 32 bits the oldest block sequence number the device still holds for
 * resending, high 32 bits the sequence number of the next block it will
 * build (every block before it was built).  An empty ring has oldest ==
 * next. */
static inline uint64_t pkt_resend_echo(uint32_t oldest_held, uint32_t next_seq)
{
    return (uint64_t)oldest_held | (uint64_t)next_seq << 32;
}

/* Sensor fault bits (HELLO.faults, STATUS.faults). */
#define FAULT_ADC_ABSENT (1u << 0)   /* ADS131M04 did not answer */
#define FAULT_ADC_CRC (1u << 1)      /* ADC SPI frame CRC errors seen */
#define FAULT_IMU_ABSENT (1u << 2)   /* ICM-42688-P who-am-I wrong */
#define FAULT_WATCHDOG (1u << 3)     /* last reset was by the watchdog */
#define FAULT_HARDFAULT (1u << 4)    /* last reset followed a fault handler */
#define FAULT_TX_OVERFLOW (1u << 5)  /* link too slow: frames dropped on device */
#define FAULT_SAMPLE_LATE (1u << 6)  /* sample pacing overran */

/* Corner of the deck a load cell sits under.  Deck coordinates: x
 * mediolateral (m, + towards the runner's right), y anteroposterior (m, +
 * towards the front of the treadmill), origin at the deck centre. */
enum pkt_corner { CORNER_FRONT_LEFT = 0, CORNER_FRONT_RIGHT = 1, CORNER_REAR_LEFT = 2,
                  CORNER_REAR_RIGHT = 3 };

struct pkt_hello {
    uint8_t proto_version;           /* PROTO_VERSION of the device */
    uint8_t fw_major, fw_minor, fw_patch;
    char serial[PKT_SERIAL_LEN + 1]; /* NUL-terminated */
    uint16_t rate_hz;                /* current sample rate */
    uint8_t channel_corner[PKT_CELLS]; /* ADC channel i sits at corner enum pkt_corner */
    int16_t cell_x_mm[PKT_CELLS];    /* position of channel i, deck coordinates, mm */
    int16_t cell_y_mm[PKT_CELLS];
    float cell_n_per_count;          /* nominal load-cell scale, N per ADC count */
    float accel_g_per_lsb;           /* IMU accelerometer scale, g per LSB */
    float gyro_dps_per_lsb;          /* IMU gyro scale, deg/s per LSB */
    uint32_t faults;                 /* FAULT_* bits */
    bool streaming;                  /* true when samples are flowing */
};

struct pkt_sample {
    int32_t cell[PKT_CELLS]; /* raw ADC counts, 24-bit signed (-2^23 .. 2^23-1) */
    int16_t imu[PKT_IMU];    /* raw IMU LSB: ax ay az gx gy gz */
};

struct pkt_samples {
    uint32_t seq;       /* block sequence number, +1 per block, wraps; restarts at 0 on boot */
    uint64_t t_first_us;/* sensor time of samples[0], us since device boot */
    uint16_t rate_hz;   /* sample rate of this block (period = 1e6 / rate_hz us) */
    uint8_t n;          /* 1..PKT_MAX_BLOCK */
    struct pkt_sample s[PKT_MAX_BLOCK];
};

struct pkt_status {
    uint64_t t_us;             /* sensor time */
    uint32_t samples_total;    /* samples taken since START (wraps) */
    uint32_t dropped_samples;  /* samples lost on the device (tx full, overrun) */
    uint32_t overruns;         /* sampling deadlines missed */
    uint32_t faults;           /* FAULT_* bits */
    uint8_t reset_reason;      /* 0 power-on, 1 watchdog, 2 fault, 3 software */
};

struct pkt_cmd {
    uint8_t cmd;    /* enum pkt_cmd_id */
    uint16_t token; /* chosen by the host, echoed in the ACK */
    uint32_t arg;
    uint64_t arg64; /* CMD_PING: host time in us */
};

struct pkt_ack {
    uint8_t cmd;
    uint16_t token;
    int8_t status;        /* enum pkt_ack_status */
    uint64_t t_device_us; /* device time when the command was handled */
    uint64_t echo;        /* CMD_PING: the host time received; else 0 */
};

/* Payload sizes (bytes).  SAMPLES is PKT_SAMPLES_HEADER + n * PKT_SAMPLE_BYTES. */
#define PKT_HELLO_SIZE 59u
#define PKT_SAMPLES_HEADER 15u
#define PKT_STATUS_SIZE 25u
#define PKT_CMD_SIZE 15u
#define PKT_ACK_SIZE 20u

/* Encoders: write the payload of one packet into out (capacity cap).
 * Return the payload length, or 0 if cap is too small or a field is out of
 * range (e.g. samples n == 0 or > PKT_MAX_BLOCK, a cell outside 24 bits). */
size_t pkt_hello_encode(const struct pkt_hello *p, uint8_t *out, size_t cap);
size_t pkt_samples_encode(const struct pkt_samples *p, uint8_t *out, size_t cap);
size_t pkt_status_encode(const struct pkt_status *p, uint8_t *out, size_t cap);
size_t pkt_cmd_encode(const struct pkt_cmd *p, uint8_t *out, size_t cap);
size_t pkt_ack_encode(const struct pkt_ack *p, uint8_t *out, size_t cap);

/* Decoders: parse a payload (as delivered by frame_decoder).  Return 0 on
 * success, -1 if the length is wrong or a field is invalid.  Never read
 * past len. */
int pkt_hello_decode(const uint8_t *in, size_t len, struct pkt_hello *p);
int pkt_samples_decode(const uint8_t *in, size_t len, struct pkt_samples *p);
int pkt_status_decode(const uint8_t *in, size_t len, struct pkt_status *p);
int pkt_cmd_decode(const uint8_t *in, size_t len, struct pkt_cmd *p);
int pkt_ack_decode(const uint8_t *in, size_t len, struct pkt_ack *p);

/* Convenience: encode payload and frame it in one call.  Returns wire bytes
 * (including the 0x00 delimiter) or 0 on error.  out needs FRAME_MAX_WIRE. */
size_t pkt_hello_frame(const struct pkt_hello *p, uint8_t *out, size_t cap);
size_t pkt_samples_frame(const struct pkt_samples *p, uint8_t *out, size_t cap);
size_t pkt_status_frame(const struct pkt_status *p, uint8_t *out, size_t cap);
size_t pkt_cmd_frame(const struct pkt_cmd *p, uint8_t *out, size_t cap);
size_t pkt_ack_frame(const struct pkt_ack *p, uint8_t *out, size_t cap);

/* Sequence tracking of SAMPLES blocks (caller's storage). */
struct pkt_seq_tracker {
    bool started;
    uint32_t next_seq;
    uint64_t blocks;     /* blocks seen */
    uint64_t gaps;       /* number of discontinuities */
    uint64_t lost_blocks;/* blocks missing according to the sequence numbers */
    uint64_t restarts;   /* sequence went back to 0: device rebooted */
};
void pkt_seq_init(struct pkt_seq_tracker *t);
/* Account for one received block.  Returns the number of blocks lost just
 * before it (0 when contiguous), or -1 when the device restarted (seq == 0
 * after a non-zero expected value). */
long pkt_seq_update(struct pkt_seq_tracker *t, uint32_t seq);

/* 24-bit two's complement helpers. */
int32_t pkt_sign_extend24(uint32_t v);

#endif
