/*
 * merge.h
 *	  The import step that maps users to profile slots and merges them.
 */
#ifndef CT_MERGE_H
#define CT_MERGE_H

#include "importstate.h"

/* Map every resolution to a slot, creating slots for new profiles. */
extern void ct_assign_slots(CtImport *im);

/* Merge everything the users bring into their slots, in message order. */
extern void ct_merge_all(CtImport *im);

/*
 * Re-resolve the slots lost[0..nlost-1], whose inserts lost a race with a
 * concurrent import: each becomes the profile that won, or gives up a
 * claimed Identity that was taken.
 */
extern void ct_resolve_lost_inserts(CtImport *im, int *lost, int nlost);

#endif							/* CT_MERGE_H */
