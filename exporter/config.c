/*
 * config.c
 *	  The exporter's settings: each has a flag and an environment variable
 *	  (the environment first, flags over it).  --help prints the usage and
 *	  exits 0; a value that will not do exits 2 with a message.  The feed
 *	  secrets are not settings: secrets.c reads them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "common_options.h"
#include "config.h"

CtExportConfig ct_config = {
	.dsn = "",
	.rate = 270,
	.interval = 60,
	.lease = 60,
	.timeout = 30,
	.workers = 4,
	.max_backoff = 300,
	.statement_timeout = 60000,
};

/* Every setting: its flag, its environment variable, its letter in ct_set. */
static const CtSetting ct_settings[] = {
	{"dsn", "CT_EXPORTER_DSN", 'd', true},
	{"secrets", "CT_EXPORTER_SECRETS", 's', true},
	{"rate", "CT_EXPORTER_RATE", 'r', true},
	{"once", "CT_EXPORTER_ONCE", 'o', false},
	{"interval", "CT_EXPORTER_INTERVAL", 'i', true},
	{"lease", "CT_EXPORTER_LEASE", 'l', true},
	{"timeout", "CT_EXPORTER_TIMEOUT", 't', true},
	{"workers", "CT_EXPORTER_WORKERS", 'w', true},
	{"max-backoff", "CT_EXPORTER_MAX_BACKOFF", 'b', true},
	{"statement-timeout", "CT_EXPORTER_STATEMENT_TIMEOUT", 'T', true},
	{"metrics", "CT_EXPORTER_METRICS", 'm', true},
};
#define CT_NSETTINGS ((int) (sizeof(ct_settings) / sizeof(ct_settings[0])))

static void
ct_usage(FILE *f)
{
	fprintf(f,
			"ctaudience-exporter: post the events ctaudience exports to mParticle's Events API\n"
			"\n"
			"Usage: ctaudience-exporter [OPTION]...\n"
			"\n"
			"  --dsn CONNINFO            the database, as libpq reads it (CT_EXPORTER_DSN; default: the PG* environment)\n"
			"  --secrets FILE            the feed secrets: one \"FEED_KEY SECRET\" a line; the file must not be readable\n"
			"                            by group or others (CT_EXPORTER_SECRETS).  CT_EXPORTER_SECRET (environment\n"
			"                            only) is the secret of every feed key the file does not name\n"
			"  --rate N                  batches per second sent, all projects together; 0: no limit\n"
			"                            (CT_EXPORTER_RATE; default 270, mParticle's default limit)\n"
			"  --once                    one pass over the projects due, then exit (CT_EXPORTER_ONCE=1)\n"
			"  --interval SECONDS        between passes (CT_EXPORTER_INTERVAL; default 60)\n"
			"  --lease SECONDS           how long a claimed request stays this exporter's before another may\n"
			"                            send it again (CT_EXPORTER_LEASE; default 60; over --timeout)\n"
			"  --timeout SECONDS         the longest a request to mParticle may take (CT_EXPORTER_TIMEOUT; default 30)\n"
			"  --workers N               projects exported at once (CT_EXPORTER_WORKERS; default 4)\n"
			"  --max-backoff SECONDS     the longest wait before a retry (CT_EXPORTER_MAX_BACKOFF; default 300)\n"
			"  --statement-timeout MS    statement_timeout of each connection (CT_EXPORTER_STATEMENT_TIMEOUT; default 60000)\n"
			"  --metrics HOST:PORT       serve GET /metrics (Prometheus text) and GET /healthz there (CT_EXPORTER_METRICS)\n"
			"  --help                    this text\n"
			"\n"
			"Answers: 202 done; 400 kept as a dead letter; 401/403 the project's export paused (WARNING);\n"
			"429 retried after Retry-After, else after a backoff; 5xx and no answer retried after a backoff.\n"
			"SIGTERM: finish the request in flight, exit 0.\n");
}

/* Apply one setting, from a flag or the environment. */
static void
ct_set(int opt, const char *value)
{
	switch (opt)
	{
		case 'd':
			ct_config.dsn = value;
			break;
		case 's':
			ct_config.secrets_path = value;
			break;
		case 'r':
			ct_config.rate = (int) ct_option_number("--rate", value, 0, 1000000);
			break;
		case 'o':
			/* the flag has no value; the variable says 1 or 0 */
			ct_config.once = value == NULL || ct_option_number("CT_EXPORTER_ONCE", value, 0, 1) == 1;
			break;
		case 'i':
			ct_config.interval = (int) ct_option_number("--interval", value, 1, 86400);
			break;
		case 'l':
			ct_config.lease = (int) ct_option_number("--lease", value, 2, 86400);
			break;
		case 't':
			ct_config.timeout = (int) ct_option_number("--timeout", value, 1, 3600);
			break;
		case 'w':
			ct_config.workers = (int) ct_option_number("--workers", value, 1, 64);
			break;
		case 'b':
			ct_config.max_backoff = (int) ct_option_number("--max-backoff", value, 1, 86400);
			break;
		case 'T':
			ct_config.statement_timeout = (int) ct_option_number("--statement-timeout", value, 0, 86400000);
			break;
		case 'm':
			{
				const char *colon = strrchr(value, ':');

				if (colon == NULL)
					ct_fail("--metrics must be HOST:PORT, not \"%s\"", value);
				ct_config.metrics_host = strndup(value, colon - value);
				ct_config.metrics_port = (int) ct_option_number("--metrics port", colon + 1, 1, 65535);
				if (inet_pton(AF_INET, ct_config.metrics_host, &ct_config.metrics_addr) != 1)
					ct_fail("--metrics host must be an IPv4 address, not \"%s\"", ct_config.metrics_host);
				break;
			}
	}
}

/* The environment, then the flags, then what follows from them; may exit. */
void
ct_config_load(int argc, char **argv)
{
	ct_program_name = "ctaudience-exporter";
	ct_options_load(argc, argv, ct_settings, CT_NSETTINGS, ct_set, ct_usage);

	/* a request must be answered while it is still ours */
	if (ct_config.lease <= ct_config.timeout)
		ct_fail("--lease (%d s) must be longer than --timeout (%d s): a request must be answered while it is still this exporter's",
				ct_config.lease, ct_config.timeout);
}
