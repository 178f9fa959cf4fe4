/*
 * ctaudience.c
 *	  Module entry: PG_MODULE_MAGIC and _PG_init.
 *
 * ctaudience makes PostgreSQL the receiving end of mParticle audience
 * syncs with CleverTap's semantics.  See README.md.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* Module load: reserve the ctaudience.* GUC prefix. */
void
_PG_init(void)
{
	MarkGUCPrefixReserved("ctaudience");
}
