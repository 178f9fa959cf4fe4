/*
 * main.c
 *	  ctaudience-exporter: posts the requests a ctaudience database builds
 *	  for mParticle's Events API (the CleverTap feed's export) and reports
 *	  each answer back to it.  main only wires the rooms together: the
 *	  settings and the secrets, the pool with the exporter's session
 *	  set-up, the metrics server, the passes, and a stop on SIGTERM or
 *	  SIGINT that lets the requests in flight finish.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>

#include "common_log.h"
#include "common_options.h"
#include "common_pool.h"
#include "config.h"
#include "pace.h"
#include "post.h"
#include "schedule.h"
#include "secrets.h"
#include "serve.h"
#include "statements.h"

static sigset_t ct_stop_signals;

/* Takes SIGTERM and SIGINT (blocked in every other thread) and asks for the stop. */
static void *
ct_signal_thread(void *arg)
{
	int			sig;

	while (sigwait(&ct_stop_signals, &sig) != 0)
		;
	ct_log("stopping on %s: finishing the requests in flight", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	ct_schedule_stop();
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t	signals;
	int			status;
	char		pass[32];
	char		metrics[64] = "";

	ct_config_load(argc, argv);
	ct_secrets_load();

	/* every thread made from here on inherits the mask */
	sigemptyset(&ct_stop_signals);
	sigaddset(&ct_stop_signals, SIGTERM);
	sigaddset(&ct_stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &ct_stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	ct_post_init();
	ct_rate_init(ct_config.rate);
	/* a connection per worker, and one for the passes and /healthz */
	ct_pool_init(ct_config.dsn, ct_config.workers + 1, ct_session_setup);
	if (ct_config.metrics_host != NULL && !ct_serve_start())
	{
		ct_complain("cannot listen on %s:%d", ct_config.metrics_host, ct_config.metrics_port);
		return 1;
	}
	pthread_create(&signals, NULL, ct_signal_thread, NULL);
	if (ct_config.once)
		snprintf(pass, sizeof(pass), "one pass");
	else
		snprintf(pass, sizeof(pass), "a pass every %d s", ct_config.interval);
	if (ct_config.metrics_host != NULL)
		snprintf(metrics, sizeof(metrics), ", metrics on %s:%d", ct_config.metrics_host, ct_config.metrics_port);
	ct_log("started: %s, %d worker%s, rate %d batches/s%s, lease %d s, timeout %d s%s",
		   pass, ct_config.workers, ct_config.workers == 1 ? "" : "s", ct_config.rate,
		   ct_config.rate == 0 ? " (no limit)" : "", ct_config.lease, ct_config.timeout, metrics);

	status = ct_schedule_run();

	ct_serve_stop();
	ct_pool_close();
	ct_post_cleanup();
	ct_log("stopped");
	return status;
}
