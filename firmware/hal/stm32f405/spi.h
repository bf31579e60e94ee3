/*
 * spi.h - polled SPI master on SPI1/SPI2, exposed as struct bus (bus.h)
 * for the sensor drivers.
 *
 * Each chip gets its own struct spi_dev (peripheral, chip-select pin) and
 * struct bus.  Transfers poll RXNE byte by byte with a bounded wait, so a
 * dead bus returns an error instead of hanging (the watchdog would catch a
 * hang anyway).  An 18-byte ADC frame at 10.5 MHz takes ~15 us.
 *
 * Context: boot / main loop while sampling is stopped, and the DRDY
 * interrupt handler; never both at once (the board disables DRDY while it
 * configures the chips).
 */
#ifndef GC_SPI_H
#define GC_SPI_H

#include <stdint.h>

#include "bus.h"

struct spi_dev {
    uint32_t base;    /* SPI1_BASE or SPI2_BASE */
    uint32_t cs_port; /* GPIOx_BASE of /CS */
    unsigned cs_pin;
};

/* cpha: SPI mode 1 (ADS131M04) when 1, mode 0 (ICM-42688-P) when 0.
 * br: baud-rate divider code (f_pclk / 2^(br+1)). */
void spi_init(const struct spi_dev *dev, unsigned cpha, unsigned br);
/* A struct bus over dev (ctx = dev). */
void spi_bus(struct bus *out, struct spi_dev *dev);

#endif
