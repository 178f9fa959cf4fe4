/*
 * auth.h
 *	  Authentication of Firehose messages against ct_project.
 */
#ifndef CT_AUTH_H
#define CT_AUTH_H

#include "firehose.h"
#include "store.h"

/*
 * Check a message's account settings against its project: known project,
 * right passcode (constant time), passcode not expired, right account
 * token, right region.  Raises a class 28 error naming the failed check
 * (never echoing a secret); fills *proj on success.  Needs SPI connected.
 */
extern void ct_authenticate(const CtCredentials *cred, CtProject *proj,
							MemoryContext mcxt);

/*
 * The error of a project id that names no project (28000), the same in
 * every function of the extension.
 */
extern void ct_error_unknown_project(CtStr project_id) pg_attribute_noreturn();

/*
 * Set by ct_process_inbox() (and only there, never from SQL) while it
 * answers a queued message whose passcode ct_enqueue() already checked:
 * ct_authenticate() then skips the passcode and its expiry for this
 * project, and checks the rest.  NULL otherwise.
 */
extern const char *ct_auth_verified_project;

#endif							/* CT_AUTH_H */
