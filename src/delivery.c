/*
 * delivery.c
 *	  ct_record_delivery(): what a sender reports of a profile it took from
 *	  a campaign (sent, delivered, viewed, clicked, ...), recorded as the
 *	  event CleverTap raises for it, with the campaign's attributes; and
 *	  ct_journey_control_group(): the same record of a journey's send node
 *	  holding back a profile of its control group.
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "citus.h"
#include "engage.h"
#include "events.h"
#include "response.h"
#include "scope.h"
#include "store.h"

PG_FUNCTION_INFO_V1(ct_record_delivery);
PG_FUNCTION_INFO_V1(ct_journey_control_group);

/* The campaign a delivery reports on, and whether its profile came from it. */
typedef struct CtDeliveryCampaign
{
	char	   *name;
	char	   *channel;
	bool		live;
	bool		taken;			/* taken from its queue by a sender */
	bool		member;			/* in one of its segments now */
	bool		reported;		/* has an outcome of it already (its sent) */
	char	   *ct_id;			/* the profile: the one given, or the one it
								 * was merged into */
} CtDeliveryCampaign;

/* A value given, as an error message quotes it: at most 64 characters. */
static char *
ct_clip(char *s)
{
	s[pg_mbcharcliplen(s, strlen(s), 64)] = '\0';
	return s;
}

/* Read the campaign; 22023 when the project has no such campaign. */
static void
ct_delivery_campaign(const char *project_id, int64 campaign_id, const char *ct_id,
					 CtDeliveryCampaign *c)
{
	Datum		args[3];
	bool		isnull;
	char	   *locked;

	/*
	 * the profile the ID names now, locked: a merge that held it is followed,
	 * and the delivery and its event name the same profile
	 */
	locked = ct_event_profile(project_id, ct_id);
	args[0] = CStringGetTextDatum(project_id);
	args[1] = Int64GetDatum(campaign_id);
	args[2] = CStringGetTextDatum(locked != NULL ? locked : ct_id);
	if (ct_store_exec(CT_Q_DELIVERY_CAMPAIGN, args, NULL, true) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("project \"%s\" has no campaign " INT64_FORMAT, project_id, campaign_id)));
	c->name = ct_store_get_text(0, 1);
	c->channel = ct_store_get_text(0, 2);
	/* live campaigns and journeys' send nodes queue; past behavior does not */
	c->live = strcmp(ct_store_get_text(0, 3), "past_behavior") != 0;
	c->taken = DatumGetBool(ct_store_get(0, 4, &isnull));
	c->member = DatumGetBool(ct_store_get(0, 5, &isnull));
	c->ct_id = ct_store_get_text(0, 6);
	c->reported = DatumGetBool(ct_store_get(0, 7, &isnull));
	SPI_freetuptable(SPI_tuptable);
}

/*
 * The event's properties: the sender's, then the campaign's attributes as
 * CleverTap sends them (which win, and replace a sender's key that differs
 * from one of them only in case): Campaign id (Campaign ID of Notification
 * Sent), Campaign name, Campaign type, wzrk_id (the campaign and the day),
 * wzrk_pivot, CT Source.
 */
static Jsonb *
ct_delivery_props(Jsonb *given, int64 campaign_id, const CtDeliveryCampaign *c, TimestampTz ts,
				  const CtOutcome *outcome)
{
	static const char *const ours[] = {"Campaign id", "Campaign name", "Campaign type", "wzrk_id",
	"wzrk_pivot", "CT Source"};
	CtJsonBuilder b;
	JsonbIterator *it = JsonbIteratorInit(&given->root);
	JsonbValue	v;
	JsonbIteratorToken tok;
	struct pg_tm tm;
	fsec_t		fsec;
	const char *type = ct_campaign_type(c->channel);

	if (timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	ct_jb_begin(&b);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		bool		taken = false;

		if (tok != WJB_KEY)
			continue;
		for (int i = 0; i < lengthof(ours); i++)
			taken |= (v.val.string.len == strlen(ours[i]) &&
					  pg_strncasecmp(v.val.string.val, ours[i], v.val.string.len) == 0);
		if (taken)
		{
			JsonbIteratorNext(&it, &v, true);
			continue;
		}
		pushJsonbValue(&b.state, WJB_KEY, &v);
		JsonbIteratorNext(&it, &v, true);
		pushJsonbValue(&b.state, WJB_VALUE, &v);
	}
	ct_jb_int(&b, outcome->campaign_key, campaign_id);
	ct_jb_string(&b, "Campaign name", c->name, -1);
	ct_jb_string(&b, "Campaign type", type != NULL ? type : c->channel, -1);
	ct_jb_string(&b, "wzrk_id", psprintf(INT64_FORMAT "_%04d%02d%02d", campaign_id,
										 tm.tm_year, tm.tm_mon, tm.tm_mday), -1);
	ct_jb_string(&b, "wzrk_pivot", "wzrk_default", -1);
	ct_jb_string(&b, "CT Source", "clevertap", -1);
	return ct_jb_finish(&b);
}

/*
 * Insert the delivery row of a report (campaign, profile, outcome, time:
 * row) with the id its event will take; returns that id, or 0 when a row
 * with its key (ct_delivery_report_key) is stored already.  No lock of its
 * own: a retry that arrives while the first is being recorded waits on the
 * unique index until that one ends, then inserts nothing.  Under REPEATABLE
 * READ or SERIALIZABLE the transaction's snapshot cannot see what the first
 * committed, and the insert fails with a serialization failure; it is given
 * a message that says so.
 */
static int64
ct_delivery_insert(Datum *row)
{
	MemoryContext cxt = CurrentMemoryContext;
	volatile int64 event_id = 0;
	bool		isnull;

	PG_TRY();
	{
		if (ct_store_exec(CT_Q_DELIVERY_RECORD, row, NULL, false) == 1)
			event_id = DatumGetInt64(ct_store_get(0, 1, &isnull));
	}
	PG_CATCH();
	{
		ErrorData  *e;

		MemoryContextSwitchTo(cxt);
		e = CopyErrorData();
		if (e->sqlerrcode != ERRCODE_T_R_SERIALIZATION_FAILURE || !IsolationUsesXactSnapshot())
			PG_RE_THROW();
		FlushErrorState();
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("the delivery was reported concurrently by another session"),
				 errdetail("%s", e->message),
				 errhint("Retry: a report recorded is answered without effect.")));
	}
	PG_END_TRY();
	SPI_freetuptable(SPI_tuptable);
	return event_id;
}

/*
 * The event of a report stored already (its key: campaign, profile, outcome,
 * time), 0 when there is none.
 */
static int64
ct_delivery_stored(const char *project_id, int64 campaign_id, const char *ct_id,
				   const char *outcome, TimestampTz ts)
{
	int64		event_id = 0;
	Datum		row[5];
	bool		isnull;

	row[0] = CStringGetTextDatum(project_id);
	row[1] = Int64GetDatum(campaign_id);
	row[2] = CStringGetTextDatum(ct_id);
	row[3] = CStringGetTextDatum(outcome);
	row[4] = TimestampTzGetDatum(ts);
	if (ct_store_exec(CT_Q_DELIVERY_FIND, row, NULL, false) == 1)
		event_id = DatumGetInt64(ct_store_get(0, 1, &isnull));
	SPI_freetuptable(SPI_tuptable);
	return event_id;
}

/*
 * Record an outcome of a campaign for a profile: the delivery row, then the
 * event CleverTap raises for it, with the campaign's attributes; returns
 * the event's id.  A retry (the same campaign, profile, outcome and time)
 * records nothing and returns the first one's event: its insert did
 * nothing, and the lookup, a statement of its own, sees the stored row
 * (under READ COMMITTED, one committed while the insert waited too).
 */
static int64
ct_delivery_write(const char *project_id, int64 campaign_id, const char *ct_id,
				  const CtOutcome *outcome, TimestampTz ts, Jsonb *props, const CtDeliveryCampaign *c)
{
	int64		event_id;
	Datum		row[5];

	row[0] = CStringGetTextDatum(project_id);
	row[1] = Int64GetDatum(campaign_id);
	row[2] = CStringGetTextDatum(ct_id);
	row[3] = CStringGetTextDatum(outcome->outcome);
	row[4] = TimestampTzGetDatum(ts);
	event_id = ct_delivery_insert(row);
	if (event_id != 0)
		return ct_event_record(project_id, ct_id, outcome->event_name,
							   ct_delivery_props(props, campaign_id, c, ts, outcome), ts, outcome->active,
							   event_id);
	event_id = ct_delivery_stored(project_id, campaign_id, ct_id, outcome->outcome, ts);
	if (event_id == 0)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("the delivery was reported concurrently by another session"),
				 errdetail("Its row was deleted after it was found."),
				 errhint("Retry: a report recorded is answered without effect.")));
	return event_id;
}

/*
 * SQL: ct_record_delivery(project_id text, campaign_id bigint, ct_id text,
 * outcome text, ts timestamptz DEFAULT now(), props jsonb DEFAULT '{}')
 * returns bigint, the event_id.
 */
Datum
ct_record_delivery(PG_FUNCTION_ARGS)
{
	static const char *const args[] = {"project_id", "campaign_id", "ct_id", "outcome", "ts", "props"};
	char	   *project_id;
	int64		campaign_id;
	char	   *ct_id;
	const CtOutcome *outcome;
	TimestampTz ts;
	Jsonb	   *props;
	CtDeliveryCampaign c;
	int64		event_id;

	for (int i = 0; i < lengthof(args); i++)
	{
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not be null", args[i])));
	}
	project_id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ct_scope_check(project_id, CT_CAP_SEND, NULL);
	campaign_id = PG_GETARG_INT64(1);
	ct_id = text_to_cstring(PG_GETARG_TEXT_PP(2));
	outcome = ct_outcome(text_to_cstring(PG_GETARG_TEXT_PP(3)));
	ts = PG_GETARG_TIMESTAMPTZ(4);
	props = PG_GETARG_JSONB_P(5);
	if (outcome == NULL)
	{
		char		names[256];

		ct_outcome_names(NULL, names, sizeof(names));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown delivery outcome \"%s\"", ct_clip(text_to_cstring(PG_GETARG_TEXT_PP(3)))),
				 errhint("Use one of %s.", names)));
	}
	ct_check_event("-", props, ts);

	ct_store_connect();
	ct_citus_enter(project_id);
	ct_delivery_campaign(project_id, campaign_id, ct_id, &c);
	if (!ct_outcome_fits(outcome, c.channel))
	{
		char		names[256];

		/*
		 * A retry of a report stored already is answered with its event, as
		 * any retry is: 0.2.0 stored outcomes of any channel (delivered for
		 * an email campaign), which the check refuses for a new report only.
		 */
		event_id = ct_delivery_stored(project_id, campaign_id, c.ct_id, outcome->outcome, ts);
		if (event_id != 0)
		{
			ct_store_finish();
			PG_RETURN_INT64(event_id);
		}
		ct_outcome_names(c.channel, names, sizeof(names));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("outcome \"%s\" does not exist for campaign " INT64_FORMAT " (channel %s)",
						outcome->outcome, campaign_id, c.channel),
				 errhint("The outcomes of a campaign of channel %s are %s.", c.channel, names)));
	}

	/*
	 * A live campaign's profile was taken from its queue.  A past-behavior
	 * campaign has no queue: its profile is in its segments now, or was
	 * reported for it before (its sent), as a click that comes after the
	 * profile left the segments is.
	 */
	if (c.live ? !c.taken : !(c.member || c.reported))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("profile \"%s\" was not %s campaign " INT64_FORMAT, ct_clip(ct_id),
						c.live ? "taken from the queue of" : "in the segments of", campaign_id),
				 errhint(c.live ? "Report only profiles ctaudience.ct_campaign_take() gave you for this campaign." :
						 "Report only profiles ctaudience.ct_campaign_audience() gives for this campaign"
						 " (or that you reported for it before).")));
	event_id = ct_delivery_write(project_id, campaign_id, c.ct_id, outcome, ts, props, &c);
	ct_store_finish();
	PG_RETURN_INT64(event_id);
}

/*
 * SQL: ct_journey_control_group(project_id text, campaign_id bigint, ct_id
 * text, ts timestamptz) returns bigint, the event_id.  A journey's send node
 * (campaign_id, of kind journey) holds back a profile of the journey's
 * control group: the control_group outcome is recorded as a sender's would
 * be (System Control Group), with nothing queued.  The caller (the journeys'
 * clock, a SECURITY DEFINER function) decides who is in the control group;
 * no role but the owner may call it.
 */
Datum
ct_journey_control_group(PG_FUNCTION_ARGS)
{
	char	   *project_id;
	int64		campaign_id;
	char	   *ct_id;
	TimestampTz ts;
	CtDeliveryCampaign c;
	int64		event_id;

	for (int i = 0; i < 4; i++)
	{
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("ct_journey_control_group: argument %d must not be null", i + 1)));
	}
	project_id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	campaign_id = PG_GETARG_INT64(1);
	ct_id = text_to_cstring(PG_GETARG_TEXT_PP(2));
	ts = PG_GETARG_TIMESTAMPTZ(3);
	ct_store_connect();
	/* on a Citus worker: the project's shards (the clock runs there) */
	ct_citus_enter(project_id);
	ct_delivery_campaign(project_id, campaign_id, ct_id, &c);
	event_id = ct_delivery_write(project_id, campaign_id, c.ct_id, ct_outcome("control_group"), ts,
								 DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum("{}"))), &c);
	ct_store_finish();
	PG_RETURN_INT64(event_id);
}
