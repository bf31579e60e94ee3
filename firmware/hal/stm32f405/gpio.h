/*
 * gpio.h - pin configuration helpers (RM0090 section 8).  Boot-time only,
 * except gpio_write which the SPI chip-select uses from any context (BSRR
 * writes are atomic).
 */
#ifndef GC_GPIO_H
#define GC_GPIO_H

#include <stdbool.h>
#include <stdint.h>

#include "regs.h"

enum gpio_mode { GPIO_INPUT = 0, GPIO_OUTPUT = 1, GPIO_ALT = 2, GPIO_ANALOG = 3 };

static inline void gpio_mode(uint32_t port, unsigned pin, enum gpio_mode mode)
{
    GPIO_MODER(port) = (GPIO_MODER(port) & ~(3u << (2u * pin))) | ((uint32_t)mode << (2u * pin));
    GPIO_OSPEEDR(port) |= 3u << (2u * pin); /* very high speed: SPI at 10 MHz */
}

static inline void gpio_alt(uint32_t port, unsigned pin, unsigned af)
{
    volatile uint32_t *afr = pin < 8u ? &GPIO_AFRL(port) : &GPIO_AFRH(port);
    unsigned shift = 4u * (pin & 7u);
    *afr = (*afr & ~(0xFu << shift)) | ((uint32_t)af << shift);
    gpio_mode(port, pin, GPIO_ALT);
}

static inline void gpio_pull_up(uint32_t port, unsigned pin)
{
    GPIO_PUPDR(port) = (GPIO_PUPDR(port) & ~(3u << (2u * pin))) | (1u << (2u * pin));
}

static inline void gpio_write(uint32_t port, unsigned pin, bool high)
{
    GPIO_BSRR(port) = high ? (1u << pin) : (1u << (pin + 16u));
}

#endif
