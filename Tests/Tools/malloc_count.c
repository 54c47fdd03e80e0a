// Counts malloc calls of a process and prints the total at exit, to check that training
// allocates nothing per step: run the same training with different numbers of steps and
// compare the totals.
//
//   gcc -shared -fPIC -O2 -o /tmp/malloc_count.so Tests/Tools/malloc_count.c -ldl
//   LD_PRELOAD=/tmp/malloc_count.so .build/release/decaybench train ... --batch-size 100
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static atomic_long calls;
static void *(*next_malloc)(size_t);

void *malloc(size_t size) {
    if (!next_malloc) next_malloc = dlsym(RTLD_NEXT, "malloc");
    atomic_fetch_add(&calls, 1);
    return next_malloc(size);
}

__attribute__((destructor)) static void report(void) {
    fprintf(stderr, "mallocs: %ld\n", atomic_load(&calls));
}
