#ifndef DECAYBENCH_CZLIB_SHIM_H
#define DECAYBENCH_CZLIB_SHIM_H
#include <zlib.h>
#endif
