/*
 * timebase.h - monotonic microsecond clock of the sensor unit.
 *
 * TIM2 (32 bit) runs free at 1 MHz with ARR = 0xFFFFFFFF; timebase_now_us()
 * extends it to 64 bits by counting wraps (one per 71.6 min; anything that
 * calls it at least that often keeps it exact, and the sampler calls it
 * every tick).  On QEMU 7.2 the TIM2 counter is computed from the virtual
 * clock, so the same code yields emulated time (its update interrupt is not
 * usable there, which is why nothing here relies on it).
 *
 * Context: any (interrupts are masked for the few instructions of the
 * 32 -> 64 bit extension).
 */
#ifndef GC_TIMEBASE_H
#define GC_TIMEBASE_H

#include <stdint.h>

/* tim_clk_hz: TIM2 input clock; must be a whole multiple of 1 MHz. */
void timebase_init(uint32_t tim_clk_hz);
uint64_t timebase_now_us(void);
/* Busy-wait (boot-time only: driver reset delays). */
void timebase_delay_us(uint32_t us);

#endif
