/*
 * statements.h
 *	  The exporter's SQL: how each of its connections is set up, and the
 *	  calls of the extension's export functions it makes.
 */
#ifndef CT_STATEMENTS_H
#define CT_STATEMENTS_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "common_pool.h"

typedef enum CtStmt
{
	CT_STMT_DUE,				/* ct_export_due() */
	CT_STMT_CLAIM,				/* ct_export_claim(project_id, lease_seconds) */
	CT_STMT_BEGIN,				/* BEGIN: the transaction of a post */
	CT_STMT_HOLD,				/* ct_export_hold(project_id, request_id) */
	CT_STMT_COMMIT,				/* COMMIT: after the post */
	CT_STMT_ROLLBACK,			/* ROLLBACK: no post */
	CT_STMT_RESULT,				/* ct_export_result(project_id, request_id,
								 * http_status, error, retry_after_seconds) */
	CT_STMT_HEALTH				/* SELECT 1 */
} CtStmt;

extern bool ct_session_setup(PGconn *pg);

/*
 * One statement with its parameters (text; NULL is SQL NULL), as
 * ct_conn_exec: the result, or NULL when the connection broke.  A claim
 * run twice leaves the request leased until the lease ends, then it is
 * claimed again; a result run twice must be harmless to the extension.
 * A hold sent again on a fresh connection, after its BEGIN was lost, is
 * refused (25P01: no transaction block) and nothing is posted; a COMMIT
 * sent again is a warning only.
 */
extern PGresult *ct_stmt_exec(CtConn *conn, CtStmt stmt, int nparams, const char *const *values);

#endif							/* CT_STATEMENTS_H */
