/*
 * regs.h - the few STM32F405 / Cortex-M4 registers this firmware touches.
 *
 * Addresses from the STM32F405 reference manual (RM0090) memory map and the
 * ARMv7-M architecture reference (System Control Space).  Written out by
 * hand instead of pulling in a vendor header so the board port stays small
 * and every register it uses is visible here.
 *
 * REG32(addr) is a volatile 32-bit register; the per-peripheral macros take
 * a byte offset from the peripheral base.
 */
#ifndef GC_REGS_H
#define GC_REGS_H

#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#define REG8(addr)  (*(volatile uint8_t *)(uintptr_t)(addr))

/* ---- Cortex-M4 system control space ---------------------------------- */
#define SYST_CSR           REG32(0xE000E010u) /* SysTick control and status */
#define SYST_RVR           REG32(0xE000E014u) /* reload value (24 bit) */
#define SYST_CVR           REG32(0xE000E018u) /* current value */
#define SYST_CSR_ENABLE    (1u << 0)
#define SYST_CSR_TICKINT   (1u << 1)
#define SYST_CSR_CLKSOURCE (1u << 2) /* 1 = processor clock */

#define NVIC_ISER(n)  REG32(0xE000E100u + 4u * (n)) /* set-enable */
#define NVIC_ICER(n)  REG32(0xE000E180u + 4u * (n)) /* clear-enable */
#define NVIC_ISPR(n)  REG32(0xE000E200u + 4u * (n)) /* set-pending */
#define NVIC_ICPR(n)  REG32(0xE000E280u + 4u * (n)) /* clear-pending */
#define NVIC_IPR(irq) REG8(0xE000E400u + (irq))     /* priority, upper 4 bits used */

#define SCB_VTOR              REG32(0xE000ED08u)
#define SCB_AIRCR             REG32(0xE000ED0Cu)
#define SCB_SHPR3             REG32(0xE000ED20u) /* priorities of PendSV (23:16), SysTick (31:24) */
#define SCB_SHCSR             REG32(0xE000ED24u)
#define SCB_CFSR              REG32(0xE000ED28u) /* configurable fault status */
#define SCB_HFSR              REG32(0xE000ED2Cu) /* hard fault status */
#define SCB_MMFAR             REG32(0xE000ED34u) /* memory-manage fault address */
#define SCB_BFAR              REG32(0xE000ED38u) /* bus fault address */
#define SCB_CPACR             REG32(0xE000ED88u) /* coprocessor access (FPU = CP10, CP11) */
#define SCB_AIRCR_VECTKEY     (0x05FAu << 16)
#define SCB_AIRCR_SYSRESETREQ (1u << 2)

/* ---- Interrupt numbers (RM0090 table 61) ----------------------------- */
#define IRQ_EXTI0  6u
#define IRQ_TIM2   28u
#define IRQ_USART1 37u

/* ---- RCC: reset and clock control, 0x40023800 ------------------------ */
#define RCC_BASE    0x40023800u
#define RCC_CR      REG32(RCC_BASE + 0x00u)
#define RCC_PLLCFGR REG32(RCC_BASE + 0x04u)
#define RCC_CFGR    REG32(RCC_BASE + 0x08u)
#define RCC_AHB1ENR REG32(RCC_BASE + 0x30u)
#define RCC_APB1ENR REG32(RCC_BASE + 0x40u)
#define RCC_APB2ENR REG32(RCC_BASE + 0x44u)
#define RCC_CSR     REG32(RCC_BASE + 0x74u)

#define RCC_CR_HSION  (1u << 0)
#define RCC_CR_HSIRDY (1u << 1)
#define RCC_CR_HSEON  (1u << 16)
#define RCC_CR_HSERDY (1u << 17)
#define RCC_CR_PLLON  (1u << 24)
#define RCC_CR_PLLRDY (1u << 25)

#define RCC_CFGR_SW_MASK    (3u << 0)
#define RCC_CFGR_SW_HSI     (0u << 0)
#define RCC_CFGR_SW_PLL     (2u << 0)
#define RCC_CFGR_SWS_MASK   (3u << 2)
#define RCC_CFGR_SWS_PLL    (2u << 2)
#define RCC_CFGR_PPRE1_DIV4 (5u << 10) /* APB1 = HCLK / 4 */
#define RCC_CFGR_PPRE2_DIV2 (4u << 13) /* APB2 = HCLK / 2 */

#define RCC_AHB1ENR_GPIOA  (1u << 0)
#define RCC_AHB1ENR_GPIOB  (1u << 1)
#define RCC_AHB1ENR_GPIOC  (1u << 2)
#define RCC_APB1ENR_TIM2   (1u << 0)
#define RCC_APB1ENR_SPI2   (1u << 14)
#define RCC_APB1ENR_PWR    (1u << 28)
#define RCC_APB2ENR_USART1 (1u << 4)
#define RCC_APB2ENR_SPI1   (1u << 12)
#define RCC_APB2ENR_SYSCFG (1u << 14)

#define RCC_CSR_RMVF     (1u << 24) /* write 1: clear the reset flags */
#define RCC_CSR_PINRSTF  (1u << 26) /* NRST pin */
#define RCC_CSR_PORRSTF  (1u << 27) /* power-on / power-down */
#define RCC_CSR_SFTRSTF  (1u << 28) /* software (SYSRESETREQ) */
#define RCC_CSR_IWDGRSTF (1u << 29) /* independent watchdog */
#define RCC_CSR_WWDGRSTF (1u << 30) /* window watchdog */

/* ---- PWR and FLASH interface ----------------------------------------- */
#define PWR_CR                 REG32(0x40007000u)
#define PWR_CR_VOS             (1u << 14) /* regulator scale 1: needed for 168 MHz */
#define FLASH_ACR              REG32(0x40023C00u)
#define FLASH_ACR_LATENCY_MASK 7u
#define FLASH_ACR_PRFTEN       (1u << 8)
#define FLASH_ACR_ICEN         (1u << 9)
#define FLASH_ACR_DCEN         (1u << 10)

/* ---- GPIO ------------------------------------------------------------ */
#define GPIOA_BASE      0x40020000u
#define GPIOB_BASE      0x40020400u
#define GPIOC_BASE      0x40020800u
#define GPIO_MODER(b)   REG32((b) + 0x00u)
#define GPIO_OSPEEDR(b) REG32((b) + 0x08u)
#define GPIO_PUPDR(b)   REG32((b) + 0x0Cu)
#define GPIO_IDR(b)     REG32((b) + 0x10u)
#define GPIO_BSRR(b)    REG32((b) + 0x18u)
#define GPIO_AFRL(b)    REG32((b) + 0x20u)
#define GPIO_AFRH(b)    REG32((b) + 0x24u)

/* ---- USART1, 0x40011000 (on APB2) ------------------------------------ */
#define USART1_BASE      0x40011000u
#define USART_SR(b)      REG32((b) + 0x00u)
#define USART_DR(b)      REG32((b) + 0x04u)
#define USART_BRR(b)     REG32((b) + 0x08u)
#define USART_CR1(b)     REG32((b) + 0x0Cu)
#define USART_CR2(b)     REG32((b) + 0x10u)
#define USART_CR3(b)     REG32((b) + 0x14u)
#define USART_SR_ORE     (1u << 3)
#define USART_SR_RXNE    (1u << 5)
#define USART_SR_TC      (1u << 6)
#define USART_SR_TXE     (1u << 7)
#define USART_CR1_RE     (1u << 2)
#define USART_CR1_TE     (1u << 3)
#define USART_CR1_RXNEIE (1u << 5)
#define USART_CR1_TXEIE  (1u << 7)
#define USART_CR1_UE     (1u << 13)
#define USART_CR1_OVER8  (1u << 15)

/* ---- TIM2 (32-bit general purpose timer), 0x40000000 ----------------- */
#define TIM2_BASE   0x40000000u
#define TIM_CR1(b)  REG32((b) + 0x00u)
#define TIM_DIER(b) REG32((b) + 0x0Cu)
#define TIM_SR(b)   REG32((b) + 0x10u)
#define TIM_EGR(b)  REG32((b) + 0x14u)
#define TIM_CNT(b)  REG32((b) + 0x24u)
#define TIM_PSC(b)  REG32((b) + 0x28u)
#define TIM_ARR(b)  REG32((b) + 0x2Cu)
#define TIM_CR1_CEN (1u << 0)
#define TIM_EGR_UG  (1u << 0)

/* ---- IWDG: independent watchdog, 0x40003000 -------------------------- */
#define IWDG_KR         REG32(0x40003000u)
#define IWDG_PR         REG32(0x40003004u)
#define IWDG_RLR        REG32(0x40003008u)
#define IWDG_SR         REG32(0x4000300Cu)
#define IWDG_KEY_START  0xCCCCu
#define IWDG_KEY_ACCESS 0x5555u
#define IWDG_KEY_RELOAD 0xAAAAu

/* ---- SPI1 (APB2) / SPI2 (APB1) --------------------------------------- */
#define SPI1_BASE        0x40013000u
#define SPI2_BASE        0x40003800u
#define SPI_CR1(b)       REG32((b) + 0x00u)
#define SPI_SR(b)        REG32((b) + 0x08u)
#define SPI_DR(b)        REG32((b) + 0x0Cu)
#define SPI_CR1_CPHA     (1u << 0)
#define SPI_CR1_CPOL     (1u << 1)
#define SPI_CR1_MSTR     (1u << 2)
#define SPI_CR1_BR_SHIFT 3u
#define SPI_CR1_SPE      (1u << 6)
#define SPI_CR1_SSI      (1u << 8)
#define SPI_CR1_SSM      (1u << 9)
#define SPI_SR_RXNE      (1u << 0)
#define SPI_SR_TXE       (1u << 1)
#define SPI_SR_BSY       (1u << 7)

/* ---- SYSCFG / EXTI --------------------------------------------------- */
#define SYSCFG_EXTICR1 REG32(0x40013808u)
#define EXTI_IMR       REG32(0x40013C00u)
#define EXTI_RTSR      REG32(0x40013C08u)
#define EXTI_FTSR      REG32(0x40013C0Cu)
#define EXTI_PR        REG32(0x40013C14u)

/* ---- Device electronic signature (96-bit unique ID) ------------------ */
#define UID_BASE 0x1FFF7A10u

/* ---- Interrupt masking helpers --------------------------------------- */
static inline uint32_t irq_save(void)
{
    uint32_t primask;
    __asm volatile("mrs %0, primask\n cpsid i" : "=r"(primask)::"memory");
    return primask;
}

static inline void irq_restore(uint32_t primask)
{
    __asm volatile("msr primask, %0" ::"r"(primask) : "memory");
}

static inline void nvic_enable(uint32_t irq, uint8_t prio)
{
    NVIC_IPR(irq) = prio;
    NVIC_ICPR(irq >> 5) = 1u << (irq & 31u);
    NVIC_ISER(irq >> 5) = 1u << (irq & 31u);
}

static inline void nvic_set_pending(uint32_t irq)
{
    NVIC_ISPR(irq >> 5) = 1u << (irq & 31u);
}

/* Interrupt priorities (upper nibble; lower value = more urgent).  Sampling
 * preempts the link, so a busy UART never delays a sample. */
#define PRIO_SAMPLE 0x00u
#define PRIO_USART  0x40u

#endif
