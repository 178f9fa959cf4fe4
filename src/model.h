/*
 * model.h
 *	  The mParticle Firehose audience messages as a plain C model: their
 *	  limits and the settings of those limits, the types of the model, and
 *	  the builder both readers fill it with (firehose.c reads jsonb,
 *	  stream.c JSON text).
 */
#ifndef CT_MODEL_H
#define CT_MODEL_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "utils/jsonb.h"
#include "utils/uuid.h"

#include "jsonbutil.h"

/* Limits (CleverTap's property value limit applies to names and values). */
#define CT_MAX_NAME_BYTES		512
#define CT_MAX_ATTR_VALUE_BYTES	512
#define CT_MAX_ATTR_KEY_BYTES	512
/* audience_subscription_settings, as jsonb (stored with the segment) */
#define CT_MAX_SETTING_BYTES	4096

/*
 * Limits of one message (settings), checked before the work it would
 * cause: more is refused with SQLSTATE 54000.
 */
extern int	ct_max_message_bytes;
extern int	ct_max_profiles_per_message;
extern int	ct_max_audiences_per_message;

/* ctaudience.max_clock_skew: how far ahead (seconds) a message may be dated. */
extern int	ct_max_clock_skew;

/* Define the settings of a message's limits and time (from _PG_init). */
extern void ct_model_init(void);

/* Refuse a message of more than ctaudience.max_message_bytes (its raw datum's size). */
extern void ct_check_message_bytes(Size bytes);

/* Raise the error of a message of more than ctaudience.max_profiles_per_message. */
pg_noreturn extern void ct_too_many_profiles(void);

/*
 * Raise the error of the audience entry user_profiles[profile].list[index]
 * that goes over ctaudience.max_audiences_per_message.
 */
pg_noreturn extern void ct_too_many_audiences_at(int profile, const char *list, int index);

/*
 * mParticle user identity types, in the order of the Firehose schema, plus
 * CT_UID_MPID, which only a connection's userIdField can name.
 */
typedef enum CtUidType
{
	CT_UID_OTHER = 0,
	CT_UID_CUSTOMER,
	CT_UID_FACEBOOK,
	CT_UID_TWITTER,
	CT_UID_GOOGLE,
	CT_UID_MICROSOFT,
	CT_UID_YAHOO,
	CT_UID_EMAIL,
	CT_UID_OTHER2,
	CT_UID_OTHER3,
	CT_UID_OTHER4,
	CT_UID_OTHER5,
	CT_UID_OTHER6,
	CT_UID_OTHER7,
	CT_UID_OTHER8,
	CT_UID_OTHER9,
	CT_UID_OTHER10,
	CT_UID_MOBILE_NUMBER,
	CT_UID_PHONE_NUMBER_2,
	CT_UID_PHONE_NUMBER_3,
	CT_UID_NTYPES,
	CT_UID_MPID = CT_UID_NTYPES /* userIdField only */
} CtUidType;

extern const char *const ct_uid_type_names[CT_UID_NTYPES];

/* Look up a user identity type by its Firehose name; -1 when unknown. */
extern int	ct_uid_type_from_name(CtStr name);

/* Look up a userIdField value (a type name or "mpid"); -1 when unknown. */
extern int	ct_user_id_field_from_name(CtStr name);
extern const char *ct_user_id_field_name(int field);

typedef enum CtAction
{
	CT_ACTION_ADD,
	CT_ACTION_DELETE,
	CT_ACTION_ATTRIBUTE_UPDATE
} CtAction;

/* One user attribute operation of an attribute_update. */
typedef struct CtAttrOp
{
	CtStr		key;
	bool		is_delete;
	bool		invalid;		/* value over the limit: dropped, counted */
	JsonbValue	value;			/* string, or binary array of strings */
} CtAttrOp;

/* One entry of a user profile's audiences[]. */
typedef struct CtAudienceEntry
{
	int			profile;		/* index of its user profile */
	int			index;			/* position in that profile's list of
								 * audiences */
	const char *list;			/* "audiences", or legacy "added_audiences" /
								 * "removed_audiences" */
	int64		audience_id;
	CtStr		name;
	CtAction	action;
	int			user_id_field;	/* from its subscription settings; -1 = not
								 * given */
	int			nattrs;
	CtAttrOp   *attrs;
	int			audience;		/* index into CtMessage.audiences */
} CtAudienceEntry;

/* The phone candidates of a profile, in the order the rules try them. */
#define CT_NPHONES 3

/* One raw user identity of a profile: its type (CtUidType) and value. */
typedef struct CtUid
{
	CtStr		value;
	int			type;
} CtUid;

/* A user's raw identities are kept here; more spill into CtUserProfile.more. */
#define CT_UID_INLINE 4

/*
 * One element of user_profiles[].  Its raw user identities, the first value
 * of each type, are a short list (a user brings two or three of the twenty
 * types): read them with ct_uid().
 */
typedef struct CtUserProfile
{
	CtStr		mpid;			/* empty when absent */
	CtStr		partner_id;		/* raw CleverTap_User_ID; empty when absent */
	bool		partner_hashed; /* a CleverTap_User_ID came, but hashed */
	bool		any_hashed;		/* some user or partner identity was hashed */
	int			nuids;
	CtUid		uids[CT_UID_INLINE];
	CtUid	   *more;			/* uids beyond CT_UID_INLINE, room for
								 * CT_UID_NTYPES */
	int			first_entry;
	int			nentries;
} CtUserProfile;

/* The first raw value of identity type t of a profile; s is NULL when none. */
static inline CtStr
ct_uid(const CtUserProfile *p, int t)
{
	CtStr		none = {NULL, 0};

	for (int k = 0; k < p->nuids; k++)
	{
		const CtUid *u = k < CT_UID_INLINE ? &p->uids[k] : &p->more[k - CT_UID_INLINE];

		if (u->type == t)
			return u->value;
	}
	return none;
}

/* Set the raw value of identity type t of a profile, unless it has one. */
extern void ct_model_set_uid(CtUserProfile *p, int t, CtStr value);

/* A distinct audience of the message. */
typedef struct CtAudienceRef
{
	int64		audience_id;
	CtStr		name;			/* the last name the message gives it */
	int			user_id_field;	/* last userIdField the message gives; -1 */
} CtAudienceRef;

/* The account settings that authenticate a message. */
typedef struct CtCredentials
{
	CtStr		account_id;
	CtStr		passcode;
	CtStr		account_token;
	CtStr		region;
} CtCredentials;

/* A parsed audience_membership_change_request. */
typedef struct CtMembershipMessage
{
	pg_uuid_t	id;
	CtStr		id_text;
	CtStr		firehose_version;
	int64		timestamp_ms;
	TimestampTz ts;
	CtCredentials cred;
	bool		has_profiles;	/* false: a verification ping */
	bool		legacy;			/* pre-2.0 added_audiences/removed_audiences */
	int			nprofiles;
	CtUserProfile *profiles;
	int			nentries;
	CtAudienceEntry *entries;
	int			naudiences;
	CtAudienceRef *audiences;
} CtMembershipMessage;

/* The envelope every Firehose message carries. */
typedef struct CtEnvelope
{
	CtStr		type;
	pg_uuid_t	id;
	CtStr		id_text;
	int64		timestamp_ms;
	TimestampTz ts;
	CtStr		firehose_version;
} CtEnvelope;

/*
 * Building the model of a membership message, shared by the jsonb reader
 * (firehose.c) and the reader of JSON text (stream.c).
 */
typedef struct CtModelBuilder
{
	CtMembershipMessage *msg;
	int			profiles_cap;
	int			entries_cap;
	int			audiences_cap;
	struct HTAB *audience_index;

	/*
	 * The text reader defers the limits' errors to the end of the message, so
	 * that they come after the envelope's as in the jsonb reader: a profile
	 * or audience over a limit is noted here and not kept.
	 */
	bool		defer_limits;
	bool		over_profiles;
	bool		over_audiences;
	CtAudienceEntry over_entry; /* the first audience over the limit */
} CtModelBuilder;

extern void ct_model_begin(CtModelBuilder *b, CtMembershipMessage *msg, int nprofiles);
extern int	ct_model_new_profile(CtModelBuilder *b);
extern void ct_model_end_profile(CtModelBuilder *b, int pi);
extern void ct_model_add_identity(CtUserProfile *p, CtStr type, bool raw, CtStr value);
extern void ct_model_add_partner(CtUserProfile *p, CtStr type, bool raw, CtStr value);
extern CtAudienceEntry *ct_model_new_entry(CtModelBuilder *b, int profile, int index, const char *list);
extern void ct_model_commit_entry(CtModelBuilder *b, CtAudienceEntry *e);
extern void ct_model_finish(CtModelBuilder *b);
extern void ct_model_raise_deferred(CtModelBuilder *b);

#endif							/* CT_MODEL_H */
