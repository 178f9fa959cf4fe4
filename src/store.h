/*
 * store.h
 *	  Every lookup and write of the extension: prepared SPI plans, kept for
 *	  the life of the backend, with parameters only (no SQL is ever built
 *	  from input).
 */
#ifndef CT_STORE_H
#define CT_STORE_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "executor/spi.h"
#include "utils/jsonb.h"

/* The statements; their SQL and parameter types are in store.c. */
typedef enum CtStmt
{
	CT_Q_PROJECT,				/* a project by id */
	CT_Q_MESSAGE,				/* a processed message's response */
	CT_Q_LOG_MESSAGE,			/* record a processed message */
	CT_Q_SEGMENTS,				/* segments by audience ids */
	CT_Q_CREATE_SEGMENTS,		/* create missing segments */
	CT_Q_RENAME_SEGMENTS,		/* rename segments (newest name wins) */
	CT_Q_SET_SEGMENT_FIELD,		/* remember a segment's userIdField */
	CT_Q_PROFILES_BY_CTID,		/* profiles by CleverTap ID */
	CT_Q_PROFILES_BY_IDENTITY,	/* profiles by Identity */
	CT_Q_PROFILES_BY_CTID_LOCK, /* profiles by CleverTap ID, locked in key order */
	CT_Q_INSERT_PROFILES,		/* create profiles, racing other sessions */
	CT_Q_INSERT_PROFILES_PLAIN, /* create profiles known to be absent */
	CT_Q_UPDATE_PROFILES,		/* merge email, phone, identity, attributes */
	CT_Q_UPSERT_MEMBERS,		/* membership, last writer wins */
	CT_Q_INSERT_MEMBERS,		/* memberships of profiles just created */
	CT_Q_STALE_ENTRIES,			/* which membership statements were stale */
	CT_Q_LOG_SAMPLES,			/* samples of skipped or invalid users */
	CT_Q_MEMBERS,				/* memberships of (segment, profile) pairs, for the dry run */
	CT_Q_SUBSCRIBE,				/* audience subscription add/update/remove */
	CT_Q_ERASE_FIND,			/* data subject erasure: the profiles named */
	CT_Q_ERASE_MEMBERS,			/* data subject erasure: memberships first */
	CT_Q_ERASE,					/* data subject erasure: the rest */
	CT_Q_ERASE_INBOX,			/* data subject erasure: queued messages */
	CT_Q_LOG_DSR,				/* record a data subject request */
	CT_Q_TRIG_SEGMENTS,			/* trigger: the segments of changed memberships */
	CT_Q_TRIG_CONTACTS,			/* trigger: email/phone presence of profiles */
	CT_Q_TRIG_EVENTS,			/* trigger: Partner Sync events */
	CT_Q_TRIG_DELTAS,			/* trigger: segment statistics delta rows */
	CT_Q_TRIG_USAGE,			/* trigger: usage delta rows */
	CT_Q_TRIG_REACHABLE,		/* trigger: reachable changes of profiles' segments */
	CT_Q_COMPACT_SEGMENTS,		/* fold statistics delta rows of segments */
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
extern char *ct_store_get_text(int row, int col);	/* palloc'd in caller's context, NULL if null */

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
	Oid			elemtype;
	int16		typlen;
	bool		typbyval;
	char		typalign;
} CtArr;

extern void ct_arr_init(CtArr *a, int cap, Oid elemtype);
extern Datum ct_arr_datum(CtArr *a);

/* Append an element (the array was sized by ct_arr_init). */
static inline void
ct_arr_add(CtArr *a, Datum v, bool isnull)
{
	a->values[a->n] = v;
	a->nulls[a->n] = isnull;
	a->n++;
}


/* The columns of new or changed profiles, one element per profile. */
typedef struct CtProfileCols
{
	CtArr		ct_id;			/* text */
	CtArr		identity;		/* text or null */
	CtArr		email;			/* ct_email or null */
	CtArr		phone;			/* ct_phone (int8) or null */
	CtArr		mpid;			/* text or null */
	CtArr		props;			/* jsonb or null */
	CtArr		props_ts;		/* jsonb or null: properties_ts (inserts only) */
} CtProfileCols;

/*
 * Rows written the way COPY writes them (heap multi-insert, then the index
 * entries), where nothing on the table would be bypassed; see store.c.
 * Partner Sync events (project, ct_id, ts, props); memberships that do not
 * exist yet; new profiles.  The last two return false, having done nothing,
 * when SQL must do it.
 */
extern void ct_store_insert_events(CtArr *project, CtArr *ct_id, CtArr *ts, CtArr *props);
extern bool ct_store_insert_members(Datum project_id, CtArr *segment, CtArr *ct_id,
									CtArr *is_member, TimestampTz stated_at);
extern bool ct_store_insert_profiles(Datum project_id, CtProfileCols *cols, TimestampTz ts);

/*
 * Whether each (segment, ct_id) pair of one project has a membership row a
 * statement run now would see (direct probes of the primary key).  False,
 * having done nothing, when the table is not as the extension made it.
 */
extern bool ct_store_members_present(Datum project_id, CtArr *segment, CtArr *ct_id,
									 bool *present);

/*
 * Whether the profiles (project[i], ct_id[i]) have an email and a phone,
 * for the Partner Sync trigger's statistics: found(arg, i, ...) for each
 * that exists, by direct probes of the primary key (a plan chosen on stale
 * statistics could scan a whole project per key).  False, having done
 * nothing, when the table is not as the extension made it.
 */
typedef void (*CtContactFound) (void *arg, int i, bool has_email, bool has_phone);
extern bool ct_store_profile_contacts(CtArr *project, CtArr *ct_id, CtContactFound found,
									  void *arg);

/*
 * The memberships of the profiles (project[i], ct_id[i]): found(arg, i,
 * segment_id, is_member) for each row, by direct probes of the index on
 * (project_id, ct_id).  False, having done nothing, when the table is not
 * as the extension made it.
 */
typedef void (*CtMembershipFound) (void *arg, int i, int64 segment_id, bool is_member);
extern bool ct_store_profile_memberships(CtArr *project, CtArr *ct_id, CtMembershipFound found,
										 void *arg);

/*
 * Look up the profiles of one project by CleverTap ID or by Identity (text
 * datums; sorted here), as CT_Q_PROFILES_BY_CTID / _BY_IDENTITY would, but
 * with direct probes of the unique index; with lock, as
 * CT_Q_PROFILES_BY_CTID_LOCK does: each row locked FOR UPDATE in key order,
 * its newest version given.
 * found() gets each row's columns ct_id, identity, email, phone, email_ts,
 * phone_ts, mparticle_id, properties_ts (values[0..CT_PROFILE_LOOKUP_COLS -
 * 1], valid during the call only) and its TID.  False, having done nothing,
 * when the table is not as the extension made it (row security, the index
 * missing or changed): the caller uses the SQL statement.
 */
#define CT_PROFILE_LOOKUP_COLS 8
typedef void (*CtProfileFound) (void *arg, Datum *values, bool *isnull, ItemPointer tid);
extern bool ct_store_lookup_profiles(Datum project_id, bool by_identity, CtArr *keys, bool lock,
									 CtProfileFound found, void *arg);

/* Sort text datums bytewise (the C collation of the key columns). */
extern int	ct_cmp_text_datum(const void *a, const void *b);

#endif							/* CT_STORE_H */
