/*
 * message.h
 *	  The life of one Firehose message, the same for every handler that
 *	  writes (membership, subscription, erasure): authenticate, lock the
 *	  message id, answer a redelivery from the log, else answer and log.
 */
#ifndef CT_MESSAGE_H
#define CT_MESSAGE_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "kind.h"
#include "model.h"
#include "store.h"

/*
 * Where a message is answered from.  From SQL (a NULL mode, or queued NULL)
 * its credentials are checked and a delivery of the same message that
 * another session is answering is waited for.  From the inbox (queued: the
 * project the message was queued for, whose passcode ct_enqueue checked)
 * the passcode is not checked again, and a message another session is
 * answering is not waited for: busy is set and 55P03 raised.  From SQL
 * with a project argument (project), a message of another account is
 * refused as a wrong passcode is.
 */
typedef struct CtMessageMode
{
	const char *queued;
	bool		busy;
	const char *project;		/* from SQL with a project argument: the
								 * message must be its */
	bool		for_coordinator;	/* ct_answer_queued: the answer goes to a
									 * Citus coordinator (an erasure's carries
									 * the identifiers erased, dsr.h) */
} CtMessageMode;

/*
 * What answers one kind of message (kindlist.h): the response to request
 * (mode: see CtMessageMode; NULL from SQL).
 */
typedef Jsonb *CtHandler(Jsonb *request, CtMessageMode *mode);

/* What a handler gives ct_message_run. */
typedef struct CtMessage
{
	const char *type;			/* the request type, as ct_message records it */
	const CtEnvelope *env;
	const CtCredentials *cred;
	CtProject  *project;		/* filled once authenticated */
	CtMessageMode *mode;		/* NULL: from SQL */
	TimestampTz started;

	/*
	 * Answer the message (SPI connected, authenticated, never answered
	 * before): its response, and in *counts what ct_message records of it.
	 */
	Jsonb	   *(*answer) (void *arg, Jsonb **counts);
	void		(*logged) (void *arg);	/* after it is recorded; may be NULL */
	void	   *arg;
	bool		answered;		/* out: false for a redelivery */
} CtMessage;

/*
 * Run a parsed message whose handler works in the memory context work
 * (current, a child of outer): connect SPI, authenticate, lock the message
 * id, look for an earlier answer, else answer and record it.  Returns the
 * response in outer; work is deleted.
 */
extern Jsonb *ct_message_run(CtMessage *m, MemoryContext outer, MemoryContext work);

/* What every parsed message has: its envelope, credentials and project. */
typedef struct CtMessageHead
{
	CtEnvelope	env;
	CtCredentials cred;
	CtProject	project;		/* filled once authenticated */
} CtMessageHead;

/*
 * A kind of message whose handler has nothing more to do than parse it
 * into a state of its own and answer it (subscription, erasure): the state
 * is size bytes (zeroed) that begin with a CtMessageHead.
 */
typedef struct CtMessageKind
{
	CtKindId	id;				/* its row in kindlist.h */
	size_t		size;
	void		(*parse) (JsonbContainer *root, void *state);	/* before SPI, before
																 * any write */
	Jsonb	   *(*answer) (void *state, Jsonb **counts);	/* see CtMessage */
} CtMessageKind;

/* Answer a message of such a kind (mode: see CtMessageMode). */
extern Jsonb *ct_message_handle(Jsonb *request, CtMessageMode *mode, const CtMessageKind *kind);

/*
 * The stored response of a message already processed, marked as a
 * duplicate, or NULL (SPI connected).
 */
extern Jsonb *ct_find_processed(const char *project_id, const pg_uuid_t *id);

/* objsubid of the advisory locks on message ids ("CT"), as pg_locks shows them */
#define CT_LOCK_SPACE_MESSAGE 0x4354

#endif							/* CT_MESSAGE_H */
