/*
 * fake_chips.h - register-level models of the ADS131M04 and ICM-42688-P
 * behind a struct bus, for the driver unit tests.
 *
 * They follow the datasheets' SPI behaviour closely enough that the drivers
 * cannot pass by accident: the ADC answers a command one frame late and
 * protects every output frame with CRC-16-CCITT; the IMU auto-increments
 * its register address over a burst.  Knobs inject the failures the
 * firmware must report: no chip on the bus (MISO idles low or high), a
 * wrong ID, corrupted CRCs, registers that do not keep writes, bus errors.
 */
#ifndef GC_FAKE_CHIPS_H
#define GC_FAKE_CHIPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ads131m04.h"
#include "bus.h"
#include "icm42688.h"

struct fake_ads {
    bool present;                   /* false: nobody drives MISO */
    uint8_t miso_idle;              /* byte read when absent: 0x00 or 0xFF */
    uint16_t id;                    /* ID register after reset */
    unsigned corrupt_every;         /* 0: never; n: flip a CRC bit in every n-th frame */
    int stuck_reg;                  /* register that ignores writes, or -1 */
    bool fail_io;                   /* transfer() returns -1 */
    int32_t ch[ADS131M04_CHANNELS]; /* conversion results streamed in every frame */
    /* state */
    uint16_t regs[64];
    uint16_t reply;
    unsigned frames, resets;
    size_t pos;
    uint8_t out[ADS131M04_FRAME_BYTES], in[ADS131M04_FRAME_BYTES];
};

struct fake_icm {
    bool present;
    uint8_t miso_idle;
    uint8_t who_am_i; /* WHO_AM_I after reset */
    int stuck_reg;    /* register that ignores writes, or -1 */
    /* state */
    uint8_t regs[128];
    unsigned resets;
    bool have_addr, reading;
    uint8_t addr;
};

void fake_ads_init(struct fake_ads *f);
void fake_ads_bus(struct bus *b, struct fake_ads *f);
void fake_icm_init(struct fake_icm *f);
void fake_icm_bus(struct bus *b, struct fake_icm *f);

#endif
