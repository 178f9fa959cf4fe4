/*
 * statements.c
 *	  The receiver's database session.  Each connection sets
 *	  statement_timeout and plan_cache_mode (a generic plan does not copy
 *	  the message into the plan; on a Citus cluster a custom one lets Citus
 *	  route the call), log_parameter_max_length_on_error = 0 (an error
 *	  logs no body, whose passcode it holds, whatever the server's default;
 *	  log_parameter_max_length is the superuser's to set for the role), and
 *	  prepares the receiver's statements.  A connection to a worker of a
 *	  Citus cluster (route.c) is set up alike, with one statement of its own.
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

/*
 * On a worker (route.c): the call for the project the receiver peeked, run
 * there (a generic plan: Citus delegates nothing, and the message is not
 * copied into a plan); and where the project is kept if not there: its
 * shards moved, and the worker sent the call on to the node that holds them
 * now.
 */
static const char ct_firehose_worker[] =
"SELECT ctaudience.ct_firehose($1::text, $2::text)::text, n.node_host, n.node_port"
"  FROM ctaudience.ct_project_node($1::text) n";

static const char *const ct_stmt_sql[] = {
	[CT_STMT_FIREHOSE] = "SELECT ctaudience.ct_firehose($1::text)::text",
	[CT_STMT_ENQUEUE] = "SELECT ctaudience.ct_firehose_enqueue($1::text)::text",
	[CT_STMT_HEALTH] = "SELECT 1",
	[CT_STMT_INBOX] = "SELECT pending, dead FROM ctaudience.ct_inbox_depth()",
	/* prepared on a cluster, when the receiver routes (route.c) */
	[CT_STMT_NODE] = "SELECT node_host, node_port FROM ctaudience.ct_project_node($1::text)",
};

/* Whether the --dsn database is distributed, as its connections found. */
static bool ct_distributed = false;
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

/*
 * application_name, statement_timeout, plan_cache_mode and
 * log_parameter_max_length_on_error (see above) on a new connection.
 */
static bool
ct_session_settings(PGconn *pg, bool custom_plans)
{
	char		setting[200];
	PGresult   *r;

	snprintf(setting, sizeof(setting),
			 "SET application_name = 'ctaudience-receiver'; SET statement_timeout = %d;"
			 " SET plan_cache_mode = %s; SET log_parameter_max_length_on_error = 0",
			 ct_config.statement_timeout, custom_plans ? "force_custom_plan" : "force_generic_plan");
	r = PQexec(pg, setting);
	if (!ct_setup_ok(r, PGRES_COMMAND_OK, "database session set-up failed"))
		return false;
	PQclear(r);
	return true;
}

/* Whether the database of pg says it is distributed; NULL: it did not answer. */
static const char *
ct_session_distributed(PGconn *pg)
{
	PGresult   *r = PQexec(pg, "SELECT ctaudience.ct_is_distributed()");
	const char *answer;

	if (!ct_setup_ok(r, PGRES_TUPLES_OK, "database session set-up failed"))
		return NULL;
	answer = strcmp(PQgetvalue(r, 0, 0), "t") == 0 ? "t" : "f";
	PQclear(r);
	return answer;
}

/* The receiver's CtConnSetup: settings, prepared statements, the extension loaded. */
bool
ct_session_setup(PGconn *pg)
{
	char		name[16];
	PGresult   *r;
	const char *answer = ct_session_distributed(pg);
	bool		distributed;

	if (answer == NULL)
		return false;
	distributed = answer[0] == 't';
	__atomic_store_n(&ct_distributed, distributed, __ATOMIC_RELAXED);
	if (!ct_session_settings(pg, distributed))
		return false;
	for (int s = 0; s < CT_NSTMTS; s++)
	{
		if (s == CT_STMT_NODE && !distributed)
			continue;
		ct_stmt_name(s, name);
		/* fails e.g. when the extension is older than the receiver */
		r = PQprepare(pg, name, distributed && s == CT_STMT_FIREHOSE ? ct_firehose_citus : ct_stmt_sql[s],
					  s == CT_STMT_FIREHOSE || s == CT_STMT_ENQUEUE || s == CT_STMT_NODE ? 1 : 0, NULL);
		if (!ct_setup_ok(r, PGRES_COMMAND_OK, "preparing a statement failed"))
		{
			/*
			 * an extension older than ct_project_node: no routing, calls as
			 * before
			 */
			if (s == CT_STMT_NODE)
				continue;
			return false;
		}
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
bool
ct_session_is_distributed(void)
{
	return __atomic_load_n(&ct_distributed, __ATOMIC_RELAXED);
}

/*
 * See statements.h.  A node that does not know itself part of the cluster
 * (no Citus metadata: ct_is_distributed() false) would import into its own
 * empty tables: refused.
 */
bool
ct_worker_session_setup(PGconn *pg)
{
	char		name[16];
	PGresult   *r;
	const char *answer = ct_session_distributed(pg);

	if (answer == NULL)
		return false;
	if (answer[0] != 't')
	{
		ct_log_error("a worker refused", "it has no Citus metadata of the distributed tables");
		return false;
	}
	if (!ct_session_settings(pg, false))
		return false;
	ct_stmt_name(CT_STMT_FIREHOSE, name);
	r = PQprepare(pg, name, ct_firehose_worker, 2, NULL);
	if (!ct_setup_ok(r, PGRES_COMMAND_OK, "preparing a statement failed"))
		return false;
	PQclear(r);
	return true;
}

/* See statements.h. */
PGresult *
ct_worker_exec(CtConn *conn, const char *project, const char *body, int len)
{
	char		name[16];
	const char *values[2] = {project, body};
	int			lengths[2] = {(int) strlen(project), len};

	ct_stmt_name(CT_STMT_FIREHOSE, name);
	return ct_conn_exec(conn, name, 2, values, lengths);
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
