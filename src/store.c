/*
 * store.c
 *	  The extension's SQL statements, as prepared SPI plans (the rows read
 *	  and written below SQL are in direct.c).
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
#include "access/relscan.h"
#include "catalog/pg_extension.h"
#include "utils/fmgroids.h"
#include "utils/snapmgr.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "commands/extension.h"
#include "utils/rel.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "citus.h"
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
	A_FLOAT8,
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

typedef struct CtStmtDef
{
	const char *sql;
	int			nargs;
	CtArgType	args[CT_MAX_ARGS];
	bool		custom;			/* plan for each execution's own values (see
								 * below) */
} CtStmtDef;

/*
 * Profiles of a project by a key column, the CT_PROFILE_LOOKUP_COLS columns
 * and the TID of each (optionally locked, in the order of the keys).
 */
#define CT_SQL_PROFILES_BY(column, lock) \
	"SELECT p.ct_id, p.identity, p.email, p.phone, p.email_ts, p.phone_ts, p.mparticle_id, p.properties_ts, p.ctid" \
	"  FROM unnest($2) AS k(key)" \
	" CROSS JOIN LATERAL (SELECT *, ctid FROM ctaudience.ct_profile p" \
	"                      WHERE p.project_id = $1 AND p." column " = k.key OFFSET 0" lock ") p"

/* The profiles of the subject of an erasure that one kind of key finds. */
#define CT_SQL_SUBJECT_BY(keys, cond) \
	"SELECT p.ct_id, p.identity, p.email, p.mparticle_id FROM unnest(" keys ") k(key)" \
	" CROSS JOIN LATERAL (SELECT * FROM ctaudience.ct_profile p WHERE " cond " OFFSET 0) p"

/*
 * New profiles, plainly or racing other sessions ($1 project, $2..$7 the
 * columns, $8 the message time, $9 properties_ts); memberships, plainly or
 * as an upsert ($1 project, $2..$4 segment, ct_id, is_member, $5 time).
 */
#define CT_SQL_INSERT_PROFILES \
	"INSERT INTO ctaudience.ct_profile AS p" \
	"  (project_id, ct_id, identity, email, phone, mparticle_id, properties, email_ts, phone_ts, properties_ts)" \
	" SELECT $1, u.ct_id, u.identity, u.email, u.phone, u.mpid, coalesce(u.props, '{}')," \
	"        CASE WHEN u.email IS NOT NULL THEN $8 END, CASE WHEN u.phone IS NOT NULL THEN $8 END," \
	"        coalesce(u.props_ts, '{}')" \
	"   FROM unnest($2, $3, $4, $5, $6, $7, $9) AS u(ct_id, identity, email, phone, mpid, props, props_ts)"
#define CT_ARGS_INSERT_PROFILES \
	A_TEXT, A_TEXT_ARR, A_TEXT_ARR, A_EMAIL_ARR, A_PHONE_ARR, A_TEXT_ARR, A_JSONB_ARR, A_TSTZ, A_JSONB_ARR
#define CT_SQL_INSERT_MEMBERS \
	"INSERT INTO ctaudience.ct_segment_member AS m (project_id, segment_id, ct_id, is_member, stated_at)" \
	" SELECT $1, u.segment_id, u.ct_id, u.is_member, $5" \
	"   FROM unnest($2, $3, $4) AS u(segment_id, ct_id, is_member)"
#define CT_ARGS_MEMBERS A_TEXT, A_INT8_ARR, A_TEXT_ARR, A_BOOL_ARR, A_TSTZ

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

	/*
	 * The inserts into tables with an identity column name its sequence
	 * themselves (OVERRIDING SYSTEM VALUE): on a Citus worker they write the
	 * project's shard, which has no identity of its own (citus.h).
	 */
	[CT_Q_CREATE_SEGMENTS] = {
		"INSERT INTO ctaudience.ct_segment (project_id, segment_id, name, partner_segment_id, name_ts)"
		" OVERRIDING SYSTEM VALUE"
		" SELECT $1, nextval('ctaudience.ct_segment_segment_id_seq'), u.name, u.id, $4"
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
	[CT_Q_PROFILES_BY_CTID] = {
		CT_SQL_PROFILES_BY("ct_id", ""),
		2, {A_TEXT, A_TEXT_ARR}
	},
	[CT_Q_PROFILES_BY_IDENTITY] = {
		CT_SQL_PROFILES_BY("identity", ""),
		2, {A_TEXT, A_TEXT_ARR}
	},
	/* by CleverTap ID, locking each row (FOR UPDATE) in the order of the keys */
	[CT_Q_PROFILES_BY_CTID_LOCK] = {
		CT_SQL_PROFILES_BY("ct_id", " FOR UPDATE"),
		2, {A_TEXT, A_TEXT_ARR}
	},
	[CT_Q_INSERT_PROFILES] = {
		CT_SQL_INSERT_PROFILES " ON CONFLICT DO NOTHING RETURNING p.ct_id",
		9, {CT_ARGS_INSERT_PROFILES}
	},
	[CT_Q_INSERT_PROFILES_PLAIN] = {
		CT_SQL_INSERT_PROFILES,
		9, {CT_ARGS_INSERT_PROFILES}
	},

	/*
	 * The rows to update are reached by the TIDs their lookup returned ($9):
	 * a parameterized TID scan is the only plan, whatever the statistics say
	 * (project_id is compared as a join clause, so no index path for the
	 * whole project exists to be chosen instead).  A row updated by another
	 * session since its lookup fails the TID and key checks and is missing
	 * from RETURNING; the caller looks it up again.
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
		CT_SQL_INSERT_MEMBERS
		" ON CONFLICT (project_id, segment_id, ct_id) DO UPDATE"
		"   SET is_member = EXCLUDED.is_member, stated_at = EXCLUDED.stated_at"
		"   WHERE m.stated_at <= EXCLUDED.stated_at",
		5, {CT_ARGS_MEMBERS}
	},
	[CT_Q_INSERT_MEMBERS] = {
		CT_SQL_INSERT_MEMBERS,
		5, {CT_ARGS_MEMBERS}
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
		"  (project_id, segment_id, name, partner_segment_id, name_ts, status, status_ts, user_id_field, settings)"
		" OVERRIDING SYSTEM VALUE"
		" VALUES ($1, nextval('ctaudience.ct_segment_segment_id_seq'), $2, $3, $4, $5, $4, $6, coalesce($7, '{}'))"
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
		CT_SQL_SUBJECT_BY("$2", "p.email OPERATOR(ctaudience.=) k.key AND p.project_id = $1")
		" UNION ALL " CT_SQL_SUBJECT_BY("$3 || $4", "p.project_id = $1 AND p.identity = k.key")
		" UNION ALL " CT_SQL_SUBJECT_BY("$4", "p.mparticle_id = k.key AND p.project_id = $1")
		" UNION ALL " CT_SQL_SUBJECT_BY("$5", "p.project_id = $1 AND p.ct_id = k.key") ") v",
		5, {A_TEXT, A_EMAIL_ARR, A_TEXT_ARR, A_TEXT_ARR, A_TEXT_ARR}, true
	},
	/* memberships first, so the statistics trigger still sees the profiles */
	[CT_Q_ERASE_MEMBERS] = {
		"DELETE FROM ctaudience.ct_segment_member m WHERE m.project_id = $1 AND m.ct_id = ANY ($2)",
		2, {A_TEXT, A_TEXT_ARR}, true
	},

	/*
	 * the rest: events, import log samples by mpid, campaign queue rows,
	 * profiles
	 */
	[CT_Q_ERASE] = {
		"WITH ev AS (DELETE FROM ctaudience.ct_event e WHERE e.project_id = $1 AND e.ct_id = ANY ($2)),"
		" smp AS (DELETE FROM ctaudience.ct_import_sample s WHERE s.project_id = $1 AND s.mpid = ANY ($3)),"
		" cq AS (DELETE FROM ctaudience.ct_campaign_queue q WHERE q.project_id = $1 AND q.ct_id = ANY ($2)),"
		" au AS (DELETE FROM ctaudience.ct_active_user_month a WHERE a.project_id = $1 AND a.ct_id = ANY ($2)),"
		" prof AS (DELETE FROM ctaudience.ct_profile p WHERE p.project_id = $1 AND p.ct_id = ANY ($2) RETURNING 1)"
		" SELECT count(*)::int FROM prof",
		3, {A_TEXT, A_TEXT_ARR, A_TEXT_ARR}, true
	},

	/*
	 * Every queued message of the project, whatever its state, loses the user
	 * profiles that name the subject (or an erased profile): none is kept,
	 * and none imported later brings the subject back.
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
		"INSERT INTO ctaudience.ct_event (project_id, ct_id, event_id, event_name, ts, props)"
		" OVERRIDING SYSTEM VALUE"
		" SELECT u.project_id, u.ct_id, nextval('ctaudience.ct_event_event_id_seq'), 'Partner Sync', u.ts, u.props"
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
		"   WHERE pg_try_advisory_xact_lock(" CT_LOCK_CLASS ", hashint8(s))),"
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

	/*
	 * The inbox.  Each count of CT_Q_INBOX_DEPTH reads its partial index
	 * (ct_inbox_due_idx, ct_inbox_dead_idx).
	 */
	[CT_Q_INBOX_ENQUEUE] = {
		"INSERT INTO ctaudience.ct_inbox (project_id, message_type, message_id, body)"
		" VALUES ($1, $2, $3, $4) RETURNING inbox_id",
		4, {A_TEXT, A_TEXT, A_TEXT, A_JSONB}
	},
	[CT_Q_INBOX_DEPTH] = {
		"SELECT (SELECT count(*) FROM ctaudience.ct_inbox WHERE status = 'pending'),"
		"       (SELECT count(*) FROM ctaudience.ct_inbox WHERE status = 'dead')",
		0, {A_BOOL}
	},
	[CT_Q_INBOX_DUE] = {
		"SELECT inbox_id, project_id, body, attempts FROM ctaudience.ct_inbox"
		" WHERE status = 'pending' AND next_attempt_at <= clock_timestamp()"
		" ORDER BY next_attempt_at, inbox_id LIMIT $1 FOR UPDATE SKIP LOCKED",
		1, {A_INT4}
	},
	[CT_Q_INBOX_CLAIM] = {
		"UPDATE ctaudience.ct_inbox i SET attempts = i.attempts + 1,"
		"   next_attempt_at = clock_timestamp() + make_interval(secs => $1)"
		" WHERE i.inbox_id = (SELECT inbox_id FROM ctaudience.ct_inbox"
		"                      WHERE status = 'pending' AND next_attempt_at <= clock_timestamp()"
		"                      ORDER BY next_attempt_at, inbox_id LIMIT 1 FOR UPDATE SKIP LOCKED)"
		" RETURNING i.inbox_id, i.attempts",
		1, {A_FLOAT8}
	},
	[CT_Q_INBOX_READ] = {
		"SELECT project_id, body, attempts FROM ctaudience.ct_inbox"
		" WHERE inbox_id = $1 AND status = 'pending' FOR UPDATE",
		1, {A_INT8}
	},
	[CT_Q_INBOX_DONE] = {
		"UPDATE ctaudience.ct_inbox SET status = 'done', attempts = $2,"
		" response = $3, processed_at = clock_timestamp(),"
		" body = CASE WHEN message_type = 'dsr_processing_request'"
		"             THEN body - 'subject_identities' ELSE body END,"
		" last_error = NULL, last_sqlstate = NULL WHERE inbox_id = $1",
		3, {A_INT8, A_INT4, A_JSONB}
	},
	[CT_Q_INBOX_FAILED] = {
		"UPDATE ctaudience.ct_inbox SET status = $2, attempts = $3,"
		" last_error = $4, last_sqlstate = $5, processed_at = clock_timestamp(),"
		" next_attempt_at = clock_timestamp() + make_interval(secs => $6)"
		" WHERE inbox_id = $1",
		6, {A_INT8, A_TEXT, A_INT4, A_TEXT, A_TEXT, A_FLOAT8}
	},
	[CT_Q_INBOX_PURGE] = {
		"DELETE FROM ctaudience.ct_inbox WHERE inbox_id IN"
		" (SELECT inbox_id FROM ctaudience.ct_inbox WHERE status = 'done'"
		"   AND processed_at < clock_timestamp() - make_interval(secs => $1)"
		"   LIMIT 1000 FOR UPDATE SKIP LOCKED)",
		1, {A_FLOAT8}
	},
	[CT_Q_LIVE_CAMPAIGNS] = {
		"SELECT c.campaign_id, c.trigger_filter, c.segment_ids, c.recurring"
		"  FROM ctaudience.ct_campaign c"
		" WHERE c.project_id = $1 AND c.trigger_event = $2"
		"   AND c.status = 'running' AND c.kind = 'live_behavior'",
		2, {A_TEXT, A_TEXT}, true
	},

	/*
	 * Which (campaign, profile) pairs ($2, $3; $4 their positions) are
	 * members of one of the campaign's segments now.
	 */
	[CT_Q_QUALIFY_MEMBERS] = {
		"SELECT u.i FROM unnest($2, $3, $4) AS u(campaign_id, ct_id, i)"
		"  JOIN ctaudience.ct_campaign c ON c.project_id = $1 AND c.campaign_id = u.campaign_id"
		" WHERE EXISTS (SELECT 1 FROM ctaudience.ct_segment_member m"
		"                WHERE m.project_id = $1 AND m.ct_id = u.ct_id"
		"                  AND m.segment_id = ANY (c.segment_ids) AND m.is_member)",
		4, {A_TEXT, A_INT8_ARR, A_TEXT_ARR, A_INT4_ARR}, true
	},
	/* queue qualified profiles; a one-time campaign's at most once ever */
	[CT_Q_QUEUE] = {
		"INSERT INTO ctaudience.ct_campaign_queue (project_id, queue_id, campaign_id, ct_id, event_name, event_ts, event_props, once)"
		" OVERRIDING SYSTEM VALUE"
		" SELECT $1, nextval('ctaudience.ct_campaign_queue_queue_id_seq'), u.campaign_id, u.ct_id, $2, u.ts, u.props, u.once"
		"   FROM unnest($3, $4, $5, $6, $7) AS u(campaign_id, ct_id, ts, props, once)"
		" ON CONFLICT (project_id, campaign_id, ct_id) WHERE once DO NOTHING",
		7, {A_TEXT, A_TEXT, A_INT8_ARR, A_TEXT_ARR, A_TSTZ_ARR, A_JSONB_ARR, A_BOOL_ARR}
	},
	[CT_Q_RECORD_EVENT] = {
		"WITH ev AS (INSERT INTO ctaudience.ct_event (project_id, ct_id, event_id, event_name, ts, props)"
		"            OVERRIDING SYSTEM VALUE"
		"            SELECT p.project_id, p.ct_id, nextval('ctaudience.ct_event_event_id_seq'), $3, $4, $5"
		"              FROM ctaudience.ct_profile p"
		"             WHERE p.project_id = $1 AND p.ct_id = $2"
		"            RETURNING project_id, ct_id, event_id),"
		" au AS (INSERT INTO ctaudience.ct_active_user_month (project_id, month, ct_id)"
		"        SELECT project_id, date_trunc('month', $4 AT TIME ZONE 'UTC')::date, ct_id FROM ev"
		"        ON CONFLICT DO NOTHING)"
		" SELECT event_id FROM ev",
		5, {A_TEXT, A_TEXT, A_TEXT, A_TSTZ, A_JSONB}
	},
};

static SPIPlanPtr ct_plans[CT_NUM_STMTS];
static bool ct_plan_custom[CT_NUM_STMTS];	/* how ct_plans[i] was planned */

/*
 * On a Citus worker, plans on the shards of a shard group, for the groups
 * used last (a worker holds several; planning every statement again for
 * each message that changes group would cost milliseconds a message).
 */
#define CT_GROUP_PLAN_SETS 8
typedef struct CtGroupPlans
{
	int64		group;			/* ct_profile's shard id; 0: unused */
	uint64		used;			/* when last used (ct_group_clock) */
	SPIPlanPtr	plans[CT_NUM_STMTS];
} CtGroupPlans;
static CtGroupPlans ct_group_sets[CT_GROUP_PLAN_SETS];
static uint64 ct_group_clock = 0;

/* Free the plans of a set. */
static void
ct_free_plans(SPIPlanPtr *plans)
{
	for (int i = 0; i < CT_NUM_STMTS; i++)
	{
		if (plans[i] != NULL)
			SPI_freeplan(plans[i]);
		plans[i] = NULL;
	}
}

/* The plans of group: its set, or the least recently used one emptied. */
static SPIPlanPtr *
ct_group_plans(int64 group)
{
	CtGroupPlans *victim = &ct_group_sets[0];

	for (int i = 0; i < CT_GROUP_PLAN_SETS; i++)
	{
		if (ct_group_sets[i].group == group)
		{
			ct_group_sets[i].used = ++ct_group_clock;
			return ct_group_sets[i].plans;
		}
		if (ct_group_sets[i].used < victim->used)
			victim = &ct_group_sets[i];
	}
	ct_free_plans(victim->plans);
	victim->group = group;
	victim->used = ++ct_group_clock;
	return victim->plans;
}
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
	ct_free_plans(ct_plans);
	for (int i = 0; i < CT_GROUP_PLAN_SETS; i++)
	{
		ct_free_plans(ct_group_sets[i].plans);
		ct_group_sets[i].group = 0;
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
		case A_FLOAT8:
			return FLOAT8OID;
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
	bool		custom;
	int64		group = ct_citus_group();
	SPIPlanPtr *group_plans = NULL;
	char	   *sql = (char *) def->sql;

	/*
	 * A message on a Citus worker: the statement on the project's shards,
	 * planned for that shard group.
	 */
	if (group != 0)
	{
		group_plans = ct_group_plans(group);
		if (group_plans[stmt] != NULL)
			return group_plans[stmt];
		sql = ct_citus_rewrite(def->sql);
		custom = def->custom;
	}
	else
	{
		/*
		 * Elsewhere on a Citus cluster, a statement on the shells is planned
		 * by Citus for its parameters' values (it routes by the project).
		 */
		custom = def->custom || ct_citus_distributed();
		if (ct_plans[stmt] != NULL && ct_plan_custom[stmt] == custom)
			return ct_plans[stmt];
		if (ct_plans[stmt] != NULL)
		{
			SPI_freeplan(ct_plans[stmt]);
			ct_plans[stmt] = NULL;
		}
	}
	for (int i = 0; i < def->nargs; i++)
		argtypes[i] = ct_arg_oid(def->args[i]);

	/*
	 * Most plans are generic, planned once per backend, whatever the size of
	 * the tables at that moment.  So their shape must not depend on it: a
	 * batch of keys is unnest()ed and each key fetched by a LATERAL subquery
	 * (OFFSET 0 keeps it a per-key index probe) rather than by a join or an =
	 * ANY(array) the planner could turn, for a table that happened to be
	 * empty, into one scan of the whole project per message; and the
	 * functions disable sequential scans, hash and merge joins (see
	 * sql/functions/planner_settings--0.1.0.sql).  The profile update reaches
	 * its rows by TID.  The remaining UPDATE ... FROM and DELETE ... USING
	 * statements (renames, erasure, compaction: rare, on small sets) are
	 * planned for each execution ("custom").
	 */
	plan = SPI_prepare_cursor(sql, def->nargs, argtypes,
							  custom ? CURSOR_OPT_CUSTOM_PLAN : CURSOR_OPT_GENERIC_PLAN);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for ctaudience statement %d: %s",
			 (int) stmt, SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	if (group_plans != NULL)
		group_plans[stmt] = plan;
	else
	{
		ct_plans[stmt] = plan;
		ct_plan_custom[stmt] = custom;
	}
	return plan;
}

/* Run a statement, with the transaction's snapshot or with snap. */
static uint64
ct_store_run(CtStmt stmt, Datum *values, const char *nulls, bool read_only, Snapshot snap)
{
	MemoryContext cxt = CurrentMemoryContext;
	SPIPlanPtr	plan = ct_get_plan(stmt);
	int			rc;

	if (snap != InvalidSnapshot)
		rc = SPI_execute_snapshot(plan, values, nulls, snap, InvalidSnapshot, read_only, false, 0);
	else
		rc = SPI_execute_plan(plan, values, nulls, read_only, 0);
	MemoryContextSwitchTo(cxt);
	if (rc < 0)
		elog(ERROR, "ctaudience statement %d failed: %s", (int) stmt,
			 SPI_result_code_string(rc));
	return SPI_processed;
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
	return ct_store_run(stmt, values, nulls, read_only, InvalidSnapshot);
}

/*
 * ct_store_exec with the latest snapshot rather than the transaction's:
 * what has committed by now, even under REPEATABLE READ.  Read-only.
 */
uint64
ct_store_exec_latest(CtStmt stmt, Datum *values, const char *nulls)
{
	return ct_store_run(stmt, values, nulls, true, GetLatestSnapshot());
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
static void
ct_arr_init(CtArr *a, int cap, Oid elemtype)
{
	a->values = palloc(sizeof(Datum) * Max(cap, 1));
	a->nulls = palloc(sizeof(bool) * Max(cap, 1));
	a->n = 0;
	a->cap = Max(cap, 1);
	a->elemtype = elemtype;
	get_typlenbyvalalign(elemtype, &a->typlen, &a->typbyval, &a->typalign);
}

/* The element type of an array parameter type code (InvalidOid: not an array). */
static Oid
ct_arg_elem_oid(CtArgType t)
{
	switch (t)
	{
		case A_TEXT_ARR:
			return TEXTOID;
		case A_INT4_ARR:
			return INT4OID;
		case A_INT8_ARR:
			return INT8OID;
		case A_BOOL_ARR:
			return BOOLOID;
		case A_JSONB_ARR:
			return JSONBOID;
		case A_TSTZ_ARR:
			return TIMESTAMPTZOID;
		case A_DATE_ARR:
			return DATEOID;
		case A_TID_ARR:
			return TIDOID;
		case A_EMAIL_ARR:
			return ct_email_oid;
		case A_PHONE_ARR:
			return ct_phone_oid;
		default:
			return InvalidOid;
	}
}

/* See store.h. */
void
ct_arr_for(CtArr *a, CtStmt stmt, int param, int cap)
{
	Oid			elem = InvalidOid;

	if (param >= 1 && param <= ct_stmts[stmt].nargs)
		elem = ct_arg_elem_oid(ct_stmts[stmt].args[param - 1]);
	if (!OidIsValid(elem))
		elog(ERROR, "ctaudience statement %d has no array parameter $%d", (int) stmt, param);
	ct_arr_init(a, cap, elem);
}

/* See store.h. */
void
ct_batch_init(CtBatch *b, CtStmt stmt, int cap)
{
	const CtStmtDef *def = &ct_stmts[stmt];

	b->stmt = stmt;
	for (int k = 1; k <= def->nargs; k++)
	{
		b->values[k - 1] = (Datum) 0;
		b->nulls[k - 1] = ' ';
		if (OidIsValid(ct_arg_elem_oid(def->args[k - 1])))
			ct_arr_for(&b->col[k - 1], stmt, k, cap);
	}
}

/* See store.h. */
uint64
ct_batch_exec(CtBatch *b, bool read_only)
{
	const CtStmtDef *def = &ct_stmts[b->stmt];

	for (int k = 1; k <= def->nargs; k++)
	{
		if (OidIsValid(ct_arg_elem_oid(def->args[k - 1])))
			b->values[k - 1] = ct_arr_datum(&b->col[k - 1]);
	}
	return ct_store_exec(b->stmt, b->values, b->nulls, read_only);
}

/* See store.h. */
uint64
ct_batch_exec_as(CtBatch *b, CtStmt stmt, bool read_only)
{
	if (ct_stmts[stmt].nargs != ct_stmts[b->stmt].nargs ||
		memcmp(ct_stmts[stmt].args, ct_stmts[b->stmt].args, sizeof(CtArgType) * ct_stmts[stmt].nargs) != 0)
		elog(ERROR, "ctaudience statements %d and %d take different parameters", (int) b->stmt, (int) stmt);
	b->stmt = stmt;
	return ct_batch_exec(b, read_only);
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
