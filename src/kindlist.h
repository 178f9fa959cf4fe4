/*
 * kindlist.h
 *	  The kinds of Firehose message ctaudience answers, one row each.
 *
 * CT_KIND(id, type, response, name, flags, handler)
 *	  id		its CtKindId
 *	  type		the "type" of its requests
 *	  response	the "type" of its responses
 *	  name		what the documentation calls it ("the <name> response")
 *	  flags		CT_DATED, CT_OF_PROJECT, CT_QUEUED_AT_ONCE, CT_HAS_PROFILES
 *				and CT_SUSPENDABLE (kind.h): what the rules, ct_enqueue()
 *				and ct_firehose_enqueue() do with it
 *	  handler	the CtHandler (message.h) that answers it, in a file of its own
 *
 * Adding a kind is adding its handler file and its row; hints list the
 * kinds in the order of the rows.  Included with CT_KIND defined by kind.h
 * and kind.c (all but the handlers) and dispatch.c (the handlers), so it
 * has no include guard.
 */

/* what this integration needs, and its settings (registration.c) */
CT_KIND(CT_KIND_REGISTRATION, "module_registration_request", "module_registration_response",
		"registration", 0,
		ct_registration_handle)

/* an audience connected, changed or disconnected (subscription.c) */
CT_KIND(CT_KIND_SUBSCRIPTION, "audience_subscription_request", "audience_subscription_response",
		"subscription", CT_DATED | CT_OF_PROJECT,
		ct_subscription_handle)

/* users added to and removed from audiences (import.c) */
CT_KIND(CT_KIND_MEMBERSHIP, "audience_membership_change_request", "audience_membership_change_response",
		"membership change", CT_DATED | CT_OF_PROJECT | CT_QUEUED_AT_ONCE | CT_HAS_PROFILES | CT_SUSPENDABLE,
		ct_import_membership)

/* a data subject's erasure (dsr.c) */
CT_KIND(CT_KIND_ERASURE, "dsr_processing_request", "dsr_processing_response",
		"erasure", CT_OF_PROJECT | CT_QUEUED_AT_ONCE,
		ct_dsr_handle)
