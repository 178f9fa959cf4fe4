/*
 * ctaudience.c
 *	  Module entry: PG_MODULE_MAGIC and _PG_init.
 *
 * ctaudience makes PostgreSQL the receiving end of mParticle audience
 * syncs with CleverTap's semantics.  See README.md.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "inbox.h"
#include "model.h"
#include "phone.h"
#include "timing.h"
#include "triggers.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * Module load: each module defines its settings; the ctaudience.* prefix
 * is reserved.  Loaded through shared_preload_libraries, libphonenumber's
 * tables are built once in the postmaster, so that every backend inherits
 * them instead of building them on its first phone number.
 */
void
_PG_init(void)
{
	ct_model_init();
	ct_inbox_init();
	ct_triggers_init();
	ct_timing_init();
	MarkGUCPrefixReserved("ctaudience");
	if (process_shared_preload_libraries_in_progress && ct_phone_init() != 0)
		ereport(WARNING,
				(errmsg("ctaudience could not initialize libphonenumber"),
				 errdetail("Phone numbers will be parsed on first use instead.")));
}
