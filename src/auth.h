/*
 * auth.h
 *	  Authentication of Firehose messages against ct_project.
 */
#ifndef CT_AUTH_H
#define CT_AUTH_H

#include "model.h"
#include "store.h"

/*
 * Check a message's account settings against its project: known project
 * and right passcode (one answer for both: an unknown project cannot be
 * told from a wrong passcode), passcode not expired, right account token,
 * right region.  Raises a class 28 error (never echoing a secret); fills
 * *proj on success.  Needs SPI connected.  queued: the project a queued
 * message was queued for (ct_enqueue checked its passcode), whose passcode
 * and expiry are not checked again; NULL otherwise.
 */
/* Raise the one answer for an unknown project and a wrong passcode (28000). */
pg_noreturn extern void ct_refuse_credentials(CtStr project_id);

extern void ct_authenticate(const CtCredentials *cred, CtProject *proj,
							MemoryContext mcxt, const char *queued);

/*
 * Check a project's passcode (unless verified: checked when queued) and
 * its expiry; fills *proj.  An unknown project, a missing passcode and a
 * wrong one get one answer (28000), after the same time.
 */
extern void ct_authenticate_passcode(CtStr project_id, CtStr passcode, bool verified,
									 CtProject *proj, MemoryContext mcxt);

#endif							/* CT_AUTH_H */
