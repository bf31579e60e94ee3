/*
 * test_slink.c - the serial link edge on pseudo-terminals, the fake pair and
 * the memory link.
 *
 *   test_slink            termios on a pty; libserialport on a pty must
 *                         fail with GC_ERR_UNSUPPORTED (libserialport 0.1.1
 *                         cannot open ptys: DESIGN.md section 6)
 *   test_slink shim       run with LD_PRELOAD=sp_shim.so: the libserialport
 *                         path works on a pty, and the port list shows the
 *                         USB identity the fake sysfs gives it
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "gc_error.h"
#include "slink.h"

static int open_master(char *slave, size_t cap)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0)
        return -1;
    snprintf(slave, cap, "%s", ptsname(m));
    return m;
}

static int read_all(int fd, uint8_t *buf, size_t n)
{
    size_t got = 0;
    for (int tries = 0; got < n && tries < 200; tries++) {
        ssize_t k = read(fd, buf + got, n - got);
        if (k > 0)
            got += (size_t)k;
        else
            usleep(5000);
    }
    return (int)got;
}

/* Round trip both ways and a timeout, on an open link to a pty. */
static void check_round_trip(struct slink *l, int master)
{
    const uint8_t out[] = {0x01, 0x02, 0x00, 0xff, 0x7e, 'a', 'b', 0x00};
    CHECK_EQ(write(master, out, sizeof out), (long)sizeof out);
    uint8_t in[64];
    size_t got = 0;
    for (int tries = 0; got < sizeof out && tries < 20; tries++) {
        int n = slink_read(l, in + got, sizeof in - got, 100);
        CHECK(n >= 0);
        if (n > 0)
            got += (size_t)n;
    }
    CHECK_EQ(got, sizeof out);
    CHECK(memcmp(in, out, sizeof out) == 0); /* raw: no byte translated */

    const uint8_t cmd[] = {0x10, 0x0d, 0x0a, 0x00, 0x11, 0x13};
    CHECK_EQ(slink_write(l, cmd, sizeof cmd, 200), (int)sizeof cmd);
    uint8_t back[16];
    CHECK_EQ(read_all(master, back, sizeof cmd), (int)sizeof cmd);
    CHECK(memcmp(back, cmd, sizeof cmd) == 0);

    /* nothing to read: 0 after the timeout, not an error */
    CHECK_EQ(slink_read(l, in, sizeof in, 30), 0);
}

static void test_termios(void)
{
    char slave[128];
    int m = open_master(slave, sizeof slave);
    CHECK(m >= 0);
    CHECK(slink_is_pty(slave));
    struct slink *l = NULL;
    CHECK_EQ(slink_open(slave, NULL, &l, NULL), GC_OK);
    CHECK(l != NULL);
    CHECK_EQ(slink_get_kind(l), SLINK_TERMIOS); /* auto picks termios for a pty */
    CHECK_EQ(slink_get_baud(l), 0);             /* a pty has no baud that matters */
    check_round_trip(l, m);

    /* a second opener is refused: busy */
    struct slink *l2 = NULL;
    struct gc_diag bd;
    CHECK_EQ(slink_open(slave, NULL, &l2, &bd), GC_ERR_BUSY);
    CHECK(l2 == NULL);
    CHECK_EQ(bd.code, GC_ERR_BUSY);
    CHECK_MSG(strstr(bd.msg, "locked by another process") != NULL, bd.msg);

    /* the other end goes away (unplug): read reports CLOSED, promptly */
    close(m);
    int rc = 0;
    for (int tries = 0; tries < 10 && rc == 0; tries++)
        rc = slink_read(l, (uint8_t[8]){0}, 8, 100);
    CHECK_EQ(rc, GC_ERR_CLOSED);
    slink_close(l);
}

static void test_errors(void)
{
    struct slink *l = NULL;
    CHECK_EQ(slink_open("/dev/nonexistent-gaitcue-port", NULL, &l, NULL), GC_ERR_NOT_FOUND);
    CHECK(l == NULL);
    char tmpl[] = "/tmp/gc-slink-XXXXXX";
    int fd = mkstemp(tmpl);
    CHECK(fd >= 0);
    close(fd);
    CHECK_EQ(slink_open(tmpl, NULL, &l, NULL), GC_ERR_UNSUPPORTED); /* a regular file */
    unlink(tmpl);
    CHECK_EQ(slink_open("/dev/null", NULL, &l, NULL), GC_ERR_UNSUPPORTED); /* not a tty */
    CHECK_EQ(slink_open(NULL, NULL, &l, NULL), GC_ERR_ARG);
}

static void test_serialport_without_shim(void)
{
    char slave[128];
    int m = open_master(slave, sizeof slave);
    struct slink_params p = {SLINK_SERIALPORT, 0, false};
    struct slink *l = NULL;
    struct gc_diag d;
    CHECK_EQ(slink_open(slave, &p, &l, &d), GC_ERR_UNSUPPORTED);
    CHECK_EQ(d.code, GC_ERR_UNSUPPORTED);
    CHECK(strstr(d.msg, "pseudo-terminal") != NULL);
    close(m);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_serialport_with_shim(void)
{
    char slave[128];
    int m = open_master(slave, sizeof slave);
    CHECK(m >= 0);

    /* Fake sysfs for this pty: DIR/pts/N/{busnum,...} and DIR/pts/N/device/ */
    char root[] = "/tmp/gc-sysfs-XXXXXX";
    CHECK(mkdtemp(root) != NULL);
    char dir[256], sub[300];
    snprintf(dir, sizeof dir, "%s/pts", root);
    mkdir(dir, 0755);
    snprintf(dir, sizeof dir, "%s/%s", root, slave + 5); /* root/pts/N */
    mkdir(dir, 0755);
    snprintf(sub, sizeof sub, "%s/device", dir);
    mkdir(sub, 0755);
    write_file(dir, "busnum", "1\n");
    write_file(dir, "devnum", "7\n");
    write_file(dir, "idVendor", "0483\n");
    write_file(dir, "idProduct", "5740\n");
    write_file(dir, "manufacturer", "gaitcue\n");
    write_file(dir, "product", "gaitcue deck sensor\n");
    write_file(dir, "serial", "GC-TEST-0042\n");
    setenv("GC_SHIM_SYSFS", root, 1);
    setenv("GC_SHIM_USB", "1", 1);

    struct slink_params p = {SLINK_SERIALPORT, 921600, false};
    struct slink *l = NULL;
    int rc = slink_open(slave, &p, &l, NULL);
    CHECK_EQ(rc, GC_OK);
    if (rc == GC_OK) {
        CHECK_EQ(slink_get_kind(l), SLINK_SERIALPORT);
        CHECK_EQ(slink_get_baud(l), 0); /* USB: the baud rate does not limit the link */
        check_round_trip(l, m);
        struct slink *l2 = NULL;
        CHECK_EQ(slink_open(slave, &p, &l2, NULL), GC_ERR_BUSY);
    }

    const char *extra[] = {slave};
    struct slink_port_info *ports = NULL;
    int n = slink_ports_list(extra, 1, &ports);
    CHECK(n >= 1);
    const struct slink_port_info *me = NULL;
    for (int i = 0; i < n; i++)
        if (!strcmp(ports[i].path, slave))
            me = &ports[i];
    CHECK(me != NULL);
    if (me) {
        CHECK_EQ(me->transport, SLINK_TR_USB);
        CHECK_EQ(me->usb_vid, 0x0483);
        CHECK_EQ(me->usb_pid, 0x5740);
        CHECK(!strcmp(me->manufacturer, "gaitcue"));
        CHECK(!strcmp(me->product, "gaitcue deck sensor"));
        CHECK(!strcmp(me->serial, "GC-TEST-0042"));
    }
    free(ports);

    if (l) {
        close(m);
        rc = 0;
        for (int tries = 0; tries < 10 && rc == 0; tries++)
            rc = slink_read(l, (uint8_t[8]){0}, 8, 100);
        CHECK_EQ(rc, GC_ERR_CLOSED);
        slink_close(l);
    } else {
        close(m);
    }
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    CHECK(system(cmd) == 0);
}

static void test_fake_and_memory(void)
{
    struct slink *a, *b;
    CHECK_EQ(slink_fake_pair(&a, &b), GC_OK);
    const uint8_t msg[] = "ping\0pong";
    CHECK_EQ(slink_write(a, msg, sizeof msg, 100), (int)sizeof msg);
    uint8_t in[32];
    CHECK_EQ(slink_read(b, in, sizeof in, 100), (int)sizeof msg);
    CHECK(memcmp(in, msg, sizeof msg) == 0);
    CHECK_EQ(slink_read(b, in, sizeof in, 10), 0);
    slink_close(a);
    CHECK_EQ(slink_read(b, in, sizeof in, 100), GC_ERR_CLOSED);
    slink_close(b);

    const uint8_t rx[] = {1, 2, 3, 4, 5};
    struct slink *m = slink_memory_new(rx, sizeof rx, 2);
    CHECK(m != NULL);
    CHECK_EQ(slink_read(m, in, sizeof in, 0), 2);
    CHECK_EQ(slink_read(m, in, sizeof in, 0), 2);
    CHECK_EQ(slink_read(m, in, sizeof in, 0), 1);
    CHECK_EQ(in[0], 5);
    CHECK_EQ(slink_read(m, in, sizeof in, 0), GC_ERR_CLOSED);
    CHECK_EQ(slink_write(m, rx, 3, 0), 3);
    CHECK_EQ(slink_write(m, rx + 3, 2, 0), 2);
    size_t wn = 0;
    const uint8_t *w = slink_memory_written(m, &wn);
    CHECK_EQ(wn, 5);
    CHECK(w && memcmp(w, rx, 5) == 0);
    slink_close(m);
    slink_close(NULL);
}

int main(int argc, char **argv)
{
    bool shim = argc > 1 && !strcmp(argv[1], "shim");
    if (shim) {
        test_serialport_with_shim();
    } else {
        test_termios();
        test_errors();
        test_serialport_without_shim();
        test_fake_and_memory();
    }
    return check_exit();
}
