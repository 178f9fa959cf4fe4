/*
 * statements.h
 *	  The receiver's SQL: how each of its connections is set up, and the
 *	  statements it runs.
 */
#ifndef CT_STATEMENTS_H
#define CT_STATEMENTS_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "common_pool.h"

typedef enum CtStmt
{
	CT_STMT_FIREHOSE,			/* ct_firehose($1::text) */
	CT_STMT_ENQUEUE,			/* ct_firehose_enqueue($1::text) */
	CT_STMT_HEALTH,				/* SELECT 1 */
	CT_STMT_INBOX,				/* ct_inbox_depth() */
	CT_STMT_NODE				/* ct_project_node($1): on a cluster only */
} CtStmt;

extern bool ct_session_setup(PGconn *pg);

/* Whether the --dsn database is distributed (Citus), as its connections found. */
extern bool ct_session_is_distributed(void);

/* A connection to a worker of the cluster: ct_worker_exec's statement. */
extern bool ct_worker_session_setup(PGconn *pg);

/*
 * On a worker: ct_firehose(project, body) there, and where the project is
 * kept when not there (columns 1 and 2, else NULL); as ct_conn_exec.
 */
extern PGresult *ct_worker_exec(CtConn *conn, const char *project, const char *body, int len);

/*
 * One statement with its text parameter (or none: NULL), as ct_conn_exec.
 * Each is harmless to run twice: the extension answers a message id it has
 * answered with the same response.
 */
extern PGresult *ct_stmt_exec(CtConn *conn, CtStmt stmt, const char *param, int len);

#endif							/* CT_STATEMENTS_H */
