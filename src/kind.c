/*
 * kind.c
 *	  The kinds of Firehose message ctaudience answers; see kind.h and
 *	  kindlist.h.
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "kind.h"

/* See kind.h. */
const CtKind ct_kinds[CT_NKINDS] = {
#define CT_KIND(id, type, response, name, flags, handler) [id] = {type, response, name, flags},
#include "kindlist.h"
#undef CT_KIND
};

/* See kind.h. */
const CtKind *
ct_kind_find(CtStr type)
{
	for (int i = 0; i < CT_NKINDS; i++)
	{
		if (ct_str_eq(type, ct_kinds[i].type))
			return &ct_kinds[i];
	}
	return NULL;
}

/* See kind.h. */
char *
ct_kind_list(int flags)
{
	StringInfoData s;
	int			n = 0;
	int			listed = 0;

	for (int i = 0; i < CT_NKINDS; i++)
		n += (ct_kinds[i].flags & flags) == flags;
	initStringInfo(&s);
	for (int i = 0; i < CT_NKINDS; i++)
	{
		if ((ct_kinds[i].flags & flags) != flags)
			continue;
		if (listed > 0)
			appendStringInfoString(&s, listed == n - 1 ? " and " : ", ");
		appendStringInfoString(&s, ct_kinds[i].type);
		listed++;
	}
	return s.data;
}
