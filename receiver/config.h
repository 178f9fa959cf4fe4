/*
 * config.h
 *	  The receiver's settings, from its flags or the environment.
 */
#ifndef CT_CONFIG_H
#define CT_CONFIG_H

#include <stdbool.h>
#include <netinet/in.h>

typedef struct CtConfig
{
	const char *listen_host;
	struct in_addr listen_addr; /* listen_host, parsed */
	int			listen_port;
	const char *dsn;
	bool		queue;			/* --mode queue */
	int			pool;
	long		max_body;
	long		max_buffered;	/* body bytes held at once */
	int			statement_timeout;	/* ms */
	int			pool_wait;		/* ms to wait for a connection, then 429 */
	int			max_connections;	/* open at once */
	int			max_per_address;	/* open at once from one address; 0: any */
	int			head_timeout;	/* ms for a whole request head */
	long		min_body_rate;	/* bytes a second a body keeps to; 0: none */
	int			connection_slots;	/* max_connections, and room for those
									 * being closed */
	char	   *secret;			/* from --secret-file; NULL: none */
	char	   *tls_cert;
	char	   *tls_key;
	bool		route_workers;	/* on Citus: to the project's worker */
} CtConfig;

/* Set once by ct_config_load, then only read. */
extern CtConfig ct_config;

extern void ct_config_load(int argc, char **argv);

#endif							/* CT_CONFIG_H */
