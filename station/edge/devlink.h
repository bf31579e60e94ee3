/*
 * devlink.h - talking to a gaitcue sensor over a struct slink: hello
 * handshake, commands with acknowledgements, frame pumping.
 *
 * Used by `station run` (handshake before streaming, and again by the
 * reader thread after a reconnect), `station probe`, `station ports` and
 * calib.  An edge of library station_io (no SDL2, ALSA, SQLite or cairo).
 * Frames that arrive while waiting for an answer (samples still streaming,
 * status) are handed to an optional callback instead of being lost.
 *
 * Thread: a devlink belongs to the thread that owns the link.
 */
#ifndef GC_DEVLINK_H
#define GC_DEVLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "packet.h"
#include "slink.h"

/* How long a device has to say hello (issue 2: 2 s). */
#define DEV_HELLO_TIMEOUT_MS 2000
/* IDENTIFY is repeated this often while waiting: bytes sent before the
 * device opened its side (QEMU, a booting MCU) are lost. */
#define DEV_IDENTIFY_RETRY_MS 500
#define DEV_ACK_TIMEOUT_MS    1000
#define DEV_WRITE_TIMEOUT_MS  200

/* Called for every good frame received while pumping; t_rx_ns is
 * CLOCK_MONOTONIC at the read that completed it.  Return non-zero to stop
 * pumping. */
typedef int (*dev_frame_fn)(void *user, uint8_t type, const uint8_t *payload, size_t len,
                            int64_t t_rx_ns, uint32_t bad_before);
/* Called for every command sent (so it can be recorded). */
typedef void (*dev_tx_fn)(void *user, const uint8_t *cmd_payload, size_t len, int64_t t_ns);

struct devlink {
    struct slink *link;       /* not owned */
    struct frame_decoder dec; /* frame layer state, counters */
    uint16_t next_token;
    uint32_t bad_pending;  /* bad frames since the last good frame handed out */
    int64_t last_rx_ns;    /* time of the last byte received */
    dev_frame_fn on_frame; /* may be NULL */
    dev_tx_fn on_tx;       /* may be NULL */
    void *user;
};

void dev_init(struct devlink *d, struct slink *link);
int64_t dev_now_ns(void);

/* Send one command; returns its token (>= 0) or a GC_ERR_*. */
int dev_send(struct devlink *d, uint8_t cmd, uint32_t arg, uint64_t arg64);

/* Read for at most timeout_ms, decoding frames.  want_type/want_token
 * select a frame to wait for (want_type 0: none; want_token < 0: any):
 * when it arrives it is copied to out (payload, *out_len) and 1 is
 * returned.  With want_type 0 it returns after the first read that got
 * bytes (so a caller can apply flow control between reads), or after
 * timeout_ms of silence.  Every good frame goes to on_frame.  Returns 0,
 * 1, or GC_ERR_CLOSED / GC_ERR_IO from the link. */
int dev_pump(struct devlink *d, int timeout_ms, uint8_t want_type, int want_token, uint8_t *out,
             size_t *out_len);
/* Pump (want_type 0) until timeout_ms has passed, whatever arrives. */
int dev_drain(struct devlink *d, int timeout_ms);

/* IDENTIFY -> ACK + HELLO within timeout_ms.  On success *hello and
 * raw[0..PKT_HELLO_SIZE) hold the identity.  Returns GC_OK,
 * GC_ERR_TIMEOUT (never said hello), GC_ERR_VERSION (protocol version
 * differs: *peer_version set), GC_ERR_FORMAT (unreadable HELLO), or a link
 * error. */
int dev_identify(struct devlink *d, int timeout_ms, struct pkt_hello *hello,
                 uint8_t raw[PKT_HELLO_SIZE], int *peer_version);

/* Send a command and wait for its ACK.  Returns GC_OK with *ack filled
 * (check ack->status), GC_ERR_TIMEOUT, or a link error. */
int dev_command(struct devlink *d, uint8_t cmd, uint32_t arg, uint64_t arg64, int timeout_ms,
                struct pkt_ack *ack);

/* Bytes per second the stream needs at rate_hz with FW-sized blocks of
 * block samples (COBS and delimiter included), for "link too slow". */
double dev_stream_bytes_per_s(unsigned rate_hz, unsigned block);

#endif
