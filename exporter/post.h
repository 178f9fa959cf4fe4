/*
 * post.h
 *	  One POST of a request body to mParticle's Events API (libcurl), and
 *	  what came back: the status, Retry-After, and for an error the start
 *	  of the answer's body or what went wrong on the way.
 */
#ifndef CT_POST_H
#define CT_POST_H

#include <stddef.h>

/* What ct_export_result keeps of an error: its first kilobyte. */
#define CT_ERROR_MAX 1024

typedef struct CtPoster CtPoster;	/* a worker's: its curl handle and
									 * connections */

typedef struct CtPosted
{
	int			status;			/* the HTTP status; 0: no answer (network
								 * error, timeout) */
	int			retry_after;	/* Retry-After's seconds; -1: none */
	double		seconds;		/* the round trip */
	char		error[CT_ERROR_MAX + 1];	/* the body of an answer other
											 * than 2xx, or what went wrong;
											 * printable ASCII, never the
											 * secret */
} CtPosted;

extern void ct_post_init(void); /* once, before the workers start */
extern void ct_post_cleanup(void);	/* once, after they stopped */
extern CtPoster *ct_poster_new(void);
extern void ct_poster_free(CtPoster *p);

/*
 * POST body (JSON) to url with HTTP Basic authentication feed_key:secret,
 * taking at most timeout seconds.
 */
extern void ct_post(CtPoster *p, const char *url, const char *feed_key, const char *secret,
					const char *body, size_t len, int timeout, CtPosted *out);

#endif							/* CT_POST_H */
