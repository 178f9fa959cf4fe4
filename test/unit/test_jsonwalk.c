/*
 * test_jsonwalk.c
 *	  ct_json_walk (src/jsonwalk.c) against pg_parse_json, PostgreSQL's own
 *	  JSON parser (the frontend copy in libpgcommon), action by action.
 *
 * For every input both run with actions that write down what they are
 * called with ("{", "F<name>|<isnull>", "S<type>|<value>", ...).  The walker
 * must accept exactly what pg_parse_json accepts and, where it does, call
 * the same actions with the same arguments in the same order (\u escapes
 * and surrogate pairs decoded to UTF-8, as a UTF-8 database does); it may
 * decline (CT_WALK_UNSUPPORTED) only what nests deeper than
 * CT_WALK_MAX_DEPTH, or a \u escape when the encoding is not UTF-8.  Inputs: hand-written edge cases, the
 * project's Firehose fixtures (test/data), mParticle's example messages
 * and JSON schemas when ../shared/mparticle-firehose is beside the
 * repository (CT_SHARED_DIR elsewhere; skipped with a notice otherwise), and
 * random mutations of all of them (CT_JSON_CASES, default 200000).
 *
 * Prints TAP ("ok N - ...", "not ok N - ...", the plan at the end) and
 * exits non-zero on any failure.  Built with CT_FUZZ it is a libFuzzer
 * target instead (make -C test/unit fuzz-json).
 */
#include "postgres_fe.h"

#include <dirent.h>

#include "common/jsonapi.h"
#include "compat.h"
#include "jsonwalk.h"
#include "mb/pg_wchar.h"

static int	test_count = 0;
static int	failures = 0;

static void
check(bool ok, const char *what)
{
	test_count++;
	if (!ok)
		failures++;
	printf("%s %d - %s\n", ok ? "ok" : "not ok", test_count, what);
}

/* ---------- recording actions ---------- */

typedef struct Trace
{
	char	   *buf;
	size_t		len,
				cap;
} Trace;

static void
trace_add(Trace *t, const char *kind, const char *s, int n)
{
	size_t		need = strlen(kind) + (s ? (size_t) n : 0) + 2;

	if (t->len + need + 1 > t->cap)
	{
		t->cap = (t->len + need + 1) * 2;
		t->buf = realloc(t->buf, t->cap);
	}
	memcpy(t->buf + t->len, kind, strlen(kind));
	t->len += strlen(kind);
	if (s)
	{
		memcpy(t->buf + t->len, s, n);
		t->len += n;
	}
	t->buf[t->len++] = '\n';
	t->buf[t->len] = '\0';
}

static CtJsonAction
r_ostart(void *st)
{
	trace_add(st, "{", NULL, 0);
	return CT_JSON_ACTION_OK;
}
static CtJsonAction
r_oend(void *st)
{
	trace_add(st, "}", NULL, 0);
	return CT_JSON_ACTION_OK;
}
static CtJsonAction
r_astart(void *st)
{
	trace_add(st, "[", NULL, 0);
	return CT_JSON_ACTION_OK;
}
static CtJsonAction
r_aend(void *st)
{
	trace_add(st, "]", NULL, 0);
	return CT_JSON_ACTION_OK;
}
static CtJsonAction
r_fstart(void *st, char *fname, bool isnull)
{
	trace_add(st, isnull ? "F1|" : "F0|", fname, (int) strlen(fname));
	return CT_JSON_ACTION_OK;
}
static CtJsonAction
r_fend(void *st, char *fname, bool isnull)
{
	trace_add(st, isnull ? "f1|" : "f0|", fname, (int) strlen(fname));
	return CT_JSON_ACTION_OK;
}
static CtJsonAction
r_estart(void *st, bool isnull)
{
	trace_add(st, isnull ? "E1" : "E0", NULL, 0);
	return CT_JSON_ACTION_OK;
}
static CtJsonAction
r_eend(void *st, bool isnull)
{
	trace_add(st, isnull ? "e1" : "e0", NULL, 0);
	return CT_JSON_ACTION_OK;
}
static CtJsonAction
r_scalar(void *st, char *token, JsonTokenType type)
{
	char		kind[8];

	snprintf(kind, sizeof(kind), "S%d|", (int) type);
	trace_add(st, kind, token, (int) strlen(token));
	pfree(token);
	return CT_JSON_ACTION_OK;
}

static JsonSemAction
recorder(Trace *t)
{
	JsonSemAction sem;

	memset(&sem, 0, sizeof(sem));
	sem.semstate = t;
	sem.object_start = r_ostart;
	sem.object_end = r_oend;
	sem.array_start = r_astart;
	sem.array_end = r_aend;
	sem.object_field_start = r_fstart;
	sem.object_field_end = r_fend;
	sem.array_element_start = r_estart;
	sem.array_element_end = r_eend;
	sem.scalar = r_scalar;
	return sem;
}

/* ---------- the JSON path of an error ---------- */

/*
 * The path ct_json_error_path gives for the token pg_parse_json fails on;
 * NULL when the text is JSON.  *in_name as it sets it.
 */
static char *
error_path(const char *input, int len, bool *in_name)
{
	JsonLexContext *lex = ct_json_lexer((char *) input, len, PG_UTF8);
	int			offset;
	char	   *path;

	if (pg_parse_json(lex, &nullSemAction) == JSON_SUCCESS)
	{
		ct_json_lexer_free(lex);
		return NULL;
	}
	offset = (int) ((lex->token_start ? lex->token_start : lex->input + len) - lex->input);
	ct_json_lexer_free(lex);
	lex = ct_json_lexer((char *) input, len, PG_UTF8);
	path = ct_json_error_path(lex, offset, PG_UTF8, in_name);
	ct_json_lexer_free(lex);
	return path;
}

static void
check_error_path(const char *input, const char *expect, bool expect_in_name)
{
	bool		in_name = !expect_in_name;
	char	   *path = error_path(input, (int) strlen(input), &in_name);
	char		what[400];
	bool		ok = path != NULL && strcmp(path, expect) == 0 && in_name == expect_in_name;

	snprintf(what, sizeof(what), "error path of %s: %s%s", input, expect,
			 expect_in_name ? " (a member name)" : "");
	if (!ok)
		printf("# got %s%s\n", path ? path : "(accepted)", in_name ? " (a member name)" : "");
	check(ok, what);
}

/* ---------- comparing the two ---------- */

static int
max_nesting(const char *s, int len)
{
	int			d = 0,
				m = 0;

	for (int i = 0; i < len; i++)
	{
		if (s[i] == '{' || s[i] == '[')
			m = Max(m, ++d);
		else if (s[i] == '}' || s[i] == ']')
			d--;
	}
	return m;
}

/*
 * Compare on one input; returns NULL when they agree, else what differs
 * (and prints the input as a TAP comment).
 */
static const char *
compare(const char *input, int len)
{
	/* an exact-size copy, so a read past the end is a valgrind error */
	char	   *copy = malloc(len > 0 ? len : 1);
	Trace		t1 = {0},
				t2 = {0};
	JsonSemAction s1 = recorder(&t1),
				s2 = recorder(&t2);
	JsonLexContext *lex;
	bool		pg_ok;
	CtWalkResult r;
	const char *why = NULL;

	memcpy(copy, input, len);
	lex = ct_json_lexer(copy, len, PG_UTF8);
	pg_ok = (pg_parse_json(lex, &s1) == JSON_SUCCESS);
	ct_json_lexer_free(lex);

	if (!pg_ok)
	{
		/* an error's path: found on every text pg_parse_json rejects */
		bool		in_name;

		char	   *path = error_path(copy, len, &in_name);

		if (path == NULL)
			why = "no error path for a text pg_parse_json rejects";
		free(path);
	}

	/*
	 * the inbox's first look at a message (ct_json_peek_id), on every text:
	 * what it finds lies inside the text (a write outside its own stack is
	 * for the sanitizers and valgrind to see)
	 */
	if (why == NULL)
	{
		const char *account,
				   *id;
		int			account_len,
					id_len;
		bool		found = ct_json_peek_id(copy, len, PG_UTF8, 65536, &account, &account_len,
											&id, &id_len);

		if ((found && (account == NULL || id == NULL)) ||
			(account != NULL && (account < copy || account_len < 0 || account + account_len > copy + len)) ||
			(id != NULL && (id < copy || id_len < 0 || id + id_len > copy + len)))
			why = "ct_json_peek_id finds something outside the text";
	}

	r = ct_json_walk(copy, len, PG_UTF8, &s2);
	if (why != NULL)
		;
	else if (r == CT_WALK_OK && !pg_ok)
		why = "walker accepts what pg_parse_json rejects";
	else if (r == CT_WALK_INVALID && pg_ok)
		why = "walker rejects what pg_parse_json accepts";
	else if (r == CT_WALK_OK && strcmp(t1.buf ? t1.buf : "", t2.buf ? t2.buf : "") != 0)
		why = "different actions";
	else if (r == CT_WALK_UNSUPPORTED && max_nesting(copy, len) <= CT_WALK_MAX_DEPTH)
		why = "walker declines a UTF-8 text that does not nest too deep";
	if (why)
	{
		printf("# %s on input of %d bytes: ", why, len);
		for (int i = 0; i < len && i < 400; i++)
			printf((unsigned char) copy[i] >= 0x20 && (unsigned char) copy[i] < 0x7f ? "%c" : "\\x%02x",
				   (unsigned char) copy[i]);
		printf("\n# pg_parse_json %s:\n%s# walker %d:\n%s", pg_ok ? "accepts" : "rejects",
			   t1.buf ? t1.buf : "", (int) r, t2.buf ? t2.buf : "");
	}
	free(t1.buf);
	free(t2.buf);
	free(copy);
	return why;
}

static void
check_case(const char *input, bool expect_ok, const char *name)
{
	int			len = (int) strlen(input);
	const char *why = compare(input, len);
	CtWalkResult r;
	Trace		t = {0};
	JsonSemAction sem = recorder(&t);
	char		what[300];

	r = ct_json_walk(input, len, PG_UTF8, &sem);
	free(t.buf);
	snprintf(what, sizeof(what), "%s: %s", name,
			 why ? why : (expect_ok ? "accepted like pg_parse_json" : "rejected like pg_parse_json"));
	check(why == NULL && (r == CT_WALK_UNSUPPORTED || (r == CT_WALK_OK) == expect_ok), what);
}

/* ---------- inputs ---------- */

static char *
read_file(const char *path, int *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	long		n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n + 1);
	if (fread(buf, 1, n, f) != (size_t) n)
		n = 0;
	buf[n] = '\0';
	fclose(f);
	*len = (int) n;
	return buf;
}

#define MAX_SEEDS 256
static char *seeds[MAX_SEEDS];
static int	seed_len[MAX_SEEDS];
static int	nseeds = 0;

static void
add_seed(char *s, int len)
{
	if (nseeds < MAX_SEEDS)
	{
		seeds[nseeds] = s;
		seed_len[nseeds++] = len;
	}
}

/* every *.json file of dir (one level), compared and kept as seeds */
static int
check_dir(const char *dir, const char *label)
{
	DIR		   *d = opendir(dir);
	struct dirent *e;
	int			files = 0,
				bad = 0;
	char		what[300];

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
	{
		char		path[1024];
		int			len;
		char	   *s;
		size_t		n = strlen(e->d_name);

		if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		s = read_file(path, &len);
		if (s == NULL)
			continue;
		files++;
		if (compare(s, len) != NULL)
			bad++;
		add_seed(s, len);
	}
	closedir(d);
	snprintf(what, sizeof(what), "%s: %d files, walker and pg_parse_json agree on %d", label, files, files - bad);
	check(files > 0 && bad == 0, what);
	return files;
}

/* xorshift, so a failure can be reproduced from its case number */
static uint64_t rng_state = 88172645463325252ULL;

static uint32_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t) (rng_state >> 11);
}

/* bytes that matter to a JSON lexer, and a few that do not */
static const char alphabet[] = "{}[]:,\"\\/ \t\n\r0123456789-+.eEtrufalsn_$xu#\001\177\200\303\251dDcCF";

static int
mutate(const char *src, int len, char *out, int cap)
{
	int			n = Min(len, cap - 64);
	int			edits = 1 + rnd() % 4;

	memcpy(out, src, n);
	for (int k = 0; k < edits; k++)
	{
		int			pos = n > 0 ? (int) (rnd() % (uint32_t) n) : 0;
		char		c = alphabet[rnd() % (sizeof(alphabet) - 1)];

		switch (rnd() % 4)
		{
			case 0:				/* replace */
				if (n > 0)
					out[pos] = c;
				break;
			case 1:				/* insert */
				memmove(out + pos + 1, out + pos, n - pos);
				out[pos] = c;
				n++;
				break;
			case 2:				/* delete */
				if (n > 0)
				{
					memmove(out + pos, out + pos + 1, n - pos - 1);
					n--;
				}
				break;
			case 3:				/* cut the rest */
				n = pos;
				break;
		}
	}
	return n;
}

#ifdef CT_FUZZ
/*
 * libFuzzer entry (make -C test/unit fuzz-json): any disagreement with
 * pg_parse_json aborts.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < (1 << 20) && compare((const char *) data, (int) size) != NULL)
		abort();
	return 0;
}
#else
int
main(int argc, char **argv)
{
	static const struct
	{
		const char *json;
		bool		ok;
		const char *name;
	}			cases[] = {
		{"{}", true, "empty object"},
		{"[]", true, "empty array"},
		{"  {\"a\" : [1, 2.5, -0, 1e3, -1.5E-7, 0.0e+0]}  \n", true, "numbers"},
		{"{\"a\":true,\"b\":false,\"c\":null,\"d\":\"\"}", true, "literals and empty string"},
		{"[null, [null], {\"n\": null}]", true, "nulls as elements and members"},
		{"\"top\"", true, "a string alone"},
		{"42", true, "a number alone"},
		{"null", true, "null alone"},
		{"{\"a\":\"q\\\"b\\\\s\\/l\\bb\\ff\\nn\\rr\\tt\"}", true, "escapes"},
		{"{\"\\u00e9t\\u00e9\":\"\\ud83d\\ude00\"}", true, "unicode escapes and a surrogate pair"},
		{"[\"\\u00E9\\u00c9\\u20AC\\u0041 \\uFFFF\\u0080\\u07FF\\u0800\"]", true, "hex of both cases, 1- to 3-byte characters"},
		{"[\"\\uDBFF\\uDFFF\\uD800\\uDC00\"]", true, "the first and last surrogate pairs"},
		{"{\"\\u0041\\\\\":1}", true, "escapes in a member name"},
		{"[\"\\uD83D\"]", false, "lone high surrogate"},
		{"[\"\\uDE00\"]", false, "lone low surrogate"},
		{"[\"\\uD83Dx\"]", false, "high surrogate then a character"},
		{"[\"\\uD83D\\n\"]", false, "high surrogate then an escape"},
		{"[\"\\uD83D\\u0041\"]", false, "high surrogate then a plain \\u"},
		{"[\"\\uD83D\\uD83D\\uDE00\"]", false, "two high surrogates"},
		{"[\"a\\u0000b\"]", false, "\\u0000"},
		{"[\"\\u00g0\"]", false, "not hex"},
		{"{\"caf\303\251\":\"\344\276\213\"}", true, "raw UTF-8"},
		{"{\"a\":1,\"a\":2}", true, "duplicate keys"},
		{"", false, "empty text"},
		{"   ", false, "only whitespace"},
		{"{", false, "unclosed object"},
		{"{\"a\"}", false, "member without value"},
		{"{\"a\":}", false, "member without value after colon"},
		{"{\"a\":1,}", false, "trailing comma in object"},
		{"[1,]", false, "trailing comma in array"},
		{"[,1]", false, "leading comma"},
		{"{a:1}", false, "unquoted name"},
		{"{'a':1}", false, "single quotes"},
		{"[01]", false, "leading zero"},
		{"[1.]", false, "no digit after point"},
		{"[.5]", false, "no digit before point"},
		{"[1e]", false, "no exponent digits"},
		{"[-]", false, "a minus alone"},
		{"[+1]", false, "a plus sign"},
		{"[1x]", false, "letters after a number"},
		{"[1_]", false, "underscore after a number"},
		{"[truex]", false, "letters after true"},
		{"[nul]", false, "short null"},
		{"[True]", false, "capital True"},
		{"[NaN]", false, "NaN"},
		{"{\"a\":nullx}", false, "nullx as a member value"},
		{"[\"a\" \"b\"]", false, "missing comma"},
		{"[\"tab\there\"]", false, "raw control character in a string"},
		{"[\"\\x\"]", false, "unknown escape"},
		{"[\"\\", false, "backslash at the end"},
		{"[\"abc", false, "unterminated string"},
		{"{} {}", false, "two values"},
		{"{}x", false, "garbage after the value"},
		{"[1]]", false, "extra bracket"},
		{"{\"a\":1]", false, "mismatched close"},
		{"[\001]", false, "control byte outside a string"},
		{"[\"\\u12\"]", false, "short unicode escape"},
		{"[\"\\u12", false, "short unicode escape at the end"},
	};
	const char *shared = getenv("CT_SHARED_DIR");
	char		dir[1024];
	int			ncases = getenv("CT_JSON_CASES") ? atoi(getenv("CT_JSON_CASES")) : 200000;
	int			bad = 0,
				accepted = 0,
				declined = 0;
	char	   *buf;
	char		what[300];
	char		deep[2 * (CT_WALK_MAX_DEPTH + 10) + 1];

	(void) argc;
	(void) argv;

	for (size_t i = 0; i < lengthof(cases); i++)
	{
		check_case(cases[i].json, cases[i].ok, cases[i].name);
		add_seed(strdup(cases[i].json), (int) strlen(cases[i].json));
	}

	/* the peek: both found, as written; closers before openers refused */
	{
		static const struct
		{
			const char *json;
			const char *account;
			const char *id;
			const char *name;
		}			peeks[] = {
			{"{\"id\": \"m-1\", \"account\": {\"account_settings\": {\"accountId\": \"P1\"}}}", "P1", "m-1", "envelope"},
			{"{\"account\": {\"x\": [1, {\"id\": \"no\"}], \"account_settings\": {\"accountId\": \"P2\"}}, \"id\": \"m-2\"}", "P2", "m-2", "account first, a nested id ignored"},
			{"{\"id\": \"m-3\"}", NULL, NULL, "no account"},
			{"}}}{{{{{{\"a\":\"b\"", NULL, NULL, "closers before openers"},
			{"] ] {\"id\": \"x\", \"account\": {\"account_settings\": {\"accountId\": \"1\"}}}", NULL, NULL, "array closers first"},
			{"{\"id\": \"x\"}}}}, \"account\": {\"account_settings\": {\"accountId\": \"1\"}}}", NULL, NULL, "closers below the top"},
		};

		for (size_t i = 0; i < lengthof(peeks); i++)
		{
			int			n = (int) strlen(peeks[i].json);
			char	   *copy = malloc(n);
			const char *account,
					   *id;
			int			account_len,
						id_len;
			bool		found;
			bool		ok;

			memcpy(copy, peeks[i].json, n);
			found = ct_json_peek_id(copy, n, PG_UTF8, 65536, &account, &account_len, &id, &id_len);
			if (peeks[i].account == NULL)
				ok = !found;
			else
				ok = found && account_len == (int) strlen(peeks[i].account) &&
					memcmp(account, peeks[i].account, account_len) == 0 &&
					id_len == (int) strlen(peeks[i].id) && memcmp(id, peeks[i].id, id_len) == 0;
			snprintf(what, sizeof(what), "ct_json_peek_id: %s", peeks[i].name);
			check(ok, what);
			free(copy);
		}
	}

	/*
	 * The path of what is wrong: a value names itself (a member's name, an
	 * element's index), a member name the object that holds it, and what
	 * follows a value the value it follows.
	 */
	check_error_path("{\"a\":\"\\q\"}", "a", false);
	check_error_path("{\"a\":1,\"b\":\"x\\q\"}", "b", false);
	check_error_path("{\"a\":1,\"b\\q\":2}", "", true);
	check_error_path("{\"\\q\":2}", "", true);
	check_error_path("{\"a\":{\"b\":[1,\"\\q\"]}}", "a.b[1]", false);
	check_error_path("[\"\\q\"]", "[0]", false);
	check_error_path("[1,x]", "[1]", false);
	check_error_path("[1,2,1x]", "[2]", false);
	check_error_path("{\"a\":[{\"k\":1},{\"k\\q\":1}]}", "a[1]", true);
	check_error_path("{\"a\":[[1,[2,\"\\q\"]]]}", "a[0][1][1]", false);
	check_error_path("{\"a\":1 \"b\":2}", "a", false);
	check_error_path("{\"a\":[] x}", "a", false);
	check_error_path("{\"a\":{\"b\":1}x}", "a", false);
	check_error_path("{\"a\":1,}", "", true);
	check_error_path("{\"a\" 1}", "a", false);
	check_error_path("{\"a\":", "a", false);
	check_error_path("\"\\q\"", "", false);
	check_error_path("{\"\\u00e9\\u00e9\":\"\\q\"}", "\303\251\303\251", false);
	check_error_path("{\"account\":{\"account_settings\":{\"accountId\":\"P\",\"passcode\":\"x\\qy\"}}}",
					 "account.account_settings.passcode", false);
	check_error_path("{\"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\":x}",
					 "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk", false);

	/*
	 * a name is cut at 64 bytes, between characters: k and 31 of 32 two-byte
	 * ones
	 */
	check_error_path("{\"k\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251"
					 "\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251"
					 "\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251"
					 "\303\251\303\251\":x}",
					 "k\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251"
					 "\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251"
					 "\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251\303\251"
					 "\303\251", false);

	/* nesting at the limit is walked, deeper is declined */
	memset(deep, '[', CT_WALK_MAX_DEPTH);
	memset(deep + CT_WALK_MAX_DEPTH, ']', CT_WALK_MAX_DEPTH);
	deep[2 * CT_WALK_MAX_DEPTH] = '\0';
	check_case(deep, true, "nesting at the limit");
	{
		Trace		t = {0};
		JsonSemAction sem = recorder(&t);

		memset(deep, '[', CT_WALK_MAX_DEPTH + 1);
		memset(deep + CT_WALK_MAX_DEPTH + 1, ']', CT_WALK_MAX_DEPTH + 1);
		deep[2 * CT_WALK_MAX_DEPTH + 2] = '\0';
		check(ct_json_walk(deep, (int) strlen(deep), PG_UTF8, &sem) == CT_WALK_UNSUPPORTED,
			  "nesting beyond the limit is declined");
		free(t.buf);
	}
	{
		Trace		t = {0};
		JsonSemAction sem = recorder(&t);

		check(ct_json_walk("[\"\\u00e9\"]", 10, PG_SQL_ASCII, &sem) == CT_WALK_UNSUPPORTED,
			  "a \\u escape is declined outside UTF-8");
		free(t.buf);
	}
	{
		/* no actions at all: nothing is allocated or called */
		JsonSemAction none;

		memset(&none, 0, sizeof(none));
		const char *j = "{\"a\":[1,\"x\",{\"b\":null}]}";

		check(ct_json_walk(j, (int) strlen(j), PG_UTF8, &none) == CT_WALK_OK,
			  "walks without actions");
	}

	/* the project's own Firehose fixtures */
	check_dir("../data", "test/data");
	check_dir("../data/demo", "test/data/demo");

	/*
	 * mParticle's example messages and schemas, when shared/ is beside the
	 * repository
	 */
	snprintf(dir, sizeof(dir), "%s/mparticle-firehose", shared ? shared : "../../../shared");
	if (check_dir(dir, "mParticle's example messages") < 0)
	{
		printf("# SKIP mParticle's example messages: %s not found\n", dir);
		check(true, "mParticle's example messages # SKIP not found");
	}
	else
	{
		snprintf(dir, sizeof(dir), "%s/mparticle-firehose/schema", shared ? shared : "../../../shared");
		check_dir(dir, "mParticle's JSON schemas");
	}

	/* random mutations of everything above */
	buf = malloc(1 << 20);
	for (int i = 0; i < ncases; i++)
	{
		int			k = (int) (rnd() % (uint32_t) nseeds);
		int			n = mutate(seeds[k], seed_len[k], buf, 1 << 20);
		Trace		t = {0};
		JsonSemAction sem = recorder(&t);
		CtWalkResult r;

		if (compare(buf, n) != NULL)
		{
			printf("# (mutation case %d)\n", i);
			if (++bad >= 5)
				break;
		}
		r = ct_json_walk(buf, n, PG_UTF8, &sem);
		accepted += (r == CT_WALK_OK);
		declined += (r == CT_WALK_UNSUPPORTED);
		free(t.buf);
	}
	free(buf);
	snprintf(what, sizeof(what), "%d mutated inputs (%d valid, %d declined): walker and pg_parse_json agree",
			 ncases, accepted, declined);
	check(bad == 0 && accepted > ncases / 50, what);

	printf("1..%d\n", test_count);
	return failures ? 1 : 0;
}
#endif
