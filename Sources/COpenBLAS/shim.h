#ifndef DECAYBENCH_COPENBLAS_SHIM_H
#define DECAYBENCH_COPENBLAS_SHIM_H
#include <cblas.h>
#endif
