/* fuzz_config.c: the termijnd.conf reader on any bytes. */
/* fuzz-seeds: etc/termijnd.conf */
#include <string.h>

#include "config.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errlist e = { 0 };
	struct config *c;
	size_t i;
	char *s;

	c = config_parse("fuzz.conf", (const char *)data, size, &e);
	FUZZ_ASSERT((c == NULL) == (e.n > 0));
	for (i = 0; i < e.n; i++)
		FUZZ_ASSERT(strncmp(e.msg[i], "fuzz.conf:", 10) == 0);
	errlist_free(&e);
	if (c == NULL)
		return 0;
	/* What was accepted is one line each: nothing that could split a mail header. */
	FUZZ_ASSERT(c->mail_from_name == NULL || strpbrk(c->mail_from_name, "\r\n") == NULL);
	FUZZ_ASSERT(strpbrk(c->mail_from, "\r\n") == NULL);
	FUZZ_ASSERT(strpbrk(c->mail_domain, "\r\n") == NULL);
	s = config_path(c, c->state_dir);
	free(s);
	config_free(c);
	return 0;
}
