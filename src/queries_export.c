/*
 * queries_export.c
 *	  The text and parameter types of the export's SQL statements, from
 *	  CT_Q_EXPORT_FIRST to CT_Q_EXPORT_LAST (the claim, the result, and the
 *	  lock erasures and merges wait on), beside queries.c's: ct_stmt_def
 *	  (queries.h) finds a statement in either.
 */
#include "postgres.h"

#include "queries.h"

/* The entry of statement q in ct_export_stmts. */
#define CT_XQ(q) [(q) - CT_Q_EXPORT_FIRST]

const CtStmtDef ct_export_stmts[CT_Q_EXPORT_LAST - CT_Q_EXPORT_FIRST + 1] = {
	CT_XQ(CT_Q_EXPORT_TAKES) = {
		"SELECT 1 FROM ctaudience.ct_export x WHERE x.project_id = $1 AND " CT_SQL_EXPORT_TAKES("$2"),
		2, {A_TEXT, A_TEXT}
	},
	CT_XQ(CT_Q_EXPORT_QUEUE) = {
		"INSERT INTO ctaudience.ct_export_outbox (project_id, ct_id, event_id)"
		" SELECT $1, u.ct_id, u.event_id FROM unnest($2, $3) AS u(ct_id, event_id)"
		" ON CONFLICT DO NOTHING",
		3, {A_TEXT, A_TEXT_ARR, A_INT8_ARR}
	},
	CT_XQ(CT_Q_EXPORT_LOCK) = {
		"SELECT x.feed_key, x.data_center, x.endpoint, x.customer_id, x.export_type, x.events, x.schedule,"
		"       x.look_back::text, x.environment, x.enabled AND x.status = 'active',"
		"       x.run_started_at IS NOT NULL, coalesce(x.next_run_at <= now(), false), x.properties_through"
		"  FROM ctaudience.ct_export x WHERE x.project_id = $1 FOR UPDATE",
		1, {A_TEXT}
	},
	CT_XQ(CT_Q_EXPORT_PENDING) = {
		"SELECT r.request_id, r.source_request_id, r.body, r.batches, r.events, r.attempts,"
		"       coalesce(r.lease_until > now(), false)"
		"  FROM ctaudience.ct_export_request r WHERE r.project_id = $1 AND r.state = 'pending'",
		1, {A_TEXT}
	},
	CT_XQ(CT_Q_EXPORT_LEASE) = {
		"UPDATE ctaudience.ct_export_request r"
		"   SET lease_until = now() + make_interval(secs => $3), attempts = r.attempts + 1"
		" WHERE r.project_id = $1 AND r.request_id = $2",
		3, {A_TEXT, A_INT8, A_INT4}
	},
	CT_XQ(CT_Q_EXPORT_START_RUN) = {
		"UPDATE ctaudience.ct_export x SET run_started_at = now(), updated_at = now() WHERE x.project_id = $1",
		1, {A_TEXT}
	},
	CT_XQ(CT_Q_EXPORT_BACKFILL) = {
		"INSERT INTO ctaudience.ct_export_outbox (project_id, ct_id, event_id)"
		" SELECT e.project_id, e.ct_id, e.event_id FROM ctaudience.ct_event e"
		"  WHERE e.project_id = $1 AND e.ts >= now() - $2::interval"
		"    AND ctaudience.ct_export_selects($3, $4, e.event_name)"
		" ON CONFLICT DO NOTHING",
		4, {A_TEXT, A_TEXT, A_TEXT, A_TEXT_ARR}, true
	},

	/*
	 * The profiles updated since the last run, up to the start of the oldest
	 * transaction still running: one that commits later set its updated_at to
	 * its start, after the new mark, and is taken by the next run.
	 */
	CT_XQ(CT_Q_EXPORT_PROFILES) = {
		"WITH w AS (SELECT least(now(), (SELECT min(a.xact_start) FROM pg_catalog.pg_stat_activity a)) AS mark),"
		" ins AS (INSERT INTO ctaudience.ct_export_outbox (project_id, ct_id, event_id)"
		"         SELECT p.project_id, p.ct_id, 0 FROM ctaudience.ct_profile p, w"
		"          WHERE p.project_id = $1 AND p.updated_at >= $2 AND p.updated_at < w.mark"
		"         ON CONFLICT DO NOTHING)"
		" UPDATE ctaudience.ct_export x SET properties_through = w.mark FROM w WHERE x.project_id = $1",
		2, {A_TEXT, A_TSTZ}, true
	},

	/*
	 * A page of outbox rows, and the profile of the first row of each profile
	 * in the page (column 9 true; the others' profile columns are NULL):
	 * about ten rows a profile, and a lookup of the profile per row was 40%
	 * of the page's buffer accesses.  Their events: CT_Q_EXPORT_EVENTS.
	 */
	CT_XQ(CT_Q_EXPORT_ROWS) = {
		"SELECT o.ct_id, o.event_id, p.identity, p.email::text, p.mparticle_id,"
		"       p.properties, p.ct_id IS NOT NULL, p.updated_at, o.first"
		"  FROM (SELECT o.ct_id, o.event_id,"
		"               o.ct_id IS DISTINCT FROM lag(o.ct_id) OVER (ORDER BY o.ct_id, o.event_id) AS first"
		"          FROM (SELECT o.ct_id, o.event_id FROM ctaudience.ct_export_outbox o"
		"                 WHERE o.project_id = $1 AND (o.ct_id, o.event_id) > ($2, $3)"
		"                 ORDER BY o.ct_id, o.event_id LIMIT $4) o) o"
		"  LEFT JOIN LATERAL (SELECT p.ct_id, p.identity, p.email, p.mparticle_id, p.properties, p.updated_at"
		"                       FROM ctaudience.ct_profile p"
		"                      WHERE o.first AND p.project_id = $1 AND p.ct_id = o.ct_id OFFSET 0) p ON true"
		" ORDER BY o.ct_id, o.event_id",
		4, {A_TEXT, A_TEXT, A_INT8, A_INT4}
	},

	/*
	 * The events of a page's outbox rows: for each of its profiles ($2), one
	 * scan of ct_event's primary key from the first of its rows' events to
	 * the last ($3 to $4), instead of a descent of the index per event (a
	 * profile's events are next to each other there; what else the range
	 * holds, events not exported, is passed over by the caller).  An export
	 * of some events only gives each row a range of its own (exportpage.c).
	 */
	CT_XQ(CT_Q_EXPORT_EVENTS) = {
		"SELECT e.ct_id, e.event_id, e.event_name, e.ts, e.props"
		"  FROM unnest($2, $3, $4) AS g(ct_id, lo, hi)"
		" CROSS JOIN LATERAL (SELECT e.ct_id, e.event_id, e.event_name, e.ts, e.props FROM ctaudience.ct_event e"
		"                      WHERE e.project_id = $1 AND e.ct_id = g.ct_id"
		"                        AND e.event_id >= g.lo AND e.event_id <= g.hi OFFSET 0) e",
		4, {A_TEXT, A_TEXT_ARR, A_INT8_ARR, A_INT8_ARR}
	},
	CT_XQ(CT_Q_EXPORT_DROP) = {
		"DELETE FROM ctaudience.ct_export_outbox o USING unnest($2, $3) AS k(ct_id, event_id)"
		" WHERE o.project_id = $1 AND o.ct_id = k.ct_id AND o.event_id = k.event_id",
		3, {A_TEXT, A_TEXT_ARR, A_INT8_ARR}
	},
	CT_XQ(CT_Q_EXPORT_REQUEST) = {
		"INSERT INTO ctaudience.ct_export_request (project_id, request_id, source_request_id, lease_until, attempts,"
		"                                          batches, events, profiles, cut, ct_ids, event_ids, body)"
		" OVERRIDING SYSTEM VALUE"
		" VALUES ($1, nextval('ctaudience.ct_export_request_request_id_seq'), $2, now() + make_interval(secs => $3),"
		"         1, $4, $5, $6, $7, $8, $9, $10)"
		" RETURNING request_id",
		10, {A_TEXT, A_UUID, A_INT4, A_INT4, A_INT4, A_INT4, A_INT4, A_TEXT_ARR, A_INT8_ARR, A_TEXT}
	},
	CT_XQ(CT_Q_EXPORT_END_RUN) = {
		"UPDATE ctaudience.ct_export x"
		"   SET run_started_at = NULL,"
		"       next_run_at = CASE WHEN x.schedule = 'once' THEN NULL ELSE x.run_started_at + x.every END,"
		"       status = CASE WHEN x.schedule = 'once' THEN 'done' ELSE x.status END, updated_at = now()"
		" WHERE x.project_id = $1",
		1, {A_TEXT}
	},

	/*
	 * ct_export_result: mParticle's answer to a request, recorded with the
	 * time as a value ($4, $6: Citus plans these statements)
	 */
	CT_XQ(CT_Q_RESULT_LOCK) = {
		"SELECT 1 FROM ctaudience.ct_export x WHERE x.project_id = $1 FOR UPDATE",
		1, {A_TEXT}
	},
	/* not the body: 256 KB read for nothing */
	CT_XQ(CT_Q_RESULT_REQUEST) = {
		"SELECT q.state, q.batches, q.events, q.profiles, q.cut, q.ct_ids, q.event_ids"
		"  FROM ctaudience.ct_export_request q WHERE q.project_id = $1 AND q.request_id = $2 FOR UPDATE",
		2, {A_TEXT, A_INT8}
	},

	/*
	 * The outbox rows a request covers ($2, $3), found by one scan of the
	 * index between the first and the last of them ($4, $5 to $6, $7), each
	 * checked against the request's keys: one descent of the index instead of
	 * one per row (about 800 a request).  Not a semi-join: the "OR false"
	 * keeps the IN a hashed subplan (the planner pulls up only an IN that
	 * stands alone, and folds the OR away after that).  A row queued later
	 * within that range is not among the keys, and stays.
	 */
	CT_XQ(CT_Q_RESULT_DONE) = {
		"DELETE FROM ctaudience.ct_export_outbox o"
		" WHERE o.project_id = $1 AND (o.ct_id, o.event_id) >= ($4, $5) AND (o.ct_id, o.event_id) <= ($6, $7)"
		"   AND ((o.ct_id, o.event_id) IN (SELECT k.ct_id, k.event_id FROM unnest($2, $3) AS k(ct_id, event_id))"
		"        OR false)",
		7, {A_TEXT, A_TEXT_ARR, A_INT8_ARR, A_TEXT, A_INT8, A_TEXT, A_INT8}
	},
	CT_XQ(CT_Q_RESULT_ACCEPTED) = {
		"UPDATE ctaudience.ct_export_request q"
		"   SET state = 'accepted', http_status = $3, answered_at = $4, lease_until = NULL, body = NULL,"
		"       ct_ids = NULL, event_ids = NULL"
		" WHERE q.project_id = $1 AND q.request_id = $2",
		4, {A_TEXT, A_INT8, A_INT4, A_TSTZ}
	},
	CT_XQ(CT_Q_RESULT_SENT) = {
		"UPDATE ctaudience.ct_export x"
		"   SET requests_sent = x.requests_sent + 1, batches_sent = x.batches_sent + $2,"
		"       events_sent = x.events_sent + $3, profiles_sent = x.profiles_sent + $4, cut = x.cut + $5,"
		"       last_success_at = $6, updated_at = $6"
		" WHERE x.project_id = $1",
		6, {A_TEXT, A_INT4, A_INT4, A_INT4, A_INT4, A_TSTZ}
	},
	/* a dead letter keeps its body and whose it is (for an erasure) */
	CT_XQ(CT_Q_RESULT_DEAD) = {
		"UPDATE ctaudience.ct_export_request q"
		"   SET state = 'dead', http_status = $3, answered_at = $4, lease_until = NULL, error = $5,"
		"       ct_ids = ARRAY(SELECT DISTINCT k.ct_id FROM unnest(q.ct_ids) AS k(ct_id)), event_ids = NULL"
		" WHERE q.project_id = $1 AND q.request_id = $2",
		5, {A_TEXT, A_INT8, A_INT4, A_TSTZ, A_TEXT}
	},
	/* $5: paused (no lease); else leased at least until $6 */
	CT_XQ(CT_Q_RESULT_RETRY) = {
		"UPDATE ctaudience.ct_export_request q"
		"   SET http_status = $3, error = $4,"
		"       lease_until = CASE WHEN $5 THEN NULL ELSE greatest(q.lease_until, $6) END"
		" WHERE q.project_id = $1 AND q.request_id = $2",
		6, {A_TEXT, A_INT8, A_INT4, A_TEXT, A_BOOL, A_TSTZ}
	},
	CT_XQ(CT_Q_RESULT_PAUSE) = {
		"UPDATE ctaudience.ct_export x"
		"   SET status = 'paused', paused_reason = $2, last_error = $3, last_error_at = $4, updated_at = $4"
		" WHERE x.project_id = $1",
		4, {A_TEXT, A_TEXT, A_TEXT, A_TSTZ}
	},
	CT_XQ(CT_Q_RESULT_ERROR) = {
		"UPDATE ctaudience.ct_export x SET last_error = $2, last_error_at = $3, updated_at = $3"
		" WHERE x.project_id = $1",
		3, {A_TEXT, A_TEXT, A_TSTZ}
	},

	/*
	 * An erasure or a merge waits here for a claim of the project's export
	 * that is building its request (it holds the row FOR UPDATE): its next
	 * statement then sees that request.  KEY SHARE: erasures and merges do
	 * not wait for each other.
	 */
	CT_XQ(CT_Q_EXPORT_SERIALIZE) = {
		"SELECT 1 FROM ctaudience.ct_export x WHERE x.project_id = $1 FOR KEY SHARE",
		1, {A_TEXT}
	},
};
