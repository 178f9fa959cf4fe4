/*
 * config.c
 *	  The receiver's settings: each has a flag and an environment variable
 *	  (the environment first, flags over it).  --help prints the usage and
 *	  exits 0; a value that will not do exits 2 with a message.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/resource.h>

#include "common_options.h"
#include "config.h"

CtConfig	ct_config = {
	.listen_host = "127.0.0.1",
	.listen_port = 8080,
	.dsn = "",
	.queue = false,
	.pool = 4,
	.max_body = 64L * 1024 * 1024,
	.statement_timeout = 60000,
	.pool_wait = 1000,
	.max_buffered = 0,			/* 0: 2 x pool x max_body */
	.max_connections = 1000,
	.max_per_address = 64,
	.head_timeout = 10000,
	.min_body_rate = 16384,
	.route_workers = true,
};

/* Every setting: its flag, its environment variable, its letter in ct_set. */
static const struct
{
	const char *flag;
	const char *env;
	int			opt;
}			ct_settings[] = {
	{"listen", "CT_RECEIVER_LISTEN", 'l'},
	{"dsn", "CT_RECEIVER_DSN", 'd'},
	{"mode", "CT_RECEIVER_MODE", 'm'},
	{"pool", "CT_RECEIVER_POOL", 'p'},
	{"pool-wait", "CT_RECEIVER_POOL_WAIT", 'w'},
	{"max-body", "CT_RECEIVER_MAX_BODY", 'b'},
	{"max-buffered", "CT_RECEIVER_MAX_BUFFERED", 'B'},
	{"statement-timeout", "CT_RECEIVER_STATEMENT_TIMEOUT", 't'},
	{"max-connections", "CT_RECEIVER_MAX_CONNECTIONS", 'C'},
	{"max-per-address", "CT_RECEIVER_MAX_PER_ADDRESS", 'A'},
	{"head-timeout", "CT_RECEIVER_HEAD_TIMEOUT", 'H'},
	{"min-body-rate", "CT_RECEIVER_MIN_BODY_RATE", 'R'},
	{"secret-file", "CT_RECEIVER_SECRET_FILE", 's'},
	{"tls-cert", "CT_RECEIVER_TLS_CERT", 'c'},
	{"tls-key", "CT_RECEIVER_TLS_KEY", 'k'},
	{"route-workers", "CT_RECEIVER_ROUTE_WORKERS", 'r'},
};
#define CT_NSETTINGS (sizeof(ct_settings) / sizeof(ct_settings[0]))

static void
ct_usage(FILE *f)
{
	fprintf(f,
			"ctaudience-receiver: receive mParticle Firehose messages over HTTP for ctaudience\n"
			"\n"
			"Usage: ctaudience-receiver [OPTION]...\n"
			"\n"
			"  --listen HOST:PORT        where to listen (CT_RECEIVER_LISTEN; default 127.0.0.1:8080)\n"
			"  --dsn CONNINFO            the database, as libpq reads it (CT_RECEIVER_DSN; default: the PG* environment)\n"
			"  --mode direct|queue       direct: import at once; queue: queue membership and erasure messages\n"
			"                            for ct_run_inbox (CT_RECEIVER_MODE; default direct)\n"
			"  --pool N                  database connections (CT_RECEIVER_POOL; default 4)\n"
			"  --pool-wait MS            how long a request waits for a connection before 429 (CT_RECEIVER_POOL_WAIT; default 1000)\n"
			"  --max-body BYTES          the largest body accepted, else 413 (CT_RECEIVER_MAX_BODY; default 67108864)\n"
			"  --max-buffered BYTES      the most body bytes held at once, else 429 (CT_RECEIVER_MAX_BUFFERED;\n"
			"                            default 2 x pool x max-body)\n"
			"  --statement-timeout MS    statement_timeout of each connection (CT_RECEIVER_STATEMENT_TIMEOUT; default 60000)\n"
			"  --max-connections N       HTTP connections open at once; past it a new one closes the one that has waited\n"
			"                            longest for a request (CT_RECEIVER_MAX_CONNECTIONS; default 1000)\n"
			"  --max-per-address N       HTTP connections open at once from one address, 0 for any\n"
			"                            (CT_RECEIVER_MAX_PER_ADDRESS; default 64)\n"
			"  --head-timeout MS         a request's whole head must arrive within this of the connection being ready\n"
			"                            for it, else it is closed (CT_RECEIVER_HEAD_TIMEOUT; default 10000)\n"
			"  --min-body-rate BYTES     bytes a second a body must keep to on average after its first --head-timeout,\n"
			"                            else it is closed; 0 for none (CT_RECEIVER_MIN_BODY_RATE; default 16384)\n"
			"  --secret-file FILE        require \"Authorization: Bearer <the file's first line>\" (CT_RECEIVER_SECRET_FILE)\n"
			"  --tls-cert FILE           serve HTTPS with this certificate (PEM) ... (CT_RECEIVER_TLS_CERT)\n"
			"  --tls-key FILE            ... and this key (CT_RECEIVER_TLS_KEY)\n"
			"  --route-workers on|off    on a Citus cluster, send each message in direct mode straight to the worker\n"
			"                            that holds its project (placement asked of the --dsn node, then kept);\n"
			"                            off: every call through the --dsn node (CT_RECEIVER_ROUTE_WORKERS; default on)\n"
			"  --help                    this text\n"
			"\n"
			"POST /firehose answers a Firehose message: 200 with the response; 400 bad message; 401 credentials\n"
			"or bearer; 413 too large; 429 busy and 503 database unavailable (both with Retry-After); 500 other.\n"
			"GET /healthz: 200 when the database answers (while every connection is busy: when it last did), else 503.\n"
			"GET /metrics: Prometheus text.\n"
			"SIGTERM: stop accepting, finish the requests in flight, exit.\n");
}

/* Apply one setting, from a flag or the environment. */
static void
ct_set(int opt, const char *value)
{
	switch (opt)
	{
		case 'l':
			{
				const char *colon = strrchr(value, ':');

				if (colon == NULL)
					ct_fail("--listen must be HOST:PORT, not \"%s\"", value);
				ct_config.listen_host = strndup(value, colon - value);
				ct_config.listen_port = (int) ct_option_number("--listen port", colon + 1, 1, 65535);
				break;
			}
		case 'd':
			ct_config.dsn = value;
			break;
		case 'm':
			if (strcmp(value, "direct") != 0 && strcmp(value, "queue") != 0)
				ct_fail("--mode must be direct or queue, not \"%s\"", value);
			ct_config.queue = strcmp(value, "queue") == 0;
			break;
		case 'p':
			ct_config.pool = (int) ct_option_number("--pool", value, 1, 1000);
			break;
		case 'w':
			ct_config.pool_wait = (int) ct_option_number("--pool-wait", value, 0, 600000);
			break;
		case 'b':
			ct_config.max_body = ct_option_number("--max-body", value, 1, 1L << 30);
			break;
		case 'B':
			ct_config.max_buffered = ct_option_number("--max-buffered", value, 1, 1L << 40);
			break;
		case 't':
			ct_config.statement_timeout = (int) ct_option_number("--statement-timeout", value, 0, 86400000);
			break;
		case 'C':
			ct_config.max_connections = (int) ct_option_number("--max-connections", value, 1, 1000000);
			break;
		case 'A':
			ct_config.max_per_address = (int) ct_option_number("--max-per-address", value, 0, 1000000);
			break;
		case 'H':
			ct_config.head_timeout = (int) ct_option_number("--head-timeout", value, 100, 3600000);
			break;
		case 'R':
			ct_config.min_body_rate = ct_option_number("--min-body-rate", value, 0, 1L << 30);
			break;
		case 's':
			ct_config.secret = ct_option_secret(value);
			break;
		case 'c':
			ct_config.tls_cert = ct_option_file(value, "TLS certificate");
			break;
		case 'k':
			ct_config.tls_key = ct_option_file(value, "TLS key");
			break;
		case 'r':
			if (strcmp(value, "on") != 0 && strcmp(value, "off") != 0)
				ct_fail("--route-workers must be on or off, not \"%s\"", value);
			ct_config.route_workers = strcmp(value, "on") == 0;
			break;
	}
}

/* Open files besides the HTTP connections: the pool's, the server's threads', stdio. */
#define CT_OTHER_FILES 64

/*
 * Room in the open-file limit for every connection: the soft limit is
 * raised as far as the hard one allows; when that is not enough,
 * --max-connections is lowered, with a message.
 */
static void
ct_fit_open_files(void)
{
	struct rlimit lim;
	rlim_t		need;

	ct_config.connection_slots = ct_config.max_connections + ct_config.max_connections / 4 + 64;
	need = (rlim_t) ct_config.connection_slots + ct_config.pool + CT_OTHER_FILES;
	if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= need)
		return;
	lim.rlim_cur = lim.rlim_max == RLIM_INFINITY || lim.rlim_max >= need ? need : lim.rlim_max;
	setrlimit(RLIMIT_NOFILE, &lim);
	getrlimit(RLIMIT_NOFILE, &lim);
	if (lim.rlim_cur >= need)
		return;
	ct_config.max_connections = ((long) lim.rlim_cur - ct_config.pool - CT_OTHER_FILES - 64) * 4 / 5;
	if (ct_config.max_connections < 1)
		ct_fail("%ld open files are too few (ulimit -n)", (long) lim.rlim_cur);
	ct_config.connection_slots = ct_config.max_connections + ct_config.max_connections / 4 + 64;
	ct_complain("open files are limited to %ld (ulimit -n; LimitNOFILE= under systemd):"
				" --max-connections lowered to %d", (long) lim.rlim_cur, ct_config.max_connections);
}

/* The environment, then the flags, then what follows from them; may exit. */
void
ct_config_load(int argc, char **argv)
{
	struct option options[CT_NSETTINGS + 2];
	int			opt;

	ct_program_name = "ctaudience-receiver";
	memset(options, 0, sizeof(options));
	for (size_t i = 0; i < CT_NSETTINGS; i++)
	{
		const char *env = getenv(ct_settings[i].env);

		options[i].name = ct_settings[i].flag;
		options[i].has_arg = required_argument;
		options[i].val = ct_settings[i].opt;
		if (env != NULL && env[0] != '\0')
			ct_set(ct_settings[i].opt, env);
	}
	options[CT_NSETTINGS].name = "help";
	options[CT_NSETTINGS].has_arg = no_argument;
	options[CT_NSETTINGS].val = 'h';

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1)
	{
		if (opt == 'h')
		{
			ct_usage(stdout);
			exit(0);
		}
		if (opt == '?')
		{
			ct_usage(stderr);
			exit(2);
		}
		ct_set(opt, optarg);
	}
	if (optind < argc || (ct_config.tls_cert == NULL) != (ct_config.tls_key == NULL))
	{
		if (optind >= argc)
			ct_complain("--tls-cert and --tls-key go together");
		ct_usage(stderr);
		exit(2);
	}

	if (ct_config.max_buffered == 0)
		ct_config.max_buffered = 2L * ct_config.pool * ct_config.max_body;
	if (ct_config.max_buffered < ct_config.max_body)
		ct_config.max_buffered = ct_config.max_body;
	ct_fit_open_files();
	if (inet_pton(AF_INET, ct_config.listen_host, &ct_config.listen_addr) != 1)
		ct_fail("--listen host must be an IPv4 address, not \"%s\"", ct_config.listen_host);
}
