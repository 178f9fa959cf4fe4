/*
 * queries.h
 *	  The extension's SQL statements, by name: their text and parameter
 *	  types (queries.c), which store.c prepares and runs.
 */
#ifndef CT_QUERIES_H
#define CT_QUERIES_H

#include "postgres.h"

/* The statements (their SQL and parameter types: ct_stmts in queries.c). */
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
	CT_Q_LOCK_SUBJECT,			/* data subject erasure: its profiles, locked */
	CT_Q_ERASE_MEMBERS,			/* data subject erasure: memberships first */
	CT_Q_LOCK_JOURNEY_STATES,	/* profiles' journey states, locked first */
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
	CT_Q_INBOX_FIND,			/* the row of a message id */
	CT_Q_INBOX_ENQUEUE,			/* queue a message (none if its id is held) */
	CT_Q_INBOX_DEPTH,			/* messages pending and dead */
	CT_Q_INBOX_DUE,				/* due messages, oldest first, locked
								 * (ct_process_inbox) */
	CT_Q_INBOX_CLAIM,			/* claim the oldest due message: its attempt
								 * counted, leased */
	CT_Q_INBOX_READ,			/* a claimed message, locked */
	CT_Q_INBOX_BODY,			/* a message's body as stored now */
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
	CT_Q_LIVE_JOURNEYS,			/* a project's live journeys, with their entry
								 * and exit segments */
	CT_Q_JOURNEY_ENTER,			/* enter profiles into journeys */
	CT_Q_JOURNEY_LEFT,			/* make profiles that left a journey's entry
								 * or exit segment due */
	CT_Q_JOURNEY_EVENT,			/* make profiles that wait for an event, or
								 * have it as their goal, due */
	CT_Q_JOURNEY_EVENT_ENTER,	/* enter a profile into the journeys that an
								 * app event enters */
	CT_Q_RECORD_PROFILE,		/* the profile of an event to record, locked */
	CT_Q_RECORD_EVENT,			/* record an event of a profile */
	CT_Q_TRIG_EVENTS_IDS,		/* trigger: Partner Sync events, returning
								 * their ids */
	CT_Q_DELIVERY_CAMPAIGN,		/* a delivery's campaign, and whether its
								 * profile was taken from it, is in its
								 * segments, was reported for it */
	CT_Q_DELIVERY_RECORD,		/* record a delivery unless stored (a retry) */
	CT_Q_DELIVERY_FIND,			/* the event of a delivery recorded */
	CT_Q_EXPORT_TAKES,			/* whether a project's export takes an event */
	CT_Q_EXPORT_QUEUE,			/* queue events for export */
	CT_Q_EXPORT_LOCK,			/* a project's export, locked */
	CT_Q_EXPORT_PENDING,		/* its request waiting for an answer */
	CT_Q_EXPORT_LEASE,			/* hand that request out again */
	CT_Q_EXPORT_START_RUN,		/* a run begins */
	CT_Q_EXPORT_BACKFILL,		/* a one-time export's events, looked back */
	CT_Q_EXPORT_PROFILES,		/* profiles updated since the last user
								 * properties run */
	CT_Q_EXPORT_ROWS,			/* what waits, in profile order, with its
								 * profile */
	CT_Q_EXPORT_EVENTS,			/* the events of a page of what waits */
	CT_Q_EXPORT_DROP,			/* outbox rows with nothing left to send */
	CT_Q_EXPORT_REQUEST,		/* record a new request */
	CT_Q_EXPORT_END_RUN,		/* a run ends: the next one due, or done */
	CT_Q_RESULT_LOCK,			/* ct_export_result: the export, locked */
	CT_Q_RESULT_REQUEST,		/* the request answered, locked */
	CT_Q_RESULT_DONE,			/* its outbox rows, gone */
	CT_Q_RESULT_ACCEPTED,		/* a request accepted */
	CT_Q_RESULT_SENT,			/* the export's figures after it */
	CT_Q_RESULT_DEAD,			/* a request kept as a dead letter */
	CT_Q_RESULT_RETRY,			/* a request to send again (or paused) */
	CT_Q_RESULT_PAUSE,			/* the export paused: credentials refused */
	CT_Q_RESULT_ERROR,			/* the export's last error */
	CT_Q_EXPORT_SERIALIZE,		/* wait for a claim of the project's export */
	CT_Q_PROFILE_ALIASES,		/* merged profiles' CleverTap IDs, resolved */
	CT_Q_RELEASE_IDENTITIES,	/* Partner ID profiles losing their Identity */
	CT_Q_ABSORB_MEMBERS,		/* a generated profile merged: memberships */
	CT_Q_ABSORB_ROWS,			/* ... its events, queue rows, deliveries,
								 * aliases, ... */
	CT_Q_ABSORB_PROFILES,		/* ... and the profile itself */
	CT_Q_SET_CLAIMS,			/* Identities claimed, after their release */
	CT_NUM_STMTS
} CtStmt;

/*
 * The export's statements (CT_Q_EXPORT_TAKES to CT_Q_EXPORT_SERIALIZE) are
 * defined in queries_export.c, the others in queries.c.
 */
#define CT_Q_EXPORT_FIRST CT_Q_EXPORT_TAKES
#define CT_Q_EXPORT_LAST CT_Q_EXPORT_SERIALIZE

/* The most parameters a statement takes. */
#define CT_MAX_ARGS 10

/* Parameter type codes, resolved to OIDs when a plan is prepared. */
typedef enum CtArgType
{
	A_BOOL,
	A_TEXT,
	A_TEXT_ARR,
	A_INT4,
	A_INT4_ARR,
	A_INT8,
	A_INT8_ARR,
	A_FLOAT8,
	A_BOOL_ARR,
	A_JSONB,
	A_JSONB_ARR,
	A_TSTZ,
	A_TSTZ_ARR,
	A_DATE_ARR,
	A_UUID,
	A_TID_ARR,
	A_EMAIL_ARR,
	A_PHONE_ARR
} CtArgType;

typedef struct CtStmtDef
{
	const char *sql;
	int			nargs;
	CtArgType	args[CT_MAX_ARGS];
	bool		custom;			/* plan for each execution's own values (see
								 * below) */
} CtStmtDef;

extern const CtStmtDef ct_stmts[CT_NUM_STMTS];
extern const CtStmtDef ct_export_stmts[CT_Q_EXPORT_LAST - CT_Q_EXPORT_FIRST + 1];

/* The text and parameter types of statement stmt. */
static inline const CtStmtDef *
ct_stmt_def(CtStmt stmt)
{
	if (stmt >= CT_Q_EXPORT_FIRST && stmt <= CT_Q_EXPORT_LAST)
		return &ct_export_stmts[stmt - CT_Q_EXPORT_FIRST];
	return &ct_stmts[stmt];
}

/*
 * Whether the export x takes new events named by the parameter: a
 * recurring export, enabled and not done (a paused one keeps them), of a
 * type that takes the name (ct_export_selects).
 */
#define CT_SQL_EXPORT_TAKES(name) \
	"x.enabled AND x.status <> 'done' AND x.schedule = 'recurring'" \
	" AND ctaudience.ct_export_selects(x.export_type, x.events, " name ")"

#endif							/* CT_QUERIES_H */
