/*
 * test_icm42688.c - ICM-42688-P driver against the fake chip: reset and
 * WHO_AM_I, ODR/full-scale configuration, burst read decoding, and the
 * absent / wrong-chip / stuck-register cases.  Exact integer values.
 */
#include <string.h>

#include "check.h"
#include "fake_chips.h"
#include "icm42688.h"

static void test_init_configure_read(void)
{
    struct fake_icm f;
    struct bus b;
    struct icm42688 dev;
    fake_icm_init(&f);
    fake_icm_bus(&b, &f);

    f.regs[ICM42688_REG_PWR_MGMT0] = 0x0F; /* left on by a previous run */
    CHECK_EQ(icm42688_init(&dev, &b), BUS_OK);
    CHECK(icm42688_present(&dev));
    CHECK_EQ(f.resets, 1);
    CHECK_EQ(f.regs[ICM42688_REG_PWR_MGMT0], 0); /* the soft reset happened */

    /* ODR codes (datasheet GYRO_CONFIG0): 0x06 = 1 kHz, 0x0F = 500 Hz,
     * 0x05 = 2 kHz; FS_SEL 0 = +-2000 dps / +-16 g. */
    CHECK_EQ(icm42688_configure(&dev, 1000), BUS_OK);
    CHECK_EQ(f.regs[ICM42688_REG_GYRO_CONFIG0], 0x06);
    CHECK_EQ(f.regs[ICM42688_REG_ACCEL_CONFIG0], 0x06);
    CHECK_EQ(f.regs[ICM42688_REG_PWR_MGMT0], 0x0F);
    CHECK_EQ(icm42688_configure(&dev, 500), BUS_OK);
    CHECK_EQ(f.regs[ICM42688_REG_GYRO_CONFIG0], 0x0F);
    CHECK_EQ(icm42688_configure(&dev, 750), BUS_OK); /* next ODR up: 1 kHz */
    CHECK_EQ(f.regs[ICM42688_REG_ACCEL_CONFIG0], 0x06);
    CHECK_EQ(icm42688_configure(&dev, 2000), BUS_OK);
    CHECK_EQ(f.regs[ICM42688_REG_GYRO_CONFIG0], 0x05);
    CHECK_EQ(icm42688_configure(&dev, 2001), BUS_ERR_ARG);

    /* Big-endian register pairs from ACCEL_DATA_X1: ax ay az gx gy gz. */
    const int16_t want[6] = {2048, -2, 32767, -32768, 164, -1640};
    for (int i = 0; i < 6; i++) {
        uint16_t v = (uint16_t)want[i];
        f.regs[ICM42688_REG_ACCEL_DATA_X1 + 2 * i] = (uint8_t)(v >> 8);
        f.regs[ICM42688_REG_ACCEL_DATA_X1 + 2 * i + 1] = (uint8_t)v;
    }
    int16_t got[6] = {0};
    CHECK_EQ(icm42688_read(&dev, got), BUS_OK);
    for (int i = 0; i < 6; i++)
        CHECK_EQ(got[i], want[i]);
}

static void test_absent_and_wrong(void)
{
    const uint8_t idle[2] = {0x00, 0xFF};
    for (int i = 0; i < 2; i++) {
        struct fake_icm f;
        struct bus b;
        struct icm42688 dev;
        fake_icm_init(&f);
        f.present = false;
        f.miso_idle = idle[i];
        fake_icm_bus(&b, &f);
        CHECK_EQ(icm42688_init(&dev, &b), BUS_ERR_ABSENT);
        CHECK(!icm42688_present(&dev));
    }

    struct fake_icm f;
    struct bus b;
    struct icm42688 dev;
    fake_icm_init(&f);
    f.who_am_i = 0x98; /* ICM-20689: a different chip on the footprint */
    fake_icm_bus(&b, &f);
    f.regs[ICM42688_REG_WHO_AM_I] = f.who_am_i;
    CHECK_EQ(icm42688_init(&dev, &b), BUS_ERR_ABSENT);

    fake_icm_init(&f);
    f.stuck_reg = ICM42688_REG_ACCEL_CONFIG0;
    fake_icm_bus(&b, &f);
    CHECK_EQ(icm42688_init(&dev, &b), BUS_OK);
    CHECK_EQ(icm42688_configure(&dev, 1000), BUS_OK); /* reset value happens to match */
    CHECK_EQ(icm42688_configure(&dev, 2000), BUS_ERR_VERIFY);
}

int main(void)
{
    test_init_configure_read();
    test_absent_and_wrong();
    return check_exit();
}
