/*
 * usage.h
 *	  Usage as CleverTap bills it, per project and UTC month, appended as
 *	  delta rows (ct_usage_delta) by the statements that cause it.
 */
#ifndef CT_USAGE_H
#define CT_USAGE_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "utils/date.h"

typedef struct CtUsage
{
	char	   *project_id;
	DateADT		month;
	int64		events;
	int64		data_points;
	int64		profile_updates;
} CtUsage;

typedef struct CtUsages
{
	CtUsage    *u;
	int			n;
	int			cap;
} CtUsages;

extern DateADT ct_month(TimestampTz ts);
extern void ct_usage_add(CtUsages *us, const char *project_id, DateADT month, int64 events,
						 int64 data_points, int64 profile_updates);
extern void ct_write_usage(CtUsages *us);

#endif							/* CT_USAGE_H */
