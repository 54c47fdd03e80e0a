// Everything is inline in include/CFloatMath.h; a C target needs one source file.
#include "CFloatMath.h"
