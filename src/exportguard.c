/*
 * exportguard.c
 *	  What keeps the export to mParticle from sending what it must not, or
 *	  stopping for good: an erasure or a merge waits for a claim building a
 *	  request of its project, and a row no request can hold is reported.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "events.h"
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

/* See exportguard.h. */
char	  **
ct_export_selection(Datum events, int *n)
{
	Datum	   *names;
	bool	   *nulls;
	char	  **out;

	deconstruct_array(DatumGetArrayTypeP(events), TEXTOID, -1, false, TYPALIGN_INT, &names, &nulls, n);
	out = palloc(sizeof(char *) * (*n + 1));
	for (int i = 0; i < *n; i++)
		out[i] = nulls[i] ? NULL : TextDatumGetCString(names[i]);
	return out;
}

/* See exportguard.h. */
bool
ct_export_selects_name(const char *export_type, char *const *selected, int nselected, const char *name)
{
	if (strcmp(export_type, "all_events") == 0)
		return strcmp(name, "Partner Sync") != 0;
	if (strcmp(export_type, "engagement_events") == 0)
		return ct_event_kind(name) == CT_EVENT_ENGAGEMENT;
	if (strcmp(export_type, "selected_events") == 0)
	{
		for (int i = 0; i < nselected; i++)
			if (selected[i] != NULL && strcmp(selected[i], name) == 0)
				return true;
	}
	return false;
}
