/*
 * clock.c - HSE + PLL to 168 MHz with bounded waits (see clock.h).
 */
#include "clock.h"

#include "regs.h"

#define HSE_HZ 8000000u
#define HSI_HZ 16000000u
#define PLL_M                                                                                      \
    8u /* VCO input 1 MHz (RM0090: 1..2 MHz, 2 MHz reduces jitter; 1 MHz keeps N simple) */
#define PLL_N         336u /* VCO output 336 MHz */
#define PLL_P         2u   /* SYSCLK 168 MHz */
#define PLL_Q         7u   /* USB / SDIO 48 MHz */
#define SYSCLK_PLL_HZ (HSE_HZ / PLL_M * PLL_N / PLL_P)
/* Flash wait states for 168 MHz at 2.7-3.6 V (RM0090 table 10). */
#define FLASH_WS_168MHZ 5u
/* Polls of a ready flag before giving up.  HSE start-up is typically 2 ms;
 * at 16 MHz HSI one poll is a few cycles, so this bounds each wait to
 * roughly 10-50 ms on silicon and to a moment under emulation. */
#define READY_POLLS 200000u

static bool wait_set(volatile uint32_t *reg, uint32_t mask, uint32_t want)
{
    for (uint32_t i = 0; i < READY_POLLS; i++) {
        if ((*reg & mask) == want)
            return true;
    }
    return false;
}

static void stay_on_hsi(struct clock_info *out)
{
    /* HSI with every prescaler at 1 (a failed switch may have left the APB
     * dividers of the PLL configuration in place). */
    RCC_CFGR = RCC_CFGR_SW_HSI;
    RCC_CR &= ~(RCC_CR_PLLON | RCC_CR_HSEON);
    out->sysclk_hz = HSI_HZ;
    out->apb1_hz = HSI_HZ;
    out->apb2_hz = HSI_HZ;
    out->tim_apb1_hz = HSI_HZ; /* APB1 prescaler 1: timers run at PCLK1 */
    out->pll_locked = false;
}

void clock_init(struct clock_info *out)
{
    out->hse_ready = false;
    out->pll_locked = false;

    /* Regulator scale 1 is required above 144 MHz. */
    RCC_APB1ENR |= RCC_APB1ENR_PWR;
    PWR_CR |= PWR_CR_VOS;

    RCC_CR |= RCC_CR_HSEON;
    out->hse_ready = wait_set(&RCC_CR, RCC_CR_HSERDY, RCC_CR_HSERDY);
    if (!out->hse_ready) {
        stay_on_hsi(out);
        return;
    }

    RCC_CR &= ~RCC_CR_PLLON;
    RCC_PLLCFGR =
        PLL_M | (PLL_N << 6) | (((PLL_P / 2u) - 1u) << 16) | (1u << 22) /* HSE */ | (PLL_Q << 24);
    RCC_CR |= RCC_CR_PLLON;
    if (!wait_set(&RCC_CR, RCC_CR_PLLRDY, RCC_CR_PLLRDY)) {
        stay_on_hsi(out);
        return;
    }

    /* More wait states before the clock goes up, never after. */
    FLASH_ACR = FLASH_ACR_PRFTEN | FLASH_ACR_ICEN | FLASH_ACR_DCEN | FLASH_WS_168MHZ;
    if ((FLASH_ACR & FLASH_ACR_LATENCY_MASK) != FLASH_WS_168MHZ) {
        stay_on_hsi(out);
        return;
    }
    RCC_CFGR = RCC_CFGR_PPRE1_DIV4 | RCC_CFGR_PPRE2_DIV2 | RCC_CFGR_SW_PLL;
    if (!wait_set(&RCC_CFGR, RCC_CFGR_SWS_MASK, RCC_CFGR_SWS_PLL)) {
        stay_on_hsi(out);
        return;
    }
    out->sysclk_hz = SYSCLK_PLL_HZ;
    out->apb1_hz = SYSCLK_PLL_HZ / 4u;
    out->apb2_hz = SYSCLK_PLL_HZ / 2u;
    out->tim_apb1_hz = out->apb1_hz * 2u; /* APB1 prescaler != 1 doubles the timer clock */
    out->pll_locked = true;
}
