/*
 * import.h
 *	  The membership import, shared with the other Firehose handlers.
 */
#ifndef CT_IMPORT_H
#define CT_IMPORT_H

#include "postgres.h"

#include "firehose.h"
#include "utils/jsonb.h"
#include "utils/uuid.h"

/* The counts of the response's "ctaudience" object. */
typedef struct CtImportCounts
{
	int64		profiles;		/* user profiles in the message */
	int64		added;			/* memberships that became true (Partner Sync "Added") */
	int64		removed;		/* memberships that became false (Partner Sync "Removed") */
	int64		unchanged;		/* applied statements that changed nothing */
	int64		stale;			/* statements older than the stored one: ignored */
	int64		anonymous;		/* users without a usable identity: not imported */
	int64		created_profiles;	/* profiles created */
	int64		invalid_email;	/* users whose raw email is not an address */
	int64		invalid_phone;	/* users whose phones are all invalid */
	int64		rejected;		/* users or attributes with values dropped as invalid */
	int64		duplicate_message;	/* 1 when the message id was already processed */
	int64		refused;		/* statements for disconnected segments */
	int64		hashed_only;	/* anonymous users that came with hashed identities only */
	int64		forbidden_identity; /* users with an identity value on the forbidden list */
	int64		invalid_attributes; /* user attributes dropped (over 512 bytes) */
	int64		identity_conflicts; /* Customer IDs not merged: another profile holds them */
} CtImportCounts;

/* Import one audience_membership_change_request; returns the response. */
extern Jsonb *ct_import_membership(Jsonb *request);

/* The stored response of a processed message, or NULL (SPI connected). */
extern Jsonb *ct_find_processed(const char *project_id, const pg_uuid_t *id);

/* Record a processed message (SPI connected). */
extern void ct_log_processed(const char *project_id, const CtEnvelope *env,
							 const char *type, TimestampTz started,
							 Jsonb *counts, Jsonb *response);

#endif							/* CT_IMPORT_H */
