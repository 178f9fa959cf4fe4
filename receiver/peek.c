/*
 * peek.c
 *	  The top-level string members "type" and "id" of a JSON text, for the
 *	  log line; and the project a message names, for its route on a Citus
 *	  cluster.  Pure C.
 */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "peek.h"

/*
 * A small scan that skips everything nested, never parses the body for
 * anything else, and keeps at most 64 characters of [A-Za-z0-9_.-].
 */
void
ct_peek(const char *s, size_t len, char type[CT_PEEK_SIZE], char id[CT_PEEK_SIZE])
{
	int			depth = 0;
	size_t		i = 0;
	bool		key = true;
	char		last_key[16] = "";

	type[0] = id[0] = '\0';
	while (i < len)
	{
		char		c = s[i];

		if (c == '"')
		{
			size_t		start = ++i;

			while (i < len && s[i] != '"')
				i += (s[i] == '\\') ? 2 : 1;
			if (i >= len)
				return;
			if (depth == 1 && key)
			{
				size_t		n = i - start < sizeof(last_key) - 1 ? i - start : sizeof(last_key) - 1;

				memcpy(last_key, s + start, n);
				last_key[n] = '\0';
			}
			else if (depth == 1 && (strcmp(last_key, "type") == 0 || strcmp(last_key, "id") == 0))
			{
				char	   *dst = last_key[0] == 't' ? type : id;
				size_t		n = 0;

				for (size_t k = start; k < i && n < CT_PEEK_SIZE - 1; k++)
					if (isalnum((unsigned char) s[k]) || s[k] == '_' || s[k] == '-' || s[k] == '.')
						dst[n++] = s[k];
				dst[n] = '\0';
			}
			i++;
			continue;
		}
		if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
			depth--;
		else if (c == ':')
			key = false;
		else if (c == ',')
			key = true;
		if (depth == 1 && (c == '{' || c == ','))
			key = true;
		i++;
	}
}

/*
 * The project of a Firehose message, account.account_settings.accountId, as
 * the extension reads it (ct_message_project), into project; "" when it is
 * not there once and only once as a plain string (no escapes) of at most 64
 * bytes: such a message goes the way that needs no project.  A project
 * peeked wrong is no harm: the extension refuses a message of another
 * project than the one its call names.
 */
void
ct_peek_project(const char *s, size_t len, char project[CT_PEEK_SIZE])
{
	static const char *const path[] = {"account", "account_settings", "accountId"};
	int			depth = 0;
	int			matched = 0;	/* levels of path open */
	bool		key = true;
	int			key_match = -1; /* the level whose name the last key was */
	int			found = 0;
	size_t		i = 0;

	project[0] = '\0';
	while (i < len)
	{
		char		c = s[i];

		if (c == '"')
		{
			size_t		start = ++i;
			bool		escaped = false;

			while (i < len && s[i] != '"')
			{
				escaped |= (s[i] == '\\');
				i += (s[i] == '\\') ? 2 : 1;
			}
			if (i >= len)
				break;
			if (key)
			{
				key_match = -1;
				if (depth == matched + 1 && matched < 3 && !escaped &&
					strlen(path[matched]) == i - start && memcmp(s + start, path[matched], i - start) == 0)
					key_match = matched;
			}
			else if (key_match == 2 && depth == 3)
			{
				found++;
				if (escaped || i - start >= CT_PEEK_SIZE || i == start)
					found++;	/* not one to route by */
				else
				{
					memcpy(project, s + start, i - start);
					project[i - start] = '\0';
				}
				key_match = -1;
			}
			i++;
			continue;
		}
		if (c == '{' || c == '[')
		{
			depth++;
			if (c == '{' && key_match == matched && matched < 2 && depth == matched + 2)
				matched++;
			key_match = -1;
		}
		else if (c == '}' || c == ']')
		{
			if (depth == matched + 1 && matched > 0)
				matched--;
			depth--;
		}
		else if (c == ':')
			key = false;
		else if (c == ',')
		{
			key = true;
			key_match = -1;
		}
		else if (!isspace((unsigned char) c))
			key_match = -1;		/* a number, true, false or null */
		if (c == '{')
			key = true;
		i++;
	}
	if (found != 1)
		project[0] = '\0';
}
