/*
 * fault.c - crash record that survives the reset, and reset-cause decoding.
 */
#include "fault.h"

#include "regs.h"

#define FAULT_MAGIC 0x46415554u /* "FAUT" */

/* Lives in .noinit: neither copied from flash nor zeroed by startup.c, so a
 * software reset leaves it intact (the linker script marks it NOLOAD). */
__attribute__((section(".noinit"))) struct fault_record fault_last;

static uint32_t record_check(const struct fault_record *r)
{
    return ~r->magic ^ r->kind ^ r->pc ^ r->lr ^ r->psr ^ r->cfsr ^ r->hfsr ^ r->addr ^ r->count;
}

static bool record_valid(const struct fault_record *r)
{
    return r->magic == FAULT_MAGIC && r->check == record_check(r);
}

/* 0 idle, 1 probe read in progress, 2 that read faulted. */
static volatile uint32_t probe_state;

bool fault_probe_read32(uint32_t addr, uint32_t *out)
{
    uint32_t v = 0;
    probe_state = 1;
    /* A 32-bit encoding, so the handler knows to skip exactly 4 bytes. */
    __asm volatile("ldr.w %0, [%1]" : "=&r"(v) : "r"(addr) : "memory");
    bool ok = probe_state == 1;
    probe_state = 0;
    *out = ok ? v : 0u;
    return ok;
}

void fault_dispatch(uint32_t *frame, uint32_t kind)
{
    if (probe_state == 1 && (kind == FAULT_KIND_HARD || kind == FAULT_KIND_BUS)) {
        probe_state = 2;
        frame[6] += 4u;      /* resume after the ldr.w */
        SCB_CFSR = SCB_CFSR; /* write-one-to-clear the sticky status bits */
        SCB_HFSR = SCB_HFSR;
        return;
    }
    fault_record_and_reset(frame, kind);
}

void fault_system_reset(void)
{
    __asm volatile("dsb" ::: "memory");
    SCB_AIRCR = SCB_AIRCR_VECTKEY | SCB_AIRCR_SYSRESETREQ;
    __asm volatile("dsb" ::: "memory");
    for (;;) {
        /* the reset takes a few cycles to arrive */
    }
}

void fault_record_and_reset(const uint32_t *frame, uint32_t kind)
{
    struct fault_record *r = &fault_last;
    /* A power-on leaves garbage here: keep the count only if it was ours. */
    uint32_t count = record_valid(r) || r->magic == ~FAULT_MAGIC ? r->count : 0u;
    uint32_t cfsr = SCB_CFSR;
    r->kind = kind;
    r->pc = frame[6];
    r->lr = frame[5];
    r->psr = frame[7];
    r->cfsr = cfsr;
    r->hfsr = SCB_HFSR;
    /* MMARVALID (bit 7) / BFARVALID (bit 15) say whether the address registers hold the culprit. */
    r->addr = (cfsr & (1u << 7)) ? SCB_MMFAR : (cfsr & (1u << 15)) ? SCB_BFAR : 0u;
    r->count = count + 1u;
    r->magic = FAULT_MAGIC;
    r->check = record_check(r);
    fault_system_reset();
}

enum fault_reset_reason fault_boot_check(uint32_t *fault_count)
{
    struct fault_record *r = &fault_last;
    uint32_t csr = RCC_CSR;
    enum fault_reset_reason why;

    if (record_valid(r)) {
        why = FAULT_RESET_FAULT;
    } else if (csr & RCC_CSR_IWDGRSTF) {
        why = FAULT_RESET_WATCHDOG;
    } else if (csr & RCC_CSR_SFTRSTF) {
        why = FAULT_RESET_SOFTWARE;
    } else {
        why = FAULT_RESET_POWER_ON; /* POR, BOR, NRST pin, or an emulator without RCC_CSR */
    }
    if (csr & RCC_CSR_PORRSTF) {
        /* Power-on: RAM is random; start the fault count afresh. */
        r->count = 0;
    } else if (!record_valid(r) && r->magic != ~FAULT_MAGIC) {
        r->count = 0;
    }
    *fault_count = r->count;
    /* Consumed: mark as "seen" (not valid) but keep count and details. */
    r->magic = ~FAULT_MAGIC;
    r->check = 0;
    RCC_CSR |= RCC_CSR_RMVF;
    return why;
}
