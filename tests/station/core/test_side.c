/* test_side - left/right from COP with alternation. */
#include <math.h>
#include <stdio.h>

#include "check.h"
#include "side.h"

static unsigned seed = 99u;
static double urand(void)
{
    seed = seed * 1103515245u + 12345u;
    return ((seed >> 16) & 0x7fff) / 32767.0;
}

int main(void)
{
    /* Narrow-gait runner in lab coordinates (midline 1.45 m, as the Fukuchi
     * treadmill): feet 4 cm apart, per-step scatter that makes the plain
     * sign test fail on about one step in ten (uniform +-2.5 cm: 10 %).
     * Eight runs of 400 steps. */
    struct side s;
    enum gait_side prev;
    int wrong = 0, sign_wrong = 0, n = 400, runs = 8;
    for (int run = 0; run < runs; run++) {
        seed = 17u + 10u * (unsigned)run;
        side_init(&s);
        enum gait_side first = GAIT_SIDE_UNKNOWN;
        int w = 0;
        for (int k = 0; k < n; k++) {
            enum gait_side truth = (k & 1) ? GAIT_SIDE_RIGHT : GAIT_SIDE_LEFT;
            double c = 1.45 + ((k & 1) ? 0.02 : -0.02) + 0.025 * (urand() - 0.5) * 2.0;
            if ((c > 1.45) != (truth == GAIT_SIDE_RIGHT))
                sign_wrong++;
            enum gait_side got = side_decide(&s, c, &prev);
            if (k == 0) {
                CHECK_EQ(got, GAIT_SIDE_UNKNOWN); /* no midline yet: decided next step */
                continue;
            }
            if (k == 1)
                w += prev != GAIT_SIDE_LEFT;
            w += got != truth;
        }
        (void)first;
        wrong += w;
    }
    printf("sign test wrong on %d of %d steps; with alternation: %d\n", sign_wrong, n * runs,
           wrong);
    CHECK(sign_wrong > n * runs / 20); /* the scenario is as hard as promised */
    /* At most 1 in 800 (measured: 1 in 3200, a first step decided on an
     * ambiguous first pair); DESIGN.md asks >= 98 %. */
    CHECK(wrong <= n * runs / 800);

    /* A missed step (phase break): after at most two steps the COP wins. */
    side_init(&s);
    int k = 0, errs_after = 0;
    for (; k < 20; k++)
        side_decide(&s, (k & 1) ? 0.06 : -0.06, &prev); /* deck coordinates */
    /* step k=20 should be L, but one step was missed: the next is R */
    for (int j = 0; j < 20; j++) {
        enum gait_side truth = (j & 1) ? GAIT_SIDE_LEFT : GAIT_SIDE_RIGHT;
        enum gait_side got = side_decide(&s, truth == GAIT_SIDE_RIGHT ? 0.06 : -0.06, &prev);
        if (j >= 2)
            errs_after += got != truth;
    }
    CHECK_EQ(errs_after, 0);

    /* Deck coordinates: the first step is decided at once (midline 0). */
    side_init(&s);
    CHECK_EQ(side_decide(&s, 0.07, &prev), GAIT_SIDE_RIGHT);
    CHECK_EQ(side_expect(&s), GAIT_SIDE_LEFT);

    /* No COP at all: alternation only from a known side, else unknown. */
    side_init(&s);
    CHECK_EQ(side_decide(&s, NAN, &prev), GAIT_SIDE_UNKNOWN);
    return check_exit();
}
