/* sha256.h: SHA-256 of a byte string. */
#ifndef TERMIJN_SHA256_H
#define TERMIJN_SHA256_H

#include <stddef.h>

void	sha256(const void *, size_t, unsigned char out[32]);

#endif
