/* numparse.c - exact text-to-double conversion (see numparse.h). */
#include "numparse.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Every power of ten up to 1e22 is exact in a double (5^22 < 2^53). */
const double numparse_pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

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
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
    if (!slow && dec <= 22 && m < (1ull << 53)) {
        double x = (double)m / numparse_pow10[dec];
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
