/*
 * icm42688.h - TDK InvenSense ICM-42688-P (6-axis IMU) as pure register
 * logic over a struct bus.
 *
 * SPI (mode 0 or 3): first byte = register address, bit 7 set for a read;
 * the address auto-increments over a burst.  The driver resets the chip,
 * checks WHO_AM_I (0x47), sets accelerometer +-16 g and gyro +-2000 dps
 * (2048 LSB/g and 16.4 LSB/dps, as the HELLO announces) in low-noise mode at
 * an output data rate at or above the sample rate, and reads the latest
 * values as one 12-byte register burst (big-endian ax ay az gx gy gz) each
 * time the ADC delivers a sample, so both sensors share the ADC's clock.
 *
 * Ownership: struct icm42688 is the caller's storage.  Context: init /
 * configure at boot or while stopped; read from the DRDY handler.
 */
#ifndef GC_ICM42688_H
#define GC_ICM42688_H

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"

#define ICM42688_REG_DEVICE_CONFIG 0x11u
#define ICM42688_REG_ACCEL_DATA_X1 0x1Fu /* first of 12 data bytes */
#define ICM42688_REG_PWR_MGMT0     0x4Eu
#define ICM42688_REG_GYRO_CONFIG0  0x4Fu
#define ICM42688_REG_ACCEL_CONFIG0 0x50u
#define ICM42688_REG_WHO_AM_I      0x75u
#define ICM42688_REG_BANK_SEL      0x76u
#define ICM42688_WHO_AM_I          0x47u
#define ICM42688_SOFT_RESET        0x01u
/* Gyro and accel in low-noise mode. */
#define ICM42688_PWR_LN 0x0Fu
/* FS_SEL (bits 7:5) = 0: +-2000 dps / +-16 g. */
#define ICM42688_FS_MAX 0x00u
#define ICM42688_AXES   6u

struct icm42688 {
    /* private */
    const struct bus *bus;
    bool present;
    uint8_t odr_code;
};

/* Soft reset, WHO_AM_I check.  BUS_OK, BUS_ERR_ABSENT or BUS_ERR_IO. */
int icm42688_init(struct icm42688 *dev, const struct bus *bus);
/* Full scale as above, ODR >= rate_hz (500, 1000 or 2000 Hz steps), both
 * sensors on; verified by read-back.  BUS_ERR_ARG above 2000 Hz. */
int icm42688_configure(struct icm42688 *dev, uint32_t rate_hz);
/* Latest ax ay az gx gy gz in LSB. */
int icm42688_read(struct icm42688 *dev, int16_t out[ICM42688_AXES]);

int icm42688_read_regs(struct icm42688 *dev, uint8_t addr, uint8_t *buf, size_t n);
int icm42688_write_reg(struct icm42688 *dev, uint8_t addr, uint8_t value);
bool icm42688_present(const struct icm42688 *dev);

#endif
