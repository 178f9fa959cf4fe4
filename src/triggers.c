/*
 * triggers.c
 *	  The Partner Sync trigger: one event per membership change.
 *
 * It is a statement-level AFTER trigger with transition tables, so one
 * INSERT ... SELECT writes the events of a whole import statement: rows
 * inserted as members are "Added"; updated rows whose is_member flipped
 * are "Added" or "Removed"; everything else (a repeated add, a delete of a
 * non-member, a stale statement that was not applied) raises nothing.
 */
#include "postgres.h"

#include "commands/trigger.h"
#include "fmgr.h"

#include "store.h"
#include "triggers.h"

CtSyncCounts *ct_sync_collector = NULL;

PG_FUNCTION_INFO_V1(ct_partner_sync_trigger);

/* Trigger function for ct_segment_member (AFTER INSERT / UPDATE, FOR EACH STATEMENT). */
Datum
ct_partner_sync_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata;
	CtStmt		stmt;
	bool		isnull;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("ct_partner_sync_trigger() was not called by the trigger manager")));
	trigdata = (TriggerData *) fcinfo->context;
	if (!TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("ct_partner_sync_trigger() must be an AFTER ... FOR EACH STATEMENT trigger")));

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) && trigdata->tg_newtable != NULL)
		stmt = CT_Q_SYNC_EVENTS_INSERTED;
	else if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) &&
			 trigdata->tg_newtable != NULL && trigdata->tg_oldtable != NULL)
		stmt = CT_Q_SYNC_EVENTS_UPDATED;
	else
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("ct_partner_sync_trigger() needs transition tables"),
				 errhint("Create it AFTER INSERT with REFERENCING NEW TABLE AS ct_new, or AFTER UPDATE with REFERENCING OLD TABLE AS ct_old NEW TABLE AS ct_new.")));

	ct_store_connect();
	if (SPI_register_trigger_data(trigdata) != SPI_OK_TD_REGISTER)
		elog(ERROR, "SPI_register_trigger_data failed");
	ct_store_exec(stmt, NULL, NULL, false);
	if (ct_sync_collector != NULL && SPI_processed == 1)
	{
		ct_sync_collector->added += DatumGetInt64(ct_store_get(0, 1, &isnull));
		ct_sync_collector->removed += DatumGetInt64(ct_store_get(0, 2, &isnull));
	}
	ct_store_finish();

	return PointerGetDatum(NULL);
}
