/* timeheap.c: the binary min-heap of moments, with per-id handles for O(log n) updates. */
#include <stdlib.h>
#include <string.h>

#include "timeheap.h"
#include "xmalloc.h"

void
timeheap_init(struct timeheap *h)
{
	memset(h, 0, sizeof(*h));
}

void
timeheap_free(struct timeheap *h)
{
	free(h->v);
	free(h->pos);
	memset(h, 0, sizeof(*h));
}

static void
place(struct timeheap *h, size_t i, struct th_entry e)
{
	h->v[i] = e;
	h->pos[e.id] = i + 1;
}

static void
up(struct timeheap *h, size_t i)
{
	struct th_entry e = h->v[i];
	size_t parent;

	while (i > 0 && h->v[parent = (i - 1) / 2].key > e.key) {
		place(h, i, h->v[parent]);
		i = parent;
	}
	place(h, i, e);
}

static void
down(struct timeheap *h, size_t i)
{
	struct th_entry e = h->v[i];
	size_t c;

	while ((c = 2 * i + 1) < h->n) {
		if (c + 1 < h->n && h->v[c + 1].key < h->v[c].key)
			c++;
		if (h->v[c].key >= e.key)
			break;
		place(h, i, h->v[c]);
		i = c;
	}
	place(h, i, e);
}

void
timeheap_remove(struct timeheap *h, size_t id)
{
	size_t i;
	int64_t key;

	if (id >= h->nid || h->pos[id] == 0)
		return;
	i = h->pos[id] - 1;
	h->pos[id] = 0;
	if (i == --h->n)
		return;
	key = h->v[i].key;
	place(h, i, h->v[h->n]);
	/* The last entry, in the removed one's place, goes whichever way it must. */
	if (h->v[i].key < key)
		up(h, i);
	else
		down(h, i);
}

void
timeheap_resize(struct timeheap *h, size_t nid)
{
	size_t id;

	for (id = nid; id < h->nid; id++)
		timeheap_remove(h, id);
	h->pos = xreallocarray(h->pos, nid ? nid : 1, sizeof(*h->pos));
	if (nid > h->nid)
		memset(h->pos + h->nid, 0, (nid - h->nid) * sizeof(*h->pos));
	h->nid = nid;
}

void
timeheap_set(struct timeheap *h, size_t id, int64_t key)
{
	struct th_entry e = { key, id };
	size_t i;
	int64_t was;

	if (id >= h->nid)
		timeheap_resize(h, id + 1);
	if (h->pos[id] == 0) {
		XGROW(h->v, h->n, h->cap);
		place(h, h->n++, e);
		up(h, h->n - 1);
		return;
	}
	i = h->pos[id] - 1;
	was = h->v[i].key;
	h->v[i].key = key;
	if (key < was)
		up(h, i);
	else if (key > was)
		down(h, i);
}

void
timeheap_clear(struct timeheap *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		h->pos[h->v[i].id] = 0;
	h->n = 0;
}

int
timeheap_head(const struct timeheap *h, size_t *id, int64_t *key)
{
	if (h->n == 0)
		return 0;
	if (id != NULL)
		*id = h->v[0].id;
	if (key != NULL)
		*key = h->v[0].key;
	return 1;
}

int
timeheap_get(const struct timeheap *h, size_t id, int64_t *key)
{
	if (id >= h->nid || h->pos[id] == 0)
		return 0;
	if (key != NULL)
		*key = h->v[h->pos[id] - 1].key;
	return 1;
}
