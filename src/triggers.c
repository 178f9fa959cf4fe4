/*
 * triggers.c
 *	  The statement-level triggers that keep Partner Sync events, segment
 *	  statistics and usage up to date as changes happen.
 *
 * ct_segment_member (AFTER INSERT / UPDATE / DELETE, FOR EACH STATEMENT,
 * with transition tables): one Partner Sync event per real change -- a row
 * inserted as a member is "Added", an updated row whose is_member flipped
 * is "Added" or "Removed"; a repeated add, a delete of a non-member or a
 * stale statement raises nothing -- plus one statistics delta row per
 * segment, the month's usage, and NOTIFY ct_partner_sync.  A deleted
 * member (erasure) only lowers the statistics.
 *
 * ct_profile (AFTER INSERT / UPDATE): an email or phone that appears or
 * disappears changes "reachable" of every segment the profile is in, and
 * every email or phone written counts as a profile property update.
 *
 * Everything is written set-wise, one INSERT ... SELECT per statement, and
 * as new delta rows rather than updates of a counter row, so concurrent
 * imports into the same segment never wait for each other here.
 */
#include "postgres.h"

#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/rel.h"

#include "store.h"
#include "triggers.h"

CtSyncCounts *ct_sync_collector = NULL;
bool		ct_notify_partner_sync = true;

PG_FUNCTION_INFO_V1(ct_partner_sync_trigger);
PG_FUNCTION_INFO_V1(ct_profile_trigger);

/* Check how a trigger function was called; the transition tables it needs. */
static TriggerData *
ct_trigger_data(FunctionCallInfo fcinfo, const char *name)
{
	TriggerData *trigdata;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() was not called by the trigger manager", name)));
	trigdata = (TriggerData *) fcinfo->context;
	if (!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() must be an AFTER ... FOR EACH STATEMENT trigger", name)));
	if ((TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) && trigdata->tg_newtable == NULL) ||
		(TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) &&
		 (trigdata->tg_newtable == NULL || trigdata->tg_oldtable == NULL)) ||
		(TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) && trigdata->tg_oldtable == NULL) ||
		TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s() needs transition tables", name),
				 errhint("Create it with REFERENCING NEW TABLE AS ct_new (INSERT), OLD TABLE AS ct_old NEW TABLE AS ct_new (UPDATE) or OLD TABLE AS ct_old (DELETE).")));
	return trigdata;
}

/* Run one trigger statement over the transition tables. */
static void
ct_trigger_run(TriggerData *trigdata, CtStmt stmt)
{
	Datum		values[1];
	bool		isnull;

	ct_store_connect();
	if (SPI_register_trigger_data(trigdata) != SPI_OK_TD_REGISTER)
		elog(ERROR, "SPI_register_trigger_data failed");
	values[0] = BoolGetDatum(ct_notify_partner_sync);
	ct_store_exec(stmt, values, NULL, false);
	if (ct_sync_collector != NULL && SPI_processed == 1)
	{
		ct_sync_collector->added += DatumGetInt64(ct_store_get(0, 1, &isnull));
		ct_sync_collector->removed += DatumGetInt64(ct_store_get(0, 2, &isnull));
	}
	ct_store_finish();
}

/* Trigger function of ct_segment_member. */
Datum
ct_partner_sync_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = ct_trigger_data(fcinfo, "ct_partner_sync_trigger");

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ct_trigger_run(trigdata, CT_Q_SYNC_INSERTED);
	else if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		ct_trigger_run(trigdata, CT_Q_SYNC_UPDATED);
	else
		ct_trigger_run(trigdata, CT_Q_SYNC_DELETED);
	return PointerGetDatum(NULL);
}

/* Trigger function of ct_profile. */
Datum
ct_profile_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = ct_trigger_data(fcinfo, "ct_profile_trigger");

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ct_trigger_run(trigdata, CT_Q_PROFILES_INSERTED);
	else if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		ct_trigger_run(trigdata, CT_Q_PROFILES_UPDATED);
	else
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("ct_profile_trigger() handles INSERT and UPDATE only")));
	return PointerGetDatum(NULL);
}
