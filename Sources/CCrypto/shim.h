#ifndef DECAYBENCH_CCRYPTO_SHIM_H
#define DECAYBENCH_CCRYPTO_SHIM_H
// Only the message digests: OpenSSL's SHA-256 uses the processor's SHA instructions where it has them.
#include <openssl/evp.h>
#endif
