/*
 * units.h - physical constants and unit conversions, defined once for the
 * station, calib and their tests.  Header only, no dependencies: any file
 * may include it (the firmware's simulator keeps its own copy,
 * RUNNER_G_MPS2 in sim/runner_model.h, so the firmware tree
 * needs no station header; test_runner_model checks the two agree).
 * Constants and pure functions: any thread.
 */
#ifndef GC_UNITS_H
#define GC_UNITS_H

/* Standard gravity, m/s^2 (CGPM 1901): a mass in kg weighs kg * GC_G_MPS2
 * newtons.  Body weight, calibration masses and the simulator all use it. */
#define GC_G_MPS2 9.80665

/* Weight in N of a mass in kg. */
static inline double units_kg_to_n(double mass_kg)
{
    return mass_kg * GC_G_MPS2;
}

/* Mass in kg of a weight in N. */
static inline double units_n_to_kg(double weight_n)
{
    return weight_n / GC_G_MPS2;
}

#endif
