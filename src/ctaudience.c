/*
 * ctaudience.c
 *	  Module entry: PG_MODULE_MAGIC and _PG_init.
 *
 * ctaudience makes PostgreSQL the receiving end of mParticle audience
 * syncs with CleverTap's semantics.  See README.md.
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "firehose.h"
#include "inbox.h"
#include "phone.h"
#include "timing.h"
#include "triggers.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * Module load: reserve the ctaudience.* GUC prefix.  Loaded through
 * shared_preload_libraries, build libphonenumber's tables once in the
 * postmaster (15-25 ms, 2.5 MB) so that every backend inherits them
 * instead of paying for them on its first phone number.
 */
void
_PG_init(void)
{
	DefineCustomBoolVariable("ctaudience.notify_partner_sync",
							 "Announce committed membership changes with NOTIFY ct_partner_sync.",
							 "Payloads are JSON: {\"segments\": [{\"segment_id\", \"added\", \"removed\"}, ...]}, "
							 "at most 50 segments each; no profile or project is named.",
							 &ct_notify_partner_sync,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);
	DefineCustomBoolVariable("ctaudience.log_timing",
							 "Log where each imported message's time goes, step by step.",
							 "One LOG line per message: microseconds per step and per profile.",
							 &ct_log_timing,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("ctaudience.inbox_max_attempts",
							"Attempts ct_process_inbox() makes at a queued message before it is dead-lettered.",
							"Failures caused by the message itself (SQLSTATE classes 22, 28, 42 and 54) are "
							"dead-lettered at the first attempt.",
							&ct_inbox_max_attempts,
							5, 1, 100,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ctaudience.inbox_retry_delay",
							"Delay before ct_process_inbox() retries a failed message; doubled on each attempt.",
							"At most a day.",
							&ct_inbox_retry_delay,
							60, 0, 86400,
							PGC_USERSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ctaudience.max_clock_skew",
							"How far ahead of this server's clock a membership or subscription message may be dated.",
							"A message dated later is refused (SQLSTATE 22008): newer messages win, so one dated "
							"in the future would make every later real message for its users stale.",
							&ct_max_clock_skew,
							600, 0, INT_MAX / 1000,
							PGC_SUSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ctaudience.inbox_message_timeout",
							"How long the inbox lets one message take before it fails it (57014) and goes on.",
							"Within the calling statement's statement_timeout, if any.  0: no limit of its own.",
							&ct_inbox_message_timeout,
							300000, 0, INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ctaudience.inbox_retention",
							"How long an answered inbox message (its body and response) is kept.",
							"Each run of the inbox removes older ones.  -1 keeps them.",
							&ct_inbox_retention,
							7 * 86400, -1, INT_MAX,
							PGC_SUSET,
							GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ctaudience.max_message_bytes",
							"The largest Firehose message accepted, in bytes.",
							"A larger message is refused (SQLSTATE 54000) before it is read.",
							&ct_max_message_bytes,
							64 * 1024 * 1024, 1024, INT_MAX,
							PGC_SUSET,
							GUC_UNIT_BYTE,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ctaudience.max_profiles_per_message",
							"The most user profiles a membership message may carry.",
							"A message with more is refused (SQLSTATE 54000) as soon as that is seen.",
							&ct_max_profiles_per_message,
							100000, 1, 10000000,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("ctaudience.max_audiences_per_message",
							"The most distinct audiences a membership message may name.",
							"A message naming more is refused (SQLSTATE 54000): each audience is a segment.",
							&ct_max_audiences_per_message,
							1000, 1, 1000000,
							PGC_SUSET,
							0,
							NULL, NULL, NULL);
	MarkGUCPrefixReserved("ctaudience");
	if (process_shared_preload_libraries_in_progress && ct_phone_init() != 0)
		ereport(WARNING,
				(errmsg("ctaudience could not initialize libphonenumber"),
				 errdetail("Phone numbers will be parsed on first use instead.")));
}

bool		ct_log_timing = false;
double		ct_step_us[CT_NUM_STEPS];

static const char *const ct_step_names[CT_NUM_STEPS] = {
	"parse", "auth", "segments", "resolve", "lookup", "merge", "insert", "update",
	"members", "triggers", "log"
};

/* Reset the step counters before a message. */
void
ct_timing_reset(void)
{
	memset(ct_step_us, 0, sizeof(ct_step_us));
}

/* Log the steps of a message (microseconds; triggers are inside insert/update/members). */
void
ct_timing_report(int64 profiles)
{
	StringInfoData buf;
	double		total = 0;

	if (!ct_log_timing)
		return;
	initStringInfo(&buf);
	for (int i = 0; i < CT_NUM_STEPS; i++)
	{
		appendStringInfo(&buf, " %s=%.0f", ct_step_names[i], ct_step_us[i]);
		if (i != CT_STEP_TRIGGER)
			total += ct_step_us[i];
	}
	ereport(LOG,
			(errmsg("ctaudience timing: profiles=" INT64_FORMAT " total_us=%.0f us_per_profile=%.2f%s",
					profiles, total, profiles > 0 ? total / profiles : 0.0, buf.data),
			 errhidestmt(true)));
	pfree(buf.data);
}
