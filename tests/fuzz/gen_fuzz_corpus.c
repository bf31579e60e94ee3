/*
 * gen_fuzz_corpus DIR - write the seed corpus of the protocol fuzzer into
 * DIR (one file per seed, seed_NN.bin).  Used by the fuzz ctest.
 */
#include "fuzz_proto.h"

#include <stdio.h>

struct out {
    const char *dir;
    int n;
    int failed;
};

static void write_seed(void *ctx, const uint8_t *data, size_t n)
{
    struct out *o = ctx;
    char path[4096];
    snprintf(path, sizeof path, "%s/seed_%02d.bin", o->dir, o->n++);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, n, f) != n) {
        fprintf(stderr, "gen_fuzz_corpus: cannot write %s; check the directory exists\n", path);
        o->failed = 1;
    }
    if (f != NULL)
        fclose(f);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_fuzz_corpus DIR\n");
        return 2;
    }
    struct out o = {argv[1], 0, 0};
    int n = fuzz_proto_seeds(write_seed, &o);
    printf("%d seeds written to %s\n", n, argv[1]);
    return o.failed ? 1 : 0;
}
