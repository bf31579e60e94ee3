/*
 * devlink.c - hello handshake, commands with ACKs, frame pumping (devlink.h).
 */
#include "devlink.h"

#include <string.h>
#include <time.h>

#include "gc_error.h"

#define LOG_PREFIX "devlink"
#include "log.h"

int64_t dev_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void dev_init(struct devlink *d, struct slink *link)
{
    memset(d, 0, sizeof *d);
    d->link = link;
    frame_decoder_init(&d->dec);
    d->next_token = 1;
}

int dev_send(struct devlink *d, uint8_t cmd, uint32_t arg, uint64_t arg64)
{
    struct pkt_cmd c = {.cmd = cmd, .token = d->next_token++, .arg = arg, .arg64 = arg64};
    if (d->next_token == 0)
        d->next_token = 1;
    if (cmd == CMD_PING && arg64 == 0)
        c.arg64 = (uint64_t)(dev_now_ns() / 1000);
    uint8_t payload[PKT_CMD_SIZE];
    uint8_t wire[FRAME_MAX_WIRE];
    size_t pn = pkt_cmd_encode(&c, payload, sizeof payload);
    size_t wn = pn ? frame_encode(PKT_CMD, payload, pn, wire, sizeof wire) : 0;
    if (wn == 0)
        return GC_ERR_ARG;
    int rc = slink_write(d->link, wire, wn, DEV_WRITE_TIMEOUT_MS);
    if (rc < 0)
        return rc;
    if (d->on_tx)
        d->on_tx(d->user, payload, pn, dev_now_ns());
    return c.token;
}

int dev_pump(struct devlink *d, int timeout_ms, uint8_t want_type, int want_token, uint8_t *out,
             size_t *out_len)
{
    int64_t deadline = dev_now_ns() + (int64_t)timeout_ms * 1000000;
    uint8_t buf[4096];
    for (;;) {
        int64_t left_ns = deadline - dev_now_ns();
        int wait_ms = left_ns > 0 ? (int)((left_ns + 999999) / 1000000) : 0;
        int n = slink_read(d->link, buf, sizeof buf, wait_ms);
        if (n < 0)
            return n;
        int64_t t = dev_now_ns();
        if (n > 0)
            d->last_rx_ns = t;
        int found = 0;
        for (int i = 0; i < n; i++) {
            enum frame_result fr = frame_decoder_push(&d->dec, buf[i]);
            if (fr == FRAME_BAD) {
                d->bad_pending++;
                continue;
            }
            if (fr != FRAME_OK)
                continue;
            const uint8_t *p = d->dec.payload;
            size_t len = d->dec.payload_len;
            bool wanted = !found && want_type != 0 && d->dec.type == want_type;
            if (wanted && want_token >= 0) {
                /* ACK token sits at bytes 1..2 (docs/protocol.md). */
                wanted = len >= 3 && (int)(p[1] | (p[2] << 8)) == want_token;
            }
            if (wanted && out) {
                memcpy(out, p, len);
                *out_len = len;
                found = 1;
                /* Keep decoding the rest of this chunk: those bytes are read
                 * already and belong to the stream. */
            }
            uint32_t bad = d->bad_pending;
            d->bad_pending = 0;
            if (d->on_frame && d->on_frame(d->user, d->dec.type, p, len, t, bad))
                return found ? 1 : 0;
        }
        if (found)
            return 1;
        if (n > 0 && want_type == 0)
            return 0; /* pumping without a target: one chunk at a time */
        if (dev_now_ns() >= deadline)
            return 0;
    }
}

int dev_drain(struct devlink *d, int timeout_ms)
{
    int64_t deadline = dev_now_ns() + (int64_t)timeout_ms * 1000000;
    for (;;) {
        int64_t left = (deadline - dev_now_ns()) / 1000000;
        if (left <= 0)
            return 0;
        int rc = dev_pump(d, (int)left, 0, -1, NULL, NULL);
        if (rc < 0)
            return rc;
    }
}

int dev_identify(struct devlink *d, int timeout_ms, struct pkt_hello *hello,
                 uint8_t raw[PKT_HELLO_SIZE], int *peer_version)
{
    int64_t deadline = dev_now_ns() + (int64_t)timeout_ms * 1000000;
    uint8_t payload[FRAME_MAX_PAYLOAD + 5];
    size_t len = 0;
    for (;;) {
        int rc = dev_send(d, CMD_IDENTIFY, 0, 0);
        if (rc < 0 && rc != GC_ERR_TIMEOUT)
            return rc;
        int64_t left = (deadline - dev_now_ns()) / 1000000;
        if (left <= 0)
            return GC_ERR_TIMEOUT;
        int wait = left < DEV_IDENTIFY_RETRY_MS ? (int)left : DEV_IDENTIFY_RETRY_MS;
        rc = dev_pump(d, wait, PKT_HELLO, -1, payload, &len);
        if (rc < 0)
            return rc;
        if (rc == 1)
            break;
    }
    /* The version byte comes first in every protocol version, so a newer
     * device is recognised even if the rest of its HELLO changed. */
    if (len < 1 || payload[0] != PROTO_VERSION) {
        if (peer_version)
            *peer_version = len >= 1 ? payload[0] : -1;
        return GC_ERR_VERSION;
    }
    if (pkt_hello_decode(payload, len, hello) < 0)
        return GC_ERR_FORMAT;
    if (raw)
        memcpy(raw, payload, PKT_HELLO_SIZE);
    if (peer_version)
        *peer_version = payload[0];
    return GC_OK;
}

int dev_command(struct devlink *d, uint8_t cmd, uint32_t arg, uint64_t arg64, int timeout_ms,
                struct pkt_ack *ack)
{
    int token = dev_send(d, cmd, arg, arg64);
    if (token < 0)
        return token;
    uint8_t payload[FRAME_MAX_PAYLOAD + 5];
    size_t len = 0;
    int rc = dev_pump(d, timeout_ms, PKT_ACK, token, payload, &len);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return GC_ERR_TIMEOUT;
    if (pkt_ack_decode(payload, len, ack) < 0)
        return GC_ERR_FORMAT;
    return GC_OK;
}

double dev_stream_bytes_per_s(unsigned rate_hz, unsigned block)
{
    if (block == 0 || rate_hz == 0)
        return 0;
    /* type + header + samples + CRC, COBS overhead (1 per 254 + 1), 0x00. */
    double raw = 1.0 + PKT_SAMPLES_HEADER + (double)block * PKT_SAMPLE_BYTES + 4.0;
    double wire = raw + raw / 254.0 + 2.0;
    return wire * (double)rate_hz / (double)block;
}
