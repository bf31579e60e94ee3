/*
 * usart.c - USART1 with interrupt-driven tx and rx rings (see usart.h).
 */
#include "usart.h"

#include <stdatomic.h>

#include "regs.h"

_Static_assert((USART_TX_RING & (USART_TX_RING - 1u)) == 0, "tx ring must be a power of two");
_Static_assert((USART_RX_RING & (USART_RX_RING - 1u)) == 0, "rx ring must be a power of two");

/* Free-running indices: head - tail = bytes queued. */
static uint8_t tx_buf[USART_TX_RING];
static atomic_uint tx_head; /* written by the main loop */
static atomic_uint tx_tail; /* written by the ISR */
static uint8_t rx_buf[USART_RX_RING];
static atomic_uint rx_head; /* written by the ISR */
static atomic_uint rx_tail; /* written by the main loop */
static atomic_uint rx_dropped, rx_overrun;
static uint32_t tx_refused;

uint32_t usart_init(uint32_t pclk_hz, uint32_t baud)
{
    /* PA9 = TX, PA10 = RX, alternate function 7; pull-up on RX so a
     * disconnected cable reads idle instead of noise. */
    RCC_AHB1ENR |= RCC_AHB1ENR_GPIOA;
    RCC_APB2ENR |= RCC_APB2ENR_USART1;
    GPIO_MODER(GPIOA_BASE) = (GPIO_MODER(GPIOA_BASE) & ~(0xFu << 18)) | (0xAu << 18);
    GPIO_OSPEEDR(GPIOA_BASE) |= (0xFu << 18);
    GPIO_PUPDR(GPIOA_BASE) = (GPIO_PUPDR(GPIOA_BASE) & ~(0x3u << 20)) | (0x1u << 20);
    GPIO_AFRH(GPIOA_BASE) = (GPIO_AFRH(GPIOA_BASE) & ~0xFF0u) | 0x770u;

    atomic_store(&tx_head, 0u);
    atomic_store(&tx_tail, 0u);
    atomic_store(&rx_head, 0u);
    atomic_store(&rx_tail, 0u);

    /* 16x oversampling: BRR = pclk / baud in 12.4 fixed point, rounded.
     * 84 MHz / 921600 -> 91 (0x5B) -> 923077 Bd, +0.16 %. */
    uint32_t brr = (pclk_hz + baud / 2u) / baud;
    USART_CR1(USART1_BASE) = 0;
    USART_BRR(USART1_BASE) = brr;
    USART_CR2(USART1_BASE) = 0; /* 1 stop bit */
    USART_CR3(USART1_BASE) = 0; /* no flow control */
    USART_CR1(USART1_BASE) = USART_CR1_UE | USART_CR1_TE | USART_CR1_RE | USART_CR1_RXNEIE;
    nvic_enable(IRQ_USART1, PRIO_USART);
    return brr ? pclk_hz / brr : 0u;
}

size_t usart_write(const uint8_t *buf, size_t n)
{
    unsigned head = atomic_load_explicit(&tx_head, memory_order_relaxed);
    unsigned tail = atomic_load_explicit(&tx_tail, memory_order_acquire);
    if (n > USART_TX_RING - (head - tail)) {
        tx_refused++;
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        tx_buf[(head + i) & (USART_TX_RING - 1u)] = buf[i];
    atomic_store_explicit(&tx_head, head + (unsigned)n, memory_order_release);

    /* Enable the TXE interrupt and pend the handler once: it starts the
     * transfer whether or not the (emulated) USART raises TXE itself. */
    uint32_t key = irq_save();
    USART_CR1(USART1_BASE) |= USART_CR1_TXEIE;
    irq_restore(key);
    nvic_set_pending(IRQ_USART1);
    return n;
}

size_t usart_read(uint8_t *buf, size_t cap)
{
    unsigned tail = atomic_load_explicit(&rx_tail, memory_order_relaxed);
    unsigned head = atomic_load_explicit(&rx_head, memory_order_acquire);
    size_t n = 0;
    while (tail != head && n < cap)
        buf[n++] = rx_buf[tail++ & (USART_RX_RING - 1u)];
    atomic_store_explicit(&rx_tail, tail, memory_order_release);
    return n;
}

bool usart_rx_pending(void)
{
    return atomic_load_explicit(&rx_head, memory_order_acquire) !=
           atomic_load_explicit(&rx_tail, memory_order_relaxed);
}

size_t usart_tx_pending(void)
{
    return atomic_load_explicit(&tx_head, memory_order_relaxed) -
           atomic_load_explicit(&tx_tail, memory_order_acquire);
}

void usart_get_stats(struct usart_stats *out)
{
    out->rx_dropped = atomic_load(&rx_dropped);
    out->rx_overrun = atomic_load(&rx_overrun);
    out->tx_refused = tx_refused;
}

/* Take one received byte if the USART holds one.  Called before every DR
 * write too: QEMU 7.2 can lose a received byte that is still in DR when the
 * guest writes the next byte to send. */
static void rx_take(uint32_t sr)
{
    if (!(sr & (USART_SR_RXNE | USART_SR_ORE)))
        return;
    uint8_t b = (uint8_t)USART_DR(USART1_BASE); /* SR then DR read also clears ORE */
    if (sr & USART_SR_ORE)
        atomic_fetch_add_explicit(&rx_overrun, 1u, memory_order_relaxed);
    if (!(sr & USART_SR_RXNE))
        return;
    unsigned head = atomic_load_explicit(&rx_head, memory_order_relaxed);
    unsigned tail = atomic_load_explicit(&rx_tail, memory_order_acquire);
    if (head - tail >= USART_RX_RING) {
        atomic_fetch_add_explicit(&rx_dropped, 1u, memory_order_relaxed);
        return;
    }
    rx_buf[head & (USART_RX_RING - 1u)] = b;
    atomic_store_explicit(&rx_head, head + 1u, memory_order_release);
}

void usart1_handler(void)
{
    uint32_t sr = USART_SR(USART1_BASE);
    rx_take(sr);

    unsigned tail = atomic_load_explicit(&tx_tail, memory_order_relaxed);
    unsigned head = atomic_load_explicit(&tx_head, memory_order_acquire);
    unsigned sent = 0;
    while (tail != head && sent < USART_TX_BURST) {
        sr = USART_SR(USART1_BASE);
        rx_take(sr);
        if (!(sr & USART_SR_TXE))
            break;
        USART_DR(USART1_BASE) = tx_buf[tail & (USART_TX_RING - 1u)];
        tail++;
        sent++;
    }
    atomic_store_explicit(&tx_tail, tail, memory_order_release);

    if (tail == head) {
        /* Nothing left: stop TXE interrupts until the next usart_write()
         * (the main loop cannot run while this handler does). */
        USART_CR1(USART1_BASE) &= ~USART_CR1_TXEIE;
    } else if (sent == USART_TX_BURST && (USART_SR(USART1_BASE) & USART_SR_TXE)) {
        nvic_set_pending(IRQ_USART1); /* synchronous (emulated) USART: keep going */
    }
}
