/*
 * test_ads131m04.c - ADS131M04 driver against the fake chip: CRC, reset and
 * ID check, rate/gain configuration, frame decoding, and the failures the
 * firmware must report (absent chip, bad CRCs, wrong ID, stuck register,
 * bus error).  All values are exact: the driver does integer bit work only.
 */
#include <string.h>

#include "ads131m04.h"
#include "check.h"
#include "fake_chips.h"

static void test_crc(void)
{
    /* CRC-16/CCITT-FALSE check value of "123456789" (poly 0x1021, init
     * 0xFFFF): 0x29B1, the variant the ADS131M04 datasheet specifies. */
    const uint8_t msg[] = "123456789";
    CHECK_EQ(ads131m04_crc16(msg, 9), 0x29B1);
    CHECK_EQ(ads131m04_crc16(msg, 0), 0xFFFF);
}

static void test_init_configure_read(void)
{
    struct fake_ads f;
    struct bus b;
    struct ads131m04 dev;
    fake_ads_init(&f);
    fake_ads_bus(&b, &f);

    CHECK_EQ(ads131m04_init(&dev, &b), BUS_OK);
    CHECK(ads131m04_present(&dev));
    CHECK_EQ(f.resets, 1);
    CHECK_EQ(f.regs[ADS131M04_REG_MODE], ADS131M04_MODE_VALUE);

    /* 1 kHz: OSR 4096 (code 5); all channels on, high-resolution mode. */
    CHECK_EQ(ads131m04_configure(&dev, 1000, 32), BUS_OK);
    CHECK_EQ(f.regs[ADS131M04_REG_CLOCK], 0x0F00 | 5 << 2 | 2);
    CHECK_EQ(f.regs[ADS131M04_REG_GAIN1], 0x5555); /* gain 32 = code 5 on each channel */
    CHECK_EQ(ads131m04_configure(&dev, 500, 1), BUS_OK);
    CHECK_EQ(f.regs[ADS131M04_REG_CLOCK], 0x0F00 | 6 << 2 | 2);
    CHECK_EQ(f.regs[ADS131M04_REG_GAIN1], 0x0000);
    CHECK_EQ(ads131m04_configure(&dev, 2000, 128), BUS_OK);
    CHECK_EQ(f.regs[ADS131M04_REG_CLOCK], 0x0F00 | 4 << 2 | 2);
    CHECK_EQ(f.regs[ADS131M04_REG_GAIN1], 0x7777);
    /* Rates CLKIN / (2 OSR) cannot make, gains that are not powers of two. */
    CHECK_EQ(ads131m04_configure(&dev, 1500, 32), BUS_ERR_ARG);
    CHECK_EQ(ads131m04_configure(&dev, 1000, 3), BUS_ERR_ARG);
    CHECK_EQ(ads131m04_configure(&dev, 1000, 0), BUS_ERR_ARG);

    /* Full-scale and sign handling of the 24-bit words. */
    const int32_t want[4] = {1, -1, 8388607, -8388608};
    memcpy(f.ch, want, sizeof want);
    int32_t got[4] = {0};
    unsigned frames_before = dev.frames;
    CHECK_EQ(ads131m04_read_frame(&dev, got), BUS_OK);
    for (int c = 0; c < 4; c++)
        CHECK_EQ(got[c], want[c]);
    CHECK_EQ(dev.frames, frames_before + 1);
    CHECK_EQ(dev.crc_errors, 0);
}

static void test_bad_crc(void)
{
    struct fake_ads f;
    struct bus b;
    struct ads131m04 dev;
    fake_ads_init(&f);
    fake_ads_bus(&b, &f);
    CHECK_EQ(ads131m04_init(&dev, &b), BUS_OK);

    f.ch[0] = 1234;
    f.corrupt_every = 3; /* from now on every 3rd frame the chip sends is bad */
    unsigned base = f.frames;
    int bad = 0, good = 0;
    for (int i = 0; i < 30; i++) {
        int32_t got[4] = {-7, -7, -7, -7};
        int rc = ads131m04_read_frame(&dev, got);
        if (rc == BUS_ERR_CRC) {
            bad++;
            CHECK_EQ(got[0], -7); /* a rejected frame never reaches the caller */
        } else {
            good++;
            CHECK_EQ(rc, BUS_OK);
            CHECK_EQ(got[0], 1234);
        }
    }
    /* Frames base+1 .. base+30: exactly the multiples of 3 are corrupt. */
    int want_bad = 0;
    for (unsigned k = base + 1; k <= base + 30; k++)
        want_bad += k % 3 == 0;
    CHECK_EQ(bad, want_bad);
    CHECK_EQ(dev.crc_errors, want_bad);
    CHECK_EQ(dev.frames, good);
}

static void test_absent(void)
{
    const uint8_t idle[2] = {0x00, 0xFF}; /* MISO pulled low / floating high */
    for (int i = 0; i < 2; i++) {
        struct fake_ads f;
        struct bus b;
        struct ads131m04 dev;
        fake_ads_init(&f);
        f.present = false;
        f.miso_idle = idle[i];
        fake_ads_bus(&b, &f);
        CHECK_EQ(ads131m04_init(&dev, &b), BUS_ERR_ABSENT);
        CHECK(!ads131m04_present(&dev));
        int32_t got[4];
        CHECK_EQ(ads131m04_read_frame(&dev, got), BUS_ERR_CRC);
        CHECK_EQ(dev.crc_errors, 1);
    }
}

static void test_wrong_chip_and_failures(void)
{
    struct fake_ads f;
    struct bus b;
    struct ads131m04 dev;

    fake_ads_init(&f);
    f.id = 0x2201; /* an ADS131M02: answers the reset, wrong channel count */
    fake_ads_bus(&b, &f);
    CHECK_EQ(ads131m04_init(&dev, &b), BUS_ERR_ABSENT);

    fake_ads_init(&f);
    f.corrupt_every = 1; /* every frame bad: indistinguishable from no chip */
    fake_ads_bus(&b, &f);
    CHECK_EQ(ads131m04_init(&dev, &b), BUS_ERR_ABSENT);

    fake_ads_init(&f);
    f.stuck_reg = ADS131M04_REG_GAIN1;
    fake_ads_bus(&b, &f);
    CHECK_EQ(ads131m04_init(&dev, &b), BUS_OK);
    CHECK_EQ(ads131m04_configure(&dev, 1000, 32), BUS_ERR_VERIFY);

    fake_ads_init(&f);
    f.fail_io = true;
    fake_ads_bus(&b, &f);
    CHECK_EQ(ads131m04_init(&dev, &b), BUS_ERR_IO);

    CHECK(strcmp(bus_strerror(BUS_ERR_ABSENT), bus_strerror(BUS_ERR_CRC)) != 0);
    CHECK(strcmp(bus_strerror(12345), "unknown driver error") == 0);
}

int main(void)
{
    test_crc();
    test_init_configure_read();
    test_bad_crc();
    test_absent();
    test_wrong_chip_and_failures();
    return check_exit();
}
