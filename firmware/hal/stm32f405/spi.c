/*
 * spi.c - polled SPI master (see spi.h).
 */
#include "spi.h"

#include <stddef.h>

#include "gpio.h"
#include "regs.h"
#include "timebase.h"

/* Polls of RXNE before a byte counts as lost: a byte at 10.5 MHz takes
 * under 1 us, i.e. about 170 cycles at 168 MHz; this allows 100x that. */
#define SPI_POLLS 20000u

void spi_init(const struct spi_dev *dev, unsigned cpha, unsigned br)
{
    gpio_mode(dev->cs_port, dev->cs_pin, GPIO_OUTPUT);
    gpio_write(dev->cs_port, dev->cs_pin, true);
    /* Software slave management (SSM+SSI): /CS is an ordinary GPIO. */
    SPI_CR1(dev->base) = 0;
    SPI_CR1(dev->base) = SPI_CR1_MSTR | SPI_CR1_SSM | SPI_CR1_SSI | (br << SPI_CR1_BR_SHIFT) |
                         (cpha ? SPI_CR1_CPHA : 0u);
    SPI_CR1(dev->base) |= SPI_CR1_SPE;
}

static int spi_transfer(void *ctx, const uint8_t *tx, uint8_t *rx, size_t n)
{
    const struct spi_dev *dev = ctx;
    for (size_t i = 0; i < n; i++) {
        uint32_t polls = 0;
        while (!(SPI_SR(dev->base) & SPI_SR_TXE)) {
            if (++polls > SPI_POLLS)
                return -1;
        }
        SPI_DR(dev->base) = tx ? tx[i] : 0u;
        polls = 0;
        while (!(SPI_SR(dev->base) & SPI_SR_RXNE)) {
            if (++polls > SPI_POLLS)
                return -1;
        }
        uint8_t b = (uint8_t)SPI_DR(dev->base);
        if (rx)
            rx[i] = b;
    }
    return 0;
}

static void spi_select(void *ctx, bool on)
{
    const struct spi_dev *dev = ctx;
    if (!on) {
        /* Let the last bit leave the shift register before /CS rises. */
        for (uint32_t polls = 0; (SPI_SR(dev->base) & SPI_SR_BSY) && polls < SPI_POLLS; polls++) {
        }
    }
    gpio_write(dev->cs_port, dev->cs_pin, !on);
}

static void spi_delay_us(void *ctx, uint32_t us)
{
    (void)ctx;
    timebase_delay_us(us);
}

void spi_bus(struct bus *out, struct spi_dev *dev)
{
    out->ctx = dev;
    out->transfer = spi_transfer;
    out->select = spi_select;
    out->delay_us = spi_delay_us;
}
