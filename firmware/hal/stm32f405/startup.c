/*
 * startup.c - vector table and reset handler of the STM32F405 images.
 *
 * Reset: the core loads SP from vector 0 and jumps to reset_handler, which
 * copies .data from flash, zeroes .bss (never .noinit, see fault.h), turns
 * on the FPU (the ABI is hard-float) and calls main().  Symbols come from
 * the linker script (sections.ld).
 *
 * Fault handlers find the stacked exception frame (MSP or PSP, by EXC_RETURN
 * bit 2) and hand it to fault_dispatch(), which records it and resets.
 * Interrupts without a handler of their own land in default_handler, which
 * records them as an "unexpected" fault instead of spinning silently.
 */
#include <stdint.h>

#include "fault.h"
#include "regs.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;

int main(void);
void reset_handler(void) __attribute__((noreturn));
void nmi_handler(void);
void default_handler(void);
void hardfault_handler(void);
void memmanage_handler(void);
void busfault_handler(void);
void usagefault_handler(void);

/* Board code overrides these (strong definitions elsewhere). */
void svc_handler(void) __attribute__((weak, alias("default_handler")));
void pendsv_handler(void) __attribute__((weak, alias("default_handler")));
void systick_handler(void) __attribute__((weak, alias("default_handler")));
void exti0_handler(void) __attribute__((weak, alias("default_handler")));
void tim2_handler(void) __attribute__((weak, alias("default_handler")));
void usart1_handler(void) __attribute__((weak, alias("default_handler")));

void reset_handler(void)
{
    uint32_t *src = &_sidata;
    for (uint32_t *dst = &_sdata; dst < &_edata;)
        *dst++ = *src++;
    for (uint32_t *dst = &_sbss; dst < &_ebss;)
        *dst++ = 0;
    /* CP10 and CP11 full access: the hard-float ABI may use FPU registers
     * anywhere after this point. */
    SCB_CPACR |= (0xFu << 20);
    __asm volatile("dsb\n isb" ::: "memory");
    (void)main();
    fault_system_reset(); /* main() never returns; if it does, start over */
}

void nmi_handler(void)
{
    /* The only NMI source on this board is the clock security system,
     * which is not enabled. */
}

/* r0 = stacked frame, r1 = kind; tail-call into C with LR still holding
 * EXC_RETURN, so a return from fault_dispatch() is an exception return.
 * Naked: no prologue may touch the stack before we have read it. */
#define FAULT_ENTRY(name, kind)                                                                    \
    __attribute__((naked)) void name(void)                                                         \
    {                                                                                              \
        __asm volatile("tst lr, #4\n"                                                              \
                       "ite eq\n"                                                                  \
                       "mrseq r0, msp\n"                                                           \
                       "mrsne r0, psp\n"                                                           \
                       "mov r1, %0\n"                                                              \
                       "b fault_dispatch\n" ::"i"(kind));                                          \
    }

FAULT_ENTRY(hardfault_handler, FAULT_KIND_HARD)
FAULT_ENTRY(memmanage_handler, FAULT_KIND_MEMMANAGE)
FAULT_ENTRY(busfault_handler, FAULT_KIND_BUS)
FAULT_ENTRY(usagefault_handler, FAULT_KIND_USAGE)
FAULT_ENTRY(default_handler, FAULT_KIND_UNEXPECTED)

typedef void (*vector_fn)(void);

/* 16 core exceptions + 82 STM32F405 interrupts (RM0090 table 61). */
#define VECTORS (16u + 82u)

__attribute__((section(".isr_vector"), used)) const vector_fn vector_table[VECTORS] = {
    [0] = (vector_fn)(uintptr_t)&_estack,
    [1] = reset_handler,
    [2] = nmi_handler,
    [3] = hardfault_handler,
    [4] = memmanage_handler,
    [5] = busfault_handler,
    [6] = usagefault_handler,
    [11] = svc_handler,
    [14] = pendsv_handler,
    [15] = systick_handler,
    [16 + 0] = default_handler, /* WWDG */
    [16 + 1] = default_handler,
    [16 + 2] = default_handler,
    [16 + 3] = default_handler,
    [16 + 4] = default_handler,
    [16 + 5] = default_handler,
    [16 + IRQ_EXTI0] = exti0_handler,
    [16 + 7] = default_handler,
    [16 + 8] = default_handler,
    [16 + 9] = default_handler,
    [16 + 10] = default_handler,
    [16 + 11] = default_handler,
    [16 + 12] = default_handler,
    [16 + 13] = default_handler,
    [16 + 14] = default_handler,
    [16 + 15] = default_handler,
    [16 + 16] = default_handler,
    [16 + 17] = default_handler,
    [16 + 18] = default_handler,
    [16 + 19] = default_handler,
    [16 + 20] = default_handler,
    [16 + 21] = default_handler,
    [16 + 22] = default_handler,
    [16 + 23] = default_handler,
    [16 + 24] = default_handler,
    [16 + 25] = default_handler,
    [16 + 26] = default_handler,
    [16 + 27] = default_handler,
    [16 + IRQ_TIM2] = tim2_handler,
    [16 + 29] = default_handler,
    [16 + 30] = default_handler,
    [16 + 31] = default_handler,
    [16 + 32] = default_handler,
    [16 + 33] = default_handler,
    [16 + 34] = default_handler,
    [16 + 35] = default_handler,
    [16 + 36] = default_handler,
    [16 + IRQ_USART1] = usart1_handler,
    [16 + 38] = default_handler,
    [16 + 39] = default_handler,
    [16 + 40] = default_handler,
    [16 + 41] = default_handler,
    [16 + 42] = default_handler,
    [16 + 43] = default_handler,
    [16 + 44] = default_handler,
    [16 + 45] = default_handler,
    [16 + 46] = default_handler,
    [16 + 47] = default_handler,
    [16 + 48] = default_handler,
    [16 + 49] = default_handler,
    [16 + 50] = default_handler,
    [16 + 51] = default_handler,
    [16 + 52] = default_handler,
    [16 + 53] = default_handler,
    [16 + 54] = default_handler,
    [16 + 55] = default_handler,
    [16 + 56] = default_handler,
    [16 + 57] = default_handler,
    [16 + 58] = default_handler,
    [16 + 59] = default_handler,
    [16 + 60] = default_handler,
    [16 + 61] = default_handler,
    [16 + 62] = default_handler,
    [16 + 63] = default_handler,
    [16 + 64] = default_handler,
    [16 + 65] = default_handler,
    [16 + 66] = default_handler,
    [16 + 67] = default_handler,
    [16 + 68] = default_handler,
    [16 + 69] = default_handler,
    [16 + 70] = default_handler,
    [16 + 71] = default_handler,
    [16 + 72] = default_handler,
    [16 + 73] = default_handler,
    [16 + 74] = default_handler,
    [16 + 75] = default_handler,
    [16 + 76] = default_handler,
    [16 + 77] = default_handler,
    [16 + 78] = default_handler,
    [16 + 79] = default_handler,
    [16 + 80] = default_handler,
    [16 + 81] = default_handler,
};
