/*
 * auth.c
 *	  Passcodes: stored as a salted PBKDF2-SHA-256 verifier, checked in
 *	  constant time, never kept or logged in clear.
 *
 * PBKDF2 is deliberately slow (4096 iterations, as SCRAM).  A receiver
 * checks the passcode of every message, so a backend remembers, per
 * project, a SHA-256 digest of (verifier, passcode) for the last passcode
 * that verified; a later message with the same passcode against the same
 * verifier skips PBKDF2.  Rotating the passcode changes the verifier,
 * which invalidates the entry.
 */
#include "postgres.h"

#include "common/cryptohash.h"
#include "common/scram-common.h"
#include "common/sha2.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "auth.h"

#define CT_PASSCODE_ITERATIONS	4096
#define CT_PASSCODE_SALT_LEN	16
#define CT_PASSCODE_PREFIX		"pbkdf2-sha256"
#define CT_AUTH_CACHE_SIZE		16
/* The longest passcode stored: ct_check_passcode's limit, in characters. */
#define CT_PASSCODE_MAX_CHARS	1024
/* What a passcode over that limit costs instead of its own PBKDF2. */
#define CT_PASSCODE_DUMMY		"ctaudience: no stored passcode is this long"

typedef struct CtAuthCacheEntry
{
	bool		used;
	char		project_id[65];
	uint8		digest[PG_SHA256_DIGEST_LENGTH];	/* sha256(verifier ||
													 * passcode) */
} CtAuthCacheEntry;

static CtAuthCacheEntry ct_auth_cache[CT_AUTH_CACHE_SIZE];
static int	ct_auth_cache_next = 0;

/* Constant-time comparison of two byte strings of the same length. */
static bool
ct_bytes_equal(const uint8 *a, const uint8 *b, size_t len)
{
	uint8		diff = 0;

	for (size_t i = 0; i < len; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

/* Constant-time comparison of a CtStr with a C string (length leaks only). */
static bool
ct_secret_equal(CtStr given, const char *expected)
{
	size_t		n = strlen(expected);

	if ((size_t) given.len != n)
		return false;
	return ct_bytes_equal((const uint8 *) given.s, (const uint8 *) expected, n);
}

static void
ct_hex_encode(const uint8 *src, int len, char *dst)
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < len; i++)
	{
		dst[2 * i] = hex[src[i] >> 4];
		dst[2 * i + 1] = hex[src[i] & 0x0f];
	}
	dst[2 * len] = '\0';
}

static bool
ct_hex_decode(const char *src, int len, uint8 *dst)
{
	for (int i = 0; i < len; i++)
	{
		uint8		v = 0;

		for (int k = 0; k < 2; k++)
		{
			char		c = src[2 * i + k];

			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= c - '0';
			else if (c >= 'a' && c <= 'f')
				v |= c - 'a' + 10;
			else
				return false;
		}
		dst[i] = v;
	}
	return true;
}

/* PBKDF2-SHA-256 of a passcode (NUL-terminated) with a salt. */
static void
ct_pbkdf2(const char *passcode, const uint8 *salt, int saltlen, int iterations,
		  uint8 *out)
{
	const char *errstr = NULL;

	if (ct_salted_password(passcode, salt, saltlen, iterations,
						   out, &errstr) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not hash passcode: %s", errstr ? errstr : "unknown error")));
}

/* SHA-256 of verifier || passcode, for the verification cache. */
static void
ct_cache_digest(const char *verifier, CtStr passcode, uint8 *out)
{
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (ctx == NULL ||
		pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) verifier, strlen(verifier) + 1) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) passcode.s, passcode.len) < 0 ||
		pg_cryptohash_final(ctx, out, PG_SHA256_DIGEST_LENGTH) < 0)
	{
		pg_cryptohash_free(ctx);
		elog(ERROR, "could not compute SHA-256 digest");
	}
	pg_cryptohash_free(ctx);
}

/*
 * Whether a passcode is longer than any stored one can be: its PBKDF2
 * would take time in proportion to its length (HMAC hashes an over-long
 * key again at every iteration) only to refuse it.  Such a passcode costs
 * one PBKDF2 of CT_PASSCODE_DUMMY instead, what a wrong one costs, and gets
 * the same answer.  (A NUL ends the passcode for PBKDF2 and the count
 * alike.)
 */
static bool
ct_passcode_too_long(CtStr passcode)
{
	return passcode.len > CT_PASSCODE_MAX_CHARS &&
		pg_mbstrlen_with_len(passcode.s, passcode.len) > CT_PASSCODE_MAX_CHARS;
}

/* Verify a passcode against a stored verifier "pbkdf2-sha256$iter$salt$hash". */
static bool
ct_verify_passcode(const char *project_id, const char *verifier, CtStr passcode)
{
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	uint8		salt[CT_PASSCODE_SALT_LEN];
	uint8		stored[SCRAM_KEY_LEN];
	uint8		computed[SCRAM_KEY_LEN];
	int			iterations;
	const char *p;
	char	   *copy;
	bool		ok;
	bool		too_long = ct_passcode_too_long(passcode);

	if (!too_long)
		ct_cache_digest(verifier, passcode, digest);
	for (int i = 0; i < CT_AUTH_CACHE_SIZE && !too_long; i++)
	{
		CtAuthCacheEntry *e = &ct_auth_cache[i];

		if (e->used && strcmp(e->project_id, project_id) == 0 &&
			ct_bytes_equal(e->digest, digest, sizeof(digest)))
			return true;
	}

	/* parse the verifier */
	if (strncmp(verifier, CT_PASSCODE_PREFIX "$", strlen(CT_PASSCODE_PREFIX) + 1) != 0)
		goto corrupt;
	p = verifier + strlen(CT_PASSCODE_PREFIX) + 1;
	iterations = atoi(p);
	if (iterations < 1 || iterations > 10000000)
		goto corrupt;
	p = strchr(p, '$');
	if (p == NULL || strlen(p + 1) != CT_PASSCODE_SALT_LEN * 2 + 1 + SCRAM_KEY_LEN * 2 ||
		!ct_hex_decode(p + 1, CT_PASSCODE_SALT_LEN, salt) ||
		p[1 + CT_PASSCODE_SALT_LEN * 2] != '$' ||
		!ct_hex_decode(p + 2 + CT_PASSCODE_SALT_LEN * 2, SCRAM_KEY_LEN, stored))
		goto corrupt;

	copy = too_long ? pstrdup(CT_PASSCODE_DUMMY) : pnstrdup(passcode.s, passcode.len);
	ct_pbkdf2(copy, salt, CT_PASSCODE_SALT_LEN, iterations, computed);
	explicit_bzero(copy, strlen(copy));
	pfree(copy);
	ok = ct_bytes_equal(stored, computed, SCRAM_KEY_LEN) && !too_long;
	explicit_bzero(computed, sizeof(computed));

	if (ok && strlen(project_id) < sizeof(ct_auth_cache[0].project_id))
	{
		CtAuthCacheEntry *e = NULL;

		for (int i = 0; i < CT_AUTH_CACHE_SIZE && e == NULL; i++)
		{
			if (ct_auth_cache[i].used && strcmp(ct_auth_cache[i].project_id, project_id) == 0)
				e = &ct_auth_cache[i];
		}
		if (e == NULL)
		{
			e = &ct_auth_cache[ct_auth_cache_next];
			ct_auth_cache_next = (ct_auth_cache_next + 1) % CT_AUTH_CACHE_SIZE;
		}
		strlcpy(e->project_id, project_id, sizeof(e->project_id));
		memcpy(e->digest, digest, sizeof(digest));
		e->used = true;
	}
	return ok;

corrupt:
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("stored passcode verifier of project \"%s\" is not in a known format", project_id),
			 errhint("Set the passcode again with ctaudience.ct_rotate_passcode().")));
	return false;
}

/* Trimmed, ASCII-lower-cased comparison for the region setting. */
static bool
ct_region_matches(CtStr given, const char *region)
{
	int			b = 0,
				e = given.len;
	CtStr		t;

	while (b < e && (given.s[b] == ' ' || given.s[b] == '\t'))
		b++;
	while (e > b && (given.s[e - 1] == ' ' || given.s[e - 1] == '\t'))
		e--;
	t.s = given.s + b;
	t.len = e - b;
	return ct_str_eq_ci(t, region);
}

/*
 * The one answer to an Account ID that names no project, a missing
 * passcode and a wrong one, so that a caller cannot tell which projects
 * exist.
 */
void
ct_refuse_credentials(CtStr project_id)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
			 errmsg("invalid credentials for CleverTap project \"%.*s\"",
					Min(project_id.len, 64), project_id.s),
			 errdetail("No project has this Account ID, or the Passcode is not its passcode."),
			 errhint("Check the Account ID and the Passcode of the mParticle connection.")));
}

/*
 * Take the time a wrong passcode takes (one PBKDF2), for an Account ID that
 * names no project: the answer comes no sooner.
 */
static void
ct_spend_verification(CtStr passcode)
{
	static const uint8 salt[CT_PASSCODE_SALT_LEN] = {0};
	uint8		out[SCRAM_KEY_LEN];
	char	   *copy = ct_passcode_too_long(passcode) ? pstrdup(CT_PASSCODE_DUMMY) :
		pnstrdup(passcode.s, passcode.len);

	ct_pbkdf2(copy, salt, CT_PASSCODE_SALT_LEN, CT_PASSCODE_ITERATIONS, out);
	explicit_bzero(copy, strlen(copy));
	pfree(copy);
}

/* See auth.h. */
void
ct_authenticate_passcode(CtStr project_id, CtStr passcode, bool verified, CtProject *proj,
						 MemoryContext mcxt)
{
	if (project_id.len > 64 ||
		!ct_store_get_project(project_id.s, project_id.len, proj, mcxt))
	{
		ct_spend_verification(passcode);
		ct_refuse_credentials(project_id);
	}
	if (verified)
		return;					/* queued by ct_enqueue(), which checked the
								 * passcode */
	if (passcode.len == 0 ||
		!ct_verify_passcode(proj->project_id, proj->passcode_hash, passcode))
		ct_refuse_credentials(project_id);
	if (proj->has_expiry && proj->passcode_expires_at <= GetCurrentTransactionStartTimestamp())
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PASSWORD),
				 errmsg("passcode of project \"%s\" expired at %s", proj->project_id,
						timestamptz_to_str(proj->passcode_expires_at)),
				 errhint("Generate a new passcode, store it with ctaudience.ct_rotate_passcode('%s', new_passcode, expires_at) "
						 "(NULL expires_at means Forever), and enter it in the mParticle connection.",
						 proj->project_id)));
}

/* Authenticate a message's account settings; see auth.h. */
void
ct_authenticate(const CtCredentials *cred, CtProject *proj, MemoryContext mcxt,
				const char *queued)
{
	if (cred->account_id.len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("message has no Account ID"),
				 errdetail("account.account_settings.accountId is missing or empty."),
				 errhint("Set Account ID in the mParticle connection to the CleverTap Project ID.")));
	ct_authenticate_passcode(cred->account_id, cred->passcode,
							 queued != NULL && ct_str_eq(cred->account_id, queued),
							 proj, mcxt);
	if (!ct_secret_equal(cred->account_token, proj->account_token))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("wrong account token for project \"%s\"", proj->project_id),
				 errhint("Set Account Token in the mParticle connection to the CleverTap Project Token.")));
	if (!ct_region_matches(cred->region, proj->region))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
				 errmsg("region \"%.*s\" does not match the region of project \"%s\"",
						Min(cred->region.len, 16), cred->region.s, proj->project_id),
				 errhint("Set Region in the mParticle connection to the project's region.")));
}

PG_FUNCTION_INFO_V1(ct_passcode_hash);

/* SQL: a new salted verifier of a passcode. */
Datum
ct_passcode_hash(PG_FUNCTION_ARGS)
{
	text	   *pass = PG_GETARG_TEXT_PP(0);
	char	   *clear = text_to_cstring(pass);
	uint8		salt[CT_PASSCODE_SALT_LEN];
	uint8		key[SCRAM_KEY_LEN];
	char		salthex[CT_PASSCODE_SALT_LEN * 2 + 1];
	char		keyhex[SCRAM_KEY_LEN * 2 + 1];
	char	   *result;

	if (!pg_strong_random(salt, sizeof(salt)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate a random salt")));
	ct_pbkdf2(clear, salt, sizeof(salt), CT_PASSCODE_ITERATIONS, key);
	explicit_bzero(clear, strlen(clear));
	ct_hex_encode(salt, sizeof(salt), salthex);
	ct_hex_encode(key, sizeof(key), keyhex);
	explicit_bzero(key, sizeof(key));
	result = psprintf(CT_PASSCODE_PREFIX "$%d$%s$%s", CT_PASSCODE_ITERATIONS, salthex, keyhex);
	PG_RETURN_TEXT_P(cstring_to_text(result));
}
