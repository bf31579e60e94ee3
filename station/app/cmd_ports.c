/*
 * cmd_ports.c - `station ports`: list serial ports with USB VID:PID,
 * manufacturer, product and serial number, and mark gaitcue sensors that
 * answer hello.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "gc_error.h"
#include "sensor_open.h"
#include "slink.h"

#define PORTS_MAX_EXTRA 32

static const char *transport_name(enum slink_transport t)
{
    switch (t) {
    case SLINK_TR_USB:
        return "usb";
    case SLINK_TR_BLUETOOTH:
        return "bluetooth";
    case SLINK_TR_PTY:
        return "pty";
    default:
        return "native";
    }
}

static const char *or_dash(const char *s)
{
    return s && s[0] ? s : "-";
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: station ports [--no-probe] [--port PATH]...\n\n"
            "List serial ports: path, transport, USB VID:PID, manufacturer, product and\n"
            "serial number.  Every port is asked for a gaitcue hello (%d ms) and the\n"
            "sensors that answer are marked with their serial number.\n\n"
            "  --no-probe     do not send anything, only list\n"
            "  --port PATH    also check PATH (e.g. a pseudo-terminal, which the system\n"
            "                 does not list; $GC_EXTRA_PORTS adds colon-separated paths)\n",
            SENSOR_SCAN_TIMEOUT_MS);
}

int cmd_ports(int argc, char **argv)
{
    bool probe = true;
    const char *extra[PORTS_MAX_EXTRA];
    size_t n_extra = 0;
    char storage[2048];
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--no-probe")) {
            probe = false;
        } else if (!strcmp(argv[i], "--port") && i + 1 < argc && n_extra < PORTS_MAX_EXTRA) {
            extra[n_extra++] = argv[++i];
        } else {
            fprintf(stderr, "station: unknown option '%s'; see 'station ports --help'.\n", argv[i]);
            return 2;
        }
    }
    n_extra +=
        sensor_extra_ports(extra + n_extra, PORTS_MAX_EXTRA - n_extra, storage, sizeof storage);
    struct slink_port_info *ports = NULL;
    int n = slink_ports_list(extra, n_extra, &ports);
    if (n < 0) {
        fprintf(stderr, "station: the serial ports cannot be listed (%s).\n", gc_strerror(n));
        return 1;
    }
    if (n == 0) {
        printf("no serial ports found; connect the sensor, or try the simulator with 'station "
               "run --sim'.\n");
        free(ports);
        return 0;
    }
    printf("%-24s %-9s %-9s %-20s %-24s %-16s %s\n", "PORT", "TRANSPORT", "VID:PID", "MANUFACTURER",
           "PRODUCT", "SERIAL", "GAITCUE");
    int sensors = 0;
    for (int i = 0; i < n; i++) {
        const struct slink_port_info *p = &ports[i];
        char vidpid[16] = "-";
        if (p->usb_vid >= 0)
            snprintf(vidpid, sizeof vidpid, "%04x:%04x", p->usb_vid & 0xffff, p->usb_pid & 0xffff);
        char mark[64] = "-";
        struct pkt_hello h;
        if (probe && sensor_answers(p->path, SENSOR_SCAN_TIMEOUT_MS, &h)) {
            snprintf(mark, sizeof mark, "yes (serial %s)", h.serial);
            sensors++;
        } else if (!probe) {
            snprintf(mark, sizeof mark, "?");
        }
        printf("%-24s %-9s %-9s %-20s %-24s %-16s %s\n", p->path, transport_name(p->transport),
               vidpid, or_dash(p->manufacturer), or_dash(p->product), or_dash(p->serial), mark);
    }
    if (probe)
        printf("%d gaitcue sensor%s found.\n", sensors, sensors == 1 ? "" : "s");
    free(ports);
    return 0;
}
