/*
 * usart.h - USART1 link to the host: 921600 8N1, interrupt-driven rings.
 *
 *   main loop --usart_write()--> [tx ring 4 KB] --USART1 IRQ--> DR -> PA9
 *   PA10 -> DR --USART1 IRQ--> [rx ring 512 B] --usart_read()--> main loop
 *
 * Both rings are single-producer single-consumer with C11 atomics (release
 * on publish, acquire on consume); neither side ever waits for the other.
 * A full tx ring refuses the whole write (the firmware core then counts the
 * frame as dropped); a full rx ring drops the byte and counts it (the host's
 * command is lost and the host retries).
 *
 * The interrupt handler sends while TXE is set, in bursts of at most
 * USART_TX_BURST bytes, and re-pends itself when a burst ends with TXE still
 * set.  On silicon TXE clears after a byte or two and the TXE interrupt
 * continues the transfer; on QEMU 7.2, whose USART writes synchronously and
 * keeps TXE set, the self-pend keeps the transfer going.  Same code on both.
 *
 * Context: usart_init/usart_write/usart_read from the main loop only.
 */
#ifndef GC_USART_H
#define GC_USART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USART_BAUD     921600u
#define USART_TX_RING  4096u /* power of two; ~44 ms of link time at 921600 */
#define USART_RX_RING  512u  /* power of two; 34 command frames */
#define USART_TX_BURST 64u

struct usart_stats {
    uint32_t rx_dropped; /* bytes lost because the rx ring was full */
    uint32_t rx_overrun; /* hardware overrun errors (ORE) */
    uint32_t tx_refused; /* writes refused because the tx ring was full */
};

/* pclk_hz: APB2 clock.  Returns the baud rate actually produced. */
uint32_t usart_init(uint32_t pclk_hz, uint32_t baud);
/* All n bytes or none: returns n, or 0 when the ring lacks room. */
size_t usart_write(const uint8_t *buf, size_t n);
/* Up to cap received bytes; returns how many. */
size_t usart_read(uint8_t *buf, size_t cap);
bool usart_rx_pending(void);
/* Bytes waiting to be sent. */
size_t usart_tx_pending(void);
void usart_get_stats(struct usart_stats *out);
/* Interrupt handler (vector table). */
void usart1_handler(void);

#endif
