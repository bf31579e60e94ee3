/*
 * icm42688.c - ICM-42688-P register logic (see icm42688.h).
 */
#include "icm42688.h"

#include <string.h>

/* Datasheet: wait 1 ms after a soft reset before touching registers, and
 * 200 us after switching sensors on before another register write. */
#define RESET_WAIT_US    1000u
#define POWER_ON_WAIT_US 200u
#define READ_BIT         0x80u

int icm42688_read_regs(struct icm42688 *dev, uint8_t addr, uint8_t *buf, size_t n)
{
    const struct bus *b = dev->bus;
    uint8_t a = (uint8_t)(addr | READ_BIT);
    b->select(b->ctx, true);
    int rc = b->transfer(b->ctx, &a, NULL, 1);
    if (rc == 0)
        rc = b->transfer(b->ctx, NULL, buf, n);
    b->select(b->ctx, false);
    return rc == 0 ? BUS_OK : BUS_ERR_IO;
}

int icm42688_write_reg(struct icm42688 *dev, uint8_t addr, uint8_t value)
{
    const struct bus *b = dev->bus;
    uint8_t tx[2] = {(uint8_t)(addr & ~READ_BIT), value};
    b->select(b->ctx, true);
    int rc = b->transfer(b->ctx, tx, NULL, sizeof tx);
    b->select(b->ctx, false);
    return rc == 0 ? BUS_OK : BUS_ERR_IO;
}

int icm42688_init(struct icm42688 *dev, const struct bus *bus)
{
    memset(dev, 0, sizeof *dev);
    dev->bus = bus;
    int rc = icm42688_write_reg(dev, ICM42688_REG_BANK_SEL, 0);
    if (rc == BUS_OK)
        rc = icm42688_write_reg(dev, ICM42688_REG_DEVICE_CONFIG, ICM42688_SOFT_RESET);
    if (rc != BUS_OK)
        return rc;
    bus->delay_us(bus->ctx, RESET_WAIT_US);
    uint8_t who = 0;
    rc = icm42688_read_regs(dev, ICM42688_REG_WHO_AM_I, &who, 1);
    if (rc != BUS_OK)
        return rc;
    if (who != ICM42688_WHO_AM_I)
        return BUS_ERR_ABSENT;
    dev->present = true;
    return BUS_OK;
}

/* ODR field (bits 3:0 of GYRO_CONFIG0 / ACCEL_CONFIG0): the slowest ODR
 * that is at least the sample rate, so every sample reads a fresh value. */
static int odr_code(uint32_t rate_hz)
{
    if (rate_hz <= 500u)
        return 0x0F; /* 500 Hz */
    if (rate_hz <= 1000u)
        return 0x06; /* 1 kHz */
    if (rate_hz <= 2000u)
        return 0x05; /* 2 kHz */
    return -1;
}

int icm42688_configure(struct icm42688 *dev, uint32_t rate_hz)
{
    int odr = odr_code(rate_hz);
    if (odr < 0)
        return BUS_ERR_ARG;
    uint8_t cfg = (uint8_t)(ICM42688_FS_MAX << 5 | (unsigned)odr);
    int rc = icm42688_write_reg(dev, ICM42688_REG_GYRO_CONFIG0, cfg);
    if (rc == BUS_OK)
        rc = icm42688_write_reg(dev, ICM42688_REG_ACCEL_CONFIG0, cfg);
    if (rc == BUS_OK)
        rc = icm42688_write_reg(dev, ICM42688_REG_PWR_MGMT0, ICM42688_PWR_LN);
    if (rc != BUS_OK)
        return rc;
    dev->bus->delay_us(dev->bus->ctx, POWER_ON_WAIT_US);
    uint8_t back[3];
    rc = icm42688_read_regs(dev, ICM42688_REG_PWR_MGMT0, back, sizeof back);
    if (rc != BUS_OK)
        return rc;
    if (back[0] != ICM42688_PWR_LN || back[1] != cfg || back[2] != cfg)
        return BUS_ERR_VERIFY;
    dev->odr_code = (uint8_t)odr;
    return BUS_OK;
}

int icm42688_read(struct icm42688 *dev, int16_t out[ICM42688_AXES])
{
    uint8_t raw[2 * ICM42688_AXES];
    int rc = icm42688_read_regs(dev, ICM42688_REG_ACCEL_DATA_X1, raw, sizeof raw);
    if (rc != BUS_OK)
        return rc;
    for (unsigned i = 0; i < ICM42688_AXES; i++)
        out[i] = (int16_t)(uint16_t)(raw[2 * i] << 8 | raw[2 * i + 1]);
    return BUS_OK;
}

bool icm42688_present(const struct icm42688 *dev)
{
    return dev->present;
}
