/*
 * citus.c
 *	  Where a project's rows are, on a single node or a Citus cluster (see
 *	  citus.h).
 *
 * Citus keeps which shard holds a value in its catalogs; asking costs an
 * SPI query, so the answer for one project is kept until the transaction
 * ends (a shard that moves takes a lock this transaction then waits for).
 */
#include "postgres.h"

#include "common/jsonapi.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "storage/proc.h"
#include "lib/stringinfo.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "citus.h"
#include "compat.h"
#include "jsonwalk.h"

#define CT_MAX_DISTRIBUTED 32

typedef struct CtShard
{
	char		table[NAMEDATALEN];
	int64		shardid;
	bool		local;			/* Citus places the shard on this node */
} CtShard;

static LocalTransactionId ct_checked_lxid = InvalidLocalTransactionId;
static bool ct_distributed = false;

/* The shards of one project, for the transaction ct_shards_lxid. */
static LocalTransactionId ct_shards_lxid = InvalidLocalTransactionId;
static char *ct_shards_project = NULL;	/* in TopMemoryContext */
static int	ct_nshards = 0;
static CtShard ct_shards[CT_MAX_DISTRIBUTED];

/* The shard group of the project a message of this transaction is for. */
static LocalTransactionId ct_group_lxid = InvalidLocalTransactionId;
static int64 ct_group = 0;

/*
 * Run a read-only query with SPI, connected or not.  Without JIT: Citus's
 * catalogs have no statistics, so the planner guesses a thousand rows of
 * each and a cost over jit_above_cost, and compiling took half a second a
 * message.
 */
static void
ct_citus_query(const char *sql, int nargs, Oid *types, Datum *values)
{
	int			rc;
	int			nestlevel;

	SPI_connect();
	nestlevel = NewGUCNestLevel();
	(void) set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	rc = SPI_execute_with_args(sql, nargs, types, values, NULL, true, 0);
	AtEOXact_GUC(true, nestlevel);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "ctaudience: Citus catalog query failed: %s", SPI_result_code_string(rc));
}

/* See citus.h. */
bool
ct_citus_distributed(void)
{
	if (ct_checked_lxid == ct_my_lxid() && ct_checked_lxid != InvalidLocalTransactionId)
		return ct_distributed;
	ct_distributed = false;
	if (OidIsValid(get_extension_oid("citus", true)) &&
		OidIsValid(get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE)))
	{
		ct_citus_query("SELECT 1 FROM pg_catalog.pg_dist_partition"
					   " WHERE logicalrelid = 'ctaudience.ct_profile'::pg_catalog.regclass",
					   0, NULL, NULL);
		ct_distributed = SPI_processed > 0;
		SPI_finish();
	}
	ct_checked_lxid = ct_my_lxid();
	return ct_distributed;
}

/* Fill ct_shards with the shard ids of project's rows, table by table. */
static void
ct_load_shards(const char *project)
{
	Oid			type = TEXTOID;
	Datum		value = CStringGetTextDatum(project);

	Oid			ns = get_namespace_oid("ctaudience", false);

	/*
	 * No pg_class in the query: for a session whose application_name Citus
	 * does not take for its own (a receiver's, say), Citus hides the shards
	 * by filtering every pg_class scan through relation_is_a_known_shard(),
	 * which took milliseconds a message.  The names come from the syscache.
	 */
	ct_citus_query("SELECT p.logicalrelid::pg_catalog.oid,"
				   "       t.shardid,"
				   "       EXISTS (SELECT 1 FROM pg_catalog.pg_dist_placement pl"
				   "                WHERE pl.shardid = t.shardid"
				   "                  AND pl.groupid = (SELECT groupid FROM pg_catalog.pg_dist_local_group))"
				   "  FROM pg_catalog.pg_dist_partition p,"
				   "       LATERAL (SELECT CASE p.partmethod WHEN 'h'"
				   "               THEN pg_catalog.get_shard_id_for_distribution_column(p.logicalrelid, $1)"
				   "               ELSE (SELECT min(s.shardid) FROM pg_catalog.pg_dist_shard s"
				   "                      WHERE s.logicalrelid = p.logicalrelid) END AS shardid) t",
				   1, &type, &value);
	ct_nshards = 0;
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Oid			relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		Datum		shardid = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull);
		bool		local_isnull;
		Datum		local = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 3, &local_isnull);
		char	   *name;

		if (get_rel_namespace(relid) != ns || (name = get_rel_name(relid)) == NULL)
			continue;
		if (ct_nshards == CT_MAX_DISTRIBUTED)
			elog(ERROR, "ctaudience: more distributed tables than expected");
		strlcpy(ct_shards[ct_nshards].table, name, NAMEDATALEN);
		ct_shards[ct_nshards].shardid = isnull ? 0 : DatumGetInt64(shardid);
		ct_shards[ct_nshards].local = !local_isnull && DatumGetBool(local);
		ct_nshards++;
	}
	SPI_finish();
	if (ct_shards_project != NULL)
		pfree(ct_shards_project);
	ct_shards_project = MemoryContextStrdup(TopMemoryContext, project);
	ct_shards_lxid = ct_my_lxid();
}

/*
 * The shard holding project's rows of table, or 0 (not distributed);
 * *local (when not NULL): whether Citus places it on this node.
 */
static int64
ct_shard_of(const char *table, const char *project, bool *local)
{
	if (ct_shards_lxid != ct_my_lxid() || strcmp(ct_shards_project, project) != 0)
		ct_load_shards(project);
	for (int i = 0; i < ct_nshards; i++)
	{
		if (strcmp(ct_shards[i].table, table) == 0)
		{
			if (local != NULL)
				*local = ct_shards[i].local;
			return ct_shards[i].shardid;
		}
	}
	if (local != NULL)
		*local = false;
	return 0;
}

static void
ct_not_local(const char *project)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("project %s is kept on another node of this Citus cluster", project),
			 errhint("ct_distribute() makes Citus run ct_import_audience(project_id, request), "
					 "ct_firehose(project_id, request) and ct_record_event(project_id, ...) on the node that holds "
					 "the project when the project id is a constant; run ct_preview_import on that worker.")));
}

/*
 * Project's shard of the extension's table name on this node: its OID, or
 * InvalidOid when it is on another node.  *shardid 0 (and InvalidOid) when
 * name is not distributed.  A shard that moved away may still be here for a
 * while (Citus drops the old copy later): what counts is Citus's placement.
 */
static Oid
ct_local_shard(const char *name, const char *project, int64 *shardid)
{
	char		shard[NAMEDATALEN];
	bool		local;

	*shardid = ct_shard_of(name, project, &local);
	if (*shardid == 0 || !local)
		return InvalidOid;
	snprintf(shard, sizeof(shard), "%s_" INT64_FORMAT, name, *shardid);
	return get_relname_relid(shard, get_namespace_oid("ctaudience", false));
}

/* See citus.h. */
Oid
ct_citus_relid(const char *name, Datum project)
{
	Oid			relid;

	if (ct_citus_distributed())
	{
		char	   *p = TextDatumGetCString(project);
		int64		shardid;

		relid = ct_local_shard(name, p, &shardid);
		if (shardid != 0)
		{
			if (!OidIsValid(relid))
				ct_not_local(p);
			pfree(p);
			return relid;
		}
		pfree(p);
	}
	relid = get_relname_relid(name, get_namespace_oid("ctaudience", false));
	if (!OidIsValid(relid))
		elog(ERROR, "table ctaudience.%s does not exist", name);
	return relid;
}

/* See citus.h. */
void
ct_citus_enter(const char *project)
{
	if (!ct_citus_distributed())
		return;
	(void) ct_citus_relid("ct_profile", CStringGetTextDatum(project));
	ct_group = ct_shard_of("ct_profile", project, NULL);
	ct_group_lxid = ct_my_lxid();
	/* a session of the user's own (not Citus's) may write shards then */
	(void) set_config_option("citus.enable_manual_changes_to_shards", "on",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0, false);
}

/* See citus.h. */
int64
ct_citus_group(void)
{
	return ct_group_lxid == ct_my_lxid() && ct_group_lxid != InvalidLocalTransactionId ? ct_group : 0;
}

/* See citus.h. */
char *
ct_citus_rewrite(const char *sql)
{
	StringInfoData out;
	const char *p = sql;
	static const char prefix[] = "ctaudience.";

	initStringInfo(&out);
	while (*p)
	{
		const char *hit = strstr(p, prefix);
		const char *name;
		size_t		len;
		int			i;

		if (hit == NULL)
		{
			appendStringInfoString(&out, p);
			break;
		}
		name = hit + sizeof(prefix) - 1;
		len = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_");
		appendBinaryStringInfo(&out, p, name - p);
		for (i = 0; i < ct_nshards; i++)
		{
			if (strlen(ct_shards[i].table) == len && strncmp(ct_shards[i].table, name, len) == 0)
				break;
		}
		appendBinaryStringInfo(&out, name, len);
		if (i < ct_nshards && ct_shards[i].shardid != 0)
			appendStringInfo(&out, "_" INT64_FORMAT, ct_shards[i].shardid);
		p = name + len;
	}
	return out.data;
}

/* See citus.h. */
const char *
ct_citus_index_name(Relation heap, const char *index)
{
	const char *name = RelationGetRelationName(heap);
	const char *suffix = strrchr(name, '_');

	if (suffix != NULL && suffix[1] != '\0' && strspn(suffix + 1, "0123456789") == strlen(suffix + 1) &&
		ct_citus_distributed())
		return psprintf("%s%s", index, suffix);
	return index;
}

/* See citus.h. */
Oid
ct_citus_local_table(const char *name)
{
	Oid			ns = get_namespace_oid("ctaudience", false);
	Oid			relid = get_relname_relid(name, ns);
	Oid			type = REGCLASSOID;
	Datum		value = ObjectIdGetDatum(relid);
	bool		isnull = true;
	int64		shardid = 0;
	char		shard[NAMEDATALEN];

	if (!OidIsValid(relid))
		elog(ERROR, "table ctaudience.%s does not exist", name);
	if (!ct_citus_distributed())
		return relid;
	ct_citus_query("SELECT min(shardid) FROM pg_catalog.pg_dist_shard WHERE logicalrelid = $1",
				   1, &type, &value);
	if (SPI_processed == 1)
	{
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			shardid = DatumGetInt64(d);
	}
	SPI_finish();
	if (isnull)
		return relid;
	snprintf(shard, sizeof(shard), "%s_" INT64_FORMAT, name, shardid);
	relid = get_relname_relid(shard, ns);
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("this node keeps no copy of ctaudience.%s", name),
				 errhint("Citus keeps a reference table on every node of its metadata: on the coordinator, "
						 "SELECT citus_set_coordinator_host(host, port) adds the coordinator.")));
	return relid;
}

/* See citus.h. */
bool
ct_citus_is_local(const char *project)
{
	int64		shardid;

	return !ct_citus_distributed() ||
		OidIsValid(ct_local_shard("ct_profile", project, &shardid)) || shardid == 0;
}

/* ---------------------------------------------------------------------
 * The project of a message, read from its text without building it
 * ---------------------------------------------------------------------
 */

typedef struct CtAccountScan
{
	int			depth;			/* of objects and arrays, the top object 1 */
	const char *field[4];		/* the member being read at depths 1..3 */
	char	   *account;		/* the last account.account_settings.accountId */
} CtAccountScan;

static CtJsonAction
ct_scan_open(void *arg)
{
	CtAccountScan *sc = arg;

	sc->depth++;
	if (sc->depth < 4)
		sc->field[sc->depth] = NULL;
	return CT_JSON_ACTION_OK;
}

static CtJsonAction
ct_scan_close(void *arg)
{
	((CtAccountScan *) arg)->depth--;
	return CT_JSON_ACTION_OK;
}

static CtJsonAction
ct_scan_field(void *arg, char *fname, bool isnull)
{
	CtAccountScan *sc = arg;

	if (sc->depth < 4)
		sc->field[sc->depth] = fname;
	return CT_JSON_ACTION_OK;
}

static CtJsonAction
ct_scan_scalar(void *arg, char *token, JsonTokenType type)
{
	CtAccountScan *sc = arg;

	if (sc->depth == 3 && type == JSON_TOKEN_STRING &&
		sc->field[1] != NULL && strcmp(sc->field[1], "account") == 0 &&
		sc->field[2] != NULL && strcmp(sc->field[2], "account_settings") == 0 &&
		sc->field[3] != NULL && strcmp(sc->field[3], "accountId") == 0)
		sc->account = token;
	return CT_JSON_ACTION_OK;
}

/* See citus.h. */
char *
ct_request_project(const char *json, int len)
{
	CtAccountScan sc = {0};
	JsonSemAction sem = {0};

	sem.semstate = &sc;
	sem.object_start = ct_scan_open;
	sem.array_start = ct_scan_open;
	sem.object_end = ct_scan_close;
	sem.array_end = ct_scan_close;
	sem.object_field_start = ct_scan_field;
	sem.scalar = ct_scan_scalar;
	if (ct_json_walk(json, len, GetDatabaseEncoding(), &sem) != CT_WALK_OK)
	{
		memset(&sc, 0, sizeof(sc));
		if (pg_parse_json(ct_json_lexer((char *) json, len, GetDatabaseEncoding()), &sem) != JSON_SUCCESS)
			return NULL;
	}
	return sc.account;
}

PG_FUNCTION_INFO_V1(ct_message_project);
PG_FUNCTION_INFO_V1(ct_is_distributed);
PG_FUNCTION_INFO_V1(ct_project_sql);

/* SQL: ct_is_distributed() returns boolean. */
Datum
ct_is_distributed(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(ct_citus_distributed());
}

/*
 * SQL: ct_project_sql(project text, sql text) returns text: sql to run on
 * project's rows, for a function that Citus delegates to the node holding
 * the project (ct_advance_project_journeys): on a Citus worker each table
 * of the extension named by the project's shard there, as the import's
 * statements (ct_citus_enter; an error, 0A000, when the project is on
 * another node); on a single node sql itself.
 */
Datum
ct_project_sql(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("ct_project_sql: project and sql must not be null")));
	if (!ct_citus_distributed())
		PG_RETURN_TEXT_P(PG_GETARG_TEXT_PP(1));
	ct_citus_enter(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	PG_RETURN_TEXT_P(cstring_to_text(ct_citus_rewrite(text_to_cstring(PG_GETARG_TEXT_PP(1)))));
}

/*
 * SQL: ct_message_project(request text) returns text: the project a
 * Firehose message names (account.account_settings.accountId), NULL when
 * none or not JSON.  A receiver on a Citus coordinator passes it to
 * ct_firehose(project_id, request), which Citus routes by it.
 */
Datum
ct_message_project(PG_FUNCTION_ARGS)
{
	text	   *body = PG_GETARG_TEXT_PP(0);
	char	   *project = ct_request_project(VARDATA_ANY(body), VARSIZE_ANY_EXHDR(body));

	if (project == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(project));
}

/* ---------------------------------------------------------------------
 * Calls answered on the node that holds the project
 * ---------------------------------------------------------------------
 */

static bool ct_forwarding = false;

/* See citus.h. */
Datum
ct_citus_forward(const char *function, const char *project, Datum request, Oid request_type)
{
	Oid			types[2] = {TEXTOID, request_type};
	Datum		values[2] = {CStringGetTextDatum(project), request};
	char	   *sql;
	Datum		response;
	bool		isnull;
	volatile bool failed = false;

	/* Citus would run the call here again were it not to delegate it */
	if (ct_forwarding)
		ct_not_local(project);
	sql = psprintf("SELECT r FROM ctaudience.%s($1, $2) AS r", function);
	SPI_connect();
	ct_forwarding = true;
	PG_TRY();
	{
		/* in FROM: Citus delegates no call that is a simple expression */
		if (SPI_execute_with_args(sql, 2, types, values, NULL, false, 1) != SPI_OK_SELECT ||
			SPI_processed != 1)
			failed = true;
	}
	PG_FINALLY();
	{
		ct_forwarding = false;
	}
	PG_END_TRY();
	if (failed)
		elog(ERROR, "ctaudience: %s returned no answer", function);
	response = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		elog(ERROR, "ctaudience: %s returned no answer", function);
	response = SPI_datumTransfer(response, false, -1);
	SPI_finish();
	return response;
}
