/*
 * statements.c
 *	  The receiver's database session.  Each connection sets
 *	  statement_timeout and plan_cache_mode (a generic plan does not copy
 *	  the message into the plan; on a Citus cluster a custom one lets Citus
 *	  route the call), log_parameter_max_length_on_error = 0 (an error
 *	  logs no body, whose passcode it holds, whatever the server's default;
 *	  log_parameter_max_length is the superuser's to set for the role), and
 *	  prepares the receiver's statements.
 */
#include <stdio.h>
#include <string.h>

#include "common_log.h"
#include "config.h"
#include "statements.h"

/*
 * On a Citus cluster (ct_distribute()), the call names the message's
 * project and is nothing but the call, planned for its values: Citus then
 * sends it to the worker that holds the project (docs/scaling.md).
 */
static const char ct_firehose_citus[] =
"SELECT ctaudience.ct_firehose(coalesce(ctaudience.ct_message_project($1::text), ''), $1::text)";

static const char *const ct_stmt_sql[] = {
	[CT_STMT_FIREHOSE] = "SELECT ctaudience.ct_firehose($1::text)::text",
	[CT_STMT_ENQUEUE] = "SELECT ctaudience.ct_firehose_enqueue($1::text)::text",
	[CT_STMT_HEALTH] = "SELECT 1",
	[CT_STMT_INBOX] = "SELECT pending, dead FROM ctaudience.ct_inbox_depth()",
};
#define CT_NSTMTS ((int) (sizeof(ct_stmt_sql) / sizeof(ct_stmt_sql[0])))

/* A statement's prepared name: "ct" and its number. */
static void
ct_stmt_name(CtStmt stmt, char name[16])
{
	snprintf(name, 16, "ct%d", (int) stmt);
}

/* Whether a set-up command did what it should; if not, it is logged and cleared. */
static bool
ct_setup_ok(PGresult *r, ExecStatusType expected, const char *what)
{
	if (PQresultStatus(r) == expected)
		return true;
	ct_log_error(what, PQresultErrorMessage(r));
	PQclear(r);
	return false;
}

/* The receiver's CtConnSetup: settings, prepared statements, the extension loaded. */
bool
ct_session_setup(PGconn *pg)
{
	char		setting[200];
	char		name[16];
	PGresult   *r;
	bool		distributed;

	r = PQexec(pg, "SELECT ctaudience.ct_is_distributed()");
	if (!ct_setup_ok(r, PGRES_TUPLES_OK, "database session set-up failed"))
		return false;
	distributed = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	snprintf(setting, sizeof(setting),
			 "SET application_name = 'ctaudience-receiver'; SET statement_timeout = %d;"
			 " SET plan_cache_mode = %s; SET log_parameter_max_length_on_error = 0",
			 ct_config.statement_timeout,
			 distributed ? "force_custom_plan" : "force_generic_plan");
	r = PQexec(pg, setting);
	if (!ct_setup_ok(r, PGRES_COMMAND_OK, "database session set-up failed"))
		return false;
	PQclear(r);
	for (int s = 0; s < CT_NSTMTS; s++)
	{
		ct_stmt_name(s, name);
		/* fails e.g. when the extension is older than the receiver */
		r = PQprepare(pg, name, distributed && s == CT_STMT_FIREHOSE ? ct_firehose_citus : ct_stmt_sql[s],
					  s == CT_STMT_FIREHOSE || s == CT_STMT_ENQUEUE ? 1 : 0, NULL);
		if (!ct_setup_ok(r, PGRES_COMMAND_OK, "preparing a statement failed"))
			return false;
		PQclear(r);
	}

	/*
	 * Load the extension's library in the new backend now, rather than in the
	 * first request it serves.
	 */
	ct_stmt_name(CT_STMT_INBOX, name);
	PQclear(PQexecPrepared(pg, name, 0, NULL, NULL, NULL, 0));
	return true;
}

/* See statements.h. */
PGresult *
ct_stmt_exec(CtConn *conn, CtStmt stmt, const char *param, int len)
{
	char		name[16];
	const char *values[1] = {param};
	int			lengths[1] = {len};

	ct_stmt_name(stmt, name);
	return ct_conn_exec(conn, name, param ? 1 : 0, values, lengths);
}
