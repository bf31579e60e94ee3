/*
 * frame.h - self-synchronising framing of the gaitcue wire protocol.
 *
 * On the wire every packet travels as one frame:
 *
 *     COBS( type:u8 | payload:0..FRAME_MAX_PAYLOAD bytes | crc32:u32 LE ) 0x00
 *
 * crc32 is CRC-32/ISO-HDLC (the zlib/Ethernet CRC, poly 0x04C11DB7 reflected,
 * init 0xFFFFFFFF, xorout 0xFFFFFFFF) over type and payload.  COBS removes
 * every zero byte, so 0x00 only ever marks the end of a frame and a receiver
 * that starts mid-stream, or loses bytes, resynchronises at the next 0x00.
 *
 * Pure code: no allocation, no I/O, no board headers.  Compiled unchanged by
 * the firmware, the station and calib.
 *
 * Thread: a frame_decoder belongs to one thread (the link reader); the
 * encoder functions are reentrant.
 */
#ifndef GC_FRAME_H
#define GC_FRAME_H

#include <stddef.h>
#include <stdint.h>

/* Largest payload in bytes (excludes type and CRC). */
#define FRAME_MAX_PAYLOAD 1024u
/* type + payload + crc, before COBS. */
#define FRAME_MAX_RAW (1u + FRAME_MAX_PAYLOAD + 4u)
/* COBS adds one byte per 254 plus one; plus the 0x00 delimiter. */
#define FRAME_MAX_WIRE (FRAME_MAX_RAW + FRAME_MAX_RAW / 254u + 2u)

/* CRC-32/ISO-HDLC of buf[0..n). crc32_update continues a running CRC:
 * start with crc = 0 and pass the previous return value. */
uint32_t frame_crc32(const uint8_t *buf, size_t n);
uint32_t frame_crc32_update(uint32_t crc, const uint8_t *buf, size_t n);

/* COBS encode src[0..n) into dst (capacity cap).  Writes no delimiter.
 * Returns bytes written, or 0 if cap is too small. */
size_t frame_cobs_encode(const uint8_t *src, size_t n, uint8_t *dst, size_t cap);
/* COBS decode src[0..n) (delimiter excluded) into dst (capacity cap).
 * Returns bytes written, or -1 on a malformed block or overflow. */
long frame_cobs_decode(const uint8_t *src, size_t n, uint8_t *dst, size_t cap);

/* Build one complete wire frame (COBS + trailing 0x00) for a packet of the
 * given type and payload into out (capacity cap; FRAME_MAX_WIRE always
 * suffices).  Returns the number of bytes to send, or 0 when the payload is
 * longer than FRAME_MAX_PAYLOAD or cap is too small. */
size_t frame_encode(uint8_t type, const uint8_t *payload, size_t payload_len, uint8_t *out,
                    size_t cap);

/* Result of feeding one byte to the decoder. */
enum frame_result {
    FRAME_NEED_MORE = 0, /* keep feeding */
    FRAME_OK = 1,        /* a valid frame is in frame_decoder.type/payload */
    FRAME_BAD = -1,      /* a frame ended but was corrupt; counted, skipped */
};

/* Why the last FRAME_BAD was returned. */
enum frame_bad_reason {
    FRAME_BAD_NONE = 0,
    FRAME_BAD_COBS,     /* malformed COBS block */
    FRAME_BAD_CRC,      /* CRC mismatch */
    FRAME_BAD_SHORT,    /* fewer than type + CRC bytes */
    FRAME_BAD_OVERLONG, /* more than FRAME_MAX_WIRE bytes before a 0x00 */
};

/* Byte-fed decoder.  Caller's storage (frame_decoder_init); never allocates.
 * Fields below "out" are valid after FRAME_OK until the next push. */
struct frame_decoder {
    /* private state */
    uint8_t wire[FRAME_MAX_WIRE];
    size_t wire_len;
    int overflowed;
    /* out: last good frame */
    uint8_t type;
    uint8_t payload[FRAME_MAX_PAYLOAD + 5u];
    size_t payload_len;
    /* counters since init (>= 0) */
    uint64_t frames_ok;
    uint64_t frames_bad;    /* all FRAME_BAD results */
    uint64_t crc_errors;    /* subset of frames_bad: FRAME_BAD_CRC */
    uint64_t bytes_total;   /* every byte pushed */
    uint64_t bytes_dropped; /* bytes that belonged to bad frames */
    enum frame_bad_reason last_bad;
};

void frame_decoder_init(struct frame_decoder *d);
/* Feed one byte.  An empty frame (two 0x00 in a row) is silently skipped. */
enum frame_result frame_decoder_push(struct frame_decoder *d, uint8_t byte);

#endif
