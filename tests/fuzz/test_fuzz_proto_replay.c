/*
 * test_fuzz_proto_replay - runs the protocol fuzz entry without libFuzzer:
 * the seed corpus, then 200,000 inputs derived from it by random mutation
 * (bit flips, byte overwrites, inserted zeros, cuts, splices, pure noise)
 * with a fixed seed.  fuzz_proto_input() aborts on any broken invariant;
 * under the ASan/UBSan build any memory or UB error fails the test too.
 */
#include "check.h"
#include "frame.h"
#include "fuzz_proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_MUTATED 200000
#define MAX_SEEDS 64
#define MAX_INPUT (3 * FRAME_MAX_WIRE)

static uint8_t *seeds[MAX_SEEDS];
static size_t seed_len[MAX_SEEDS];
static int nseeds;

static void keep_seed(void *ctx, const uint8_t *data, size_t n)
{
    (void)ctx;
    if (nseeds < MAX_SEEDS) {
        seeds[nseeds] = malloc(n ? n : 1);
        memcpy(seeds[nseeds], data, n);
        seed_len[nseeds++] = n;
    }
}

static uint64_t rs = 0x243F6A8885A308D3ull;

static uint32_t rng(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (uint32_t)(rs >> 16);
}

static size_t mutate(uint8_t *buf, size_t n, size_t cap)
{
    int ops = 1 + (int)(rng() % 6);
    for (int k = 0; k < ops; k++) {
        switch (rng() % 7) {
        case 0: /* flip a bit */
            if (n)
                buf[rng() % n] ^= (uint8_t)(1u << (rng() % 8));
            break;
        case 1: /* overwrite a byte */
            if (n)
                buf[rng() % n] = (uint8_t)rng();
            break;
        case 2: /* insert a delimiter */
            if (n < cap) {
                size_t at = rng() % (n + 1);
                memmove(buf + at + 1, buf + at, n - at);
                buf[at] = 0;
                n++;
            }
            break;
        case 3: /* cut the tail */
            if (n)
                n = rng() % n;
            break;
        case 4: /* delete a range */
            if (n > 1) {
                size_t at = rng() % n, len = 1 + rng() % (n - at);
                memmove(buf + at, buf + at + len, n - at - len);
                n -= len;
            }
            break;
        case 5: { /* splice in another seed */
            int j = (int)(rng() % (unsigned)nseeds);
            size_t len = seed_len[j];
            if (len > cap - n)
                len = cap - n;
            size_t at = rng() % (n + 1);
            memmove(buf + at + len, buf + at, n - at);
            memcpy(buf + at, seeds[j], len);
            n += len;
            break;
        }
        default: /* small integers that matter: lengths, counts, statuses */
            if (n) {
                static const uint8_t vals[] = {0x00, 0x01, 0x1F, 0x20, 0x21, 0x7F,
                                               0x80, 0xFE, 0xFF, 0xFD, 0x03};
                buf[rng() % n] = vals[rng() % sizeof vals];
            }
            break;
        }
    }
    return n;
}

int main(void)
{
    int n = fuzz_proto_seeds(keep_seed, NULL);
    CHECK(n >= 10);
    CHECK_EQ(nseeds, n);
    for (int i = 0; i < nseeds; i++)
        fuzz_proto_input(seeds[i], seed_len[i]);

    static uint8_t buf[MAX_INPUT];
    size_t total_bytes = 0;
    for (int i = 0; i < N_MUTATED; i++) {
        size_t len;
        if (i % 10 == 0) { /* pure noise, zero-rich or zero-free */
            len = rng() % 600;
            int zero_free = rng() % 2;
            for (size_t k = 0; k < len; k++) {
                buf[k] = (uint8_t)rng();
                if (zero_free && buf[k] == 0)
                    buf[k] = 1;
            }
        } else {
            int j = (int)(rng() % (unsigned)nseeds);
            len = seed_len[j];
            memcpy(buf, seeds[j], len);
            len = mutate(buf, len, sizeof buf);
        }
        total_bytes += len;
        fuzz_proto_input(buf, len);
    }
    fprintf(stderr, "replayed %d seeds + %d mutated inputs (%zu bytes)\n", nseeds, N_MUTATED,
            total_bytes);
    CHECK(total_bytes > (size_t)N_MUTATED * 50); /* inputs were not trivially empty */
    for (int i = 0; i < nseeds; i++)
        free(seeds[i]);
    return check_exit();
}
