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

#include "phone.h"
#include "triggers.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * Module load: reserve the ctaudience.* GUC prefix.  Loaded through
 * shared_preload_libraries, build libphonenumber's tables once in the
 * postmaster (15-25 ms, 2.5 MB) so that every backend inherits them
 * instead of paying for them on its first phone number.
 */
void
_PG_init(void)
{
	DefineCustomBoolVariable("ctaudience.notify_partner_sync",
							 "Announce committed membership changes with NOTIFY ct_partner_sync.",
							 "Payloads are JSON: {\"project\": ..., \"changes\": [{\"ct_id\", \"segment_id\", "
							 "\"partner_segment_id\", \"action\"}, ...]}, at most 40 changes each.",
							 &ct_notify_partner_sync,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
	MarkGUCPrefixReserved("ctaudience");
	if (process_shared_preload_libraries_in_progress && ct_phone_init() != 0)
		ereport(WARNING,
				(errmsg("ctaudience could not initialize libphonenumber"),
				 errdetail("Phone numbers will be parsed on first use instead.")));
}
