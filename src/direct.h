/*
 * direct.h
 *	  Rows read and written below SQL (direct.c): new rows written the way
 *	  COPY writes them, lookups by direct probes of an index.  Each returns
 *	  false, having done nothing, when the table is not as the extension
 *	  made it; the caller then runs the SQL statement.
 */
#ifndef CT_DIRECT_H
#define CT_DIRECT_H

#include "postgres.h"

#include "storage/itemptr.h"
#include "utils/relcache.h"

#include "pathcheck.h"
#include "store.h"

/*
 * For the direct writers of other files (queue.c).  ct_open_plain opens
 * the table of a path (pathcheck.h) for direct writes, RowExclusiveLock,
 * when it may be taken (*index, unless NULL, then its arbiter index);
 * otherwise it runs the batch's own statement (unless NULL) and returns
 * NULL.  ct_multi_insert writes n
 * rows the way COPY does (heap multi-insert in batches, then their index
 * entries, unique ones checked), fill() setting the columns of row i (all
 * null on entry), and closes nothing.  ct_columns sets each ref's attno to
 * its column's (0-based); ct_table_sequence is an identity column's
 * sequence.
 */
typedef void (*CtFillRow) (void *arg, int i, Datum *values, bool *nulls);
typedef struct CtColumnRef
{
	const char *name;
	int		   *attno;
} CtColumnRef;
extern Relation ct_open_plain(CtDirectPath path, Datum project, CtBatch *otherwise, Oid *index);
extern void ct_multi_insert(Relation rel, int n, CtFillRow fill, void *arg);
extern void ct_columns(Relation rel, const CtColumnRef *refs, int n);
extern Oid	ct_table_sequence(const char *name, const char *column);

/*
 * Rows written the way COPY writes them (heap multi-insert, then the index
 * entries), where nothing on the table would be bypassed; see direct.c.
 * Partner Sync events (a batch of CT_Q_TRIG_EVENTS, which runs where the
 * rows cannot be written directly); memberships that do not
 * exist yet; new profiles.  The last two return false, having done nothing,
 * when SQL must do it.
 */
extern void ct_direct_insert_events(CtBatch *events, CtArr *out_ctid, CtArr *out_id);	/* of CT_Q_TRIG_EVENTS */
extern bool ct_direct_insert_members(CtBatch *members); /* of
														 * CT_Q_INSERT_MEMBERS */
extern bool ct_direct_insert_profiles(CtBatch *rows);	/* of
														 * CT_Q_INSERT_PROFILES_PLAIN */

/*
 * Whether each (segment, ct_id) pair of one project has a membership row a
 * statement run now would see (direct probes of the primary key).  False,
 * having done nothing, when the table is not as the extension made it.
 */
extern bool ct_direct_members_present(CtBatch *members, bool *present);

/*
 * Whether the profiles (project[i], ct_id[i]) have an email and a phone,
 * for the Partner Sync trigger's statistics: found(arg, i, ...) for each
 * that exists, by direct probes of the primary key (a plan chosen on stale
 * statistics could scan a whole project per key).  False, having done
 * nothing, when the table is not as the extension made it.
 */
typedef void (*CtContactFound) (void *arg, int i, bool has_email, bool has_phone);
extern bool ct_direct_profile_contacts(CtArr *project, CtArr *ct_id, CtContactFound found,
									   void *arg);

/*
 * The memberships of the profiles (project[i], ct_id[i]): found(arg, i,
 * segment_id, is_member) for each row, by direct probes of the index on
 * (project_id, ct_id).  False, having done nothing, when the table is not
 * as the extension made it.
 */
typedef void (*CtMembershipFound) (void *arg, int i, int64 segment_id, bool is_member);
extern bool ct_direct_profile_memberships(CtArr *project, CtArr *ct_id, CtMembershipFound found,
										  void *arg);

/*
 * Look up the profiles of one project by CleverTap ID or by Identity (text
 * datums; sorted here), as CT_Q_PROFILES_BY_CTID / _BY_IDENTITY would, but
 * with direct probes of the unique index; with lock, as
 * CT_Q_PROFILES_BY_CTID_LOCK does: each row locked FOR UPDATE in key order,
 * its newest version given.
 * found() gets each row's columns ct_id, identity, email, phone, email_ts,
 * phone_ts, mparticle_id, properties_ts, named, identity_ts, created_at
 * (values[0..CT_PROFILE_LOOKUP_COLS - 1], valid during the call only) and
 * its TID.  False, having done nothing,
 * when the table is not as the extension made it (row security, the index
 * missing or changed): the caller uses the SQL statement.
 */
#define CT_PROFILE_LOOKUP_COLS 11
typedef void (*CtProfileFound) (void *arg, Datum *values, bool *isnull, ItemPointer tid);
extern bool ct_direct_lookup_profiles(Datum project_id, bool by_identity, CtArr *keys, bool lock,
									  CtProfileFound found, void *arg);

/*
 * The aliases among keys (CleverTap IDs of profiles merged into another,
 * ct_profile_alias): found(arg, values, isnull, tid) for each, values[0]
 * the alias and values[1] the CleverTap ID it stands for, by direct probes
 * of its primary key with the snapshot a statement run now would take, as
 * ct_direct_lookup_profiles.  Sorts keys.  False, having done nothing,
 * when the table is not as the extension made it.
 */
extern bool ct_direct_profile_aliases(Datum project_id, CtArr *keys, CtProfileFound found,
									  void *arg);

/* Sort text datums bytewise (the C collation of the key columns). */
extern int	ct_cmp_text_datum(const void *a, const void *b);

#endif							/* CT_DIRECT_H */
