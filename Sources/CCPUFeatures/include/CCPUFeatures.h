// What the processor can do, asked at run time, and a hint to its caches.
#ifndef CCPUFEATURES_H
#define CCPUFEATURES_H

#include <stdbool.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

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

/// The processor's family (CPUID leaf 1, with the extended family added as the manual says)
/// when AMD made it, else 0: 25 is Zen 3 and Zen 4, 26 Zen 5. Always 0 off x86-64.
static inline int ccpufeatures_amd_family(void) {
#if defined(__x86_64__)
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx)) return 0;
    // "AuthenticAMD", spread over EBX, EDX and ECX in that order.
    if (ebx != 0x68747541u || edx != 0x69746e65u || ecx != 0x444d4163u) return 0;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    unsigned int family = (eax >> 8) & 0xfu;
    return (int)(family == 0xfu ? family + ((eax >> 20) & 0xffu) : family);
#else
    return 0;
#endif
}

/// Asks the processor to bring the cache line holding `address` into its caches before it is
/// read: a hint, which never faults and never changes a value.
static inline void ccpufeatures_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
