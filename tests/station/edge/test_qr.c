/*
 * test_qr.c - the QR code of the web console's URL: its size for the
 * longest IPv4 URL (67 bytes) at level M (version 5, 37 modules: 84 bytes
 * of 8-bit data fit, version 4 only 62), the three finder patterns and the timing lines that every
 * reader locks onto, and refusals (empty, longer than version 10 holds).
 */
#include <string.h>

#include "check.h"
#include "qr.h"

static int at(const struct qr_code *q, int r, int c)
{
    return q->dark[r * q->width + c];
}

/* 7x7 finder at (r0, c0): dark ring, light ring, dark 3x3 centre. */
static int finder_ok(const struct qr_code *q, int r0, int c0)
{
    for (int r = 0; r < 7; r++)
        for (int c = 0; c < 7; c++) {
            int ring = r == 0 || r == 6 || c == 0 || c == 6;
            int inner = r >= 2 && r <= 4 && c >= 2 && c <= 4;
            if (at(q, r0 + r, c0 + c) != (ring || inner))
                return 0;
        }
    return 1;
}

int main(void)
{
    static struct qr_code q;
    struct gc_diag d;
    const char *url = "http://192.168.100.200:8088/?token=0123456789abcdef0123456789abcdef";
    CHECK_EQ(strlen(url), 67);
    CHECK(qr_encode(url, &q, &d) == GC_OK);
    CHECK_EQ(q.width, 37);
    CHECK(finder_ok(&q, 0, 0));
    CHECK(finder_ok(&q, 0, q.width - 7));
    CHECK(finder_ok(&q, q.width - 7, 0));
    /* timing patterns: row 6 and column 6 alternate between the finders */
    int timing = 1;
    for (int i = 8; i < q.width - 8; i++)
        timing &= at(&q, 6, i) == (i % 2 == 0) && at(&q, i, 6) == (i % 2 == 0);
    CHECK(timing);
    /* every module is 0 or 1, and both occur in the data area */
    int dark = 0;
    for (int i = 0; i < q.width * q.width; i++)
        dark += q.dark[i];
    CHECK(dark > q.width * q.width / 4 && dark < q.width * q.width * 3 / 4);

    /* the same text, the same code (the panel redraws it every frame) */
    static struct qr_code q2;
    CHECK(qr_encode(url, &q2, NULL) == GC_OK && !memcmp(&q, &q2, sizeof q));

    gc_diag_clear(&d);
    CHECK(qr_encode("", &q, &d) == GC_ERR_ARG && d.msg[0]);
    static char big[400];
    memset(big, 'a', sizeof big - 1);
    gc_diag_clear(&d);
    CHECK(qr_encode(big, &q, &d) == GC_ERR_ARG && strstr(d.msg, "modules") != NULL);
    return check_exit();
}
