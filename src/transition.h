/*
 * transition.h
 *	  The rows of the transition tables the extension's statement-level
 *	  triggers read (triggers.c), as C structs.
 */
#ifndef CT_TRANSITION_H
#define CT_TRANSITION_H

#include "postgres.h"

#include "commands/trigger.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "utils/relcache.h"
#include "utils/tuplestore.h"

/* One row of ct_segment_member as the trigger needs it. */
typedef struct CtMemberRow
{
	char	   *project_id;
	int64		segment_id;
	char	   *ct_id;
	bool		is_member;
	TimestampTz stated_at;
	bool		changed;
} CtMemberRow;

/* One row of ct_profile as the trigger needs it. */
typedef struct CtProfileRow
{
	char	   *project_id;
	char	   *ct_id;
	text	   *email;			/* NULL when null */
	bool		has_phone;
	int64		phone;
	TimestampTz ts;				/* the newest of email_ts and phone_ts; 0 if
								 * none */
} CtProfileRow;

/*
 * The trigger data of a trigger function called as an AFTER ... FOR EACH
 * STATEMENT trigger with the transition tables its event needs; 39000
 * otherwise.
 */
extern TriggerData *ct_trigger_data(FunctionCallInfo fcinfo, const char *name);

/* Every row of a transition table of ct_segment_member, in *nrows. */
extern CtMemberRow *ct_read_members(Relation rel, Tuplestorestate *ts, int *nrows);

/* Every row of a transition table of ct_profile, in *nrows. */
extern CtProfileRow *ct_read_profiles(Relation rel, Tuplestorestate *ts, int *nrows);

/* The key of a (project, segment, profile) for pairing old and new rows. */
extern char *ct_member_key(const CtMemberRow *r);

#endif							/* CT_TRANSITION_H */
