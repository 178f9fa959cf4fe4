/*
 * journeys.c
 *	  Live entry into journeys, and leaving them (see journeys.h).  It runs
 *	  in the membership trigger's statement-level path that qualifies live
 *	  campaigns (triggers.c), on the Partner Sync events of the statement:
 *	  one read of the project's live journeys per statement, and, when an
 *	  event adds a profile to an entry segment, or removes one from it or
 *	  from an exit segment, one statement for each kind.  A recorded app
 *	  event enters profiles in the recording's path (engage.c).
 *	  Moving the profiles through the nodes is ct_advance_journeys' (SQL).
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "journeys.h"
#include "queries.h"
#include "queue.h"
#include "store.h"

/* A live journey of the project. */
typedef struct CtLiveJourney
{
	int64		journey_id;
	int64		segment_id;		/* its entry segment, or an exit segment */
	TimestampTz started_at;
	char	   *entry;			/* the id of its entry node */
	bool		is_entry;		/* segment_id is the entry segment */
} CtLiveJourney;

/*
 * The (journey, occurrence) pairs of one kind -- added to its entry segment
 * since its start (left false), or removed from it or from one of its exit
 * segments -- as batch columns 2..4
 * (journey, ct_id, time) of stmt, and 5 (the entry node) for an entry, and
 * in *created (when not NULL) whether each pair's profile is one the import
 * created (fn, when not NULL); false when there are none.
 */
static bool
ct_journey_pairs(const char *project_id, const CtLiveJourney *j, uint64 nj,
				 const CtOccurrence *occ, int n, bool left, CtStmt stmt, CtBatch *b,
				 bool **created, CtCreatedFn fn, void *fn_arg)
{
	int			nmatch = 0;
	int			k = 0;

	for (int pass = 0; pass < 2; pass++)
	{
		for (uint64 r = 0; r < nj; r++)
		{
			for (int i = 0; i < n; i++)
			{
				if (left ? occ[i].left != j[r].segment_id
					: !j[r].is_entry || occ[i].member_of != j[r].segment_id ||
					occ[i].ts < j[r].started_at)
					continue;
				if (pass == 0)
				{
					nmatch++;
					continue;
				}
				ct_arr_add(CT_COL(b, 2), Int64GetDatum(j[r].journey_id), false);
				ct_arr_add(CT_COL(b, 3), CStringGetTextDatum(occ[i].ct_id), false);
				ct_arr_add(CT_COL(b, 4), TimestampTzGetDatum(occ[i].ts), false);
				if (!left)
					ct_arr_add(CT_COL(b, 5), CStringGetTextDatum(j[r].entry), false);
				if (created != NULL)
					(*created)[k++] = fn != NULL && fn(fn_arg, project_id, occ[i].ct_id);
			}
		}
		if (nmatch == 0)
			return false;
		if (pass == 0)
		{
			ct_batch_init(b, stmt, nmatch);
			b->values[0] = CStringGetTextDatum(project_id);
			if (created != NULL)
				*created = palloc(sizeof(bool) * nmatch);
		}
	}
	return true;
}

/* See journeys.h. */
void
ct_journeys_enter(const char *project_id, const CtOccurrence *occ, int n,
				  CtCreatedFn created_fn, void *created_arg)
{
	Datum		args[1];
	uint64		found;
	CtLiveJourney *j;
	bool		any = false;
	CtBatch		b;
	bool	   *created;

	for (int i = 0; i < n && !any; i++)
		any = occ[i].member_of != 0 || occ[i].left != 0;
	if (!any)
		return;
	args[0] = CStringGetTextDatum(project_id);
	found = ct_store_exec(CT_Q_LIVE_JOURNEYS, args, NULL, true);
	if (found == 0)
		return;
	j = palloc(sizeof(CtLiveJourney) * found);
	for (uint64 r = 0; r < found; r++)
	{
		bool		isnull;

		j[r].journey_id = DatumGetInt64(ct_store_get(r, 1, &isnull));
		j[r].segment_id = DatumGetInt64(ct_store_get(r, 2, &isnull));
		j[r].started_at = DatumGetTimestampTz(ct_store_get(r, 3, &isnull));
		j[r].entry = ct_store_get_text(r, 4);
		j[r].is_entry = DatumGetBool(ct_store_get(r, 5, &isnull));
	}
	SPI_freetuptable(SPI_tuptable);
	if (ct_journey_pairs(project_id, j, found, occ, n, false, CT_Q_JOURNEY_ENTER, &b, &created,
						 created_fn, created_arg))
		ct_direct_journey_enter(&b, created);
	if (ct_journey_pairs(project_id, j, found, occ, n, true, CT_Q_JOURNEY_LEFT, &b, NULL, NULL, NULL))
		ct_batch_exec(&b, false);
}
