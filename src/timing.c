/*
 * timing.c
 *	  Where an import's time goes, step by step (see timing.h).
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/guc.h"

#include "timing.h"

bool		ct_log_timing = false;
double		ct_step_us[CT_NUM_STEPS];

/* Define ctaudience.log_timing (_PG_init). */
void
ct_timing_init(void)
{
	DefineCustomBoolVariable("ctaudience.log_timing",
							 "Log where each imported message's time goes, step by step.",
							 "One LOG line per message: microseconds per step and per profile.",
							 &ct_log_timing,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
}

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
