/*
 * peek.h
 *	  The message type and id a log line shows, and the project a message
 *	  names, read from a body without parsing it.
 */
#ifndef CT_PEEK_H
#define CT_PEEK_H

#include <stddef.h>

#define CT_PEEK_SIZE 65			/* 64 characters and the terminator */

extern void ct_peek(const char *s, size_t len, char type[CT_PEEK_SIZE], char id[CT_PEEK_SIZE]);
extern void ct_peek_project(const char *s, size_t len, char project[CT_PEEK_SIZE]);

#endif							/* CT_PEEK_H */
