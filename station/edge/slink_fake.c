/*
 * slink_fake.c - two connected in-process ends (AF_UNIX socketpair), for tests that play the device in a thread (see slink.h for the contract every link keeps).
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

static const struct slink_ops fake_ops = {"fake", slink_fdl_read, slink_fdl_write, slink_fdl_close};

int slink_fake_pair(struct slink **a, struct slink **b)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        return GC_ERR_IO; /* errno kept */
    }
    struct slink *ends[2] = {NULL, NULL};
    for (int i = 0; i < 2; i++) {
        fcntl(sv[i], F_SETFL, fcntl(sv[i], F_GETFL) | O_NONBLOCK);
        struct fd_link *f = malloc(sizeof *f);
        if (f == NULL) {
            close(sv[i]);
            if (i == 0)
                close(sv[1]);
            slink_close(ends[0]);
            return GC_ERR_NOMEM;
        }
        f->fd = sv[i];
        ends[i] = slink_wrap(&fake_ops, f, SLINK_FAKE, i == 0 ? "fake:a" : "fake:b");
        if (ends[i] == NULL) {
            if (i == 0)
                close(sv[1]);
            slink_close(ends[0]);
            return GC_ERR_NOMEM;
        }
    }
    *a = ends[0];
    *b = ends[1];
    return GC_OK;
}
