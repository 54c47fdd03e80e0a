// Built optimized even in debug builds (Package.swift): the tests run 2^32 values through it.
#include "FloatMathChecks.h"

#include <math.h>
#include <string.h>

#include "CFloatMath.h"

uint64_t floatmathchecks_count_differences(floatmathchecks_function function, uint32_t first, uint32_t last,
                                           uint32_t *firstDifference) {
    // Not a multiple of eight: every call ends with a padded vector of five.
    enum { chunk = 4093 };
    float x[chunk], y[chunk];
    uint64_t differences = 0;
    uint64_t next = first;
    while (next <= last) {
        long count = (long)((uint64_t)last - next + 1 < chunk ? (uint64_t)last - next + 1 : chunk);
        for (long i = 0; i < count; i++) {
            uint32_t bits = (uint32_t)(next + (uint64_t)i);
            memcpy(&x[i], &bits, sizeof bits);
        }
        if (function == floatmathchecks_exp) {
            cfloatmath_exp(x, y, count);
        } else {
            cfloatmath_log(x, y, count);
        }
        for (long i = 0; i < count; i++) {
            float expected = function == floatmathchecks_exp ? expf(x[i]) : logf(x[i]);
            if (memcmp(&expected, &y[i], sizeof expected) != 0) {
                if (differences == 0) { memcpy(firstDifference, &x[i], sizeof *firstDifference); }
                differences += 1;
            }
        }
        next += (uint64_t)count;
    }
    return differences;
}
