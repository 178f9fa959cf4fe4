/*
 * pathcheck.c
 *	  Whether each path that reads or writes the extension's tables below
 *	  SQL may be taken: its table (and index) is as the extension made it.
 *	  The paths (direct.c, queue.c) ask ct_path_take before each use and
 *	  run the SQL statement when it says no; ct_direct_paths() shows an
 *	  operator the same answers (after an index was changed by hand, row
 *	  security added, or a Citus shard made by an older version).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "nodes/primnodes.h"
#include "parser/parse_func.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"

#include "citus.h"
#include "pathcheck.h"

PG_FUNCTION_INFO_V1(ct_direct_paths);

typedef enum CtPathKind
{
	CT_KIND_PLAIN,				/* rows written as COPY does: no trigger at
								 * all */
	CT_KIND_TRIGGERED,			/* the same, the extension's trigger raised by
								 * the caller */
	CT_KIND_ARBITER,			/* plain, each row unless a unique index has
								 * its key (ON CONFLICT DO NOTHING) */
	CT_KIND_PROBE				/* rows read by probes of an index */
} CtPathKind;

typedef struct CtPathDef
{
	const char *name;			/* as ct_direct_paths() shows it */
	CtPathKind	kind;
	const char *table;
	int			ncols;			/* writers: the columns they fill, all of them */
	const char *trigger_fn;		/* CT_KIND_TRIGGERED: the extension's trigger */
	const char *index;			/* CT_KIND_ARBITER, CT_KIND_PROBE */
	int			nkeys;
	const char *keys[3];		/* CT_KIND_ARBITER: in the index's order */
	bool		flag;			/* probe: unique; arbiter: partial (WHERE) */
	int			also;			/* a path the same writer needs too, or -1 */
	const char *pred;			/* partial: its predicate, WHERE pred (a
								 * boolean column) */
} CtPathDef;

static const CtPathDef ct_paths[CT_NPATHS] = {
	[CT_PATH_INSERT_PROFILES] = {"insert_profiles", CT_KIND_TRIGGERED, "ct_profile", 14,
	"ct_profile_trigger", NULL, 0, {NULL}, false, -1},
	[CT_PATH_INSERT_MEMBERS] = {"insert_members", CT_KIND_TRIGGERED, "ct_segment_member", 5,
	"ct_partner_sync_trigger", NULL, 0, {NULL}, false, -1},
	[CT_PATH_INSERT_EVENTS] = {"insert_events", CT_KIND_PLAIN, "ct_event", 6,
	NULL, NULL, 0, {NULL}, false, -1},
	[CT_PATH_INSERT_QUEUE] = {"insert_queue", CT_KIND_PLAIN, "ct_campaign_queue", 10,
	NULL, NULL, 0, {NULL}, false, -1},
	[CT_PATH_INSERT_QUEUE_ONCE] = {"insert_queue_once", CT_KIND_ARBITER, "ct_campaign_queue", 10,
	NULL, "ct_campaign_queue_once_idx", 3, {"ct_id", "campaign_id", "project_id"}, true, -1, "once"},
	[CT_PATH_JOURNEY_ENTER] = {"journey_enter", CT_KIND_ARBITER, "ct_journey_state", 10,
		NULL, "ct_journey_state_pkey", 3, {"ct_id", "journey_id", "project_id"}, false,
	CT_PATH_JOURNEY_STEPS},
	[CT_PATH_JOURNEY_STEPS] = {"journey_enter_steps", CT_KIND_PLAIN, "ct_journey_step", 7,
	NULL, NULL, 0, {NULL}, false, -1},
	[CT_PATH_PROFILES_BY_CTID] = {"profiles_by_ctid", CT_KIND_PROBE, "ct_profile", 0,
	NULL, "ct_profile_pkey", 2, {"project_id", "ct_id"}, true, -1},
	[CT_PATH_PROFILES_BY_IDENTITY] = {"profiles_by_identity", CT_KIND_PROBE, "ct_profile", 0,
	NULL, "ct_profile_identity_key", 2, {"project_id", "identity"}, true, -1},
	[CT_PATH_PROFILE_ALIASES] = {"profile_aliases", CT_KIND_PROBE, "ct_profile_alias", 0,
	NULL, "ct_profile_alias_pkey", 2, {"project_id", "alias"}, true, -1},
	[CT_PATH_MEMBERS_PRESENT] = {"members_present", CT_KIND_PROBE, "ct_segment_member", 0,
	NULL, "ct_segment_member_pkey", 3, {"project_id", "segment_id", "ct_id"}, true, -1},
	[CT_PATH_PROFILE_CONTACTS] = {"profile_contacts", CT_KIND_PROBE, "ct_profile", 0,
	NULL, "ct_profile_pkey", 2, {"project_id", "ct_id"}, true, -1},
	[CT_PATH_PROFILE_MEMBERSHIPS] = {"profile_memberships", CT_KIND_PROBE, "ct_segment_member", 0,
	NULL, "ct_segment_member_profile_idx", 2, {"project_id", "ct_id"}, false, -1},
};

/* Set *why (when asked) and say no. */
static bool
ct_no(char **why, const char *fmt, const char *arg)
{
	if (why != NULL)
		*why = psprintf(fmt, arg);
	return false;
}

/*
 * Whether row security may hold what rel shows the current user: its
 * policies apply to the user, or the owner forced them on itself.  Row
 * security that the user is not subject to (the extension's owner, who
 * imports, is not to the per-project policies) changes no row.
 */
static bool
ct_row_security(Relation rel)
{
	return rel->rd_rel->relrowsecurity &&
		(rel->rd_rel->relforcerowsecurity ||
		 check_enable_rls(RelationGetRelid(rel), InvalidOid, true) == RLS_ENABLED);
}

/* How many columns a table has (not counting dropped ones). */
static int
ct_live_columns(TupleDesc desc)
{
	int			live = 0;

	for (int a = 0; a < desc->natts; a++)
	{
		if (!TupleDescAttr(desc, a)->attisdropped)
			live++;
	}
	return live;
}

/*
 * Whether rel is a plain table to rows written below SQL: an ordinary
 * table (not partitioned, not itself a partition, whose constraint only
 * the executor's routing checks) without rules (an INSERT rule someone
 * added runs only for SQL; the relation cache's, as pg_class.relhasrules
 * stays true once a table had one), with exactly ncols columns, all of which the
 * writer fills (a column someone added, with its default, is left to SQL).
 */
static bool
ct_plain_table(Relation rel, int ncols, char **why)
{
	if (rel->rd_rel->relkind != RELKIND_RELATION)
		return ct_no(why, "%s is partitioned", RelationGetRelationName(rel));
	if (rel->rd_rel->relispartition)
		return ct_no(why, "%s is a partition", RelationGetRelationName(rel));
	if (rel->rd_rules != NULL)
		return ct_no(why, "%s has a rule", RelationGetRelationName(rel));
	if (ct_live_columns(RelationGetDescr(rel)) != ncols)
		return ct_no(why, "%s has a column the extension did not make (or lacks one)",
					 RelationGetRelationName(rel));
	return true;
}

/*
 * Whether rows can be written to rel directly and what its insert trigger
 * raises done by the caller: the only triggers are the extension's own
 * (function fn_name), all enabled and firing in this session, one of them
 * on INSERT.  Otherwise the caller uses SQL, so that everything else fires
 * as it should.
 */
static bool
ct_own_triggers(Relation rel, const char *fn_name, char **why)
{
	TriggerDesc *td = rel->trigdesc;
	Oid			fn;
	bool		has_insert = false;

	if (SessionReplicationRole != SESSION_REPLICATION_ROLE_ORIGIN)
		return ct_no(why, "session_replication_role is not %s", "origin");
	fn = LookupFuncName(list_make2(makeString("ctaudience"), makeString(pstrdup(fn_name))),
						0, NULL, false);
	for (int i = 0; td != NULL && i < td->numtriggers; i++)
	{
		Trigger    *t = &td->triggers[i];

		if (t->tgfoid != fn)
			return ct_no(why, "trigger %s is not the extension's", t->tgname);
		if (t->tgenabled == TRIGGER_DISABLED)
			return ct_no(why, "trigger %s is disabled", t->tgname);
		if (TRIGGER_FOR_INSERT(t->tgtype))
			has_insert = true;
	}
	if (!has_insert)
		return ct_no(why, "%s has no insert trigger of the extension", RelationGetRelationName(rel));
	return true;
}

/*
 * Whether the predicate of index tuple tup (one of heap's) is WHERE column,
 * as the extension made it: the boolean column itself, nothing else (WHERE
 * NOT once, or once AND more, would make another arbiter).
 */
static bool
ct_index_pred(Relation heap, HeapTuple tup, const char *column)
{
	Datum		d;
	bool		isnull;
	Node	   *pred;
	char	   *str;
	bool		ok;

	d = SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indpred, &isnull);
	if (isnull)
		return false;
	str = TextDatumGetCString(d);
	pred = (Node *) stringToNode(str);
	ok = IsA(pred, Var) && ((Var *) pred)->varlevelsup == 0 &&
		((Var *) pred)->vartype == BOOLOID &&
		((Var *) pred)->varattno == SPI_fnumber(RelationGetDescr(heap), column);
	pfree(str);
	return ok;
}

/* The index named name of heap (its shard's on a Citus worker), if any. */
static Oid
ct_named_index(Relation heap, const char *name)
{
	return get_relname_relid(ct_citus_index_name(heap, name), RelationGetNamespace(heap));
}

/*
 * Whether index relid of heap is still what the extension created: a
 * valid, ready B-tree (unique, when asked) on exactly the ncols columns
 * named, no expressions; with a predicate exactly when partial, and then
 * the extension's (WHERE def->pred).  Without
 * any_order, the columns must be in the order named; otherwise in any
 * order (0.3.0 put project_id last in the keys, 0.2.0 first, and a Citus
 * shard keeps its order until ct_distribute builds it again; an arbiter's
 * columns are a set, as ON CONFLICT's inference takes them), order[k]
 * (unless order is NULL) then the column (of columns) that is the index's
 * column k + 1.
 */
static bool
ct_key_index(Relation heap, Oid relid, const CtPathDef *def, bool unique, bool partial,
			 bool any_order, int *order, char **why)
{
	HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(relid));
	Form_pg_index ix;
	bool		ok;
	int			ord[INDEX_MAX_KEYS];

	if (!HeapTupleIsValid(tup))
		return ct_no(why, "index %s does not exist", def->index);
	ix = (Form_pg_index) GETSTRUCT(tup);
	if (ix->indrelid != RelationGetRelid(heap))
		ok = ct_no(why, "index %s is on another table", def->index);
	else if (unique && !ix->indisunique)
		ok = ct_no(why, "index %s is not unique", def->index);
	else if (!ix->indisvalid || !ix->indisready || !ix->indislive)
		ok = ct_no(why, "index %s is not valid", def->index);
	else if (!heap_attisnull(tup, Anum_pg_index_indexprs, NULL) ||
			 (!partial && !heap_attisnull(tup, Anum_pg_index_indpred, NULL)))
		ok = ct_no(why, "index %s has an expression or a predicate", def->index);
	else if (partial && !ct_index_pred(heap, tup, def->pred))
	{
		ok = false;
		if (why != NULL)
			*why = psprintf("index %s has another predicate than WHERE %s", def->index, def->pred);
	}
	else
		ok = ix->indnatts == def->nkeys && ix->indnkeyatts == def->nkeys;
	for (int i = 0; ok && i < def->nkeys; i++)
	{
		ok = false;
		for (int j = 0; !ok && j < def->nkeys; j++)
		{
			ok = (any_order || j == i) &&
				ix->indkey.values[i] == SPI_fnumber(RelationGetDescr(heap), def->keys[j]);
			ord[i] = j;
		}
		/* each column once */
		for (int k = 0; ok && k < i; k++)
			ok = ord[k] != ord[i];
	}
	if (ok && order != NULL)
		memcpy(order, ord, sizeof(int) * def->nkeys);
	else if (!ok && why != NULL && *why == NULL)
		*why = psprintf("index %s is not on the columns the extension made it on", def->index);
	ReleaseSysCache(tup);
	if (ok)
	{
		tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
		if (!HeapTupleIsValid(tup) || ((Form_pg_class) GETSTRUCT(tup))->relam != BTREE_AM_OID)
			ok = ct_no(why, "index %s is not a B-tree", def->index);
		if (HeapTupleIsValid(tup))
			ReleaseSysCache(tup);
	}
	return ok;
}

/*
 * Whether the unique index relid may be the arbiter of rows written below
 * SQL: its check is immediate, and no other unique or exclusion check of
 * rel is deferred (the executor's AFTER INSERT triggers would queue it,
 * which these writers do not run).
 */
static bool
ct_arbiter_immediate(Relation rel, Oid relid, char **why)
{
	List	   *indexes = RelationGetIndexList(rel);
	ListCell   *lc;
	bool		ok = true;

	foreach(lc, indexes)
	{
		HeapTuple	itup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(lc)));
		Form_pg_index ix;

		if (!HeapTupleIsValid(itup))
			continue;
		ix = (Form_pg_index) GETSTRUCT(itup);
		if (ok && (ix->indisunique || ix->indisexclusion || ix->indexrelid == relid) &&
			!ix->indimmediate)
			ok = ct_no(why, "index %s is deferrable", get_rel_name(ix->indexrelid));
		ReleaseSysCache(itup);
	}
	list_free(indexes);
	return ok;
}

/* See pathcheck.h. */
bool
ct_path_usable(CtDirectPath path, Relation rel, Oid *index, int *order, char **why)
{
	const CtPathDef *def = &ct_paths[path];
	Oid			relid = InvalidOid;
	bool		ok;

	if (why != NULL)
		*why = NULL;
	if (index != NULL)
		*index = InvalidOid;
	if (ct_row_security(rel))
		return ct_no(why, "row security on %s applies to the current user",
					 RelationGetRelationName(rel));
	switch (def->kind)
	{
		case CT_KIND_PLAIN:
		case CT_KIND_ARBITER:
			if (rel->trigdesc != NULL)
				return ct_no(why, "trigger %s is not the extension's",
							 rel->trigdesc->triggers[0].tgname);
			ok = ct_plain_table(rel, def->ncols, why);
			break;
		case CT_KIND_TRIGGERED:
			ok = ct_own_triggers(rel, def->trigger_fn, why) &&
				ct_plain_table(rel, def->ncols, why);
			break;
		default:
			ok = true;
			break;
	}
	if (ok && def->index != NULL)
	{
		relid = ct_named_index(rel, def->index);
		if (!OidIsValid(relid))
			ok = ct_no(why, "index %s does not exist", def->index);
		else if (def->kind == CT_KIND_PROBE)
			ok = ct_key_index(rel, relid, def, def->flag, false, true, order, why);
		else
			ok = ct_key_index(rel, relid, def, true, def->flag, true, NULL, why) &&
				ct_arbiter_immediate(rel, relid, why);
	}
	if (!ok && why != NULL && *why == NULL)
		*why = pstrdup("the table is not as the extension made it");
	if (index != NULL)
		*index = ok ? relid : InvalidOid;
	return ok;
}

/* See pathcheck.h. */
bool
ct_path_take(CtDirectPath path, Relation rel, Oid *index, int *order)
{
	char	   *why;

	if (ct_path_usable(path, rel, index, order, &why))
		return true;
	ereport(DEBUG1,
			(errmsg_internal("ctaudience: %s through SQL: %s", ct_paths[path].name, why)));
	return false;
}

/* See pathcheck.h. */
Relation
ct_path_open(CtDirectPath path, Datum project, LOCKMODE lockmode, Oid *index, int *order)
{
	Relation	rel = table_open(ct_citus_relid(ct_paths[path].table, project), lockmode);

	if (ct_path_take(path, rel, index, order))
		return rel;
	table_close(rel, NoLock);
	return NULL;
}

/* See pathcheck.h. */
const char *
ct_path_table(CtDirectPath path)
{
	return ct_paths[path].table;
}

/*
 * SQL: ct_direct_paths(project_id text DEFAULT NULL) returns table (path,
 * relation, index, direct, reason): each path below SQL, its table (the
 * project's shard on this node, when a project is named; otherwise the
 * table itself) and index, whether the import would take it now (as the
 * current user, in this session) and if not, why.
 */
Datum
ct_direct_paths(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (int p = 0; p < CT_NPATHS; p++)
	{
		const CtPathDef *def = &ct_paths[p];
		Oid			relid = PG_ARGISNULL(0) ?
			get_relname_relid(def->table, get_namespace_oid("ctaudience", false)) :
			ct_citus_relid(def->table, PG_GETARG_DATUM(0));
		Relation	rel;
		Oid			index = InvalidOid;
		char	   *why = NULL;
		bool		ok;
		Datum		values[5];
		bool		nulls[5] = {false, false, false, false, false};

		if (!OidIsValid(relid))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("table ctaudience.%s does not exist", def->table)));
		rel = table_open(relid, AccessShareLock);
		ok = ct_path_usable(p, rel, &index, NULL, &why);
		if (ok && def->also >= 0)
		{
			Relation	also = table_open(PG_ARGISNULL(0) ?
										  get_relname_relid(ct_paths[def->also].table,
															RelationGetNamespace(rel)) :
										  ct_citus_relid(ct_paths[def->also].table,
														 PG_GETARG_DATUM(0)),
										  AccessShareLock);

			if (!ct_path_usable(def->also, also, NULL, NULL, &why))
			{
				ok = false;
				why = psprintf("%s: %s", ct_paths[def->also].name, why);
			}
			table_close(also, AccessShareLock);
		}
		if (!OidIsValid(index) && def->index != NULL)
			index = ct_named_index(rel, def->index);
		values[0] = CStringGetTextDatum(def->name);
		values[1] = ObjectIdGetDatum(relid);
		values[2] = ObjectIdGetDatum(index);
		nulls[2] = !OidIsValid(index);
		values[3] = BoolGetDatum(ok);
		values[4] = ok ? (Datum) 0 : CStringGetTextDatum(why);
		nulls[4] = ok;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		table_close(rel, AccessShareLock);
	}
	return (Datum) 0;
}
