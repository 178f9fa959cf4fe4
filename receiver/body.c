/*
 * body.c
 *	  A request's body as it arrives.  The bodies held at once are limited
 *	  to --max-buffered bytes, so that many large posts at once cannot
 *	  exhaust the receiver's memory; the budget counts the memory a body
 *	  holds, taken as its bytes arrive (its buffer doubles as it fills, up
 *	  to its Content-Length), so that a body that trickles in holds no
 *	  more than twice what it sent.  A body that passes --max-body or the
 *	  budget is dropped, the rest of it read and thrown away (libmicrohttpd
 *	  answers a request only before its body or after it), then refused;
 *	  one that goes on and on is cut off.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "config.h"
#include "metrics.h"

/* The first buffer of a body: a small message needs no more. */
#define CT_BODY_FIRST ((size_t) 4096)

static pthread_mutex_t ct_budget_mutex = PTHREAD_MUTEX_INITIALIZER;
static size_t ct_buffered = 0;

/* Take n bytes of the budget; false when they are not there. */
static bool
ct_budget_take(size_t n)
{
	bool		ok;

	pthread_mutex_lock(&ct_budget_mutex);
	ok = ct_buffered + n <= (size_t) ct_config.max_buffered;
	if (ok)
		ct_buffered += n;
	pthread_mutex_unlock(&ct_budget_mutex);
	if (ok)
		ct_metrics_add(CT_STAT_BUFFERED, (long) n);
	return ok;
}

/* Give n bytes back to the budget. */
static void
ct_budget_give(size_t n)
{
	pthread_mutex_lock(&ct_budget_mutex);
	ct_buffered -= n;
	pthread_mutex_unlock(&ct_budget_mutex);
	ct_metrics_add(CT_STAT_BUFFERED, -(long) n);
}

/*
 * Whether a body of content_length bytes fits in the budget now: checked
 * on the head, so that one that cannot is refused before it is sent.  It
 * takes nothing: the body takes its bytes as they arrive.
 */
bool
ct_body_fits(size_t content_length)
{
	bool		fits;

	pthread_mutex_lock(&ct_budget_mutex);
	fits = ct_buffered + content_length + 1 <= (size_t) ct_config.max_buffered;
	pthread_mutex_unlock(&ct_budget_mutex);
	return fits;
}

/* Drop what the body holds, giving its bytes back to the budget. */
void
ct_body_free(CtBody *body)
{
	free(body->data);
	if (body->cap > 0)
		ct_budget_give(body->cap);
	body->data = NULL;
	body->len = body->cap = 0;
}

/* Room for n more bytes and a terminating nul; false (state set) past a limit. */
static bool
ct_body_room(CtBody *body, size_t n)
{
	size_t		need = body->len + n + 1;
	size_t		most = body->expected > 0 ? body->expected + 1 : (size_t) ct_config.max_body + 1;
	size_t		cap;

	if (body->len + n > (size_t) ct_config.max_body)
	{
		body->state = CT_BODY_TOO_BIG;
		return false;
	}
	if (need <= body->cap)
		return true;
	cap = body->cap > 0 ? body->cap : CT_BODY_FIRST;
	while (cap < need)
		cap *= 2;
	if (cap > most)
		cap = most > need ? most : need;
	if (!ct_budget_take(cap - body->cap))
	{
		body->state = CT_BODY_OVER_BUDGET;
		return false;
	}
	body->data = realloc(body->data, cap);
	body->cap = cap;
	return true;
}

/* A part of the body: kept, or past a limit dropped; false: cut the connection off. */
bool
ct_body_take(CtBody *body, const char *data, size_t n)
{
	if (body->state == CT_BODY_OK && ct_body_room(body, n))
	{
		memcpy(body->data + body->len, data, n);
		body->len += n;
		return true;
	}
	ct_body_free(body);
	body->discarded += n;
	return body->discarded <= 4 * (size_t) ct_config.max_body;
}

/* The whole body, nul-terminated (it may hold nul bytes of its own). */
const char *
ct_body_text(CtBody *body)
{
	if (body->data == NULL)
		return "";
	body->data[body->len] = '\0';
	return body->data;
}
