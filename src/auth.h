/*
 * auth.h
 *	  Authentication of Firehose messages against ct_project.
 */
#ifndef CT_AUTH_H
#define CT_AUTH_H

#include "firehose.h"
#include "store.h"

/*
 * Check a message's account settings against its project: known project
 * and right passcode (one answer for both: an unknown project cannot be
 * told from a wrong passcode), passcode not expired, right account token,
 * right region.  Raises a class 28 error (never echoing a secret); fills
 * *proj on success.  Needs SPI connected.
 */
extern void ct_authenticate(const CtCredentials *cred, CtProject *proj,
							MemoryContext mcxt);

/*
 * Check a project's passcode (unless verified: checked when queued) and
 * its expiry; fills *proj.  An unknown project, a missing passcode and a
 * wrong one get one answer (28000), after the same time.
 */
extern void ct_authenticate_passcode(CtStr project_id, CtStr passcode, bool verified,
									 CtProject *proj, MemoryContext mcxt);

/*
 * The error of a project id that names no project (28000), in the
 * functions a project's administrator calls (the import's callers get the
 * answer of wrong credentials instead).
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
