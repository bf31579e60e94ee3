/*
 * sha256.h - SHA-256 (FIPS 180-4), for the checksum of raw session
 * recordings stored with each session.  Pure; caller's storage.
 * Thread: one context per thread.
 */
#ifndef GC_SHA256_H
#define GC_SHA256_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct sha256 {
    uint32_t h[8];
    uint64_t bytes;
    uint8_t block[64];
    size_t fill;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t n);
/* 32-byte digest. */
void sha256_final(struct sha256 *c, uint8_t digest[32]);
/* Digest of everything left in the stream f (read to its end; f stays
 * open) as 64 lowercase hex digits + NUL.  Returns GC_OK or GC_ERR_IO.
 * By path: sha256_file_hex in station/edge/sha256_file.h. */
int sha256_stream_hex(FILE *f, char hex[65]);

#endif
