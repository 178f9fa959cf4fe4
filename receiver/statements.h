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
	CT_STMT_INBOX				/* ct_inbox_depth() */
} CtStmt;

extern bool ct_session_setup(PGconn *pg);

/*
 * One statement with its text parameter (or none: NULL), as ct_conn_exec.
 * Each is harmless to run twice: the extension answers a message id it has
 * answered with the same response.
 */
extern PGresult *ct_stmt_exec(CtConn *conn, CtStmt stmt, const char *param, int len);

#endif							/* CT_STATEMENTS_H */
