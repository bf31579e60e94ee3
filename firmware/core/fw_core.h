/*
 * fw_core.h - the sensor unit's firmware core: sampler, packetizer, commands.
 *
 * The same code runs on the STM32F405 (hal/stm32f405), under QEMU (hal/qemu)
 * and on Linux as the simulated sensor gaitcue-sim (hal/host).  No heap, no
 * board headers, no libc I/O: the board port hands the core a small table of
 * function pointers (struct fw_hal) and calls the core from its main loop.
 *
 *   ISR (sample clock / DRDY) --queue--> main loop --fw_core_sample()--> block
 *   block full -> PKT_SAMPLES frame -> hal->tx_write (never blocks; a full
 *   tx queue drops the frame and counts the samples as dropped)
 *   UART rx ISR --queue--> main loop --fw_core_rx()--> commands -> PKT_ACK
 *   every block built is also kept in the board's resend ring (the last
 *   FW_RESEND_MS of blocks); CMD_RESEND sends them again as PKT_RESENT
 *
 * Thread/context: every fw_core_* function is called from the main loop only
 * (never from an interrupt handler).  struct fw_core is the caller's static
 * storage; its fields are private.
 */
#ifndef GC_FW_CORE_H
#define GC_FW_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "packet.h"

#define FW_RATE_MIN_HZ 500u
#define FW_RATE_MAX_HZ 2000u
#define FW_RATE_DEFAULT_HZ 1000u
/* Samples per SAMPLES block: 10 ms of data at 1 kHz. */
#define FW_BLOCK_SAMPLES 10u
/* STATUS packets while streaming, one per this many microseconds. */
#define FW_STATUS_PERIOD_US 1000000u

/* The resend ring keeps the blocks of the last FW_RESEND_MS at the highest
 * rate: FW_RESEND_SLOTS_FULL slots of FW_RESEND_SLOT_BYTES (12.8 KB).  A
 * board with less RAM passes fewer slots (the QEMU image: 25, 250 ms at
 * 1 kHz); docs/firmware.md states each board's figure. */
#define FW_RESEND_MS 250u
#define FW_RESEND_SLOTS_FULL (FW_RESEND_MS * FW_RATE_MAX_HZ / 1000u / FW_BLOCK_SAMPLES)
/* One slot holds the SAMPLES payload of a full block (255 bytes). */
#define FW_RESEND_SLOT_BYTES (PKT_SAMPLES_HEADER + FW_BLOCK_SAMPLES * PKT_SAMPLE_BYTES)

struct fw_resend_slot {
    uint8_t len; /* payload bytes, 0 = empty */
    uint8_t payload[FW_RESEND_SLOT_BYTES];
};
_Static_assert(FW_RESEND_SLOT_BYTES <= 255u, "a resend slot's length must fit its u8");

struct fw_hal {
    void *ctx;
    /* Monotonic device time in microseconds since boot. */
    uint64_t (*now_us)(void *ctx);
    /* Queue n bytes for the link without blocking.  Must accept all n bytes
     * or none; returns n or 0. */
    size_t (*tx_write)(void *ctx, const uint8_t *buf, size_t n);
    /* Start the sample clock at rate_hz, or stop it when rate_hz == 0.
     * Returns 0 or -1 if the rate cannot be produced. */
    int (*sampling_set)(void *ctx, uint32_t rate_hz);
    /* Optional (NULL on hardware): the simulator's closed-loop metronome,
     * cadence in steps/min x 100, 0 = off. */
    void (*metronome)(void *ctx, uint32_t spm_x100);
};

/* What the board knows about itself; copied into every HELLO. */
struct fw_identity {
    char serial[PKT_SERIAL_LEN + 1];
    uint8_t fw_major, fw_minor, fw_patch;
    uint8_t channel_corner[PKT_CELLS];
    int16_t cell_x_mm[PKT_CELLS];
    int16_t cell_y_mm[PKT_CELLS];
    float cell_n_per_count;
    float accel_g_per_lsb;
    float gyro_dps_per_lsb;
    uint8_t reset_reason; /* as in struct pkt_status */
};

struct fw_core {
    /* private */
    const struct fw_hal *hal;
    struct fw_identity id;
    struct frame_decoder rx;
    uint32_t rate_hz;
    bool streaming;
    uint32_t faults;
    struct pkt_samples block;
    uint32_t seq;
    uint32_t samples_total;
    uint32_t dropped_samples;
    uint32_t overruns;
    uint64_t next_status_us;
    struct fw_resend_slot *ring; /* the board's storage, ring_slots long (may be NULL) */
    uint32_t ring_slots;
    uint32_t ring_fill;    /* blocks held: the last ring_fill before seq */
    uint32_t resent;       /* blocks sent again since boot */
    uint32_t resend_gone;  /* blocks asked for that were no longer held */
    uint8_t wire[FRAME_MAX_WIRE];
};

/* Initialise with the board's HAL and identity.  Does not transmit. */
void fw_core_init(struct fw_core *fw, const struct fw_hal *hal, const struct fw_identity *id);
/* Give the core its resend ring: slots[0..n) of the caller's static
 * storage (n = 0: no resending; every CMD_RESEND is answered ACK_GONE).
 * Call once after fw_core_init, before fw_core_boot. */
void fw_core_set_resend_ring(struct fw_core *fw, struct fw_resend_slot *slots, uint32_t n);
/* Announce the device: sends one HELLO.  Call once after init. */
void fw_core_boot(struct fw_core *fw);
/* Feed bytes received from the host. */
void fw_core_rx(struct fw_core *fw, const uint8_t *buf, size_t n);
/* One sample taken at sensor time t_us (the board computes jitter-free
 * times as t0 + k * period).  Ignored while not streaming. */
void fw_core_sample(struct fw_core *fw, const struct pkt_sample *s, uint64_t t_us);
/* Periodic work (STATUS once per FW_STATUS_PERIOD_US while streaming). */
void fw_core_poll(struct fw_core *fw);
/* Board-detected problems: set/clear FAULT_* bits, count overruns. */
void fw_core_set_faults(struct fw_core *fw, uint32_t faults);
void fw_core_count_overrun(struct fw_core *fw, uint32_t n);

bool fw_core_streaming(const struct fw_core *fw);
uint32_t fw_core_rate_hz(const struct fw_core *fw);
/* Blocks sent again on request, and blocks asked for but no longer held,
 * since boot (tests, the simulator's exit report). */
uint32_t fw_core_resent(const struct fw_core *fw);
uint32_t fw_core_resend_gone(const struct fw_core *fw);

#endif
