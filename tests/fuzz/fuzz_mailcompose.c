/* fuzz_mailcompose.c: the mail composer and the template expander on any bytes. */
/* fuzz-seeds: etc/templates */
#include <string.h>

#include "fuzz.h"
#include "mailcompose.h"
#include "xmalloc.h"

static const char *
lookup(const char *name, void *arg)
{
	(void)arg;
	return strcmp(name, "title") == 0 ? "Collegebesluit {title}" :
	    strcmp(name, "empty") == 0 ? "" : NULL;
}

/* Every line ends in CRLF and is at most 998 octets (RFC 5322 2.1.1); no bare CR or LF. */
static void
check_lines(const char *s, size_t len)
{
	size_t i, col = 0;

	FUZZ_ASSERT(strlen(s) == len);
	for (i = 0; i < len; i++) {
		if (s[i] == '\r') {
			FUZZ_ASSERT(i + 1 < len && s[i + 1] == '\n');
			i++;
			col = 0;
			continue;
		}
		FUZZ_ASSERT(s[i] != '\n');
		FUZZ_ASSERT(++col <= 998);
	}
	FUZZ_ASSERT(len >= 2 && s[len - 2] == '\r' && s[len - 1] == '\n');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Fields separated by NUL bytes: from, from name, to, to name, subject, body, ics,
	 * ics name, Message-ID; the first 4 bytes give the date and the offset. */
	char *buf = xmalloc(size + 1), *f[9] = { 0 }, *s, *out, *again, *cause = NULL;
	struct mail_msg m;
	size_t nf = 0, len, len2;
	uint32_t w = 0;

	memcpy(buf, data, size);
	buf[size] = '\0';
	if (size >= 4)
		memcpy(&w, data, 4);
	for (s = size >= 4 ? buf + 4 : buf; nf < 9 && s <= buf + size; s += strlen(s) + 1)
		f[nf++] = s;
	memset(&m, 0, sizeof(m));
	m.from = f[0] && *f[0] ? f[0] : "termijn@staphorst.example";
	m.from_name = f[1] && *f[1] ? f[1] : NULL;
	m.to = f[2] && *f[2] ? f[2] : "secretaris@zwartewaterland.example";
	m.to_name = f[3] && *f[3] ? f[3] : NULL;
	m.subject = f[4] ? f[4] : "";
	m.body = f[5];
	m.ics = f[6] && *f[6] ? f[6] : NULL;
	m.ics_name = f[7] && *f[7] ? f[7] : NULL;
	m.message_id = f[8] ? f[8] : "<0123abcd@termijn.example>";
	m.date = (int64_t)(w & 0xffffff) * 1000;
	m.utc_offset = (int)((w >> 24) % 49 - 24) * 1800;

	if ((out = mail_compose(&m, &len, &cause)) != NULL) {
		check_lines(out, len);
		/* The same input gives the same bytes. */
		again = mail_compose(&m, &len2, NULL);
		FUZZ_ASSERT(again != NULL && len2 == len && memcmp(out, again, len) == 0);
		free(again);
		free(out);
	} else
		FUZZ_ASSERT(cause != NULL && *cause != '\0');
	free(cause);
	cause = NULL;

	if ((out = mail_template_expand(buf + (size >= 4 ? 4 : 0), lookup, NULL, &cause)) != NULL)
		free(out);
	else
		FUZZ_ASSERT(cause != NULL && strncmp(cause, "line ", 5) == 0);
	free(cause);

	if (mail_domain_valid(m.to) || mail_addr_valid(m.to)) {
		out = mail_message_id(m.subject, strchr(m.to, '@') ? strchr(m.to, '@') + 1 : m.to);
		free(out);
	}
	free(buf);
	return 0;
}
