/*
 * absorb.h
 *	  The import step that hands claimed Identities over (rule 1).
 */
#ifndef CT_ABSORB_H
#define CT_ABSORB_H

#include "importstate.h"

/*
 * Release the Identities that newer claims took, merge the generated
 * profiles whose Identity a Partner ID claimed into its profile, and write
 * the Identities claimed.
 */
extern void ct_absorb_profiles(CtImport *im);

#endif							/* CT_ABSORB_H */
