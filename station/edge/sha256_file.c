/* sha256_file.c - SHA-256 of a file by path (sha256_file.h). */
#include "sha256_file.h"

#include <stdio.h>

#include "gc_error.h"

int sha256_file_hex(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return GC_ERR_IO;
    int rc = sha256_stream_hex(f, hex);
    fclose(f);
    return rc;
}
