/*
 * clock.h - STM32F405 clock tree.
 *
 *   HSE 8 MHz -> PLL (M=8, N=336, P=2, Q=7) -> SYSCLK = HCLK 168 MHz
 *                                              APB1 42 MHz (timers x2 = 84 MHz)
 *                                              APB2 84 MHz (USART1, SPI1)
 *                                              PLL48CK 48 MHz
 *
 * Every wait for a ready flag (HSE, PLL, switch) is bounded.  When the
 * crystal or the PLL does not come up, the MCU stays on the 16 MHz internal
 * oscillator and clock_init() says so; the firmware still runs and derives
 * its baud rate and timer prescalers from the frequencies reported here.
 * QEMU's netduinoplus2 does not model the RCC (its registers read as 0), so
 * under emulation the HSE wait times out by design.
 *
 * Context: main() at boot, before interrupts are enabled.
 */
#ifndef GC_CLOCK_H
#define GC_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct clock_info {
    uint32_t sysclk_hz;   /* core / HCLK */
    uint32_t apb1_hz;     /* APB1 peripheral clock */
    uint32_t apb2_hz;     /* APB2 peripheral clock (USART1) */
    uint32_t tim_apb1_hz; /* clock of TIM2..TIM5 */
    bool hse_ready;       /* crystal oscillator started */
    bool pll_locked;      /* running from the PLL at 168 MHz */
};

/* Configure the tree above.  Never hangs: returns what it achieved. */
void clock_init(struct clock_info *out);

#endif
