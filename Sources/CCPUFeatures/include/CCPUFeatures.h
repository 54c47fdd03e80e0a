// What the processor can do, asked at run time, and a hint to its caches.
#ifndef CCPUFEATURES_H
#define CCPUFEATURES_H

#include <stdbool.h>

/// Whether the processor runs code built with `-target-cpu haswell` (the AVX2 builds of the
/// kernels): AVX2 and what comes with it there, which the compiler may use in any function of
/// such a build (FMA, BMI1 and BMI2, F16C, MOVBE, LZCNT, POPCNT). Every processor with AVX2
/// sold so far has them all, but a virtual machine can hide some; asking for AVX2 alone would
/// then end such a process on an illegal instruction. Always false off x86-64.
static inline bool ccpufeatures_runs_haswell_builds(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi")
        && __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("f16c") && __builtin_cpu_supports("movbe")
        && __builtin_cpu_supports("lzcnt") && __builtin_cpu_supports("popcnt");
#else
    return false;
#endif
}

/// Asks the processor to bring the cache line holding `address` into its caches before it is
/// read: a hint, which never faults and never changes a value.
static inline void ccpufeatures_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
