/*
 * scope.c
 *	  Per-project roles (see scope.h): which projects a role may act on, for
 *	  the tables' row-level security (ct_project_visible) and the checks of
 *	  the extension's SECURITY DEFINER functions.
 *
 * A role's scope is worked out once per statement.  The capabilities it
 * holds for every project come from its roles (PostgreSQL keeps role
 * membership cached); only a role that lacks the one asked for reads
 * ct_project_grant, a small table scanned directly: a policy evaluated on
 * a Citus shard must not run a query through Citus, so on a cluster the
 * scan reads this node's copy of the reference table.
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "citus.h"
#include "compat.h"
#include "scope.h"

PG_FUNCTION_INFO_V1(ct_project_visible);
PG_FUNCTION_INFO_V1(ct_check_project);
PG_FUNCTION_INFO_V1(ct_caller_projects);
PG_FUNCTION_INFO_V1(ct_caller_is_owner);

/* A capability, its name in ct_project_grant and the role that has it everywhere. */
static const struct
{
	int			cap;
	const char *name;
	const char *role;
}			ct_caps[] = {
	{CT_CAP_READ, "read", "ctaudience_reader"},
	{CT_CAP_SEND, "send", "ctaudience_sender"},
	{CT_CAP_OPERATE, "operate", "ctaudience_operator"},
	{CT_CAP_EXPORT, "export", "ctaudience_exporter"},
};

/* The projects a role was granted (itself or through its roles). */
typedef struct CtGrant
{
	char	   *project;
	int			caps;
} CtGrant;

/* One role's scope, for one statement (transaction and command). */
typedef struct CtScope
{
	Oid			role;
	LocalTransactionId lxid;
	CommandId	cid;
	int			every;			/* capabilities on every project */
	bool		scoped;			/* a member of ctaudience_scoped */
	bool		loaded;			/* grants read */
	int			ngrants;
	CtGrant    *grants;			/* sorted by project, in ct_scope_cxt */
} CtScope;

static CtScope ct_scope = {InvalidOid, InvalidLocalTransactionId};
static MemoryContext ct_scope_cxt = NULL;

/* Whether role has the privileges of the role named (false when none is). */
static bool
ct_has_role(Oid role, const char *name)
{
	Oid			other = get_role_oid(name, true);

	return OidIsValid(other) && has_privs_of_role(role, other);
}

/* The owner of schema ctaudience: the extension's owner. */
static Oid
ct_owner(void)
{
	HeapTuple	tup = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(get_namespace_oid("ctaudience", false)));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "ctaudience: schema ctaudience not found");
	owner = ((Form_pg_namespace) GETSTRUCT(tup))->nspowner;
	ReleaseSysCache(tup);
	return owner;
}

/* The capability named, or 0. */
static int
ct_cap_named(const char *name)
{
	for (int i = 0; i < lengthof(ct_caps); i++)
	{
		if (strcmp(ct_caps[i].name, name) == 0)
			return ct_caps[i].cap;
	}
	return 0;
}

/* "read or send": the capabilities of caps, for a message. */
static char *
ct_cap_list(int caps)
{
	StringInfoData s;

	initStringInfo(&s);
	for (int i = 0; i < lengthof(ct_caps); i++)
	{
		if (caps & ct_caps[i].cap)
			appendStringInfo(&s, "%s%s", s.len > 0 ? " or " : "", ct_caps[i].name);
	}
	return s.data;
}

/* The scope of role for the current statement. */
static CtScope *
ct_scope_of(Oid role)
{
	LocalTransactionId lxid = ct_my_lxid();
	CommandId	cid = GetCurrentCommandId(false);
	int			every = 0;
	bool		scoped;

	if (ct_scope.role == role && ct_scope.lxid == lxid && ct_scope.cid == cid &&
		lxid != InvalidLocalTransactionId)
		return &ct_scope;
	if (superuser_arg(role) || has_privs_of_role(role, ct_owner()))
		every = CT_CAP_ALL;
	for (int i = 0; i < lengthof(ct_caps); i++)
	{
		if (!(every & ct_caps[i].cap) && ct_has_role(role, ct_caps[i].role))
			every |= ct_caps[i].cap;
	}
	scoped = ct_has_role(role, "ctaudience_scoped");

	if (ct_scope_cxt == NULL)
		ct_scope_cxt = AllocSetContextCreate(TopMemoryContext, "ctaudience scope", ALLOCSET_SMALL_SIZES);
	MemoryContextReset(ct_scope_cxt);
	ct_scope.role = role;
	ct_scope.lxid = lxid;
	ct_scope.cid = cid;
	ct_scope.every = every;
	ct_scope.scoped = scoped;
	ct_scope.loaded = false;
	ct_scope.ngrants = 0;
	ct_scope.grants = NULL;
	return &ct_scope;
}

static int
ct_grant_cmp(const void *a, const void *b)
{
	return strcmp(((const CtGrant *) a)->project, ((const CtGrant *) b)->project);
}

/*
 * Read the rows of ct_project_grant that apply to sc's role (its own, and
 * those of the roles it has the privileges of) into sc->grants.  A row
 * applies only while its role is a member of ctaudience_scoped, as
 * ct_grant_project made it (directly, or through a team role it belongs
 * to, as pg_has_role's MEMBER there): rows are kept by name, and a role
 * created later under a dropped role's name, never given a project, must
 * inherit none of them.  Membership rather than the privileges of
 * ctaudience_scoped: being given projects is what is asked, and the row's
 * capabilities reach sc's role through has_privs_of_role anyway.
 */
static void
ct_scope_load(CtScope *sc)
{
	Oid			scoped = get_role_oid("ctaudience_scoped", true);
	Relation	rel = table_open(ct_citus_local_table("ct_project_grant"), AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);
	Snapshot	snapshot = ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot();
	TableScanDesc scan = table_beginscan(rel, snapshot, 0, NULL);
	HeapTuple	tup;
	int			size = 0;
	int			n = 0;
	CtGrant    *grants = NULL;

	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		bool		isnull;
		Datum		project = heap_getattr(tup, 1, desc, &isnull);
		Datum		role = heap_getattr(tup, 2, desc, &isnull);
		Datum		cap = heap_getattr(tup, 3, desc, &isnull);
		char	   *name = TextDatumGetCString(role);
		Oid			granted = get_role_oid(name, true);

		if (!OidIsValid(granted) || !has_privs_of_role(sc->role, granted) ||
			!OidIsValid(scoped) || !is_member_of_role(granted, scoped))
			continue;
		if (n == size)
		{
			size = Max(8, size * 2);
			grants = grants == NULL ? MemoryContextAlloc(ct_scope_cxt, size * sizeof(CtGrant)) :
				repalloc(grants, size * sizeof(CtGrant));
		}
		grants[n].project = MemoryContextStrdup(ct_scope_cxt, TextDatumGetCString(project));
		grants[n].caps = ct_cap_named(TextDatumGetCString(cap));
		n++;
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);

	/* one entry per project, its capabilities together */
	if (n > 1)
	{
		int			m = 0;

		qsort(grants, n, sizeof(CtGrant), ct_grant_cmp);
		for (int i = 1; i < n; i++)
		{
			if (strcmp(grants[i].project, grants[m].project) == 0)
				grants[m].caps |= grants[i].caps;
			else
				grants[++m] = grants[i];
		}
		n = m + 1;
	}
	sc->grants = grants;
	sc->ngrants = n;
	sc->loaded = true;
}

/* The capabilities role was granted in the project of len bytes at project. */
static int
ct_scope_granted(CtScope *sc, const char *project, int len)
{
	int			lo = 0;
	int			hi;

	if (!sc->loaded)
		ct_scope_load(sc);
	hi = sc->ngrants - 1;
	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		const char *p = sc->grants[mid].project;
		int			c = strncmp(p, project, len);

		if (c == 0 && p[len] != '\0')
			c = 1;
		if (c == 0)
			return sc->grants[mid].caps;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return 0;
}

/*
 * Whether sc's role acts on every project for one of caps, in function fn.
 * Unless scoped, only if the role itself may execute fn: a SECURITY DEFINER
 * function of a scoped role (or SET ROLE) can make any role the caller, so
 * being outside ctaudience_scoped alone gives nothing.
 */
static bool
ct_scope_every(CtScope *sc, int caps, Oid fn)
{
	if ((sc->every & caps & CT_CAP_ALL) != 0)
		return true;
	return (caps & CT_CAP_UNLESS_SCOPED) && !sc->scoped && OidIsValid(fn) &&
		ct_proc_aclcheck(fn, sc->role, ACL_EXECUTE) == ACLCHECK_OK;
}

/* ct_scope_allows, for a project of len bytes, in function fn. */
static bool
ct_scope_allows_len(Oid role, const char *project, int len, int caps, Oid fn)
{
	CtScope    *sc = ct_scope_of(role);

	return ct_scope_every(sc, caps, fn) || (ct_scope_granted(sc, project, len) & caps & CT_CAP_ALL) != 0;
}

/* See scope.h. */
Oid
ct_scope_caller(void)
{
	/* the role SET ROLE (or the session) made current: no function changes it */
	return GetOuterUserId();
}

/* See scope.h. */
bool
ct_scope_allows(Oid role, const char *project, int caps)
{
	return ct_scope_allows_len(role, project, strlen(project), caps, InvalidOid);
}

/* See scope.h. */
ArrayType *
ct_scope_projects(Oid role, int caps, Oid fn)
{
	CtScope    *sc = ct_scope_of(role);
	Datum	   *projects;
	int			n = 0;

	if (ct_scope_every(sc, caps, fn))
		return NULL;
	if (!sc->loaded)
		ct_scope_load(sc);
	projects = palloc(sizeof(Datum) * Max(1, sc->ngrants));
	for (int i = 0; i < sc->ngrants; i++)
	{
		if (sc->grants[i].caps & caps & CT_CAP_ALL)
			projects[n++] = CStringGetTextDatum(sc->grants[i].project);
	}
	return construct_array(projects, n, TEXTOID, -1, false, TYPALIGN_INT);
}

/* See scope.h. */
void
ct_scope_check(const char *project, int caps, const char *what)
{
	ct_scope_check_fn(project, caps, what, InvalidOid);
}

/* See scope.h. */
void
ct_scope_check_fn(const char *project, int caps, const char *what, Oid fn)
{
	Oid			caller = ct_scope_caller();

	if (ct_scope_allows_len(caller, project, strlen(project), caps, fn))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 what != NULL ? errmsg("permission denied for %s", what) :
			 errmsg("permission denied for CleverTap project \"%s\"", project),
			 errdetail("Role \"%s\" holds no %s grant for %s.", GetUserNameFromId(caller, false),
					   ct_cap_list(caps), what != NULL ? "its project" : "that project"),
			 errhint("The extension's owner gives a role a project with "
					 "ctaudience.ct_grant_project(role, project_id, capability).")));
}

/* The capabilities of a text[] argument of names; an unknown name is 22023. */
static int
ct_caps_of(ArrayType *names)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			caps = 0;

	deconstruct_array(names, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
	{
		char	   *name = nulls[i] ? "" : TextDatumGetCString(elems[i]);
		int			cap = ct_cap_named(name);

		if (cap == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown capability \"%s\"", name),
					 errhint("The capabilities are read, send, operate and export.")));
		caps |= cap;
	}
	return caps;
}

/* Argument n (text[] of capability names), read once per call site. */
static int
ct_caps_arg(FunctionCallInfo fcinfo, int n)
{
	int		   *cached = fcinfo->flinfo->fn_extra;

	if (cached == NULL)
	{
		int			caps = ct_caps_of(PG_GETARG_ARRAYTYPE_P(n));

		cached = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(int));
		*cached = caps;
		fcinfo->flinfo->fn_extra = cached;
	}
	return *cached;
}

/*
 * SQL: ct_project_visible(project_id text, capabilities text[]) returns
 * boolean.  Whether the current user may see the project's rows with one
 * of the capabilities: the tables' row-level security policies.
 */
Datum
ct_project_visible(PG_FUNCTION_ARGS)
{
	text	   *project = PG_GETARG_TEXT_PP(0);
	int			caps = ct_caps_arg(fcinfo, 1);

	PG_RETURN_BOOL(ct_scope_allows_len(GetUserId(), VARDATA_ANY(project), VARSIZE_ANY_EXHDR(project), caps,
									   InvalidOid));
}

/*
 * SQL: ct_check_project(project_id text, capabilities text[], what text,
 * unless_scoped regprocedure) returns void.  Refuse (42501) unless the role
 * a SECURITY DEFINER function was called by may act on the project with one
 * of the capabilities; what names the object refused.  unless_scoped, the
 * function checking: a role outside ctaudience_scoped that may itself
 * execute it acts on every project.
 */
Datum
ct_check_project(PG_FUNCTION_ARGS)
{
	int			caps;
	Oid			fn = InvalidOid;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", PG_ARGISNULL(0) ? "project_id" : "capabilities")));
	caps = ct_caps_of(PG_GETARG_ARRAYTYPE_P(1));
	if (!PG_ARGISNULL(3))
	{
		caps |= CT_CAP_UNLESS_SCOPED;
		fn = PG_GETARG_OID(3);
	}
	ct_scope_check_fn(text_to_cstring(PG_GETARG_TEXT_PP(0)), caps,
					  PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2)), fn);
	PG_RETURN_VOID();
}

/*
 * SQL: ct_caller_projects(capabilities text[], unless_scoped regprocedure)
 * returns text[].  The projects the caller of a SECURITY DEFINER function
 * may act on with one of the capabilities; NULL for every project.
 * unless_scoped as in ct_check_project.
 */
Datum
ct_caller_projects(PG_FUNCTION_ARGS)
{
	int			caps;
	Oid			fn = InvalidOid;
	ArrayType  *projects;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("capabilities must not be null")));
	caps = ct_caps_of(PG_GETARG_ARRAYTYPE_P(0));
	if (!PG_ARGISNULL(1))
	{
		caps |= CT_CAP_UNLESS_SCOPED;
		fn = PG_GETARG_OID(1);
	}
	projects = ct_scope_projects(ct_scope_caller(), caps, fn);
	if (projects == NULL)
		PG_RETURN_NULL();
	PG_RETURN_ARRAYTYPE_P(projects);
}

/*
 * SQL: ct_caller_is_owner() returns boolean.  Whether the role that called
 * a SECURITY DEFINER function has the privileges of the extension's owner
 * (or is a superuser): what only the owner may do, such as running the
 * journeys' clock at a given time.
 */
Datum
ct_caller_is_owner(PG_FUNCTION_ARGS)
{
	Oid			caller = ct_scope_caller();

	PG_RETURN_BOOL(superuser_arg(caller) || has_privs_of_role(caller, ct_owner()));
}
