/*
 * strmap.h
 *	  A map from byte strings to ints, for the per-message lookups of the
 *	  import: PostgreSQL's simplehash.h (open addressing, robin hood), keyed
 *	  by strings in memory that outlives the map (nothing is copied).
 */
#ifndef CT_STRMAP_H
#define CT_STRMAP_H

#include "postgres.h"

typedef struct CtStrMap
{
	struct ct_strmap_hash *table;	/* in the memory context current at
									 * ct_map_init */
} CtStrMap;

/* Size a map for about expected keys (it grows as needed). */
extern void ct_map_init(CtStrMap *m, int expected);

/* The value stored for key, or -1. */
extern int	ct_map_get(CtStrMap *m, const char *key, int len);

/* Store value for key, replacing any value it had. */
extern void ct_map_put(CtStrMap *m, const char *key, int len, int value);

#endif							/* CT_STRMAP_H */
