/*
 * events.c
 *	  The events CleverTap raises itself; see events.h.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "events.h"

typedef struct CtSystemEvent
{
	const char *name;
	CtEventKind kind;
	CtMpType	mp;
	bool		active;			/* recorded, the user used the app: counts
								 * toward monthly active users */
} CtSystemEvent;

#define OTHER {"custom_event", "other"}
#define ATTRIBUTION {"custom_event", "attribution"}
#define NAVIGATION {"custom_event", "navigation"}
#define USER_CONTENT {"custom_event", "user_content"}
#define LOCATION {"custom_event", "location"}
#define UNINSTALL {"uninstall", NULL}

/*
 * CleverTap's own events and the mParticle types its export gives them.
 * Of the SDK's own (lifecycle) events, those raised while the user uses the
 * app count toward monthly active users: App Installed (the first launch),
 * App Version Changed (a launch after an update), Session Concluded, UTM
 * Visited (the app opened from a link).  App Uninstalled, Channel
 * Unsubscribed (also from an email's or SMS's link), State Transitioned
 * (CleverTap's own lifecycle stage) and the GeoCluster events (the device's
 * location, in the background) do not.  Engagement events: see CtOutcome.
 */
static const CtSystemEvent ct_system_events[] = {
	{"Partner Sync", CT_EVENT_PARTNER, OTHER, false},
	{"Notification Sent", CT_EVENT_ENGAGEMENT, OTHER, false},
	{"Notification Viewed", CT_EVENT_ENGAGEMENT, ATTRIBUTION, true},
	{"Notification Clicked", CT_EVENT_ENGAGEMENT, ATTRIBUTION, true},
	{"Notification Delivered", CT_EVENT_ENGAGEMENT, ATTRIBUTION, false},
	{"Notification Replied", CT_EVENT_ENGAGEMENT, USER_CONTENT, true},
	{"Push Impressions", CT_EVENT_ENGAGEMENT, ATTRIBUTION, false},
	{"Webhook Delivered", CT_EVENT_ENGAGEMENT, ATTRIBUTION, false},
	{"System Control Group", CT_EVENT_ENGAGEMENT, OTHER, false},
	{"Custom Control Group", CT_EVENT_ENGAGEMENT, OTHER, false},
	{"Reply Received", CT_EVENT_ENGAGEMENT, USER_CONTENT, true},
	{"Reply Sent", CT_EVENT_ENGAGEMENT, USER_CONTENT, false},
	{"App Installed", CT_EVENT_LIFECYCLE, ATTRIBUTION, true},
	{"App Uninstalled", CT_EVENT_LIFECYCLE, UNINSTALL, false},
	{"App Version Changed", CT_EVENT_LIFECYCLE, OTHER, true},
	{"Session Concluded", CT_EVENT_LIFECYCLE, OTHER, true},
	{"UTM Visited", CT_EVENT_LIFECYCLE, NAVIGATION, true},
	{"Channel Unsubscribed", CT_EVENT_LIFECYCLE, OTHER, false},
	{"State Transitioned", CT_EVENT_LIFECYCLE, OTHER, false},
	{"GeoCluster Entered", CT_EVENT_LIFECYCLE, LOCATION, false},
	{"GeoCluster Exited", CT_EVENT_LIFECYCLE, LOCATION, false},
};

/* The app events CleverTap also names, recorded like an app's own. */
static const CtSystemEvent ct_app_events[] = {
	{"App Launched", CT_EVENT_APP, OTHER, true},
};

/*
 * The outcomes and their channels (FACTS of CleverTap's export feed): Push
 * Impressions are a push notification's, a reply is WhatsApp's
 * (Notification Replied), Webhook Delivered a webhook's; Notification Sent
 * names the campaign "Campaign ID", the other events "Campaign id".
 */
static const CtOutcome ct_outcomes[] = {
	{"sent", "Notification Sent", false, NULL, "Campaign ID"},
	{"delivered", "Push Impressions", false, "push, web_push", "Campaign id"},
	{"viewed", "Notification Viewed", true, NULL, "Campaign id"},
	{"clicked", "Notification Clicked", true, NULL, "Campaign id"},
	{"replied", "Notification Replied", true, "whatsapp", "Campaign id"},
	{"webhook_delivered", "Webhook Delivered", false, "webhook", "Campaign id"},
	{"control_group", "System Control Group", false, NULL, "Campaign id"},
};

static const struct
{
	const char *channel;
	const char *type;
}			ct_campaign_types[] = {
	{"push", "Push"}, {"email", "Email"}, {"sms", "SMS"}, {"whatsapp", "WhatsApp"},
	{"webhook", "Webhook"}, {"web_push", "Web Push"}, {"in_app", "In-App"},
	{"web_popup", "Web Pop-up"}, {"web_exit_intent", "Web Exit Intent"},
	{"app_inbox", "App Inbox"}, {"native_display", "Native Display"},
};

#define lengthof(a) (sizeof(a) / sizeof((a)[0]))

static const CtSystemEvent *
ct_find_event(const char *name)
{
	for (size_t i = 0; i < lengthof(ct_system_events); i++)
	{
		if (strcasecmp(name, ct_system_events[i].name) == 0)
			return &ct_system_events[i];
	}
	for (size_t i = 0; i < lengthof(ct_app_events); i++)
	{
		if (strcasecmp(name, ct_app_events[i].name) == 0)
			return &ct_app_events[i];
	}
	return NULL;
}

CtEventKind
ct_event_kind(const char *name)
{
	const CtSystemEvent *e = ct_find_event(name);

	return e != NULL ? e->kind : CT_EVENT_APP;
}

bool
ct_event_is_system(const char *name)
{
	return ct_event_kind(name) != CT_EVENT_APP;
}

CtMpType
ct_event_mp_type(const char *name)
{
	const CtSystemEvent *e = ct_find_event(name);
	CtMpType	other = OTHER;

	return e != NULL ? e->mp : other;
}

void
ct_event_names(CtEventKind kind, char *buf, int size)
{
	int			len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < lengthof(ct_system_events) && len < size; i++)
	{
		if (ct_system_events[i].kind == kind)
			len += snprintf(buf + len, size - len, "%s%s", len > 0 ? ", " : "",
							ct_system_events[i].name);
	}
}

const CtOutcome *
ct_outcome(const char *outcome)
{
	for (size_t i = 0; i < lengthof(ct_outcomes); i++)
	{
		if (strcmp(outcome, ct_outcomes[i].outcome) == 0)
			return &ct_outcomes[i];
	}
	return NULL;
}

bool
ct_event_is_active(const char *name)
{
	const CtSystemEvent *e = ct_find_event(name);

	return e != NULL ? e->active : true;
}

bool
ct_outcome_fits(const CtOutcome *outcome, const char *channel)
{
	const char *p = outcome->channels;
	size_t		n = strlen(channel);

	if (p == NULL)
		return true;
	for (;;)
	{
		if (strncmp(p, channel, n) == 0 && (p[n] == '\0' || p[n] == ','))
			return true;
		p = strchr(p, ',');
		if (p == NULL)
			return false;
		p += 2;
	}
}

void
ct_outcome_names(const char *channel, char *buf, int size)
{
	int			len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < lengthof(ct_outcomes) && len < size; i++)
	{
		if (channel == NULL || ct_outcome_fits(&ct_outcomes[i], channel))
			len += snprintf(buf + len, size - len, "%s%s", len > 0 ? ", " : "", ct_outcomes[i].outcome);
	}
}

const char *
ct_campaign_type(const char *channel)
{
	for (size_t i = 0; i < lengthof(ct_campaign_types); i++)
	{
		if (strcmp(channel, ct_campaign_types[i].channel) == 0)
			return ct_campaign_types[i].type;
	}
	return NULL;
}
