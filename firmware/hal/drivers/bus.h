/*
 * bus.h - the small SPI bus interface the sensor drivers are written
 * against, and their one result enum.
 *
 * A driver never touches a register of the MCU: the board hands it a
 * struct bus (function pointers + context), one per chip, so the same
 * driver code runs on the STM32F405 (hal/stm32f405/spi.c) and against the
 * fake chips of the host unit tests (tests/firmware/hal/).
 *
 * Context: whatever context the board calls the driver from; the bus
 * functions must be callable from there (the ADC frame read happens in the
 * DRDY interrupt handler on the real board).
 */
#ifndef GC_BUS_H
#define GC_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bus {
    void *ctx;
    /* Full-duplex transfer of n bytes: tx (NULL = send zeros) out, rx (NULL =
     * discard) in.  Returns 0, or -1 on a bus error. */
    int (*transfer)(void *ctx, const uint8_t *tx, uint8_t *rx, size_t n);
    /* Chip select: true asserts (drives /CS low), false releases it. */
    void (*select)(void *ctx, bool on);
    /* Busy-wait at least us microseconds. */
    void (*delay_us)(void *ctx, uint32_t us);
};

/* Results of driver calls: 0 ok, negative failures. */
enum bus_result {
    BUS_OK = 0,
    BUS_ERR_IO = -1,     /* the bus itself reported an error */
    BUS_ERR_ABSENT = -2, /* the chip did not answer as it must (ID, reset reply) */
    BUS_ERR_CRC = -3,    /* a frame's CRC did not match */
    BUS_ERR_ARG = -4,    /* unsupported setting (rate, gain) */
    BUS_ERR_VERIFY = -5, /* a register read back differently than written */
};

const char *bus_strerror(int result);

#endif
