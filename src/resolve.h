/*
 * resolve.h
 *	  The import step that applies the identity rules to every user.
 */
#ifndef CT_RESOLVE_H
#define CT_RESOLVE_H

#include "importstate.h"

/*
 * Resolve every user under each userIdField its entries use; count and
 * sample anonymous users and identity problems.
 */
extern void ct_resolve_all(CtImport *im);

#endif							/* CT_RESOLVE_H */
