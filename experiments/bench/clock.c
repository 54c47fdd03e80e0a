// The processor's clock while it runs, estimated: inside these virtual machines it cannot be
// read (no /proc/cpuinfo MHz that moves, no perf cycle counter), and the cycle counts in the
// README's Speed section and in results/bench/README.md need it.
//
//   gcc -O1 experiments/bench/clock.c -o /tmp/clock && /tmp/clock
//
// A chain of dependent 64-bit integer additions retires one addition a cycle on every x86-64
// processor of the last fifteen years (latency 1, and each needs the one before), so the
// additions per second are the cycles per second. Prints the median of 7 rounds of 2·10⁹
// additions each; run it alone on a quiet core.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec + now.tv_nsec * 1e-9;
}

static int ascending(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void) {
    enum { rounds = 7 };
    const long additions = 2000000000;
    double gigahertz[rounds];
    for (int round = 0; round < rounds; round++) {
        long sum = 0, remaining = additions;
        double started = seconds();
        // Four dependent additions per turn; the loop counter runs beside them on other units.
        __asm__ volatile("1:\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tsub $4, %1\n\tjnz 1b"
                         : "+r"(sum), "+r"(remaining));
        gigahertz[round] = additions / (seconds() - started) * 1e-9;
    }
    qsort(gigahertz, rounds, sizeof gigahertz[0], ascending);
    printf("%.2f GHz (median of %d rounds; %.2f to %.2f)\n", gigahertz[rounds / 2], rounds, gigahertz[0], gigahertz[rounds - 1]);
    return 0;
}
