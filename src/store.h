/*
 * store.h
 *	  The extension's SQL statements: prepared SPI plans, kept for the life
 *	  of the backend, with parameters only (no SQL is ever built from
 *	  input).  Rows read and written below SQL: direct.h.
 */
#ifndef CT_STORE_H
#define CT_STORE_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "executor/spi.h"

#include "queries.h"


/* Connect SPI and make sure the plans belong to this installation. */
extern void ct_store_connect(void);
extern void ct_store_finish(void);

/* Run a statement; returns SPI_processed, results in SPI_tuptable. */
extern uint64 ct_store_exec(CtStmt stmt, Datum *values, const char *nulls,
							bool read_only);
extern uint64 ct_store_exec_latest(CtStmt stmt, Datum *values, const char *nulls);

/* OIDs of the extension's types, valid after ct_store_connect(). */
extern Oid	ct_email_type_oid(void);
extern Oid	ct_phone_type_oid(void);

/* Small helpers over the current SPI_tuptable. */
extern Datum ct_store_get(int row, int col, bool *isnull);
extern char *ct_store_get_text(int row, int col);	/* palloc'd in caller's
													 * context, NULL if null */

typedef struct CtProject
{
	char	   *project_id;
	char	   *region;
	char	   *account_token;
	char	   *passcode_hash;
	bool		has_expiry;
	TimestampTz passcode_expires_at;
	char	   *default_country;	/* NULL when none */
} CtProject;

/* Look up a project; false when unknown.  Strings are palloc'd in mcxt. */
extern bool ct_store_get_project(const char *project_id, int len, CtProject *out,
								 MemoryContext mcxt);

/*
 * Arrays that feed a whole message to one statement (unnested in SQL).
 */
typedef struct CtArr
{
	Datum	   *values;
	bool	   *nulls;
	int			n;
	int			cap;			/* room for this many */
	Oid			elemtype;
	int16		typlen;
	bool		typbyval;
	char		typalign;
} CtArr;

extern Datum ct_arr_datum(CtArr *a);

/*
 * An array for parameter $param of a statement (an array parameter), of
 * the element type the statement declares, with room for cap elements.
 */
extern void ct_arr_for(CtArr *a, CtStmt stmt, int param, int cap);

/* The largest number of parameters a statement has. */

/*
 * One execution of a statement that takes a batch of rows as arrays: every
 * array parameter $k gets an array of the statement's own element type
 * (CT_COL(b, k)), filled by the caller; scalar parameters are set in
 * values[k - 1] (nulls[k - 1] = 'n' for NULL).
 */
typedef struct CtBatch
{
	CtStmt		stmt;
	CtArr		col[CT_MAX_ARGS];
	Datum		values[CT_MAX_ARGS];
	char		nulls[CT_MAX_ARGS];
} CtBatch;

#define CT_COL(b, k) (&(b)->col[(k) - 1])

extern void ct_batch_init(CtBatch *b, CtStmt stmt, int cap);

/* Run it: the arrays become the array parameters; returns SPI_processed. */
extern uint64 ct_batch_exec(CtBatch *b, bool read_only);

/* Run it as stmt, a statement with the same parameters. */
extern uint64 ct_batch_exec_as(CtBatch *b, CtStmt stmt, bool read_only);

/* Append an element (the array was sized by ct_arr_init). */
static inline void
ct_arr_add(CtArr *a, Datum v, bool isnull)
{
	if (unlikely(a->n >= a->cap))
		elog(ERROR, "ctaudience: an array of %d elements is full", a->cap);
	a->values[a->n] = v;
	a->nulls[a->n] = isnull;
	a->n++;
}


#endif							/* CT_STORE_H */
