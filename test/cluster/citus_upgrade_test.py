#!/usr/bin/env python3
"""A distributed ctaudience 0.2.0 updated in place, against fresh installations.

Started by test/cluster/citus_upgrade.sh (a coordinator and two workers,
CT_CITUS_DIR/{coordinator,worker1,worker2}); the helpers are
test/cluster/citus_test.py's.  Here:

  - database ct_citus: citus and ctaudience VERSION '0.2.0' (the released
    script) on every node, the workers added, the data of
    test/data/upgrade/0.1.0.sql loaded on the coordinator (two projects'
    imports; this library imports into no other version than its own), and
    0.2.0's ct_distribute() run;
  - database ct_single (coordinator, no Citus): this version, the same data;
    database ct_fresh: a cluster of this version, the same data, distributed;
  - the update as docs/scaling.md gives it: ALTER EXTENSION ctaudience UPDATE
    on the coordinator (Citus runs it on the workers), then ct_distribute()
    (the tables this version adds distributed, ct_project_grant a reference
    table, the shards made by 0.2.0 given the new columns, indexes,
    triggers, row-level security, policies and privileges);
  - every shard of every table then has what a shard of the fresh cluster
    has (columns, defaults, indexes, triggers, policies, privileges of the
    table and of its columns);
  - every view, trend and table count equals the single node's, before and
    after imports of the updated projects (and of a new one);
  - a journey on an updated project (its send node a campaign with
    journey_id and journey_node), entered by an import, advanced as of
    given times, as on the single node;
  - a role given one project (ct_grant_project) reads only its rows through
    every view on the coordinator, as on the single node.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import citus_test as ct  # noqa: E402
from citus_test import ok, psql, rows  # noqa: E402

DB, SINGLE, FRESH = ct.DB, ct.SINGLE, "ct_fresh"
FIXTURE = "test/data/upgrade/0.1.0.sql"
VERSION = [line.split("'")[1] for line in open("ctaudience.control") if line.startswith("default_version")][0]
# ct_single and ct_fresh get the fixture as a restore of a 0.1.0 backup
# onto this version would (COPY into a fresh installation), nothing patched:
# the profiles of 0.1.0 have named NULL there, as the update leaves them

# one line per placement of a table: its shard as the catalogs describe it
# (shard ids left out; privileges in order)
SHAPE = r"""SELECT regexp_replace(concat_ws(' | ',
  (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) ||
                     CASE WHEN a.attcollation <> 0 THEN ' collate ' || a.attcollation::regcollation::text ELSE '' END ||
                     CASE WHEN a.attnotnull THEN ' not null' ELSE '' END ||
                     coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') ||
                     coalesce(' acl ' || (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(a.attacl) x), ''),
                     ', ' ORDER BY a.attname)
     FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attrelid = '%1$s'::regclass AND a.attnum > 0 AND NOT a.attisdropped),
  (SELECT 'rls ' || relrowsecurity || ' acl ' ||
          (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(coalesce(relacl, acldefault('r', relowner))) x)
     FROM pg_class
    WHERE oid = '%1$s'::regclass),
  (SELECT string_agg(pg_get_indexdef(indexrelid), ', ' ORDER BY pg_get_indexdef(indexrelid)) FROM pg_index
    WHERE indrelid = '%1$s'::regclass),
  (SELECT string_agg(pg_get_constraintdef(oid), ', ' ORDER BY pg_get_constraintdef(oid)) FROM pg_constraint
    WHERE conrelid = '%1$s'::regclass),
  (SELECT string_agg(polname || ' ' || polcmd::text || ' ' || polpermissive::text || ' ' || polroles::regrole[]::text || ' ' ||
                     coalesce(pg_get_expr(polqual, polrelid), ''), ', ' ORDER BY polname) FROM pg_policy
    WHERE polrelid = '%1$s'::regclass),
  (SELECT string_agg(pg_get_triggerdef(oid), ', ' ORDER BY pg_get_triggerdef(oid)) FROM pg_trigger
    WHERE tgrelid = '%1$s'::regclass AND NOT tgisinternal)), '_[0-9]{6,}', '', 'g')"""


def shapes(db):
    """table -> the set of its placements' shapes."""
    out = {}
    for t in rows("SELECT logicalrelid::text FROM pg_dist_partition ORDER BY 1", db=db):
        got = rows(f"SELECT success || ' ' || result FROM run_command_on_placements('{t}', $s${SHAPE}$s$)", db=db)
        out[t] = sorted(set(got))
    return out


def cluster(db, version):
    for node in ct.NODES:
        psql(f"CREATE DATABASE {db}", node, "postgres")
        psql("CREATE EXTENSION citus", node, db)
        psql(f"CREATE EXTENSION ctaudience VERSION '{version}'", node, db)
    psql(f"SELECT citus_set_coordinator_host('{os.path.join(ct.DIR, 'coordinator')}', {ct.NODES['coordinator']})",
         db=db)
    for w in ("worker1", "worker2"):
        psql(f"SELECT citus_add_node('{os.path.join(ct.DIR, w)}', {ct.NODES[w]})", db=db)
    psql(None, db=db, script="SET client_min_messages = warning;\n" + open(FIXTURE).read())


def both(sql):
    return [rows(sql, db=db) for db in (DB, SINGLE)]


def main():
    os.makedirs(ct.WORK, exist_ok=True)
    cluster(DB, "0.2.0")
    psql("SELECT ctaudience.ct_distribute()")
    tables = rows("SELECT count(*) FROM pg_dist_partition")
    ok(rows("SELECT extversion FROM pg_extension WHERE extname = 'ctaudience'") == ["0.2.0"] and tables == ["13"],
       "CREATE EXTENSION ctaudience VERSION '0.2.0' and its ct_distribute() on a cluster: 13 tables distributed", tables)
    profiles = rows("SELECT project_id || ' ' || count(*) FROM ctaudience.ct_profile GROUP BY project_id ORDER BY 1")
    ok(len(profiles) == 2, "the fixture's two projects are in the shards", profiles)
    psql(f"CREATE DATABASE {SINGLE}", "coordinator", "postgres")
    psql("CREATE EXTENSION ctaudience", db=SINGLE)
    psql(None, db=SINGLE, script="SET client_min_messages = warning;\n" + open(FIXTURE).read())
    cluster(FRESH, VERSION)
    psql("SELECT ctaudience.ct_distribute()", db=FRESH)

    # the update: on the coordinator, Citus runs it on the workers
    r = psql("ALTER EXTENSION ctaudience UPDATE", check=False)
    ok(r.returncode == 0, "ALTER EXTENSION ctaudience UPDATE on the coordinator", r.stderr.strip())
    versions = [rows("SELECT extversion FROM pg_extension WHERE extname = 'ctaudience'", node) for node in ct.NODES]
    ok(versions == [[VERSION]] * 3, f"Citus ran it on the workers: every node has {VERSION}", versions)
    r = psql("SELECT count(*) FROM ctaudience.ct_profile WHERE named", check=False)
    ok(r.returncode != 0 and 'column "named" does not exist' in r.stderr,
       "until ct_distribute() runs again, the shards made by 0.2.0 lack the update's columns", r.stderr.strip())
    r = psql("SELECT ctaudience.ct_distribute()", check=False)
    ok(r.returncode == 0, "ct_distribute() after the update", r.stderr.strip()[-600:])
    kinds = rows("SELECT logicalrelid::text || ' ' || partmethod::text FROM pg_dist_partition ORDER BY 1")
    ok(kinds == rows("SELECT logicalrelid::text || ' ' || partmethod::text FROM pg_dist_partition ORDER BY 1", db=FRESH)
       and "ctaudience.ct_project_grant n" in kinds and len(kinds) == 22,
       "the tables are distributed as on a fresh cluster (ct_project_grant a reference table, the journeys' tables "
       "co-located)", kinds)
    coloc = rows("SELECT count(DISTINCT colocationid) FROM pg_dist_partition WHERE partmethod = 'h'")
    ok(coloc == ["1"], "every distributed table co-located with ct_profile", coloc)
    upgraded, fresh = shapes(DB), shapes(FRESH)
    bad = [t for t in sorted(set(upgraded) | set(fresh)) if upgraded.get(t) != fresh.get(t)]
    for t in bad[:3]:
        print(f"# {t}:\n#   updated {upgraded.get(t)}\n#   fresh   {fresh.get(t)}")
    ok(not bad and all(len(v) == 1 and v[0].startswith("true ") for v in upgraded.values()),
       "every shard has what a fresh cluster's has: columns, collations, defaults, indexes, triggers, row-level security, "
       "constraints, policies, privileges of the table and its columns",
       (bad, {t: v for t, v in upgraded.items() if len(v) != 1 or not v[0].startswith("true ")}))
    r = psql("SELECT ctaudience.ct_distribute()", check=False)
    ok(r.returncode == 0 and "distributed already" in r.stderr, "ct_distribute() once more: a notice", r.stderr.strip())
    ok(shapes(DB) == upgraded, "... and the shards unchanged")
    named = both("SELECT project_id || ' ' || count(*) FILTER (WHERE named IS NULL) || ' ' || count(*) "
                 "FROM ctaudience.ct_profile GROUP BY project_id ORDER BY 1")
    ok(named[0] == named[1] and named[0] != [] and all(r.split()[1] == r.split()[2] for r in named[0]),
       "the shards' profiles of 0.2.0 have named NULL (not known), as the single node's", named)
    ct.compare("after the update")

    # imports into the updated projects, and a project registered after
    after = [json.load(open(f"test/data/upgrade/after-{i}.json")) for i in (1, 2, 3, 4)]
    for db in (DB, SINGLE):
        psql("SELECT ctaudience.ct_register_project('P9', 'passcode-P9', 'token-P9', 'eu1', 'Project P9', NULL, 'US')",
             db=db)
    new = ct.messages_for(9, "P9")[:6]
    dist, single = ct.send_both(after + new, [0, 1, 2, 0] + [k % 3 for k in range(len(new))])
    ok(len(dist) == len(single) == len(after) + len(new) and
       all(ct.response(a) == ct.response(b) for a, b in zip(dist, single)),
       "imports into the updated cluster are answered as by the single node",
       next(((a, b) for a, b in zip(dist, single) if ct.response(a) != ct.response(b)), (len(dist), len(single))))
    ct.compare("after imports into the updated cluster")

    journey(after[0]["account"])
    roles()
    ct.compare("after a journey and a per-project role")
    print(f"# {ct.failures} failure(s)")
    sys.exit(1 if ct.failures else 0)


def journey(account):
    """A journey on the updated DEMO-PROJECT: entered by an import, a wait,
    a send (a campaign of kind journey), as of given times."""
    p = account["account_settings"]["accountId"]
    base_ms = 1733047200000  # 2024-12-01 10:00 UTC

    def msg(k, ms, users):
        return {"type": "audience_membership_change_request", "id": "00000000-0000-4000-f900-%012d" % k,
                "timestamp_ms": ms, "firehose_version": "3.2.0", "account": account,
                "user_profiles": [{"mpid": str(6000 + i), "user_identities": [
                    {"type": "customer", "encoding": "raw", "value": u}],
                    "audiences": [{"audience_id": 71888, "audience_name": "Journey audience", "action": "add"}]}
                    for i, u in enumerate(users)]}

    ct.send_both([msg(1, base_ms - 86400000, ["up-seed"])], [0])
    for db in (DB, SINGLE):
        seg = rows(f"SELECT segment_id FROM ctaudience.ct_segment WHERE project_id = '{p}' AND partner_segment_id = 71888",
                   db=db)[0]
        nodes = json.dumps([{"id": "in", "type": "entry", "segment_id": int(seg), "next": "hour"},
                            {"id": "hour", "type": "wait", "duration": "1 hour", "next": "email"},
                            {"id": "email", "type": "send", "channel": "email", "next": "done"},
                            {"id": "done", "type": "exit"}])
        j = rows(f"SELECT ctaudience.ct_create_journey('{p}', 'updated {p}', '{nodes}')", db=db)[0]
        rows(f"SELECT ctaudience.ct_start_journey({j}, as_of => '2024-12-01 00:00+00')", db=db)
    sends = both("SELECT c.kind || ' ' || c.journey_node || ' ' || j.name FROM ctaudience.ct_campaign c "
                 "JOIN ctaudience.ct_journey j USING (project_id, journey_id) ORDER BY 1")
    ok(sends[0] == sends[1] == [f"journey email updated {p}"],
       "the journey's send node is a campaign with journey_id and journey_node in the updated ct_campaign", sends)
    ct.send_both([msg(2, base_ms, ["up-0", "up-1", "up-2"])], [0])
    entered = both(f"SELECT count(*) FROM ctaudience.ct_journey_state WHERE project_id = '{p}' AND exited_at IS NULL")
    ok(entered[0] == entered[1] == ["3"], "an import into the updated project entered the journey", entered)
    moved = [both("SELECT ctaudience.ct_advance_journeys(1000, as_of => '2024-12-01 10:30+00')"),
             both("SELECT ctaudience.ct_advance_journeys(1000, as_of => '2024-12-01 11:30+00')")]
    ok(moved[0][0] == moved[0][1] and moved[1][0] == moved[1][1] == ["3"],
       "ct_advance_journeys as of given times moves them as on the single node", moved)
    queued = both("SELECT c.name || ' ' || count(*) FROM ctaudience.ct_campaign_queue q JOIN ctaudience.ct_campaign c "
                  "USING (project_id, campaign_id) WHERE c.kind = 'journey' GROUP BY c.name ORDER BY 1")
    steps = both("SELECT p.identity || ' ' || s.node || ' ' || s.outcome FROM ctaudience.ct_journey_step s "
                 "JOIN ctaudience.ct_profile p USING (project_id, ct_id) ORDER BY 1")
    ok(queued[0] == queued[1] != [] and steps[0] == steps[1] != [],
       "the send queued a row per profile in the updated ct_campaign_queue; the steps equal the single node's",
       (queued, steps[0][:4]))


def roles():
    """A role given DEMO-PROJECT reads only its rows, as on the single node."""
    psql("CREATE ROLE ct_up_team LOGIN")
    for db in (DB, SINGLE):
        psql("SELECT ctaudience.ct_grant_project('ct_up_team', 'DEMO-PROJECT', 'read')", db=db)
    for view in ct.VIEWS + ["ct_journey_stats"]:
        everyone = rows(f"SELECT DISTINCT project_id FROM ctaudience.{view} ORDER BY 1")
        seen = {db: ct.psql_as("ct_up_team", f"SELECT DISTINCT project_id FROM ctaudience.{view} ORDER BY 1", db)
                for db in (DB, SINGLE)}
        team, err = seen[DB]
        ok(not err and set(team) <= {"DEMO-PROJECT"} and seen[DB] == seen[SINGLE] and
           (team != [] or "DEMO-PROJECT" not in everyone),
           f"{view}: a role of DEMO-PROJECT reads its rows only ({','.join(team) or 'none'}), as on the single node",
           (seen, everyone))
    counted = {db: ct.psql_as("ct_up_team", "SELECT count(*) FROM ctaudience.ct_profile_activity", db) for db in (DB, SINGLE)}
    ok(counted[DB] == counted[SINGLE] and counted[DB][0] != ["0"], "... row for row", counted)
    for db in (DB, SINGLE):
        psql("SELECT ctaudience.ct_revoke_project('ct_up_team')", db=db)
    psql("DROP ROLE ct_up_team")


if __name__ == "__main__":
    main()
