/*
 * sampq.h - queue of samples from the sampling interrupt to the main loop.
 *
 *   sampling ISR --sampq_push()--> [SAMPQ_LEN entries] --sampq_pop()--> main
 *
 * Single producer (one interrupt handler), single consumer (main loop),
 * C11 atomics; a full queue refuses the push and the producer decides what
 * that means (the ADC path counts an overrun, the table path retries on the
 * next tick).  Each entry carries its sample index k so the main loop can
 * stamp it t0 + k * period and notice gaps.
 *
 * Context: push from one interrupt handler, pop from the main loop.
 */
#ifndef GC_SAMPQ_H
#define GC_SAMPQ_H

#include <stdbool.h>
#include <stdint.h>

#include "packet.h"

/* 128 ms at 1 kHz: the main loop may stall that long without a loss. */
#define SAMPQ_LEN 128u

struct sampq_entry {
    uint32_t k; /* sample index since sampling started */
    struct pkt_sample s;
};

void sampq_reset(void);
bool sampq_full(void);
bool sampq_push(const struct sampq_entry *e);
bool sampq_pop(struct sampq_entry *e);
bool sampq_empty(void);

#endif
