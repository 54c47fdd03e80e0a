// Element-wise float math that Swift on Linux cannot vectorise by itself.
//
// Float.squareRoot() reaches the C library's sqrtf, which may set errno; that side effect
// keeps every loop that calls it scalar. __builtin_elementwise_sqrt is the bare IEEE 754
// square root (correctly rounded, the same bits), which the compiler turns into sqrtps.
#ifndef CFLOATMATH_H
#define CFLOATMATH_H

static inline float cfloatmath_sqrt(float x) { return __builtin_elementwise_sqrt(x); }

#endif
