/*
 * usage.c
 *	  See usage.h.
 */
#include "postgres.h"

#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/datetime.h"

#include "store.h"
#include "usage.h"

/* The first day of the UTC month of a timestamp, as a DateADT. */
DateADT
ct_month(TimestampTz ts)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return date2j(tm.tm_year, tm.tm_mon, 1) - POSTGRES_EPOCH_JDATE;
}

/* Add to the usage of a project and month. */
void
ct_usage_add(CtUsages *us, const char *project_id, DateADT month, int64 events,
			 int64 data_points, int64 profile_updates)
{
	CtUsage    *u = NULL;

	for (int i = 0; i < us->n && u == NULL; i++)
	{
		if (us->u[i].month == month && strcmp(us->u[i].project_id, project_id) == 0)
			u = &us->u[i];
	}
	if (u == NULL)
	{
		if (us->n >= us->cap)
		{
			us->cap = Max(us->cap * 2, 4);
			us->u = us->u ? repalloc(us->u, sizeof(CtUsage) * us->cap) : palloc(sizeof(CtUsage) * us->cap);
		}
		u = &us->u[us->n++];
		memset(u, 0, sizeof(*u));
		u->project_id = pstrdup(project_id);
		u->month = month;
	}
	u->events += events;
	u->data_points += data_points;
	u->profile_updates += profile_updates;
}

/* Write the usage delta rows. */
void
ct_write_usage(CtUsages *us)
{
	CtBatch		q;

	if (us->n == 0)
		return;
	ct_batch_init(&q, CT_Q_TRIG_USAGE, us->n);
	for (int i = 0; i < us->n; i++)
	{
		ct_arr_add(CT_COL(&q, 1), CStringGetTextDatum(us->u[i].project_id), false);
		ct_arr_add(CT_COL(&q, 2), DateADTGetDatum(us->u[i].month), false);
		ct_arr_add(CT_COL(&q, 3), Int64GetDatum(us->u[i].events), false);
		ct_arr_add(CT_COL(&q, 4), Int64GetDatum(us->u[i].data_points), false);
		ct_arr_add(CT_COL(&q, 5), Int64GetDatum(us->u[i].profile_updates), false);
	}
	ct_batch_exec(&q, false);
}
