// The header's function is static inline; SwiftPM needs a source file in every C target.
#include "CCPUFeatures.h"
