/*
 * sha256_file.h - SHA-256 of a file by path (the checksum of a raw session
 * recording stored with its session); the hashing is the core's (sha256.h).
 *
 * Thread: any.
 */
#ifndef GC_SHA256_FILE_H
#define GC_SHA256_FILE_H

#include "sha256.h"

/* Digest of a whole file as 64 lowercase hex digits + NUL.  Returns GC_OK
 * or GC_ERR_IO (cannot open or read). */
int sha256_file_hex(const char *path, char hex[65]);

#endif
