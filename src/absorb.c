/*
 * absorb.c
 *	  The import step that gives Identities claimed by Partner IDs (rule 1)
 *	  to the profiles that claimed them, once their holders gave them up: a
 *	  Partner ID's profile whose claim is older loses it, and a profile
 *	  whose CleverTap ID was generated here is merged into the claiming
 *	  profile -- its memberships (the newest statement of each segment
 *	  wins), events, campaign rows, deliveries, what waits for an export,
 *	  email, phone and attributes (the newest of each) -- and its CleverTap
 *	  ID stays as an alias of the survivor.
 *
 * It runs after the profiles are written and locked (write.c), so the
 * profiles it changes were locked in the one order every import locks in.
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "absorb.h"
#include "exportguard.h"
#include "importstate.h"
#include "triggers.h"
#include "write.h"

/* Run one of the statements over (merged, survivor) pairs of CleverTap IDs. */
static void
ct_absorb_exec(CtImport *im, CtStmt stmt, CtArr *merged, CtArr *survivors)
{
	Datum		args[4];

	args[0] = CStringGetTextDatum(im->project.project_id);
	args[1] = ct_arr_datum(merged);
	args[2] = ct_arr_datum(survivors);
	args[3] = TimestampTzGetDatum(im->msg.ts);	/* CT_Q_ABSORB_ROWS only */
	ct_store_exec(stmt, args, NULL, false);
}

/* The claims to write (for ct_subxact_unless_unique). */
typedef struct CtClaims
{
	CtImport   *im;
	CtArr	   *claimers;
	CtArr	   *claims;
} CtClaims;

static bool
ct_write_claims(void *arg)
{
	CtClaims   *c = arg;
	Datum		args[4];

	args[0] = CStringGetTextDatum(c->im->project.project_id);
	args[1] = ct_arr_datum(c->claimers);
	args[2] = ct_arr_datum(c->claims);
	args[3] = TimestampTzGetDatum(c->im->msg.ts);
	ct_store_exec(CT_Q_SET_CLAIMS, args, NULL, false);
	return true;
}

/* See absorb.h. */
void
ct_absorb_profiles(CtImport *im)
{
	CtArr		losers,
				merged,
				survivors,
				claimers,
				claims;
	Datum		args[2];
	int			cap = 0;

	/* most imports have nothing to give or merge: count before allocating */
	for (int i = 0; i < im->nslots; i++)
	{
		CtSlot	   *s = &im->slots[i];

		if (s->release_identity || s->absorb_into >= 0 || s->identity_deferred)
			cap++;
	}
	if (cap == 0)
		return;
	ct_arr_for(&losers, CT_Q_RELEASE_IDENTITIES, 2, cap);
	ct_arr_for(&merged, CT_Q_ABSORB_PROFILES, 2, cap);
	ct_arr_for(&survivors, CT_Q_ABSORB_PROFILES, 3, cap);
	ct_arr_for(&claimers, CT_Q_SET_CLAIMS, 2, cap);
	ct_arr_for(&claims, CT_Q_SET_CLAIMS, 3, cap);
	for (int i = 0; i < im->nslots; i++)
	{
		CtSlot	   *s = &im->slots[i];

		if (s->exists && s->release_identity)
			ct_arr_add(&losers, CStringGetTextDatum(s->ct_id), false);
		if (s->exists && !s->created && s->absorb_into >= 0 && s->forward < 0)
		{
			ct_arr_add(&merged, CStringGetTextDatum(s->ct_id), false);
			ct_arr_add(&survivors, CStringGetTextDatum(im->slots[ct_slot_final(im, i)].ct_id), false);
		}
		if (s->identity_deferred && s->identity != NULL && s->forward < 0 && s->absorb_into < 0)
		{
			ct_arr_add(&claimers, CStringGetTextDatum(s->ct_id), false);
			ct_arr_add(&claims, CStringGetTextDatum(s->identity), false);
		}
	}
	args[0] = CStringGetTextDatum(im->project.project_id);
	if (losers.n > 0)
	{
		args[1] = ct_arr_datum(&losers);
		ct_store_exec(CT_Q_RELEASE_IDENTITIES, args, NULL, false);
	}
	if (merged.n > 0)
	{
		/*
		 * the memberships move; the merged profile's own events move with the
		 * rest
		 */
		ct_sync_raise = false;
		PG_TRY();
		{
			ct_absorb_exec(im, CT_Q_ABSORB_MEMBERS, &merged, &survivors);
		}
		PG_FINALLY();
		{
			ct_sync_raise = true;
		}
		PG_END_TRY();

		/*
		 * the journey states of both first, in statements of their own: the
		 * journeys' clock moving them is waited for, and what it wrote is
		 * seen by the next statement
		 */
		args[1] = ct_arr_datum(&merged);
		ct_store_exec(CT_Q_LOCK_JOURNEY_STATES, args, NULL, false);
		SPI_freetuptable(SPI_tuptable);
		args[1] = ct_arr_datum(&survivors);
		ct_store_exec(CT_Q_LOCK_JOURNEY_STATES, args, NULL, false);
		SPI_freetuptable(SPI_tuptable);
		/* a claim building a request now: its request then moves too */
		ct_export_serialize(im->project.project_id);
		ct_absorb_exec(im, CT_Q_ABSORB_ROWS, &merged, &survivors);
		ct_absorb_exec(im, CT_Q_ABSORB_PROFILES, &merged, &survivors);
	}
	if (claimers.n > 0)
	{
		/*
		 * A generated profile that a concurrent import created with the
		 * Identity after this one looked it up takes it first: retried, the
		 * message merges that one too.
		 */
		CtClaims	c = {im, &claimers, &claims};

		if (!ct_subxact_unless_unique(ct_write_claims, &c))
			ct_claim_taken();
	}
}
