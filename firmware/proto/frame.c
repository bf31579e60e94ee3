/*
 * frame.c - COBS + CRC-32 framing (see frame.h for the wire format).
 *
 * Freestanding: only <stdint.h>, <stddef.h>, <string.h>.  No allocation,
 * no I/O, no static mutable state.
 */
#include "frame.h"

#include <string.h>

/* CRC-32/ISO-HDLC, reflected polynomial 0xEDB88320, one table entry per
 * byte value (generated once with the bitwise algorithm; the unit test
 * re-derives it bitwise and checks the "123456789" -> 0xCBF43926 vector). */
static const uint32_t crc_table[256] = {
    0x00000000u, 0x77073096u, 0xEE0E612Cu, 0x990951BAu, 0x076DC419u, 0x706AF48Fu, 0xE963A535u,
    0x9E6495A3u, 0x0EDB8832u, 0x79DCB8A4u, 0xE0D5E91Eu, 0x97D2D988u, 0x09B64C2Bu, 0x7EB17CBDu,
    0xE7B82D07u, 0x90BF1D91u, 0x1DB71064u, 0x6AB020F2u, 0xF3B97148u, 0x84BE41DEu, 0x1ADAD47Du,
    0x6DDDE4EBu, 0xF4D4B551u, 0x83D385C7u, 0x136C9856u, 0x646BA8C0u, 0xFD62F97Au, 0x8A65C9ECu,
    0x14015C4Fu, 0x63066CD9u, 0xFA0F3D63u, 0x8D080DF5u, 0x3B6E20C8u, 0x4C69105Eu, 0xD56041E4u,
    0xA2677172u, 0x3C03E4D1u, 0x4B04D447u, 0xD20D85FDu, 0xA50AB56Bu, 0x35B5A8FAu, 0x42B2986Cu,
    0xDBBBC9D6u, 0xACBCF940u, 0x32D86CE3u, 0x45DF5C75u, 0xDCD60DCFu, 0xABD13D59u, 0x26D930ACu,
    0x51DE003Au, 0xC8D75180u, 0xBFD06116u, 0x21B4F4B5u, 0x56B3C423u, 0xCFBA9599u, 0xB8BDA50Fu,
    0x2802B89Eu, 0x5F058808u, 0xC60CD9B2u, 0xB10BE924u, 0x2F6F7C87u, 0x58684C11u, 0xC1611DABu,
    0xB6662D3Du, 0x76DC4190u, 0x01DB7106u, 0x98D220BCu, 0xEFD5102Au, 0x71B18589u, 0x06B6B51Fu,
    0x9FBFE4A5u, 0xE8B8D433u, 0x7807C9A2u, 0x0F00F934u, 0x9609A88Eu, 0xE10E9818u, 0x7F6A0DBBu,
    0x086D3D2Du, 0x91646C97u, 0xE6635C01u, 0x6B6B51F4u, 0x1C6C6162u, 0x856530D8u, 0xF262004Eu,
    0x6C0695EDu, 0x1B01A57Bu, 0x8208F4C1u, 0xF50FC457u, 0x65B0D9C6u, 0x12B7E950u, 0x8BBEB8EAu,
    0xFCB9887Cu, 0x62DD1DDFu, 0x15DA2D49u, 0x8CD37CF3u, 0xFBD44C65u, 0x4DB26158u, 0x3AB551CEu,
    0xA3BC0074u, 0xD4BB30E2u, 0x4ADFA541u, 0x3DD895D7u, 0xA4D1C46Du, 0xD3D6F4FBu, 0x4369E96Au,
    0x346ED9FCu, 0xAD678846u, 0xDA60B8D0u, 0x44042D73u, 0x33031DE5u, 0xAA0A4C5Fu, 0xDD0D7CC9u,
    0x5005713Cu, 0x270241AAu, 0xBE0B1010u, 0xC90C2086u, 0x5768B525u, 0x206F85B3u, 0xB966D409u,
    0xCE61E49Fu, 0x5EDEF90Eu, 0x29D9C998u, 0xB0D09822u, 0xC7D7A8B4u, 0x59B33D17u, 0x2EB40D81u,
    0xB7BD5C3Bu, 0xC0BA6CADu, 0xEDB88320u, 0x9ABFB3B6u, 0x03B6E20Cu, 0x74B1D29Au, 0xEAD54739u,
    0x9DD277AFu, 0x04DB2615u, 0x73DC1683u, 0xE3630B12u, 0x94643B84u, 0x0D6D6A3Eu, 0x7A6A5AA8u,
    0xE40ECF0Bu, 0x9309FF9Du, 0x0A00AE27u, 0x7D079EB1u, 0xF00F9344u, 0x8708A3D2u, 0x1E01F268u,
    0x6906C2FEu, 0xF762575Du, 0x806567CBu, 0x196C3671u, 0x6E6B06E7u, 0xFED41B76u, 0x89D32BE0u,
    0x10DA7A5Au, 0x67DD4ACCu, 0xF9B9DF6Fu, 0x8EBEEFF9u, 0x17B7BE43u, 0x60B08ED5u, 0xD6D6A3E8u,
    0xA1D1937Eu, 0x38D8C2C4u, 0x4FDFF252u, 0xD1BB67F1u, 0xA6BC5767u, 0x3FB506DDu, 0x48B2364Bu,
    0xD80D2BDAu, 0xAF0A1B4Cu, 0x36034AF6u, 0x41047A60u, 0xDF60EFC3u, 0xA867DF55u, 0x316E8EEFu,
    0x4669BE79u, 0xCB61B38Cu, 0xBC66831Au, 0x256FD2A0u, 0x5268E236u, 0xCC0C7795u, 0xBB0B4703u,
    0x220216B9u, 0x5505262Fu, 0xC5BA3BBEu, 0xB2BD0B28u, 0x2BB45A92u, 0x5CB36A04u, 0xC2D7FFA7u,
    0xB5D0CF31u, 0x2CD99E8Bu, 0x5BDEAE1Du, 0x9B64C2B0u, 0xEC63F226u, 0x756AA39Cu, 0x026D930Au,
    0x9C0906A9u, 0xEB0E363Fu, 0x72076785u, 0x05005713u, 0x95BF4A82u, 0xE2B87A14u, 0x7BB12BAEu,
    0x0CB61B38u, 0x92D28E9Bu, 0xE5D5BE0Du, 0x7CDCEFB7u, 0x0BDBDF21u, 0x86D3D2D4u, 0xF1D4E242u,
    0x68DDB3F8u, 0x1FDA836Eu, 0x81BE16CDu, 0xF6B9265Bu, 0x6FB077E1u, 0x18B74777u, 0x88085AE6u,
    0xFF0F6A70u, 0x66063BCAu, 0x11010B5Cu, 0x8F659EFFu, 0xF862AE69u, 0x616BFFD3u, 0x166CCF45u,
    0xA00AE278u, 0xD70DD2EEu, 0x4E048354u, 0x3903B3C2u, 0xA7672661u, 0xD06016F7u, 0x4969474Du,
    0x3E6E77DBu, 0xAED16A4Au, 0xD9D65ADCu, 0x40DF0B66u, 0x37D83BF0u, 0xA9BCAE53u, 0xDEBB9EC5u,
    0x47B2CF7Fu, 0x30B5FFE9u, 0xBDBDF21Cu, 0xCABAC28Au, 0x53B39330u, 0x24B4A3A6u, 0xBAD03605u,
    0xCDD70693u, 0x54DE5729u, 0x23D967BFu, 0xB3667A2Eu, 0xC4614AB8u, 0x5D681B02u, 0x2A6F2B94u,
    0xB40BBE37u, 0xC30C8EA1u, 0x5A05DF1Bu, 0x2D02EF8Du,
};

uint32_t frame_crc32_update(uint32_t crc, const uint8_t *buf, size_t n)
{
    /* The running value handed to callers is the finished CRC (xorout
     * applied), so undo it, continue, and apply it again: update(0, ...)
     * starts from the standard init 0xFFFFFFFF. */
    crc = ~crc;
    for (size_t i = 0; i < n; i++)
        crc = crc_table[(crc ^ buf[i]) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

uint32_t frame_crc32(const uint8_t *buf, size_t n)
{
    return frame_crc32_update(0, buf, n);
}

/*
 * Streaming COBS encoder.  Bytes go straight into dst; the code byte of the
 * current block is a placeholder at dst[code_at], patched when the block
 * ends (at a zero in the input, after 254 non-zero bytes, or at the end):
 *
 *   input   11 22 00 33            output  03 11 22 02 33
 *           ^^^^^ ^^ ^^                    ^^       ^^
 *                                          code=3   code=2 (last block)
 *
 * A full 254-byte block (code 0xFF) carries no implied zero; the encoder
 * then opens a new block, so a run of exactly 254 non-zero bytes at the end
 * yields a trailing 0x01 (an empty last block).  Worst case output:
 * n + n/254 + 1 bytes.
 */
struct cobs_enc {
    uint8_t *dst;
    size_t cap;
    size_t len;     /* bytes written including placeholders */
    size_t code_at; /* index of the current block's code byte */
    uint8_t code;   /* 1 + non-zero bytes in the current block */
    int full;       /* set when cap was exceeded */
};

static void cobs_enc_begin(struct cobs_enc *e, uint8_t *dst, size_t cap)
{
    e->dst = dst;
    e->cap = cap;
    e->full = cap < 1u;
    e->code_at = 0;
    e->len = 1;
    e->code = 1;
}

static void cobs_enc_close_block(struct cobs_enc *e)
{
    e->dst[e->code_at] = e->code;
    if (e->len >= e->cap) {
        e->full = 1;
        return;
    }
    e->code_at = e->len++;
    e->code = 1;
}

static void cobs_enc_byte(struct cobs_enc *e, uint8_t b)
{
    if (e->full)
        return;
    if (b == 0) {
        cobs_enc_close_block(e);
        return;
    }
    if (e->len >= e->cap) {
        e->full = 1;
        return;
    }
    e->dst[e->len++] = b;
    if (++e->code == 0xFFu)
        cobs_enc_close_block(e);
}

static void cobs_enc_bytes(struct cobs_enc *e, const uint8_t *src, size_t n)
{
    for (size_t i = 0; i < n && !e->full; i++)
        cobs_enc_byte(e, src[i]);
}

/* Returns the encoded length, or 0 when dst was too small. */
static size_t cobs_enc_end(struct cobs_enc *e)
{
    if (e->full)
        return 0;
    e->dst[e->code_at] = e->code;
    return e->len;
}

size_t frame_cobs_encode(const uint8_t *src, size_t n, uint8_t *dst, size_t cap)
{
    struct cobs_enc e;
    cobs_enc_begin(&e, dst, cap);
    cobs_enc_bytes(&e, src, n);
    return cobs_enc_end(&e);
}

/* COBS decode; -1 malformed (a zero byte, or a code running past the end),
 * -2 output overflow. */
static long cobs_decode(const uint8_t *src, size_t n, uint8_t *dst, size_t cap)
{
    size_t in = 0, out = 0;
    while (in < n) {
        uint8_t code = src[in++];
        if (code == 0)
            return -1;
        size_t run = (size_t)code - 1u;
        if (run > n - in)
            return -1;
        if (run > cap - out)
            return -2;
        for (size_t k = 0; k < run; k++) {
            if (src[in + k] == 0)
                return -1;
            dst[out + k] = src[in + k];
        }
        in += run;
        out += run;
        /* A block shorter than 254 data bytes stands for "data, then a
         * zero" unless it is the last block of the frame. */
        if (code != 0xFFu && in < n) {
            if (out >= cap)
                return -2;
            dst[out++] = 0;
        }
    }
    return (long)out;
}

long frame_cobs_decode(const uint8_t *src, size_t n, uint8_t *dst, size_t cap)
{
    long r = cobs_decode(src, n, dst, cap);
    return r < 0 ? -1 : r;
}

size_t frame_encode(uint8_t type, const uint8_t *payload, size_t payload_len, uint8_t *out,
                    size_t cap)
{
    if (payload_len > FRAME_MAX_PAYLOAD || (payload_len > 0 && payload == NULL))
        return 0;
    uint32_t crc = frame_crc32(&type, 1);
    crc = frame_crc32_update(crc, payload, payload_len);
    const uint8_t crc_le[4] = {(uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16),
                               (uint8_t)(crc >> 24)};

    /* Encode type | payload | crc without assembling them in a buffer
     * first: the firmware calls this with its only frame buffer. */
    struct cobs_enc e;
    cobs_enc_begin(&e, out, cap);
    cobs_enc_byte(&e, type);
    cobs_enc_bytes(&e, payload, payload_len);
    cobs_enc_bytes(&e, crc_le, sizeof crc_le);
    size_t n = cobs_enc_end(&e);
    if (n == 0 || n >= cap)
        return 0;
    out[n] = 0x00;
    return n + 1u;
}

void frame_decoder_init(struct frame_decoder *d)
{
    memset(d, 0, sizeof *d);
}

/* Raw bytes of a frame: type + payload + crc. */
#define RAW_MIN 5u

static enum frame_result decoder_bad(struct frame_decoder *d, enum frame_bad_reason why)
{
    d->frames_bad++;
    if (why == FRAME_BAD_CRC)
        d->crc_errors++;
    d->last_bad = why;
    /* The frame's bytes and its delimiter are lost. */
    d->bytes_dropped += (uint64_t)d->wire_len + 1u;
    d->wire_len = 0;
    d->overflowed = 0;
    return FRAME_BAD;
}

enum frame_result frame_decoder_push(struct frame_decoder *d, uint8_t byte)
{
    d->bytes_total++;
    if (byte != 0x00) {
        /* wire_len counts every byte of the current frame, also those past
         * the buffer, so an overlong frame is accounted in full when its
         * delimiter finally arrives. */
        if (d->wire_len < sizeof d->wire)
            d->wire[d->wire_len] = byte;
        else
            d->overflowed = 1;
        d->wire_len++;
        return FRAME_NEED_MORE;
    }

    /* Delimiter. */
    if (d->wire_len == 0)
        return FRAME_NEED_MORE; /* empty frame: idle fill or resync byte */
    if (d->overflowed)
        return decoder_bad(d, FRAME_BAD_OVERLONG);

    long raw = cobs_decode(d->wire, d->wire_len, d->payload, sizeof d->payload);
    if (raw == -2)
        return decoder_bad(d, FRAME_BAD_OVERLONG);
    if (raw < 0)
        return decoder_bad(d, FRAME_BAD_COBS);
    size_t n = (size_t)raw;
    if (n < RAW_MIN)
        return decoder_bad(d, FRAME_BAD_SHORT);

    const uint8_t *c = &d->payload[n - 4u];
    uint32_t want =
        (uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24;
    if (frame_crc32(d->payload, n - 4u) != want)
        return decoder_bad(d, FRAME_BAD_CRC);

    d->type = d->payload[0];
    d->payload_len = n - RAW_MIN;
    memmove(d->payload, d->payload + 1, d->payload_len);
    d->frames_ok++;
    d->wire_len = 0;
    return FRAME_OK;
}
