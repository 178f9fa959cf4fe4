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

/* The statements; their SQL and parameter types are in store.c. */
typedef enum CtStmt
{
	CT_Q_PROJECT,				/* a project by id */
	CT_Q_MESSAGE,				/* a processed message's response */
	CT_Q_LOG_MESSAGE,			/* record a processed message */
	CT_Q_SEGMENTS,				/* segments by audience ids */
	CT_Q_CREATE_SEGMENTS,		/* create missing segments */
	CT_Q_RENAME_SEGMENTS,		/* rename segments (newest name wins) */
	CT_Q_PROFILES_BY_CTID,		/* profiles by CleverTap ID */
	CT_Q_PROFILES_BY_IDENTITY,	/* profiles by Identity */
	CT_Q_PROFILES_BY_CTID_LOCK, /* profiles by CleverTap ID, locked in key
								 * order */
	CT_Q_INSERT_PROFILES,		/* create profiles, racing other sessions */
	CT_Q_INSERT_PROFILES_PLAIN, /* create profiles known to be absent */
	CT_Q_UPDATE_PROFILES,		/* merge email, phone, identity, attributes */
	CT_Q_UPSERT_MEMBERS,		/* membership, last writer wins */
	CT_Q_INSERT_MEMBERS,		/* memberships of profiles just created */
	CT_Q_STALE_ENTRIES,			/* which membership statements were stale */
	CT_Q_LOG_SAMPLES,			/* samples of skipped or invalid users */
	CT_Q_MEMBERS,				/* memberships of (segment, profile) pairs,
								 * for the dry run */
	CT_Q_SUBSCRIBE,				/* audience subscription add/update/remove */
	CT_Q_ERASE_FIND,			/* data subject erasure: the profiles named */
	CT_Q_ERASE_MEMBERS,			/* data subject erasure: memberships first */
	CT_Q_ERASE,					/* data subject erasure: the rest */
	CT_Q_ERASE_INBOX,			/* data subject erasure: queued messages */
	CT_Q_LOG_DSR,				/* record a data subject request */
	CT_Q_TRIG_SEGMENTS,			/* trigger: the segments of changed
								 * memberships */
	CT_Q_TRIG_CONTACTS,			/* trigger: email/phone presence of profiles */
	CT_Q_TRIG_EVENTS,			/* trigger: Partner Sync events */
	CT_Q_TRIG_DELTAS,			/* trigger: segment statistics delta rows */
	CT_Q_TRIG_USAGE,			/* trigger: usage delta rows */
	CT_Q_TRIG_REACHABLE,		/* trigger: reachable changes of profiles'
								 * segments */
	CT_Q_COMPACT_SEGMENTS,		/* fold statistics delta rows of segments */
	CT_Q_INBOX_ENQUEUE,			/* queue a message */
	CT_Q_INBOX_DEPTH,			/* messages pending and dead */
	CT_Q_INBOX_DUE,				/* due messages, oldest first, locked
								 * (ct_process_inbox) */
	CT_Q_INBOX_CLAIM,			/* claim the oldest due message: its attempt
								 * counted, leased */
	CT_Q_INBOX_READ,			/* a claimed message, locked */
	CT_Q_INBOX_DONE,			/* record a message answered */
	CT_Q_INBOX_FAILED,			/* record a failed attempt (pending again, or
								 * dead) */
	CT_Q_INBOX_PURGE,			/* remove answered messages past their
								 * retention */
	CT_Q_LIVE_CAMPAIGNS,		/* the running live campaigns an event
								 * triggers */
	CT_Q_QUALIFY_MEMBERS,		/* which profiles are in a live campaign's
								 * segments */
	CT_Q_QUEUE,					/* queue qualified profiles of live campaigns */
	CT_Q_RECORD_EVENT,			/* record an app event of a profile */
	CT_NUM_STMTS
} CtStmt;

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
#define CT_MAX_ARGS 10

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
