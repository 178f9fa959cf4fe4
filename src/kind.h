/*
 * kind.h
 *	  The kinds of Firehose message ctaudience answers (kindlist.h): what
 *	  each is, found by its type.
 */
#ifndef CT_KIND_H
#define CT_KIND_H

#include "postgres.h"

#include "jsonbutil.h"

/*
 * What ctaudience does with a kind of message (CtKind.flags):
 *	CT_DATED			its time orders what it states: dated more than
 *						ctaudience.max_clock_skew ahead, it is refused (rules.c)
 *	CT_OF_PROJECT		it belongs to a project: ct_enqueue() queues it
 *	CT_QUEUED_AT_ONCE	ct_firehose_enqueue() queues it and answers at once;
 *						it answers any other kind as ct_firehose() does
 *	CT_HAS_PROFILES		it carries user_profiles: a message over a limit
 *						(ctaudience.max_profiles_per_message,
 *						max_audiences_per_message, the settings size) is
 *						refused when it is queued, not only when it is answered
 *	CT_SUSPENDABLE		its response carries suspend_subscription
 */
#define CT_DATED			(1 << 0)
#define CT_OF_PROJECT		(1 << 1)
#define CT_QUEUED_AT_ONCE	(1 << 2)
#define CT_HAS_PROFILES		(1 << 3)
#define CT_SUSPENDABLE		(1 << 4)

typedef enum CtKindId
{
#define CT_KIND(id, type, response, name, flags, handler) id,
#include "kindlist.h"
#undef CT_KIND
	CT_NKINDS
} CtKindId;

typedef struct CtKind
{
	const char *type;			/* of its requests */
	const char *response;		/* of its responses */
	const char *name;			/* "the <name> response" */
	int			flags;
} CtKind;

/* Every kind, by CtKindId. */
extern const CtKind ct_kinds[CT_NKINDS];

/* The kind of a request's type; NULL when ctaudience answers no such type. */
extern const CtKind *ct_kind_find(CtStr type);

/* The request types of the kinds with every flag in flags, as "a, b and c". */
extern char *ct_kind_list(int flags);

#endif							/* CT_KIND_H */
