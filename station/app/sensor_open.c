/*
 * sensor_open.c - open + identify a sensor with user-facing sentences.
 */
#include "sensor_open.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devlink.h"
#include "gc_error.h"

#define LOG_PREFIX "sensor"
#include "log.h"

/* The sentence for slink_open's failure rc; detail is its diag's message. */
static int open_error(int rc, const char *port, const char *detail, struct gc_diag *diag)
{
    switch (rc) {
    case GC_ERR_NOT_FOUND:
        gc_fail(diag, rc,
                "There is no serial port at %s; check the cable, or run 'station ports' to "
                "list the ports.",
                port);
        break;
    case GC_ERR_BUSY:
        gc_fail(diag, rc,
                "%s is in use by another program; close that program (or the other station) "
                "and try again.",
                port);
        break;
    case GC_ERR_PERM:
        gc_fail(diag, rc,
                "Permission denied on %s; add your user to the 'dialout' group and log in "
                "again, or run as root.",
                port);
        break;
    case GC_ERR_UNSUPPORTED:
        if (slink_is_pty(port))
            gc_fail(diag, rc,
                    "libserialport cannot open the pseudo-terminal %s; use --link termios (or "
                    "leave --link at auto).",
                    port);
        else
            gc_fail(diag, rc,
                    "%s cannot be used as a serial port (%s); pass the sensor's port with "
                    "--port.",
                    port, detail);
        break;
    case GC_ERR_ARG:
        gc_fail(diag, rc, "%s cannot be opened with these settings (%s); check --baud and --link.",
                port, detail);
        break;
    default:
        gc_fail(diag, rc, "Cannot open %s (%s); check the cable and try again.", port, detail);
        break;
    }
    return rc;
}

static int hello_error(int rc, int peer_version, const char *port, struct gc_diag *diag)
{
    switch (rc) {
    case GC_ERR_TIMEOUT:
        gc_fail(diag, rc,
                "The device on %s did not say hello within %.0f s; check that it is a gaitcue "
                "sensor and switched on, or run 'station ports'.",
                port, DEV_HELLO_TIMEOUT_MS / 1000.0);
        break;
    case GC_ERR_VERSION:
        if (peer_version >= 1 && peer_version < (int)PROTO_VERSION)
            gc_fail(diag, rc,
                    "The sensor on %s runs older firmware (protocol version %d, which cannot "
                    "resend damaged data); this station needs version %u: flash the current "
                    "sensor firmware (docs/firmware.md, Build).",
                    port, peer_version, PROTO_VERSION);
        else
            gc_fail(diag, rc,
                    "The sensor on %s speaks protocol version %d but this station speaks "
                    "version %u; update the station so they match.",
                    port, peer_version, PROTO_VERSION);
        break;
    case GC_ERR_FORMAT:
        gc_fail(diag, rc,
                "The device on %s sent an identity this station cannot read; check that it is "
                "a gaitcue sensor.",
                port);
        break;
    default:
        gc_fail(diag, rc,
                "The link to %s broke during the handshake (%s); check the cable and try again.",
                port, gc_strerror(rc));
        break;
    }
    return rc;
}

int sensor_open(const char *port, const struct slink_params *lp, unsigned rate_hz,
                struct sensor_conn *c, struct gc_diag *diag)
{
    memset(c, 0, sizeof *c);
    gc_diag_clear(diag);
    struct slink *l = NULL;
    struct gc_diag od;
    int rc = slink_open(port, lp, &l, &od);
    if (rc < 0)
        return open_error(rc, port, od.msg, diag);
    struct devlink d;
    dev_init(&d, l);
    int ver = -1;
    rc = dev_identify(&d, DEV_HELLO_TIMEOUT_MS, &c->hello, c->hello_raw, &ver);
    if (rc < 0) {
        hello_error(rc, ver, port, diag);
        slink_close(l);
        return rc;
    }
    struct pkt_ack ack;
    if (c->hello.streaming) {
        /* A stream left running by an earlier session: stop it so the new
         * session starts from a clean START. */
        rc = dev_command(&d, CMD_STOP, 0, 0, DEV_ACK_TIMEOUT_MS, &ack);
        if (rc < 0) {
            hello_error(rc, ver, port, diag);
            slink_close(l);
            return rc;
        }
        /* Let the tail of the old stream drain. */
        dev_drain(&d, 50);
        c->hello.streaming = false;
        c->hello_raw[PKT_HELLO_SIZE - 1] = 0;
    }
    if (rate_hz && rate_hz != c->hello.rate_hz) {
        rc = dev_command(&d, CMD_SET_RATE, rate_hz, 0, DEV_ACK_TIMEOUT_MS, &ack);
        if (rc == GC_OK && ack.status != ACK_OK) {
            gc_fail(diag, GC_ERR_ARG,
                    "The sensor on %s refused the sample rate %u Hz; choose a rate it supports "
                    "(500 to 2000 Hz).",
                    port, rate_hz);
            slink_close(l);
            return GC_ERR_ARG;
        }
        if (rc == GC_OK)
            rc = dev_identify(&d, DEV_HELLO_TIMEOUT_MS, &c->hello, c->hello_raw, &ver);
        if (rc < 0) {
            hello_error(rc, ver, port, diag);
            slink_close(l);
            return rc;
        }
    }
    int baud = slink_get_baud(l);
    double need_baud =
        dev_stream_bytes_per_s(c->hello.rate_hz, SENSOR_BLOCK_SAMPLES) * 10.0; /* 8N1: 10 bits */
    if (baud > 0 && need_baud > SENSOR_BAUD_HEADROOM * baud) {
        gc_fail(diag, GC_ERR_UNSUPPORTED,
                "The link to %s at %d baud is too slow for %u Hz (the stream needs at least "
                "%.0f baud); use --baud 921600 or a lower rate with --rate.",
                port, baud, (unsigned)c->hello.rate_hz, need_baud / SENSOR_BAUD_HEADROOM);
        slink_close(l);
        return GC_ERR_UNSUPPORTED;
    }
    c->link = l;
    return GC_OK;
}

bool sensor_answers(const char *port, int timeout_ms, struct pkt_hello *hello)
{
    struct slink *l = NULL;
    struct slink_params lp = {SLINK_AUTO, 0, false};
    if (slink_open(port, &lp, &l, NULL) < 0)
        return false;
    struct devlink d;
    dev_init(&d, l);
    uint8_t raw[PKT_HELLO_SIZE];
    int ver;
    int rc = dev_identify(&d, timeout_ms, hello, raw, &ver);
    slink_close(l);
    return rc == GC_OK;
}

size_t sensor_extra_ports(const char **out, size_t max, char *storage, size_t cap)
{
    const char *env = getenv("GC_EXTRA_PORTS");
    if (env == NULL || cap == 0)
        return 0;
    snprintf(storage, cap, "%s", env);
    size_t n = 0;
    char *save = NULL;
    for (char *p = strtok_r(storage, ":", &save); p && n < max; p = strtok_r(NULL, ":", &save))
        out[n++] = p;
    return n;
}

int sensor_autodetect(char *port, size_t cap, struct gc_diag *diag)
{
    gc_diag_clear(diag);
    const char *extra[16];
    char storage[2048];
    size_t n_extra = sensor_extra_ports(extra, 16, storage, sizeof storage);
    struct slink_port_info *ports = NULL;
    int n = slink_ports_list(extra, n_extra, &ports);
    if (n < 0) {
        return gc_fail(diag, n,
                       "The serial ports cannot be listed (%s); pass the port with --port.",
                       gc_strerror(n));
    }
    int found = 0;
    char list[1024] = "";
    size_t ll = 0;
    for (int i = 0; i < n; i++) {
        struct pkt_hello h;
        if (!sensor_answers(ports[i].path, SENSOR_SCAN_TIMEOUT_MS, &h))
            continue;
        if (found == 0)
            snprintf(port, cap, "%s", ports[i].path);
        int k = snprintf(list + ll, sizeof list - ll, "%s%s (serial %s)", found ? ", " : "",
                         ports[i].path, h.serial);
        if (k > 0 && (size_t)k < sizeof list - ll)
            ll += (size_t)k;
        found++;
    }
    free(ports);
    if (found == 1)
        return GC_OK;
    if (found == 0) {
        return gc_fail(diag, GC_ERR_NOT_FOUND,
                       "No gaitcue sensor answered on any serial port (%d checked); connect the "
                       "sensor and check 'station ports', or try the simulator with 'station run "
                       "--sim'.",
                       n);
    }
    return gc_fail(diag, GC_ERR_BUSY,
                   "Several gaitcue sensors answered: %s; choose one with --port.", list);
}
