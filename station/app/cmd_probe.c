/*
 * cmd_probe.c - `station probe PORT [--seconds N]`: check a sensor and the
 * link, print ONE JSON object on stdout.
 *
 *   hello (identity) -> STOP, SET_RATE, START (acks) -> stream N seconds
 *   with pings -> STOP (ack) -> counters, measured rate, ping latency.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "calfile.h"
#include "calstore.h"
#include "commands.h"
#include "deck.h"
#include "devlink.h"
#include "gc_error.h"
#include "usertext.h"
#include "sensor_open.h"
#include "units.h"
#include "stats.h"

#define PROBE_PING_MS   100
#define PROBE_MAX_PINGS 4096

struct probe {
    uint64_t blocks, samples, status_packets, acks;
    struct pkt_seq_tracker seq;
    int64_t t_first_rx, t_last_rx;
    uint64_t t_first_us, t_end_us;
    uint16_t rate_hz;
    struct pkt_status last_status;
    bool have_status;
    double rtt_ms[PROBE_MAX_PINGS];
    int n_rtt;
    /* Static load on the deck: per-cell forces summed over every sample,
     * with the nominal scale and (if given) the calibration.  Conversion is
     * linear in the counts, so the mean of the forces is the force of the
     * mean reading. */
    struct deck_cal nominal, cal;
    bool have_cal;
    double sum_nominal_n[PKT_CELLS], sum_cal_n[PKT_CELLS];
    uint64_t load_samples;
};

static void add_load(struct probe *p, const struct pkt_samples *b)
{
    double f[PKT_CELLS];
    for (unsigned k = 0; k < b->n; k++) {
        deck_cell_forces(&p->nominal, &b->s[k], f);
        for (unsigned i = 0; i < PKT_CELLS; i++)
            p->sum_nominal_n[i] += f[i];
        if (p->have_cal) {
            deck_cell_forces(&p->cal, &b->s[k], f);
            for (unsigned i = 0; i < PKT_CELLS; i++)
                p->sum_cal_n[i] += f[i];
        }
    }
    p->load_samples += b->n;
}

/* Mean force and COP of the streamed samples under one calibration. */
static void add_load_json(cJSON *parent, const char *name, const struct deck_cal *cal,
                          const double sum_n[PKT_CELLS], uint64_t n, const char *desc)
{
    cJSON *o = cJSON_AddObjectToObject(parent, name);
    double mean[PKT_CELLS];
    for (unsigned i = 0; i < PKT_CELLS; i++)
        mean[i] = sum_n[i] / (double)n;
    struct gait_sample g;
    deck_from_forces(cal, mean, 0.0, &g);
    cJSON_AddNumberToObject(o, "fz_n", g.fz_n);
    cJSON_AddNumberToObject(o, "mass_kg", units_n_to_kg(g.fz_n));
    if (isfinite(g.copx_m)) {
        cJSON_AddNumberToObject(o, "copx_m", g.copx_m);
        cJSON_AddNumberToObject(o, "copy_m", g.copy_m);
    } else {
        cJSON_AddNullToObject(o, "copx_m");
        cJSON_AddNullToObject(o, "copy_m");
    }
    cJSON *cells = cJSON_AddArrayToObject(o, "cells_n");
    for (unsigned i = 0; i < PKT_CELLS; i++)
        cJSON_AddItemToArray(cells, cJSON_CreateNumber(mean[i]));
    cJSON_AddStringToObject(o, "calibration", desc);
}

static int on_frame(void *user, uint8_t type, const uint8_t *payload, size_t len, int64_t t_rx,
                    uint32_t bad)
{
    (void)bad;
    struct probe *p = user;
    if (type == PKT_SAMPLES) {
        struct pkt_samples b;
        if (pkt_samples_decode(payload, len, &b) < 0)
            return 0;
        pkt_seq_update(&p->seq, b.seq);
        if (p->blocks == 0) {
            p->t_first_rx = t_rx;
            p->t_first_us = b.t_first_us;
        }
        p->t_last_rx = t_rx;
        p->t_end_us = b.t_first_us + (uint64_t)llround(b.n * 1e6 / (b.rate_hz ? b.rate_hz : 1));
        p->rate_hz = b.rate_hz;
        p->blocks++;
        p->samples += b.n;
        add_load(p, &b);
    } else if (type == PKT_STATUS) {
        if (pkt_status_decode(payload, len, &p->last_status) == 0) {
            p->have_status = true;
            p->status_packets++;
        }
    } else if (type == PKT_ACK) {
        struct pkt_ack a;
        p->acks++;
        if (pkt_ack_decode(payload, len, &a) == 0 && a.cmd == CMD_PING && a.echo &&
            p->n_rtt < PROBE_MAX_PINGS) {
            double rtt = (double)(t_rx / 1000 - (int64_t)a.echo) * 1e-3;
            if (rtt >= 0)
                p->rtt_ms[p->n_rtt++] = rtt;
        }
    }
    return 0;
}

static const char *ack_text(int rc, const struct pkt_ack *a)
{
    if (rc == GC_ERR_TIMEOUT)
        return "timeout";
    if (rc < 0)
        return "error";
    switch (a->status) {
    case ACK_OK:
        return "ok";
    case ACK_BAD_ARG:
        return "bad_arg";
    case ACK_BAD_STATE:
        return "bad_state";
    case ACK_UNSUPPORTED:
        return "unsupported";
    default:
        return "unknown";
    }
}

static const char *corner_name(uint8_t c)
{
    static const char *names[] = {"front_left", "front_right", "rear_left", "rear_right"};
    return c < 4 ? names[c] : "?";
}

static void usage(FILE *f)
{
    fprintf(f, "usage: station probe PORT [--seconds N] [--link auto|termios|serialport] "
               "[--baud N]\n"
               "                    [--calibration FILE [--allow-other-sensor]]\n\n"
               "Check a sensor: identity, command acknowledgements (stop, set-rate, start, ping),\n"
               "then N seconds of streaming (default 2): samples, CRC errors, sequence gaps,\n"
               "measured sample rate, ping latency.  Prints one JSON object on stdout.\n"
               "It also reads the deck's load (\"load\": mean force, mass and centre of\n"
               "pressure over the stream) with the nominal scale and, with --calibration, with\n"
               "that calibration: put a known mass at a known point to check a calibration.\n");
}

int cmd_probe(int argc, char **argv)
{
    const char *port = NULL;
    double seconds = 2.0;
    const char *cal_path = NULL;
    bool allow_other = false;
    struct slink_params lp = {SLINK_AUTO, 0, false};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--seconds") && i + 1 < argc) {
            char *end;
            seconds = strtod(argv[++i], &end);
            if (*end || !(seconds > 0 && seconds <= 3600)) {
                fprintf(stderr, "station: --seconds must be between 0 and 3600.\n");
                return 2;
            }
        } else if (!strcmp(a, "--link") && i + 1 < argc) {
            const char *v = argv[++i];
            lp.kind = !strcmp(v, "termios")      ? SLINK_TERMIOS
                      : !strcmp(v, "serialport") ? SLINK_SERIALPORT
                                                 : SLINK_AUTO;
        } else if (!strcmp(a, "--baud") && i + 1 < argc) {
            lp.baud = atoi(argv[++i]);
        } else if (!strcmp(a, "--calibration") && i + 1 < argc) {
            cal_path = argv[++i];
        } else if (!strcmp(a, "--allow-other-sensor")) {
            allow_other = true;
        } else if (a[0] != '-' && port == NULL) {
            port = a;
        } else {
            fprintf(stderr, "station: unknown option '%s'; see 'station probe --help'.\n", a);
            return 2;
        }
    }
    if (port == NULL) {
        fprintf(stderr, "station: give the port to probe, e.g. station probe /dev/ttyACM0 "
                        "(list them with 'station ports').\n");
        return 2;
    }
    struct sensor_conn c;
    struct gc_diag od;
    if (sensor_open(port, &lp, 0, &c, &od) < 0) {
        usertext_say(stderr, "station probe", od.msg);
        return 1;
    }
    struct probe *p = calloc(1, sizeof *p);
    if (p == NULL) {
        slink_close(c.link);
        return 1;
    }
    pkt_seq_init(&p->seq);
    char cal_desc[200] = "nominal scale from the sensor (uncalibrated)";
    deck_cal_nominal(&c.hello, &p->nominal);
    if (cal_path) {
        struct calfile *cf = calloc(1, sizeof *cf);
        struct gc_diag diag;
        if (cf == NULL)
            gc_fail(&diag, GC_ERR_NOMEM, "out of memory loading the calibration");
        if (cf == NULL || calfile_load(cal_path, c.hello.serial,
                                       allow_other ? CALFILE_ALLOW_OTHER_SERIAL : 0, cf,
                                       &diag) < 0) {
            fprintf(stderr, "station: %s\n", diag.msg);
            free(cf);
            free(p);
            slink_close(c.link);
            return 1;
        }
        if (gc_diag_is_warning(&diag))
            fprintf(stderr, "station: %s\n", diag.msg);
        p->cal = cf->deck;
        p->have_cal = true;
        calfile_describe(cf, time(NULL), cal_desc, sizeof cal_desc);
        free(cf);
    }
    struct devlink d;
    dev_init(&d, c.link);
    d.on_frame = on_frame;
    d.user = p;

    struct pkt_ack a_stop, a_rate, a_start, a_ping, a_stop2;
    memset(&a_stop, 0, sizeof a_stop);
    a_rate = a_start = a_ping = a_stop2 = a_stop;
    int r_stop = dev_command(&d, CMD_STOP, 0, 0, DEV_ACK_TIMEOUT_MS, &a_stop);
    int r_rate = dev_command(&d, CMD_SET_RATE, c.hello.rate_hz, 0, DEV_ACK_TIMEOUT_MS, &a_rate);
    int r_ping = dev_command(&d, CMD_PING, 0, 0, DEV_ACK_TIMEOUT_MS, &a_ping);
    int r_start = dev_command(&d, CMD_START, 0, 0, DEV_ACK_TIMEOUT_MS, &a_start);
    int64_t t_end = dev_now_ns() + (int64_t)(seconds * 1e9);
    int link_rc = 0;
    while (dev_now_ns() < t_end) {
        dev_send(&d, CMD_PING, 0, 0);
        int rc = dev_drain(&d, PROBE_PING_MS);
        if (rc < 0) {
            link_rc = rc;
            break;
        }
    }
    int r_stop2 = link_rc ? link_rc : dev_command(&d, CMD_STOP, 0, 0, DEV_ACK_TIMEOUT_MS, &a_stop2);
    const struct frame_decoder *dec = &d.dec;

    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "port", port);
    cJSON_AddStringToObject(j, "link", slink_kind_name(slink_get_kind(c.link)));
    cJSON *id = cJSON_AddObjectToObject(j, "identity");
    cJSON_AddStringToObject(id, "serial", c.hello.serial);
    char fw[32];
    snprintf(fw, sizeof fw, "%u.%u.%u", c.hello.fw_major, c.hello.fw_minor, c.hello.fw_patch);
    cJSON_AddStringToObject(id, "firmware", fw);
    cJSON_AddNumberToObject(id, "protocol", c.hello.proto_version);
    cJSON_AddNumberToObject(id, "rate_hz", c.hello.rate_hz);
    cJSON_AddNumberToObject(id, "cell_n_per_count", c.hello.cell_n_per_count);
    cJSON_AddNumberToObject(id, "accel_g_per_lsb", c.hello.accel_g_per_lsb);
    cJSON_AddNumberToObject(id, "gyro_dps_per_lsb", c.hello.gyro_dps_per_lsb);
    cJSON_AddNumberToObject(id, "faults", c.hello.faults);
    cJSON *cells = cJSON_AddArrayToObject(id, "cells");
    for (unsigned i = 0; i < PKT_CELLS; i++) {
        cJSON *cell = cJSON_CreateObject();
        cJSON_AddNumberToObject(cell, "channel", i);
        cJSON_AddStringToObject(cell, "corner", corner_name(c.hello.channel_corner[i]));
        cJSON_AddNumberToObject(cell, "x_mm", c.hello.cell_x_mm[i]);
        cJSON_AddNumberToObject(cell, "y_mm", c.hello.cell_y_mm[i]);
        cJSON_AddItemToArray(cells, cell);
    }
    cJSON *acks = cJSON_AddObjectToObject(j, "acks");
    cJSON_AddStringToObject(acks, "identify", "ok");
    cJSON_AddStringToObject(acks, "stop", ack_text(r_stop, &a_stop));
    cJSON_AddStringToObject(acks, "set_rate", ack_text(r_rate, &a_rate));
    cJSON_AddStringToObject(acks, "ping", ack_text(r_ping, &a_ping));
    cJSON_AddStringToObject(acks, "start", ack_text(r_start, &a_start));
    cJSON_AddStringToObject(acks, "stop_after", ack_text(r_stop2, &a_stop2));

    cJSON_AddNumberToObject(j, "seconds", seconds);
    cJSON_AddNumberToObject(j, "samples", (double)p->samples);
    cJSON_AddNumberToObject(j, "blocks", (double)p->blocks);
    cJSON_AddNumberToObject(j, "frames", (double)dec->frames_ok);
    cJSON_AddNumberToObject(j, "bad_frames", (double)dec->frames_bad);
    cJSON_AddNumberToObject(j, "crc_errors", (double)dec->crc_errors);
    cJSON_AddNumberToObject(j, "bytes", (double)dec->bytes_total);
    cJSON_AddNumberToObject(j, "seq_gaps", (double)p->seq.gaps);
    cJSON_AddNumberToObject(j, "lost_blocks", (double)p->seq.lost_blocks);
    cJSON_AddNumberToObject(j, "seq_restarts", (double)p->seq.restarts);
    double host_s = (double)(p->t_last_rx - p->t_first_rx) * 1e-9;
    /* Samples after the first block over the host time they took to come. */
    double blk = p->blocks ? (double)p->samples / (double)p->blocks : 0;
    if (p->blocks >= 2 && host_s > 0)
        cJSON_AddNumberToObject(j, "rate_measured_hz", ((double)p->samples - blk) / host_s);
    else
        cJSON_AddNullToObject(j, "rate_measured_hz");
    double sens_s = (double)(p->t_end_us - p->t_first_us) * 1e-6;
    if (p->blocks >= 1 && sens_s > 0)
        cJSON_AddNumberToObject(j, "rate_sensor_hz", (double)p->samples / sens_s);
    else
        cJSON_AddNullToObject(j, "rate_sensor_hz");
    cJSON *png = cJSON_AddObjectToObject(j, "ping_ms");
    cJSON_AddNumberToObject(png, "count", p->n_rtt);
    if (p->n_rtt > 0) {
        /* sorts in place: min and max are then the ends */
        double med = stats_median_inplace(p->rtt_ms, (size_t)p->n_rtt);
        cJSON_AddNumberToObject(png, "min", p->rtt_ms[0]);
        cJSON_AddNumberToObject(png, "median", med);
        cJSON_AddNumberToObject(png, "max", p->rtt_ms[p->n_rtt - 1]);
        cJSON_AddNumberToObject(png, "one_way_estimate", p->rtt_ms[0] / 2);
    }
    cJSON *dev = cJSON_AddObjectToObject(j, "device");
    if (p->have_status) {
        cJSON_AddNumberToObject(dev, "dropped_samples", p->last_status.dropped_samples);
        cJSON_AddNumberToObject(dev, "overruns", p->last_status.overruns);
        cJSON_AddNumberToObject(dev, "faults", p->last_status.faults);
        cJSON_AddNumberToObject(dev, "reset_reason", p->last_status.reset_reason);
    }
    cJSON_AddNumberToObject(dev, "status_packets", (double)p->status_packets);
    cJSON *load = cJSON_AddObjectToObject(j, "load");
    cJSON_AddNumberToObject(load, "samples", (double)p->load_samples);
    if (p->load_samples > 0) {
        add_load_json(load, "uncalibrated", &p->nominal, p->sum_nominal_n, p->load_samples,
                      "nominal scale from the sensor (uncalibrated)");
        if (p->have_cal)
            add_load_json(load, "calibrated", &p->cal, p->sum_cal_n, p->load_samples, cal_desc);
    }
    bool ok = link_rc == 0 && p->samples > 0 && r_start == GC_OK && a_start.status == ACK_OK;
    cJSON_AddBoolToObject(j, "ok", ok);
    char *text = cJSON_PrintUnformatted(j);
    if (text)
        printf("%s\n", text);
    cJSON_free(text);
    cJSON_Delete(j);
    slink_close(c.link);
    free(p);
    if (link_rc < 0) {
        fprintf(stderr, "station: the link to %s broke during the probe (%s); check the cable.\n",
                port, gc_strerror(link_rc));
        return 1;
    }
    if (!ok) {
        fprintf(stderr,
                "station: the sensor on %s did not stream samples; check its faults "
                "above.\n",
                port);
        return 1;
    }
    return 0;
}
