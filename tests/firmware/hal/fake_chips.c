/*
 * fake_chips.c - ADS131M04 / ICM-42688-P models (see fake_chips.h).
 */
#include "fake_chips.h"

#include <string.h>

/* ---- ADS131M04 ------------------------------------------------------- */

static void ads_reset_regs(struct fake_ads *f)
{
    memset(f->regs, 0, sizeof f->regs);
    f->regs[ADS131M04_REG_ID] = f->id;
    f->regs[ADS131M04_REG_STATUS] = 0x0500; /* RESET flag, 24-bit words */
    f->regs[ADS131M04_REG_MODE] = 0x0510;   /* datasheet reset value */
    f->regs[ADS131M04_REG_CLOCK] = 0x0F0E;
    f->regs[ADS131M04_REG_GAIN1] = 0x0000;
}

void fake_ads_init(struct fake_ads *f)
{
    memset(f, 0, sizeof *f);
    f->present = true;
    f->id = 0x2401;
    f->stuck_reg = -1;
    ads_reset_regs(f);
    f->reply = f->regs[ADS131M04_REG_STATUS];
}

static void put24(uint8_t *w, uint32_t v)
{
    w[0] = (uint8_t)(v >> 16);
    w[1] = (uint8_t)(v >> 8);
    w[2] = (uint8_t)v;
}

static void ads_select(void *ctx, bool on)
{
    struct fake_ads *f = ctx;
    if (on) {
        /* Build the output frame: reply | ch0..ch3 | CRC. */
        f->pos = 0;
        memset(f->out, 0, sizeof f->out);
        put24(f->out, (uint32_t)f->reply << 8);
        for (unsigned c = 0; c < ADS131M04_CHANNELS; c++)
            put24(f->out + 3 * (1 + c), (uint32_t)f->ch[c] & 0xFFFFFFu);
        uint16_t crc = ads131m04_crc16(f->out, 15);
        f->frames++;
        if (f->corrupt_every && f->frames % f->corrupt_every == 0)
            crc ^= 0x0400u;
        put24(f->out + 15, (uint32_t)crc << 8);
        memset(f->in, 0, sizeof f->in);
        return;
    }
    if (!f->present || f->pos != ADS131M04_FRAME_BYTES)
        return; /* short frames are ignored by the chip */
    uint16_t cmd = (uint16_t)(f->in[0] << 8 | f->in[1]);
    unsigned addr = (cmd >> 7) & 0x3Fu;
    if (cmd == ADS131M04_CMD_RESET) {
        ads_reset_regs(f);
        f->resets++;
        f->reply = ADS131M04_REPLY_RESET;
    } else if ((cmd & 0xE000u) == 0xA000u) {
        f->reply = f->regs[addr];
    } else if ((cmd & 0xE000u) == 0x6000u) {
        if ((int)addr != f->stuck_reg)
            f->regs[addr] = (uint16_t)(f->in[3] << 8 | f->in[4]);
        f->reply = (uint16_t)(0x4000u | addr << 7);
    } else {
        f->reply = f->regs[ADS131M04_REG_STATUS];
    }
}

static int ads_transfer(void *ctx, const uint8_t *tx, uint8_t *rx, size_t n)
{
    struct fake_ads *f = ctx;
    if (f->fail_io)
        return -1;
    for (size_t i = 0; i < n; i++) {
        uint8_t out = f->pos < sizeof f->out ? f->out[f->pos] : 0;
        if (f->pos < sizeof f->in)
            f->in[f->pos] = tx ? tx[i] : 0;
        f->pos++;
        if (rx)
            rx[i] = f->present ? out : f->miso_idle;
    }
    return 0;
}

static void no_delay(void *ctx, uint32_t us)
{
    (void)ctx;
    (void)us;
}

void fake_ads_bus(struct bus *b, struct fake_ads *f)
{
    b->ctx = f;
    b->transfer = ads_transfer;
    b->select = ads_select;
    b->delay_us = no_delay;
}

/* ---- ICM-42688-P ----------------------------------------------------- */

static void icm_reset_regs(struct fake_icm *f)
{
    memset(f->regs, 0, sizeof f->regs);
    f->regs[ICM42688_REG_WHO_AM_I] = f->who_am_i;
    f->regs[ICM42688_REG_GYRO_CONFIG0] = 0x06; /* reset values: 1 kHz, max range */
    f->regs[ICM42688_REG_ACCEL_CONFIG0] = 0x06;
}

void fake_icm_init(struct fake_icm *f)
{
    memset(f, 0, sizeof *f);
    f->present = true;
    f->who_am_i = ICM42688_WHO_AM_I;
    f->stuck_reg = -1;
    icm_reset_regs(f);
}

static void icm_select(void *ctx, bool on)
{
    struct fake_icm *f = ctx;
    f->have_addr = false;
    (void)on;
}

static int icm_transfer(void *ctx, const uint8_t *tx, uint8_t *rx, size_t n)
{
    struct fake_icm *f = ctx;
    for (size_t i = 0; i < n; i++) {
        uint8_t in = tx ? tx[i] : 0;
        uint8_t out = f->miso_idle;
        if (!f->have_addr) {
            f->addr = in & 0x7Fu;
            f->reading = (in & 0x80u) != 0;
            f->have_addr = true;
        } else if (f->present && f->reading) {
            out = f->regs[f->addr & 0x7Fu];
            f->addr++;
        } else if (f->present) {
            if (f->addr == ICM42688_REG_DEVICE_CONFIG && (in & ICM42688_SOFT_RESET)) {
                icm_reset_regs(f);
                f->resets++;
            } else if (f->addr != f->stuck_reg) {
                f->regs[f->addr & 0x7Fu] = in;
            }
            f->addr++;
        }
        if (rx)
            rx[i] = f->present ? out : f->miso_idle;
    }
    return 0;
}

void fake_icm_bus(struct bus *b, struct fake_icm *f)
{
    b->ctx = f;
    b->transfer = icm_transfer;
    b->select = icm_select;
    b->delay_us = no_delay;
}
