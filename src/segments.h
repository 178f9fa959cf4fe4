/*
 * segments.h
 *	  The import step that finds the segments of a message's audiences.
 */
#ifndef CT_SEGMENTS_H
#define CT_SEGMENTS_H

#include "importstate.h"

/* Look up, create (unless a dry run) and rename the message's segments. */
extern void ct_sync_segments(CtImport *im);

#endif							/* CT_SEGMENTS_H */
