/*
 * store.c
 *	  Every lookup and write of the extension, as prepared SPI plans.
 *
 * Plans are prepared on first use and kept (SPI_keepplan) for the life of
 * the backend.  They are tied to the installation they were prepared for:
 * when the extension is dropped and created again in the same session,
 * its types get new OIDs, so ct_store_connect() notices the extension's
 * OID changed and prepares everything anew.
 *
 * Batches are passed as arrays and unnested in SQL, so one statement
 * handles a whole message: the per-statement executor cost is paid once
 * per message, not once per user.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/nbtree.h"
#include "access/relscan.h"
#include "catalog/indexing.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_am.h"
#include "catalog/pg_index.h"
#include "miscadmin.h"
#include "utils/fmgroids.h"
#include "utils/snapmgr.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "nodes/makefuncs.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "parser/parse_func.h"
#include "utils/rel.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/memutils.h"

#include "store.h"

/* Parameter type codes, resolved to OIDs when a plan is prepared. */
typedef enum CtArgType
{
	A_BOOL,
	A_TEXT,
	A_TEXT_ARR,
	A_INT4,
	A_INT4_ARR,
	A_INT8,
	A_INT8_ARR,
	A_BOOL_ARR,
	A_JSONB,
	A_JSONB_ARR,
	A_TSTZ,
	A_TSTZ_ARR,
	A_DATE_ARR,
	A_UUID,
	A_TID_ARR,
	A_EMAIL_ARR,
	A_PHONE_ARR
} CtArgType;

#define CT_MAX_ARGS 10

typedef struct CtStmtDef
{
	const char *sql;
	int			nargs;
	CtArgType	args[CT_MAX_ARGS];
	bool		custom;			/* plan for each execution's own values (see below) */
} CtStmtDef;

/* Advisory lock class of the per-segment statistics compaction. */
#define CT_LOCK_CLASS "1129595221"

static const CtStmtDef ct_stmts[CT_NUM_STMTS] = {
	[CT_Q_PROJECT] = {
		"SELECT project_id, region, account_token, passcode_hash, passcode_expires_at, default_country"
		"  FROM ctaudience.ct_project WHERE project_id = $1",
		1, {A_TEXT}
	},
	[CT_Q_MESSAGE] = {
		"SELECT jsonb_set(response, '{ctaudience,duplicate_message}', '1')"
		"  FROM ctaudience.ct_message WHERE project_id = $1 AND message_id = $2",
		2, {A_TEXT, A_UUID}
	},
	[CT_Q_LOG_MESSAGE] = {
		"INSERT INTO ctaudience.ct_message"
		"  (project_id, message_id, message_type, message_ts, received_at, duration, counts, response)"
		" VALUES ($1, $2, $3, $4, $5, clock_timestamp() - $5, $6, $7)"
		" ON CONFLICT DO NOTHING",
		7, {A_TEXT, A_UUID, A_TEXT, A_TSTZ, A_TSTZ, A_JSONB, A_JSONB}
	},
	[CT_Q_SEGMENTS] = {
		"SELECT s.partner_segment_id, s.segment_id, s.name, s.name_ts, s.status, s.user_id_field"
		"  FROM unnest($2) AS k(id)"
		" CROSS JOIN LATERAL (SELECT * FROM ctaudience.ct_segment s"
		"                      WHERE s.project_id = $1 AND s.partner_name = 'mParticle'"
		"                        AND s.partner_segment_id = k.id OFFSET 0) s",
		2, {A_TEXT, A_INT8_ARR}
	},
	[CT_Q_CREATE_SEGMENTS] = {
		"INSERT INTO ctaudience.ct_segment (project_id, name, partner_segment_id, name_ts)"
		" SELECT $1, u.name, u.id, $4"
		"   FROM unnest($2::int8[], $3::text[]) AS u(id, name) ORDER BY u.id"
		" ON CONFLICT DO NOTHING",
		4, {A_TEXT, A_INT8_ARR, A_TEXT_ARR, A_TSTZ}
	},
	[CT_Q_RENAME_SEGMENTS] = {
		"UPDATE ctaudience.ct_segment AS s SET name = u.name, name_ts = $4, updated_at = now()"
		"  FROM unnest($2::int8[], $3::text[]) AS u(id, name)"
		" WHERE s.project_id = $1 AND s.partner_name = 'mParticle' AND s.partner_segment_id = u.id"
		"   AND s.name IS DISTINCT FROM u.name AND (s.name_ts IS NULL OR s.name_ts <= $4)",
		4, {A_TEXT, A_INT8_ARR, A_TEXT_ARR, A_TSTZ}, true
	},
	[CT_Q_SET_SEGMENT_FIELD] = {
		"UPDATE ctaudience.ct_segment SET user_id_field = $3, updated_at = now()"
		" WHERE project_id = $1 AND segment_id = $2",
		3, {A_TEXT, A_TEXT, A_TEXT}
	},
	[CT_Q_PROFILES_BY_CTID] = {
		"SELECT p.ct_id, p.identity, p.email, p.phone, p.email_ts, p.phone_ts, p.mparticle_id, p.properties_ts, p.ctid"
		"  FROM unnest($2) AS k(key)"
		" CROSS JOIN LATERAL (SELECT *, ctid FROM ctaudience.ct_profile p"
		"                      WHERE p.project_id = $1 AND p.ct_id = k.key OFFSET 0) p",
		2, {A_TEXT, A_TEXT_ARR}
	},
	[CT_Q_PROFILES_BY_IDENTITY] = {
		"SELECT p.ct_id, p.identity, p.email, p.phone, p.email_ts, p.phone_ts, p.mparticle_id, p.properties_ts, p.ctid"
		"  FROM unnest($2) AS k(key)"
		" CROSS JOIN LATERAL (SELECT *, ctid FROM ctaudience.ct_profile p"
		"                      WHERE p.project_id = $1 AND p.identity = k.key OFFSET 0) p",
		2, {A_TEXT, A_TEXT_ARR}
	},
	/* by CleverTap ID, locking each row (FOR UPDATE) in the order of the keys */
	[CT_Q_PROFILES_BY_CTID_LOCK] = {
		"SELECT p.ct_id, p.identity, p.email, p.phone, p.email_ts, p.phone_ts, p.mparticle_id, p.properties_ts, p.ctid"
		"  FROM unnest($2) AS k(key)"
		" CROSS JOIN LATERAL (SELECT *, ctid FROM ctaudience.ct_profile p"
		"                      WHERE p.project_id = $1 AND p.ct_id = k.key OFFSET 0 FOR UPDATE) p",
		2, {A_TEXT, A_TEXT_ARR}
	},
	[CT_Q_INSERT_PROFILES] = {
		"INSERT INTO ctaudience.ct_profile AS p"
		"  (project_id, ct_id, identity, email, phone, mparticle_id, properties, email_ts, phone_ts, properties_ts)"
		" SELECT $1, u.ct_id, u.identity, u.email, u.phone, u.mpid, coalesce(u.props, '{}'),"
		"        CASE WHEN u.email IS NOT NULL THEN $8 END, CASE WHEN u.phone IS NOT NULL THEN $8 END,"
		"        coalesce(u.props_ts, '{}')"
		"   FROM unnest($2, $3, $4, $5, $6, $7, $9) AS u(ct_id, identity, email, phone, mpid, props, props_ts)"
		" ON CONFLICT DO NOTHING"
		" RETURNING p.ct_id",
		9, {A_TEXT, A_TEXT_ARR, A_TEXT_ARR, A_EMAIL_ARR, A_PHONE_ARR, A_TEXT_ARR, A_JSONB_ARR, A_TSTZ, A_JSONB_ARR}
	},
	[CT_Q_INSERT_PROFILES_PLAIN] = {
		"INSERT INTO ctaudience.ct_profile AS p"
		"  (project_id, ct_id, identity, email, phone, mparticle_id, properties, email_ts, phone_ts, properties_ts)"
		" SELECT $1, u.ct_id, u.identity, u.email, u.phone, u.mpid, coalesce(u.props, '{}'),"
		"        CASE WHEN u.email IS NOT NULL THEN $8 END, CASE WHEN u.phone IS NOT NULL THEN $8 END,"
		"        coalesce(u.props_ts, '{}')"
		"   FROM unnest($2, $3, $4, $5, $6, $7, $9) AS u(ct_id, identity, email, phone, mpid, props, props_ts)",
		9, {A_TEXT, A_TEXT_ARR, A_TEXT_ARR, A_EMAIL_ARR, A_PHONE_ARR, A_TEXT_ARR, A_JSONB_ARR, A_TSTZ, A_JSONB_ARR}
	},
	/*
	 * The rows to update are reached by the TIDs their lookup returned
	 * ($9): a parameterized TID scan is the only plan, whatever the
	 * statistics say (project_id is compared as a join clause, so no index
	 * path for the whole project exists to be chosen instead).  A row updated
	 * by another session since its lookup fails the TID and key checks and
	 * is missing from RETURNING; the caller looks it up again.
	 */
	[CT_Q_UPDATE_PROFILES] = {
		"UPDATE ctaudience.ct_profile AS p SET"
		"  email = CASE WHEN u.email IS NOT NULL AND (p.email_ts IS NULL OR p.email_ts <= $8)"
		"               THEN u.email ELSE p.email END,"
		"  email_ts = CASE WHEN u.email IS NOT NULL AND (p.email_ts IS NULL OR p.email_ts <= $8)"
		"                  THEN $8 ELSE p.email_ts END,"
		"  phone = CASE WHEN u.phone IS NOT NULL AND (p.phone_ts IS NULL OR p.phone_ts <= $8)"
		"               THEN u.phone ELSE p.phone END,"
		"  phone_ts = CASE WHEN u.phone IS NOT NULL AND (p.phone_ts IS NULL OR p.phone_ts <= $8)"
		"                  THEN $8 ELSE p.phone_ts END,"
		"  identity = coalesce(p.identity, u.identity),"
		"  mparticle_id = coalesce(u.mpid, p.mparticle_id),"
		"  properties = CASE WHEN u.props IS NULL THEN p.properties"
		"                    ELSE (p.properties - ARRAY(SELECT jsonb_array_elements_text(u.props -> 'delete')))"
		"                         || (u.props -> 'set') END,"
		"  properties_ts = CASE WHEN u.props IS NULL THEN p.properties_ts"
		"                       ELSE p.properties_ts || (u.props -> 'ts') END,"
		"  updated_at = now()"
		"  FROM unnest($9, array_fill($1, ARRAY[cardinality($9)]), $2, $3, $4, $5, $6, $7)"
		"       AS u(tid, project_id, ct_id, identity, email, phone, mpid, props)"
		" WHERE p.ctid = u.tid AND p.project_id = u.project_id AND p.ct_id = u.ct_id"
		" RETURNING p.ct_id",
		9, {A_TEXT, A_TEXT_ARR, A_TEXT_ARR, A_EMAIL_ARR, A_PHONE_ARR, A_TEXT_ARR, A_JSONB_ARR, A_TSTZ, A_TID_ARR}
	},
	[CT_Q_UPSERT_MEMBERS] = {
		"INSERT INTO ctaudience.ct_segment_member AS m (project_id, segment_id, ct_id, is_member, stated_at)"
		" SELECT $1, u.segment_id, u.ct_id, u.is_member, $5"
		"   FROM unnest($2, $3, $4) AS u(segment_id, ct_id, is_member)"
		" ON CONFLICT (project_id, segment_id, ct_id) DO UPDATE"
		"   SET is_member = EXCLUDED.is_member, stated_at = EXCLUDED.stated_at"
		"   WHERE m.stated_at <= EXCLUDED.stated_at",
		5, {A_TEXT, A_INT8_ARR, A_TEXT_ARR, A_BOOL_ARR, A_TSTZ}
	},
	[CT_Q_INSERT_MEMBERS] = {
		"INSERT INTO ctaudience.ct_segment_member (project_id, segment_id, ct_id, is_member, stated_at)"
		" SELECT $1, u.segment_id, u.ct_id, u.is_member, $5"
		"   FROM unnest($2, $3, $4) AS u(segment_id, ct_id, is_member)",
		5, {A_TEXT, A_INT8_ARR, A_TEXT_ARR, A_BOOL_ARR, A_TSTZ}
	},
	[CT_Q_STALE_ENTRIES] = {
		"SELECT u.ord FROM unnest($2, $3, $4) AS u(segment_id, ct_id, ord)"
		" CROSS JOIN LATERAL (SELECT m.stated_at FROM ctaudience.ct_segment_member m"
		"                      WHERE m.project_id = $1 AND m.segment_id = u.segment_id"
		"                        AND m.ct_id = u.ct_id OFFSET 0) m"
		" WHERE m.stated_at > $5 ORDER BY u.ord LIMIT $6",
		6, {A_TEXT, A_INT8_ARR, A_TEXT_ARR, A_INT4_ARR, A_TSTZ, A_INT4}
	},
	[CT_Q_LOG_SAMPLES] = {
		"INSERT INTO ctaudience.ct_import_sample"
		"  (project_id, message_id, n, reason, profile_index, audience_id, mpid, path)"
		" SELECT $1, $2, u.n, u.reason, u.profile, u.audience, u.mpid, u.path"
		"   FROM unnest($3, $4, $5, $6, $7, $8) AS u(n, reason, profile, audience, mpid, path)",
		8, {A_TEXT, A_UUID, A_INT4_ARR, A_TEXT_ARR, A_INT4_ARR, A_INT8_ARR, A_TEXT_ARR, A_TEXT_ARR}
	},
	[CT_Q_MEMBERS] = {
		"SELECT m.segment_id, m.ct_id, m.is_member, m.stated_at"
		"  FROM unnest($2, $3) AS u(segment_id, ct_id)"
		" CROSS JOIN LATERAL (SELECT * FROM ctaudience.ct_segment_member m"
		"                      WHERE m.project_id = $1 AND m.segment_id = u.segment_id"
		"                        AND m.ct_id = u.ct_id OFFSET 0) m",
		3, {A_TEXT, A_INT8_ARR, A_TEXT_ARR}
	},
	[CT_Q_SUBSCRIBE] = {
		"INSERT INTO ctaudience.ct_segment AS s"
		"  (project_id, name, partner_segment_id, name_ts, status, status_ts, user_id_field, settings)"
		" VALUES ($1, $2, $3, $4, $5, $4, $6, coalesce($7, '{}'))"
		" ON CONFLICT (project_id, partner_name, partner_segment_id) DO UPDATE SET"
		"  name = CASE WHEN s.name_ts IS NULL OR s.name_ts <= EXCLUDED.name_ts"
		"              THEN EXCLUDED.name ELSE s.name END,"
		"  name_ts = greatest(s.name_ts, EXCLUDED.name_ts),"
		"  status = CASE WHEN s.status_ts IS NULL OR s.status_ts <= EXCLUDED.status_ts"
		"                THEN EXCLUDED.status ELSE s.status END,"
		"  user_id_field = CASE WHEN $7 IS NOT NULL AND (s.status_ts IS NULL OR s.status_ts <= EXCLUDED.status_ts)"
		"                       THEN EXCLUDED.user_id_field ELSE s.user_id_field END,"
		"  settings = CASE WHEN $7 IS NOT NULL AND (s.status_ts IS NULL OR s.status_ts <= EXCLUDED.status_ts)"
		"                  THEN EXCLUDED.settings ELSE s.settings END,"
		"  status_ts = greatest(s.status_ts, EXCLUDED.status_ts),"
		"  updated_at = now()"
		" RETURNING s.segment_id, s.status, s.user_id_field, s.name",
		7, {A_TEXT, A_TEXT, A_INT8, A_TSTZ, A_TEXT, A_TEXT, A_JSONB}
	},
	/*
	 * Data subject erasure: the profiles the subject's identities name, each
	 * key through the index of its kind of identity.
	 */
	[CT_Q_ERASE_FIND] = {
		"SELECT DISTINCT v.ct_id, v.identity, v.email, v.mparticle_id FROM ("
		"  SELECT p.ct_id, p.identity, p.email, p.mparticle_id FROM unnest($2) k(e)"
		"   CROSS JOIN LATERAL (SELECT * FROM ctaudience.ct_profile p"
		"                        WHERE p.email OPERATOR(ctaudience.=) k.e AND p.project_id = $1 OFFSET 0) p"
		"  UNION ALL"
		"  SELECT p.ct_id, p.identity, p.email, p.mparticle_id FROM unnest($3 || $4) k(i)"
		"   CROSS JOIN LATERAL (SELECT * FROM ctaudience.ct_profile p"
		"                        WHERE p.project_id = $1 AND p.identity = k.i OFFSET 0) p"
		"  UNION ALL"
		"  SELECT p.ct_id, p.identity, p.email, p.mparticle_id FROM unnest($4) k(m)"
		"   CROSS JOIN LATERAL (SELECT * FROM ctaudience.ct_profile p"
		"                        WHERE p.mparticle_id = k.m AND p.project_id = $1 OFFSET 0) p"
		"  UNION ALL"
		"  SELECT p.ct_id, p.identity, p.email, p.mparticle_id FROM unnest($5) k(c)"
		"   CROSS JOIN LATERAL (SELECT * FROM ctaudience.ct_profile p"
		"                        WHERE p.project_id = $1 AND p.ct_id = k.c OFFSET 0) p) v",
		5, {A_TEXT, A_EMAIL_ARR, A_TEXT_ARR, A_TEXT_ARR, A_TEXT_ARR}, true
	},
	/* memberships first, so the statistics trigger still sees the profiles */
	[CT_Q_ERASE_MEMBERS] = {
		"DELETE FROM ctaudience.ct_segment_member m WHERE m.project_id = $1 AND m.ct_id = ANY ($2)",
		2, {A_TEXT, A_TEXT_ARR}, true
	},
	/* the rest: events, import log samples by mpid, profiles */
	[CT_Q_ERASE] = {
		"WITH ev AS (DELETE FROM ctaudience.ct_event e WHERE e.project_id = $1 AND e.ct_id = ANY ($2)),"
		" smp AS (DELETE FROM ctaudience.ct_import_sample s WHERE s.project_id = $1 AND s.mpid = ANY ($3)),"
		" prof AS (DELETE FROM ctaudience.ct_profile p WHERE p.project_id = $1 AND p.ct_id = ANY ($2) RETURNING 1)"
		" SELECT count(*)::int FROM prof",
		3, {A_TEXT, A_TEXT_ARR, A_TEXT_ARR}, true
	},
	/*
	 * Every queued message of the project, whatever its state, loses the
	 * user profiles that name the subject (or an erased profile): none is
	 * kept, and none imported later brings the subject back.
	 */
	[CT_Q_ERASE_INBOX] = {
		"UPDATE ctaudience.ct_inbox i"
		"   SET body = jsonb_set(i.body, '{user_profiles}',"
		"       coalesce((SELECT jsonb_agg(u.p ORDER BY u.n)"
		"                   FROM jsonb_array_elements(i.body -> 'user_profiles') WITH ORDINALITY AS u(p, n)"
		"                  WHERE NOT ctaudience.ct_names_subject(u.p, $2, $3, $4, $5)), '[]'))"
		" WHERE i.project_id = $1 AND jsonb_typeof(i.body -> 'user_profiles') = 'array'"
		"   AND EXISTS (SELECT 1 FROM jsonb_array_elements(i.body -> 'user_profiles') AS u(p)"
		"                WHERE ctaudience.ct_names_subject(u.p, $2, $3, $4, $5))",
		5, {A_TEXT, A_EMAIL_ARR, A_TEXT_ARR, A_TEXT_ARR, A_TEXT_ARR}, true
	},
	[CT_Q_LOG_DSR] = {
		"INSERT INTO ctaudience.ct_dsr_request"
		"  (project_id, message_id, subject_request_id, request_type, regulation, profiles_erased)"
		" VALUES ($1, $2, $3, $4, $5, $6)",
		6, {A_TEXT, A_UUID, A_TEXT, A_TEXT, A_TEXT, A_INT4}
	},
	[CT_Q_TRIG_SEGMENTS] = {
		"SELECT s.project_id, s.segment_id, s.name, s.partner_segment_id, s.partner_name"
		"  FROM unnest($1, $2) AS u(project_id, segment_id)"
		" CROSS JOIN LATERAL (SELECT * FROM ctaudience.ct_segment s"
		"                      WHERE s.project_id = u.project_id AND s.segment_id = u.segment_id OFFSET 0) s",
		2, {A_TEXT_ARR, A_INT8_ARR}
	},
	[CT_Q_TRIG_CONTACTS] = {
		"SELECT p.project_id, p.ct_id, p.email IS NOT NULL, p.phone IS NOT NULL"
		"  FROM unnest($1, $2) AS u(project_id, ct_id)"
		" CROSS JOIN LATERAL (SELECT * FROM ctaudience.ct_profile p"
		"                      WHERE p.project_id = u.project_id AND p.ct_id = u.ct_id OFFSET 0) p",
		2, {A_TEXT_ARR, A_TEXT_ARR}
	},
	[CT_Q_TRIG_EVENTS] = {
		"INSERT INTO ctaudience.ct_event (project_id, ct_id, event_name, ts, props)"
		" SELECT u.project_id, u.ct_id, 'Partner Sync', u.ts, u.props"
		"   FROM unnest($1, $2, $3, $4) AS u(project_id, ct_id, ts, props)",
		4, {A_TEXT_ARR, A_TEXT_ARR, A_TSTZ_ARR, A_JSONB_ARR}
	},
	[CT_Q_TRIG_DELTAS] = {
		"INSERT INTO ctaudience.ct_segment_delta"
		"  (project_id, segment_id, bucket, members, reachable_email, reachable_phone, added, removed, last_sync_at)"
		" SELECT * FROM unnest($1, $2, $3, $4, $5, $6, $7, $8, $9)",
		9, {A_TEXT_ARR, A_INT8_ARR, A_TSTZ_ARR, A_INT8_ARR, A_INT8_ARR, A_INT8_ARR, A_INT8_ARR, A_INT8_ARR, A_TSTZ_ARR}
	},
	[CT_Q_TRIG_USAGE] = {
		"INSERT INTO ctaudience.ct_usage_delta (project_id, month, events, data_points, profile_updates)"
		" SELECT * FROM unnest($1, $2, $3, $4, $5)",
		5, {A_TEXT_ARR, A_DATE_ARR, A_INT8_ARR, A_INT8_ARR, A_INT8_ARR}
	},
	[CT_Q_TRIG_REACHABLE] = {
		"INSERT INTO ctaudience.ct_segment_delta (project_id, segment_id, bucket, reachable_email, reachable_phone)"
		" SELECT m.project_id, m.segment_id, $5, sum(u.de), sum(u.dp)"
		"   FROM unnest($1, $2, $3, $4) AS u(project_id, ct_id, de, dp)"
		"  CROSS JOIN LATERAL (SELECT m.project_id, m.segment_id FROM ctaudience.ct_segment_member m"
		"                       WHERE m.project_id = u.project_id AND m.ct_id = u.ct_id AND m.is_member"
		"                      OFFSET 0) m"
		"  GROUP BY 1, 2",
		5, {A_TEXT_ARR, A_TEXT_ARR, A_INT4_ARR, A_INT4_ARR, A_TSTZ}
	},
	[CT_Q_COMPACT_SEGMENTS] = {
		"WITH seg AS MATERIALIZED ("
		"  SELECT DISTINCT s FROM unnest($2) s"
		"   WHERE pg_try_advisory_xact_lock(" CT_LOCK_CLASS ", s::int)),"
		" d AS (DELETE FROM ctaudience.ct_segment_delta x USING seg"
		"        WHERE x.project_id = $1 AND x.segment_id = seg.s RETURNING x.*)"
		" INSERT INTO ctaudience.ct_segment_delta"
		"   (project_id, segment_id, bucket, members, reachable_email, reachable_phone, added, removed, last_sync_at)"
		" SELECT project_id, segment_id,"
		"        CASE WHEN bucket < now() - interval '35 days'"
		"             THEN date_trunc('day', bucket AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' ELSE bucket END,"
		"        sum(members), sum(reachable_email), sum(reachable_phone), sum(added), sum(removed),"
		"        max(last_sync_at)"
		"   FROM d GROUP BY 1, 2, 3",
		2, {A_TEXT, A_INT8_ARR}, true
	},
};

static SPIPlanPtr ct_plans[CT_NUM_STMTS];
static Oid	ct_plans_extension = InvalidOid;
static Oid	ct_email_oid = InvalidOid;
static Oid	ct_phone_oid = InvalidOid;

/* Look up one of the extension's types in schema ctaudience. */
static Oid
ct_lookup_type(const char *name)
{
	Oid			nsp = get_namespace_oid("ctaudience", false);
	Oid			typ = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
									  PointerGetDatum(name), ObjectIdGetDatum(nsp));

	if (!OidIsValid(typ))
		elog(ERROR, "type ctaudience.%s does not exist", name);
	return typ;
}

/* Forget every plan (the installation they belong to is gone). */
static void
ct_store_reset(void)
{
	for (int i = 0; i < CT_NUM_STMTS; i++)
	{
		if (ct_plans[i] != NULL)
			SPI_freeplan(ct_plans[i]);
		ct_plans[i] = NULL;
	}
}

/*
 * The OID of the installed extension, after checking that its version is
 * this library's: the C code reads and writes the tables of its own
 * version only (an older schema lacks columns it writes).  Between
 * installing a new library and ALTER EXTENSION ctaudience UPDATE, every
 * call fails here with a hint, rather than misreading the tables.  Not
 * checked while an extension script runs (the version is changing then).
 */
static Oid
ct_extension_checked(void)
{
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	Oid			ext = InvalidOid;
	char	   *version = NULL;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ,
				CStringGetDatum("ctaudience"));
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, Anum_pg_extension_extversion,
									 RelationGetDescr(rel), &isnull);

		ext = ((Form_pg_extension) GETSTRUCT(tup))->oid;
		if (!isnull)
			version = TextDatumGetCString(d);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	if (!OidIsValid(ext))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("extension \"ctaudience\" is not installed in this database"),
				 errhint("Run CREATE EXTENSION ctaudience.")));
	if (!creating_extension && (version == NULL || strcmp(version, CT_VERSION) != 0))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("ctaudience library %s does not match the installed extension version %s",
						CT_VERSION, version ? version : "(none)"),
				 errdetail("The library was installed without updating the extension in this database, "
						   "or the other way round."),
				 errhint("Run ALTER EXTENSION ctaudience UPDATE, or install the library of version %s.",
						 version ? version : "(none)")));
	return ext;
}

/* Connect to SPI; revalidate the plan cache against the installation. */
void
ct_store_connect(void)
{
	Oid			ext = ct_extension_checked();

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (ext != ct_plans_extension)
	{
		ct_store_reset();
		ct_email_oid = ct_lookup_type("ct_email");
		ct_phone_oid = ct_lookup_type("ct_phone");
		ct_plans_extension = ext;
	}
}

/* Disconnect from SPI. */
void
ct_store_finish(void)
{
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
}

Oid
ct_email_type_oid(void)
{
	return ct_email_oid;
}

Oid
ct_phone_type_oid(void)
{
	return ct_phone_oid;
}

/* The OID of a parameter type code. */
static Oid
ct_arg_oid(CtArgType t)
{
	switch (t)
	{
		case A_BOOL:
			return BOOLOID;
		case A_TEXT:
			return TEXTOID;
		case A_TEXT_ARR:
			return TEXTARRAYOID;
		case A_INT4:
			return INT4OID;
		case A_INT4_ARR:
			return INT4ARRAYOID;
		case A_INT8:
			return INT8OID;
		case A_INT8_ARR:
			return INT8ARRAYOID;
		case A_BOOL_ARR:
			return BOOLARRAYOID;
		case A_JSONB:
			return JSONBOID;
		case A_JSONB_ARR:
			return JSONBARRAYOID;
		case A_TSTZ:
			return TIMESTAMPTZOID;
		case A_TSTZ_ARR:
			return TIMESTAMPTZARRAYOID;
		case A_DATE_ARR:
			return DATEARRAYOID;
		case A_UUID:
			return UUIDOID;
		case A_TID_ARR:
			return TIDARRAYOID;
		case A_EMAIL_ARR:
			return get_array_type(ct_email_oid);
		case A_PHONE_ARR:
			return get_array_type(ct_phone_oid);
	}
	elog(ERROR, "unknown argument type %d", (int) t);
	return InvalidOid;
}

/* The prepared plan of a statement, preparing it on first use. */
static SPIPlanPtr
ct_get_plan(CtStmt stmt)
{
	const CtStmtDef *def = &ct_stmts[stmt];
	Oid			argtypes[CT_MAX_ARGS];
	SPIPlanPtr	plan;

	if (ct_plans[stmt] != NULL)
		return ct_plans[stmt];
	for (int i = 0; i < def->nargs; i++)
		argtypes[i] = ct_arg_oid(def->args[i]);

	/*
	 * Most plans are generic, planned once per backend, whatever the size of
	 * the tables at that moment.  So their shape must not depend on it: a
	 * batch of keys is unnest()ed and each key fetched by a LATERAL subquery
	 * (OFFSET 0 keeps it a per-key index probe) rather than by a join or an
	 * = ANY(array) the planner could turn, for a table that happened to be
	 * empty, into one scan of the whole project per message; and the
	 * functions disable sequential scans, hash and merge joins (see
	 * sql/install/30_functions.sql).  The profile update reaches its rows by
	 * TID.  The remaining UPDATE ... FROM and DELETE ... USING statements
	 * (renames, erasure, compaction: rare, on small sets) are planned for
	 * each execution ("custom").
	 */
	plan = SPI_prepare_cursor(def->sql, def->nargs, argtypes,
							  def->custom ? CURSOR_OPT_CUSTOM_PLAN : CURSOR_OPT_GENERIC_PLAN);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for ctaudience statement %d: %s",
			 (int) stmt, SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	ct_plans[stmt] = plan;
	return plan;
}

/*
 * Execute a statement with parameters; returns the rows processed.  The
 * caller's memory context stays current (SPI would leave its procedure
 * context current, and what a batch allocates after a statement would
 * outlive the batch).
 */
uint64
ct_store_exec(CtStmt stmt, Datum *values, const char *nulls, bool read_only)
{
	MemoryContext cxt = CurrentMemoryContext;
	SPIPlanPtr	plan = ct_get_plan(stmt);
	int			rc;

	rc = SPI_execute_plan(plan, values, nulls, read_only, 0);
	MemoryContextSwitchTo(cxt);
	if (rc < 0)
		elog(ERROR, "ctaudience statement %d failed: %s", (int) stmt,
			 SPI_result_code_string(rc));
	return SPI_processed;
}

/*
 * ct_store_exec with the latest snapshot rather than the transaction's:
 * what has committed by now, even under REPEATABLE READ.  Read-only.
 */
uint64
ct_store_exec_latest(CtStmt stmt, Datum *values, const char *nulls)
{
	MemoryContext cxt = CurrentMemoryContext;
	SPIPlanPtr	plan = ct_get_plan(stmt);
	int			rc;

	rc = SPI_execute_snapshot(plan, values, nulls, GetLatestSnapshot(),
							  InvalidSnapshot, true, false, 0);
	MemoryContextSwitchTo(cxt);
	if (rc < 0)
		elog(ERROR, "ctaudience statement %d failed: %s", (int) stmt,
			 SPI_result_code_string(rc));
	return SPI_processed;
}

/* A column of a row of SPI_tuptable. */
Datum
ct_store_get(int row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, isnull);
}

/* A text column of a row of SPI_tuptable, copied into the caller's context. */
char *
ct_store_get_text(int row, int col)
{
	bool		isnull;
	Datum		d = ct_store_get(row, col, &isnull);

	if (isnull)
		return NULL;
	return TextDatumGetCString(d);
}

/* Look up a project by id. */
bool
ct_store_get_project(const char *project_id, int len, CtProject *out,
					 MemoryContext mcxt)
{
	Datum		values[1];
	bool		isnull;
	MemoryContext old;

	values[0] = PointerGetDatum(cstring_to_text_with_len(project_id, len));
	if (ct_store_exec(CT_Q_PROJECT, values, NULL, true) == 0)
		return false;

	old = MemoryContextSwitchTo(mcxt);
	out->project_id = ct_store_get_text(0, 1);
	out->region = ct_store_get_text(0, 2);
	out->account_token = ct_store_get_text(0, 3);
	out->passcode_hash = ct_store_get_text(0, 4);
	out->passcode_expires_at = DatumGetTimestampTz(ct_store_get(0, 5, &isnull));
	out->has_expiry = !isnull;
	out->default_country = ct_store_get_text(0, 6);
	MemoryContextSwitchTo(old);
	SPI_freetuptable(SPI_tuptable);
	return true;
}

/* Start an array of elemtype with room for cap elements. */
void
ct_arr_init(CtArr *a, int cap, Oid elemtype)
{
	a->values = palloc(sizeof(Datum) * Max(cap, 1));
	a->nulls = palloc(sizeof(bool) * Max(cap, 1));
	a->n = 0;
	a->elemtype = elemtype;
	get_typlenbyvalalign(elemtype, &a->typlen, &a->typbyval, &a->typalign);
}

/* The one-dimensional array datum of what was added. */
Datum
ct_arr_datum(CtArr *a)
{
	int			dims[1];
	int			lbs[1];

	dims[0] = a->n;
	lbs[0] = 1;
	return PointerGetDatum(construct_md_array(a->values, a->nulls, 1, dims, lbs,
											  a->elemtype, a->typlen, a->typbyval,
											  a->typalign));
}


/*
 * Write rows the way COPY does: heap_multi_insert in batches of up to 1000
 * rows, then their index entries (unique ones checked).  fill() sets the
 * columns of row i (all null on entry).  The caller has checked that the
 * relation has nothing this would not honour: no trigger that must fire,
 * no row security, not partitioned.
 */
typedef void (*CtFillRow) (void *arg, int i, Datum *values, bool *nulls);

#define CT_MULTI_INSERT_BATCH 1000

static void
ct_multi_insert(Relation rel, int n, CtFillRow fill, void *arg)
{
	TupleDesc	desc = RelationGetDescr(rel);
	EState	   *estate = CreateExecutorState();
	ResultRelInfo *rri = makeNode(ResultRelInfo);
	BulkInsertState bistate = GetBulkInsertState();
	CommandId	cid = GetCurrentCommandId(true);
	int			nslots = Min(n, CT_MULTI_INSERT_BATCH);
	TupleTableSlot **slots = palloc(sizeof(TupleTableSlot *) * nslots);

	/*
	 * The slots get a copy of the descriptor, which is not reference
	 * counted: a thousand slots sharing the relation's own descriptor would
	 * each remember it in the resource owner, and forgetting them is a
	 * linear search each (6% of an import's time).
	 */
	TupleDesc	slotdesc = CreateTupleDescCopy(desc);

	InitResultRelInfo(rri, rel, 1, NULL, 0);
	ExecOpenIndices(rri, false);
	for (int i = 0; i < nslots; i++)
		slots[i] = MakeSingleTupleTableSlot(slotdesc, &TTSOpsVirtual);
	for (int start = 0; start < n; start += CT_MULTI_INSERT_BATCH)
	{
		int			batch = Min(n - start, CT_MULTI_INSERT_BATCH);

		for (int i = 0; i < batch; i++)
		{
			TupleTableSlot *slot = slots[i];

			ExecClearTuple(slot);
			for (int a = 0; a < desc->natts; a++)
			{
				slot->tts_values[a] = (Datum) 0;
				slot->tts_isnull[a] = true;
			}
			fill(arg, start + i, slot->tts_values, slot->tts_isnull);
			ExecStoreVirtualTuple(slot);
			if (desc->constr)
				ExecConstraints(rri, slot, estate);
		}
		table_multi_insert(rel, slots, batch, cid, 0, bistate);
		for (int i = 0; i < batch; i++)
		{
			List	   *recheck = ExecInsertIndexTuples(rri, slots[i], estate, false, false, NULL, NIL);

			list_free(recheck);
		}
	}
	for (int i = 0; i < nslots; i++)
		ExecDropSingleTupleTableSlot(slots[i]);
	FreeTupleDesc(slotdesc);
	FreeBulkInsertState(bistate);
	ExecCloseIndices(rri);
	FreeExecutorState(estate);
	/* later statements of this transaction see the rows */
	CommandCounterIncrement();
}

/* The OID of one of the extension's functions without arguments. */
static Oid
ct_store_function_oid(const char *name)
{
	return LookupFuncName(list_make2(makeString("ctaudience"), makeString(pstrdup(name))),
						  0, NULL, false);
}

/* A table of the extension, opened with lockmode. */
static Relation
ct_open_table_lock(const char *name, LOCKMODE lockmode)
{
	Oid			relid = get_relname_relid(name, get_namespace_oid("ctaudience", false));

	if (!OidIsValid(relid))
		elog(ERROR, "table ctaudience.%s does not exist", name);
	return table_open(relid, lockmode);
}

/* A table of the extension, opened RowExclusiveLock (to be written). */
static Relation
ct_open_table(const char *name)
{
	return ct_open_table_lock(name, RowExclusiveLock);
}

/* The attribute number of a column (error when missing). */
static int
ct_column(TupleDesc desc, const char *name)
{
	int			n = SPI_fnumber(desc, name);

	if (n <= 0)
		elog(ERROR, "ctaudience: column \"%s\" not found", name);
	return n - 1;
}

/* How many columns a table has (not counting dropped ones). */
static int
ct_live_columns(TupleDesc desc)
{
	int			live = 0;

	for (int a = 0; a < desc->natts; a++)
	{
		if (!TupleDescAttr(desc, a)->attisdropped)
			live++;
	}
	return live;
}

typedef struct CtEventRows
{
	int			project,
				ctid,
				id,
				name,
				ts,
				props;
	Oid			seq;
	Datum		event_name;
	CtArr	   *a_project,
			   *a_ctid,
			   *a_ts,
			   *a_props;
} CtEventRows;

static void
ct_fill_event(void *arg, int i, Datum *values, bool *nulls)
{
	CtEventRows *e = arg;

	values[e->project] = e->a_project->values[i];
	values[e->ctid] = e->a_ctid->values[i];
	values[e->id] = Int64GetDatum(nextval_internal(e->seq, false));
	values[e->name] = e->event_name;
	values[e->ts] = e->a_ts->values[i];
	values[e->props] = e->a_props->values[i];
	nulls[e->project] = nulls[e->ctid] = nulls[e->id] = nulls[e->name] =
		nulls[e->ts] = nulls[e->props] = false;
}

/*
 * Append Partner Sync events the way COPY does (ct_multi_insert).  Used by
 * the membership trigger for the rows it raises.  When ct_event has grown
 * something this path would not honour (a trigger, row security,
 * partitions, a column someone added), the events go through the prepared
 * INSERT instead.
 */
void
ct_store_insert_events(CtArr *project, CtArr *ct_id, CtArr *ts, CtArr *props)
{
	Relation	rel;
	TupleDesc	desc;
	CtEventRows e;

	if (project->n == 0)
		return;
	rel = ct_open_table("ct_event");
	if (rel->trigdesc != NULL || rel->rd_rel->relrowsecurity ||
		rel->rd_rel->relkind != RELKIND_RELATION ||
		ct_live_columns(RelationGetDescr(rel)) != 6)
	{
		Datum		values[4];

		table_close(rel, NoLock);
		values[0] = ct_arr_datum(project);
		values[1] = ct_arr_datum(ct_id);
		values[2] = ct_arr_datum(ts);
		values[3] = ct_arr_datum(props);
		ct_store_exec(CT_Q_TRIG_EVENTS, values, NULL, false);
		return;
	}

	desc = RelationGetDescr(rel);
	e.project = ct_column(desc, "project_id");
	e.ctid = ct_column(desc, "ct_id");
	e.id = ct_column(desc, "event_id");
	e.name = ct_column(desc, "event_name");
	e.ts = ct_column(desc, "ts");
	e.props = ct_column(desc, "props");
	e.seq = getIdentitySequence(RelationGetRelid(rel), e.id + 1, false);
	e.event_name = CStringGetTextDatum("Partner Sync");
	e.a_project = project;
	e.a_ctid = ct_id;
	e.a_ts = ts;
	e.a_props = props;
	ct_multi_insert(rel, project->n, ct_fill_event, &e);
	table_close(rel, NoLock);
}

typedef struct CtMemberRows
{
	int			project,
				segment,
				ctid,
				member,
				stated;
	Datum		project_id;
	Datum		stated_at;
	CtArr	   *a_segment,
			   *a_ctid,
			   *a_member;
} CtMemberRows;

static void
ct_fill_member(void *arg, int i, Datum *values, bool *nulls)
{
	CtMemberRows *m = arg;

	values[m->project] = m->project_id;
	values[m->segment] = m->a_segment->values[i];
	values[m->ctid] = m->a_ctid->values[i];
	values[m->member] = m->a_member->values[i];
	values[m->stated] = m->stated_at;
	nulls[m->project] = nulls[m->segment] = nulls[m->ctid] = nulls[m->member] =
		nulls[m->stated] = false;
}

/*
 * Whether rows can be written to rel directly (ct_multi_insert) and what its
 * insert trigger raises done by the caller: the only triggers are the
 * extension's own (function fn_name), all enabled and firing in this
 * session, one of them on INSERT; no row security; not partitioned; and
 * exactly ncols columns, all of which the caller fills (a column someone
 * added, with its default, is left to SQL).  Otherwise the caller uses SQL,
 * so that everything else fires as it should.
 */
static bool
ct_direct_insert_ok(Relation rel, const char *fn_name, int ncols)
{
	TriggerDesc *td = rel->trigdesc;
	Oid			fn;
	bool		has_insert = false;

	if (td == NULL || rel->rd_rel->relrowsecurity || rel->rd_rel->relkind != RELKIND_RELATION ||
		SessionReplicationRole != SESSION_REPLICATION_ROLE_ORIGIN)
		return false;
	fn = ct_store_function_oid(fn_name);
	for (int i = 0; i < td->numtriggers; i++)
	{
		Trigger    *t = &td->triggers[i];

		if (t->tgfoid != fn || t->tgenabled == TRIGGER_DISABLED)
			return false;
		if (TRIGGER_FOR_INSERT(t->tgtype))
			has_insert = true;
	}
	return has_insert && ct_live_columns(RelationGetDescr(rel)) == ncols;
}

/*
 * Insert memberships that do not exist yet (those of profiles this message
 * just created, or pairs a probe found absent) the way COPY does, when
 * ct_direct_insert_ok: the caller then raises what the insert trigger would
 * have (ct_members_inserted).  A pair a concurrent session inserted first
 * raises the unique violation an INSERT would.  False, having done nothing,
 * when ct_direct_insert_ok says no: the caller uses SQL.
 */
bool
ct_store_insert_members(Datum project_id, CtArr *segment, CtArr *ct_id, CtArr *is_member,
						TimestampTz stated_at)
{
	Relation	rel = ct_open_table("ct_segment_member");
	CtMemberRows m;
	TupleDesc	desc;

	if (!ct_direct_insert_ok(rel, "ct_partner_sync_trigger", 5))
	{
		table_close(rel, NoLock);
		return false;
	}

	desc = RelationGetDescr(rel);
	m.project = ct_column(desc, "project_id");
	m.segment = ct_column(desc, "segment_id");
	m.ctid = ct_column(desc, "ct_id");
	m.member = ct_column(desc, "is_member");
	m.stated = ct_column(desc, "stated_at");
	m.project_id = project_id;
	m.stated_at = TimestampTzGetDatum(stated_at);
	m.a_segment = segment;
	m.a_ctid = ct_id;
	m.a_member = is_member;
	ct_multi_insert(rel, segment->n, ct_fill_member, &m);
	table_close(rel, NoLock);
	return true;
}

typedef struct CtProfileRows
{
	int			project,
				ctid,
				identity,
				email,
				phone,
				mpid,
				props,
				email_ts,
				phone_ts,
				created,
				updated,
				props_ts;
	Datum		project_id;
	Datum		ts;
	Datum		now;
	Datum		empty;
	CtProfileCols *c;
} CtProfileRows;

static void
ct_fill_profile(void *arg, int i, Datum *values, bool *nulls)
{
	CtProfileRows *p = arg;
	CtProfileCols *c = p->c;

	values[p->project] = p->project_id;
	nulls[p->project] = false;
	values[p->ctid] = c->ct_id.values[i];
	nulls[p->ctid] = false;
	values[p->identity] = c->identity.values[i];
	nulls[p->identity] = c->identity.nulls[i];
	values[p->email] = c->email.values[i];
	nulls[p->email] = c->email.nulls[i];
	values[p->email_ts] = p->ts;
	nulls[p->email_ts] = c->email.nulls[i];
	values[p->phone] = c->phone.values[i];
	nulls[p->phone] = c->phone.nulls[i];
	values[p->phone_ts] = p->ts;
	nulls[p->phone_ts] = c->phone.nulls[i];
	values[p->mpid] = c->mpid.values[i];
	nulls[p->mpid] = c->mpid.nulls[i];
	values[p->props] = c->props.nulls[i] ? p->empty : c->props.values[i];
	nulls[p->props] = false;
	values[p->props_ts] = c->props_ts.nulls[i] ? p->empty : c->props_ts.values[i];
	nulls[p->props_ts] = false;
	values[p->created] = values[p->updated] = p->now;
	nulls[p->created] = nulls[p->updated] = false;
}

/*
 * Insert new profiles (looked up and absent) the way COPY does, when
 * ct_direct_insert_ok: the row of each is what CT_Q_INSERT_PROFILES_PLAIN
 * would write (properties and properties_ts '{}' when none, email_ts/phone_ts the message time
 * where an email/phone is set, created_at/updated_at now()).  A profile a
 * concurrent session inserted meanwhile raises the unique violation the SQL
 * INSERT would.  The caller raises what the insert trigger would have
 * (ct_profiles_inserted).  False, having done nothing, when SQL must do it.
 */
bool
ct_store_insert_profiles(Datum project_id, CtProfileCols *cols, TimestampTz ts)
{
	Relation	rel = ct_open_table("ct_profile");
	TupleDesc	desc;
	CtProfileRows p;

	if (!ct_direct_insert_ok(rel, "ct_profile_trigger", 12))
	{
		table_close(rel, NoLock);
		return false;
	}
	desc = RelationGetDescr(rel);
	p.project = ct_column(desc, "project_id");
	p.ctid = ct_column(desc, "ct_id");
	p.identity = ct_column(desc, "identity");
	p.email = ct_column(desc, "email");
	p.phone = ct_column(desc, "phone");
	p.mpid = ct_column(desc, "mparticle_id");
	p.props = ct_column(desc, "properties");
	p.email_ts = ct_column(desc, "email_ts");
	p.phone_ts = ct_column(desc, "phone_ts");
	p.created = ct_column(desc, "created_at");
	p.updated = ct_column(desc, "updated_at");
	p.props_ts = ct_column(desc, "properties_ts");
	p.project_id = project_id;
	p.ts = TimestampTzGetDatum(ts);
	p.now = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	p.empty = DirectFunctionCall1(jsonb_in, CStringGetDatum("{}"));
	p.c = cols;
	ct_multi_insert(rel, cols->ct_id.n, ct_fill_profile, &p);
	table_close(rel, NoLock);
	return true;
}

/* See store.h. */
int
ct_cmp_text_datum(const void *a, const void *b)
{
	text	   *x = DatumGetTextPP(*(const Datum *) a);
	text	   *y = DatumGetTextPP(*(const Datum *) b);
	int			lx = VARSIZE_ANY_EXHDR(x);
	int			ly = VARSIZE_ANY_EXHDR(y);
	int			c = memcmp(VARDATA_ANY(x), VARDATA_ANY(y), Min(lx, ly));

	return c != 0 ? c : (lx > ly) - (lx < ly);
}

/*
 * The OID of index name of heap when it is still what the extension
 * created: a valid B-tree (unique, when asked) on exactly the columns
 * named, no expressions or predicate.  InvalidOid otherwise.
 */
static Oid
ct_key_index(Relation heap, const char *name, int ncols, const char *const *columns,
			 bool unique)
{
	Oid			relid = get_relname_relid(name, RelationGetNamespace(heap));
	HeapTuple	tup;
	Form_pg_index ix;
	bool		ok;

	if (!OidIsValid(relid))
		return InvalidOid;
	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		return InvalidOid;
	ix = (Form_pg_index) GETSTRUCT(tup);
	ok = ix->indrelid == RelationGetRelid(heap) && (ix->indisunique || !unique) && ix->indisvalid &&
		ix->indisready && ix->indislive && ix->indnatts == ncols && ix->indnkeyatts == ncols &&
		heap_attisnull(tup, Anum_pg_index_indexprs, NULL) &&
		heap_attisnull(tup, Anum_pg_index_indpred, NULL);
	for (int i = 0; ok && i < ncols; i++)
		ok = ix->indkey.values[i] == ct_column(RelationGetDescr(heap), columns[i]) + 1;
	ReleaseSysCache(tup);
	if (ok)
	{
		tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
		if (!HeapTupleIsValid(tup))
			return InvalidOid;
		ok = ((Form_pg_class) GETSTRUCT(tup))->relam == BTREE_AM_OID;
		ReleaseSysCache(tup);
	}
	return ok ? relid : InvalidOid;
}

/*
 * One equality column of a probe: the value of probe i is values[i], or
 * constant when values is NULL.  Text columns compare in the C collation,
 * as the extension's identifier columns are declared.
 */
typedef struct CtProbeColumn
{
	RegProcedure eqproc;		/* F_TEXTEQ or F_INT8EQ */
	Datum		constant;
	Datum	   *values;
} CtProbeColumn;

typedef void (*CtProbeRow) (void *arg, int i, TupleTableSlot *slot);

/*
 * Lock the row a probe found (FOR UPDATE), as SELECT ... FOR UPDATE would:
 * under READ COMMITTED its newest version, which is then in locked; under
 * REPEATABLE READ a row changed since the snapshot is a serialization
 * failure.  False when the row was deleted meanwhile, or its newest version
 * no longer has the probe's keys (sk, on the index's leading columns).
 */
static bool
ct_lock_found(Relation heap, Relation index, TupleTableSlot *found, TupleTableSlot *locked,
			  int ncols, ScanKeyData *sk)
{
	TM_FailureData tmfd;
	TM_Result	res;
	int			flags = TUPLE_LOCK_FLAG_LOCK_UPDATE_IN_PROGRESS;

	if (!IsolationUsesXactSnapshot())
		flags |= TUPLE_LOCK_FLAG_FIND_LAST_VERSION;
	res = table_tuple_lock(heap, &found->tts_tid, GetActiveSnapshot(), locked,
						   GetCurrentCommandId(true), LockTupleExclusive, LockWaitBlock,
						   flags, &tmfd);
	switch (res)
	{
		case TM_Ok:
			break;
		case TM_Deleted:
			if (IsolationUsesXactSnapshot())
				ereport(ERROR,
						(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
						 errmsg("could not serialize access due to concurrent delete")));
			return false;
		case TM_Updated:
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to concurrent update")));
			break;
		default:
			elog(ERROR, "ctaudience: unexpected result %d locking a profile", (int) res);
	}
	if (!tmfd.traversed)
		return true;
	/* a newer version than the snapshot's: does it still have the keys? */
	for (int k = 0; k < ncols; k++)
	{
		bool		isnull;
		Datum		v = slot_getattr(locked, index->rd_index->indkey.values[k], &isnull);

		if (isnull ||
			!DatumGetBool(FunctionCall2Coll(&sk[k].sk_func, sk[k].sk_collation, v, sk[k].sk_argument)))
			return false;
	}
	return true;
}

/*
 * Probe index (of heap) n times, probe i with the equality keys of columns
 * (the index's leading ncols columns), and call row(arg, i, slot) for each
 * row a statement run now would see (the snapshot SPI gives each
 * statement).  With lock, each row is locked FOR UPDATE as it is found, so
 * that the rows are locked in the order of the probes (see
 * ct_store_lookup_profiles), and row() gets its newest version.  Closes
 * heap.
 */
static void
ct_probe(Relation heap, Oid indexoid, int n, int ncols, const CtProbeColumn *columns,
		 bool lock, CtProbeRow row, void *arg)
{
	Relation	index;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	TupleTableSlot *locked = NULL;
	ScanKeyData sk[INDEX_MAX_KEYS];

	Assert(ncols <= INDEX_MAX_KEYS);
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	index = index_open(indexoid, AccessShareLock);
	slot = table_slot_create(heap, NULL);
	if (lock)
		locked = table_slot_create(heap, NULL);
	scan = index_beginscan(heap, index, GetActiveSnapshot(), ncols, 0);
	for (int i = 0; i < n; i++)
	{
		for (int k = 0; k < ncols; k++)
		{
			const CtProbeColumn *c = &columns[k];

			ScanKeyInit(&sk[k], k + 1, BTEqualStrategyNumber, c->eqproc,
						c->values ? c->values[i] : c->constant);
			if (c->eqproc == F_TEXTEQ)
				sk[k].sk_collation = C_COLLATION_OID;
		}
		index_rescan(scan, sk, ncols, NULL, 0);
		while (index_getnext_slot(scan, ForwardScanDirection, slot))
		{
			if (!lock)
				row(arg, i, slot);
			else if (ct_lock_found(heap, index, slot, locked, ncols, sk))
				row(arg, i, locked);
		}
		CHECK_FOR_INTERRUPTS();
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	if (locked)
		ExecDropSingleTupleTableSlot(locked);
	index_close(index, NoLock);
	table_close(heap, NoLock);
	PopActiveSnapshot();
}

/* A table of the extension and the OID of one of its key indexes, if usable. */
static Oid
ct_probe_index(Relation heap, const char *name, int ncols, const char *const *columns,
			   bool unique)
{
	if (heap->rd_rel->relrowsecurity)
		return InvalidOid;
	return ct_key_index(heap, name, ncols, columns, unique);
}

typedef struct CtLookup
{
	int			cols[CT_PROFILE_LOOKUP_COLS];
	CtProfileFound found;
	void	   *arg;
} CtLookup;

static void
ct_lookup_row(void *arg, int i, TupleTableSlot *slot)
{
	CtLookup   *l = arg;
	Datum		values[CT_PROFILE_LOOKUP_COLS];
	bool		isnull[CT_PROFILE_LOOKUP_COLS];

	slot_getallattrs(slot);
	for (int c = 0; c < CT_PROFILE_LOOKUP_COLS; c++)
	{
		values[c] = slot->tts_values[l->cols[c]];
		isnull[c] = slot->tts_isnull[l->cols[c]];
	}
	l->found(l->arg, values, isnull, &slot->tts_tid);
}

/* See store.h. */
bool
ct_store_lookup_profiles(Datum project_id, bool by_identity, CtArr *keys, bool lock,
						 CtProfileFound found, void *arg)
{
	static const char *const by_ctid_cols[] = {"project_id", "ct_id"};
	static const char *const by_identity_cols[] = {"project_id", "identity"};
	Relation	heap = ct_open_table("ct_profile");
	TupleDesc	desc = RelationGetDescr(heap);
	Oid			indexoid;
	CtLookup	l;
	CtProbeColumn columns[2] = {{F_TEXTEQ, project_id, NULL}, {F_TEXTEQ, 0, keys->values}};

	indexoid = by_identity ?
		ct_probe_index(heap, "ct_profile_identity_key", 2, by_identity_cols, true) :
		ct_probe_index(heap, "ct_profile_pkey", 2, by_ctid_cols, true);
	if (!OidIsValid(indexoid))
	{
		table_close(heap, NoLock);
		return false;
	}
	l.cols[0] = ct_column(desc, "ct_id");
	l.cols[1] = ct_column(desc, "identity");
	l.cols[2] = ct_column(desc, "email");
	l.cols[3] = ct_column(desc, "phone");
	l.cols[4] = ct_column(desc, "email_ts");
	l.cols[5] = ct_column(desc, "phone_ts");
	l.cols[6] = ct_column(desc, "mparticle_id");
	l.cols[7] = ct_column(desc, "properties_ts");
	l.found = found;
	l.arg = arg;

	/* in key order: neighbouring probes share the upper pages of the index */
	qsort(keys->values, keys->n, sizeof(Datum), ct_cmp_text_datum);
	ct_probe(heap, indexoid, keys->n, 2, columns, lock, ct_lookup_row, &l);
	return true;
}

static void
ct_present_row(void *arg, int i, TupleTableSlot *slot)
{
	((bool *) arg)[i] = true;
}

/* See store.h. */
bool
ct_store_members_present(Datum project_id, CtArr *segment, CtArr *ct_id, bool *present)
{
	static const char *const cols[] = {"project_id", "segment_id", "ct_id"};
	Relation	heap = ct_open_table("ct_segment_member");
	Oid			indexoid = ct_probe_index(heap, "ct_segment_member_pkey", 3, cols, true);
	CtProbeColumn columns[3] = {{F_TEXTEQ, project_id, NULL}, {F_INT8EQ, 0, segment->values},
	{F_TEXTEQ, 0, ct_id->values}};

	if (!OidIsValid(indexoid))
	{
		table_close(heap, NoLock);
		return false;
	}
	memset(present, 0, sizeof(bool) * segment->n);
	ct_probe(heap, indexoid, segment->n, 3, columns, false, ct_present_row, present);
	return true;
}

typedef struct CtContactProbe
{
	int			a_email,
				a_phone;
	CtContactFound found;
	void	   *arg;
} CtContactProbe;

static void
ct_contact_row(void *arg, int i, TupleTableSlot *slot)
{
	CtContactProbe *cp = arg;

	slot_getsomeattrs(slot, Max(cp->a_email, cp->a_phone) + 1);
	cp->found(cp->arg, i, !slot->tts_isnull[cp->a_email], !slot->tts_isnull[cp->a_phone]);
}

/* See store.h. */
bool
ct_store_profile_contacts(CtArr *project, CtArr *ct_id, CtContactFound found, void *arg)
{
	static const char *const cols[] = {"project_id", "ct_id"};
	Relation	heap = ct_open_table_lock("ct_profile", AccessShareLock);
	Oid			indexoid = ct_probe_index(heap, "ct_profile_pkey", 2, cols, true);
	CtProbeColumn columns[2] = {{F_TEXTEQ, 0, project->values}, {F_TEXTEQ, 0, ct_id->values}};
	CtContactProbe cp;

	if (!OidIsValid(indexoid))
	{
		table_close(heap, NoLock);
		return false;
	}
	cp.a_email = ct_column(RelationGetDescr(heap), "email");
	cp.a_phone = ct_column(RelationGetDescr(heap), "phone");
	cp.found = found;
	cp.arg = arg;
	ct_probe(heap, indexoid, ct_id->n, 2, columns, false, ct_contact_row, &cp);
	return true;
}

typedef struct CtMembershipProbe
{
	int			a_segment,
				a_member;
	CtMembershipFound found;
	void	   *arg;
} CtMembershipProbe;

static void
ct_membership_row(void *arg, int i, TupleTableSlot *slot)
{
	CtMembershipProbe *mp = arg;

	slot_getsomeattrs(slot, Max(mp->a_segment, mp->a_member) + 1);
	if (slot->tts_isnull[mp->a_segment] || slot->tts_isnull[mp->a_member])
		return;
	mp->found(mp->arg, i, DatumGetInt64(slot->tts_values[mp->a_segment]),
			  DatumGetBool(slot->tts_values[mp->a_member]));
}

/* See store.h. */
bool
ct_store_profile_memberships(CtArr *project, CtArr *ct_id, CtMembershipFound found, void *arg)
{
	static const char *const cols[] = {"project_id", "ct_id"};
	Relation	heap = ct_open_table_lock("ct_segment_member", AccessShareLock);
	Oid			indexoid = ct_probe_index(heap, "ct_segment_member_profile_idx", 2, cols, false);
	CtProbeColumn columns[2] = {{F_TEXTEQ, 0, project->values}, {F_TEXTEQ, 0, ct_id->values}};
	CtMembershipProbe mp;

	if (!OidIsValid(indexoid))
	{
		table_close(heap, NoLock);
		return false;
	}
	mp.a_segment = ct_column(RelationGetDescr(heap), "segment_id");
	mp.a_member = ct_column(RelationGetDescr(heap), "is_member");
	mp.found = found;
	mp.arg = arg;
	ct_probe(heap, indexoid, ct_id->n, 2, columns, false, ct_membership_row, &mp);
	return true;
}
