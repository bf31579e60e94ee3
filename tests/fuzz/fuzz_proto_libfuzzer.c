/*
 * fuzz_proto_libfuzzer.c - libFuzzer target for the wire protocol decoder
 * (built only with clang and -DGC_FUZZ=ON).  All logic is in fuzz_proto.c.
 */
#include "fuzz_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_proto_input(data, size);
}
