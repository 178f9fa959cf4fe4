/*
 * body.h
 *	  A request's body as it arrives, within --max-body and --max-buffered.
 */
#ifndef CT_BODY_H
#define CT_BODY_H

#include <stdbool.h>
#include <stddef.h>

typedef enum CtBodyState
{
	CT_BODY_OK,
	CT_BODY_TOO_BIG,			/* over --max-body: 413 */
	CT_BODY_OVER_BUDGET			/* over --max-buffered: 429 */
} CtBodyState;

typedef struct CtBody
{
	char	   *data;			/* malloc'd; NULL while empty or dropped */
	size_t		len;
	size_t		cap;			/* of data, all of it held in the budget */
	size_t		expected;		/* its Content-Length; 0: not given */
	size_t		discarded;		/* bytes dropped past a limit */
	CtBodyState state;
} CtBody;

extern bool ct_body_fits(size_t content_length);
extern bool ct_body_take(CtBody *body, const char *data, size_t n);
extern const char *ct_body_text(CtBody *body);
extern void ct_body_free(CtBody *body);

#endif							/* CT_BODY_H */
