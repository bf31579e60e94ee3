/*
 * slink_serialport.c - libserialport, for real ports (USB-CDC, UART), and port enumeration (see slink.h for the contract every link keeps).
 */
#include "slink_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "gc_error.h"
#include <libserialport.h>

/* ---- libserialport ---- */

struct sp_link {
    struct sp_port *port;
    int fd;
};

static int sp_err(enum sp_return rc, const char *what, struct gc_diag *diag)
{
    if (rc == SP_ERR_FAIL) {
        int e = sp_last_error_code();
        char *msg = sp_last_error_message();
        int code = gc_fail(diag, slink_err_from_errno(e), "%s: %s", what, msg ? msg : "failed");
        sp_free_error_message(msg);
        return code;
    }
    return gc_fail(diag,
                   rc == SP_ERR_MEM    ? GC_ERR_NOMEM
                   : rc == SP_ERR_SUPP ? GC_ERR_UNSUPPORTED
                                       : GC_ERR_IO,
                   "%s: libserialport error %d", what, (int)rc);
}

static int spl_read(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
    struct sp_link *s = ctx;
    int rc = slink_fd_wait(s->fd, POLLIN, timeout_ms);
    if (rc <= 0)
        return rc;
    enum sp_return n = sp_nonblocking_read(s->port, buf, cap);
    if (n > 0)
        return (int)n;
    if (n == 0) {
        /* poll said readable but nothing came: the device is gone. */
        return GC_ERR_CLOSED;
    }
    int e = sp_last_error_code();
    return (e == EIO || e == ENXIO || e == ENODEV) ? GC_ERR_CLOSED : GC_ERR_IO;
}

static int spl_write(void *ctx, const uint8_t *buf, size_t n, int timeout_ms)
{
    struct sp_link *s = ctx;
    enum sp_return w =
        sp_blocking_write(s->port, buf, n, (unsigned)(timeout_ms < 0 ? 0 : timeout_ms));
    if (w < 0) {
        int e = sp_last_error_code();
        return (e == EIO || e == ENXIO || e == ENODEV) ? GC_ERR_CLOSED : GC_ERR_IO;
    }
    if ((size_t)w < n) {
        return GC_ERR_TIMEOUT;
    }
    return (int)n;
}

static void spl_close(void *ctx)
{
    struct sp_link *s = ctx;
    if (s->port) {
        sp_close(s->port);
        sp_free_port(s->port);
    }
    free(s);
}

static const struct slink_ops serialport_ops = {"serialport", spl_read, spl_write, spl_close};

int slink_open_serialport(const char *path, int baud, bool explicit_baud, bool no_lock,
                          struct slink **out, struct gc_diag *diag)
{
    /* libserialport looks the port up in sysfs by its /dev name, so resolve
     * symlinks such as /dev/serial/by-id/... first. */
    char real[PATH_MAX];
    if (realpath(path, real) == NULL) {
        int e = errno;
        return gc_fail(diag, slink_err_from_errno(e), "%s: %s", path, strerror(e));
    }
    struct sp_port *port = NULL;
    enum sp_return rc = sp_get_port_by_name(real, &port);
    if (rc != SP_OK) {
        return gc_fail(diag, GC_ERR_UNSUPPORTED, "%s: libserialport does not know this device%s",
                       path,
                       slink_is_pty(real) ? " (a pseudo-terminal; use the termios link)" : "");
    }
    rc = sp_open(port, SP_MODE_READ_WRITE);
    if (rc != SP_OK) {
        int err = sp_err(rc, path, diag);
        sp_free_port(port);
        return err;
    }
    int fd = -1;
    sp_get_port_handle(port, &fd);
    if (!no_lock) {
        int lrc = slink_lock_fd(fd, path, diag);
        if (lrc < 0) {
            sp_close(port);
            sp_free_port(port);
            return lrc;
        }
    }
    if ((rc = sp_set_baudrate(port, baud)) != SP_OK || (rc = sp_set_bits(port, 8)) != SP_OK ||
        (rc = sp_set_parity(port, SP_PARITY_NONE)) != SP_OK ||
        (rc = sp_set_stopbits(port, 1)) != SP_OK ||
        (rc = sp_set_flowcontrol(port, SP_FLOWCONTROL_NONE)) != SP_OK) {
        int err = sp_err(rc, path, diag);
        sp_close(port);
        sp_free_port(port);
        return err;
    }
    /* Non-blocking descriptor: reads go through poll() so a timeout and a
     * hang-up are both seen. */
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    struct sp_link *s = malloc(sizeof *s);
    if (s == NULL) {
        sp_close(port);
        sp_free_port(port);
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory");
    }
    s->port = port;
    s->fd = fd;
    enum sp_transport tr = sp_get_port_transport(port);
    struct slink *l = slink_wrap(&serialport_ops, s, SLINK_SERIALPORT, path);
    if (l == NULL)
        return gc_fail(diag, GC_ERR_NOMEM, "out of memory");
    /* USB-CDC and Bluetooth ignore the baud rate; a native UART is limited
     * by it (a pty only when the caller named a rate, as for termios). */
    l->baud = tr == SP_TRANSPORT_NATIVE && (explicit_baud || !slink_is_pty(real)) ? baud : 0;
    *out = l;
    return GC_OK;
}
/* ---- enumeration ---- */

static void copy_str(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static void fill_info(struct sp_port *p, const char *shown_path, struct slink_port_info *info)
{
    memset(info, 0, sizeof *info);
    copy_str(info->path, sizeof info->path, shown_path ? shown_path : sp_get_port_name(p));
    copy_str(info->description, sizeof info->description, sp_get_port_description(p));
    info->usb_vid = info->usb_pid = -1;
    switch (sp_get_port_transport(p)) {
    case SP_TRANSPORT_USB:
        info->transport = SLINK_TR_USB;
        sp_get_port_usb_vid_pid(p, &info->usb_vid, &info->usb_pid);
        copy_str(info->manufacturer, sizeof info->manufacturer, sp_get_port_usb_manufacturer(p));
        copy_str(info->product, sizeof info->product, sp_get_port_usb_product(p));
        copy_str(info->serial, sizeof info->serial, sp_get_port_usb_serial(p));
        break;
    case SP_TRANSPORT_BLUETOOTH:
        info->transport = SLINK_TR_BLUETOOTH;
        break;
    default:
        info->transport = SLINK_TR_NATIVE;
        break;
    }
    if (info->transport == SLINK_TR_NATIVE && slink_is_pty(info->path))
        info->transport = SLINK_TR_PTY;
}

int slink_ports_list(const char *const *extra, size_t n_extra, struct slink_port_info **out)
{
    *out = NULL;
    struct sp_port **list = NULL;
    size_t n_sys = 0;
    if (sp_list_ports(&list) == SP_OK && list != NULL)
        while (list[n_sys])
            n_sys++;
    struct slink_port_info *v = calloc(n_sys + n_extra + 1, sizeof *v);
    if (v == NULL) {
        sp_free_port_list(list);
        return GC_ERR_NOMEM;
    }
    size_t n = 0;
    for (size_t i = 0; i < n_sys; i++)
        fill_info(list[i], NULL, &v[n++]);
    if (list)
        sp_free_port_list(list);
    for (size_t i = 0; i < n_extra; i++) {
        char real[PATH_MAX];
        if (extra[i] == NULL || realpath(extra[i], real) == NULL)
            continue;
        struct sp_port *p = NULL;
        if (sp_get_port_by_name(real, &p) == SP_OK) {
            fill_info(p, extra[i], &v[n++]);
            sp_free_port(p);
        } else {
            struct slink_port_info *info = &v[n++];
            memset(info, 0, sizeof *info);
            copy_str(info->path, sizeof info->path, extra[i]);
            info->usb_vid = info->usb_pid = -1;
            info->transport = slink_is_pty(real) ? SLINK_TR_PTY : SLINK_TR_NATIVE;
            copy_str(info->description, sizeof info->description,
                     info->transport == SLINK_TR_PTY ? "pseudo-terminal" : "serial port");
        }
    }
    *out = v;
    return (int)n;
}

