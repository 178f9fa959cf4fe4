/*
 * export.c
 *	  The database's side of the export to mParticle: events queued for a
 *	  project's export where they are recorded, and ct_export_claim(), which
 *	  hands an exporter the next request to POST to the Events API.
 *
 * A request is built here from what waits in the outbox, in profile order
 * from where the previous one stopped (see CtCursor), and kept (ct_export_request) until mParticle answers it
 * (ct_export_result): a request handed out again is the same request, so a
 * resend after a crash carries the same source_request_id and body, which
 * mParticle de-duplicates.  Each batch is one user's; its
 * source_request_id is derived from its events, each event's
 * source_message_id from the event, so the same events always make the
 * same request.
 */
#include "postgres.h"

#include "common/cryptohash.h"
#include "common/sha2.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/uuid.h"

#include "citus.h"
#include "events.h"
#include "export.h"
#include "exportguard.h"
#include "exportjson.h"
#include "exportpage.h"
#include "scope.h"
#include "store.h"

PG_FUNCTION_INFO_V1(ct_export_claim);

/* mParticle's limits (its Events API) */
#define CT_MP_MAX_BATCHES		100
#define CT_MP_MAX_REQUEST		(256 * 1024)
#define CT_MP_MAX_BATCH			(128 * 1024)

/* Bytes a batch's closing and the request's take after what is there. */
#define CT_CLOSING 3			/* "]}" of the batch, "]" of the request */

/*
 * Outbox rows read at a time: a request of small events holds about 800,
 * and what is read past the one that does not fit (its event and profile
 * looked up) is work lost.
 */
#define CT_EXPORT_PAGE 200

/* The room a request's outbox rows get at first. */
#define CT_EXPORT_ROWS 1000

/*
 * Where each project's last request left its outbox, in this backend: the
 * next request is read from there, not from the outbox's start, which
 * after a long backlog is a long run of index entries of rows that earlier
 * requests removed and vacuum has not yet cleared.  Only a hint: a claim
 * that reaches the outbox's end with room left reads on from its start, up
 * to it, so no row is ever left behind; an exporter that claims a project on
 * another connection (or after a restart) just starts from the start.
 */
#define CT_CURSOR_CACHE_SIZE 16

typedef struct CtCursor
{
	char		project_id[65];
	char	   *ct_id;			/* in TopMemoryContext; NULL: entry unused */
	int64		event_id;
} CtCursor;

static CtCursor ct_cursors[CT_CURSOR_CACHE_SIZE];
static int	ct_cursor_next = 0;

/* The base URL of each mParticle data center's partner feeds. */
static const struct
{
	const char *data_center;
	const char *base;
}			ct_data_centers[] = {
	{"default", "https://inbound.mparticle.com/s2s"},
	{"us", "https://inbound.us1.mparticle.com/s2s"},
	{"eu", "https://inbound.eu1.mparticle.com/s2s"},
	{"au", "https://inbound.au1.mparticle.com/s2s"},
};

/* ---------------------------------------------------------------------
 * Queueing events for an export
 * ---------------------------------------------------------------------
 */

/* See export.h. */
bool
ct_export_takes(const char *project_id, const char *name)
{
	Datum		args[2] = {CStringGetTextDatum(project_id), CStringGetTextDatum(name)};
	bool		takes = ct_store_exec(CT_Q_EXPORT_TAKES, args, NULL, true) > 0;

	SPI_freetuptable(SPI_tuptable);
	return takes;
}

/* See export.h. */
void
ct_export_queue(const char *project_id, CtArr *ct_ids, CtArr *event_ids)
{
	Datum		args[3];

	if (ct_ids->n == 0)
		return;
	args[0] = CStringGetTextDatum(project_id);
	args[1] = ct_arr_datum(ct_ids);
	args[2] = ct_arr_datum(event_ids);
	ct_store_exec(CT_Q_EXPORT_QUEUE, args, NULL, false);
}

/* ---------------------------------------------------------------------
 * Building a request
 * ---------------------------------------------------------------------
 */

/* A project's export, as ct_export_claim reads it. */
typedef struct CtExport
{
	const char *project_id;
	char	   *feed_key;
	char	   *url;
	char	   *customer_id;
	char	   *export_type;
	Datum		events;
	char	   *schedule;
	char	   *look_back;
	char	   *environment;
	bool		active;
	bool		running;
	bool		due;
	TimestampTz properties_through;
	char	  **selected;		/* a selected_events export's names */
	int			nselected;
} CtExport;

/*
 * The profile of the outbox rows being added: the page of rows carries it
 * with the first row of each profile only (CT_Q_EXPORT_ROWS), so it is
 * kept here for the others.  NULL fields: NULL in the database.
 */
typedef struct CtExportProfile
{
	char	   *ct_id;			/* whose; NULL: none read yet */
	bool		present;		/* false: the profile is gone */
	text	   *identity;
	text	   *email;
	text	   *mparticle_id;
	Jsonb	   *properties;
	TimestampTz updated_at;		/* 0: NULL */
} CtExportProfile;

/* A request being built. */
typedef struct CtRequest
{
	const CtExport *x;
	StringInfoData body;		/* "[" and the batches closed so far */
	int			batches;
	int			events;
	int			profiles;
	int			cut;
	CtArr		ct_ids;			/* the outbox rows it covers */
	CtArr		event_ids;
	CtArr		drop_ct_ids;	/* outbox rows with nothing to send */
	CtArr		drop_event_ids;
	bool		full;			/* no room for what comes next */
	int			unsendable;		/* rows dropped: too large for any request */
	CtExportProfile profile;	/* of the row being added */

	/* the open batch: one user's */
	char	   *user;			/* NULL: none open */
	StringInfoData batch;		/* its header and events so far */
	int			id_at;			/* where its source_request_id goes */
	int			header_len;		/* its length before its first event */
	int			batch_events;
	pg_cryptohash_ctx *hash;	/* of what makes its id */

	pg_cryptohash_ctx *event_hash;	/* for each event's id */

	/*
	 * the page's row being added, its columns (CT_PAGE_*) taken apart once:
	 * column n is row[n - 1]
	 */
	Datum		row[CT_PAGE_COLS];
	bool		row_null[CT_PAGE_COLS];
} CtRequest;

/*
 * Append to one of a request's arrays of outbox rows, growing it: a
 * request of small events covers more rows than CT_EXPORT_ROWS (256 KB of
 * events of about 170 bytes is over 1,500), and a claim may drop any
 * number.
 */
static void
ct_rows_add(CtArr *a, Datum v)
{
	if (a->n >= a->cap)
	{
		a->cap *= 2;
		a->values = repalloc(a->values, sizeof(Datum) * a->cap);
		a->nulls = repalloc(a->nulls, sizeof(bool) * a->cap);
	}
	ct_arr_add(a, v, false);
}

/* A UUID (RFC 9562 version 8) from the first bytes of a SHA-256 digest. */
static void
ct_uuid_from_digest(const uint8 *digest, char *out)
{
	uint8		b[16];

	memcpy(b, digest, 16);
	b[6] = (b[6] & 0x0f) | 0x80;
	b[8] = (b[8] & 0x3f) | 0x80;

	/*
	 * 8-4-4-4-12 lowercase hex digits, by hand: snprintf's "%02x" sixteen
	 * times was 6% of a claim's instructions (a UUID an event)
	 */
	for (int i = 0; i < 16; i++)
	{
		static const char hex[] = "0123456789abcdef";

		if (i == 4 || i == 6 || i == 8 || i == 10)
			*out++ = '-';
		*out++ = hex[b[i] >> 4];
		*out++ = hex[b[i] & 0x0f];
	}
	*out = '\0';
}

static pg_cryptohash_ctx *
ct_hash_begin(void)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (ctx == NULL || pg_cryptohash_init(ctx) < 0)
		elog(ERROR, "could not initialize a SHA-256 context");
	return ctx;
}

static void
ct_hash_add(pg_cryptohash_ctx *ctx, const void *data, size_t len)
{
	if (pg_cryptohash_update(ctx, data, len) < 0)
		elog(ERROR, "could not compute a SHA-256 digest");
}

/* Finish a digest into a UUID string (37 bytes with its NUL); ctx stays. */
static void
ct_hash_final_uuid(pg_cryptohash_ctx *ctx, char *out)
{
	uint8		digest[PG_SHA256_DIGEST_LENGTH];

	if (pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not compute a SHA-256 digest");
	ct_uuid_from_digest(digest, out);
}

/* Finish a digest into a UUID string, and free its context. */
static void
ct_hash_uuid(pg_cryptohash_ctx *ctx, char *out)
{
	ct_hash_final_uuid(ctx, out);
	pg_cryptohash_free(ctx);
}

/*
 * One event as mParticle's Events API takes it, in at most room bytes;
 * hash: a SHA-256 context to use (one for every event of a request:
 * creating one is most of the cost of a digest this short).
 */
static void
ct_render_event(StringInfo out, const CtExport *x, pg_cryptohash_ctx *hash, int64 event_id,
				const char *name, TimestampTz ts, Jsonb *props, int room, int *cut)
{
	CtMpType	type = ct_event_mp_type(name);
	char		id[37];
	uint64		be = pg_hton64((uint64) event_id);
	int64		ms = ts / 1000 + (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * 1000;
	int			start = out->len;

	if (pg_cryptohash_init(hash) < 0)
		elog(ERROR, "could not initialize a SHA-256 context");
	ct_hash_add(hash, "ctaudience event", 17);
	ct_hash_add(hash, x->project_id, strlen(x->project_id) + 1);
	ct_hash_add(hash, &be, sizeof(be));
	ct_hash_final_uuid(hash, id);

	/* string by string: appendStringInfo's formatting is slower */
	appendStringInfoString(out, "{\"event_type\":\"");
	appendStringInfoString(out, type.event_type);
	appendStringInfoString(out, "\",\"data\":{");
	if (type.custom_event_type != NULL)
	{
		appendStringInfoString(out, "\"event_name\":");
		ct_json_string(out, name, strlen(name), CT_MP_MAX_NAME_CHARS, cut);
		appendStringInfoString(out, ",\"custom_event_type\":\"");
		appendStringInfoString(out, type.custom_event_type);
		appendStringInfoString(out, "\",");
	}

	/*
	 * mParticle takes a positive time only, and refuses the whole request for
	 * one other: a time before 1970 (refused when recorded, but an older row
	 * may hold one) is sent as the first millisecond after 1970, so that the
	 * event stays in the past rather than taking the time it arrives (as it
	 * would without this field)
	 */
	if (ms < 1)
		ms = 1;
	appendStringInfoString(out, "\"timestamp_unixtime_ms\":");
	enlargeStringInfo(out, MAXINT8LEN + 1);
	out->len += pg_lltoa(ms, out->data + out->len);
	appendStringInfoString(out, ",\"source_message_id\":\"");
	appendBinaryStringInfo(out, id, 36);
	appendStringInfoString(out, "\",\"custom_attributes\":");
	ct_render_attributes(out, props, start + room - 2, cut);
	appendStringInfoString(out, "}}");
}

/* A text column (1-based) of the row being added, copied; NULL for NULL. */
static text *
ct_text_copy(const CtRequest *rq, int col)
{
	return rq->row_null[col - 1] ? NULL : DatumGetTextPCopy(rq->row[col - 1]);
}

/*
 * The profile of the row being added (an outbox row of ct_id): read when
 * the row is its profile's first in the page, else the one kept from that
 * row.
 */
static void
ct_profile_read(CtRequest *rq, const char *ct_id)
{
	CtExportProfile *p = &rq->profile;

	if (!DatumGetBool(rq->row[11]))
	{
		if (p->ct_id == NULL || strcmp(p->ct_id, ct_id) != 0)
			elog(ERROR, "an outbox row of \"%s\" came without its profile", ct_id);
		return;
	}
	if (p->ct_id != NULL)
	{
		pfree(p->ct_id);
		if (p->identity != NULL)
			pfree(p->identity);
		if (p->email != NULL)
			pfree(p->email);
		if (p->mparticle_id != NULL)
			pfree(p->mparticle_id);
		if (p->properties != NULL)
			pfree(p->properties);
	}
	p->ct_id = pstrdup(ct_id);
	p->present = DatumGetBool(rq->row[9]);
	p->identity = ct_text_copy(rq, 6);
	p->email = ct_text_copy(rq, 7);
	p->mparticle_id = ct_text_copy(rq, 8);
	p->properties = (Jsonb *) ct_text_copy(rq, 9);
	p->updated_at = rq->row_null[10] ? 0 : DatumGetTimestampTz(rq->row[10]);
}

/* The value sent as customer_id, from the profile of an outbox row of ct_id. */
static char *
ct_customer_id(const CtExport *x, const CtExportProfile *p, const char *ct_id, int *len)
{
	text	   *t;

	if (strcmp(x->customer_id, "identity") == 0)
		t = p->identity;
	else if (strcmp(x->customer_id, "email") == 0)
		t = p->email;
	else if (strcmp(x->customer_id, "mparticle_id") == 0)
		t = p->mparticle_id;
	else if (strcmp(x->customer_id, "ct_id") == 0)
	{
		*len = strlen(ct_id);
		return (char *) ct_id;
	}
	else
	{
		/* property:<key> */
		const char *key = x->customer_id + strlen("property:");
		JsonbValue *v;

		if (p->properties == NULL)
			return NULL;
		v = getKeyJsonValueFromContainer(&p->properties->root, key, strlen(key), NULL);
		return v != NULL ? ct_value_text(v, len) : NULL;
	}
	if (t == NULL)
		return NULL;
	*len = VARSIZE_ANY_EXHDR(t);
	return VARDATA_ANY(t);
}

/*
 * Open a batch for the user ct_id, whose profile is rq->profile (its
 * identities; its user attributes when with_attributes: *has_attributes
 * says whether it has any); false, with nothing open, when the request has
 * no room for it.
 */
static bool
ct_batch_open(CtRequest *rq, const char *ct_id, bool with_attributes, bool *has_attributes)
{
	char	   *cid;
	int			cid_len = 0;
	text	   *email = rq->profile.email;
	int			attributes_at;

	*has_attributes = false;
	if (rq->batches >= CT_MP_MAX_BATCHES)
		return false;
	resetStringInfo(&rq->batch);
	appendStringInfoString(&rq->batch, "{\"source_request_id\":\"");
	rq->id_at = rq->batch.len;
	appendStringInfo(&rq->batch, "%36s\",\"environment\":\"%s\",\"user_identities\":{", "",
					 rq->x->environment);

	/*
	 * an empty identity is left out: mParticle refuses the whole request for
	 * it
	 */
	cid = ct_customer_id(rq->x, &rq->profile, ct_id, &cid_len);
	if (cid != NULL && cid_len == 0)
		cid = NULL;
	if (email != NULL && VARSIZE_ANY_EXHDR(email) == 0)
		email = NULL;
	if (cid != NULL)
	{
		appendStringInfoString(&rq->batch, "\"customer_id\":");
		ct_json_string(&rq->batch, cid, cid_len, CT_MP_MAX_VALUE_CHARS, &rq->cut);
	}
	if (email != NULL)
	{
		appendStringInfoString(&rq->batch, cid != NULL ? ",\"email\":" : "\"email\":");
		escape_json(&rq->batch, text_to_cstring(email));
	}
	appendStringInfoString(&rq->batch, "},\"partner_identities\":{\"CleverTap_User_ID\":");
	escape_json(&rq->batch, ct_id);
	appendStringInfoChar(&rq->batch, '}');
	attributes_at = rq->batch.len;
	if (with_attributes && rq->profile.properties != NULL)
		*has_attributes = ct_render_user_attributes(&rq->batch, rq->profile.properties,
													CT_MP_MAX_BATCH - 11 - CT_CLOSING,	/* 11: ,"events":[ */
													&rq->cut);
	appendStringInfoString(&rq->batch, ",\"events\":[");
	if (rq->body.len + 1 + rq->batch.len + CT_CLOSING > CT_MP_MAX_REQUEST)
	{
		*has_attributes = false;
		return false;
	}

	/*
	 * its id: the project, the user, its attributes, its events; with user
	 * attributes also its identities and the profile's updated_at (a value
	 * set back, or a new email, is a new id: mParticle drops a seen one)
	 */
	rq->hash = ct_hash_begin();
	ct_hash_add(rq->hash, "ctaudience batch", 17);
	ct_hash_add(rq->hash, rq->x->project_id, strlen(rq->x->project_id) + 1);
	ct_hash_add(rq->hash, ct_id, strlen(ct_id) + 1);
	ct_hash_add(rq->hash, rq->batch.data + attributes_at, rq->batch.len - attributes_at);
	if (*has_attributes)
	{
		uint64		be = pg_hton64((uint64) rq->profile.updated_at);

		ct_hash_add(rq->hash, rq->batch.data + rq->id_at + 36, attributes_at - rq->id_at - 36);
		ct_hash_add(rq->hash, &be, sizeof(be));
	}
	rq->user = pstrdup(ct_id);
	rq->batch_events = 0;
	rq->header_len = rq->batch.len;
	return true;
}

/* Forget the open batch (nothing of it goes into the request). */
static void
ct_batch_drop(CtRequest *rq)
{
	pg_cryptohash_free(rq->hash);
	rq->hash = NULL;
	rq->user = NULL;
}

/* Close the open batch: its id, then into the body. */
static void
ct_batch_close(CtRequest *rq)
{
	char		id[37];

	if (rq->user == NULL)
		return;
	appendStringInfoString(&rq->batch, "]}");
	ct_hash_uuid(rq->hash, id);
	rq->hash = NULL;
	memcpy(rq->batch.data + rq->id_at, id, 36);
	if (rq->batches > 0)
		appendStringInfoChar(&rq->body, ',');
	appendBinaryStringInfo(&rq->body, rq->batch.data, rq->batch.len);
	rq->batches++;
	rq->user = NULL;
}


/*
 * No room for a row: the request is full; or, if empty (not reached: events
 * are cut to fit), the row is dropped, never left at the outbox's head.
 */
static void
ct_request_no_room(CtRequest *rq, const char *ct_id, int64 event_id)
{
	rq->full = rq->batches > 0;
	if (rq->full)
		return;
	ct_rows_add(&rq->drop_ct_ids, CStringGetTextDatum(ct_id));
	ct_rows_add(&rq->drop_event_ids, Int64GetDatum(event_id));
	rq->unsendable++;
}

/*
 * Add the row being added (rq->row: the outbox row (ct_id, event_id) with
 * its event and profile) to the request: covered, dropped (nothing left to
 * send), or, when there is no room left, left for the next request (full is
 * set).
 */
static void
ct_request_add(CtRequest *rq, const char *ct_id, int64 event_id)
{
	bool		profile;
	bool		no_event;
	char	   *name;
	bool		has_attributes;
	int			cut = 0;		/* what the event's rendering cut */
	int			at;				/* the open batch's length before it */
	int			comma;
	int			ev_at;			/* where the event begins */
	int			ev_len;

	ct_profile_read(rq, ct_id);
	profile = rq->profile.present;
	no_event = rq->row_null[2];
	name = no_event ? NULL : TextDatumGetCString(rq->row[2]);
	if (!profile || (event_id != 0 && no_event) ||
		(event_id == 0 && strcmp(rq->x->export_type, "user_properties") != 0) ||
		(event_id != 0 && !ct_export_selects_name(rq->x->export_type, rq->x->selected, rq->x->nselected, name)))
	{
		/*
		 * its profile or event is gone (erased, purged), or it is not this
		 * export's (any longer)
		 */
		ct_rows_add(&rq->drop_ct_ids, CStringGetTextDatum(ct_id));
		ct_rows_add(&rq->drop_event_ids, Int64GetDatum(event_id));
		return;
	}
	if (rq->user == NULL || strcmp(rq->user, ct_id) != 0)
	{
		ct_batch_close(rq);
		if (!ct_batch_open(rq, ct_id, event_id == 0, &has_attributes))
		{
			ct_request_no_room(rq, ct_id, event_id);
			return;
		}
		rq->profiles++;
		if (event_id == 0)
		{
			/*
			 * user properties: the batch carries them, or there are none to
			 * send
			 */
			ct_rows_add(has_attributes ? &rq->ct_ids : &rq->drop_ct_ids, CStringGetTextDatum(ct_id));
			ct_rows_add(has_attributes ? &rq->event_ids : &rq->drop_event_ids, Int64GetDatum(0));
			if (!has_attributes)
			{
				ct_batch_drop(rq);
				rq->profiles--;
			}
			return;
		}
	}

	/*
	 * An event, as large as a batch of this user can hold: into the open
	 * batch, else into a new batch of the same user (whose header is no
	 * longer: it carries no user attributes).
	 */

	/*
	 * rendered where it goes, after the open batch's events (no comma before
	 * a batch's first): an event of this room fits a batch of its own
	 */
	at = rq->batch.len;
	comma = rq->batch_events > 0 ? 1 : 0;
	if (comma)
		appendStringInfoChar(&rq->batch, ',');
	ev_at = rq->batch.len;
	ct_render_event(&rq->batch, rq->x, rq->event_hash, event_id, name,
					DatumGetTimestampTz(rq->row[3]), DatumGetJsonbP(rq->row[4]),
					CT_MP_MAX_BATCH - rq->header_len - CT_CLOSING, &cut);
	ev_len = rq->batch.len - ev_at;
	if (at + comma + ev_len + CT_CLOSING > CT_MP_MAX_BATCH ||
		rq->body.len + 1 + at + comma + ev_len + CT_CLOSING > CT_MP_MAX_REQUEST)
	{
		/* out of this batch again: into a new batch of the user, or none */
		StringInfoData ev;

		initStringInfo(&ev);
		appendBinaryStringInfo(&ev, rq->batch.data + ev_at, ev_len);
		rq->batch.len = at;
		rq->batch.data[at] = '\0';
		if (rq->batch_events == 0)
		{
			/* the request has no room for this user's first event */
			ct_batch_drop(rq);
			rq->profiles--;
			ct_request_no_room(rq, ct_id, event_id);
			return;
		}
		ct_batch_close(rq);
		if (!ct_batch_open(rq, ct_id, false, &has_attributes) ||
			rq->body.len + 1 + rq->batch.len + ev.len + CT_CLOSING > CT_MP_MAX_REQUEST)
		{
			if (rq->user != NULL)
				ct_batch_drop(rq);
			rq->full = true;
			return;
		}
		appendBinaryStringInfo(&rq->batch, ev.data, ev.len);
		pfree(ev.data);
	}
	rq->batch_events++;
	rq->events++;
	rq->cut += cut;
	{
		uint64		be = pg_hton64((uint64) event_id);

		ct_hash_add(rq->hash, &be, sizeof(be));
	}
	ct_rows_add(&rq->ct_ids, CStringGetTextDatum(ct_id));
	ct_rows_add(&rq->event_ids, Int64GetDatum(event_id));
}

/* This backend's cursor of a project's outbox; NULL when it has none. */
static CtCursor *
ct_cursor_find(const char *project_id)
{
	for (int i = 0; i < CT_CURSOR_CACHE_SIZE; i++)
		if (ct_cursors[i].ct_id != NULL && strcmp(ct_cursors[i].project_id, project_id) == 0)
			return &ct_cursors[i];
	return NULL;
}

/* Set (ct_id not NULL) or forget a project's cursor. */
static void
ct_cursor_set(const char *project_id, const char *ct_id, int64 event_id)
{
	CtCursor   *c = ct_cursor_find(project_id);

	if (c == NULL)
	{
		if (ct_id == NULL || strlen(project_id) >= sizeof(c->project_id))
			return;
		c = &ct_cursors[ct_cursor_next];
		ct_cursor_next = (ct_cursor_next + 1) % CT_CURSOR_CACHE_SIZE;
		strlcpy(c->project_id, project_id, sizeof(c->project_id));
	}
	if (c->ct_id != NULL)
		pfree(c->ct_id);
	c->ct_id = ct_id != NULL ? MemoryContextStrdup(TopMemoryContext, ct_id) : NULL;
	c->event_id = event_id;
}

/* Whether the outbox row (ct_id, event_id) comes after (at_ct_id, at_id). */
static bool
ct_outbox_after(const char *ct_id, int64 event_id, const char *at_ct_id, int64 at_id)
{
	int			c = strcmp(ct_id, at_ct_id);	/* the C collation's order */

	return c > 0 || (c == 0 && event_id > at_id);
}

/*
 * Build the next request of an export from its outbox (rows with nothing
 * left to send are deleted); false when nothing waits.  The outbox is read
 * in (ct_id, event_id) order from where this backend's last request of the
 * project left it; when its end comes before the request is full, from its
 * start up to that point.
 */
static bool
ct_request_build(CtRequest *rq, const CtExport *x)
{
	Datum		args[3];
	CtCursor   *cursor = ct_cursor_find(x->project_id);
	char	   *after_ct_id = cursor != NULL ? pstrdup(cursor->ct_id) : "";
	int64		after_id = cursor != NULL ? cursor->event_id : -1;
	char	   *stop_ct_id = NULL;	/* the second pass: up to here */
	int64		stop_id = 0;
	char	   *taken_ct_id = NULL; /* the last row covered or dropped */
	int64		taken_id = 0;

	memset(rq, 0, sizeof(*rq));
	rq->x = x;
	initStringInfo(&rq->body);
	initStringInfo(&rq->batch);
	appendStringInfoChar(&rq->body, '[');
	rq->event_hash = pg_cryptohash_create(PG_SHA256);
	if (rq->event_hash == NULL)
		elog(ERROR, "could not create a SHA-256 context");
	ct_arr_for(&rq->ct_ids, CT_Q_EXPORT_REQUEST, 8, CT_EXPORT_ROWS);
	ct_arr_for(&rq->event_ids, CT_Q_EXPORT_REQUEST, 9, CT_EXPORT_ROWS);
	ct_arr_for(&rq->drop_ct_ids, CT_Q_EXPORT_DROP, 2, 16);
	ct_arr_for(&rq->drop_event_ids, CT_Q_EXPORT_DROP, 3, 16);
	for (;;)
	{
		bool		end = false;

		while (!rq->full && !end)
		{
			CtExportPage page;
			uint64		n;

			n = ct_export_page_read(&page, x->project_id, after_ct_id, after_id, CT_EXPORT_PAGE,
									strcmp(x->export_type, "all_events") == 0);
			end = n < CT_EXPORT_PAGE;
			for (uint64 r = 0; r < n && !rq->full; r++)
			{
				char	   *ct_id;
				int64		event_id;

				/* all its columns at once: one by one walks the row each time */
				ct_export_page_row(&page, r, rq->row, rq->row_null);
				ct_id = TextDatumGetCString(rq->row[0]);
				event_id = DatumGetInt64(rq->row[1]);

				if (stop_ct_id != NULL && ct_outbox_after(ct_id, event_id, stop_ct_id, stop_id))
				{
					/* the second pass is back where the first began */
					end = true;
					break;
				}
				ct_request_add(rq, ct_id, event_id);
				if (!rq->full)
				{
					taken_ct_id = ct_id;
					taken_id = event_id;
				}
				after_ct_id = ct_id;
				after_id = event_id;
			}
			ct_export_page_free(&page);
		}
		if (rq->full || cursor == NULL || stop_ct_id != NULL)
			break;

		/*
		 * the end, room left: on from the start up to the cursor (or rows
		 * before it wait while rows after it keep coming)
		 */
		stop_ct_id = pstrdup(cursor->ct_id);
		stop_id = cursor->event_id;
		after_ct_id = "";
		after_id = -1;
	}
	ct_batch_close(rq);
	pg_cryptohash_free(rq->event_hash);
	rq->event_hash = NULL;
	ct_cursor_set(x->project_id, rq->ct_ids.n > 0 ? taken_ct_id : NULL, taken_id);
	appendStringInfoChar(&rq->body, ']');
	if (rq->drop_ct_ids.n > 0)
	{
		args[0] = CStringGetTextDatum(x->project_id);
		args[1] = ct_arr_datum(&rq->drop_ct_ids);
		args[2] = ct_arr_datum(&rq->drop_event_ids);
		ct_store_exec(CT_Q_EXPORT_DROP, args, NULL, false);
	}
	if (rq->unsendable > 0)
		ct_export_unsendable(x->project_id, rq->unsendable);
	return rq->batches > 0;
}

/* ---------------------------------------------------------------------
 * ct_export_claim
 * ---------------------------------------------------------------------
 */

/* Read and lock a project's export; false when it has none. */
static bool
ct_export_read(const char *project_id, CtExport *x)
{
	Datum		project = CStringGetTextDatum(project_id);
	bool		isnull;
	char	   *endpoint;
	char	   *data_center;

	if (ct_store_exec(CT_Q_EXPORT_LOCK, &project, NULL, false) == 0)
		return false;
	x->project_id = project_id;
	x->feed_key = ct_store_get_text(0, 1);
	data_center = ct_store_get_text(0, 2);
	endpoint = ct_store_get_text(0, 3);
	x->customer_id = ct_store_get_text(0, 4);
	x->export_type = ct_store_get_text(0, 5);
	x->events = ct_store_get(0, 6, &isnull);
	x->schedule = ct_store_get_text(0, 7);
	x->look_back = ct_store_get_text(0, 8);
	x->environment = ct_store_get_text(0, 9);
	x->active = DatumGetBool(ct_store_get(0, 10, &isnull));
	x->running = DatumGetBool(ct_store_get(0, 11, &isnull));
	x->due = DatumGetBool(ct_store_get(0, 12, &isnull));
	x->properties_through = DatumGetTimestampTz(ct_store_get(0, 13, &isnull));
	if (isnull)
		x->properties_through = DT_NOBEGIN;
	x->nselected = 0;
	x->selected = strcmp(x->export_type, "selected_events") == 0 && x->events != (Datum) 0 ?
		ct_export_selection(x->events, &x->nselected) : NULL;
	if (endpoint == NULL)
	{
		for (int i = 0; i < lengthof(ct_data_centers); i++)
		{
			if (strcmp(data_center, ct_data_centers[i].data_center) == 0)
				endpoint = (char *) ct_data_centers[i].base;
		}
	}
	x->url = psprintf("%s/v2/bulkevents", endpoint);
	return true;
}

/* Emit a request as ct_export_claim's row. */
static void
ct_emit(ReturnSetInfo *rsinfo, int64 request_id, Datum source_request_id, const char *url,
		const char *feed_key, Datum body, int batches, int events, int attempts)
{
	Datum		values[8];
	bool		nulls[8] = {0};

	values[0] = Int64GetDatum(request_id);
	values[1] = source_request_id;
	values[2] = CStringGetTextDatum(url);
	values[3] = CStringGetTextDatum(feed_key);
	values[4] = body;
	values[5] = Int32GetDatum(batches);
	values[6] = Int32GetDatum(events);
	values[7] = Int32GetDatum(attempts);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * A run begins: a one-time export looks back for its events, a user
 * properties export takes the profiles updated since its last run.
 */
static void
ct_export_start_run(const CtExport *x)
{
	Datum		args[4];

	args[0] = CStringGetTextDatum(x->project_id);
	ct_store_exec(CT_Q_EXPORT_START_RUN, args, NULL, false);
	if (strcmp(x->export_type, "user_properties") == 0)
	{
		args[1] = TimestampTzGetDatum(x->properties_through);
		ct_store_exec(CT_Q_EXPORT_PROFILES, args, NULL, false);
	}
	else if (strcmp(x->schedule, "once") == 0)
	{
		args[1] = CStringGetTextDatum(x->look_back);
		args[2] = CStringGetTextDatum(x->export_type);
		args[3] = x->events;
		ct_store_exec(CT_Q_EXPORT_BACKFILL, args, NULL, false);
	}
}

/*
 * SQL: ct_export_claim(project_id text, lease_seconds integer) returns
 * table (request_id, source_request_id, url, feed_key, body, batches,
 * events, attempts): the request waiting for an answer, unless another
 * exporter holds it; else, when a run is in progress or due, a new one
 * from the outbox; else nothing.
 */
Datum
ct_export_claim(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *project_id;
	int32		lease;
	CtExport	x;
	Datum		args[10];
	bool		isnull;
	CtRequest	rq;
	char		id[37];
	pg_cryptohash_ctx *hash;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", PG_ARGISNULL(0) ? "project_id" : "lease_seconds")));
	project_id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ct_scope_check(project_id, CT_CAP_EXPORT, NULL);
	lease = PG_GETARG_INT32(1);
	if (lease < 1 || lease > 86400)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lease_seconds must be between 1 and 86400, not %d", lease)));
	InitMaterializedSRF(fcinfo, 0);

	ct_store_connect();
	ct_citus_enter(project_id);
	if (!ct_export_read(project_id, &x) || !x.active)
	{
		ct_store_finish();
		return (Datum) 0;
	}

	/*
	 * the request waiting for mParticle's answer: the same again, once its
	 * lease is over
	 */
	args[0] = CStringGetTextDatum(project_id);
	if (ct_store_exec(CT_Q_EXPORT_PENDING, args, NULL, false) > 0)
	{
		int64		request_id = DatumGetInt64(ct_store_get(0, 1, &isnull));

		if (!DatumGetBool(ct_store_get(0, 7, &isnull)))
		{
			ct_emit(rsinfo, request_id, ct_store_get(0, 2, &isnull), x.url, x.feed_key,
					ct_store_get(0, 3, &isnull), DatumGetInt32(ct_store_get(0, 4, &isnull)),
					DatumGetInt32(ct_store_get(0, 5, &isnull)), DatumGetInt32(ct_store_get(0, 6, &isnull)));
			args[1] = Int64GetDatum(request_id);
			args[2] = Int32GetDatum(lease);
			ct_store_exec(CT_Q_EXPORT_LEASE, args, NULL, false);
		}
		ct_store_finish();
		return (Datum) 0;
	}

	if (!x.running)
	{
		if (!x.due)
		{
			ct_store_finish();
			return (Datum) 0;
		}
		ct_export_start_run(&x);
	}
	if (!ct_request_build(&rq, &x))
	{
		/* nothing waits: the run is over */
		ct_store_exec(CT_Q_EXPORT_END_RUN, args, NULL, false);
		ct_store_finish();
		return (Datum) 0;
	}

	hash = ct_hash_begin();
	ct_hash_add(hash, rq.body.data, rq.body.len);
	ct_hash_uuid(hash, id);
	args[1] = DirectFunctionCall1(uuid_in, CStringGetDatum(id));
	args[2] = Int32GetDatum(lease);
	args[3] = Int32GetDatum(rq.batches);
	args[4] = Int32GetDatum(rq.events);
	args[5] = Int32GetDatum(rq.profiles);
	args[6] = Int32GetDatum(rq.cut);
	args[7] = ct_arr_datum(&rq.ct_ids);
	args[8] = ct_arr_datum(&rq.event_ids);
	args[9] = PointerGetDatum(cstring_to_text_with_len(rq.body.data, rq.body.len));
	ct_store_exec(CT_Q_EXPORT_REQUEST, args, NULL, false);
	ct_emit(rsinfo, DatumGetInt64(ct_store_get(0, 1, &isnull)), args[1], x.url, x.feed_key, args[9],
			rq.batches, rq.events, 0);
	ct_store_finish();
	return (Datum) 0;
}
