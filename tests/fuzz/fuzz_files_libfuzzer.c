/*
 * fuzz_files_libfuzzer.c - one libFuzzer target per user-file parser; the
 * build defines GC_FUZZ_FILE_TARGET to the target's name (fuzz_files.h).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fuzz_file_fn run;
    if (!run) {
        size_t n;
        const struct fuzz_file_target *t = fuzz_file_targets(&n);
        for (size_t i = 0; i < n; i++)
            if (!strcmp(t[i].name, GC_FUZZ_FILE_TARGET))
                run = t[i].run;
        if (!run)
            abort();
    }
    return run(data, size);
}
