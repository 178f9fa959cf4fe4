/*
 * importstate.h
 *	  The state of one membership import and the helpers its steps share
 *	  (importstate.c), below the steps (segments.c, resolve.c, lookup.c,
 *	  merge.c, write.c, members.c), the import that runs them in order
 *	  (import.c) and its dry run (preview.c).
 */
#ifndef CT_IMPORTSTATE_H
#define CT_IMPORTSTATE_H

#include "postgres.h"

#include "storage/itemptr.h"
#include "utils/jsonb.h"

#include "compat.h"
#include "direct.h"
#include "model.h"
#include "identity.h"
#include "store.h"
#include "strmap.h"

/* The counts of the response's "ctaudience" object. */
typedef struct CtImportCounts
{
	int64		profiles;		/* user profiles in the message */
	int64		added;			/* memberships that became true (Partner Sync
								 * "Added") */
	int64		removed;		/* memberships that became false (Partner Sync
								 * "Removed") */
	int64		unchanged;		/* applied statements that changed nothing */
	int64		stale;			/* membership statements and attribute
								 * operations older than the stored ones:
								 * ignored */
	int64		anonymous;		/* users without a usable identity: not
								 * imported */
	int64		created_profiles;	/* profiles created */
	int64		invalid_email;	/* users whose raw email is not an address */
	int64		invalid_phone;	/* users whose phones are all invalid */
	int64		rejected;		/* users or attributes with values dropped as
								 * invalid */
	int64		duplicate_message;	/* 1 when the message id was already
									 * processed */
	int64		refused;		/* statements for disconnected segments */
	int64		hashed_only;	/* anonymous users that came with hashed
								 * identities only */
	int64		forbidden_identity; /* users with an identity value on the
									 * forbidden list */
	int64		invalid_attributes; /* user attributes dropped (over 512
									 * bytes) */
	int64		identity_conflicts; /* Customer IDs not merged: another
									 * profile holds them */
	int64		merged_profiles;	/* generated profiles merged into the
									 * Partner ID's profile that claimed their
									 * Identity */
} CtImportCounts;


/*
 * Rows written per statement: a large message is written in batches of
 * this many, so its memory is that of a batch.
 */
#define CT_WRITE_BATCH 10000

/* At most this many samples of skipped or invalid users are logged per message. */
#define CT_MAX_SAMPLES 20

/* One sample for ct_import_log: what was skipped or invalid, and where. */
typedef struct CtSample
{
	const char *reason;			/* anonymous, hashed_only, invalid_email, ... */
	int			profile;		/* index in user_profiles */
	int			entry;			/* index into msg.entries, or -1 */
} CtSample;

/* Email and phone of one incoming user, normalized lazily. */
typedef enum CtContactState
{
	CT_C_ABSENT = 0,
	CT_C_UNCHECKED,				/* phone present, not parsed yet */
	CT_C_VALID,
	CT_C_INVALID
} CtContactState;

typedef struct CtContact
{
	CtContactState email_state;
	text	   *email;			/* normalized, when valid */
	CtContactState phone_state;
	int64		phone;			/* E.164 digits, when valid */
	const char *project_region; /* default_country, or NULL */
	const CtUserProfile *profile;
} CtContact;

/* The resolution of one user under one userIdField. */
typedef struct CtRes
{
	int			profile;
	int			field;
	CtIdentityResult r;
	bool		refused;		/* every audience of the user is disconnected */
	int			slot;			/* -1: anonymous or refused */
} CtRes;

/* One profile the message touches: found in the store or to be created. */
typedef struct CtSlot
{
	char	   *ct_id;
	char	   *identity;		/* current (stored or claimed) identity */
	bool		exists;			/* the row exists in the store */
	bool		created;		/* this import inserted it */
	bool		dirty;			/* existing row needs an update */
	bool		set_identity;	/* existing row gets identity */
	bool		claimed;		/* new row's identity is a rule 1 claim */
	bool		locked;			/* existing row locked (ct_lock_existing) */
	int			claim_profile;	/* the user profile whose rule 1 claim set
								 * identity */
	int			forward;		/* after a lost insert race: the slot it
								 * became */
	int			absorb_into;	/* a generated profile whose Identity a
								 * Partner ID claims: the slot it is merged
								 * into */
	bool		named;			/* a Partner ID names it (rule 1) */
	bool		set_named;		/* existing row, not named yet: becomes named */
	bool		identity_deferred;	/* identity claimed from another profile:
									 * written once that one gave it up */
	bool		release_identity;	/* existing row loses its Identity to a
									 * newer claim */
	bool		absorbs;		/* an existing profile is merged into it */
	/* stored values of an existing row, and where it is */
	ItemPointerData tid;
	text	   *st_email;
	TimestampTz st_email_ts;
	bool		st_email_ts_null;
	int64		st_phone;
	bool		st_phone_null;
	TimestampTz st_phone_ts;
	bool		st_phone_ts_null;
	char	   *st_mpid;
	bool		st_named;
	TimestampTz st_identity_ts;
	bool		st_identity_ts_null;
	/* incoming values */
	text	   *new_email;
	bool		has_new_phone;
	int64		new_phone;
	CtStr		mpid;
	/* attribute operations, in message order, and the entry of each */
	int			nops;
	int			capops;
	CtAttrOp  **ops;
	int		   *op_entry;
	Jsonb	   *st_attr_ts;		/* stored properties_ts (when the message has
								 * attribute operations) */
} CtSlot;

/* Segment state of each audience of the message. */
typedef struct CtSegmentInfo
{
	int64		segment_id;
	bool		disconnected;
	int			user_id_field;	/* stored userIdField, or -1 */
} CtSegmentInfo;

typedef struct CtImport
{
	CtEnvelope	env;
	CtMembershipMessage msg;
	CtProject	project;
	CtImportCounts counts;
	CtSegmentInfo *segments;	/* per msg.audiences[] */
	CtContact  *contacts;		/* per profile */
	CtRes	   *res;			/* resolutions */
	int			nres;
	int		   *entry_res;		/* per entry: index into res */
	int		   *profile_res;	/* per profile: first res, or -1 */
	CtSlot	   *slots;
	int			nslots;
	int			capslots;
	CtStrMap	by_ctid;
	CtStrMap	by_identity;
	TimestampTz started;
	bool		attr_ops;		/* the message has attribute operations */
	struct NumericData *msg_ms_numeric; /* msg.timestamp_ms as a numeric, once
										 * needed */
	bool		dry_run;		/* ct_preview_import: look, never write */
	int			nsamples;
	CtSample	samples[CT_MAX_SAMPLES];
} CtImport;


/* Remember a sample for the import log (the first CT_MAX_SAMPLES only). */
extern void ct_import_sample(CtImport *im, const char *reason, int profile, int entry);

/*
 * Whether ct_id (len bytes) is a CleverTap ID generated here for a profile
 * created at created_at (identity rule 1's "generated", for a profile
 * whose named is NULL: a row written before 0.3.0).  Generated IDs are 32
 * lowercase hex characters whose first 12 are the time of their making in
 * milliseconds since 1970; a profile's created_at is the start of the
 * transaction that made it, so that time is created_at's millisecond or up
 * to CT_GENERATED_SLACK_MS later (the transaction ran that long).  Any
 * other CleverTap ID came from a Partner ID.  A Partner ID of 32 lowercase
 * hex characters passes for generated only if its first 12 happen to be
 * that time, about one in 78 million for random ones (an MD5, a UUIDv4 without
 * hyphens); a UUIDv7 without hyphens was made before the message that
 * brought it, so before the transaction (unless the sender's clock is
 * ahead of the server's by more than the delivery took).  A generated
 * profile made more than the slack into its transaction passes for named:
 * a newer Partner ID's claim on its Customer ID is then counted as a
 * conflict instead of merging it, which loses nothing.
 */
#define CT_GENERATED_SLACK_MS (INT64CONST(3600) * 1000)
extern bool ct_ctid_generated(const char *ct_id, int len, TimestampTz created_at);

/* Slots */
extern int	ct_new_slot(CtImport *im);

/* The slot a slot became after a lost insert race (itself, usually). */
extern int	ct_slot_final(CtImport *im, int s);

/*
 * A slot's stored values from a profile row (CT_PROFILE_LOOKUP_COLS values:
 * ct_id, identity, email, phone, email_ts, phone_ts, mparticle_id,
 * properties_ts -- copied only when the message updates attributes) and
 * its TID; ct_id and identity are left as they are.
 */
extern void ct_slot_stored(CtImport *im, CtSlot *s, Datum *v, bool *isnull, ItemPointer tid);

/* The same, and the row's ct_id and identity: the slot of an existing profile. */
extern void ct_slot_fill(CtImport *im, CtSlot *s, Datum *v, bool *isnull, ItemPointer tid);

/* ct_slot_fill from row r of SPI_tuptable, the result of a profile lookup statement. */
extern void ct_slot_read_row(CtImport *im, CtSlot *s, uint64 r);

/* Append one attribute operation (of message entry entry) to a slot. */
extern void ct_slot_add_op(CtSlot *s, CtAttrOp *op, int entry);

/*
 * A slot whose profile turned out to be another -- its insert lost a race,
 * or another import merged it meanwhile -- becomes the profile of row r of
 * SPI_tuptable (a profile lookup): the incoming values move to that
 * profile's slot, which is then updated.
 */
extern void ct_slot_adopt(CtImport *im, int lost, uint64 r);

/* Enter slot si in the maps by CleverTap ID and (when it has one) Identity. */
extern void ct_slot_map(CtImport *im, int si);

/*
 * Look up profiles of a project by keys with a lookup statement stmt
 * (CT_Q_PROFILES_BY_*), each row found given to found as
 * ct_direct_lookup_profiles gives it.
 */
extern void ct_sql_lookup_profiles(Datum project_id, CtStmt stmt, CtArr *keys,
								   CtProfileFound found, void *arg);

/* A user's email (normalized now) and phones (parsed when first needed). */
extern void ct_contact_init(CtContact *c, const CtUserProfile *p, const char *region);

/* Parse a user's phone if not done yet (known: the stored E.164, or NULL). */
extern void ct_contact_phone(CtContact *c, const int64 *known);

/* Whether attribute operation k of a slot is the message's last on its key. */
extern bool ct_attr_op_final(const CtSlot *s, int k);

/*
 * How the time of attribute operation k of a slot compares with the one the
 * profile holds for its key: > 0 older (stale), 0 equal, < 0 newer or none.
 */
extern int	ct_attr_op_cmp(CtImport *im, const CtSlot *s, int k);

/* Whether attribute operation k of a slot is older than what the profile holds for its key. */
#define ct_attr_op_stale(im, s, k) (ct_attr_op_cmp((im), (s), (k)) > 0)

/*
 * Run fn(arg) in a subtransaction that absorbs a unique violation: false
 * when one was raised (nothing of fn remains), else what fn returned.
 */
extern bool ct_subxact_unless_unique(bool (*fn) (void *arg), void *arg);

/*
 * Raise the serialization failure of a claimed Customer ID that another
 * import gave to another profile meanwhile (the message is retried).
 */
pg_noreturn extern void ct_claim_taken(void);

/* A batch of rows an import writes, for a callback (ct_subxact_unless_unique). */
typedef struct CtImportRows
{
	CtImport   *im;
	CtBatch    *rows;
} CtImportRows;

#endif							/* CT_IMPORTSTATE_H */
