/*
 * strmap.c
 *	  See strmap.h.
 */
#include "postgres.h"

#include "common/hashfn.h"

#include "strmap.h"

/* Size a map for about expected keys. */
void
ct_map_init(CtStrMap *m, int expected)
{
	uint32		size = 16;

	while (size < (uint32) expected * 2 + 2)
		size <<= 1;
	m->buckets = palloc0(sizeof(CtMapEntry) * size);
	m->mask = size - 1;
	m->count = 0;
}

static CtMapEntry *
ct_map_find(CtStrMap *m, const char *key, int len, uint32 hash)
{
	uint32		i = hash & m->mask;

	for (;;)
	{
		CtMapEntry *e = &m->buckets[i];

		if (e->key == NULL ||
			(e->hash == hash && e->len == len && memcmp(e->key, key, len) == 0))
			return e;
		i = (i + 1) & m->mask;
	}
}

/* The value stored for key, or -1. */
int
ct_map_get(CtStrMap *m, const char *key, int len)
{
	CtMapEntry *e = ct_map_find(m, key, len, hash_bytes((const unsigned char *) key, len));

	return e->key ? e->value : -1;
}

/* Store value for key (key memory must outlive the map). */
void
ct_map_put(CtStrMap *m, const char *key, int len, int value)
{
	uint32		hash = hash_bytes((const unsigned char *) key, len);
	CtMapEntry *e = ct_map_find(m, key, len, hash);

	if (e->key == NULL)
	{
		if ((uint32) (m->count + 1) * 2 > m->mask + 1)
		{
			CtMapEntry *old = m->buckets;
			uint32		oldsize = m->mask + 1;

			m->buckets = palloc0(sizeof(CtMapEntry) * oldsize * 2);
			m->mask = oldsize * 2 - 1;
			for (uint32 i = 0; i < oldsize; i++)
			{
				if (old[i].key != NULL)
					*ct_map_find(m, old[i].key, old[i].len, old[i].hash) = old[i];
			}
			pfree(old);
			e = ct_map_find(m, key, len, hash);
		}
		e->key = key;
		e->len = len;
		e->hash = hash;
		m->count++;
	}
	e->value = value;
}

