/*
 * config.h
 *	  The exporter's settings, from its flags or the environment.
 */
#ifndef CT_CONFIG_H
#define CT_CONFIG_H

#include <stdbool.h>
#include <netinet/in.h>

typedef struct CtExportConfig
{
	const char *dsn;
	const char *secrets_path;	/* --secrets; NULL: none */
	int			rate;			/* batches per second; 0: no limit */
	bool		once;			/* one pass, then exit */
	int			interval;		/* seconds between passes */
	int			lease;			/* seconds a claimed request stays ours */
	int			timeout;		/* seconds a request to mParticle may take */
	int			workers;		/* projects exported at once */
	int			max_backoff;	/* seconds, the longest wait before a retry */
	int			statement_timeout;	/* ms */
	const char *metrics_host;	/* --metrics; NULL: no metrics server */
	struct in_addr metrics_addr;
	int			metrics_port;
} CtExportConfig;

/* Set once by ct_config_load, then only read. */
extern CtExportConfig ct_config;

extern void ct_config_load(int argc, char **argv);

#endif							/* CT_CONFIG_H */
