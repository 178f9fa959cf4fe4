/*
 * lookup.h
 *	  The import step that finds the stored profiles a message names.
 */
#ifndef CT_LOOKUP_H
#define CT_LOOKUP_H

#include "importstate.h"

/* Look up every profile the resolutions name, by CleverTap ID and by Identity. */
extern void ct_lookup_all(CtImport *im);

#endif							/* CT_LOOKUP_H */
