/*
 * peek.c
 *	  The top-level string members "type" and "id" of a JSON text, for the
 *	  log line only.  Pure C.
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
