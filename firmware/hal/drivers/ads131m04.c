/*
 * ads131m04.c - ADS131M04 frame logic (see ads131m04.h).
 */
#include "ads131m04.h"

#include <string.h>

/* After the RESET command the chip needs tREGACQ (5 us) before it accepts
 * the next frame; wait twice that. */
#define RESET_WAIT_US 10u
/* Bytes covered by the output CRC: words 0..4. */
#define CRC_SPAN (ADS131M04_WORD_BYTES * (ADS131M04_FRAME_WORDS - 1u))

uint16_t ads131m04_crc16(const uint8_t *buf, size_t n)
{
    uint16_t crc = 0xFFFFu;
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint16_t)(buf[i] << 8);
        for (int b = 0; b < 8; b++)
            crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u) : (uint16_t)(crc << 1);
    }
    return crc;
}

static uint16_t word16(const uint8_t *w)
{
    return (uint16_t)(w[0] << 8 | w[1]);
}

/* One full frame: command (and, for WREG, one data word) out, the reply
 * and data in.  Returns BUS_OK, BUS_ERR_IO or BUS_ERR_CRC. */
static int xfer(struct ads131m04 *dev, uint16_t cmd, uint16_t data,
                uint8_t rx[ADS131M04_FRAME_BYTES])
{
    uint8_t tx[ADS131M04_FRAME_BYTES];
    memset(tx, 0, sizeof tx);
    tx[0] = (uint8_t)(cmd >> 8);
    tx[1] = (uint8_t)cmd;
    tx[ADS131M04_WORD_BYTES + 0] = (uint8_t)(data >> 8);
    tx[ADS131M04_WORD_BYTES + 1] = (uint8_t)data;
    const struct bus *b = dev->bus;
    b->select(b->ctx, true);
    int rc = b->transfer(b->ctx, tx, rx, ADS131M04_FRAME_BYTES);
    b->select(b->ctx, false);
    if (rc != 0)
        return BUS_ERR_IO;
    if (ads131m04_crc16(rx, CRC_SPAN) != word16(rx + CRC_SPAN))
        return BUS_ERR_CRC;
    dev->last_reply = word16(rx);
    return BUS_OK;
}

int ads131m04_read_reg(struct ads131m04 *dev, uint8_t addr, uint16_t *value)
{
    uint8_t rx[ADS131M04_FRAME_BYTES];
    int rc = xfer(dev, ADS131M04_CMD_RREG(addr), 0, rx);
    if (rc == BUS_ERR_IO)
        return rc;
    /* The reply to RREG arrives in the following frame. */
    rc = xfer(dev, ADS131M04_CMD_NULL, 0, rx);
    if (rc != BUS_OK)
        return rc;
    *value = dev->last_reply;
    return BUS_OK;
}

int ads131m04_write_reg(struct ads131m04 *dev, uint8_t addr, uint16_t value)
{
    uint8_t rx[ADS131M04_FRAME_BYTES];
    int rc = xfer(dev, ADS131M04_CMD_WREG(addr), value, rx);
    if (rc == BUS_ERR_IO)
        return rc;
    rc = xfer(dev, ADS131M04_CMD_NULL, 0, rx);
    if (rc != BUS_OK)
        return rc;
    return dev->last_reply == ADS131M04_REPLY_WREG(addr) ? BUS_OK : BUS_ERR_VERIFY;
}

int ads131m04_init(struct ads131m04 *dev, const struct bus *bus)
{
    uint8_t rx[ADS131M04_FRAME_BYTES];
    memset(dev, 0, sizeof *dev);
    dev->bus = bus;

    /* The reply to this frame belongs to whatever came before: ignore its
     * CRC, but not a bus failure. */
    if (xfer(dev, ADS131M04_CMD_RESET, 0, rx) == BUS_ERR_IO)
        return BUS_ERR_IO;
    bus->delay_us(bus->ctx, RESET_WAIT_US);
    int rc = xfer(dev, ADS131M04_CMD_NULL, 0, rx);
    if (rc == BUS_ERR_IO)
        return rc;
    /* No chip: MISO floats to all-0 or all-1 and the CRC cannot match. */
    if (rc == BUS_ERR_CRC || dev->last_reply != ADS131M04_REPLY_RESET)
        return BUS_ERR_ABSENT;

    uint16_t id = 0;
    rc = ads131m04_read_reg(dev, ADS131M04_REG_ID, &id);
    if (rc != BUS_OK)
        return rc;
    if ((id & ADS131M04_ID_MASK) != ADS131M04_ID_VALUE)
        return BUS_ERR_ABSENT;

    rc = ads131m04_write_reg(dev, ADS131M04_REG_MODE, ADS131M04_MODE_VALUE);
    if (rc != BUS_OK)
        return rc;
    uint16_t mode = 0;
    rc = ads131m04_read_reg(dev, ADS131M04_REG_MODE, &mode);
    if (rc != BUS_OK)
        return rc;
    if (mode != ADS131M04_MODE_VALUE)
        return BUS_ERR_VERIFY;
    dev->present = true;
    return BUS_OK;
}

/* OSR code (CLOCK bits 4:2) for a data rate at CLKIN 8.192 MHz, or -1. */
static int osr_code(uint32_t rate_hz)
{
    static const struct {
        uint32_t rate_hz;
        uint8_t code;
    } table[] = {{500u, 6u} /* OSR 8192 */, {1000u, 5u} /* 4096 */, {2000u, 4u} /* 2048 */};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (table[i].rate_hz == rate_hz)
            return table[i].code;
    }
    return -1;
}

/* PGA gain code: gain = 2^code, 1..128. */
static int gain_code(uint8_t gain)
{
    for (int code = 0; code < 8; code++) {
        if (gain == (1u << code))
            return code;
    }
    return -1;
}

int ads131m04_configure(struct ads131m04 *dev, uint32_t rate_hz, uint8_t gain)
{
    int osr = osr_code(rate_hz);
    int g = gain_code(gain);
    if (osr < 0 || g < 0)
        return BUS_ERR_ARG;
    uint16_t clock =
        (uint16_t)(ADS131M04_CLOCK_CH_ALL | ((unsigned)osr << 2) | ADS131M04_CLOCK_PWR_HR);
    uint16_t gains = (uint16_t)(g | g << 4 | g << 8 | g << 12);
    int rc = ads131m04_write_reg(dev, ADS131M04_REG_CLOCK, clock);
    if (rc == BUS_OK)
        rc = ads131m04_write_reg(dev, ADS131M04_REG_GAIN1, gains);
    uint16_t v_clock = 0, v_gains = 0;
    if (rc == BUS_OK)
        rc = ads131m04_read_reg(dev, ADS131M04_REG_CLOCK, &v_clock);
    if (rc == BUS_OK)
        rc = ads131m04_read_reg(dev, ADS131M04_REG_GAIN1, &v_gains);
    if (rc != BUS_OK)
        return rc;
    if (v_clock != clock || v_gains != gains)
        return BUS_ERR_VERIFY;
    dev->rate_hz = rate_hz;
    dev->gain = gain;
    return BUS_OK;
}

int ads131m04_read_frame(struct ads131m04 *dev, int32_t counts[ADS131M04_CHANNELS])
{
    uint8_t rx[ADS131M04_FRAME_BYTES];
    int rc = xfer(dev, ADS131M04_CMD_NULL, 0, rx);
    if (rc == BUS_ERR_CRC)
        dev->crc_errors++;
    if (rc != BUS_OK)
        return rc;
    for (unsigned c = 0; c < ADS131M04_CHANNELS; c++) {
        const uint8_t *w = rx + ADS131M04_WORD_BYTES * (1u + c);
        uint32_t raw = (uint32_t)w[0] << 16 | (uint32_t)w[1] << 8 | w[2];
        /* 24-bit two's complement to int32 without relying on shifts of
         * negative values. */
        counts[c] = (raw & 0x800000u) ? (int32_t)raw - 0x1000000 : (int32_t)raw;
    }
    dev->frames++;
    return BUS_OK;
}

bool ads131m04_present(const struct ads131m04 *dev)
{
    return dev->present;
}
