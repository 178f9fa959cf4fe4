/*
 * rules.c
 *	  The rules of the Firehose format, for both readers; see rules.h.
 */
#include "postgres.h"

#include "utils/timestamp.h"

#include "kind.h"
#include "rules.h"

/* The newest time a message may carry: 9999-12-31 23:59:59.999 UTC. */
#define CT_MAX_TIME_MS INT64CONST(253402300799999)

/* Refuse with sqlstate at path.leaf, or answer false when path is NULL. */
#define CT_REFUSE(sqlstate, path, leaf, ...) \
	do { \
		if ((path) == NULL) \
			return false; \
		ct_json_error((sqlstate), (path), (leaf), __VA_ARGS__); \
	} while (0)

/*
 * Parse a UUID as uuid_in does: 32 hex digits, a hyphen optional after
 * each group of 4 but the last (never two in a row), the whole optionally
 * in braces.  (0.2.0 also took a hyphen after the last digit inside
 * braces, and an opening brace without its closing one, and refused 7
 * hyphens in braces, 41 characters.)
 */
#define CT_UUID_MAX_TEXT (UUID_LEN * 2 + 7 + 2)
bool
ct_rule_uuid(CtStr s, pg_uuid_t *out, const CtPath *path, const char *leaf)
{
	int			digits = 0;

	for (int i = 0; i < s.len && s.len <= CT_UUID_MAX_TEXT; i++)
	{
		char		c = s.s[i];

		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
		{
			int			v = (c <= '9') ? c - '0' : (c | 0x20) - 'a' + 10;

			if (digits >= UUID_LEN * 2)
			{
				digits = -1;
				break;
			}
			if (digits % 2 == 0)
				out->data[digits / 2] = v << 4;
			else
				out->data[digits / 2] |= v;
			digits++;
		}
		else if (c == '-' && digits > 0 && digits % 4 == 0 && digits < UUID_LEN * 2 &&
				 i + 1 < s.len && s.s[i + 1] != '-')
			continue;
		else if ((c == '{' && i == 0) || (c == '}' && i == s.len - 1 && s.s[0] == '{'))
			continue;
		else
		{
			digits = -1;
			break;
		}
	}
	if (s.len > 0 && s.s[0] == '{' && s.s[s.len - 1] != '}')
		digits = -1;
	if (digits != UUID_LEN * 2 || s.len > CT_UUID_MAX_TEXT)
		CT_REFUSE(ERRCODE_INVALID_TEXT_REPRESENTATION, path, leaf,
				  "\"%s\" must be a UUID, not \"%.*s\"", leaf, Min(s.len, 64), s.s);
	return true;
}

/* A time in milliseconds since the Unix epoch: after 1970-01-01, before year 10000. */
bool
ct_rule_time_ms(int64 ms, const CtPath *path, const char *leaf)
{
	if (ms <= 0 || ms > CT_MAX_TIME_MS)
		CT_REFUSE(ERRCODE_INVALID_PARAMETER_VALUE, path, leaf,
				  "\"%s\" must be a positive number of milliseconds since 1970-01-01, before year 10000, not " INT64_FORMAT,
				  leaf, ms);
	return true;
}

/* firehose_version: 1 to 32 characters; when absent, the version we model. */
bool
ct_rule_firehose_version(CtStr *version, const CtPath *path)
{
	if (version->s == NULL)
	{
		/* the response must carry one */
		version->s = "3.2.0";
		version->len = 5;
	}
	else if (version->len == 0 || version->len > 32)
		CT_REFUSE(ERRCODE_INVALID_PARAMETER_VALUE, path, "firehose_version",
				  "\"firehose_version\" must be 1 to 32 characters long");
	return true;
}

/*
 * A message of a dated kind (CT_DATED: membership, subscription) dated
 * further ahead of this server's clock than ctaudience.max_clock_skew is
 * refused: stored as the time of its statements, it would make every
 * later real message for the same users stale.
 */
bool
ct_rule_message_time(const CtEnvelope *env, const CtPath *path)
{
	const CtKind *kind = ct_kind_find(env->type);
	int64		now_ms = GetCurrentTimestamp() / 1000 +
		(int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * 1000;

	if (kind == NULL || !(kind->flags & CT_DATED))
		return true;
	if (env->timestamp_ms - now_ms <= (int64) ct_max_clock_skew * 1000)
		return true;
	if (path == NULL)
		return false;
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("invalid Firehose message: \"timestamp_ms\" " INT64_FORMAT
					" is more than ctaudience.max_clock_skew (%d s) ahead of this server's clock",
					env->timestamp_ms, ct_max_clock_skew),
			 errdetail("The problem is at JSON path %s.", ct_path_format(path, "timestamp_ms")),
			 errhint("Check the clock of the sender.  Membership and subscription messages may be dated "
					 "at most ctaudience.max_clock_skew in the future, as newer messages win.")));
	return false;
}

/* An identity's encoding: raw, or one of the hashes mParticle sends. */
bool
ct_rule_encoding(CtStr encoding, bool *raw, const CtPath *path)
{
	*raw = ct_str_eq_ci(encoding, "raw");
	if (!*raw && !ct_str_eq_ci(encoding, "md5") && !ct_str_eq_ci(encoding, "sha1") &&
		!ct_str_eq_ci(encoding, "sha256"))
		CT_REFUSE(ERRCODE_INVALID_PARAMETER_VALUE, path, "encoding",
				  "unknown identity encoding \"%.*s\"", Min(encoding.len, 64), encoding.s);
	return true;
}

bool
ct_rule_audience_id(int64 id, const CtPath *path)
{
	if (id <= 0)
		CT_REFUSE(ERRCODE_INVALID_PARAMETER_VALUE, path, "audience_id",
				  "\"audience_id\" must be a positive integer, not " INT64_FORMAT, id);
	return true;
}

/* An audience name becomes a segment name: 1 to CT_MAX_NAME_BYTES bytes, no NUL. */
bool
ct_rule_audience_name(CtStr name, const CtPath *path)
{
	if (name.len == 0)
		CT_REFUSE(ERRCODE_INVALID_PARAMETER_VALUE, path, "audience_name",
				  "\"audience_name\" must not be empty");
	if (name.len > CT_MAX_NAME_BYTES)
		CT_REFUSE(ERRCODE_INVALID_PARAMETER_VALUE, path, "audience_name",
				  "audience name is %d bytes long; the limit is %d bytes",
				  name.len, CT_MAX_NAME_BYTES);
	if (memchr(name.s, '\0', name.len) != NULL)
		CT_REFUSE(ERRCODE_INVALID_PARAMETER_VALUE, path, "audience_name",
				  "\"audience_name\" must not contain NUL characters");
	return true;
}

bool
ct_rule_audience_action(CtStr action, CtAction *out, const CtPath *path)
{
	if (ct_str_eq(action, "add"))
		*out = CT_ACTION_ADD;
	else if (ct_str_eq(action, "delete"))
		*out = CT_ACTION_DELETE;
	else if (ct_str_eq(action, "attribute_update"))
		*out = CT_ACTION_ATTRIBUTE_UPDATE;
	else
		CT_REFUSE(ERRCODE_INVALID_PARAMETER_VALUE, path, "action",
				  "unknown audience action \"%.*s\"; expected \"add\", \"delete\" or \"attribute_update\"",
				  Min(action.len, 64), action.s);
	return true;
}

/* audience_subscription_settings.userIdField: an identity type, or mpid. */
bool
ct_rule_user_id_field(CtStr field, int *out, const CtPath *path)
{
	*out = ct_user_id_field_from_name(field);
	if (*out < 0)
		CT_REFUSE(ERRCODE_INVALID_PARAMETER_VALUE, path, "userIdField",
				  "unknown userIdField \"%.*s\"; use customer, email, other, other2 to other10, or mpid",
				  Min(field.len, 64), field.s);
	return true;
}

bool
ct_rule_attr_action(CtStr action, bool *is_delete, const CtPath *path)
{
	*is_delete = ct_str_eq(action, "delete");
	if (!*is_delete && !ct_str_eq(action, "upsert"))
		CT_REFUSE(ERRCODE_INVALID_PARAMETER_VALUE, path, "action",
				  "unknown user attribute action \"%.*s\"; expected \"upsert\" or \"delete\"",
				  Min(action.len, 64), action.s);
	return true;
}

/* CleverTap's property limits: an attribute over them is dropped and counted. */
bool
ct_rule_attr_key_fits(CtStr key)
{
	return key.len > 0 && key.len <= CT_MAX_ATTR_KEY_BYTES;
}

bool
ct_rule_attr_value_fits(int len)
{
	return len <= CT_MAX_ATTR_VALUE_BYTES;
}
