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
} CtSystemEvent;

#define OTHER {"custom_event", "other"}
#define ATTRIBUTION {"custom_event", "attribution"}
#define NAVIGATION {"custom_event", "navigation"}
#define USER_CONTENT {"custom_event", "user_content"}
#define LOCATION {"custom_event", "location"}
#define UNINSTALL {"uninstall", NULL}

/* CleverTap's own events and the mParticle types its export gives them. */
static const CtSystemEvent ct_system_events[] = {
	{"Partner Sync", CT_EVENT_PARTNER, OTHER},
	{"Notification Sent", CT_EVENT_ENGAGEMENT, OTHER},
	{"Notification Viewed", CT_EVENT_ENGAGEMENT, ATTRIBUTION},
	{"Notification Clicked", CT_EVENT_ENGAGEMENT, ATTRIBUTION},
	{"Notification Delivered", CT_EVENT_ENGAGEMENT, ATTRIBUTION},
	{"Notification Replied", CT_EVENT_ENGAGEMENT, USER_CONTENT},
	{"Push Impressions", CT_EVENT_ENGAGEMENT, ATTRIBUTION},
	{"Webhook Delivered", CT_EVENT_ENGAGEMENT, ATTRIBUTION},
	{"System Control Group", CT_EVENT_ENGAGEMENT, OTHER},
	{"Custom Control Group", CT_EVENT_ENGAGEMENT, OTHER},
	{"Reply Received", CT_EVENT_ENGAGEMENT, USER_CONTENT},
	{"Reply Sent", CT_EVENT_ENGAGEMENT, USER_CONTENT},
	{"App Installed", CT_EVENT_LIFECYCLE, ATTRIBUTION},
	{"App Uninstalled", CT_EVENT_LIFECYCLE, UNINSTALL},
	{"App Version Changed", CT_EVENT_LIFECYCLE, OTHER},
	{"Session Concluded", CT_EVENT_LIFECYCLE, OTHER},
	{"UTM Visited", CT_EVENT_LIFECYCLE, NAVIGATION},
	{"Channel Unsubscribed", CT_EVENT_LIFECYCLE, OTHER},
	{"State Transitioned", CT_EVENT_LIFECYCLE, OTHER},
	{"GeoCluster Entered", CT_EVENT_LIFECYCLE, LOCATION},
	{"GeoCluster Exited", CT_EVENT_LIFECYCLE, LOCATION},
};

/* The app events CleverTap also names, recorded like an app's own. */
static const CtSystemEvent ct_app_events[] = {
	{"App Launched", CT_EVENT_APP, OTHER},
};

static const CtOutcome ct_outcomes[] = {
	{"sent", "Notification Sent", false},
	{"delivered", "Push Impressions", false},
	{"viewed", "Notification Viewed", true},
	{"clicked", "Notification Clicked", true},
	{"replied", "Notification Replied", true},
	{"webhook_delivered", "Webhook Delivered", false},
	{"control_group", "System Control Group", false},
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

void
ct_outcome_names(char *buf, int size)
{
	int			len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < lengthof(ct_outcomes) && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%s", len > 0 ? ", " : "", ct_outcomes[i].outcome);
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
