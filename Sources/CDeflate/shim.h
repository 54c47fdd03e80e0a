#ifndef DECAYBENCH_CDEFLATE_SHIM_H
#define DECAYBENCH_CDEFLATE_SHIM_H
#include <libdeflate.h>
#endif
