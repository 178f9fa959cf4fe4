/*
 * secrets.h
 *	  The feed secrets: mParticle's Server to Server Secret of each feed
 *	  key, from the secrets file (one "FEED_KEY SECRET" a line, readable by
 *	  its owner only) or the environment (CT_EXPORTER_SECRET, the secret of
 *	  every key the file does not name).  Never in the database, never
 *	  logged.
 */
#ifndef CT_SECRETS_H
#define CT_SECRETS_H

#include <stdbool.h>
#include <stddef.h>

#define CT_SECRET_MAX 1024		/* bytes, with the terminating zero */

/* At start: the file (--secrets) and the environment; exits 2 when they will not do. */
extern void ct_secrets_load(void);

/* Read the file again when it changed since; a file that will not do is logged and the old secrets kept. */
extern void ct_secrets_refresh(void);

/* The secret of a feed key, copied into secret; false when there is none. */
extern bool ct_secret_of(const char *feed_key, char secret[CT_SECRET_MAX]);

#endif							/* CT_SECRETS_H */
