/* fuzz.h: what every libFuzzer target shares (one target per file, fuzz_NAME.c). */
#ifndef TERMIJN_FUZZ_H
#define TERMIJN_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A broken property is a finding like a crash: libFuzzer keeps the input that did it. */
#define FUZZ_ASSERT(c) do {							\
	if (!(c)) {								\
		fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__,	\
		    __LINE__, #c);						\
		abort();							\
	}									\
} while (0)

#endif
