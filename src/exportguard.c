/*
 * exportguard.c
 *	  What keeps the export to mParticle from sending what it must not, or
 *	  stopping for good: an erasure or a merge waits for a claim building a
 *	  request of its project, and a row no request can hold is reported.
 */
#include "postgres.h"

#include "access/xact.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "exportguard.h"
#include "store.h"

/* See exportguard.h. */
void
ct_export_serialize(const char *project_id)
{
	Datum		arg = CStringGetTextDatum(project_id);

	ct_store_exec(CT_Q_EXPORT_SERIALIZE, &arg, NULL, false);
	SPI_freetuptable(SPI_tuptable);
}

/* See exportguard.h. */
void
ct_export_unsendable(const char *project_id, int n)
{
	Datum		args[3];
	char	   *msg = psprintf("%d outbox rows too large for mParticle's limits even alone were dropped", n);

	ereport(WARNING, (errmsg("ctaudience: the export of project \"%s\": %s", project_id, msg)));
	args[0] = CStringGetTextDatum(project_id);
	args[1] = CStringGetTextDatum(msg);
	args[2] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	ct_store_exec(CT_Q_RESULT_ERROR, args, NULL, false);
}
