/*
 * post.c
 *	  Posting to the Events API with libcurl.  Each worker keeps one easy
 *	  handle, so its connection (and TLS session) to mParticle is reused
 *	  from one request to the next.  Only http and https are followed, no
 *	  redirect (a 3xx is an answer like any other), no "Expect:
 *	  100-continue" (a wasted round trip).  The credentials go in curl's
 *	  own Basic authentication, never in the URL, so that no error text
 *	  can hold them.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "common_log.h"
#include "pace.h"
#include "post.h"

struct CtPoster
{
	CURL	   *curl;
	struct curl_slist *headers;
	CtPosted   *out;			/* of the request under way */
	size_t		error_len;
	char		curl_error[CURL_ERROR_SIZE];
};

/* See post.h. */
void
ct_post_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
	{
		ct_log("ERROR: libcurl could not be initialized");
		_exit(1);
	}
}

/* See post.h. */
void
ct_post_cleanup(void)
{
	curl_global_cleanup();
}

/* The answer's body: its first kilobyte kept for the error, the rest read and dropped. */
static size_t
ct_post_body(char *data, size_t size, size_t nmemb, void *arg)
{
	CtPoster   *p = arg;
	size_t		n = size * nmemb;
	size_t		keep = n < CT_ERROR_MAX - p->error_len ? n : CT_ERROR_MAX - p->error_len;

	memcpy(p->out->error + p->error_len, data, keep);
	p->error_len += keep;
	p->out->error[p->error_len] = '\0';
	return n;
}

/* Each header line of the answer: Retry-After is kept. */
static size_t
ct_post_header(char *data, size_t size, size_t nmemb, void *arg)
{
	CtPoster   *p = arg;
	size_t		n = size * nmemb;
	static const char name[] = "retry-after:";
	char		value[32];

	if (n > sizeof(name) - 1 && n - (sizeof(name) - 1) < sizeof(value) &&
		strncasecmp(data, name, sizeof(name) - 1) == 0)
	{
		memcpy(value, data + sizeof(name) - 1, n - (sizeof(name) - 1));
		value[n - (sizeof(name) - 1)] = '\0';
		p->out->retry_after = ct_retry_after(value);
	}
	return n;
}

/* See post.h. */
CtPoster *
ct_poster_new(void)
{
	CtPoster   *p = calloc(1, sizeof(CtPoster));

	p->curl = curl_easy_init();
	if (p->curl == NULL)
	{
		ct_log("ERROR: libcurl could not make a handle");
		_exit(1);
	}
	p->headers = curl_slist_append(NULL, "Content-Type: application/json");
	p->headers = curl_slist_append(p->headers, "Expect:");
	curl_easy_setopt(p->curl, CURLOPT_HTTPHEADER, p->headers);
	curl_easy_setopt(p->curl, CURLOPT_USERAGENT, "ctaudience-exporter/" CT_VERSION);
	curl_easy_setopt(p->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(p->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(p->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(p->curl, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(p->curl, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
	curl_easy_setopt(p->curl, CURLOPT_ERRORBUFFER, p->curl_error);
	curl_easy_setopt(p->curl, CURLOPT_WRITEFUNCTION, ct_post_body);
	curl_easy_setopt(p->curl, CURLOPT_WRITEDATA, p);
	curl_easy_setopt(p->curl, CURLOPT_HEADERFUNCTION, ct_post_header);
	curl_easy_setopt(p->curl, CURLOPT_HEADERDATA, p);
	return p;
}

/* See post.h. */
void
ct_poster_free(CtPoster *p)
{
	curl_easy_cleanup(p->curl);
	curl_slist_free_all(p->headers);
	free(p);
}

/*
 * The error kept: printable ASCII only (the database gets valid text
 * whatever came back), and never the secret, even if an answer echoed it.
 */
static void
ct_post_clean_error(char *error, const char *secret)
{
	char	   *s;

	for (char *c = error; *c != '\0'; c++)
		if (*c == '\n' || *c == '\r' || *c == '\t')
			*c = ' ';
		else if ((unsigned char) *c < 0x20 || (unsigned char) *c > 0x7e)
			*c = '?';
	if (secret[0] != '\0')
		while ((s = strstr(error, secret)) != NULL)
			memset(s, '*', strlen(secret));
}

/* See post.h. */
void
ct_post(CtPoster *p, const char *url, const char *feed_key, const char *secret,
		const char *body, size_t len, int timeout, CtPosted *out)
{
	double		started = ct_now();
	CURLcode	rc;
	long		status = 0;

	memset(out, 0, sizeof(*out));
	out->retry_after = -1;
	p->out = out;
	p->error_len = 0;
	p->curl_error[0] = '\0';
	curl_easy_setopt(p->curl, CURLOPT_URL, url);
	curl_easy_setopt(p->curl, CURLOPT_USERNAME, feed_key);
	curl_easy_setopt(p->curl, CURLOPT_PASSWORD, secret);
	curl_easy_setopt(p->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(p->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) len);
	curl_easy_setopt(p->curl, CURLOPT_TIMEOUT_MS, (long) timeout * 1000);

	rc = curl_easy_perform(p->curl);
	curl_easy_setopt(p->curl, CURLOPT_PASSWORD, "");
	out->seconds = ct_now() - started;
	if (rc == CURLE_OK)
		curl_easy_getinfo(p->curl, CURLINFO_RESPONSE_CODE, &status);
	out->status = (int) status;
	if (rc != CURLE_OK)
		snprintf(out->error, sizeof(out->error), "no answer: %s",
				 p->curl_error[0] != '\0' ? p->curl_error : curl_easy_strerror(rc));
	else if (status >= 200 && status < 300)
		out->error[0] = '\0';
	ct_post_clean_error(out->error, secret);
	p->out = NULL;
}
