/*
 * spsc.c - lock-free single-producer single-consumer ring (see spsc.h).
 *
 * head and tail live on separate cache lines so the two threads do not
 * bounce one line between cores on every element.  Each side keeps a
 * private copy of the other side's counter and only re-reads the shared
 * atomic when that copy says the ring looks full (producer) or empty
 * (consumer), which keeps the common case to one acquire load per
 * element at most.
 */
#include "spsc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define SPSC_LINE 64
#define SPSC_PAGE 4096u

struct spsc {
    /* consumer-written, producer-read */
    _Alignas(SPSC_LINE) atomic_size_t tail;
    size_t head_cache; /* consumer's last view of head */
    /* producer-written, consumer-read */
    _Alignas(SPSC_LINE) atomic_size_t head;
    size_t tail_cache; /* producer's last view of tail */
    atomic_uint_least64_t dropped;
    /* read-only after spsc_new */
    _Alignas(SPSC_LINE) size_t mask;
    size_t elem_size;
    unsigned char *slots;
};

struct spsc *spsc_new(size_t elem_size, size_t capacity)
{
    if (elem_size == 0 || capacity < 2 || (capacity & (capacity - 1)) != 0)
        return NULL;
    if (capacity > SIZE_MAX / elem_size)
        return NULL;
    struct spsc *r = aligned_alloc(SPSC_LINE, sizeof *r);
    if (r == NULL)
        return NULL;
    memset(r, 0, sizeof *r);
    r->slots = malloc(capacity * elem_size);
    if (r->slots == NULL) {
        free(r);
        return NULL;
    }
    /* Touch every page now: the producer or consumer may be a real-time
     * thread, which must not take first-touch page faults later.  (A plain
     * memset to 0 after malloc may be folded into calloc, which touches
     * nothing; the volatile writes cannot.) */
    volatile unsigned char *v = r->slots;
    for (size_t i = 0; i < capacity * elem_size; i += SPSC_PAGE)
        v[i] = 0;
    r->mask = capacity - 1;
    r->elem_size = elem_size;
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    atomic_init(&r->dropped, 0);
    return r;
}

void spsc_free(struct spsc *r)
{
    if (r == NULL)
        return;
    free(r->slots);
    free(r);
}

void *spsc_push_slot(struct spsc *r)
{
    size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    if (head - r->tail_cache > r->mask) {
        /* Looks full: the consumer may have moved on since we last looked. */
        r->tail_cache = atomic_load_explicit(&r->tail, memory_order_acquire);
        if (head - r->tail_cache > r->mask)
            return NULL;
    }
    return r->slots + (head & r->mask) * r->elem_size;
}

void spsc_publish(struct spsc *r)
{
    size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    atomic_store_explicit(&r->head, head + 1, memory_order_release);
}

void spsc_count_drop(struct spsc *r)
{
    atomic_fetch_add_explicit(&r->dropped, 1, memory_order_relaxed);
}

bool spsc_push(struct spsc *r, const void *elem)
{
    void *slot = spsc_push_slot(r);
    if (slot == NULL) {
        spsc_count_drop(r);
        return false;
    }
    memcpy(slot, elem, r->elem_size);
    spsc_publish(r);
    return true;
}

const void *spsc_peek(struct spsc *r)
{
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    if (tail == r->head_cache) {
        r->head_cache = atomic_load_explicit(&r->head, memory_order_acquire);
        if (tail == r->head_cache)
            return NULL;
    }
    return r->slots + (tail & r->mask) * r->elem_size;
}

void spsc_release(struct spsc *r)
{
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
}

bool spsc_pop(struct spsc *r, void *elem)
{
    const void *slot = spsc_peek(r);
    if (slot == NULL)
        return false;
    memcpy(elem, slot, r->elem_size);
    spsc_release(r);
    return true;
}

size_t spsc_count(const struct spsc *r)
{
    /* tail first: head only grows, so head - tail never underflows. */
    size_t tail = atomic_load_explicit(&((struct spsc *)r)->tail, memory_order_acquire);
    size_t head = atomic_load_explicit(&((struct spsc *)r)->head, memory_order_acquire);
    return head - tail;
}

uint64_t spsc_dropped(const struct spsc *r)
{
    return atomic_load_explicit(&((struct spsc *)r)->dropped, memory_order_relaxed);
}

size_t spsc_capacity(const struct spsc *r)
{
    return r->mask + 1;
}

size_t spsc_elem_size(const struct spsc *r)
{
    return r->elem_size;
}
