/*
 * spsc.h - lock-free single-producer single-consumer ring of fixed-size
 * elements (the only way data crosses threads on the live path).
 *
 *      producer thread                          consumer thread
 *   spsc_push(elem) --copy--> [ slot slot slot ... ] --copy--> spsc_pop(elem)
 *                      head (producer-owned)   tail (consumer-owned)
 *
 * head and tail are free-running counters (C11 atomics).  The producer
 * writes the slot and then publishes head with memory_order_release; the
 * consumer reads head with memory_order_acquire before reading the slot, and
 * releases the slot by storing tail with memory_order_release.  The
 * capacity is a power of two so a slot index is counter & (capacity - 1).
 *
 * A full ring never blocks and never overwrites: spsc_push returns false
 * and counts the element as dropped (spsc_dropped).  Neither side ever
 * locks, allocates or calls into the kernel, so the audio thread may be
 * either end.
 *
 * Ownership: spsc_new allocates everything; spsc_free releases it once both
 * threads are done.  Thread: exactly one producer thread may call
 * spsc_push / spsc_push_slot / spsc_publish, exactly one consumer thread
 * may call spsc_pop / spsc_peek / spsc_release; spsc_count,
 * spsc_dropped and spsc_capacity may be called from any thread.
 */
#ifndef GC_SPSC_H
#define GC_SPSC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct spsc;

/* A ring of capacity elements of elem_size bytes.  capacity must be a power
 * of two >= 2 and elem_size > 0.  Returns NULL on invalid arguments or
 * allocation failure. */
struct spsc *spsc_new(size_t elem_size, size_t capacity);
void spsc_free(struct spsc *r);

/* Producer: copy one element in.  Returns false (and counts a drop) when the
 * ring is full. */
bool spsc_push(struct spsc *r, const void *elem);
/* Producer, zero-copy: a pointer to the next free slot (elem_size bytes) or
 * NULL when full (a drop is counted only by spsc_push, so call
 * spsc_count_drop if the element is abandoned).  Fill it, then
 * spsc_publish(). */
void *spsc_push_slot(struct spsc *r);
void spsc_publish(struct spsc *r);
void spsc_count_drop(struct spsc *r);

/* Consumer: copy the oldest element out.  Returns false when empty. */
bool spsc_pop(struct spsc *r, void *elem);
/* Consumer, zero-copy: the oldest element or NULL when empty; valid until
 * spsc_release(). */
const void *spsc_peek(struct spsc *r);
void spsc_release(struct spsc *r);

/* Elements currently queued (a snapshot; exact only from either end). */
size_t spsc_count(const struct spsc *r);
/* Elements refused because the ring was full, since spsc_new. */
uint64_t spsc_dropped(const struct spsc *r);
size_t spsc_capacity(const struct spsc *r);
size_t spsc_elem_size(const struct spsc *r);

#endif
