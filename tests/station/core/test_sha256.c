/* SHA-256 against the FIPS 180-4 / NIST example vectors and sha256sum. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "sha256.h"
#include "sha256_file.h"

static void hex_of(const void *data, size_t n, char out[65])
{
    struct sha256 c;
    uint8_t d[32];
    sha256_init(&c);
    sha256_update(&c, data, n);
    sha256_final(&c, d);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

int main(void)
{
    char h[65];
    hex_of("abc", 3, h);
    CHECK(!strcmp(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    hex_of("", 0, h);
    CHECK(!strcmp(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hex_of(two, strlen(two), h);
    CHECK(!strcmp(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    /* One million 'a' (NIST long message), fed in uneven pieces. */
    struct sha256 c;
    sha256_init(&c);
    char a[997];
    memset(a, 'a', sizeof a);
    size_t left = 1000000;
    while (left) {
        size_t n = left < sizeof a ? left : sizeof a;
        sha256_update(&c, a, n);
        left -= n;
    }
    uint8_t d[32];
    sha256_final(&c, d);
    for (unsigned i = 0; i < 32; i++)
        snprintf(h + 2 * i, 3, "%02x", d[i]);
    CHECK(!strcmp(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    /* File path vs the same bytes in memory. */
    char path[] = "/tmp/gc_sha256_XXXXXX";
    FILE *f = fdopen(mkstemp(path), "wb");
    CHECK(f != NULL);
    fwrite(two, 1, strlen(two), f);
    fclose(f);
    char fh[65];
    CHECK(sha256_file_hex(path, fh) == 0);
    CHECK(!strcmp(fh, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    unlink(path);
    CHECK(sha256_file_hex("/nonexistent/gc", fh) < 0);
    return check_exit();
}
