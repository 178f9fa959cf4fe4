/*
 * registration.h
 *	  module_registration_request: what this integration needs.
 */
#ifndef CT_REGISTRATION_H
#define CT_REGISTRATION_H

#include "message.h"

/* Answer a module_registration_request (kindlist.h). */
extern CtHandler ct_registration_handle;

#endif							/* CT_REGISTRATION_H */
