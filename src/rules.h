/*
 * rules.h
 *	  The rules of the Firehose format, written once for both readers.
 *
 * Each rule checks one value read from a message.  Given the JSON path of
 * the value, a rule that refuses it raises the message's error there (the
 * jsonb reader of firehose.c).  Given path NULL it only answers false: the
 * text reader of stream.c then gives up, and the jsonb reader raises the
 * error.  So both argument types accept the same messages and fail with
 * the same SQLSTATE, message and detail.
 */
#ifndef CT_RULES_H
#define CT_RULES_H

#include "model.h"

/* Milliseconds since the Unix epoch (checked by ct_rule_time_ms) as TimestampTz. */
static inline TimestampTz
ct_time_from_ms(int64 ms)
{
	return (TimestampTz) (ms * 1000) -
		(TimestampTz) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;
}

extern bool ct_rule_uuid(CtStr s, pg_uuid_t *out, const CtPath *path, const char *leaf);
extern bool ct_rule_time_ms(int64 ms, const CtPath *path, const char *leaf);
extern bool ct_rule_firehose_version(CtStr *version, const CtPath *path);
extern bool ct_rule_message_time(const CtEnvelope *env, const CtPath *path);
extern bool ct_rule_encoding(CtStr encoding, bool *raw, const CtPath *path);
extern bool ct_rule_audience_id(int64 id, const CtPath *path);
extern bool ct_rule_audience_name(CtStr name, const CtPath *path);
extern bool ct_rule_audience_action(CtStr action, CtAction *out, const CtPath *path);
extern bool ct_rule_user_id_field(CtStr field, int *out, const CtPath *path);
extern bool ct_rule_attr_action(CtStr action, bool *is_delete, const CtPath *path);
extern bool ct_rule_attr_key_fits(CtStr key);
extern bool ct_rule_attr_value_fits(int len);

#endif							/* CT_RULES_H */
