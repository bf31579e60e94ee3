/*
 * fuzz_proto.h - the one fuzz entry of the wire protocol, shared by the
 * libFuzzer target (fuzz_proto_libfuzzer.c, clang + GC_FUZZ only) and the
 * replay unit test (test_fuzz_proto_replay.c, every compiler), so sanitizer
 * builds exercise the same code.
 *
 * Thread: single-threaded (uses static decoder/firmware state).
 */
#ifndef GC_FUZZ_PROTO_H
#define GC_FUZZ_PROTO_H

#include <stddef.h>
#include <stdint.h>

/* Run one input through frame_decoder_push, every pkt_*_decode, COBS, the
 * sequence tracker and fw_core_rx.  Checks invariants (decoded packets
 * re-encode to the same bytes, counters add up, the firmware only emits
 * valid frames) and abort()s on a violation.  Returns 0. */
int fuzz_proto_input(const uint8_t *data, size_t size);

/* Seed inputs: calls emit(ctx, bytes, n) for each.  Returns the count. */
typedef void (*fuzz_seed_fn)(void *ctx, const uint8_t *data, size_t n);
int fuzz_proto_seeds(fuzz_seed_fn emit, void *ctx);

#endif
