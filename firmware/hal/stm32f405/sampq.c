/*
 * sampq.c - SPSC sample queue (see sampq.h).
 */
#include "sampq.h"

#include <stdatomic.h>

_Static_assert((SAMPQ_LEN & (SAMPQ_LEN - 1u)) == 0, "queue length must be a power of two");

static struct sampq_entry q[SAMPQ_LEN];
static atomic_uint head; /* producer */
static atomic_uint tail; /* consumer */

void sampq_reset(void)
{
    /* Only while the producer is stopped. */
    atomic_store(&tail, atomic_load(&head));
}

bool sampq_full(void)
{
    return atomic_load_explicit(&head, memory_order_relaxed) -
               atomic_load_explicit(&tail, memory_order_acquire) >=
           SAMPQ_LEN;
}

bool sampq_push(const struct sampq_entry *e)
{
    unsigned h = atomic_load_explicit(&head, memory_order_relaxed);
    if (h - atomic_load_explicit(&tail, memory_order_acquire) >= SAMPQ_LEN)
        return false;
    q[h & (SAMPQ_LEN - 1u)] = *e;
    atomic_store_explicit(&head, h + 1u, memory_order_release);
    return true;
}

bool sampq_pop(struct sampq_entry *e)
{
    unsigned t = atomic_load_explicit(&tail, memory_order_relaxed);
    if (t == atomic_load_explicit(&head, memory_order_acquire))
        return false;
    *e = q[t & (SAMPQ_LEN - 1u)];
    atomic_store_explicit(&tail, t + 1u, memory_order_release);
    return true;
}

bool sampq_empty(void)
{
    return atomic_load_explicit(&tail, memory_order_relaxed) ==
           atomic_load_explicit(&head, memory_order_acquire);
}
