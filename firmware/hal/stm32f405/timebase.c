/*
 * timebase.c - TIM2 free-running at 1 MHz, extended to 64 bit.
 */
#include "timebase.h"

#include "regs.h"

static uint32_t last_cnt;
static uint32_t wraps;

void timebase_init(uint32_t tim_clk_hz)
{
    RCC_APB1ENR |= RCC_APB1ENR_TIM2;
    TIM_CR1(TIM2_BASE) = 0;
    TIM_DIER(TIM2_BASE) = 0;
    TIM_PSC(TIM2_BASE) = tim_clk_hz / 1000000u - 1u;
    TIM_ARR(TIM2_BASE) = 0xFFFFFFFFu;
    TIM_EGR(TIM2_BASE) = TIM_EGR_UG; /* load PSC now, counter to 0 */
    TIM_SR(TIM2_BASE) = 0;
    TIM_CR1(TIM2_BASE) = TIM_CR1_CEN;
    last_cnt = 0;
    wraps = 0;
}

uint64_t timebase_now_us(void)
{
    uint32_t key = irq_save();
    uint32_t cnt = TIM_CNT(TIM2_BASE);
    if (cnt < last_cnt)
        wraps++;
    last_cnt = cnt;
    uint64_t t = ((uint64_t)wraps << 32) | cnt;
    irq_restore(key);
    return t;
}

void timebase_delay_us(uint32_t us)
{
    uint64_t end = timebase_now_us() + us;
    while (timebase_now_us() < end) {
    }
}
