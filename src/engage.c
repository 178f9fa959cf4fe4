/*
 * engage.c
 *	  Live campaign qualification, and recording app events (see engage.h).
 *
 * A Partner Sync is qualified where it is raised, in the membership
 * trigger's C path (triggers.c); an event recorded with ct_record_event
 * here.  Both come through ct_campaigns_qualify: the campaigns on the
 * event are read once, each campaign's trigger_filter is matched against
 * each distinct properties object once, one read of each profile's
 * memberships checks the segments the event itself does not show, and the
 * queue rows are written below SQL (queue.c): a recurring campaign's the
 * way COPY writes them, a one-time campaign's as INSERT ... ON CONFLICT DO
 * NOTHING does, one per profile.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "direct.h"
#include "citus.h"
#include "engage.h"
#include "events.h"
#include "queue.h"
#include "scope.h"
#include "strmap.h"
#include "store.h"
#include "usage.h"

PG_FUNCTION_INFO_V1(ct_record_event);
PG_FUNCTION_INFO_V1(ct_is_system_event);
PG_FUNCTION_INFO_V1(ct_event_kind_sql);

/* A running live campaign on the event. */
typedef struct CtLiveCampaign
{
	int64		campaign_id;
	Jsonb	   *filter;
	int64	   *segments;
	int			nsegments;
	bool		recurring;
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
		c[r].recurring = DatumGetBool(ct_store_get(r, 4, &isnull));
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

/* The memberships read for ct_members_now: profile i's are pair first[i] on. */
typedef struct CtMembersRead
{
	int		   *first;
	int		   *count;
	int64	   *segment;
	int			n;
	int			cap;
} CtMembersRead;

static void
ct_member_found(void *arg, int i, int64 segment_id, bool is_member)
{
	CtMembersRead *r = arg;

	if (!is_member)
		return;
	if (r->n == r->cap)
	{
		r->cap *= 2;
		r->segment = repalloc(r->segment, sizeof(int64) * r->cap);
	}
	if (r->count[i]++ == 0)
		r->first[i] = r->n;		/* a profile's rows come together */
	r->segment[r->n++] = segment_id;
}

/*
 * ct_members_now by direct probes of the memberships' index on (project_id,
 * ct_id): each distinct profile of the candidates read once, whatever the
 * number of campaigns it is a candidate of, and the campaigns' segments
 * compared here.  False, having done nothing, when the table is not as the
 * extension made it.
 */
static bool
ct_members_direct(const char *project_id, const CtLiveCampaign *c, const CtOccurrence *occ,
				  const int *cand_c, const int *cand_o, const int *check, int ncheck,
				  bool *member)
{
	CtStrMap	profiles;
	int		   *profile = palloc(sizeof(int) * ncheck);
	CtArr		project,
				ct_ids;
	CtMembersRead r;
	Datum		project_datum = CStringGetTextDatum(project_id);

	ct_arr_for(&project, CT_Q_QUALIFY_MEMBERS, 3, ncheck);
	ct_arr_for(&ct_ids, CT_Q_QUALIFY_MEMBERS, 3, ncheck);
	ct_map_init(&profiles, ncheck);
	for (int x = 0; x < ncheck; x++)
	{
		const char *ct_id = occ[cand_o[check[x]]].ct_id;
		int			len = strlen(ct_id);
		int			p = ct_map_get(&profiles, ct_id, len);

		if (p < 0)
		{
			p = ct_ids.n;
			ct_map_put(&profiles, ct_id, len, p);
			ct_arr_add(&project, project_datum, false);
			ct_arr_add(&ct_ids, CStringGetTextDatum(ct_id), false);
		}
		profile[x] = p;
	}
	r.first = palloc0(sizeof(int) * ct_ids.n);
	r.count = palloc0(sizeof(int) * ct_ids.n);
	r.cap = Max(ct_ids.n, 16);
	r.segment = palloc(sizeof(int64) * r.cap);
	r.n = 0;
	if (!ct_direct_profile_memberships(&project, &ct_ids, ct_member_found, &r))
		return false;
	for (int x = 0; x < ncheck; x++)
	{
		const CtLiveCampaign *k = &c[cand_c[check[x]]];
		int			p = profile[x];

		for (int s = r.first[p]; s < r.first[p] + r.count[p]; s++)
		{
			if (ct_targets(k, r.segment[s]))
			{
				member[check[x]] = true;
				break;
			}
		}
	}
	return true;
}

/*
 * Which candidates (campaign, occurrence) whose membership the event does
 * not show are members of one of the campaign's segments now: one read of
 * each profile's memberships, or one SQL statement for all.
 */
static bool *
ct_members_now(const char *project_id, const CtLiveCampaign *c, const CtOccurrence *occ,
			   const int *cand_c, const int *cand_o, int n)
{
	bool	   *member = palloc0(sizeof(bool) * Max(n, 1));
	int		   *check = palloc(sizeof(int) * Max(n, 1));
	int			ncheck = 0;
	CtBatch		q;
	uint64		found;

	for (int j = 0; j < n; j++)
	{
		const CtLiveCampaign *k = &c[cand_c[j]];

		if (k->nsegments == 0 || ct_targets(k, occ[cand_o[j]].member_of))
			member[j] = true;
		else
			check[ncheck++] = j;
	}
	if (ncheck == 0 ||
		ct_members_direct(project_id, c, occ, cand_c, cand_o, check, ncheck, member))
		return member;

	ct_batch_init(&q, CT_Q_QUALIFY_MEMBERS, ncheck);
	q.values[0] = CStringGetTextDatum(project_id);
	for (int x = 0; x < ncheck; x++)
	{
		int			j = check[x];

		ct_arr_add(CT_COL(&q, 2), Int64GetDatum(c[cand_c[j]].campaign_id), false);
		ct_arr_add(CT_COL(&q, 3), CStringGetTextDatum(occ[cand_o[j]].ct_id), false);
		ct_arr_add(CT_COL(&q, 4), Int32GetDatum(j), false);
	}

	/*
	 * Not read-only: SPI then takes a snapshot after the statement that
	 * raised the events, so that "a member now" sees what it wrote (a
	 * read-only query would use the trigger's snapshot, from before it). The
	 * direct probes take the same snapshot.
	 */
	found = ct_batch_exec(&q, false);
	for (uint64 r = 0; r < found; r++)
	{
		bool		isnull;

		member[DatumGetInt32(ct_store_get(r, 1, &isnull))] = true;
	}
	SPI_freetuptable(SPI_tuptable);
	return member;
}

/* See engage.h. */
void
ct_campaigns_qualify(const char *project_id, const char *event_name,
					 const CtOccurrence *occ, int n)
{
	CtLiveCampaign *c;
	int			nc;
	CtFilterCache *caches;
	int			ncand = 0;
	int		   *cand_c;
	int		   *cand_o;
	bool	   *member;
	CtBatch		once;
	CtBatch		recurring;

	if (n == 0)
		return;
	c = ct_live_campaigns(project_id, event_name, &nc);
	if (nc == 0)
		return;

	/* the (campaign, occurrence) pairs whose properties match the filter */
	caches = palloc0(sizeof(CtFilterCache) * nc);
	cand_c = palloc(sizeof(int) * n);
	cand_o = palloc(sizeof(int) * n);
	for (int k = 0; k < nc; k++)
	{
		for (int i = 0; i < n; i++)
		{
			if (!ct_filter_matches(&c[k], &caches[k], occ[i].props))
				continue;
			if (ncand > 0 && ncand % n == 0)
			{
				cand_c = repalloc(cand_c, sizeof(int) * (ncand + n));
				cand_o = repalloc(cand_o, sizeof(int) * (ncand + n));
			}
			cand_c[ncand] = k;
			cand_o[ncand++] = i;
		}
	}
	if (ncand == 0)
		return;

	/* of those, the profiles in the campaign's segments now */
	member = ct_members_now(project_id, c, occ, cand_c, cand_o, ncand);

	/* queued: a recurring campaign's the way COPY writes, a one-time's once */
	ct_batch_init(&once, CT_Q_QUEUE, ncand);
	ct_batch_init(&recurring, CT_Q_QUEUE, ncand);
	once.values[0] = recurring.values[0] = CStringGetTextDatum(project_id);
	once.values[1] = recurring.values[1] = CStringGetTextDatum(event_name);
	for (int j = 0; j < ncand; j++)
	{
		const CtLiveCampaign *k = &c[cand_c[j]];
		const CtOccurrence *o = &occ[cand_o[j]];
		CtBatch    *b = k->recurring ? &recurring : &once;

		if (!member[j])
			continue;
		ct_arr_add(CT_COL(b, 3), Int64GetDatum(k->campaign_id), false);
		ct_arr_add(CT_COL(b, 4), CStringGetTextDatum(o->ct_id), false);
		ct_arr_add(CT_COL(b, 5), TimestampTzGetDatum(o->ts), false);
		ct_arr_add(CT_COL(b, 6), JsonbPGetDatum(o->props), false);
		ct_arr_add(CT_COL(b, 7), BoolGetDatum(!k->recurring), false);
	}
	ct_direct_insert_queue_once(&once);
	ct_direct_insert_queue(&recurring);
}

/* SQL: ct_is_system_event(name text) returns boolean (strict) */
Datum
ct_is_system_event(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ct_event_is_system(text_to_cstring(PG_GETARG_TEXT_PP(0))));
}

/* SQL: ct_event_kind(name text) returns text (strict) */
Datum
ct_event_kind_sql(PG_FUNCTION_ARGS)
{
	static const char *const names[] = {
		[CT_EVENT_APP] = "app",
		[CT_EVENT_PARTNER] = "partner",
		[CT_EVENT_ENGAGEMENT] = "engagement",
		[CT_EVENT_LIFECYCLE] = "lifecycle",
	};

	PG_RETURN_TEXT_P(cstring_to_text(names[ct_event_kind(text_to_cstring(PG_GETARG_TEXT_PP(0)))]));
}

/*
 * Whether the role that called the extension's SECURITY DEFINER function
 * has its owner's privileges (the owner of the extension's functions), or
 * is a superuser.
 */
static bool
ct_caller_is_owner(void)
{
	Oid			caller = GetOuterUserId();

	return superuser_arg(caller) || has_privs_of_role(caller, GetUserId());
}

/* See engage.h. */
void
ct_check_event(const char *name, Jsonb *props, TimestampTz ts)
{
	char		names[512];

	if (strlen(name) == 0 || strlen(name) > 512)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("an event name must be 1 to 512 bytes long")));
	if (!JB_ROOT_IS_OBJECT(props) || JB_ROOT_IS_SCALAR(props))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("event properties must be a JSON object")));
	if (TIMESTAMP_NOT_FINITE(ts))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("an event's time must be finite")));
	/* the export sends times in milliseconds since 1970, positive only */
	if (ts < (TimestampTz) (UNIX_EPOCH_JDATE - POSTGRES_EPOCH_JDATE) * USECS_PER_DAY + 1000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("an event's time must be after 1970-01-01 00:00:00 UTC"),
				 errdetail("mParticle, to which events are exported, takes no earlier time.")));
	switch (ct_event_kind(name))
	{
		case CT_EVENT_APP:
			return;
		case CT_EVENT_PARTNER:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"%s\" is a system event and cannot be recorded", name),
					 errhint("Partner Sync events are raised by imports.")));
			break;
		case CT_EVENT_ENGAGEMENT:
			ct_event_names(CT_EVENT_ENGAGEMENT, names, sizeof(names));
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"%s\" is a system event and cannot be recorded", name),
					 errdetail("A campaign's outcomes (%s) are recorded by its sender.", names),
					 errhint("Use ctaudience.ct_record_delivery(project_id, campaign_id, ct_id, outcome, ts, props).")));
			break;
		case CT_EVENT_LIFECYCLE:
			if (ct_caller_is_owner())
				return;
			ct_event_names(CT_EVENT_LIFECYCLE, names, sizeof(names));
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("\"%s\" is a system event and cannot be recorded", name),
					 errdetail("The SDK's own events (%s) are recorded by the extension's owner only.", names),
					 errhint("Record them as the owner, from the ingestion of the SDK's events.")));
			break;
	}
}

/* See engage.h. */
char *
ct_event_profile(const char *project_id, const char *ct_id)
{
	Datum		args[2];
	bool		isnull;
	char	   *found;

	args[0] = CStringGetTextDatum(project_id);
	args[1] = CStringGetTextDatum(ct_id);

	/*
	 * A merge that held the profile and committed while this waited leaves no
	 * row here: the next statement's snapshot sees the alias it left.
	 */
	for (int attempt = 0; attempt < 2; attempt++)
	{
		if (ct_store_exec(CT_Q_RECORD_PROFILE, args, NULL, false) == 1)
		{
			found = TextDatumGetCString(ct_store_get(0, 1, &isnull));
			SPI_freetuptable(SPI_tuptable);
			return found;
		}
		SPI_freetuptable(SPI_tuptable);
	}
	return NULL;
}

/* See engage.h. */
int64
ct_event_record(const char *project_id, const char *ct_id, const char *name, Jsonb *props,
				TimestampTz ts, bool active, int64 event_id)
{
	Datum		args[7];
	bool		isnull;
	bool		enters;
	CtUsages	usage;
	char	   *found;

	/* from here on, the profile it names now (not a merged one's ID) */
	found = ct_event_profile(project_id, ct_id);
	if (found == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("project \"%s\" has no profile \"%s\"", project_id, ct_id)));
	ct_id = found;

	args[0] = CStringGetTextDatum(project_id);
	args[1] = CStringGetTextDatum(ct_id);
	args[2] = CStringGetTextDatum(name);
	args[3] = TimestampTzGetDatum(ts);
	args[4] = JsonbPGetDatum(props);
	args[5] = BoolGetDatum(active);
	args[6] = Int64GetDatum(event_id);
	if (ct_store_exec(CT_Q_RECORD_EVENT, args, NULL, false) != 1)
		elog(ERROR, "the event of a locked profile was not recorded");
	event_id = DatumGetInt64(ct_store_get(0, 1, &isnull));
	SPI_freetuptable(SPI_tuptable);

	/* an event and each of its top-level properties are data points */
	memset(&usage, 0, sizeof(usage));
	ct_usage_add(&usage, project_id, ct_month(ts), 1, 1 + JB_ROOT_COUNT(props), 0);
	ct_write_usage(&usage);

	/* journeys that wait for it, or have it as their goal or exit event */
	args[0] = CStringGetTextDatum(project_id);
	args[1] = CStringGetTextDatum(ct_id);
	args[2] = CStringGetTextDatum(name);
	args[3] = TimestampTzGetDatum(ts);
	ct_store_exec(CT_Q_JOURNEY_EVENT, args, NULL, false);
	enters = DatumGetBool(ct_store_get(0, 1, &isnull));
	SPI_freetuptable(SPI_tuptable);
	/* journeys that enter on it (set-wise: one statement for all of them) */
	if (enters)
	{
		args[4] = JsonbPGetDatum(props);
		ct_store_exec(CT_Q_JOURNEY_EVENT_ENTER, args, NULL, false);
	}

	/*
	 * only an app's own events (and Partner Sync, raised elsewhere) trigger
	 * campaigns
	 */
	if (!ct_event_is_system(name))
	{
		CtOccurrence occ;

		occ.ct_id = ct_id;
		occ.ts = ts;
		occ.props = props;
		occ.member_of = 0;
		occ.left = 0;
		ct_campaigns_qualify(project_id, name, &occ, 1);
	}
	return event_id;
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
	int64		event_id;

	for (int i = 0; i < 5; i++)
	{
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("ct_record_event: argument %d must not be NULL", i + 1)));
	}
	project_id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	/* granted to no role: one given projects records in those it operates */
	ct_scope_check_fn(project_id, CT_CAP_OPERATE | CT_CAP_UNLESS_SCOPED, NULL, fcinfo->flinfo->fn_oid);
	ct_id = text_to_cstring(PG_GETARG_TEXT_PP(1));
	name = text_to_cstring(PG_GETARG_TEXT_PP(2));
	props = PG_GETARG_JSONB_P(3);
	ts = PG_GETARG_TIMESTAMPTZ(4);
	ct_check_event(name, props, ts);

	ct_store_connect();
	ct_citus_enter(project_id);
	event_id = ct_event_record(project_id, ct_id, name, props, ts, ct_event_is_active(name), 0);
	ct_store_finish();
	PG_RETURN_INT64(event_id);
}
