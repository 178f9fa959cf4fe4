/*
 * members.h
 *	  The import steps that write memberships and fold statistics.
 */
#ifndef CT_MEMBERS_H
#define CT_MEMBERS_H

#include "importstate.h"

/* One membership statement of the message. */
typedef struct CtMember
{
	int64		segment_id;		/* 0: a segment a dry run did not create */
	int			audience;		/* index into msg.audiences */
	const char *ct_id;
	int			order;			/* index into msg.entries */
	bool		is_member;
	bool		created;		/* its profile was created by this message */
	bool		superseded;		/* a later entry of the message states the
								 * same pair */
} CtMember;

/*
 * The message's add and delete statements of users with a profile, sorted
 * by segment and profile, in *count; those for disconnected segments are
 * left out (counted and sampled as refused), and all but the last of the
 * statements of one pair are marked superseded (counted as unchanged).
 */
extern CtMember *ct_member_statements(CtImport *im, int *count);

/* A stored membership. */
typedef struct CtStoredMember
{
	bool		is_member;
	TimestampTz stated_at;
} CtStoredMember;

typedef enum CtMemberChange
{
	CT_CHANGE_NONE,
	CT_CHANGE_ADD,
	CT_CHANGE_REMOVE,
	CT_CHANGE_STALE				/* a newer statement is stored, or a removal
								 * of the same time as this add: ignored */
} CtMemberChange;

/*
 * The change a statement (is_member, of a message of time ts) makes to the
 * stored membership of its pair (NULL: none), as the import applies it.
 */
extern CtMemberChange ct_member_change(const CtStoredMember *stored, bool is_member,
									   TimestampTz ts);

/* Apply the message's add and delete statements (Partner Sync from the trigger). */
extern void ct_apply_memberships(CtImport *im);

/* Now and then, fold the statistics delta rows of the message's segments. */
extern void ct_maybe_compact(CtImport *im);

#endif							/* CT_MEMBERS_H */
