/* numparse.c - exact text-to-double conversion (see numparse.h). */
#include "numparse.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The fast paths rely on one correctly rounded double division (no x87
 * extended precision); the word-at-a-time digit scan also on byte order
 * and __builtin_ctzll. */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
#define NUMPARSE_FAST 1
#endif
#if defined(NUMPARSE_FAST) && defined(__GNUC__) && defined(__BYTE_ORDER__) &&                      \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NUMPARSE_SWAR 1
#endif

#ifdef NUMPARSE_FAST
/* Every power of ten up to 1e22 is exact in a double (5^22 < 2^53). */
static const double pow10_tab[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
#endif

#ifdef NUMPARSE_SWAR
static const uint64_t pow10_u64[8] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000};

static inline uint64_t load8(const char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w); /* one unaligned load */
    return w;
}

/* Index (0..8) of the first byte of w (in memory order) that is not an
 * ASCII digit.  After x = byte ^ '0' a digit is 0..9; x + 6 reaches 0x10
 * exactly for 10..15, and bytes with a high nibble are non-digits anyway.
 * A carry out of a non-digit byte can only mark bytes after it, which do
 * not matter. */
static inline unsigned first_nondigit(uint64_t w)
{
    uint64_t x = w ^ 0x3030303030303030u;
    uint64_t t = (x | (x + 0x0606060606060606u)) & 0xF0F0F0F0F0F0F0F0u;
    return t ? (unsigned)__builtin_ctzll(t) >> 3 : 8u;
}

#endif

#ifdef NUMPARSE_SWAR
/* Value of the first k (0..7) digits of w: digits8 without the k = 0 and
 * k = 8 cases, so that the shift stays below 64 without a branch. */
static inline uint64_t digits07(uint64_t w, unsigned k)
{
    w = (w << (8u * (7u - k))) << 8;
    w &= 0x0F0F0F0F0F0F0F0Fu;
    w = (w * (10u * 256u + 1u)) >> 8;
    w = ((w & 0x00FF00FF00FF00FFu) * (100u * 65536u + 1u)) >> 16;
    w = ((w & 0x0000FFFF0000FFFFu) * (10000ull * 4294967296ull + 1u)) >> 32;
    return w;
}
#endif

int numparse_field(const char *s, size_t len, double *v)
{
#ifdef NUMPARSE_SWAR
    bool neg = len && s[0] == '-';
    const char *g = s + neg;
    size_t n = len - neg;
    if (n == 0 || n > 15)
        return -1;
    uint64_t lo = load8(g);
    /* Exact '.' byte test (no borrow between bytes): bit 7 of a byte of
     * dm is set iff that byte of lo is '.'. */
    uint64_t y = lo ^ 0x2E2E2E2E2E2E2E2Eu;
    uint64_t dm = ~(((y & 0x7F7F7F7F7F7F7F7Fu) + 0x7F7F7F7F7F7F7F7Fu) | y) & 0x8080808080808080u;
    size_t ki = dm ? (unsigned)__builtin_ctzll(dm) >> 3 : 8u; /* integer digits */
    size_t kf;                                                /* fraction digits */
    uint64_t fw;
    if (ki >= n) { /* no point */
        ki = n;
        kf = 0;
        fw = 0;
    } else {
        kf = n - ki - 1;
        fw = load8(g + ki + 1);
    }
    if (ki > 7 || kf > 7 || ki + kf == 0 || first_nondigit(lo) < ki || first_nondigit(fw) < kf)
        return -1;
    /* At most 14 digits: m < 10^14 < 2^53, exact; 10^kf exact; one
     * correctly rounded division, as strtod. */
    uint64_t m = digits07(lo, (unsigned)ki) * pow10_u64[kf] + digits07(fw, (unsigned)kf);
    double x = (double)m / pow10_tab[kf];
    *v = neg ? -x : x;
    return 0;
#else
    (void)s;
    (void)len;
    (void)v;
    return -1;
#endif
}

int numparse_double(const char *s, size_t len, double *v)
{
    size_t i = 0;
    bool neg = false;
    if (len && (s[0] == ' ' || s[len - 1] == ' ')) {
        while (i < len && s[i] == ' ')
            i++;
        while (len > i && s[len - 1] == ' ')
            len--;
    }
    if (i < len && (s[i] == '-' || s[i] == '+')) {
        neg = s[i] == '-';
        i++;
    }
    uint64_t m = 0;
    int digits = 0, dec = 0;
    bool any = false, point = false, slow = false;
    for (; i < len; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            any = true;
            if (digits < 19) { /* m < 10^19 < 2^64 */
                m = m * 10u + (uint64_t)(c - '0');
                if (m)
                    digits++; /* leading zeros are not significant */
                if (point)
                    dec++;
            } else {
                slow = true;
            }
        } else if (c == '.' && !point) {
            point = true;
        } else {
            break;
        }
    }
    if (!any)
        return -1;
    if (i < len) {
        if (s[i] != 'e' && s[i] != 'E')
            return -1;
        slow = true;
    }
#ifdef NUMPARSE_FAST
    if (!slow && dec <= 22 && m < (1ull << 53)) {
        double x = (double)m / pow10_tab[dec];
        *v = neg ? -x : x;
        return 0;
    }
#else
    (void)neg;
    (void)slow;
#endif
    /* Rare forms (exponent, many digits): the C library, on a copy. */
    char tmp[64];
    if (len >= sizeof tmp)
        return -1;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    char *end;
    errno = 0;
    double x = strtod(tmp, &end);
    while (*end == ' ')
        end++;
    if (*end || errno == ERANGE || !isfinite(x))
        return -1;
    *v = x;
    return 0;
}
