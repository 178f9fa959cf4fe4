/*
 * strmap.c
 *	  See strmap.h.
 */
#include "postgres.h"

#include "common/hashfn.h"

#include "strmap.h"

/* A key: bytes that are not copied. */
typedef struct CtStrKey
{
	const char *s;
	int			len;
} CtStrKey;

typedef struct CtStrEntry
{
	CtStrKey	key;
	uint32		hash;
	int			value;
	char		status;			/* simplehash's */
} CtStrEntry;

#define SH_PREFIX ct_strmap
#define SH_ELEMENT_TYPE CtStrEntry
#define SH_KEY_TYPE CtStrKey
#define SH_KEY key
#define SH_HASH_KEY(tb, k) hash_bytes((const unsigned char *) (k).s, (k).len)
#define SH_EQUAL(tb, a, b) ((a).len == (b).len && memcmp((a).s, (b).s, (a).len) == 0)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, e) ((e)->hash)
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* Size a map for about expected keys. */
void
ct_map_init(CtStrMap *m, int expected)
{
	m->table = ct_strmap_create(CurrentMemoryContext, Max(expected, 16), NULL);
}

/* The value stored for key, or -1. */
int
ct_map_get(CtStrMap *m, const char *key, int len)
{
	CtStrKey	k = {key, len};
	CtStrEntry *e = ct_strmap_lookup(m->table, k);

	return e != NULL ? e->value : -1;
}

/* Store value for key (key memory must outlive the map). */
void
ct_map_put(CtStrMap *m, const char *key, int len, int value)
{
	CtStrKey	k = {key, len};
	bool		found;
	CtStrEntry *e = ct_strmap_insert(m->table, k, &found);

	e->value = value;
}
