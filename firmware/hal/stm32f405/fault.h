/*
 * fault.h - what the last crash left behind, kept across a reset.
 *
 * The HardFault (and MemManage/BusFault/UsageFault/unexpected-interrupt)
 * handler writes a fault_record into RAM that the startup code never
 * initialises (section .noinit), then resets the MCU.  After the reset,
 * fault_boot_check() reads and clears it, so the next HELLO and every
 * STATUS carry FAULT_HARDFAULT and reset_reason 2 (packet.h).  The record
 * itself (PC, LR, CFSR, HFSR, fault address) stays readable by a debugger
 * at the symbol fault_last until the next fault.
 *
 * Context: the handlers run in exception context; fault_boot_check() is
 * called once from main() before interrupts are enabled.
 */
#ifndef GC_FAULT_H
#define GC_FAULT_H

#include <stdbool.h>
#include <stdint.h>

/* Reset reasons, as in struct pkt_status.reset_reason. */
enum fault_reset_reason {
    FAULT_RESET_POWER_ON = 0,
    FAULT_RESET_WATCHDOG = 1,
    FAULT_RESET_FAULT = 2,
    FAULT_RESET_SOFTWARE = 3,
};

/* What kind of exception wrote the record. */
enum fault_kind {
    FAULT_KIND_HARD = 3, /* exception numbers of the ARMv7-M vector table */
    FAULT_KIND_MEMMANAGE = 4,
    FAULT_KIND_BUS = 5,
    FAULT_KIND_USAGE = 6,
    FAULT_KIND_UNEXPECTED = 0, /* an interrupt without a handler */
};

struct fault_record {
    uint32_t magic; /* FAULT_MAGIC when valid */
    uint32_t kind;  /* enum fault_kind */
    uint32_t pc;    /* stacked PC of the faulting instruction */
    uint32_t lr;    /* stacked LR */
    uint32_t psr;   /* stacked xPSR */
    uint32_t cfsr;  /* SCB->CFSR at the fault */
    uint32_t hfsr;  /* SCB->HFSR */
    uint32_t addr;  /* MMFAR or BFAR when valid, else 0 */
    uint32_t count; /* faults since power-on (survives fault resets) */
    uint32_t check; /* ~magic ^ every field above: rejects random RAM at power-on */
};

/* The record of the most recent fault (valid or not), for the debugger. */
extern struct fault_record fault_last;

/* Called once at boot.  Decides why the MCU reset, from the fault record
 * and RCC_CSR (then clears both), and returns it.  *fault_count receives the
 * number of fault resets since power-on. */
enum fault_reset_reason fault_boot_check(uint32_t *fault_count);

/* Entry from the exception handlers (startup.c): frame = stacked registers
 * r0 r1 r2 r3 r12 lr pc xpsr.  Records and resets; never returns. */
void fault_record_and_reset(const uint32_t *frame, uint32_t kind) __attribute__((noreturn));

/* Read a 32-bit word that may not exist (e.g. the unique-ID area, which
 * QEMU 7.2 does not map).  A bus fault during the read is absorbed by the
 * fault handler instead of resetting: returns false and *out = 0.
 * Thread mode only, interrupts may be on. */
bool fault_probe_read32(uint32_t addr, uint32_t *out);

/* Called by the exception entry stubs (startup.c).  Returns only when the
 * fault was an expected fault_probe_read32() miss. */
void fault_dispatch(uint32_t *frame, uint32_t kind);

/* Software reset (SYSRESETREQ); never returns. */
void fault_system_reset(void) __attribute__((noreturn));

#endif
