/* fuzz_mailtext.c: reminder texts for any plan, from the shipped templates, then composed. */
/* fuzz-seeds: etc/plans tests/plans */
#include <string.h>

#include "fuzz.h"
#include "mailcompose.h"
#include "mailtext.h"
#include "plan.h"
#include "rules.h"
#include "schedule.h"
#include "xmalloc.h"

static struct templates T;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int loaded;
	struct errlist e = { 0 };
	struct mail_msg msg;
	struct occurrence o;
	struct istate *st;
	struct plan *p;
	char *subj, *body, *cause = NULL, *mail;
	size_t i;
	int k;

	if (!loaded) {
		/* Run from the top of the tree (tests/fuzz/run.sh does). */
		FUZZ_ASSERT(templates_load(&T, "etc/templates", &e) == 0);
		loaded = 1;
	}
	if ((p = plan_parse("fuzz.plan", (const char *)data, size, &e)) == NULL) {
		errlist_free(&e);
		return 0;
	}
	st = xcalloc(p->ninst ? p->ninst : 1, sizeof(*st));
	for (i = 0; i < p->ninst; i++)
		st[i].status = (enum status)(data[i % size] % 3);
	/* Every kind of reminder about the first instances. */
	for (i = 0; i < p->ninst && i < 16; i++)
		for (k = RK_LEAD; k <= RK_LAST; k++) {
			memset(&o, 0, sizeof(o));
			o.kind = (enum rkind)k;
			o.inst = i;
			o.n = 1 + (int)(data[(i + (size_t)k) % size] % 8);
			o.due = p->inst[i].deadline;
			o.when = p->inst[i].deadline - 86400;
			o.role = p->inst[i].owner;
			if (mailtext_compose(&T, p, st, &o, 1, NULL, NULL, &subj, &body, &cause) == -1) {
				FUZZ_ASSERT(cause != NULL);
				free(cause);
				cause = NULL;
				continue;
			}
			/* A subject is one header line; the message must compose. */
			FUZZ_ASSERT(strpbrk(subj, "\r\n") == NULL);
			memset(&msg, 0, sizeof(msg));
			msg.from = "termijn@termijn.example";
			msg.to = "secretaris@staphorst.example";
			msg.subject = subj;
			msg.body = body;
			msg.date = 1387440000;
			msg.message_id = "<0123abcd@termijn.example>";
			mail = mail_compose(&msg, NULL, &cause);
			if (mail == NULL)
				fprintf(stderr, "not composed: %s\n", cause);
			FUZZ_ASSERT(mail != NULL);
			free(mail);
			free(subj);
			free(body);
		}
	/* A digest of the first instances' reminders, every kind. */
	if (p->ninst > 0) {
		struct occurrence d[RK_LAST + 1];

		for (k = RK_LEAD; k <= RK_LAST; k++) {
			memset(&d[k], 0, sizeof(d[k]));
			d[k].kind = (enum rkind)k;
			d[k].inst = (size_t)k % p->ninst;
			d[k].n = 1 + (int)(data[(size_t)k % size] % 8);
			d[k].when = p->inst[d[k].inst].deadline - 86400;
			d[k].role = p->inst[d[k].inst].owner;
		}
		FUZZ_ASSERT(mailtext_digest(&T, p, st, d, RK_LAST + 1, NULL,
		    p->inst[0].deadline, &subj, &body, &cause) == 0);
		FUZZ_ASSERT(strpbrk(subj, "\r\n") == NULL);
		free(subj);
		free(body);
	}
	/* Every kind of change mail, about the first instances together. */
	if (p->ninst > 0) {
		static const char *kinds[] = { "done-override", "undo", "add", "move" };
		struct mailchange c;
		size_t inst[4];

		memset(&c, 0, sizeof(c));
		for (i = 0; i < p->ninst && i < 4; i++)
			inst[i] = p->ninst - 1 - i;
		c.inst = inst;
		c.ninst = i;
		c.by = "A. de Vries";
		c.reason = "fuzz";
		c.detail = p->title;
		c.rcpt = p->nroles > 0 && p->roles[0].naddrs > 0 ? p->roles[0].addrs[0] : NULL;
		for (k = 0; k < 4; k++) {
			c.kind = kinds[k];
			FUZZ_ASSERT(mailtext_change(&T, p, st, &c, &subj, &body, &cause) == 0);
			FUZZ_ASSERT(strpbrk(subj, "\r\n") == NULL);
			free(subj);
			free(body);
		}
	}
	for (i = 0; i < p->ninst; i++)
		istate_clear(&st[i]);
	free(st);
	plan_free(p);
	return 0;
}
