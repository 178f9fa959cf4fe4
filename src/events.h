/*
 * events.h
 *	  The events CleverTap raises itself, by name: who may record each, and
 *	  the mParticle event type each is exported as (pure C, no PostgreSQL
 *	  dependency, so it can be unit-tested on its own).
 */
#ifndef CT_EVENTS_H
#define CT_EVENTS_H

#include <stdbool.h>

typedef enum CtEventKind
{
	CT_EVENT_APP = 0,			/* an app's own event (any name not below), or
								 * App Launched */
	CT_EVENT_PARTNER,			/* Partner Sync: raised by imports only */
	CT_EVENT_ENGAGEMENT,		/* a campaign's outcome: raised by
								 * ct_record_delivery only */
	CT_EVENT_LIFECYCLE			/* raised by the SDK: recorded by the owner
								 * only */
} CtEventKind;

/* How mParticle's Events API takes an event (FACTS of CleverTap's export feed). */
typedef struct CtMpType
{
	const char *event_type;		/* "custom_event" or "uninstall" */
	const char *custom_event_type;	/* "other", "attribution", ...; NULL for
									 * uninstall */
} CtMpType;

/* The kind of an event name (compared case-insensitively). */
extern CtEventKind ct_event_kind(const char *name);

/* Whether CleverTap raises the event itself: every kind but CT_EVENT_APP. */
extern bool ct_event_is_system(const char *name);

/* How the event is exported to mParticle; an app's own event is "other". */
extern CtMpType ct_event_mp_type(const char *name);

/*
 * Whether recording the event makes its user active in the month (monthly
 * active users): an app's own event, or one of the SDK's raised while the
 * user uses the app (not App Uninstalled, ...; see events.c).
 */
extern bool ct_event_is_active(const char *name);

/* The names of one kind, ", "-separated, into buf (size bytes); for hints. */
extern void ct_event_names(CtEventKind kind, char *buf, int size);

/* A delivery outcome (sent, delivered, ...) and the event it records. */
typedef struct CtOutcome
{
	const char *outcome;
	const char *event_name;
	bool		active;			/* the user did something: counts toward
								 * monthly active users */
	const char *channels;		/* the campaign channels it exists for (a
								 * list: "push, web_push"), NULL: every one */
	const char *campaign_key;	/* the event's campaign id attribute */
} CtOutcome;

/* The outcome named (exact, lower case), or NULL. */
extern const CtOutcome *ct_outcome(const char *outcome);

/* Whether the outcome exists for a campaign of the channel. */
extern bool ct_outcome_fits(const CtOutcome *outcome, const char *channel);

/*
 * The outcomes (of a channel's campaigns; NULL: all), ", "-separated, into
 * buf (size bytes); for hints.
 */
extern void ct_outcome_names(const char *channel, char *buf, int size);

/* CleverTap's "Campaign type" of a campaign channel (push -> Push), or NULL. */
extern const char *ct_campaign_type(const char *channel);

#endif							/* CT_EVENTS_H */
