/*
 * statements.c
 *	  The exporter's database session.  Each connection names itself,
 *	  sets statement_timeout, and plans every call for its values
 *	  (force_custom_plan): on a Citus coordinator that is what lets Citus
 *	  send a call that names a project to the worker that holds it, and
 *	  elsewhere it costs nothing for a statement that is one function call.
 *	  The calls are prepared once per connection.
 */
#include <stdio.h>

#include "common_log.h"
#include "config.h"
#include "statements.h"

/*
 * A request is held (ct_export_hold) in a transaction left idle while it is
 * posted, at most --timeout: the server ends one idle longer than that and
 * this, so that a stuck exporter holds up no erasure.
 */
#define CT_HOLD_SLACK_MS 10000

/*
 * Each call names the project first: what a Citus coordinator routes by.
 * BEGIN, the hold, COMMIT or ROLLBACK: the transaction a request is posted
 * in (pump.c).
 */
static const struct
{
	const char *sql;
	int			nparams;
}			ct_stmts[] = {
	[CT_STMT_DUE] = {"SELECT project_id FROM ctaudience.ct_export_due()", 0},
	[CT_STMT_CLAIM] = {"SELECT * FROM ctaudience.ct_export_claim($1::text, $2::integer)", 2},
	[CT_STMT_BEGIN] = {"BEGIN", 0},
	[CT_STMT_HOLD] = {"SELECT ctaudience.ct_export_hold($1::text, $2::bigint)", 2},
	[CT_STMT_COMMIT] = {"COMMIT", 0},
	[CT_STMT_ROLLBACK] = {"ROLLBACK", 0},
	[CT_STMT_RESULT] = {"SELECT ctaudience.ct_export_result($1::text, $2::bigint, $3::integer, $4::text, $5::integer)", 5},
	[CT_STMT_HEALTH] = {"SELECT 1", 0},
};
#define CT_NSTMTS ((int) (sizeof(ct_stmts) / sizeof(ct_stmts[0])))

/* A statement's prepared name. */
static void
ct_stmt_name(CtStmt stmt, char name[16])
{
	snprintf(name, 16, "ctx%d", (int) stmt);
}

/* The exporter's CtConnSetup: settings, then the prepared statements. */
bool
ct_session_setup(PGconn *pg)
{
	char		sql[200];
	char		name[16];
	PGresult   *r;

	snprintf(sql, sizeof(sql),
			 "SET application_name = 'ctaudience-exporter'; SET statement_timeout = %d;"
			 " SET plan_cache_mode = force_custom_plan; SET idle_in_transaction_session_timeout = %d",
			 ct_config.statement_timeout, ct_config.timeout * 1000 + CT_HOLD_SLACK_MS);
	r = PQexec(pg, sql);
	for (int s = 0; PQresultStatus(r) == PGRES_COMMAND_OK && s < CT_NSTMTS; s++)
	{
		PQclear(r);
		ct_stmt_name(s, name);

		/*
		 * fails when the extension is older than the exporter, or the role
		 * may not call it
		 */
		r = PQprepare(pg, name, ct_stmts[s].sql, ct_stmts[s].nparams, NULL);
	}
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
	{
		ct_log_error("database session set-up failed", PQresultErrorMessage(r));
		PQclear(r);
		return false;
	}
	PQclear(r);
	return true;
}

/* See statements.h. */
PGresult *
ct_stmt_exec(CtConn *conn, CtStmt stmt, int nparams, const char *const *values)
{
	char		name[16];

	ct_stmt_name(stmt, name);
	return ct_conn_exec(conn, name, nparams, values, NULL);
}
