/*
 * exportpage.h
 *	  A page of a project's export outbox with its events and profiles, as
 *	  ct_export_claim builds a request from it (see exportpage.c).
 */
#ifndef CT_EXPORTPAGE_H
#define CT_EXPORTPAGE_H

#include "postgres.h"

#include "executor/spi.h"

/*
 * The columns of a page's row, as ct_export_page_row gives them: column n
 * is values[n - 1].
 */
#define CT_PAGE_CT_ID		1	/* the outbox row: text */
#define CT_PAGE_EVENT_ID	2	/* bigint, 0: the profile's properties */
#define CT_PAGE_EVENT_NAME	3	/* its event (all NULL: none) */
#define CT_PAGE_TS			4
#define CT_PAGE_PROPS		5
#define CT_PAGE_IDENTITY	6	/* its profile (see CT_PAGE_FIRST) */
#define CT_PAGE_EMAIL		7
#define CT_PAGE_MPARTICLE_ID 8
#define CT_PAGE_PROPERTIES	9
#define CT_PAGE_PRESENT		10	/* false: the profile is gone */
#define CT_PAGE_UPDATED_AT	11
#define CT_PAGE_FIRST		12	/* the first row of its profile in the page:
								 * only that row carries the profile */
#define CT_PAGE_COLS		12

typedef struct CtExportEventKey CtExportEventKey;

/* A page: its outbox rows, and the events of their profiles. */
typedef struct CtExportPage
{
	SPITupleTable *rows;		/* the outbox rows, in (ct_id, event_id) order */
	uint64		n;
	SPITupleTable *events;		/* their events: NULL when none was read */
	CtExportEventKey *keys;		/* the events by (ct_id, event_id) */
	int			nkeys;
} CtExportPage;

/*
 * Read up to limit rows of the project's outbox after (after_ct_id,
 * after_id), with their events and profiles; returns how many.  by_profile:
 * a profile's events by one range scan (an export of all events: the range
 * holds few events not waiting), else each by its own lookup (an export of
 * some events: a range may hold many more of the profile's other events).
 * SPI connected; the page holds SPI's results until ct_export_page_free.
 */
extern uint64 ct_export_page_read(CtExportPage *page, const char *project_id,
								  const char *after_ct_id, int64 after_id, int limit,
								  bool by_profile);

/* The columns (CT_PAGE_*) of row r of the page. */
extern void ct_export_page_row(const CtExportPage *page, uint64 r, Datum *values, bool *nulls);

extern void ct_export_page_free(CtExportPage *page);

#endif							/* CT_EXPORTPAGE_H */
