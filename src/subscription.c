/*
 * subscription.c
 *	  audience_subscription_request: mParticle connects an audience to the
 *	  integration (add), changes its name or settings (update), or
 *	  disconnects it (remove).
 *
 * add creates or re-activates the segment; update renames it and stores
 * its settings, including userIdField (the User ID of identity rule 2);
 * remove marks it disconnected: members are kept, and membership changes
 * of the remove's time or later are refused and counted until it is added
 * again (an older one, sent while it was connected, is applied).  A
 * subscription message older than the one that set the segment's state
 * changes nothing (deliveries can arrive out of order).
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "firehose.h"
#include "kind.h"
#include "message.h"
#include "response.h"
#include "rules.h"
#include "store.h"
#include "subscription.h"

/* A parsed audience_subscription_request. */
typedef struct CtSubscription
{
	CtMessageHead h;
	int64		audience_id;
	CtStr		name;
	const char *action;			/* "add", "update" or "remove" */
	JsonbContainer *settings;	/* audience_subscription_settings, or NULL */
	int			user_id_field;	/* from the settings, -1 when not given */
	JsonbContainer *root;		/* the message */
} CtSubscription;

/* Parse and validate the whole message before anything is written. */
static void
ct_parse_subscription(JsonbContainer *root, void *state)
{
	CtSubscription *sub = state;

	CT_PATH_ROOT(path);
	CT_PATH_KEY(spath, &path, "audience_subscription_settings");
	CtStr		action;

	sub->root = root;
	ct_parse_envelope(root, &sub->h.env);
	ct_parse_credentials(root, &sub->h.cred);
	ct_json_get_int64(root, "audience_id", &path, true, &sub->audience_id);
	ct_rule_audience_id(sub->audience_id, &path);
	ct_json_get_string(root, "audience_name", &path, true, &sub->name);
	if (sub->name.len == 0 || sub->name.len > CT_MAX_NAME_BYTES)
		ct_json_error(ERRCODE_INVALID_PARAMETER_VALUE, &path, "audience_name",
					  "audience name is %d bytes long; it must be 1 to %d bytes",
					  sub->name.len, CT_MAX_NAME_BYTES);
	ct_json_get_string(root, "action", &path, true, &action);
	if (ct_str_eq(action, "add"))
		sub->action = "add";
	else if (ct_str_eq(action, "update"))
		sub->action = "update";
	else if (ct_str_eq(action, "remove"))
		sub->action = "remove";
	else
		ct_json_error(ERRCODE_INVALID_PARAMETER_VALUE, &path, "action",
					  "unknown subscription action \"%.*s\"; expected \"add\", \"update\" or \"remove\"",
					  Min(action.len, 64), action.s);

	sub->user_id_field = -1;
	sub->settings = ct_json_get_object(root, "audience_subscription_settings", &path, false);
	if (sub->settings != NULL)
	{
		CtStr		field;

		ct_check_settings_size(root, &path);
		if (ct_json_get_string(sub->settings, "userIdField", &spath, false, &field))
			ct_rule_user_id_field(field, &sub->user_id_field, &spath);
	}
}

/* A member object of the message as a jsonb datum of its own (a copy). */
static Jsonb *
ct_member_jsonb(JsonbContainer *root, const char *key)
{
	JsonbValue	v;

	if (!ct_json_member(root, key, &v))
		return NULL;
	return JsonbValueToJsonb(&v);
}

/* ct_message_run's answer: store the segment's new state. */
static Jsonb *
ct_subscribe(void *arg, Jsonb **counts)
{
	CtSubscription *sub = arg;
	Datum		values[7];
	char		nulls[7] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};
	Jsonb	   *settings = sub->settings ? ct_member_jsonb(sub->root, "audience_subscription_settings") : NULL;
	bool		isnull;
	int64		segment_id;
	char	   *status;
	char	   *field;
	CtJsonBuilder b;
	CtJsonBuilder cb;

	values[0] = CStringGetTextDatum(sub->h.project.project_id);
	values[1] = PointerGetDatum(cstring_to_text_with_len(sub->name.s, sub->name.len));
	values[2] = Int64GetDatum(sub->audience_id);
	values[3] = TimestampTzGetDatum(sub->h.env.ts);
	values[4] = CStringGetTextDatum(strcmp(sub->action, "remove") == 0 ? "disconnected" : "active");
	if (sub->user_id_field >= 0)
		values[5] = CStringGetTextDatum(ct_user_id_field_name(sub->user_id_field));
	else
		nulls[5] = 'n';
	if (settings != NULL)
		values[6] = JsonbPGetDatum(settings);
	else
		nulls[6] = 'n';
	if (ct_store_exec(CT_Q_SUBSCRIBE, values, nulls, false) != 1)
		elog(ERROR, "subscription statement did not return the segment");
	segment_id = DatumGetInt64(ct_store_get(0, 1, &isnull));
	status = ct_store_get_text(0, 2);
	field = ct_store_get_text(0, 3);
	SPI_freetuptable(SPI_tuptable);

	ct_jb_begin(&b);
	ct_jb_response_envelope(&b, ct_kinds[CT_KIND_SUBSCRIPTION].response, &sub->h.env);
	if (settings != NULL)
		ct_jb_jsonb(&b, "audience_subscription_settings", settings);
	else
	{
		ct_jb_begin_object(&b, "audience_subscription_settings");
		ct_jb_end_object(&b);
	}
	ct_jb_begin_object(&b, "ctaudience");
	ct_jb_string(&b, "action", sub->action, -1);
	ct_jb_int(&b, "segment_id", segment_id);
	ct_jb_int(&b, "audience_id", sub->audience_id);
	ct_jb_string(&b, "status", status, -1);
	ct_jb_string(&b, "user_id_field", field ? field : "customer", -1);
	ct_jb_end_object(&b);

	ct_jb_begin(&cb);
	ct_jb_int(&cb, "segment_id", segment_id);
	ct_jb_string(&cb, "action", sub->action, -1);
	*counts = ct_jb_finish(&cb);
	return ct_jb_finish(&b);
}

static const CtMessageKind ct_subscription_kind = {
	CT_KIND_SUBSCRIPTION, sizeof(CtSubscription), ct_parse_subscription, ct_subscribe
};

/* See subscription.h. */
Jsonb *
ct_subscription_handle(Jsonb *request, CtMessageMode *mode)
{
	return ct_message_handle(request, mode, &ct_subscription_kind);
}
