/*
 * store.c
 *	  The extension's SQL statements, as prepared SPI plans (the rows read
 *	  and written below SQL are in direct.c).
 *
 * Plans are prepared on first use and kept (SPI_keepplan) for the life of
 * the backend.  They are tied to the installation they were prepared for:
 * when the extension is dropped and created again in the same session,
 * its types get new OIDs, so ct_store_connect() notices the extension's
 * OID changed and prepares everything anew.
 *
 * Batches are passed as arrays and unnested in SQL, so one statement
 * handles a whole message: the per-statement executor cost is paid once
 * per message, not once per user.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relscan.h"
#include "catalog/pg_extension.h"
#include "utils/fmgroids.h"
#include "utils/snapmgr.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "commands/extension.h"
#include "utils/rel.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "citus.h"
#include "store.h"

static SPIPlanPtr ct_plans[CT_NUM_STMTS];
static bool ct_plan_custom[CT_NUM_STMTS];	/* how ct_plans[i] was planned */

/*
 * On a Citus worker, plans on the shards of a shard group, for the groups
 * used last (a worker holds several; planning every statement again for
 * each message that changes group would cost milliseconds a message).
 */
#define CT_GROUP_PLAN_SETS 8
typedef struct CtGroupPlans
{
	int64		group;			/* ct_profile's shard id; 0: unused */
	uint64		used;			/* when last used (ct_group_clock) */
	SPIPlanPtr	plans[CT_NUM_STMTS];
} CtGroupPlans;
static CtGroupPlans ct_group_sets[CT_GROUP_PLAN_SETS];
static uint64 ct_group_clock = 0;

/* Free the plans of a set. */
static void
ct_free_plans(SPIPlanPtr *plans)
{
	for (int i = 0; i < CT_NUM_STMTS; i++)
	{
		if (plans[i] != NULL)
			SPI_freeplan(plans[i]);
		plans[i] = NULL;
	}
}

/* The plans of group: its set, or the least recently used one emptied. */
static SPIPlanPtr *
ct_group_plans(int64 group)
{
	CtGroupPlans *victim = &ct_group_sets[0];

	for (int i = 0; i < CT_GROUP_PLAN_SETS; i++)
	{
		if (ct_group_sets[i].group == group)
		{
			ct_group_sets[i].used = ++ct_group_clock;
			return ct_group_sets[i].plans;
		}
		if (ct_group_sets[i].used < victim->used)
			victim = &ct_group_sets[i];
	}
	ct_free_plans(victim->plans);
	victim->group = group;
	victim->used = ++ct_group_clock;
	return victim->plans;
}
static Oid	ct_plans_extension = InvalidOid;
static Oid	ct_email_oid = InvalidOid;
static Oid	ct_phone_oid = InvalidOid;

/* Look up one of the extension's types in schema ctaudience. */
static Oid
ct_lookup_type(const char *name)
{
	Oid			nsp = get_namespace_oid("ctaudience", false);
	Oid			typ = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
									  PointerGetDatum(name), ObjectIdGetDatum(nsp));

	if (!OidIsValid(typ))
		elog(ERROR, "type ctaudience.%s does not exist", name);
	return typ;
}

/* Forget every plan (the installation they belong to is gone). */
static void
ct_store_reset(void)
{
	ct_free_plans(ct_plans);
	for (int i = 0; i < CT_GROUP_PLAN_SETS; i++)
	{
		ct_free_plans(ct_group_sets[i].plans);
		ct_group_sets[i].group = 0;
	}
}

/*
 * The OID of the installed extension, after checking that its version is
 * this library's: the C code reads and writes the tables of its own
 * version only (an older schema lacks columns it writes).  Between
 * installing a new library and ALTER EXTENSION ctaudience UPDATE, every
 * call fails here with a hint, rather than misreading the tables.  Not
 * checked while an extension script runs (the version is changing then).
 */
static Oid
ct_extension_checked(void)
{
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tup;
	Oid			ext = InvalidOid;
	char	   *version = NULL;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ,
				CStringGetDatum("ctaudience"));
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, Anum_pg_extension_extversion,
									 RelationGetDescr(rel), &isnull);

		ext = ((Form_pg_extension) GETSTRUCT(tup))->oid;
		if (!isnull)
			version = TextDatumGetCString(d);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	if (!OidIsValid(ext))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("extension \"ctaudience\" is not installed in this database"),
				 errhint("Run CREATE EXTENSION ctaudience.")));
	if (!creating_extension && (version == NULL || strcmp(version, CT_VERSION) != 0))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("ctaudience library %s does not match the installed extension version %s",
						CT_VERSION, version ? version : "(none)"),
				 errdetail("The library was installed without updating the extension in this database, "
						   "or the other way round."),
				 errhint("Run ALTER EXTENSION ctaudience UPDATE, or install the library of version %s.",
						 version ? version : "(none)")));
	return ext;
}

/* Connect to SPI; revalidate the plan cache against the installation. */
void
ct_store_connect(void)
{
	Oid			ext = ct_extension_checked();

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (ext != ct_plans_extension)
	{
		ct_store_reset();
		ct_email_oid = ct_lookup_type("ct_email");
		ct_phone_oid = ct_lookup_type("ct_phone");
		ct_plans_extension = ext;
	}
}

/* Disconnect from SPI. */
void
ct_store_finish(void)
{
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "SPI_finish failed");
}

Oid
ct_email_type_oid(void)
{
	return ct_email_oid;
}

Oid
ct_phone_type_oid(void)
{
	return ct_phone_oid;
}

/* The OID of a parameter type code. */
static Oid
ct_arg_oid(CtArgType t)
{
	switch (t)
	{
		case A_BOOL:
			return BOOLOID;
		case A_TEXT:
			return TEXTOID;
		case A_TEXT_ARR:
			return TEXTARRAYOID;
		case A_INT4:
			return INT4OID;
		case A_INT4_ARR:
			return INT4ARRAYOID;
		case A_INT8:
			return INT8OID;
		case A_INT8_ARR:
			return INT8ARRAYOID;
		case A_FLOAT8:
			return FLOAT8OID;
		case A_BOOL_ARR:
			return BOOLARRAYOID;
		case A_JSONB:
			return JSONBOID;
		case A_JSONB_ARR:
			return JSONBARRAYOID;
		case A_TSTZ:
			return TIMESTAMPTZOID;
		case A_TSTZ_ARR:
			return TIMESTAMPTZARRAYOID;
		case A_DATE_ARR:
			return DATEARRAYOID;
		case A_UUID:
			return UUIDOID;
		case A_TID_ARR:
			return TIDARRAYOID;
		case A_EMAIL_ARR:
			return get_array_type(ct_email_oid);
		case A_PHONE_ARR:
			return get_array_type(ct_phone_oid);
	}
	elog(ERROR, "unknown argument type %d", (int) t);
	return InvalidOid;
}

/* The prepared plan of a statement, preparing it on first use. */
static SPIPlanPtr
ct_get_plan(CtStmt stmt)
{
	const CtStmtDef *def = ct_stmt_def(stmt);
	Oid			argtypes[CT_MAX_ARGS];
	SPIPlanPtr	plan;
	bool		custom;
	int64		group = ct_citus_group();
	SPIPlanPtr *group_plans = NULL;
	char	   *sql = (char *) def->sql;

	/*
	 * A message on a Citus worker: the statement on the project's shards,
	 * planned for that shard group.
	 */
	if (group != 0)
	{
		group_plans = ct_group_plans(group);
		if (group_plans[stmt] != NULL)
			return group_plans[stmt];
		sql = ct_citus_rewrite(def->sql);
		custom = def->custom;
	}
	else
	{
		/*
		 * Elsewhere on a Citus cluster, a statement on the shells is planned
		 * by Citus for its parameters' values (it routes by the project).
		 */
		custom = def->custom || ct_citus_distributed();
		if (ct_plans[stmt] != NULL && ct_plan_custom[stmt] == custom)
			return ct_plans[stmt];
		if (ct_plans[stmt] != NULL)
		{
			SPI_freeplan(ct_plans[stmt]);
			ct_plans[stmt] = NULL;
		}
	}
	for (int i = 0; i < def->nargs; i++)
		argtypes[i] = ct_arg_oid(def->args[i]);

	/*
	 * Most plans are generic, planned once per backend, whatever the size of
	 * the tables at that moment.  So their shape must not depend on it: a
	 * batch of keys is unnest()ed and each key fetched by a LATERAL subquery
	 * (OFFSET 0 keeps it a per-key index probe) rather than by a join or an =
	 * ANY(array) the planner could turn, for a table that happened to be
	 * empty, into one scan of the whole project per message; and the
	 * functions disable sequential scans, hash and merge joins (see
	 * sql/functions/planner_settings--0.1.0.sql).  The profile update reaches
	 * its rows by TID.  The remaining UPDATE ... FROM and DELETE ... USING
	 * statements (renames, erasure, compaction: rare, on small sets) are
	 * planned for each execution ("custom").
	 */
	plan = SPI_prepare_cursor(sql, def->nargs, argtypes,
							  custom ? CURSOR_OPT_CUSTOM_PLAN : CURSOR_OPT_GENERIC_PLAN);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for ctaudience statement %d: %s",
			 (int) stmt, SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	if (group_plans != NULL)
		group_plans[stmt] = plan;
	else
	{
		ct_plans[stmt] = plan;
		ct_plan_custom[stmt] = custom;
	}
	return plan;
}

/* Run a statement, with the transaction's snapshot or with snap. */
static uint64
ct_store_run(CtStmt stmt, Datum *values, const char *nulls, bool read_only, Snapshot snap)
{
	MemoryContext cxt = CurrentMemoryContext;
	SPIPlanPtr	plan = ct_get_plan(stmt);
	int			rc;

	if (snap != InvalidSnapshot)
		rc = SPI_execute_snapshot(plan, values, nulls, snap, InvalidSnapshot, read_only, false, 0);
	else
		rc = SPI_execute_plan(plan, values, nulls, read_only, 0);
	MemoryContextSwitchTo(cxt);
	if (rc < 0)
		elog(ERROR, "ctaudience statement %d failed: %s", (int) stmt,
			 SPI_result_code_string(rc));
	return SPI_processed;
}

/*
 * Execute a statement with parameters; returns the rows processed.  The
 * caller's memory context stays current (SPI would leave its procedure
 * context current, and what a batch allocates after a statement would
 * outlive the batch).
 */
uint64
ct_store_exec(CtStmt stmt, Datum *values, const char *nulls, bool read_only)
{
	return ct_store_run(stmt, values, nulls, read_only, InvalidSnapshot);
}

/*
 * ct_store_exec with the latest snapshot rather than the transaction's:
 * what has committed by now, even under REPEATABLE READ.  Read-only.
 */
uint64
ct_store_exec_latest(CtStmt stmt, Datum *values, const char *nulls)
{
	return ct_store_run(stmt, values, nulls, true, GetLatestSnapshot());
}

/* A column of a row of SPI_tuptable. */
Datum
ct_store_get(int row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, isnull);
}

/* A text column of a row of SPI_tuptable, copied into the caller's context. */
char *
ct_store_get_text(int row, int col)
{
	bool		isnull;
	Datum		d = ct_store_get(row, col, &isnull);

	if (isnull)
		return NULL;
	return TextDatumGetCString(d);
}

/* Look up a project by id. */
bool
ct_store_get_project(const char *project_id, int len, CtProject *out,
					 MemoryContext mcxt)
{
	Datum		values[1];
	bool		isnull;
	MemoryContext old;

	values[0] = PointerGetDatum(cstring_to_text_with_len(project_id, len));
	if (ct_store_exec(CT_Q_PROJECT, values, NULL, true) == 0)
		return false;

	old = MemoryContextSwitchTo(mcxt);
	out->project_id = ct_store_get_text(0, 1);
	out->region = ct_store_get_text(0, 2);
	out->account_token = ct_store_get_text(0, 3);
	out->passcode_hash = ct_store_get_text(0, 4);
	out->passcode_expires_at = DatumGetTimestampTz(ct_store_get(0, 5, &isnull));
	out->has_expiry = !isnull;
	out->default_country = ct_store_get_text(0, 6);
	MemoryContextSwitchTo(old);
	SPI_freetuptable(SPI_tuptable);
	return true;
}

/* Start an array of elemtype with room for cap elements. */
static void
ct_arr_init(CtArr *a, int cap, Oid elemtype)
{
	a->values = palloc(sizeof(Datum) * Max(cap, 1));
	a->nulls = palloc(sizeof(bool) * Max(cap, 1));
	a->n = 0;
	a->cap = Max(cap, 1);
	a->elemtype = elemtype;
	get_typlenbyvalalign(elemtype, &a->typlen, &a->typbyval, &a->typalign);
}

/* The element type of an array parameter type code (InvalidOid: not an array). */
static Oid
ct_arg_elem_oid(CtArgType t)
{
	switch (t)
	{
		case A_TEXT_ARR:
			return TEXTOID;
		case A_INT4_ARR:
			return INT4OID;
		case A_INT8_ARR:
			return INT8OID;
		case A_BOOL_ARR:
			return BOOLOID;
		case A_JSONB_ARR:
			return JSONBOID;
		case A_TSTZ_ARR:
			return TIMESTAMPTZOID;
		case A_DATE_ARR:
			return DATEOID;
		case A_TID_ARR:
			return TIDOID;
		case A_EMAIL_ARR:
			return ct_email_oid;
		case A_PHONE_ARR:
			return ct_phone_oid;
		default:
			return InvalidOid;
	}
}

/* See store.h. */
void
ct_arr_for(CtArr *a, CtStmt stmt, int param, int cap)
{
	Oid			elem = InvalidOid;

	if (param >= 1 && param <= ct_stmt_def(stmt)->nargs)
		elem = ct_arg_elem_oid(ct_stmt_def(stmt)->args[param - 1]);
	if (!OidIsValid(elem))
		elog(ERROR, "ctaudience statement %d has no array parameter $%d", (int) stmt, param);
	ct_arr_init(a, cap, elem);
}

/* See store.h. */
void
ct_batch_init(CtBatch *b, CtStmt stmt, int cap)
{
	const CtStmtDef *def = ct_stmt_def(stmt);

	b->stmt = stmt;
	for (int k = 1; k <= def->nargs; k++)
	{
		b->values[k - 1] = (Datum) 0;
		b->nulls[k - 1] = ' ';
		if (OidIsValid(ct_arg_elem_oid(def->args[k - 1])))
			ct_arr_for(&b->col[k - 1], stmt, k, cap);
	}
}

/* See store.h. */
uint64
ct_batch_exec(CtBatch *b, bool read_only)
{
	const CtStmtDef *def = ct_stmt_def(b->stmt);

	for (int k = 1; k <= def->nargs; k++)
	{
		if (OidIsValid(ct_arg_elem_oid(def->args[k - 1])))
			b->values[k - 1] = ct_arr_datum(&b->col[k - 1]);
	}
	return ct_store_exec(b->stmt, b->values, b->nulls, read_only);
}

/* See store.h. */
uint64
ct_batch_exec_as(CtBatch *b, CtStmt stmt, bool read_only)
{
	const CtStmtDef *to = ct_stmt_def(stmt);
	const CtStmtDef *from = ct_stmt_def(b->stmt);

	if (to->nargs != from->nargs ||
		memcmp(to->args, from->args, sizeof(CtArgType) * to->nargs) != 0)
		elog(ERROR, "ctaudience statements %d and %d take different parameters", (int) b->stmt, (int) stmt);
	b->stmt = stmt;
	return ct_batch_exec(b, read_only);
}

/* The one-dimensional array datum of what was added. */
Datum
ct_arr_datum(CtArr *a)
{
	int			dims[1];
	int			lbs[1];

	dims[0] = a->n;
	lbs[0] = 1;
	return PointerGetDatum(construct_md_array(a->values, a->nulls, 1, dims, lbs,
											  a->elemtype, a->typlen, a->typbyval,
											  a->typalign));
}
