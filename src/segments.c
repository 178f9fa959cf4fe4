/*
 * segments.c
 *	  The segments of a membership message's audiences: looked up, created
 *	  when missing (not in a dry run), renamed when the message is newer.
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "importstate.h"
#include "segments.h"

/* Look up, create and rename the message's segments. */
void
ct_sync_segments(CtImport *im)
{
	CtMembershipMessage *msg = &im->msg;
	Datum		values[4];
	CtArr		ids,
				names;
	uint64		n;
	bool	   *found;
	int			missing = 0;
	int			renames = 0;

	im->segments = palloc0(sizeof(CtSegmentInfo) * Max(msg->naudiences, 1));
	if (msg->naudiences == 0)
		return;
	found = palloc0(sizeof(bool) * msg->naudiences);

	for (int pass = 0; pass < 2; pass++)
	{
		ct_arr_for(&ids, CT_Q_SEGMENTS, 2, msg->naudiences);
		for (int i = 0; i < msg->naudiences; i++)
			ct_arr_add(&ids, Int64GetDatum(msg->audiences[i].audience_id), false);
		values[0] = CStringGetTextDatum(im->project.project_id);
		values[1] = ct_arr_datum(&ids);
		n = ct_store_exec(CT_Q_SEGMENTS, values, NULL, false);

		missing = msg->naudiences;
		renames = 0;
		ct_arr_for(&ids, CT_Q_RENAME_SEGMENTS, 2, msg->naudiences);
		ct_arr_for(&names, CT_Q_RENAME_SEGMENTS, 3, msg->naudiences);
		for (uint64 r = 0; r < n; r++)
		{
			bool		isnull;
			int64		aid = DatumGetInt64(ct_store_get(r, 1, &isnull));
			int64		sid = DatumGetInt64(ct_store_get(r, 2, &isnull));
			char	   *name = ct_store_get_text(r, 3);
			Datum		name_ts = ct_store_get(r, 4, &isnull);
			char	   *status = ct_store_get_text(r, 5);
			char	   *field = ct_store_get_text(r, 6);
			bool		status_null;
			Datum		status_ts = ct_store_get(r, 7, &status_null);

			for (int i = 0; i < msg->naudiences; i++)
			{
				CtAudienceRef *a = &msg->audiences[i];

				if (a->audience_id != aid)
					continue;
				found[i] = true;
				missing--;
				im->segments[i].segment_id = sid;

				/*
				 * A remove refuses the changes that come after it: a message
				 * older than the remove was sent while the audience was still
				 * connected (a delivery that arrives late, or one the inbox
				 * answers after a subscription answered at once), and it is
				 * applied; one of the remove's very time is refused (a
				 * removal wins a tie).
				 */
				im->segments[i].disconnected = (strcmp(status, "active") != 0 &&
												(status_null ||
												 DatumGetTimestampTz(status_ts) <= msg->ts));
				im->segments[i].user_id_field = -1;
				if (field != NULL)
				{
					CtStr		f = {field, strlen(field)};

					im->segments[i].user_id_field = ct_user_id_field_from_name(f);
				}
				if (!(a->name.len == (int) strlen(name) &&
					  memcmp(a->name.s, name, a->name.len) == 0) &&
					(isnull || DatumGetTimestampTz(name_ts) <= msg->ts))
				{
					ct_arr_add(&ids, Int64GetDatum(aid), false);
					ct_arr_add(&names, PointerGetDatum(cstring_to_text_with_len(a->name.s, a->name.len)), false);
					renames++;
				}
				break;
			}
		}
		SPI_freetuptable(SPI_tuptable);

		if (renames > 0 && !im->dry_run)
		{
			values[1] = ct_arr_datum(&ids);
			values[2] = ct_arr_datum(&names);
			values[3] = TimestampTzGetDatum(msg->ts);
			ct_store_exec(CT_Q_RENAME_SEGMENTS, values, NULL, false);
		}
		if (missing == 0)
			break;
		if (im->dry_run)
		{
			/* the dry run only reports what would be created */
			for (int i = 0; i < msg->naudiences; i++)
			{
				if (!found[i])
				{
					im->segments[i].segment_id = 0;
					im->segments[i].user_id_field = -1;
				}
			}
			break;
		}
		if (pass == 1)
			elog(ERROR, "segments of the message could not be created");

		/* create the missing ones, then read them back */
		ct_arr_for(&ids, CT_Q_CREATE_SEGMENTS, 2, missing);
		ct_arr_for(&names, CT_Q_CREATE_SEGMENTS, 3, missing);
		for (int i = 0; i < msg->naudiences; i++)
		{
			if (found[i])
				continue;
			ct_arr_add(&ids, Int64GetDatum(msg->audiences[i].audience_id), false);
			ct_arr_add(&names, PointerGetDatum(cstring_to_text_with_len(msg->audiences[i].name.s,
																		msg->audiences[i].name.len)), false);
		}
		values[1] = ct_arr_datum(&ids);
		values[2] = ct_arr_datum(&names);
		values[3] = TimestampTzGetDatum(msg->ts);
		ct_store_exec(CT_Q_CREATE_SEGMENTS, values, NULL, false);
		memset(found, 0, sizeof(bool) * msg->naudiences);
	}
}
