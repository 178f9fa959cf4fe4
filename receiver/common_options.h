/*
 * common_options.h
 *	  Reading a program's settings at start-up: numbers, files, a secret
 *	  file, and the messages (then exit 2) for values that will not do.
 *	  For any ctaudience program (no HTTP, nothing of the receiver).
 */
#ifndef CT_COMMON_OPTIONS_H
#define CT_COMMON_OPTIONS_H

/* Names the program in its start-up messages; each program's settings set it. */
extern const char *ct_program_name;

extern void ct_complain(const char *fmt,...) __attribute__((format(printf, 1, 2)));
extern void ct_fail(const char *fmt,...) __attribute__((format(printf, 1, 2), noreturn));
extern long ct_option_number(const char *name, const char *value, long min, long max);
extern char *ct_option_file(const char *path, const char *what);
extern char *ct_option_secret(const char *path);

#endif							/* CT_COMMON_OPTIONS_H */
