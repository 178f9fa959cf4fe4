/*
 * common_options.c
 *	  Reading a program's settings at start-up.  A value that will not do
 *	  is a message on stderr, naming the program, and exit status 2.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common_options.h"

const char *ct_program_name = "ctaudience";

static void ct_vcomplain(const char *fmt, va_list args) __attribute__((format(printf, 1, 0)));

static void
ct_vcomplain(const char *fmt, va_list args)
{
	fprintf(stderr, "%s: ", ct_program_name);
	vfprintf(stderr, fmt, args);
	fputc('\n', stderr);
}

/* "program: message" on stderr. */
void
ct_complain(const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	ct_vcomplain(fmt, args);
	va_end(args);
}

/* "program: message" on stderr, then exit 2. */
void
ct_fail(const char *fmt,...)
{
	va_list		args;

	va_start(args, fmt);
	ct_vcomplain(fmt, args);
	va_end(args);
	exit(2);
}

/* A whole number from min to max, or exit. */
long
ct_option_number(const char *name, const char *value, long min, long max)
{
	char	   *end;
	long		v = strtol(value, &end, 10);

	if (*value == '\0' || *end != '\0' || v < min || v > max)
		ct_fail("%s must be a number from %ld to %ld, not \"%s\"", name, min, max, value);
	return v;
}

/* The contents of a file (malloc'd), or exit; what names it in the message. */
char *
ct_option_file(const char *path, const char *what)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	long		n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		ct_fail("cannot read %s %s: %s", what, path, strerror(errno));
	buf = malloc(n + 1);
	if (fread(buf, 1, n, f) != (size_t) n)
		ct_fail("cannot read %s %s", what, path);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The first line of a secret file (malloc'd), or exit when it is empty. */
char *
ct_option_secret(const char *path)
{
	char	   *s = ct_option_file(path, "secret file");

	s[strcspn(s, "\r\n")] = '\0';
	if (s[0] == '\0')
		ct_fail("the secret file %s is empty", path);
	return s;
}

/* See common_options.h. */
void
ct_options_load(int argc, char **argv, const CtSetting *settings, int n, CtSet set, CtUsage usage)
{
	struct option *options = calloc(n + 2, sizeof(struct option));
	int			opt;

	for (int i = 0; i < n; i++)
	{
		const char *env = getenv(settings[i].env);

		options[i].name = settings[i].flag;
		options[i].has_arg = settings[i].has_arg ? required_argument : no_argument;
		options[i].val = settings[i].opt;
		if (env != NULL && env[0] != '\0')
			set(settings[i].opt, env);
	}
	options[n].name = "help";
	options[n].has_arg = no_argument;
	options[n].val = 'h';

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1)
	{
		if (opt == 'h')
		{
			usage(stdout);
			exit(0);
		}
		if (opt == '?')
		{
			usage(stderr);
			exit(2);
		}
		set(opt, optarg);
	}
	free(options);
	if (optind < argc)
	{
		usage(stderr);
		exit(2);
	}
}
