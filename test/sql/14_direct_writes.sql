-- New profiles, memberships of new profiles and Partner Sync events are
-- written the way COPY writes them when nothing stands in the way, and by
-- SQL when something does (a user trigger, a disabled extension trigger, a
-- rule, a column someone added).  Both ways must leave the same rows, raise
-- the same usage and let every trigger and default do its part.
SET search_path = ctaudience, t, public;
\set SHOW_CONTEXT never
SELECT ct_register_project('TEST-DW', 'test-passcode-1', 'token-TEST-DW', 'eu1', 'Direct writes', NULL, 'US');

-- one user with email, phone and attributes, in two audiences
CREATE FUNCTION t.dw(n int, who text) RETURNS jsonb LANGUAGE sql AS $$
	SELECT t.imp(t.msg(n, 1715000000000 + n * 1000, jsonb_build_array(
		t.u('9' || n, jsonb_build_array(t.id('customer', who), t.id('email', ' ' || upper(who) || '@Example.COM'),
										t.id('mobile_number', '(201) 555-01' || right(n::text, 2))),
			jsonb_build_array(t.aud(48000, 'DW one'), t.aud(48001, 'DW two'),
				t.aud(48000, 'DW one') || jsonb_build_object('action', 'attribute_update', 'user_attributes',
					jsonb_build_array(jsonb_build_object('key', 'Tier', 'value', who, 'action', 'upsert')))))),
		'TEST-DW'))
$$;
-- what a profile, its memberships and events look like, times relative to its message
CREATE FUNCTION t.dw_row(who text) RETURNS TABLE (identity text, email text, phone text, mpid text, properties jsonb,
		email_ts_ok bool, phone_ts_ok bool, created_ok bool, members bigint, events bigint, event_props jsonb)
LANGUAGE sql AS $$
	SELECT p.identity, p.email::text, p.phone::text, p.mparticle_id, p.properties,
		   p.email_ts = m.ts, p.phone_ts = m.ts, p.created_at = p.updated_at AND p.created_at >= m.logged,
		   (SELECT count(*) FROM ct_segment_member s WHERE s.project_id = p.project_id AND s.ct_id = p.ct_id
				AND s.is_member AND s.stated_at = m.ts),
		   (SELECT count(*) FROM ct_event e WHERE e.project_id = p.project_id AND e.ct_id = p.ct_id
				AND e.event_name = 'Partner Sync' AND e.ts = m.ts),
		   (SELECT jsonb_agg(e.props - 'Partner Segment ID' ORDER BY e.props ->> 'Segment Name')
			  FROM ct_event e WHERE e.project_id = p.project_id AND e.ct_id = p.ct_id)
	  FROM ct_profile p,
		   LATERAL (SELECT to_timestamp((1715000000000 + substr(p.mparticle_id, 2)::int * 1000) / 1000.0) AS ts,
						   now() - interval '1 hour' AS logged) m
	 WHERE p.project_id = 'TEST-DW' AND p.identity = who
$$;
CREATE FUNCTION t.dw_updates() RETURNS bigint LANGUAGE sql AS $$
	SELECT coalesce(sum(profile_updates), 0)::bigint FROM ct_usage WHERE project_id = 'TEST-DW'
$$;

-- Which paths below SQL the import takes: ct_direct_paths() runs the
-- import's own check of each.  On a fresh install every one is taken,
-- each probe and arbiter with the index the extension made.
SELECT path, relation, index, direct, reason FROM ct_direct_paths();
SELECT count(*) FILTER (WHERE direct) AS direct, count(*) AS paths FROM ct_direct_paths('TEST-DW');
-- the paths not taken now, and why
CREATE FUNCTION t.dw_not_direct() RETURNS TABLE (path text, reason text) LANGUAGE sql AS $$
	SELECT path, reason FROM ctaudience.ct_direct_paths() WHERE NOT direct
$$;

-- nothing in the way: the direct path
SELECT t.dw(11, 'dw-direct');
SELECT * FROM t.dw_row('dw-direct');
SELECT t.dw_updates() AS profile_updates;

-- a user's row trigger on ct_profile: the SQL path, the trigger sees the row
CREATE TABLE t.dw_seen (tbl text, ct_id text);
CREATE FUNCTION t.dw_seen_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO t.dw_seen VALUES (TG_TABLE_NAME, NEW.ct_id); RETURN NULL; END $$;
CREATE TRIGGER dw_user AFTER INSERT ON ct_profile FOR EACH ROW EXECUTE FUNCTION t.dw_seen_row();
SELECT * FROM t.dw_not_direct();
SELECT t.dw(12, 'dw-sql');
SELECT count(*) AS user_trigger_rows FROM t.dw_seen s JOIN ct_profile p USING (ct_id) WHERE p.identity = 'dw-sql';
DROP TRIGGER dw_user ON ct_profile;
-- the same row, memberships, events and usage as the direct path
SELECT * FROM t.dw_row('dw-sql');
SELECT t.dw_updates() AS profile_updates;

-- the extension's own insert trigger disabled: it is not raised behind its back
ALTER TABLE ct_profile DISABLE TRIGGER ct_profile_insert;
SELECT * FROM t.dw_not_direct();
SELECT t.dw(13, 'dw-disabled');
SELECT t.dw_updates() AS profile_updates_unchanged;
ALTER TABLE ct_profile ENABLE TRIGGER ct_profile_insert;

-- a column someone added, with a default, on each table: SQL fills it
ALTER TABLE ct_profile ADD COLUMN dw_note text DEFAULT 'profile default';
ALTER TABLE ct_segment_member ADD COLUMN dw_note text DEFAULT 'member default';
ALTER TABLE ct_event ADD COLUMN dw_note text DEFAULT 'event default';
SELECT * FROM t.dw_not_direct();
SELECT t.dw(14, 'dw-column');
SELECT * FROM t.dw_row('dw-column');
SELECT p.dw_note AS profile_note,
	   (SELECT string_agg(DISTINCT s.dw_note, ',') FROM ct_segment_member s WHERE s.project_id = p.project_id AND s.ct_id = p.ct_id) AS member_note,
	   (SELECT string_agg(DISTINCT e.dw_note, ',') FROM ct_event e WHERE e.project_id = p.project_id AND e.ct_id = p.ct_id) AS event_note
  FROM ct_profile p WHERE p.project_id = 'TEST-DW' AND p.identity = 'dw-column';
ALTER TABLE ct_profile DROP COLUMN dw_note;
ALTER TABLE ct_segment_member DROP COLUMN dw_note;
ALTER TABLE ct_event DROP COLUMN dw_note;
-- a dropped column is no obstacle: the direct path again, the same rows
SELECT * FROM t.dw_not_direct();
SELECT t.dw(15, 'dw-dropped');
SELECT * FROM t.dw_row('dw-dropped');
SELECT t.dw_updates() AS profile_updates;

-- row security on ct_profile that holds its owner too (FORCE): lookups
-- and inserts go through SQL; an existing profile is found, a new one made
-- (the per-project policies, which hold no owner, leave the direct path)
ALTER TABLE ct_profile FORCE ROW LEVEL SECURITY;
SELECT * FROM t.dw_not_direct();
SELECT t.dw(16, 'dw-direct');
SELECT t.dw(17, 'dw-rls');
ALTER TABLE ct_profile NO FORCE ROW LEVEL SECURITY;
SELECT * FROM t.dw_row('dw-rls');
SELECT identity, mparticle_id, properties FROM ct_profile WHERE project_id = 'TEST-DW' AND identity = 'dw-direct';
SELECT t.dw_updates() AS profile_updates;
-- and without it, the direct lookup finds the same profile
SELECT t.dw(18, 'dw-rls');
SELECT count(*) AS profiles FROM ct_profile WHERE project_id = 'TEST-DW';

-- new profiles are written in identity order: two imports creating some of
-- the same profiles then wait for each other at the first identity they
-- share, instead of each holding one the other needs (in ct_id order, which
-- is random, they deadlocked).  The order is seen through a user trigger
-- (the SQL path, which takes the rows in the order the direct path does).
CREATE TABLE t.dw_order_seen (n serial, ct_id text);
CREATE FUNCTION t.dw_order_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO t.dw_order_seen (ct_id) VALUES (NEW.ct_id); RETURN NULL; END $$;
CREATE TRIGGER dw_order AFTER INSERT ON ct_profile FOR EACH ROW EXECUTE FUNCTION t.dw_order_row();
SELECT t.imp(t.msg(19, 1715000019000, (SELECT jsonb_agg(
		t.u('919' || i, jsonb_build_array(t.id('customer', 'dw-order-' || chr(ascii('z') - i))),
			jsonb_build_array(t.aud(48000, 'DW one'))) ORDER BY i)
	  FROM generate_series(0, 7) i), 'TEST-DW'));
DROP TRIGGER dw_order ON ct_profile;
SELECT string_agg(p.identity, ' ' ORDER BY o.n) AS inserted_in_order
  FROM t.dw_order_seen o JOIN ct_profile p ON p.project_id = 'TEST-DW' AND p.ct_id = o.ct_id;

-- generated CleverTap IDs: 32 lowercase hex characters laid out like a
-- UUIDv7, the first 12 the creation time in milliseconds, so that later
-- profiles sort later (their index entries go to the right-hand end)
SELECT count(*) AS profiles, bool_and(ct_id ~ '^[0-9a-f]{32}$') AS hex32,
	   bool_and(abs(('x' || lpad(left(ct_id, 12), 16, '0'))::bit(64)::bigint
					- (extract(epoch FROM created_at) * 1000)::bigint) < 60000) AS time_prefix,
	   count(DISTINCT substr(ct_id, 13)) AS distinct_random_parts
  FROM ct_profile WHERE project_id = 'TEST-DW' AND identity LIKE 'dw-order-%';
SELECT (SELECT ct_id FROM ct_profile WHERE project_id = 'TEST-DW' AND identity = 'dw-direct')
	 < (SELECT min(ct_id) FROM ct_profile WHERE project_id = 'TEST-DW' AND identity LIKE 'dw-order-%') AS later_sorts_later;

-- a rule someone added (ON INSERT DO ALSO) on ct_profile and on ct_event:
-- the rows go through SQL, where the rule runs for each of them
CREATE RULE dw_rule AS ON INSERT TO ct_profile DO ALSO INSERT INTO t.dw_seen VALUES ('ct_profile', NEW.ct_id);
CREATE RULE dw_rule AS ON INSERT TO ct_event DO ALSO INSERT INTO t.dw_seen VALUES ('ct_event', NEW.ct_id);
SELECT * FROM t.dw_not_direct();
SELECT t.dw(20, 'dw-rule');
DROP RULE dw_rule ON ct_profile;
DROP RULE dw_rule ON ct_event;
SELECT s.tbl, count(*) AS rule_rows FROM t.dw_seen s JOIN ct_profile p USING (ct_id)
 WHERE p.identity = 'dw-rule' GROUP BY s.tbl ORDER BY s.tbl;
SELECT * FROM t.dw_row('dw-rule');

DROP TABLE t.dw_seen, t.dw_order_seen;
DROP FUNCTION t.dw_seen_row();
DROP FUNCTION t.dw_order_row();

-- A constraint someone adds to a table the import writes below SQL is
-- enforced there with its usual error (not a crash): a CHECK on ct_event
-- that every Partner Sync breaks refuses the import, which writes nothing.
ALTER TABLE ct_event ADD CONSTRAINT dw_no_sync CHECK (event_name <> 'Partner Sync') NOT VALID;
\set VERBOSITY terse
SELECT t.dw(40, 'dw-check');
\set VERBOSITY default
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT count(*) AS written FROM ct_profile WHERE project_id = 'TEST-DW' AND identity = 'dw-check';
ALTER TABLE ct_event DROP CONSTRAINT dw_no_sync;

-- The keys in 0.2.0's column order (project_id first), as a Citus shard
-- made by 0.2.0 has them until ct_distribute() runs after the update: the
-- direct probes take an index's columns in either order.  A probe keyed
-- on the wrong column would find nothing: the second import would then
-- make the profile or its memberships again, and fail on the keys.
ALTER TABLE ct_profile DROP CONSTRAINT ct_profile_pkey, ADD CONSTRAINT ct_profile_pkey PRIMARY KEY (project_id, ct_id),
	DROP CONSTRAINT ct_profile_identity_key, ADD CONSTRAINT ct_profile_identity_key UNIQUE (project_id, identity);
ALTER TABLE ct_segment_member DROP CONSTRAINT ct_segment_member_pkey,
	ADD CONSTRAINT ct_segment_member_pkey PRIMARY KEY (project_id, segment_id, ct_id);
DROP INDEX ct_segment_member_profile_idx;
CREATE INDEX ct_segment_member_profile_idx ON ct_segment_member (project_id, ct_id);
-- every path is still taken, the probes with the indexes in this order
SELECT * FROM t.dw_not_direct();
SELECT path, index, pg_get_indexdef(index) ~ '\(project_id, ' AS project_id_first
  FROM ct_direct_paths() WHERE path IN ('profiles_by_ctid', 'profiles_by_identity', 'members_present', 'profile_memberships');
SELECT t.dw(41, 'dw-old-order');
-- the same profile and memberships, a new phone number (its segments'
-- reachable counts found through the profile index)
SELECT t.dw(42, 'dw-old-order');
SELECT * FROM t.dw_row('dw-old-order');
SELECT count(*) AS profiles, min(phone::text) AS phone FROM ct_profile
 WHERE project_id = 'TEST-DW' AND identity = 'dw-old-order';
-- back to this version's order, the same import once more
ALTER TABLE ct_profile DROP CONSTRAINT ct_profile_pkey, ADD CONSTRAINT ct_profile_pkey PRIMARY KEY (ct_id, project_id),
	DROP CONSTRAINT ct_profile_identity_key, ADD CONSTRAINT ct_profile_identity_key UNIQUE (identity, project_id);
ALTER TABLE ct_segment_member DROP CONSTRAINT ct_segment_member_pkey,
	ADD CONSTRAINT ct_segment_member_pkey PRIMARY KEY (segment_id, ct_id, project_id);
DROP INDEX ct_segment_member_profile_idx;
CREATE INDEX ct_segment_member_profile_idx ON ct_segment_member (ct_id, project_id);
SELECT t.dw(43, 'dw-old-order');
SELECT * FROM t.dw_row('dw-old-order');
SELECT count(*) AS profiles, min(phone::text) AS phone FROM ct_profile
 WHERE project_id = 'TEST-DW' AND identity = 'dw-old-order';
-- and in this order, every path taken again
SELECT * FROM t.dw_not_direct();

-- An index replaced by one the probes cannot use (a predicate, another
-- column) or missing: those paths go through SQL, each saying so in a
-- DEBUG1 message, and the import leaves the same rows as the direct
-- paths leave after the rollback.
BEGIN;
ALTER TABLE ct_profile DROP CONSTRAINT ct_profile_identity_key;
CREATE UNIQUE INDEX ct_profile_identity_key ON ct_profile (identity, project_id) WHERE identity IS NOT NULL;
DROP INDEX ct_segment_member_profile_idx;
CREATE INDEX ct_segment_member_profile_idx ON ct_segment_member (ct_id, project_id, segment_id);
ALTER TABLE ct_segment_member DROP CONSTRAINT ct_segment_member_pkey,
	ADD CONSTRAINT ct_segment_member_pkey PRIMARY KEY (segment_id, ct_id, project_id) INCLUDE (is_member);
SELECT path, index, reason FROM ct_direct_paths() WHERE NOT direct;
SET client_min_messages = debug1;
SELECT t.dw(44, 'dw-fallback');
SELECT t.dw(45, 'dw-fallback');
RESET client_min_messages;
SELECT (SELECT array_agg(r)::text FROM t.dw_row('dw-fallback') r) AS via_sql,
	   (SELECT count(*) FROM ct_profile WHERE project_id = 'TEST-DW') AS via_sql_profiles,
	   t.dw_updates() AS via_sql_updates \gset
SELECT * FROM t.dw_row('dw-fallback');
ROLLBACK;
-- the same imports through the direct paths (no DEBUG1 message), also in
-- one transaction
SELECT * FROM t.dw_not_direct();
BEGIN;
SET LOCAL client_min_messages = debug1;
SELECT t.dw(44, 'dw-fallback');
SELECT t.dw(45, 'dw-fallback');
RESET client_min_messages;
SELECT (SELECT array_agg(r)::text FROM t.dw_row('dw-fallback') r) = :'via_sql' AS same_rows,
	   (SELECT count(*) FROM ct_profile WHERE project_id = 'TEST-DW') = :via_sql_profiles AS same_profiles,
	   t.dw_updates() = :via_sql_updates AS same_usage;
COMMIT;

-- The writers' checks: a trigger someone added on the campaigns' queue, a
-- column on the journeys' steps; arbiters not as the extension made them
BEGIN;
CREATE FUNCTION t.dw_noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER dw_user AFTER INSERT ON ct_campaign_queue FOR EACH ROW EXECUTE FUNCTION t.dw_noop();
ALTER TABLE ct_journey_step ADD COLUMN dw_note text;
SELECT * FROM t.dw_not_direct();
ROLLBACK;
BEGIN;
DROP INDEX ct_campaign_queue_once_idx;
CREATE UNIQUE INDEX ct_campaign_queue_once_idx ON ct_campaign_queue (project_id, campaign_id, ct_id);
ALTER TABLE ct_journey_state DROP CONSTRAINT ct_journey_state_pkey,
	ADD CONSTRAINT ct_journey_state_pkey PRIMARY KEY (ct_id, journey_id, project_id, node);
SELECT * FROM t.dw_not_direct();
ROLLBACK;
-- the one-time arbiter on the right columns, but WHERE NOT once (rev11
-- #7): it would keep the recurring rows to one a profile, not the
-- one-time ones
BEGIN;
DROP INDEX ct_campaign_queue_once_idx;
CREATE UNIQUE INDEX ct_campaign_queue_once_idx ON ct_campaign_queue (ct_id, campaign_id, project_id) WHERE NOT once;
SELECT * FROM t.dw_not_direct();
ROLLBACK;
SELECT * FROM t.dw_not_direct();
