/*
 * engage.c
 *	  Live campaign qualification, and recording app events (see engage.h).
 *
 * A Partner Sync is qualified where it is raised, in the membership
 * trigger's C path (triggers.c); an event recorded with ct_record_event
 * here.  Both come through ct_campaigns_qualify: the campaigns on the
 * event are read once, each campaign's trigger_filter is matched against
 * each distinct properties object once, and the occurrences that match go
 * to one INSERT that checks the segments and the one-time rule.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "engage.h"
#include "store.h"
#include "usage.h"

PG_FUNCTION_INFO_V1(ct_record_event);

/* A running live campaign on the event. */
typedef struct CtLiveCampaign
{
	int64		campaign_id;
	Jsonb	   *filter;
	int64	   *segments;
	int			nsegments;
} CtLiveCampaign;

/* How many distinct properties objects a campaign remembers the match of. */
#define CT_FILTER_CACHE 16

typedef struct CtFilterCache
{
	Jsonb	   *props[CT_FILTER_CACHE];
	bool		match[CT_FILTER_CACHE];
	int			n;
	int			next;
} CtFilterCache;

/* Whether props contains the campaign's filter, remembered per props object. */
static bool
ct_filter_matches(const CtLiveCampaign *c, CtFilterCache *cache, Jsonb *props)
{
	bool		match;

	for (int i = 0; i < cache->n; i++)
	{
		if (cache->props[i] == props)
			return cache->match[i];
	}
	match = DatumGetBool(DirectFunctionCall2(jsonb_contains, JsonbPGetDatum(props),
											 JsonbPGetDatum(c->filter)));
	cache->props[cache->next] = props;
	cache->match[cache->next] = match;
	cache->next = (cache->next + 1) % CT_FILTER_CACHE;
	cache->n = Min(cache->n + 1, CT_FILTER_CACHE);
	return match;
}

/* The running live campaigns of a project on an event. */
static CtLiveCampaign *
ct_live_campaigns(const char *project_id, const char *event_name, int *n)
{
	Datum		args[2] = {CStringGetTextDatum(project_id), CStringGetTextDatum(event_name)};
	uint64		found = ct_store_exec(CT_Q_LIVE_CAMPAIGNS, args, NULL, true);
	CtLiveCampaign *c = palloc0(sizeof(CtLiveCampaign) * Max(found, 1));

	for (uint64 r = 0; r < found; r++)
	{
		bool		isnull;
		ArrayType  *segs;
		Datum	   *elems;
		int			nelems;

		c[r].campaign_id = DatumGetInt64(ct_store_get(r, 1, &isnull));
		c[r].filter = DatumGetJsonbPCopy(ct_store_get(r, 2, &isnull));
		segs = DatumGetArrayTypePCopy(ct_store_get(r, 3, &isnull));
		deconstruct_array(segs, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
						  &elems, NULL, &nelems);
		c[r].segments = palloc(sizeof(int64) * Max(nelems, 1));
		for (int k = 0; k < nelems; k++)
			c[r].segments[k] = DatumGetInt64(elems[k]);
		c[r].nsegments = nelems;
	}
	if (found > 0)
		SPI_freetuptable(SPI_tuptable);
	*n = (int) found;
	return c;
}

/* Whether a campaign targets segment (0: none). */
static bool
ct_targets(const CtLiveCampaign *c, int64 segment)
{
	for (int k = 0; k < c->nsegments && segment != 0; k++)
	{
		if (c->segments[k] == segment)
			return true;
	}
	return false;
}

/* See engage.h. */
void
ct_campaigns_qualify(const char *project_id, const char *event_name,
					 const CtOccurrence *occ, int n)
{
	CtLiveCampaign *c;
	int			nc;
	CtFilterCache *caches;
	int			matches = 0;
	CtBatch		q;

	if (n == 0)
		return;
	c = ct_live_campaigns(project_id, event_name, &nc);
	if (nc == 0)
		return;
	caches = palloc0(sizeof(CtFilterCache) * nc);
	for (int k = 0; k < nc; k++)
		for (int i = 0; i < n; i++)
			matches += ct_filter_matches(&c[k], &caches[k], occ[i].props);
	if (matches == 0)
		return;

	ct_batch_init(&q, CT_Q_QUALIFY, matches);
	q.values[0] = CStringGetTextDatum(project_id);
	q.values[1] = CStringGetTextDatum(event_name);
	for (int k = 0; k < nc; k++)
	{
		for (int i = 0; i < n; i++)
		{
			if (!ct_filter_matches(&c[k], &caches[k], occ[i].props))
				continue;
			ct_arr_add(CT_COL(&q, 3), Int64GetDatum(c[k].campaign_id), false);
			ct_arr_add(CT_COL(&q, 4), CStringGetTextDatum(occ[i].ct_id), false);
			ct_arr_add(CT_COL(&q, 5), TimestampTzGetDatum(occ[i].ts), false);
			ct_arr_add(CT_COL(&q, 6), JsonbPGetDatum(occ[i].props), false);
			ct_arr_add(CT_COL(&q, 7), BoolGetDatum(ct_targets(&c[k], occ[i].member_of)), false);
		}
	}
	ct_batch_exec(&q, false);
}

/*
 * Events CleverTap raises itself: an app cannot record them (Partner Sync
 * comes from imports, the others from CleverTap's own sending and SDK).
 */
static const char *const ct_system_events[] = {
	"Partner Sync", "App Installed", "App Uninstalled", "Notification Sent",
	"Notification Viewed", "Notification Clicked", "Notification Delivered",
	"Channel Unsubscribed", "Reply Received", "UTM Visited", "Session Concluded"
};

/* The event names an app may not record, for the error's detail. */
static char *
ct_system_event_list(void)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < lengthof(ct_system_events); i++)
		appendStringInfo(&buf, "%s%s", i > 0 ? ", " : "", ct_system_events[i]);
	return buf.data;
}

/*
 * SQL: ct_record_event(project_id text, ct_id text, event_name text,
 *						props jsonb DEFAULT '{}', ts timestamptz DEFAULT now())
 * returns bigint, the event_id.
 */
Datum
ct_record_event(PG_FUNCTION_ARGS)
{
	char	   *project_id;
	char	   *ct_id;
	char	   *name;
	Jsonb	   *props;
	TimestampTz ts;
	Datum		args[5];
	int64		event_id;
	bool		isnull;
	CtUsages	usage;
	CtOccurrence occ;

	for (int i = 0; i < 5; i++)
	{
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("ct_record_event: argument %d must not be NULL", i + 1)));
	}
	project_id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ct_id = text_to_cstring(PG_GETARG_TEXT_PP(1));
	name = text_to_cstring(PG_GETARG_TEXT_PP(2));
	props = PG_GETARG_JSONB_P(3);
	ts = PG_GETARG_TIMESTAMPTZ(4);

	if (strlen(name) == 0 || strlen(name) > 512)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("an event name must be 1 to 512 bytes long")));
	for (int i = 0; i < lengthof(ct_system_events); i++)
	{
		if (pg_strcasecmp(name, ct_system_events[i]) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"%s\" is a system event and cannot be recorded", name),
					 errdetail("System events: %s.", ct_system_event_list()),
					 errhint("Partner Sync events are raised by imports.")));
	}
	if (!JB_ROOT_IS_OBJECT(props) || JB_ROOT_IS_SCALAR(props))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("event properties must be a JSON object")));
	if (TIMESTAMP_NOT_FINITE(ts))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("an event's time must be finite")));

	ct_store_connect();
	args[0] = CStringGetTextDatum(project_id);
	args[1] = CStringGetTextDatum(ct_id);
	args[2] = CStringGetTextDatum(name);
	args[3] = TimestampTzGetDatum(ts);
	args[4] = JsonbPGetDatum(props);
	if (ct_store_exec(CT_Q_RECORD_EVENT, args, NULL, false) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("project \"%s\" has no profile \"%s\"", project_id, ct_id)));
	event_id = DatumGetInt64(ct_store_get(0, 1, &isnull));
	SPI_freetuptable(SPI_tuptable);

	/* an event and each of its top-level properties are data points */
	memset(&usage, 0, sizeof(usage));
	ct_usage_add(&usage, project_id, ct_month(ts), 1, 1 + JB_ROOT_COUNT(props), 0);
	ct_write_usage(&usage);

	occ.ct_id = ct_id;
	occ.ts = ts;
	occ.props = props;
	occ.member_of = 0;
	ct_campaigns_qualify(project_id, name, &occ, 1);
	ct_store_finish();
	PG_RETURN_INT64(event_id);
}
