// What the processor can do, asked at run time, and a hint to its caches.
#ifndef CCPUFEATURES_H
#define CCPUFEATURES_H

#include <stdbool.h>

/// Whether the processor runs AVX2 instructions (always false off x86-64).
static inline bool ccpufeatures_has_avx2(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
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
