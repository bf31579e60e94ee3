/*
 * test_fuzz_files_replay - the user-file fuzz entries (fuzz_files.h)
 * without libFuzzer: every checked-in seed (tests/fuzz/corpus/<target>),
 * then N_MUTATED inputs per target mutated from them (bit flips, byte
 * overwrites, cuts, duplicated spans, extreme numbers) with a fixed seed.
 * An entry abort()s on a broken invariant; under ASan/UBSan any memory
 * or UB error fails the test too.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fuzz_files.h"

#define N_MUTATED 1500
#define MAX_SEEDS 16
#define SEED_MAX 8192

static uint64_t rs = 0x9E3779B97F4A7C15ull;
static uint32_t rng(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (uint32_t)(rs >> 16);
}

int main(void)
{
    static const char *const tokens[] = {"1e300", "1e-300", "-1e308", "nan", "\xEF\xBB\xBF",
                                         ",",     "\n",     "=",      "[end]", "0"};
    size_t nt;
    const struct fuzz_file_target *t = fuzz_file_targets(&nt);
    static uint8_t seed[MAX_SEEDS][SEED_MAX], buf[SEED_MAX + 64];
    size_t seed_len[MAX_SEEDS];
    for (size_t k = 0; k < nt; k++) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s", GC_SOURCE_DIR, t[k].name);
        DIR *d = opendir(dir);
        CHECK_MSG(d != NULL, dir);
        int ns = 0;
        struct dirent *e;
        while (d && (e = readdir(d)) && ns < MAX_SEEDS) {
            if (e->d_name[0] == '.')
                continue;
            char p[800];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            FILE *f = fopen(p, "rb");
            if (!f)
                continue;
            seed_len[ns] = fread(seed[ns], 1, SEED_MAX, f);
            fclose(f);
            CHECK_EQ(t[k].run(seed[ns], seed_len[ns]), 0);
            ns++;
        }
        if (d)
            closedir(d);
        CHECK_MSG(ns >= 3, t[k].name); /* a few seeds per target */
        for (int m = 0; m < N_MUTATED && ns > 0; m++) {
            int s = (int)(rng() % (uint32_t)ns);
            size_t n = seed_len[s];
            memcpy(buf, seed[s], n);
            int edits = 1 + (int)(rng() % 4);
            for (int j = 0; j < edits && n > 0; j++) {
                size_t at = rng() % n;
                switch (rng() % 5) {
                case 0:
                    buf[at] ^= (uint8_t)(1u << (rng() % 8));
                    break;
                case 1:
                    buf[at] = (uint8_t)rng();
                    break;
                case 2:
                    n = at; /* cut */
                    break;
                case 3: { /* overwrite with a hostile token */
                    const char *tok = tokens[rng() % (sizeof tokens / sizeof tokens[0])];
                    size_t tl = strlen(tok);
                    if (at + tl <= SEED_MAX) {
                        memcpy(buf + at, tok, tl);
                        if (at + tl > n)
                            n = at + tl;
                    }
                    break;
                }
                default: { /* duplicate a span */
                    size_t len = rng() % 64;
                    if (at + len <= n && n + len <= SEED_MAX) {
                        memmove(buf + at + len, buf + at, n - at);
                        n += len;
                    }
                    break;
                }
                }
            }
            CHECK_EQ(t[k].run(buf, n), 0);
        }
        printf("%s: %d seeds, %d mutations\n", t[k].name, ns, N_MUTATED);
    }
    return check_exit();
}
