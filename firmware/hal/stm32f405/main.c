/*
 * main.c - the real sensor unit: STM32F405 + ADS131M04 (4 load cells) +
 * ICM-42688-P (deck IMU).
 *
 * Pins (board wiring this firmware assumes):
 *   USART1  PA9 TX, PA10 RX (AF7)                 host link, 921600 8N1
 *   SPI1    PA5 SCK, PA6 MISO, PA7 MOSI (AF5)     ADS131M04, mode 1, 10.5 MHz
 *           PA4 /CS, PB0 /DRDY (EXTI0, falling), PB1 /SYNC-/RESET (held high)
 *   SPI2    PB13 SCK, PB14 MISO, PB15 MOSI (AF5)  ICM-42688-P, mode 0, 10.5 MHz
 *           PB12 /CS
 *   ADS131M04 CLKIN from an 8.192 MHz oscillator (sets the sample clock).
 *
 * Sampling is paced by the ADC itself: each /DRDY falling edge the EXTI0
 * handler reads the ADC frame and the IMU registers and queues the sample
 * with its index k; the main loop stamps it t0 + k / rate.  A frame with a
 * bad CRC is replaced by the last good one (so timing stays exact) and
 * raises FAULT_ADC_CRC until the next START; a full queue loses the sample,
 * which the main loop counts as an overrun (FAULT_SAMPLE_LATE).  An ADC that
 * does not answer at boot is FAULT_ADC_ABSENT and START is refused; a
 * missing IMU is FAULT_IMU_ABSENT and its channels stream as 0.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "ads131m04.h"
#include "board.h"
#include "fault.h"
#include "gpio.h"
#include "icm42688.h"
#include "regs.h"
#include "sampq.h"
#include "spi.h"
#include "timebase.h"

/* PGA gain the nominal 2.5e-4 N/count of the HELLO assumes. */
#define ADC_PGA_GAIN 32u
/* SPI clock = f_pclk / 2^(code+1): SPI1 on APB2 (84 MHz) / 8 and SPI2 on
 * APB1 (42 MHz) / 4, both 10.5 MHz (ADS131M04 and ICM-42688-P allow 25
 * and 24 MHz). */
#define SPI1_BR_DIV8 2u
#define SPI2_BR_DIV4 1u
#define PIN_DRDY     0u /* PB0 */
#define PIN_SYNC     1u /* PB1 */

static struct spi_dev adc_spi = {SPI1_BASE, GPIOA_BASE, 4u};
static struct spi_dev imu_spi = {SPI2_BASE, GPIOB_BASE, 12u};
static struct bus adc_bus, imu_bus;
static struct ads131m04 adc;
static struct icm42688 imu;
static bool adc_ok, imu_ok;

/* Run state: written by the main loop while DRDY is masked. */
static volatile bool running;
static uint32_t next_k;
static uint64_t run_t0_us;
static uint32_t crc_errors_at_start;
static int32_t last_cells[ADS131M04_CHANNELS];

static void drdy_enable(bool on)
{
    if (on) {
        EXTI_PR = 1u << PIN_DRDY;
        EXTI_IMR |= 1u << PIN_DRDY;
    } else {
        EXTI_IMR &= ~(1u << PIN_DRDY);
        EXTI_PR = 1u << PIN_DRDY;
    }
}

void exti0_handler(void);
void exti0_handler(void)
{
    EXTI_PR = 1u << PIN_DRDY;
    if (!running)
        return;
    uint64_t now = timebase_now_us();
    struct sampq_entry e;
    int32_t cells[ADS131M04_CHANNELS];
    if (ads131m04_read_frame(&adc, cells) == BUS_OK)
        memcpy(last_cells, cells, sizeof cells);
    for (unsigned c = 0; c < PKT_CELLS; c++)
        e.s.cell[c] = last_cells[c];
    if (!imu_ok || icm42688_read(&imu, e.s.imu) != BUS_OK)
        memset(e.s.imu, 0, sizeof e.s.imu);
    if (next_k == 0)
        run_t0_us = now;
    e.k = next_k++;
    (void)sampq_push(&e); /* full: the main loop sees the gap in k */
}

static int src_start(uint32_t rate_hz, uint64_t now_us)
{
    (void)now_us; /* t0 is the first /DRDY edge, not the START */
    drdy_enable(false);
    running = false;
    if (!adc_ok)
        return -1;
    if (ads131m04_configure(&adc, rate_hz, ADC_PGA_GAIN) != BUS_OK)
        return -1; /* e.g. a rate the ADC clock cannot divide to */
    if (imu_ok && icm42688_configure(&imu, rate_hz) != BUS_OK)
        imu_ok = false;
    memset(last_cells, 0, sizeof last_cells);
    crc_errors_at_start = adc.crc_errors;
    next_k = 0;
    running = true;
    drdy_enable(true);
    return 0;
}

static void src_stop(void)
{
    drdy_enable(false);
    running = false;
}

static uint64_t src_t0_us(void)
{
    return run_t0_us;
}

static uint32_t src_faults(void)
{
    uint32_t f = 0;
    if (!adc_ok)
        f |= FAULT_ADC_ABSENT;
    else if (adc.crc_errors != crc_errors_at_start)
        f |= FAULT_ADC_CRC;
    if (!imu_ok)
        f |= FAULT_IMU_ABSENT;
    return f;
}

static const struct board_source adc_source = {
    .start = src_start,
    .stop = src_stop,
    .t0_us = src_t0_us,
    .faults = src_faults,
    .tick = NULL,
};

static void pins_init(void)
{
    RCC_AHB1ENR |= RCC_AHB1ENR_GPIOA | RCC_AHB1ENR_GPIOB;
    RCC_APB2ENR |= RCC_APB2ENR_SPI1 | RCC_APB2ENR_SYSCFG;
    RCC_APB1ENR |= RCC_APB1ENR_SPI2;
    gpio_alt(GPIOA_BASE, 5u, 5u);
    gpio_alt(GPIOA_BASE, 6u, 5u);
    gpio_alt(GPIOA_BASE, 7u, 5u);
    gpio_alt(GPIOB_BASE, 13u, 5u);
    gpio_alt(GPIOB_BASE, 14u, 5u);
    gpio_alt(GPIOB_BASE, 15u, 5u);
    gpio_mode(GPIOB_BASE, PIN_SYNC, GPIO_OUTPUT);
    gpio_write(GPIOB_BASE, PIN_SYNC, true);
    gpio_mode(GPIOB_BASE, PIN_DRDY, GPIO_INPUT);
    gpio_pull_up(GPIOB_BASE, PIN_DRDY);
    /* EXTI line 0 from port B, falling edge (/DRDY goes low: data ready). */
    SYSCFG_EXTICR1 = (SYSCFG_EXTICR1 & ~0xFu) | 0x1u;
    EXTI_RTSR &= ~(1u << PIN_DRDY);
    EXTI_FTSR |= 1u << PIN_DRDY;
    drdy_enable(false);
    nvic_enable(IRQ_EXTI0, PRIO_SAMPLE);
}

static void hex(char *out, uint32_t v, unsigned digits)
{
    static const char d[] = "0123456789ABCDEF";
    for (unsigned i = digits; i-- > 0;) {
        out[i] = d[v & 0xFu];
        v >>= 4;
    }
}

int main(void)
{
    struct board_boot boot;
    struct fw_identity id;

    board_init(&boot, NULL);
    pins_init();
    spi_init(&adc_spi, 1u, SPI1_BR_DIV8);
    spi_init(&imu_spi, 0u, SPI2_BR_DIV4);
    spi_bus(&adc_bus, &adc_spi);
    spi_bus(&imu_bus, &imu_spi);
    adc_ok = ads131m04_init(&adc, &adc_bus) == BUS_OK;
    imu_ok = icm42688_init(&imu, &imu_bus) == BUS_OK;

    memset(&id, 0, sizeof id);
    board_identity_defaults(&id, &boot);
    /* Serial: "GC" + 14 hex digits folded from the 96-bit unique ID. */
    uint32_t uid0, uid1, uid2;
    if (fault_probe_read32(UID_BASE, &uid0) && fault_probe_read32(UID_BASE + 4u, &uid1) &&
        fault_probe_read32(UID_BASE + 8u, &uid2)) {
        memcpy(id.serial, "GC", 2);
        hex(id.serial + 2, uid0 ^ uid2, 8);
        hex(id.serial + 10, uid1, 6);
    } else {
        memcpy(id.serial, "GC-NO-UID", 9); /* emulator without the ID area */
    }

    /* 250 ms at the highest rate (2 kHz): 50 blocks, 12.8 KB of the 128 KB SRAM. */
    static struct fw_resend_slot ring[FW_RESEND_SLOTS_FULL];
    board_run(&boot, &id, &adc_source, ring, FW_RESEND_SLOTS_FULL);
}
