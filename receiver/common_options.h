/*
 * common_options.h
 *	  Reading a program's settings at start-up: numbers, files, a secret
 *	  file, and the messages (then exit 2) for values that will not do.
 *	  For any ctaudience program (no HTTP, nothing of the receiver).
 */
#ifndef CT_COMMON_OPTIONS_H
#define CT_COMMON_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

/* Names the program in its start-up messages; each program's settings set it. */
extern const char *ct_program_name;

extern void ct_complain(const char *fmt,...) __attribute__((format(printf, 1, 2)));
extern void ct_fail(const char *fmt,...) __attribute__((format(printf, 1, 2), noreturn));
extern long ct_option_number(const char *name, const char *value, long min, long max);
extern char *ct_option_file(const char *path, const char *what);
extern char *ct_option_secret(const char *path);

/*
 * A program's settings as a table: each a flag (--flag, taking a value or
 * not), an environment variable, and the letter the program's CtSet is
 * called with (the value NULL for a flag without one; an environment
 * variable always has a value).
 */
typedef struct CtSetting
{
	const char *flag;
	const char *env;
	int			opt;
	bool		has_arg;
} CtSetting;
typedef void (*CtSet) (int opt, const char *value);
typedef void (*CtUsage) (FILE *f);

/*
 * The environment, then the flags over it.  --help prints the usage and
 * exits 0; an unknown flag or an argument that is not a flag prints it on
 * stderr and exits 2.
 */
extern void ct_options_load(int argc, char **argv, const CtSetting *settings, int n,
							CtSet set, CtUsage usage);

#endif							/* CT_COMMON_OPTIONS_H */
