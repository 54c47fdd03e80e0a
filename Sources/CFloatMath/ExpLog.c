// expf and logf over arrays, eight floats at a time, to the bit of the C library's.
//
// The loss of a softmax takes two exponentials per logit and a logarithm per row. Through the
// C library that is a call per value, a seventh of a logistic-regression epoch; here it is
// one call per array, and AVX2 does four lanes of the same double-precision arithmetic at once.
//
// Same bits: glibc (2.28 and later) computes expf and logf in double precision from a small
// table and a polynomial, and on a processor with AVX2 and FMA it runs the build that fuses
// the multiply-adds (__expf_fma, __logf_fma). The vector code below performs exactly that
// build's operations, with the same constants and the same fusions, on each lane; the values
// outside their main range (|x| ≥ 88 for exp; zero, subnormal, negative, infinite and NaN for
// log) are handed to the C library one by one. On other processors everything goes to the C
// library. Tests/FloatMathTests compares both functions with the C library's on all 2³²
// floats.
//
// The constants are glibc's (Arm's optimized-routines, MIT licence), read back from the
// library; a different table or polynomial would change the last bit of some results.
#include "CFloatMath.h"

#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

// Every fused multiply-add below is written as one; nothing else may be fused.
#pragma clang fp contract(off)

#if defined(__x86_64__)
#include <immintrin.h>

// The lanes set in `special` again, through the C library's `function` and its own branches.
__attribute__((target("avx2,fma")))
static void redoSpecialLanes(int special, __m256 x, float *y, float (*function)(float)) {
    float lanes[8];  // x, which y may have just overwritten
    _mm256_storeu_ps(lanes, x);
    for (int lane = 0; lane < 8; lane++) {
        if (special & (1 << lane)) { y[lane] = function(lanes[lane]); }
    }
}

// `eight` over an array: whole vectors, then the last one to seven values in a vector padded
// with `padding`, a value of the main range.
__attribute__((target("avx2,fma")))
static inline void overArray(void (*eight)(const float *, float *), float padding, const float *x, float *y, long count) {
    long i = 0;
    for (; i + 8 <= count; i += 8) { eight(x + i, y + i); }
    if (i < count) {
        float lanes[8] = { padding, padding, padding, padding, padding, padding, padding, padding };
        memcpy(lanes, x + i, (size_t)(count - i) * sizeof(float));
        eight(lanes, lanes);
        memcpy(y + i, lanes, (size_t)(count - i) * sizeof(float));
    }
}

// MARK: - exp

// exp(x) = 2^(k/32) · 2^(r/32) with k = round(x · 32/ln 2) and |r| ≤ 1/2; 2^(r/32) by a cubic.
static const double expInverseLn2Scaled = 0x1.71547652b82fep+5;  // 32/ln 2
static const double expShift = 0x1.8p+52;  // adding it rounds to an integer held in the low bits
static const double expCubic[3] = { 0x1.c6af84b912394p-20, 0x1.ebfce50fac4f3p-13, 0x1.62e42ff0c52d6p-6 };
// 2^(i/32), i = 0…31, correctly rounded.
static const double expPowers[32] = {
    0x1p+0, 0x1.059b0d3158574p+0, 0x1.0b5586cf9890fp+0, 0x1.11301d0125b51p+0,
    0x1.172b83c7d517bp+0, 0x1.1d4873168b9aap+0, 0x1.2387a6e756238p+0, 0x1.29e9df51fdee1p+0,
    0x1.306fe0a31b715p+0, 0x1.371a7373aa9cbp+0, 0x1.3dea64c123422p+0, 0x1.44e086061892dp+0,
    0x1.4bfdad5362a27p+0, 0x1.5342b569d4f82p+0, 0x1.5ab07dd485429p+0, 0x1.6247eb03a5585p+0,
    0x1.6a09e667f3bcdp+0, 0x1.71f75e8ec5f74p+0, 0x1.7a11473eb0187p+0, 0x1.82589994cce13p+0,
    0x1.8ace5422aa0dbp+0, 0x1.93737b0cdc5e5p+0, 0x1.9c49182a3f09p+0, 0x1.a5503b23e255dp+0,
    0x1.ae89f995ad3adp+0, 0x1.b7f76f2fb5e47p+0, 0x1.c199bdd85529cp+0, 0x1.cb720dcef9069p+0,
    0x1.d5818dcfba487p+0, 0x1.dfc97337b9b5fp+0, 0x1.ea4afa2a490dap+0, 0x1.f50765b6e454p+0,
};

// Four lanes of exp(x), x as doubles: the fused build's operations, lane by lane.
__attribute__((target("avx2,fma")))
static inline __m128 expFourLanes(__m256d xd) {
    const __m256d inverseLn2 = _mm256_set1_pd(expInverseLn2Scaled), shift = _mm256_set1_pd(expShift);
    // k + shift, rounded to nearest: k sits in the low bits of its representation.
    __m256d shifted = _mm256_fmadd_pd(inverseLn2, xd, shift);
    __m256i kBits = _mm256_castpd_si256(shifted);
    __m256d k = _mm256_sub_pd(shifted, shift);
    __m256d r = _mm256_fmsub_pd(inverseLn2, xd, k);
    // s = 2^(k/32): 2^(i/32) for i = k mod 32, with k div 32 added to its exponent, which is
    // adding (k − i)·2⁴⁷ to its bits (mod 2⁶⁴, as the C library does).
    __m256i index = _mm256_and_si256(kBits, _mm256_set1_epi64x(31));
    __m256i power = _mm256_i64gather_epi64((const long long *)expPowers, index, 8);
    __m256d s = _mm256_castsi256_pd(_mm256_add_epi64(power, _mm256_slli_epi64(_mm256_sub_epi64(kBits, index), 47)));
    __m256d z = _mm256_fmadd_pd(r, _mm256_set1_pd(expCubic[0]), _mm256_set1_pd(expCubic[1]));
    __m256d r2 = _mm256_mul_pd(r, r);
    __m256d y = _mm256_fmadd_pd(r, _mm256_set1_pd(expCubic[2]), _mm256_set1_pd(1.0));
    y = _mm256_fmadd_pd(z, r2, y);
    return _mm256_cvtpd_ps(_mm256_mul_pd(y, s));
}

__attribute__((target("avx2,fma")))
static inline __m256 expEightLanes(__m256 x) {
    __m128 low = expFourLanes(_mm256_cvtps_pd(_mm256_castps256_ps128(x)));
    __m128 high = expFourLanes(_mm256_cvtps_pd(_mm256_extractf128_ps(x, 1)));
    return _mm256_set_m128(high, low);
}

// Lanes whose |x| ≥ 88 (or NaN): the C library's own branches (overflow, underflow, NaN).
__attribute__((target("avx2,fma")))
static inline int expSpecialLanes(__m256 x) {
    __m256i magnitude = _mm256_and_si256(_mm256_castps_si256(x), _mm256_set1_epi32(0x7fffffff));
    return _mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(magnitude, _mm256_set1_epi32(0x42afffff))));
}

// Eight values from `x` to `y` (which may be the same place).
__attribute__((target("avx2,fma")))
static inline void expEight(const float *x, float *y) {
    __m256 v = _mm256_loadu_ps(x);
    int special = expSpecialLanes(v);
    _mm256_storeu_ps(y, expEightLanes(v));
    if (special) { redoSpecialLanes(special, v, y, expf); }
}

__attribute__((target("avx2,fma")))
static void expArrayAVX2(const float *x, float *y, long count) { overArray(expEight, 0, x, y, count); }

// MARK: - log

// log(x) = k·ln 2 + log(c) + log1p(z/c − 1) for x = 2^k·z, with c the centre of z's sixteenth of
// [0x1.66p-1, 0x1.66p0); log1p(r) by r + a cubic in r.
static const double logLn2 = 0x1.62e42fefa39efp-1;
static const double logCubic[3] = { -0x1.00ea348b88334p-2, 0x1.5575b0be00b6ap-2, -0x1.ffffef20a4123p-2 };
// 1/c and log(c) for each sixteenth.
static const double logInverseCentre[16] = {
    0x1.661ec79f8f3bep+0, 0x1.571ed4aaf883dp+0, 0x1.49539f0f010bp+0, 0x1.3c995b0b80385p+0,
    0x1.30d190c8864a5p+0, 0x1.25e227b0b8eap+0, 0x1.1bb4a4a1a343fp+0, 0x1.12358f08ae5bap+0,
    0x1.0953f419900a7p+0, 0x1p+0, 0x1.e608cfd9a47acp-1, 0x1.ca4b31f026aap-1,
    0x1.b2036576afce6p-1, 0x1.9c2d163a1aa2dp-1, 0x1.886e6037841edp-1, 0x1.767dcf5534862p-1,
};
static const double logCentre[16] = {
    -0x1.57bf7808caadep-2, -0x1.2bef0a7c06ddbp-2, -0x1.01eae7f513a67p-2, -0x1.b31d8a68224e9p-3,
    -0x1.6574f0ac07758p-3, -0x1.1aa2bc79c81p-3, -0x1.a4e76ce8c0e5ep-4, -0x1.1973c5a611cccp-4,
    -0x1.252f438e10c1ep-5, 0x0p+0, 0x1.aa5aa5df25984p-5, 0x1.c5e53aa362eb4p-4,
    0x1.526e57720db08p-3, 0x1.bc2860d22477p-3, 0x1.1058bc8a07ee1p-2, 0x1.4043057b6ee09p-2,
};
static const uint32_t logOffset = 0x3f330000;  // the bits of 0x1.66p-1, where the sixteenths begin

__attribute__((target("avx2,fma")))
static inline __m256d logFourLanes(__m128i bits) {
    __m128i fromOffset = _mm_sub_epi32(bits, _mm_set1_epi32((int)logOffset));
    __m128i index = _mm_and_si128(_mm_srli_epi32(fromOffset, 23 - 4), _mm_set1_epi32(15));
    __m256d k = _mm256_cvtepi32_pd(_mm_srai_epi32(fromOffset, 23));
    // z: x with the exponent k taken out, exact.
    __m128i zBits = _mm_sub_epi32(bits, _mm_and_si128(fromOffset, _mm_set1_epi32((int)0xff800000u)));
    __m256d z = _mm256_cvtps_pd(_mm_castsi128_ps(zBits));
    __m256d inverseCentre = _mm256_i32gather_pd(logInverseCentre, index, 8);
    __m256d logC = _mm256_i32gather_pd(logCentre, index, 8);
    __m256d y0 = _mm256_fmadd_pd(k, _mm256_set1_pd(logLn2), logC);
    __m256d r = _mm256_fmadd_pd(z, inverseCentre, _mm256_set1_pd(-1.0));
    __m256d p = _mm256_fmadd_pd(r, _mm256_set1_pd(logCubic[1]), _mm256_set1_pd(logCubic[2]));
    __m256d r2 = _mm256_mul_pd(r, r);
    __m256d sum = _mm256_add_pd(r, y0);
    p = _mm256_fmadd_pd(r2, _mm256_set1_pd(logCubic[0]), p);
    return _mm256_fmadd_pd(r2, p, sum);
}

// Lanes outside the positive normal finite floats: the C library's own branches.
__attribute__((target("avx2,fma")))
static inline int logSpecialLanes(__m256i bits) {
    __m256i normal = _mm256_and_si256(_mm256_cmpgt_epi32(bits, _mm256_set1_epi32(0x007fffff)),
                                      _mm256_cmpgt_epi32(_mm256_set1_epi32(0x7f800000), bits));
    return ~_mm256_movemask_ps(_mm256_castsi256_ps(normal)) & 0xff;
}

// Eight values from `x` to `y` (which may be the same place).
__attribute__((target("avx2,fma")))
static inline void logEight(const float *x, float *y) {
    __m256i bits = _mm256_loadu_si256((const __m256i *)x);
    int special = logSpecialLanes(bits);
    __m128 low = _mm256_cvtpd_ps(logFourLanes(_mm256_castsi256_si128(bits)));
    __m128 high = _mm256_cvtpd_ps(logFourLanes(_mm256_extracti128_si256(bits, 1)));
    _mm256_storeu_ps(y, _mm256_set_m128(high, low));
    if (special) { redoSpecialLanes(special, _mm256_castsi256_ps(bits), y, logf); }
}

__attribute__((target("avx2,fma")))
static void logArrayAVX2(const float *x, float *y, long count) { overArray(logEight, 1, x, y, count); }

#endif

// MARK: - Dispatch

// 0: not yet asked, 1: AVX2 and FMA (the C library then runs its fused build too), 2: not.
static _Atomic int vectorPath = 0;

bool cfloatmath_vector_exp_log(void) {
    int path = atomic_load_explicit(&vectorPath, memory_order_relaxed);
    if (path == 0) {
#if defined(__x86_64__)
        __builtin_cpu_init();
        path = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 2;
#else
        path = 2;
#endif
        atomic_store_explicit(&vectorPath, path, memory_order_relaxed);
    }
    return path == 1;
}

void cfloatmath_exp(const float *x, float *y, long count) {
#if defined(__x86_64__)
    if (cfloatmath_vector_exp_log()) { expArrayAVX2(x, y, count); return; }
#endif
    for (long i = 0; i < count; i++) { y[i] = expf(x[i]); }
}

void cfloatmath_log(const float *x, float *y, long count) {
#if defined(__x86_64__)
    if (cfloatmath_vector_exp_log()) { logArrayAVX2(x, y, count); return; }
#endif
    for (long i = 0; i < count; i++) { y[i] = logf(x[i]); }
}
