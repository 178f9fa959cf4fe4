/*
 * driver.c
 *	  The benchmark's client: sends Firehose messages to ct_import_audience
 *	  one message per transaction, as a receiver would (the message text as
 *	  a bind parameter, to ct_import_audience(text); with CT_BENCH_ARG=jsonb,
 *	  cast to jsonb for ct_import_audience(jsonb)), from one or more
 *	  sessions, and samples the memory of each session's backend (every
 *	  10 ms while importing, every millisecond in the memory command).
 *
 *	  The statement is prepared once per connection, as client drivers do
 *	  for a statement they run again and again (JDBC and psycopg after five
 *	  executions, pgx at once).  Unprepared, each call is planned anew with
 *	  the 360 KB message folded into the plan as a constant: a copy of it,
 *	  in fresh memory, that cost about 3 ms a message here (most of it page
 *	  faults), against about 1 ms for the message's transfer.
 *
 *	  driver import CONNINFO FILE [SESSIONS]
 *	      Import every line of FILE (one JSON message a line; a line "#" is a
 *	      barrier: every session finishes what comes before it first).  With
 *	      several sessions, session k takes messages k, k+N, ...  Prints one
 *	      line: messages, profiles, seconds, profiles/s, peak backend RssAnon.
 *	  driver memory CONNINFO FILE [SQL]
 *	      Import the one message of FILE; print the backend's RssAnon before
 *	      (the baseline, extension loaded) and its peak during the import.
 *	      With SQL (one $1 parameter, returning a number), run that instead:
 *	      "SELECT length($1::jsonb::text)" measures what parsing costs alone.
 *
 * Build: cc -O2 -o driver driver.c -I$(pg_config --includedir) -lpq -lpthread
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

typedef struct Lines
{
	char	  **line;
	size_t	   *len;
	int			n;
} Lines;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Read a file of lines into memory. */
static Lines
read_lines(const char *path)
{
	FILE	   *f = fopen(path, "r");
	Lines		l = {NULL, NULL, 0};
	int			cap = 0;
	char	   *buf = NULL;
	size_t		bufcap = 0;
	ssize_t		n;

	if (f == NULL)
	{
		perror(path);
		exit(2);
	}
	while ((n = getline(&buf, &bufcap, f)) > 0)
	{
		if (buf[n - 1] == '\n')
			buf[--n] = '\0';
		if (l.n == cap)
		{
			cap = cap ? cap * 2 : 256;
			l.line = realloc(l.line, sizeof(char *) * cap);
			l.len = realloc(l.len, sizeof(size_t) * cap);
		}
		l.line[l.n] = strdup(buf);
		l.len[l.n] = n;
		l.n++;
	}
	free(buf);
	fclose(f);
	return l;
}

/* RssAnon of a process, in kB (0 when unreadable). */
static long
rss_anon_kb(int pid)
{
	char		path[64];
	char		line[256];
	long		kb = 0;
	FILE	   *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f))
	{
		if (strncmp(line, "RssAnon:", 8) == 0)
		{
			kb = atol(line + 8);
			break;
		}
	}
	fclose(f);
	return kb;
}

typedef struct Sampler
{
	int			pid;
	volatile int stop;
	long		peak_kb;
	int			interval_us;	/* between two samples */
} Sampler;

/* Poll a backend's RssAnon every millisecond, keeping the peak. */
static void *
sampler_main(void *arg)
{
	Sampler    *s = arg;

	while (!s->stop)
	{
		long		kb = rss_anon_kb(s->pid);

		if (kb > s->peak_kb)
			s->peak_kb = kb;
		usleep(s->interval_us);
	}
	return NULL;
}

static PGconn *
connect_or_die(const char *conninfo)
{
	PGconn	   *c = PQconnectdb(conninfo);

	if (PQstatus(c) != CONNECTION_OK)
	{
		fprintf(stderr, "connection failed: %s", PQerrorMessage(c));
		exit(2);
	}
	return c;
}

static int
backend_pid(PGconn *c)
{
	PGresult   *r = PQexec(c, "SELECT pg_backend_pid(), ctaudience.ct_normalize_email('warm@up.io')");
	int			pid = atoi(PQgetvalue(r, 0, 0));

	PQclear(r);
	return pid;
}

/* The body as posted, as text (CT_BENCH_ARG=jsonb: cast to jsonb first). */
static const char *import_sql =
"SELECT (ctaudience.ct_import_audience($1::text) -> 'ctaudience' ->> 'profiles')::bigint";
static const char *import_jsonb_sql =
"SELECT (ctaudience.ct_import_audience($1::jsonb) -> 'ctaudience' ->> 'profiles')::bigint";

/* Prepare the import statement on a connection ("import"). */
static void
prepare_import(PGconn *c)
{
	PGresult   *r = PQprepare(c, "import", import_sql, 1, NULL);

	if (PQresultStatus(r) != PGRES_COMMAND_OK)
	{
		fprintf(stderr, "prepare failed: %s", PQresultErrorMessage(r));
		exit(3);
	}
	PQclear(r);
}

/*
 * Import one message with the prepared statement; retry on serialization
 * failures.  Returns its profiles.
 */
static long
import_one(PGconn *c, const char *msg, long *retries)
{
	const char *params[1] = {msg};

	for (;;)
	{
		PGresult   *r = PQexecPrepared(c, "import", 1, params, NULL, NULL, 0);

		if (PQresultStatus(r) == PGRES_TUPLES_OK)
		{
			long		n = atol(PQgetvalue(r, 0, 0));

			PQclear(r);
			return n;
		}
		if (strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE) ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : "", "40001") == 0 ||
			strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE) ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : "", "40P01") == 0)
		{
			(*retries)++;
			PQclear(r);
			continue;
		}
		fprintf(stderr, "import failed: %s", PQresultErrorMessage(r));
		exit(3);
	}
}

/* Shared between the session processes: a barrier and the results. */
typedef struct Shared
{
	pthread_barrier_t barrier;
	long		profiles[64];
	long		retries[64];
	long		peak_kb[64];
	long		base_kb[64];
} Shared;

static void
session(const char *conninfo, Lines *l, int k, int nsessions, Shared *sh)
{
	PGconn	   *c = connect_or_die(conninfo);
	/*
	 * every 10 ms while importing: with two sessions on two cores there is
	 * no idle core, and reading /proc every millisecond in each session
	 * would take its share from the backends being measured
	 */
	Sampler		s = {0, 0, 0, 10000};
	pthread_t	th;

	s.pid = backend_pid(c);
	prepare_import(c);
	sh->base_kb[k] = rss_anon_kb(s.pid);
	pthread_create(&th, NULL, sampler_main, &s);
	pthread_barrier_wait(&sh->barrier);		/* start together */

	for (int i = 0, j = 0; i < l->n; i++)
	{
		if (l->line[i][0] == '#')
		{
			pthread_barrier_wait(&sh->barrier);
			j = 0;
			continue;
		}
		if (j++ % nsessions == k)
			sh->profiles[k] += import_one(c, l->line[i], &sh->retries[k]);
	}
	s.stop = 1;
	pthread_join(th, NULL);
	sh->peak_kb[k] = s.peak_kb;
	pthread_barrier_wait(&sh->barrier);		/* done together */
	PQfinish(c);
}

static int
cmd_import(const char *conninfo, const char *file, int nsessions)
{
	Lines		l = read_lines(file);
	Shared	   *sh = mmap(NULL, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_barrierattr_t ba;
	int			barriers = 0;
	long		profiles = 0,
				retries = 0,
				peak = 0,
				messages = 0;
	double		t0,
				t1;

	for (int i = 0; i < l.n; i++)
	{
		if (l.line[i][0] == '#')
			barriers++;
		else
			messages++;
	}
	memset(sh, 0, sizeof(*sh));
	pthread_barrierattr_init(&ba);
	pthread_barrierattr_setpshared(&ba, PTHREAD_PROCESS_SHARED);
	pthread_barrier_init(&sh->barrier, &ba, nsessions + 1);

	for (int k = 0; k < nsessions; k++)
	{
		if (fork() == 0)
		{
			session(conninfo, &l, k, nsessions, sh);
			_exit(0);
		}
	}
	pthread_barrier_wait(&sh->barrier);		/* everyone connected */
	t0 = now_s();
	for (int b = 0; b < barriers; b++)
		pthread_barrier_wait(&sh->barrier);
	pthread_barrier_wait(&sh->barrier);		/* everyone done */
	t1 = now_s();
	for (int k = 0; k < nsessions; k++)
	{
		int			st;

		wait(&st);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		{
			fprintf(stderr, "a session failed\n");
			return 1;
		}
	}
	for (int k = 0; k < nsessions; k++)
	{
		profiles += sh->profiles[k];
		retries += sh->retries[k];
		if (sh->peak_kb[k] - sh->base_kb[k] > peak)
			peak = sh->peak_kb[k] - sh->base_kb[k];
	}
	printf("sessions=%d messages=%ld profiles=%ld seconds=%.3f profiles_per_s=%.0f peak_rss_anon_above_baseline_mb=%.1f retries=%ld\n",
		   nsessions, messages, profiles, t1 - t0, profiles / (t1 - t0), peak / 1024.0, retries);
	return 0;
}

static int
cmd_memory(const char *conninfo, const char *file)
{
	Lines		l = read_lines(file);
	PGconn	   *c = connect_or_die(conninfo);
	Sampler		s = {0, 0, 0, 1000};	/* every millisecond */
	pthread_t	th;
	long		base,
				retries = 0,
				profiles;
	double		t0;

	s.pid = backend_pid(c);
	prepare_import(c);
	base = rss_anon_kb(s.pid);
	pthread_create(&th, NULL, sampler_main, &s);
	t0 = now_s();
	profiles = import_one(c, l.line[0], &retries);
	s.stop = 1;
	pthread_join(th, NULL);
	printf("profiles=%ld seconds=%.3f baseline_rss_anon_mb=%.1f peak_rss_anon_mb=%.1f above_baseline_mb=%.1f\n",
		   profiles, now_s() - t0, base / 1024.0, s.peak_kb / 1024.0, (s.peak_kb - base) / 1024.0);
	PQfinish(c);
	return 0;
}

int
main(int argc, char **argv)
{
	if (getenv("CT_BENCH_ARG") != NULL && strcmp(getenv("CT_BENCH_ARG"), "jsonb") == 0)
		import_sql = import_jsonb_sql;
	if (argc >= 4 && strcmp(argv[1], "import") == 0)
		return cmd_import(argv[2], argv[3], argc >= 5 ? atoi(argv[4]) : 1);
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "memory") == 0)
	{
		/* an optional statement in place of the import, e.g. to measure jsonb_in alone */
		if (argc == 5)
			import_sql = argv[4];
		return cmd_memory(argv[2], argv[3]);
	}
	fprintf(stderr, "usage: driver import CONNINFO FILE [SESSIONS] | driver memory CONNINFO FILE [SQL]\n");
	return 2;
}
