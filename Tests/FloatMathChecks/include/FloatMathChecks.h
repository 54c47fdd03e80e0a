// Exhaustive comparisons of CFloatMath's array functions with the C library, for the tests.
#ifndef FLOATMATHCHECKS_H
#define FLOATMATHCHECKS_H

#include <stdint.h>

/// Which function a check compares.
typedef enum { floatmathchecks_exp, floatmathchecks_log } floatmathchecks_function;

/// Compares cfloatmath_exp or cfloatmath_log with the C library's expf or logf, bit for bit, on
/// every float whose bits lie in [first, last]. Returns the number of floats that differ and
/// stores the bits of the first of them in *firstDifference (left alone when none differ).
uint64_t floatmathchecks_count_differences(floatmathchecks_function function, uint32_t first, uint32_t last,
                                           uint32_t *firstDifference);

#endif
