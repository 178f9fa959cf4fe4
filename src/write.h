/*
 * write.h
 *	  The import steps that write profiles.
 */
#ifndef CT_WRITE_H
#define CT_WRITE_H

#include "importstate.h"

/*
 * Create the new profiles, in Identity order; the slots whose insert lost
 * a race with a concurrent import go to lost[], and their number is
 * returned (ct_resolve_lost_inserts, then again).
 */
extern int	ct_insert_new_profiles(CtImport *im, int *lost);

/* Lock every existing profile the message touches, in CleverTap ID order. */
extern void ct_lock_existing(CtImport *im);

/* Update the existing profiles the message changes. */
extern void ct_update_profiles(CtImport *im);

/* Count and sample the stale attribute operations of the profiles updated. */
extern void ct_count_stale_attributes(CtImport *im);

#endif							/* CT_WRITE_H */
