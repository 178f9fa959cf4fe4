/*
 * lookup.c
 *	  The import step that finds the stored profiles a message names, by
 *	  CleverTap ID and by Identity, each becoming a slot.
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/memutils.h"

#include "importstate.h"
#include "lookup.h"

/* A profile found by a lookup becomes a slot, unless it is one already. */
static void
ct_profile_found(void *arg, Datum *v, bool *isnull, ItemPointer tid)
{
	CtImport   *im = arg;
	text	   *ct_id = DatumGetTextPP(v[0]);
	int			si;

	if (ct_map_get(&im->by_ctid, VARDATA_ANY(ct_id), VARSIZE_ANY_EXHDR(ct_id)) >= 0)
		return;					/* found by both keys */
	si = ct_new_slot(im);
	ct_slot_fill(im, &im->slots[si], v, isnull, tid);
	ct_slot_map(im, si);
}

/*
 * Run one profile lookup over keys: direct index probes, or the SQL
 * statement where ct_direct_lookup_profiles cannot.
 */
static void
ct_lookup_profiles(CtImport *im, bool by_identity, CtArr *keys)
{
	Datum		project_id;

	if (keys->n == 0)
		return;
	project_id = CStringGetTextDatum(im->project.project_id);
	if (ct_direct_lookup_profiles(project_id, by_identity, keys, false, ct_profile_found, im))
		return;
	ct_sql_lookup_profiles(project_id, by_identity ? CT_Q_PROFILES_BY_IDENTITY : CT_Q_PROFILES_BY_CTID,
						   keys, ct_profile_found, im);
}

/* The aliases found: alias[i] is merged into target[i]. */
typedef struct CtAliases
{
	int			n;
	int			cap;
	char	  **alias;
	char	  **target;
} CtAliases;

static void
ct_alias_add(CtAliases *a, char *alias, char *target)
{
	if (a->n == a->cap)
	{
		a->cap = Max(16, a->cap * 2);
		a->alias = a->alias ? repalloc(a->alias, sizeof(char *) * a->cap) : palloc(sizeof(char *) * a->cap);
		a->target = a->target ? repalloc(a->target, sizeof(char *) * a->cap) : palloc(sizeof(char *) * a->cap);
	}
	a->alias[a->n] = alias;
	a->target[a->n++] = target;
}

/* ct_direct_profile_aliases' found: the alias, the CleverTap ID it stands for. */
static void
ct_alias_found(void *arg, Datum *v, bool *isnull, ItemPointer tid)
{
	ct_alias_add(arg, TextDatumGetCString(v[0]), TextDatumGetCString(v[1]));
}

/*
 * The CleverTap IDs a lookup did not find that are aliases of profiles
 * merged into others (absorb.c): each finds the profile it was merged
 * into, looked up as well when it is not a slot yet.  Read by direct
 * probes of the aliases' primary key, as the profiles are (an SPI query
 * per message cost about as much as the probes of a message's new Partner
 * IDs), or by SQL where the table is not as the extension made it.
 */
static void
ct_lookup_aliases(CtImport *im, CtArr *ctids)
{
	CtArr		missing,
				survivors;
	CtAliases	found = {0};

	ct_arr_for(&missing, CT_Q_PROFILE_ALIASES, 2, ctids->n);
	for (int i = 0; i < ctids->n; i++)
	{
		text	   *key = DatumGetTextPP(ctids->values[i]);

		if (ct_map_get(&im->by_ctid, VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key)) < 0)
			ct_arr_add(&missing, ctids->values[i], false);
	}
	if (missing.n == 0)
		return;
	if (!ct_direct_profile_aliases(CStringGetTextDatum(im->project.project_id), &missing,
								   ct_alias_found, &found))
	{
		Datum		args[2];
		uint64		n;

		args[0] = CStringGetTextDatum(im->project.project_id);
		args[1] = ct_arr_datum(&missing);
		n = ct_store_exec(CT_Q_PROFILE_ALIASES, args, NULL, true);
		for (uint64 r = 0; r < n; r++)
			ct_alias_add(&found, ct_store_get_text(r, 1), ct_store_get_text(r, 2));
		SPI_freetuptable(SPI_tuptable);
	}
	if (found.n == 0)
		return;
	ct_arr_for(&survivors, CT_Q_PROFILES_BY_CTID, 2, found.n);
	for (int r = 0; r < found.n; r++)
	{
		if (ct_map_get(&im->by_ctid, found.target[r], strlen(found.target[r])) < 0)
			ct_arr_add(&survivors, CStringGetTextDatum(found.target[r]), false);
	}
	ct_lookup_profiles(im, false, &survivors);
	for (int r = 0; r < found.n; r++)
	{
		int			si = ct_map_get(&im->by_ctid, found.target[r], strlen(found.target[r]));

		if (si >= 0)
			ct_map_put(&im->by_ctid, found.alias[r], strlen(found.alias[r]), si);
	}
}

/* Look up every profile the resolutions name, by CleverTap ID and by Identity. */
void
ct_lookup_all(CtImport *im)
{
	CtArr		ctids,
				idents;
	CtStrMap	seen_c,
				seen_i;
	MemoryContext keys = AllocSetContextCreate(CurrentMemoryContext, "ctaudience lookup keys",
											   ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(keys);

	/*
	 * the keys, deduplicated, in a context of their own freed after the
	 * lookups
	 */
	ct_arr_for(&ctids, CT_Q_PROFILES_BY_CTID, 2, im->nres);
	ct_arr_for(&idents, CT_Q_PROFILES_BY_IDENTITY, 2, im->nres * 2);
	ct_map_init(&seen_c, 64);
	ct_map_init(&seen_i, 64);
	for (int i = 0; i < im->nres; i++)
	{
		CtIdentityResult *r = &im->res[i].r;

		if (im->res[i].refused)
			continue;
		if (r->rule == CT_RULE_PARTNER_ID)
		{
			if (ct_map_get(&seen_c, r->key, r->key_len) < 0)
			{
				ct_map_put(&seen_c, r->key, r->key_len, 1);
				ct_arr_add(&ctids, PointerGetDatum(cstring_to_text_with_len(r->key, r->key_len)), false);
			}
			if (r->claim != NULL && ct_map_get(&seen_i, r->claim, r->claim_len) < 0)
			{
				ct_map_put(&seen_i, r->claim, r->claim_len, 1);
				ct_arr_add(&idents, PointerGetDatum(cstring_to_text_with_len(r->claim, r->claim_len)), false);
			}
		}
		else if (r->rule != CT_RULE_ANONYMOUS)
		{
			if (ct_map_get(&seen_i, r->key, r->key_len) < 0)
			{
				ct_map_put(&seen_i, r->key, r->key_len, 1);
				ct_arr_add(&idents, PointerGetDatum(cstring_to_text_with_len(r->key, r->key_len)), false);
			}
		}
	}
	MemoryContextSwitchTo(old);
	ct_map_init(&im->by_ctid, im->nres);
	ct_map_init(&im->by_identity, im->nres);
	ct_lookup_profiles(im, false, &ctids);
	ct_lookup_aliases(im, &ctids);
	ct_lookup_profiles(im, true, &idents);
	MemoryContextDelete(keys);
}
