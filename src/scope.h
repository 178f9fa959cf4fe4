/*
 * scope.h
 *	  Per-project roles: what a role may do in which CleverTap project.
 *
 *	  Four roles act on every project: ctaudience_reader (read),
 *	  ctaudience_sender (send), ctaudience_operator (operate) and
 *	  ctaudience_exporter (export), as do superusers and the extension's
 *	  owner.  Any other role acts on the projects that rows of
 *	  ct_project_grant give it, or a role it has the privileges of, for that
 *	  capability (ct_grant_project); ctaudience_scoped, which every such role
 *	  joins, carries the SQL privileges and by itself no project.
 */
#ifndef CT_SCOPE_H
#define CT_SCOPE_H

#include "postgres.h"

#include "utils/array.h"

#define CT_CAP_READ		0x01
#define CT_CAP_SEND		0x02
#define CT_CAP_OPERATE	0x04
#define CT_CAP_EXPORT	0x08
#define CT_CAP_ALL		0x0F

/*
 * With a capability, given the function checking (fn): a role that is not
 * a member of ctaudience_scoped and may itself execute fn acts on every
 * project (the owner's functions, granted to no role, that an owner may
 * grant to the roles it trusts; the receiver's ct_inbox_depth).  Without a
 * function it gives no project.
 */
#define CT_CAP_UNLESS_SCOPED 0x100

/* The role a SECURITY DEFINER function of the extension acts for. */
extern Oid	ct_scope_caller(void);

/* Whether role may act on project with one of the capabilities caps. */
extern bool ct_scope_allows(Oid role, const char *project, int caps);

/*
 * The projects role may act on with one of caps, in function fn, as a
 * text[] (in the current memory context), or NULL for every project.
 */
extern ArrayType *ct_scope_projects(Oid role, int caps, Oid fn);

/*
 * Refuse (42501) unless the caller may act on project with one of caps;
 * what names the object refused (NULL: the project itself).
 */
extern void ct_scope_check(const char *project, int caps, const char *what);

/* ct_scope_check in function fn (for CT_CAP_UNLESS_SCOPED). */
extern void ct_scope_check_fn(const char *project, int caps, const char *what, Oid fn);

#endif							/* CT_SCOPE_H */
