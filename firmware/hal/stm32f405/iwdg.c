/*
 * iwdg.c - independent watchdog.
 */
#include "iwdg.h"

#include "regs.h"

/* LSI is nominally 32 kHz (RM0090 says 17..47 kHz across parts and
 * temperature); /32 gives ~1 ms per count.  The timeout is therefore only
 * good to about -45 %/+90 %: pick it with that margin. */
#define IWDG_PR_DIV32 3u
#define IWDG_RLR_MAX  0xFFFu
/* IWDG_SR bits: PVU (prescaler) and RVU (reload) update in progress. */
#define IWDG_SR_BUSY  3u
#define IWDG_SR_POLLS 100000u

void iwdg_start(uint32_t timeout_ms)
{
    uint32_t reload = timeout_ms > IWDG_RLR_MAX ? IWDG_RLR_MAX : timeout_ms;
    if (reload == 0)
        reload = 1;
    IWDG_KR = IWDG_KEY_START;
    IWDG_KR = IWDG_KEY_ACCESS;
    IWDG_PR = IWDG_PR_DIV32;
    IWDG_RLR = reload;
    for (uint32_t i = 0; i < IWDG_SR_POLLS && (IWDG_SR & IWDG_SR_BUSY); i++) {
    }
    IWDG_KR = IWDG_KEY_RELOAD;
}

void iwdg_kick(void)
{
    IWDG_KR = IWDG_KEY_RELOAD;
}
