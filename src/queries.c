/*
 * queries.c
 *	  The text and parameter types of every SQL statement of the extension
 *	  (see store.c for how they are prepared and run).
 *
 * The export's statements are in queries_export.c.
 *
 * Batches are passed as arrays and unnested in SQL, so one statement
 * handles a whole message: the per-statement executor cost is paid once
 * per message, not once per user.  Plans are generic unless a statement
 * says custom: see store.c.
 */
#include "postgres.h"

#include "queries.h"

/*
 * Profiles of a project by a key column, the CT_PROFILE_LOOKUP_COLS columns
 * and the TID of each (optionally locked, in the order of the keys).
 */
#define CT_SQL_PROFILES_BY(column, lock) \
	"SELECT p.ct_id, p.identity, p.email, p.phone, p.email_ts, p.phone_ts, p.mparticle_id, p.properties_ts," \
	"       p.named, p.identity_ts, p.created_at, p.ctid" \
	"  FROM unnest($2) AS k(key)" \
	" CROSS JOIN LATERAL (SELECT *, ctid FROM ctaudience.ct_profile p" \
	"                      WHERE p.project_id = $1 AND p." column " = k.key OFFSET 0" lock ") p"

/* The profiles of the subject of an erasure that one kind of key finds. */
#define CT_SQL_SUBJECT_BY(keys, cond) \
	"SELECT p.ct_id, p.identity, p.email, p.mparticle_id FROM unnest(" keys ") k(key)" \
	" CROSS JOIN LATERAL (SELECT * FROM ctaudience.ct_profile p WHERE " cond " OFFSET 0) p"

/*
 * Newest wins; on equal times the smaller value (README, "Equal times"), so
 * that the arrival order does not matter; a redelivery changes nothing.
 * Whether the email (phone) v of time ts replaces profile p's; whether a
 * merged profile g's replaces the survivor p's.  Emails compare bytewise,
 * phones as numbers.  An attribute value a of the time of the stored b
 * wins when its JSON text is smaller, bytewise; never over a deletion (b NULL).
 */
#define CT_SQL_NEWER_CONTACT(col, v, ts, p) \
	v " IS NOT NULL AND (" p "." col "_ts IS NULL OR " p "." col "_ts < " ts \
	" OR (" p "." col "_ts = " ts " AND (" p "." col " IS NULL OR " v " OPERATOR(ctaudience.<) " p "." col ")))"
#define CT_SQL_MERGED_WINS(col) \
	"g." col " IS NOT NULL AND (p." col " IS NULL OR g." col "_ts > p." col "_ts" \
	" OR (g." col "_ts = p." col "_ts AND g." col " OPERATOR(ctaudience.<) p." col "))"
#define CT_SQL_SMALLER_JSON(a, b) "(" a ")::text COLLATE \"C\" < (" b ")::text COLLATE \"C\""

/*
 * New profiles, plainly or racing other sessions ($1 project, $2..$7 the
 * columns, $8 the message time, $9 properties_ts); memberships, plainly or
 * as an upsert ($1 project, $2..$4 segment, ct_id, is_member, $5 time).
 */
#define CT_SQL_INSERT_PROFILES \
	"INSERT INTO ctaudience.ct_profile AS p" \
	"  (project_id, ct_id, identity, email, phone, mparticle_id, properties, email_ts, phone_ts, properties_ts," \
	"   named, identity_ts)" \
	" SELECT $1, u.ct_id, u.identity, u.email, u.phone, u.mpid, coalesce(u.props, '{}')," \
	"        CASE WHEN u.email IS NOT NULL THEN $8 END, CASE WHEN u.phone IS NOT NULL THEN $8 END," \
	"        coalesce(u.props_ts, '{}'), u.named, CASE WHEN u.named AND u.identity IS NOT NULL THEN $8 END" \
	"   FROM unnest($2, $3, $4, $5, $6, $7, $9, $10) AS u(ct_id, identity, email, phone, mpid, props, props_ts, named)"
#define CT_ARGS_INSERT_PROFILES \
	A_TEXT, A_TEXT_ARR, A_TEXT_ARR, A_EMAIL_ARR, A_PHONE_ARR, A_TEXT_ARR, A_JSONB_ARR, A_TSTZ, A_JSONB_ARR, A_BOOL_ARR
#define CT_SQL_INSERT_MEMBERS \
	"INSERT INTO ctaudience.ct_segment_member AS m (project_id, segment_id, ct_id, is_member, stated_at)" \
	" SELECT $1, u.segment_id, u.ct_id, u.is_member, $5" \
	"   FROM unnest($2, $3, $4) AS u(segment_id, ct_id, is_member)"
#define CT_ARGS_MEMBERS A_TEXT, A_INT8_ARR, A_TEXT_ARR, A_BOOL_ARR, A_TSTZ

/* Partner Sync events ($1..$4: project, ct_id, ts, props). */
#define CT_SQL_TRIG_EVENTS \
	"INSERT INTO ctaudience.ct_event (project_id, ct_id, event_id, event_name, ts, props)" \
	" OVERRIDING SYSTEM VALUE" \
	" SELECT u.project_id, u.ct_id, nextval('ctaudience.ct_event_event_id_seq'), 'Partner Sync', u.ts, u.props" \
	"   FROM unnest($1, $2, $3, $4) AS u(project_id, ct_id, ts, props)"


/* Advisory lock class of the per-segment statistics compaction. */
#define CT_LOCK_CLASS "1129595221"

const CtStmtDef ct_stmts[CT_NUM_STMTS] = {
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
		"SELECT s.partner_segment_id, s.segment_id, s.name, s.name_ts, s.status, s.user_id_field, s.status_ts"
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
		10, {CT_ARGS_INSERT_PROFILES}
	},
	[CT_Q_INSERT_PROFILES_PLAIN] = {
		CT_SQL_INSERT_PROFILES,
		10, {CT_ARGS_INSERT_PROFILES}
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
		"  email = CASE WHEN " CT_SQL_NEWER_CONTACT("email", "u.email", "$8", "p") " THEN u.email ELSE p.email END,"
		"  email_ts = CASE WHEN " CT_SQL_NEWER_CONTACT("email", "u.email", "$8", "p") " THEN $8 ELSE p.email_ts END,"
		"  phone = CASE WHEN " CT_SQL_NEWER_CONTACT("phone", "u.phone", "$8", "p") " THEN u.phone ELSE p.phone END,"
		"  phone_ts = CASE WHEN " CT_SQL_NEWER_CONTACT("phone", "u.phone", "$8", "p") " THEN $8 ELSE p.phone_ts END,"
		"  identity = coalesce(u.identity, p.identity),"
		"  identity_ts = CASE WHEN u.identity IS NOT NULL AND u.named THEN $8 ELSE p.identity_ts END,"
		"  named = p.named OR u.named,"
		"  mparticle_id = coalesce(u.mpid, p.mparticle_id),"
		"  properties = CASE WHEN u.props IS NULL THEN p.properties"
		"                    ELSE (p.properties - ARRAY(SELECT jsonb_array_elements_text(u.props -> 'delete')))"
		"                         || (u.props -> 'set')"
		"                         || CASE WHEN u.props ? 'tie' THEN coalesce((SELECT jsonb_object_agg(t.key, t.value)"
		"                              FROM jsonb_each(u.props -> 'tie') t"
		"                             WHERE " CT_SQL_SMALLER_JSON("t.value", "p.properties -> t.key") "), '{}')"
		"                              ELSE '{}' END END,"
		"  properties_ts = CASE WHEN u.props IS NULL THEN p.properties_ts"
		"                       ELSE p.properties_ts || (u.props -> 'ts') END,"
		"  updated_at = now()"
		"  FROM unnest($9, array_fill($1, ARRAY[cardinality($9)]), $2, $3, $4, $5, $6, $7, $10)"
		"       AS u(tid, project_id, ct_id, identity, email, phone, mpid, props, named)"
		" WHERE p.ctid = u.tid AND p.project_id = u.project_id AND p.ct_id = u.ct_id"
		" RETURNING p.ct_id",
		10, {A_TEXT, A_TEXT_ARR, A_TEXT_ARR, A_EMAIL_ARR, A_PHONE_ARR, A_TEXT_ARR, A_JSONB_ARR, A_TSTZ, A_TID_ARR,
		A_BOOL_ARR}
	},
	[CT_Q_UPSERT_MEMBERS] = {
		CT_SQL_INSERT_MEMBERS
		" ON CONFLICT (project_id, segment_id, ct_id) DO UPDATE"
		"   SET is_member = EXCLUDED.is_member, stated_at = EXCLUDED.stated_at"
		"   WHERE m.stated_at < EXCLUDED.stated_at"
		"      OR (m.stated_at = EXCLUDED.stated_at AND (m.is_member OR NOT EXCLUDED.is_member))",
		5, {CT_ARGS_MEMBERS}
	},
	[CT_Q_INSERT_MEMBERS] = {
		CT_SQL_INSERT_MEMBERS,
		5, {CT_ARGS_MEMBERS}
	},
	[CT_Q_STALE_ENTRIES] = {
		"SELECT u.ord FROM unnest($2, $3, $4, $7) AS u(segment_id, ct_id, ord, is_member)"
		" CROSS JOIN LATERAL (SELECT m.stated_at, m.is_member FROM ctaudience.ct_segment_member m"
		"                      WHERE m.project_id = $1 AND m.segment_id = u.segment_id"
		"                        AND m.ct_id = u.ct_id OFFSET 0) m"
		" WHERE m.stated_at > $5 OR (m.stated_at = $5 AND NOT m.is_member AND u.is_member)"
		" ORDER BY u.ord LIMIT $6",
		7, {A_TEXT, A_INT8_ARR, A_TEXT_ARR, A_INT4_ARR, A_TSTZ, A_INT4, A_BOOL_ARR}
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
	 * key through the index of its kind of identity.  An email is also looked
	 * up as an Identity (the connection's User ID may be the email: the
	 * import stores the normalized address, as the subject's is here), and an
	 * mpid as one too (rule 3).
	 */
	[CT_Q_ERASE_FIND] = {
		"SELECT DISTINCT v.ct_id, v.identity, v.email, v.mparticle_id FROM ("
		CT_SQL_SUBJECT_BY("$2", "p.email OPERATOR(ctaudience.=) k.key AND p.project_id = $1")
		" UNION ALL " CT_SQL_SUBJECT_BY("$3 || $4 || $2::text[]", "p.project_id = $1 AND p.identity = k.key")
		" UNION ALL " CT_SQL_SUBJECT_BY("$4", "p.mparticle_id = k.key AND p.project_id = $1")
		" UNION ALL " CT_SQL_SUBJECT_BY("$5", "p.project_id = $1 AND p.ct_id = coalesce((SELECT a.ct_id"
										" FROM ctaudience.ct_profile_alias a WHERE a.project_id = $1"
										" AND a.alias = k.key), k.key)") ") v",
		5, {A_TEXT, A_EMAIL_ARR, A_TEXT_ARR, A_TEXT_ARR, A_TEXT_ARR}, true
	},
	/* memberships first, so the statistics trigger still sees the profiles */

	/*
	 * The subject's profiles, locked in a statement of their own before
	 * anything is deleted (in CleverTap ID order, as an import locks them): a
	 * session recording an event or a delivery for one of them
	 * (CT_Q_RECORD_PROFILE) is waited for, and the next statements' snapshots
	 * see what it wrote.
	 */
	[CT_Q_LOCK_SUBJECT] = {
		"SELECT 1 FROM ctaudience.ct_profile p WHERE p.project_id = $1 AND p.ct_id = ANY ($2)"
		" ORDER BY p.ct_id FOR UPDATE",
		2, {A_TEXT, A_TEXT_ARR}, true
	},
	[CT_Q_ERASE_MEMBERS] = {
		"DELETE FROM ctaudience.ct_segment_member m WHERE m.project_id = $1 AND m.ct_id = ANY ($2)",
		2, {A_TEXT, A_TEXT_ARR}, true
	},

	/*
	 * The journey states of profiles about to be erased or merged away,
	 * locked in a statement of their own: it waits for the journeys' clock
	 * moving them (which claims FOR UPDATE SKIP LOCKED, so takes none of them
	 * after), and the next statement's snapshot then sees every step, queue
	 * row, event and delivery that the clock wrote for them.
	 */
	[CT_Q_LOCK_JOURNEY_STATES] = {
		"SELECT 1 FROM ctaudience.ct_journey_state j WHERE j.project_id = $1 AND j.ct_id = ANY ($2)"
		" ORDER BY j.journey_id, j.ct_id FOR UPDATE",
		2, {A_TEXT, A_TEXT_ARR}, true
	},

	/*
	 * the rest: events, import log samples by mpid, campaign queue rows and
	 * deliveries, the subject's ID in active users (a token that names no one
	 * takes its place: the months keep their counts), journey states and
	 * steps, what waits for an export and the requests (sent or dead) that
	 * carry the subject, the export's last error when it was the answer to
	 * one of those (mParticle's error text may quote the subject), profiles
	 */
	[CT_Q_ERASE] = {
		"WITH ev AS (DELETE FROM ctaudience.ct_event e WHERE e.project_id = $1 AND e.ct_id = ANY ($2)),"
		" smp AS (DELETE FROM ctaudience.ct_import_sample s WHERE s.project_id = $1 AND s.mpid = ANY ($3)),"
		" cq AS (DELETE FROM ctaudience.ct_campaign_queue q WHERE q.project_id = $1 AND q.ct_id = ANY ($2)),"
		" au AS (UPDATE ctaudience.ct_active_user_month a SET ct_id = 'erased-' || gen_random_uuid()"
		"         WHERE a.project_id = $1 AND a.ct_id = ANY ($2)),"
		" dl AS (DELETE FROM ctaudience.ct_delivery d WHERE d.project_id = $1 AND d.ct_id = ANY ($2)),"
		" js AS (DELETE FROM ctaudience.ct_journey_state j WHERE j.project_id = $1 AND j.ct_id = ANY ($2)),"
		" jst AS (DELETE FROM ctaudience.ct_journey_step j WHERE j.project_id = $1 AND j.ct_id = ANY ($2)),"
		" al AS (DELETE FROM ctaudience.ct_profile_alias a WHERE a.project_id = $1 AND a.ct_id = ANY ($2)),"
		" ob AS (DELETE FROM ctaudience.ct_export_outbox o WHERE o.project_id = $1 AND o.ct_id = ANY ($2)),"
		" rq AS (DELETE FROM ctaudience.ct_export_request r"
		"         WHERE r.project_id = $1 AND r.state <> 'accepted' AND r.ct_ids && $2"
		"         RETURNING r.http_status, r.error),"
		" le AS (UPDATE ctaudience.ct_export x SET last_error = 'removed by an erasure (an answer to a request of the subject)'"
		"         WHERE x.project_id = $1 AND x.last_error IN"
		"               (SELECT rq.http_status || coalesce(': ' || rq.error, '') FROM rq)),"
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
		CT_SQL_TRIG_EVENTS,
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
	 * The inbox.  A message id is held once per project
	 * (ct_inbox_message_idx): a second insert of it does nothing (after
	 * waiting for a concurrent one to end).  Each count of CT_Q_INBOX_DEPTH
	 * reads its partial index (ct_inbox_due_idx, ct_inbox_dead_idx).  The
	 * statements that read or take messages of any project take the projects
	 * of the caller's scope, NULL for every project (scope.h).  A row is
	 * updated or removed by its whole primary key (project_id, inbox_id), an
	 * index probe: no index leads with inbox_id, and answered rows are kept
	 * (ctaudience.inbox_retention), so inbox_id alone is a read of the whole
	 * primary key.
	 */
	[CT_Q_INBOX_FIND] = {
		"SELECT inbox_id FROM ctaudience.ct_inbox WHERE project_id = $1 AND message_id = $2",
		2, {A_TEXT, A_TEXT}
	},
	[CT_Q_INBOX_ENQUEUE] = {
		"INSERT INTO ctaudience.ct_inbox (project_id, message_type, message_id, body)"
		" VALUES ($1, $3, $2, $4) ON CONFLICT (project_id, message_id) DO NOTHING RETURNING inbox_id",
		4, {A_TEXT, A_TEXT, A_TEXT, A_JSONB}
	},
	[CT_Q_INBOX_DEPTH] = {
		"SELECT (SELECT count(*) FROM ctaudience.ct_inbox WHERE status = 'pending'"
		"         AND ($1::text[] IS NULL OR project_id = ANY ($1))),"
		"       (SELECT count(*) FROM ctaudience.ct_inbox WHERE status = 'dead'"
		"         AND ($1::text[] IS NULL OR project_id = ANY ($1)))",
		1, {A_TEXT_ARR}
	},
	[CT_Q_INBOX_DUE] = {
		"SELECT inbox_id, project_id, body, attempts, message_type FROM ctaudience.ct_inbox"
		" WHERE status = 'pending' AND next_attempt_at <= clock_timestamp()"
		"   AND ($2::text[] IS NULL OR project_id = ANY ($2))"
		" ORDER BY next_attempt_at, inbox_id LIMIT $1 FOR UPDATE SKIP LOCKED",
		2, {A_INT4, A_TEXT_ARR}
	},
	[CT_Q_INBOX_CLAIM] = {
		"UPDATE ctaudience.ct_inbox i SET attempts = i.attempts + 1,"
		"   next_attempt_at = clock_timestamp() + make_interval(secs => $1)"
		" WHERE (i.project_id, i.inbox_id) ="
		"       (SELECT project_id, inbox_id FROM ctaudience.ct_inbox"
		"         WHERE status = 'pending' AND next_attempt_at <= clock_timestamp()"
		"           AND ($2::text[] IS NULL OR project_id = ANY ($2))"
		"         ORDER BY next_attempt_at, inbox_id LIMIT 1 FOR UPDATE SKIP LOCKED)"
		" RETURNING i.inbox_id, i.attempts, i.project_id",
		2, {A_FLOAT8, A_TEXT_ARR}
	},
	[CT_Q_INBOX_READ] = {
		"SELECT project_id, body, attempts FROM ctaudience.ct_inbox"
		" WHERE inbox_id = $1 AND status = 'pending' FOR UPDATE",
		1, {A_INT8}
	},
	/* after an erasure has scrubbed the stored bodies (CT_Q_ERASE_INBOX) */
	[CT_Q_INBOX_BODY] = {
		"SELECT body FROM ctaudience.ct_inbox WHERE project_id = $1 AND inbox_id = $2",
		2, {A_TEXT, A_INT8}
	},
	[CT_Q_INBOX_DONE] = {
		"UPDATE ctaudience.ct_inbox SET status = 'done', attempts = $2,"
		" response = $3, processed_at = clock_timestamp(),"
		" body = CASE WHEN message_type = 'dsr_processing_request'"
		"             THEN body - 'subject_identities' ELSE body END,"
		" last_error = NULL, last_sqlstate = NULL WHERE project_id = $4 AND inbox_id = $1",
		4, {A_INT8, A_INT4, A_JSONB, A_TEXT}
	},
	[CT_Q_INBOX_FAILED] = {
		"UPDATE ctaudience.ct_inbox SET status = $2, attempts = $3,"
		" last_error = $4, last_sqlstate = $5, processed_at = clock_timestamp(),"
		" next_attempt_at = clock_timestamp() + make_interval(secs => $6)"
		" WHERE project_id = $7 AND inbox_id = $1",
		7, {A_INT8, A_TEXT, A_INT4, A_TEXT, A_TEXT, A_FLOAT8, A_TEXT}
	},
	[CT_Q_INBOX_PURGE] = {
		"DELETE FROM ctaudience.ct_inbox i USING"
		" (SELECT project_id, inbox_id FROM ctaudience.ct_inbox WHERE status = 'done'"
		"   AND processed_at < clock_timestamp() - make_interval(secs => $1)"
		"   AND ($2::text[] IS NULL OR project_id = ANY ($2))"
		"   LIMIT 1000 FOR UPDATE SKIP LOCKED) o"
		" WHERE i.project_id = o.project_id AND i.inbox_id = o.inbox_id",
		2, {A_FLOAT8, A_TEXT_ARR}
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

	/*
	 * the live journeys of a project: a row for each entry segment (is_entry)
	 * and each exit segment; a journey that enters on an app event and has no
	 * exit segment has none
	 */
	[CT_Q_LIVE_JOURNEYS] = {
		"SELECT j.journey_id, g.segment_id, j.started_at,"
		"       (SELECT n ->> 'id' FROM jsonb_array_elements(j.nodes) n WHERE n ->> 'type' = 'entry' LIMIT 1),"
		"       g.is_entry"
		"  FROM ctaudience.ct_journey j"
		" CROSS JOIN LATERAL (SELECT j.segment_id, true WHERE j.segment_id IS NOT NULL"
		"                     UNION ALL SELECT e, false FROM unnest(j.exit_segments) e) AS g(segment_id, is_entry)"
		" WHERE j.project_id = $1 AND j.status = 'live'",
		1, {A_TEXT}
	},

	/*
	 * enter profiles into journeys: a profile in one already, or that exited
	 * one whose re-entry policy does not let it in again, is left as it is
	 */
	[CT_Q_JOURNEY_ENTER] = {
		"WITH ins AS (INSERT INTO ctaudience.ct_journey_state AS s"
		"               (project_id, journey_id, ct_id, node, entered_at, node_at, due_at)"
		"             SELECT DISTINCT ON (u.journey_id, u.ct_id) $1, u.journey_id, u.ct_id, u.node, u.ts, u.ts, u.ts"
		"               FROM unnest($2, $3, $4, $5) AS u(journey_id, ct_id, ts, node)"
		"              ORDER BY u.journey_id, u.ct_id, u.ts"
		"             ON CONFLICT (project_id, journey_id, ct_id) DO UPDATE"
		"               SET node = EXCLUDED.node, waiting = false, entered_at = EXCLUDED.entered_at,"
		"                   node_at = EXCLUDED.node_at, due_at = EXCLUDED.due_at, exited_at = NULL, exit_reason = NULL"
		"             WHERE s.exited_at IS NOT NULL AND EXCLUDED.entered_at > s.entered_at"
		"               AND EXISTS (SELECT 1 FROM ctaudience.ct_journey j"
		"                            WHERE j.project_id = s.project_id AND j.journey_id = s.journey_id"
		"                              AND (j.reentry = 'always'"
		"                                   OR j.reentry = 'after' AND EXCLUDED.entered_at"
		"                                      >= ((s.entered_at AT TIME ZONE 'UTC') + j.reentry_after) AT TIME ZONE 'UTC'))"
		"             RETURNING journey_id, ct_id, node, entered_at)"
		" INSERT INTO ctaudience.ct_journey_step (project_id, journey_id, step_id, ct_id, node, outcome, ts)"
		" OVERRIDING SYSTEM VALUE"
		" SELECT $1, ins.journey_id, nextval('ctaudience.ct_journey_step_step_id_seq'), ins.ct_id, ins.node,"
		"        'entered', ins.entered_at FROM ins",
		5, {A_TEXT, A_INT8_ARR, A_TEXT_ARR, A_TSTZ_ARR, A_TEXT_ARR}
	},

	/*
	 * profiles removed from a journey's entry segment or one of its exit
	 * segments: due at once, so the clock exits them (it sees their
	 * membership) without waiting for their wait to end.  Every row is
	 * written, even one already due by then: the write is what waits for a
	 * clock moving the profile (and then sees the later due time it gave), or
	 * makes the clock skip it (jerase.spec)
	 */
	[CT_Q_JOURNEY_LEFT] = {
		"UPDATE ctaudience.ct_journey_state s SET due_at = least(s.due_at, u.ts)"
		"  FROM unnest($2, $3, $4) AS u(journey_id, ct_id, ts)"
		" WHERE s.project_id = $1 AND s.journey_id = u.journey_id AND s.ct_id = u.ct_id AND s.exited_at IS NULL",
		4, {A_TEXT, A_INT8_ARR, A_TEXT_ARR, A_TSTZ_ARR}
	},

	/*
	 * a recorded event ($3 at $4) of a profile: the journeys where it waits
	 * for that event, or has it as the goal or exit event, make it due then,
	 * so the clock moves it without waiting for the timeout; returns whether
	 * a live journey of the project (started by then) enters on that event,
	 * so that CT_Q_JOURNEY_EVENT_ENTER runs only then
	 */
	[CT_Q_JOURNEY_EVENT] = {
		"WITH due AS (UPDATE ctaudience.ct_journey_state s SET due_at = $4"
		"               FROM ctaudience.ct_journey j"
		"              WHERE s.project_id = $1 AND s.ct_id = $2 AND s.exited_at IS NULL AND s.due_at > $4"
		"                AND j.project_id = s.project_id AND j.journey_id = s.journey_id AND j.status = 'live'"
		"                AND (j.goal_event = $3 OR j.exit_event = $3"
		"                     OR s.waiting AND EXISTS (SELECT 1 FROM jsonb_array_elements(j.nodes) n"
		"                                               WHERE n ->> 'id' = s.node AND n ->> 'type' = 'wait_for_event'"
		"                                                 AND n ->> 'event' = $3)))"
		" SELECT EXISTS (SELECT 1 FROM ctaudience.ct_journey j"
		"                 WHERE j.project_id = $1 AND j.status = 'live' AND j.entry_event = $3 AND j.started_at <= $4)",
		4, {A_TEXT, A_TEXT, A_TEXT, A_TSTZ}
	},

	/*
	 * a recorded event ($3 at $4, properties $5) of a profile ($2): it enters
	 * the live journeys that enter on that event (started by then), when the
	 * properties contain the entry's filter and the profile is a member of
	 * the entry's segment, if it names one; a profile in one already, or that
	 * exited one whose re-entry policy does not let it in again, is left as
	 * it is (as CT_Q_JOURNEY_ENTER)
	 */
	[CT_Q_JOURNEY_EVENT_ENTER] = {
		"WITH ins AS (INSERT INTO ctaudience.ct_journey_state AS s"
		"               (project_id, journey_id, ct_id, node, entered_at, node_at, due_at)"
		"             SELECT $1, j.journey_id, $2, e.n ->> 'id', $4, $4, $4"
		"               FROM ctaudience.ct_journey j"
		"              CROSS JOIN LATERAL (SELECT n FROM jsonb_array_elements(j.nodes) n"
		"                                   WHERE n ->> 'type' = 'entry' LIMIT 1) AS e(n)"
		"              WHERE j.project_id = $1 AND j.status = 'live' AND j.entry_event = $3 AND j.started_at <= $4"
		"                AND $5 @> coalesce(e.n -> 'filter', '{}')"
		"                AND (NOT e.n ? 'segment_id'"
		"                     OR EXISTS (SELECT 1 FROM ctaudience.ct_segment_member m"
		"                                 WHERE m.project_id = $1 AND m.segment_id = (e.n ->> 'segment_id')::bigint"
		"                                   AND m.ct_id = $2 AND m.is_member))"
		"             ON CONFLICT (project_id, journey_id, ct_id) DO UPDATE"
		"               SET node = EXCLUDED.node, waiting = false, entered_at = EXCLUDED.entered_at,"
		"                   node_at = EXCLUDED.node_at, due_at = EXCLUDED.due_at, exited_at = NULL, exit_reason = NULL"
		"             WHERE s.exited_at IS NOT NULL AND EXCLUDED.entered_at > s.entered_at"
		"               AND EXISTS (SELECT 1 FROM ctaudience.ct_journey j"
		"                            WHERE j.project_id = s.project_id AND j.journey_id = s.journey_id"
		"                              AND (j.reentry = 'always'"
		"                                   OR j.reentry = 'after' AND EXCLUDED.entered_at"
		"                                      >= ((s.entered_at AT TIME ZONE 'UTC') + j.reentry_after) AT TIME ZONE 'UTC'))"
		"             RETURNING journey_id, ct_id, node, entered_at)"
		" INSERT INTO ctaudience.ct_journey_step (project_id, journey_id, step_id, ct_id, node, outcome, ts)"
		" OVERRIDING SYSTEM VALUE"
		" SELECT $1, ins.journey_id, nextval('ctaudience.ct_journey_step_step_id_seq'), ins.ct_id, ins.node,"
		"        'entered', ins.entered_at FROM ins",
		5, {A_TEXT, A_TEXT, A_TEXT, A_TSTZ, A_JSONB}
	},

	/*
	 * The profile an event is recorded for, the one the CleverTap ID given
	 * names now ($2 may have been merged into another), locked FOR KEY SHARE
	 * in a statement of its own: an erasure or a merge (which lock profiles
	 * FOR UPDATE before they delete or move anything) waits for the event's
	 * commit and then sees it; one that came first leaves no profile here.
	 */
	[CT_Q_RECORD_PROFILE] = {
		"SELECT p.ct_id FROM ctaudience.ct_profile p"
		" WHERE p.project_id = $1"
		"   AND p.ct_id = coalesce((SELECT a.ct_id FROM ctaudience.ct_profile_alias a"
		"                            WHERE a.project_id = $1 AND a.alias = $2), $2)"
		" FOR KEY SHARE",
		2, {A_TEXT, A_TEXT}
	},

	/*
	 * One event of a profile (CT_Q_RECORD_PROFILE's; $6: the user was active,
	 * for monthly active users), queued for a running export of the project
	 * that takes it.
	 */
	[CT_Q_RECORD_EVENT] = {
		"WITH ev AS (INSERT INTO ctaudience.ct_event (project_id, ct_id, event_id, event_name, ts, props)"
		"            OVERRIDING SYSTEM VALUE"
		"            SELECT p.project_id, p.ct_id, coalesce(nullif($7, 0), nextval('ctaudience.ct_event_event_id_seq')),"
		"                   $3, $4, $5"
		"              FROM ctaudience.ct_profile p WHERE p.project_id = $1 AND p.ct_id = $2"
		"            RETURNING project_id, ct_id, event_id),"
		" au AS (INSERT INTO ctaudience.ct_active_user_month (project_id, month, ct_id)"
		"        SELECT project_id, date_trunc('month', $4 AT TIME ZONE 'UTC')::date, ct_id FROM ev WHERE $6"
		"        ON CONFLICT DO NOTHING),"
		" ob AS (INSERT INTO ctaudience.ct_export_outbox (project_id, ct_id, event_id)"
		"        SELECT ev.project_id, ev.ct_id, ev.event_id FROM ev"
		"         WHERE EXISTS (SELECT 1 FROM ctaudience.ct_export x"
		"                        WHERE x.project_id = $1 AND " CT_SQL_EXPORT_TAKES("$3") "))"
		" SELECT event_id FROM ev",
		7, {A_TEXT, A_TEXT, A_TEXT, A_TSTZ, A_JSONB, A_BOOL, A_INT8}
	},
	[CT_Q_TRIG_EVENTS_IDS] = {
		CT_SQL_TRIG_EVENTS " RETURNING ct_id, event_id",
		4, {A_TEXT_ARR, A_TEXT_ARR, A_TSTZ_ARR, A_JSONB_ARR}
	},

	/*
	 * A delivery's campaign, and whether its profile came from it: the
	 * profile that the CleverTap ID given names now ($3 may have been merged
	 * into another since the sender took it), returned last.
	 */
	[CT_Q_DELIVERY_CAMPAIGN] = {
		"SELECT c.name, c.channel, c.kind,"
		"       EXISTS (SELECT 1 FROM ctaudience.ct_campaign_queue q"
		"                WHERE q.project_id = $1 AND q.campaign_id = $2 AND q.ct_id = k.ct_id AND q.taken_at IS NOT NULL),"
		"       EXISTS (SELECT 1 FROM unnest(c.segment_ids) AS s(segment_id)"
		"                CROSS JOIN LATERAL (SELECT 1 FROM ctaudience.ct_segment_member m"
		"                                     WHERE m.project_id = $1 AND m.segment_id = s.segment_id"
		"                                       AND m.ct_id = k.ct_id AND m.is_member OFFSET 0) m),"
		"       k.ct_id,"
		"       EXISTS (SELECT 1 FROM ctaudience.ct_delivery d"
		"                WHERE d.project_id = $1 AND d.ct_id = k.ct_id AND d.campaign_id = $2)"
		"  FROM ctaudience.ct_campaign c,"
		"       (SELECT coalesce((SELECT a.ct_id FROM ctaudience.ct_profile_alias a"
		"                          WHERE a.project_id = $1 AND a.alias = $3), $3) COLLATE \"C\" AS ct_id) k"
		" WHERE c.project_id = $1 AND c.campaign_id = $2",
		3, {A_TEXT, A_INT8, A_TEXT}
	},

	/*
	 * a report, with the id its event will take; none when one with its key
	 * is stored (a retry)
	 */
	[CT_Q_DELIVERY_RECORD] = {
		"INSERT INTO ctaudience.ct_delivery (project_id, campaign_id, delivery_id, ct_id, outcome, ts, event_id)"
		" OVERRIDING SYSTEM VALUE"
		" VALUES ($1, $2, nextval('ctaudience.ct_delivery_delivery_id_seq'), $3, $4, $5,"
		"         nextval('ctaudience.ct_event_event_id_seq'))"
		" ON CONFLICT (project_id, campaign_id, ct_id, outcome, ts) DO NOTHING RETURNING event_id",
		5, {A_TEXT, A_INT8, A_TEXT, A_TEXT, A_TSTZ}
	},
	[CT_Q_DELIVERY_FIND] = {
		"SELECT d.event_id FROM ctaudience.ct_delivery d WHERE d.project_id = $1 AND d.campaign_id = $2"
		"   AND d.ct_id = $3 AND d.outcome = $4 AND d.ts = $5",
		5, {A_TEXT, A_INT8, A_TEXT, A_TEXT, A_TSTZ}
	},
	/* the profiles merged into others that CleverTap IDs name ($2) */
	[CT_Q_PROFILE_ALIASES] = {
		"SELECT a.alias, a.ct_id FROM unnest($2) AS k(key)"
		" CROSS JOIN LATERAL (SELECT a.alias, a.ct_id FROM ctaudience.ct_profile_alias a"
		"                      WHERE a.project_id = $1 AND a.alias = k.key OFFSET 0) a",
		2, {A_TEXT, A_TEXT_ARR}
	},
	/* Partner ID profiles that lose their Identity to a newer claim */
	[CT_Q_RELEASE_IDENTITIES] = {
		"UPDATE ctaudience.ct_profile AS p SET identity = NULL, identity_ts = NULL, updated_at = now()"
		"  FROM unnest($2) AS u(ct_id)"
		" WHERE p.project_id = $1 AND p.ct_id = u.ct_id",
		2, {A_TEXT, A_TEXT_ARR}
	},

	/*
	 * A generated profile ($2[i]) merged into the Partner ID's profile
	 * ($3[i]) that claims its Identity: first its memberships (the newest
	 * statement of each segment wins, a removal on equal times; the trigger
	 * keeps the statistics and raises no Partner Sync meanwhile), then the
	 * rows that name it (of its place in a journey and the Partner ID's
	 * profile's, the one still in the journey is kept, else the latest
	 * entered, the Partner ID's on a tie; one dropped while still in the
	 * journey exits there, a merged step at the message's time ($4); its
	 * steps move; of two rows of a one-time campaign, a taken one (the
	 * earlier) goes to the Partner ID's; its deliveries move, but one whose
	 * report (campaign, outcome, ts) the Partner ID's profile has too is
	 * deleted: two identical reports of one person are one, and
	 * ct_delivery_report_key allows one), then the profile.
	 */
	[CT_Q_ABSORB_MEMBERS] = {
		"WITH gone AS (DELETE FROM ctaudience.ct_segment_member m USING unnest($2, $3) AS u(g, p)"
		"               WHERE m.project_id = $1 AND m.ct_id = u.g"
		"              RETURNING u.p, m.segment_id, m.is_member, m.stated_at)"
		" INSERT INTO ctaudience.ct_segment_member AS m (project_id, segment_id, ct_id, is_member, stated_at)"
		" SELECT $1, gone.segment_id, gone.p, gone.is_member, gone.stated_at FROM gone"
		" ON CONFLICT (project_id, segment_id, ct_id) DO UPDATE"
		"   SET is_member = EXCLUDED.is_member, stated_at = EXCLUDED.stated_at"
		"   WHERE m.stated_at < EXCLUDED.stated_at"
		"      OR (m.stated_at = EXCLUDED.stated_at AND m.is_member AND NOT EXCLUDED.is_member)",
		3, {A_TEXT, A_TEXT_ARR, A_TEXT_ARR}, true
	},
	[CT_Q_ABSORB_ROWS] = {
		"WITH u AS (SELECT * FROM unnest($2, $3) AS u(g, p)),"
		" ev AS (UPDATE ctaudience.ct_event e SET ct_id = u.p FROM u WHERE e.project_id = $1 AND e.ct_id = u.g),"
		" dd AS MATERIALIZED (SELECT d.campaign_id, d.delivery_id,"
		"               row_number() OVER (PARTITION BY d.campaign_id, coalesce(u.p, d.ct_id), d.outcome, d.ts"
		"                                  ORDER BY u.g IS NULL DESC, d.delivery_id) AS n"
		"          FROM ctaudience.ct_delivery d LEFT JOIN u ON d.ct_id = u.g"
		"         WHERE d.project_id = $1 AND (d.ct_id = ANY ($2) OR d.ct_id = ANY ($3))),"
		" dldup AS (DELETE FROM ctaudience.ct_delivery d USING dd"
		"            WHERE d.project_id = $1 AND d.campaign_id = dd.campaign_id AND d.delivery_id = dd.delivery_id"
		"              AND dd.n > 1),"
		" dl AS (UPDATE ctaudience.ct_delivery d SET ct_id = u.p FROM u, dd"
		"         WHERE d.project_id = $1 AND d.ct_id = u.g AND d.campaign_id = dd.campaign_id"
		"           AND d.delivery_id = dd.delivery_id AND dd.n = 1),"
		" qo AS MATERIALIZED (SELECT q.*, coalesce(u.p, q.ct_id) AS p, u.g IS NULL AS own,"
		"               row_number() OVER (PARTITION BY q.campaign_id, coalesce(u.p, q.ct_id)"
		"                                  ORDER BY q.taken_at IS NULL, q.taken_at, u.g IS NULL DESC, q.queue_id) AS n,"
		"               bool_or(u.g IS NULL) OVER (PARTITION BY q.campaign_id, coalesce(u.p, q.ct_id)) AS taken"
		"          FROM ctaudience.ct_campaign_queue q LEFT JOIN u ON q.ct_id = u.g"
		"         WHERE q.project_id = $1 AND q.once AND (q.ct_id = ANY ($2) OR q.ct_id = ANY ($3))),"
		" qdup AS (DELETE FROM ctaudience.ct_campaign_queue q USING qo"
		"           WHERE q.project_id = $1 AND q.queue_id = qo.queue_id AND NOT qo.own AND (qo.taken OR qo.n > 1)),"
		" qkeep AS (UPDATE ctaudience.ct_campaign_queue q SET event_name = k.event_name, event_ts = k.event_ts,"
		"                  event_props = k.event_props, qualified_at = k.qualified_at, taken_at = k.taken_at"
		"             FROM qo k WHERE q.project_id = $1 AND q.campaign_id = k.campaign_id AND q.ct_id = k.p AND q.once"
		"              AND NOT k.own AND k.taken AND k.n = 1),"
		" qmove AS (UPDATE ctaudience.ct_campaign_queue q SET ct_id = u.p FROM u"
		"            WHERE q.project_id = $1 AND q.ct_id = u.g"
		"              AND NOT (q.once AND NOT EXISTS (SELECT 1 FROM qo WHERE qo.queue_id = q.queue_id"
		"                                               AND NOT qo.taken AND qo.n = 1))),"
		" js AS MATERIALIZED (SELECT s.journey_id, s.ct_id AS c, coalesce(u.p, s.ct_id) AS p, u.g IS NULL AS own,"
		"               s.node, s.waiting, s.entered_at, s.node_at, s.due_at, s.exited_at, s.exit_reason,"
		"               row_number() OVER (PARTITION BY s.journey_id, coalesce(u.p, s.ct_id)"
		"                                  ORDER BY s.exited_at IS NULL DESC, s.entered_at DESC, u.g IS NULL DESC, s.ct_id) AS n,"
		"               bool_or(u.g IS NULL) OVER (PARTITION BY s.journey_id, coalesce(u.p, s.ct_id)) AS taken"
		"          FROM ctaudience.ct_journey_state s LEFT JOIN u ON s.ct_id = u.g"
		"         WHERE s.project_id = $1 AND (s.ct_id = ANY ($2) OR s.ct_id = ANY ($3))),"
		" jsdel AS (DELETE FROM ctaudience.ct_journey_state s USING js"
		"            WHERE s.project_id = $1 AND s.journey_id = js.journey_id AND s.ct_id = js.c AND NOT js.own"
		"              AND (js.taken OR js.n > 1)),"
		" jsmove AS (UPDATE ctaudience.ct_journey_state s SET ct_id = js.p FROM js"
		"             WHERE s.project_id = $1 AND s.journey_id = js.journey_id AND s.ct_id = js.c AND NOT js.own"
		"               AND NOT js.taken AND js.n = 1),"
		" jskeep AS (UPDATE ctaudience.ct_journey_state s"
		"               SET node = k.node, waiting = k.waiting, entered_at = k.entered_at, node_at = k.node_at,"
		"                   due_at = k.due_at, exited_at = k.exited_at, exit_reason = k.exit_reason"
		"              FROM js k WHERE s.project_id = $1 AND s.journey_id = k.journey_id AND s.ct_id = k.p"
		"               AND NOT k.own AND k.taken AND k.n = 1),"
		" jsexit AS (INSERT INTO ctaudience.ct_journey_step (project_id, journey_id, step_id, ct_id, node, outcome, ts)"
		"            OVERRIDING SYSTEM VALUE"
		"            SELECT $1, js.journey_id, nextval('ctaudience.ct_journey_step_step_id_seq'), js.p, js.node, 'merged', $4"
		"              FROM js WHERE js.n > 1 AND js.exited_at IS NULL ORDER BY js.journey_id, js.p, js.n),"
		" jstep AS (UPDATE ctaudience.ct_journey_step s SET ct_id = u.p FROM u WHERE s.project_id = $1 AND s.ct_id = u.g),"
		" amadd AS (INSERT INTO ctaudience.ct_active_user_month (project_id, month, ct_id)"
		"           SELECT $1, a.month, u.p FROM u JOIN ctaudience.ct_active_user_month a"
		"             ON a.project_id = $1 AND a.ct_id = u.g ON CONFLICT DO NOTHING),"
		" amdel AS (DELETE FROM ctaudience.ct_active_user_month a USING u WHERE a.project_id = $1 AND a.ct_id = u.g),"
		" obadd AS (INSERT INTO ctaudience.ct_export_outbox (project_id, ct_id, event_id)"
		"           SELECT $1, u.p, o.event_id FROM u JOIN ctaudience.ct_export_outbox o"
		"             ON o.project_id = $1 AND o.ct_id = u.g ON CONFLICT DO NOTHING),"
		" obdel AS (DELETE FROM ctaudience.ct_export_outbox o USING u WHERE o.project_id = $1 AND o.ct_id = u.g),"
		" rq AS (UPDATE ctaudience.ct_export_request r"
		"           SET ct_ids = (SELECT array_agg(coalesce(m.p, x.c) ORDER BY x.n)"
		"                           FROM unnest(r.ct_ids) WITH ORDINALITY AS x(c, n) LEFT JOIN u m ON m.g = x.c)"
		"         WHERE r.project_id = $1 AND r.state <> 'accepted' AND r.ct_ids && $2),"
		" alold AS (UPDATE ctaudience.ct_profile_alias a SET ct_id = u.p FROM u WHERE a.project_id = $1 AND a.ct_id = u.g)"
		" INSERT INTO ctaudience.ct_profile_alias (project_id, alias, ct_id)"
		" SELECT $1, u.g, u.p FROM u"
		" ON CONFLICT (project_id, alias) DO UPDATE SET ct_id = EXCLUDED.ct_id",
		4, {A_TEXT, A_TEXT_ARR, A_TEXT_ARR, A_TSTZ}, true
	},
	[CT_Q_ABSORB_PROFILES] = {
		"WITH g AS (DELETE FROM ctaudience.ct_profile x USING unnest($2, $3) AS u(g, p)"
		"            WHERE x.project_id = $1 AND x.ct_id = u.g RETURNING u.p, x.*),"
		" n AS (SELECT g.p, ctaudience.ct_newer_keys(g.properties_ts, p.properties_ts, g.properties, p.properties) AS keys"
		"         FROM g JOIN ctaudience.ct_profile p ON p.project_id = $1 AND p.ct_id = g.p)"
		" UPDATE ctaudience.ct_profile AS p SET"
		"  email = CASE WHEN " CT_SQL_MERGED_WINS("email") " THEN g.email ELSE p.email END,"
		"  email_ts = CASE WHEN " CT_SQL_MERGED_WINS("email") " THEN g.email_ts ELSE p.email_ts END,"
		"  phone = CASE WHEN " CT_SQL_MERGED_WINS("phone") " THEN g.phone ELSE p.phone END,"
		"  phone_ts = CASE WHEN " CT_SQL_MERGED_WINS("phone") " THEN g.phone_ts ELSE p.phone_ts END,"
		"  mparticle_id = coalesce(p.mparticle_id, g.mparticle_id),"
		"  properties = (p.properties - n.keys)"
		"               || coalesce((SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(g.properties) e"
		"                             WHERE e.key = ANY (n.keys)"
		"                                OR NOT (g.properties_ts ? e.key OR p.properties ? e.key)), '{}'),"
		"  properties_ts = p.properties_ts"
		"               || coalesce((SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(g.properties_ts) e"
		"                             WHERE e.key = ANY (n.keys)), '{}'),"
		"  created_at = least(p.created_at, g.created_at),"
		"  updated_at = now()"
		"  FROM g JOIN n ON n.p = g.p"
		" WHERE p.project_id = $1 AND p.ct_id = g.p",
		3, {A_TEXT, A_TEXT_ARR, A_TEXT_ARR}, true
	},
	/* the Identities claimed, set once their holders gave them up */
	[CT_Q_SET_CLAIMS] = {
		"UPDATE ctaudience.ct_profile AS p SET identity = u.identity, identity_ts = $4, named = true, updated_at = now()"
		"  FROM unnest($2, $3) AS u(ct_id, identity)"
		" WHERE p.project_id = $1 AND p.ct_id = u.ct_id",
		4, {A_TEXT, A_TEXT_ARR, A_TEXT_ARR, A_TSTZ}
	},
};
