/*
 * import.h
 *	  The membership import: audience_membership_change_request.
 */
#ifndef CT_IMPORT_H
#define CT_IMPORT_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "importstate.h"
#include "message.h"

/*
 * Import one audience_membership_change_request; returns the response.
 * mode: see CtMessageMode (NULL from SQL).
 */
extern Jsonb *ct_import_membership(Jsonb *request, CtMessageMode *mode);

/*
 * The same for a message given as JSON text, read by the streaming parser;
 * NULL (nothing done) when that parser does not take it: the caller then
 * parses the text as jsonb and calls ct_import_membership.
 */
extern Jsonb *ct_import_membership_text(text *body, CtMessageMode *mode);

/*
 * The steps the import and its dry run (preview.c) share.  Parse and
 * validate a whole message into im, before SPI and before any write; then,
 * with SPI connected and the message authenticated, find its segments,
 * resolve every user and merge the users into profile slots, writing
 * nothing but missing segments (and not those when im->dry_run).
 */
extern void ct_import_parse(CtImport *im, Jsonb *request);
extern void ct_import_prepare(CtImport *im);

#endif							/* CT_IMPORT_H */
