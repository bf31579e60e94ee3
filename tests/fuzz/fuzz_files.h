/*
 * fuzz_files.h - fuzz entries of the parsers that read user files, shared
 * by the libFuzzer targets (fuzz_files_libfuzzer.c, clang + GC_FUZZ only)
 * and the corpus replay unit test (test_fuzz_files_replay.c, every build).
 *
 *   recording   .gcrec reader (resync, header sanitising, rec_cal_parse)
 *   force_csv   canonical force CSV reader
 *   steps_csv   steps CSV reader, import check, writer of what was read
 *   plan        protocol INI (plan_parse)
 *   calfile     calibration file (calfile_parse)
 *
 * Each entry abort()s on a broken invariant (e.g. a value the parser
 * accepted outside its documented limits).  The path-based parsers get the
 * input through a temporary file named after the process.
 *
 * Thread: single-threaded.
 */
#ifndef GC_FUZZ_FILES_H
#define GC_FUZZ_FILES_H

#include <stddef.h>
#include <stdint.h>

typedef int (*fuzz_file_fn)(const uint8_t *data, size_t size);

struct fuzz_file_target {
    const char *name; /* also the seed corpus folder: tests/fuzz/corpus/<name> */
    fuzz_file_fn run;
};

/* The targets, in the order above; *n set to their count. */
const struct fuzz_file_target *fuzz_file_targets(size_t *n);

#endif
