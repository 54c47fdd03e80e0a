// Element-wise float math that Swift on Linux cannot vectorise by itself.
//
// Float.squareRoot() reaches the C library's sqrtf, which may set errno; that side effect
// keeps every loop that calls it scalar. __builtin_elementwise_sqrt is the bare IEEE 754
// square root (correctly rounded, the same bits), which the compiler turns into sqrtps.
#ifndef CFLOATMATH_H
#define CFLOATMATH_H

#include <stdbool.h>

static inline float cfloatmath_sqrt(float x) { return __builtin_elementwise_sqrt(x); }

/// y[i] = expf(x[i]) for i < count, to the bit of the C library's expf (x and y may be the same array).
void cfloatmath_exp(const float *x, float *y, long count);

/// y[i] = logf(x[i]) for i < count, to the bit of the C library's logf (x and y may be the same array).
void cfloatmath_log(const float *x, float *y, long count);

/// Whether cfloatmath_exp and cfloatmath_log run their AVX2 build here (the processor has AVX2
/// and FMA); otherwise they call the C library value by value.
bool cfloatmath_vector_exp_log(void);

#endif
