/*
 * main.c
 *	  ctaudience-receiver: the HTTP endpoint an mParticle audience output
 *	  posts Firehose messages to, in front of a PostgreSQL database with
 *	  ctaudience.  main only wires the rooms together: the settings, the
 *	  pool with the receiver's session set-up, the HTTP server, and a stop
 *	  on SIGTERM or SIGINT that lets the requests in flight finish.
 */
#include <malloc.h>
#include <signal.h>

#include "common_log.h"
#include "common_options.h"
#include "common_pool.h"
#include "config.h"
#include "http.h"
#include "route.h"
#include "statements.h"

int
main(int argc, char **argv)
{
	sigset_t	stop_signals;
	int			sig;

	ct_config_load(argc, argv);

	/*
	 * Large blocks (bodies, libpq's buffers) in memory of their own, always:
	 * a body growing as it arrives is then moved without copying, and a freed
	 * one goes back to the system.  (By default glibc raises this threshold
	 * to the largest block freed, and bodies then grow, copied, in memory it
	 * keeps.)
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);

	/*
	 * SIGTERM and SIGINT are blocked in every thread (the server's threads
	 * inherit the mask) and taken by the main thread with sigwait().
	 */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	ct_pool_init(ct_config.dsn, ct_config.pool, ct_session_setup);
	if (!ct_http_start())
	{
		ct_complain("cannot listen on %s:%d", ct_config.listen_host, ct_config.listen_port);
		return 1;
	}
	ct_log("listening on %s%s:%d, mode %s, pool %d", ct_config.tls_cert ? "https://" : "http://",
		   ct_config.listen_host, ct_config.listen_port, ct_config.queue ? "queue" : "direct", ct_config.pool);

	while (sigwait(&stop_signals, &sig) != 0)
		;
	ct_log("stopping on %s: finishing the requests in flight", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	ct_http_stop();
	ct_route_close();
	ct_pool_close();
	ct_log("stopped");
	return 0;
}
