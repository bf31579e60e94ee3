/*
 * slink_memory.c - a memory link: reads from a caller's buffer, writes captured, for unit tests (see slink.h for the contract every link keeps).
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

/* ---- memory link (tests) ---- */

struct mem_link {
    uint8_t *rx;
    size_t rx_n, rx_pos, chunk;
    uint8_t *tx;
    size_t tx_n, tx_cap;
};

static int mem_read(void *ctx, uint8_t *buf, size_t cap, int timeout_ms)
{
    (void)timeout_ms;
    struct mem_link *m = ctx;
    if (m->rx_pos >= m->rx_n)
        return GC_ERR_CLOSED;
    size_t n = m->rx_n - m->rx_pos;
    if (m->chunk && n > m->chunk)
        n = m->chunk;
    if (n > cap)
        n = cap;
    memcpy(buf, m->rx + m->rx_pos, n);
    m->rx_pos += n;
    return (int)n;
}

static int mem_write(void *ctx, const uint8_t *buf, size_t n, int timeout_ms)
{
    (void)timeout_ms;
    struct mem_link *m = ctx;
    if (m->tx_n + n > m->tx_cap) {
        size_t cap = m->tx_cap ? m->tx_cap : 256;
        while (cap < m->tx_n + n)
            cap *= 2;
        uint8_t *p = realloc(m->tx, cap);
        if (p == NULL)
            return GC_ERR_NOMEM;
        m->tx = p;
        m->tx_cap = cap;
    }
    memcpy(m->tx + m->tx_n, buf, n);
    m->tx_n += n;
    return (int)n;
}

static void mem_close(void *ctx)
{
    struct mem_link *m = ctx;
    free(m->rx);
    free(m->tx);
    free(m);
}

static const struct slink_ops memory_ops = {"memory", mem_read, mem_write, mem_close};

struct slink *slink_memory_new(const uint8_t *rx, size_t n, size_t chunk)
{
    struct mem_link *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->rx = malloc(n ? n : 1);
    if (m->rx == NULL) {
        free(m);
        return NULL;
    }
    if (n)
        memcpy(m->rx, rx, n);
    m->rx_n = n;
    m->chunk = chunk;
    return slink_wrap(&memory_ops, m, SLINK_MEMORY, "memory");
}

const uint8_t *slink_memory_written(const struct slink *l, size_t *n)
{
    if (l == NULL || l->ops != &memory_ops) {
        *n = 0;
        return NULL;
    }
    const struct mem_link *m = l->ctx;
    *n = m->tx_n;
    return m->tx;
}
