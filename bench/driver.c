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
 *	      line: messages, profiles, seconds, profiles/s, peak backend RssAnon,
 *	      retries, the CPU seconds the backends used for the import
 *	      (user and system) and the seconds they waited for a CPU (from
 *	      /proc; the driver must run on the server's machine), in all and
 *	      then per session (session_cpu_s=, session_runq_s=).  With CT_BENCH_HOLD=PATH, each session k writes its backend's pid
 *	      to PATH.k once connected and waits until the file is removed.
 *	  driver memory CONNINFO FILE [SQL]
 *	      Import the one message of FILE; print the backend's RssAnon before
 *	      (the baseline, extension loaded) and its peak during the import.
 *	      With SQL (one $1 parameter, returning a number), run that instead:
 *	      "SELECT length($1::jsonb::text)" measures what parsing costs alone.
 *	  driver http HOST:PORT FILE [SENDERS]
 *	      POST every line of FILE to http://HOST:PORT/firehose (a receiver),
 *	      SENDERS concurrent senders each on a keep-alive connection, split
 *	      and with barriers as import does; a 429 or 503 is sent again after
 *	      100 ms (counted as a retry).  Prints one line: messages, profiles
 *	      (from the responses), seconds, the latency p50, p99 and maximum,
 *	      retries; with CT_BENCH_WATCH_PID, the peak RssAnon of that process
 *	      (sampled every 10 ms) above what it was at the start.
 *
 * Build: cc -O2 -o driver driver.c -I$(pg_config --includedir) -lpq -lpthread
 */
#define _GNU_SOURCE				/* strcasestr */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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

/*
 * CPU seconds a process has used (user and system, from /proc; 0 when
 * unreadable).  On a shared machine a backend's CPU time moves much less
 * than the wall-clock time of its work while other processes take turns
 * on the cores.
 */
static double
cpu_s(int pid)
{
	char		path[64];
	char		buf[1024];
	char	   *p;
	unsigned long utime,
				stime;
	FILE	   *f;
	size_t		n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* the fields after the command name, which is in parentheses */
	p = strrchr(buf, ')');
	if (p == NULL ||
		sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
		return 0;
	return (double) (utime + stime) / sysconf(_SC_CLK_TCK);
}

/*
 * Seconds a process has waited on a run queue, runnable but not running
 * (/proc/PID/schedstat; 0 when unreadable): on a busy machine, the part of
 * its wall-clock time that other processes took.
 */
static double
runq_s(int pid)
{
	char		path[64];
	unsigned long long oncpu,
				waited;
	FILE	   *f;
	int			n;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	n = fscanf(f, "%llu %llu", &oncpu, &waited);
	fclose(f);
	return n == 2 ? waited / 1e9 : 0;
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
			/* a count, or (CT_BENCH_SQL) the whole response */
			const char *v = PQgetvalue(r, 0, 0);
			const char *p = v[0] == '{' ? strstr(v, "\"profiles\": ") : NULL;
			long		n = atol(p != NULL ? p + strlen("\"profiles\": ") : v);

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
	double		cpu_s[64];		/* CPU seconds of the backend's import */
	double		runq_s[64];		/* seconds it waited on a run queue */
} Shared;

/*
 * CT_BENCH_HOLD=PATH: session k writes its backend's pid to PATH.k and
 * waits until that file is removed before it starts (which is before the
 * clock starts), so that a profiler can attach to the backend first.
 */
static void
hold(int k, int pid)
{
	const char *path = getenv("CT_BENCH_HOLD");
	char		name[4096];
	char		tmp[4200];
	FILE	   *f;

	if (path == NULL || path[0] == '\0')
		return;
	snprintf(name, sizeof(name), "%s.%d", path, k);
	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	f = fopen(tmp, "w");
	if (f == NULL || fprintf(f, "%d\n", pid) < 0 || fclose(f) != 0 || rename(tmp, name) != 0)
	{
		perror(name);
		exit(2);
	}
	while (access(name, F_OK) == 0)
		usleep(10000);
}

static void
session(const char *conninfo, Lines *l, int k, int nsessions, Shared *sh)
{
	PGconn	   *c = connect_or_die(conninfo);

	/*
	 * every 10 ms while importing: with two sessions on two cores there is no
	 * idle core, and reading /proc every millisecond in each session would
	 * take its share from the backends being measured
	 */
	Sampler		s = {0, 0, 0, 10000};
	pthread_t	th;

	s.pid = backend_pid(c);
	prepare_import(c);
	sh->base_kb[k] = rss_anon_kb(s.pid);
	hold(k, s.pid);
	pthread_create(&th, NULL, sampler_main, &s);
	pthread_barrier_wait(&sh->barrier); /* start together */
	sh->cpu_s[k] = -cpu_s(s.pid);
	sh->runq_s[k] = -runq_s(s.pid);

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
	sh->cpu_s[k] += cpu_s(s.pid);
	sh->runq_s[k] += runq_s(s.pid);
	s.stop = 1;
	pthread_join(th, NULL);
	sh->peak_kb[k] = s.peak_kb;
	pthread_barrier_wait(&sh->barrier); /* done together */
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
				t1,
				cpu = 0,
				runq = 0;

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
	pthread_barrier_wait(&sh->barrier); /* everyone connected */
	t0 = now_s();
	for (int b = 0; b < barriers; b++)
		pthread_barrier_wait(&sh->barrier);
	pthread_barrier_wait(&sh->barrier); /* everyone done */
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
		cpu += sh->cpu_s[k];
		runq += sh->runq_s[k];
		if (sh->peak_kb[k] - sh->base_kb[k] > peak)
			peak = sh->peak_kb[k] - sh->base_kb[k];
	}
	printf("sessions=%d messages=%ld profiles=%ld seconds=%.3f profiles_per_s=%.0f peak_rss_anon_above_baseline_mb=%.1f retries=%ld backend_cpu_s=%.2f backend_runq_s=%.2f",
		   nsessions, messages, profiles, t1 - t0, profiles / (t1 - t0), peak / 1024.0, retries, cpu, runq);
	/* each session's own: the slowest decides the wall-clock time */
	printf(" session_cpu_s=");
	for (int k = 0; k < nsessions; k++)
		printf("%s%.2f", k ? "," : "", sh->cpu_s[k]);
	printf(" session_runq_s=");
	for (int k = 0; k < nsessions; k++)
		printf("%s%.2f", k ? "," : "", sh->runq_s[k]);
	printf("\n");
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

/* ---- http: the messages posted to a receiver ---- */

typedef struct HttpRun
{
	const char *host;
	const char *port;
	Lines	   *l;
	int			nsenders;
	pthread_barrier_t barrier;
	double	   *latency;		/* per message line */
	long		profiles[64];
	long		retries[64];
} HttpRun;

typedef struct HttpSender
{
	HttpRun    *run;
	int			k;
} HttpSender;

static int
http_connect(HttpRun *run)
{
	struct addrinfo hints = {0},
			   *ai;
	int			fd;
	int			nodelay = 1;

	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(run->host, run->port, &hints, &ai) != 0)
	{
		fprintf(stderr, "cannot resolve %s\n", run->host);
		exit(2);
	}
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0)
	{
		fprintf(stderr, "cannot connect to %s:%s: %s\n", run->host, run->port, strerror(errno));
		exit(2);
	}

	/*
	 * As HTTP clients do (curl, Go's net/http): without it the last, short
	 * segment of a body waits for the ACK of the one before (Nagle), which
	 * the receiving side may delay by up to 40 ms.
	 */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, sizeof(nodelay));
	freeaddrinfo(ai);
	return fd;
}

static bool
send_all(int fd, const char *p, size_t n)
{
	while (n > 0)
	{
		ssize_t		w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			return false;
		p += w;
		n -= w;
	}
	return true;
}

/*
 * POST one message on *fd (connecting when it is -1); the status, and the
 * response body in *body (malloc'd).  -1 when the connection broke.
 */
static int
http_post(HttpRun *run, int *fd, const char *msg, size_t len, char **body)
{
	char		head[512];
	char	   *buf = NULL;
	size_t		have = 0,
				cap = 0,
				hdr_end = 0;
	long		clen = -1;
	int			status;
	bool		close_after;

	if (*fd < 0)
		*fd = http_connect(run);
	snprintf(head, sizeof(head), "POST /firehose HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\n\r\n", run->host, len);
	if (!send_all(*fd, head, strlen(head)) || !send_all(*fd, msg, len))
		goto broken;
	for (;;)
	{
		ssize_t		r;

		if (have + 4096 + 1 > cap)
		{
			cap = (have + 4096 + 1) * 2;
			buf = realloc(buf, cap);
		}
		r = recv(*fd, buf + have, cap - have - 1, 0);
		if (r <= 0)
			goto broken;
		have += r;
		buf[have] = '\0';
		if (hdr_end == 0)
		{
			char	   *e = strstr(buf, "\r\n\r\n");
			char	   *cl;

			if (e == NULL)
				continue;
			hdr_end = e - buf + 4;
			cl = strcasestr(buf, "\r\nContent-Length:");
			clen = cl && cl < e ? atol(cl + 17) : 0;
		}
		if (have >= hdr_end + clen)
			break;
	}
	status = atoi(buf + 9);
	close_after = strcasestr(buf, "\r\nConnection: close") != NULL;
	*body = strndup(buf + hdr_end, clen);
	free(buf);
	if (close_after)
	{
		close(*fd);
		*fd = -1;
	}
	return status;

broken:
	free(buf);
	close(*fd);
	*fd = -1;
	return -1;
}

static void *
http_sender(void *arg)
{
	HttpSender *me = arg;
	HttpRun    *run = me->run;
	int			fd = -1;

	pthread_barrier_wait(&run->barrier);	/* start together */
	for (int i = 0, j = 0; i < run->l->n; i++)
	{
		double		t0;
		int			status;
		char	   *body = NULL;
		char	   *p;

		if (run->l->line[i][0] == '#')
		{
			pthread_barrier_wait(&run->barrier);
			j = 0;
			continue;
		}
		if (j++ % run->nsenders != me->k)
			continue;
		t0 = now_s();
		while ((status = http_post(run, &fd, run->l->line[i], run->l->len[i], &body)) != 200)
		{
			if (status != 429 && status != 503 && status != -1)
			{
				fprintf(stderr, "message %d: HTTP %d: %s\n", i, status, body ? body : "");
				exit(3);
			}
			free(body);
			body = NULL;
			run->retries[me->k]++;
			usleep(100000);
		}
		run->latency[i] = now_s() - t0;
		if ((p = strstr(body, "\"profiles\": ")) != NULL)
			run->profiles[me->k] += atol(p + 12);
		free(body);
	}
	pthread_barrier_wait(&run->barrier);	/* done together */
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return x < y ? -1 : x > y;
}

static int
cmd_http(const char *hostport, const char *file, int nsenders)
{
	Lines		l = read_lines(file);
	HttpRun		run = {0};
	HttpSender	senders[64];
	pthread_t	th[64],
				sampler;
	Sampler		s = {0, 0, 0, 10000};
	const char *colon = strrchr(hostport, ':');
	int			barriers = 0;
	long		messages = 0,
				profiles = 0,
				retries = 0,
				base = 0;
	double		t0,
				t1,
			   *lat;

	if (colon == NULL || nsenders < 1 || nsenders > 64)
	{
		fprintf(stderr, "driver http HOST:PORT FILE [SENDERS (1..64)]\n");
		return 2;
	}
	run.host = strndup(hostport, colon - hostport);
	run.port = colon + 1;
	run.l = &l;
	run.nsenders = nsenders;
	run.latency = calloc(l.n, sizeof(double));
	for (int i = 0; i < l.n; i++)
		barriers += (l.line[i][0] == '#');
	pthread_barrier_init(&run.barrier, NULL, nsenders + 1);
	if (getenv("CT_BENCH_WATCH_PID") != NULL)
	{
		s.pid = atoi(getenv("CT_BENCH_WATCH_PID"));
		base = rss_anon_kb(s.pid);
		pthread_create(&sampler, NULL, sampler_main, &s);
	}
	for (int k = 0; k < nsenders; k++)
	{
		senders[k].run = &run;
		senders[k].k = k;
		pthread_create(&th[k], NULL, http_sender, &senders[k]);
	}
	pthread_barrier_wait(&run.barrier);
	t0 = now_s();
	for (int b = 0; b < barriers; b++)
		pthread_barrier_wait(&run.barrier);
	pthread_barrier_wait(&run.barrier);
	t1 = now_s();
	for (int k = 0; k < nsenders; k++)
	{
		pthread_join(th[k], NULL);
		profiles += run.profiles[k];
		retries += run.retries[k];
	}
	if (s.pid != 0)
	{
		s.stop = 1;
		pthread_join(sampler, NULL);
	}
	lat = malloc(sizeof(double) * (l.n + 1));
	for (int i = 0; i < l.n; i++)
		if (l.line[i][0] != '#')
			lat[messages++] = run.latency[i];
	qsort(lat, messages, sizeof(double), cmp_double);
	printf("senders=%d messages=%ld profiles=%ld seconds=%.3f profiles_per_s=%.0f p50_ms=%.1f p99_ms=%.1f max_ms=%.1f retries=%ld",
		   nsenders, messages, profiles, t1 - t0, profiles / (t1 - t0),
		   1000 * lat[(messages - 1) / 2], 1000 * lat[(long) ((messages - 1) * 0.99)],
		   1000 * lat[messages - 1], retries);
	if (s.pid != 0)
		printf(" watched_rss_anon_mb=%.1f watched_peak_above_start_mb=%.1f", base / 1024.0, (s.peak_kb - base) / 1024.0);
	printf("\n");
	return 0;
}

int
main(int argc, char **argv)
{
	/*
	 * CT_BENCH_SQL: another import statement of $1 (e.g. the call alone, as
	 * Citus delegates it: bench/citus.sh); its value is the response.
	 */
	if (getenv("CT_BENCH_SQL") != NULL)
		import_sql = getenv("CT_BENCH_SQL");
	else if (getenv("CT_BENCH_ARG") != NULL && strcmp(getenv("CT_BENCH_ARG"), "jsonb") == 0)
		import_sql = import_jsonb_sql;
	if (argc >= 4 && strcmp(argv[1], "import") == 0)
		return cmd_import(argv[2], argv[3], argc >= 5 ? atoi(argv[4]) : 1);
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "memory") == 0)
	{
		/*
		 * an optional statement in place of the import, e.g. to measure
		 * jsonb_in alone
		 */
		if (argc == 5)
			import_sql = argv[4];
		return cmd_memory(argv[2], argv[3]);
	}
	if (argc >= 4 && strcmp(argv[1], "http") == 0)
		return cmd_http(argv[2], argv[3], argc >= 5 ? atoi(argv[4]) : 1);
	fprintf(stderr, "usage: driver import CONNINFO FILE [SESSIONS] | driver memory CONNINFO FILE [SQL]"
			" | driver http HOST:PORT FILE [SENDERS]\n");
	return 2;
}
