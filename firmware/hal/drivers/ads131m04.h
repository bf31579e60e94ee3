/*
 * ads131m04.h - TI ADS131M04 (4-channel simultaneous 24-bit delta-sigma
 * ADC) as pure frame logic over a struct bus.
 *
 * SPI frames (mode 1, 24-bit words, the device default) are 6 words:
 *
 *   host -> ADC:  command | 0 | 0 | 0 | 0 | 0            (WREG: data in word 1)
 *   ADC -> host:  reply   | ch0 | ch1 | ch2 | ch3 | crc
 *
 * The reply in a frame answers the command of the previous frame.  16-bit
 * values sit in the upper two bytes of a word.  The ADC's output CRC is
 * CRC-16-CCITT (poly 0x1021, init 0xFFFF, no reflection) over every byte of
 * the frame before it, pad bytes included (datasheet 8.5.1.11); with no
 * chip on the bus the CRC check fails, which is how an absent ADC shows up
 * at run time.  Samples are paced by the chip's own /DRDY: the board calls
 * ads131m04_read_frame() once per falling edge.
 *
 * Data rate = CLKIN / (2 x OSR); this board feeds CLKIN 8.192 MHz, so the
 * supported rates are 500, 1000 and 2000 Hz (OSR 8192, 4096, 2048).
 *
 * Ownership: struct ads131m04 is the caller's storage; it keeps a pointer
 * to the bus.  Context: init/configure at boot or from the main loop while
 * sampling is stopped; read_frame from the DRDY handler only.
 */
#ifndef GC_ADS131M04_H
#define GC_ADS131M04_H

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"

#define ADS131M04_CHANNELS    4u
#define ADS131M04_WORD_BYTES  3u
#define ADS131M04_FRAME_WORDS 6u
#define ADS131M04_FRAME_BYTES (ADS131M04_WORD_BYTES * ADS131M04_FRAME_WORDS)
#define ADS131M04_CLKIN_HZ    8192000u

/* Commands (datasheet table 8-11). */
#define ADS131M04_CMD_NULL         0x0000u
#define ADS131M04_CMD_RESET        0x0011u
#define ADS131M04_CMD_STANDBY      0x0022u
#define ADS131M04_CMD_WAKEUP       0x0033u
#define ADS131M04_CMD_RREG(addr)   (0xA000u | ((uint16_t)(addr) << 7)) /* one register */
#define ADS131M04_CMD_WREG(addr)   (0x6000u | ((uint16_t)(addr) << 7)) /* one register */
#define ADS131M04_REPLY_RESET      0xFF24u /* "reset done", 4 channels */
#define ADS131M04_REPLY_WREG(addr) (0x4000u | ((uint16_t)(addr) << 7))

/* Registers. */
#define ADS131M04_REG_ID     0x00u
#define ADS131M04_REG_STATUS 0x01u
#define ADS131M04_REG_MODE   0x02u
#define ADS131M04_REG_CLOCK  0x03u
#define ADS131M04_REG_GAIN1  0x04u
#define ADS131M04_ID_MASK    0xFF00u
#define ADS131M04_ID_VALUE   0x2400u /* upper byte: 0x2 family, 4 channels */
/* MODE: 24-bit words, SPI timeout on, DRDY level-low, reset flag cleared. */
#define ADS131M04_MODE_VALUE 0x0110u
/* CLOCK: all four channels on, high-resolution power mode, OSR in 4:2. */
#define ADS131M04_CLOCK_CH_ALL   (0xFu << 8)
#define ADS131M04_CLOCK_PWR_HR   0x2u
#define ADS131M04_STATUS_CRC_ERR (1u << 12)

struct ads131m04 {
    /* private */
    const struct bus *bus;
    uint16_t last_reply; /* reply word of the latest frame */
    uint32_t rate_hz;    /* configured data rate */
    uint8_t gain;        /* configured PGA gain (1..128) */
    bool present;        /* reset reply and ID were right */
    /* counters (read freely from the main loop; written by read_frame) */
    volatile uint32_t frames;     /* frames read with a good CRC */
    volatile uint32_t crc_errors; /* frames rejected for their CRC */
};

/* CRC-16-CCITT as the ADC computes it. */
uint16_t ads131m04_crc16(const uint8_t *buf, size_t n);

/* Reset the chip, check its reset reply and ID, set MODE.  BUS_OK, or
 * BUS_ERR_ABSENT / BUS_ERR_CRC / BUS_ERR_IO / BUS_ERR_VERIFY. */
int ads131m04_init(struct ads131m04 *dev, const struct bus *bus);

/* Data rate (500, 1000 or 2000 Hz) and PGA gain (1, 2, 4, ..., 128) of all
 * four channels, verified by reading the registers back. */
int ads131m04_configure(struct ads131m04 *dev, uint32_t rate_hz, uint8_t gain);

/* One data frame: counts[0..3] get the sign-extended 24-bit conversions.
 * On a CRC mismatch counts are left untouched, crc_errors grows and
 * BUS_ERR_CRC is returned. */
int ads131m04_read_frame(struct ads131m04 *dev, int32_t counts[ADS131M04_CHANNELS]);

/* Register access (one register per command), for configure and tests. */
int ads131m04_read_reg(struct ads131m04 *dev, uint8_t addr, uint16_t *value);
int ads131m04_write_reg(struct ads131m04 *dev, uint8_t addr, uint16_t value);

bool ads131m04_present(const struct ads131m04 *dev);

#endif
