/*
 * identity.h
 *	  The identity order of an import, as pure C over plain values (no catalog
 *	  access), so it can be unit-tested and fuzzed on its own.
 *
 *	  1. Partner ID (CleverTap_User_ID) -> CleverTap ID
 *	  2. else Customer ID (or the connection's chosen User ID) -> Identity
 *	  3. else mParticle ID -> Identity, only with a valid raw email or phone
 *	  4. else anonymous: not imported
 */
#ifndef CT_IDENTITY_H
#define CT_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>

typedef enum CtRule
{
	CT_RULE_PARTNER_ID = 0,
	CT_RULE_CUSTOMER_ID,
	CT_RULE_MPARTICLE_ID,
	CT_RULE_ANONYMOUS
} CtRule;

/* Problems found on the way, for counting and sampling. */
#define CT_IDP_FORBIDDEN	0x01	/* an identity value on the forbidden list */
#define CT_IDP_TOO_LONG		0x02	/* an identity of 1024 characters or more */
#define CT_IDP_BAD_CTID		0x04	/* a partner id that is not a CleverTap ID */
#define CT_IDP_HASHED_ONLY	0x08	/* anonymous, and hashed identities came */
#define CT_IDP_CONFLICT		0x10	/* rule 1: the User ID is another
									 * profile's Identity */

typedef struct CtIdentityInput
{
	const char *partner_id;		/* raw CleverTap_User_ID, or NULL */
	size_t		partner_len;
	const char *user_id;		/* raw value of the chosen User ID, or NULL */
	size_t		user_id_len;
	const char *mpid;			/* mParticle ID, or NULL */
	size_t		mpid_len;
	bool		any_hashed;		/* hashed identities came with the user */
	/* whether the user carries a valid raw email or phone; asked lazily */
	bool		(*has_contact) (void *arg);
	void	   *has_contact_arg;
} CtIdentityInput;

typedef struct CtIdentityResult
{
	CtRule		rule;
	const char *key;			/* the identifier used; NULL when anonymous */
	size_t		key_len;
	const char *claim;			/* rule 1: the User ID that may become
								 * Identity */
	size_t		claim_len;
	unsigned	problems;		/* CT_IDP_* */
} CtIdentityResult;

extern void ct_identity_resolve(const CtIdentityInput *in, CtIdentityResult *out);
extern const char *ct_rule_name(CtRule rule);

#endif							/* CT_IDENTITY_H */
