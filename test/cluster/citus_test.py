#!/usr/bin/env python3
"""ctaudience on a Citus cluster against a single node, message for message.

Started by test/cluster/citus.sh, which starts a coordinator and two workers
(CT_CITUS_DIR/{coordinator,worker1,worker2}, Unix sockets only).  Here:

  - every node gets citus and ctaudience in database ct_citus; the workers
    are added, projects registered and one message imported, then
    ct_distribute() is run on the coordinator (again: a notice; on a
    worker: refused);
  - database ct_single on the coordinator, without Citus, is the single node;
  - eight projects, spread over both workers, are registered in both; each
    gets its membership messages (bench/generate.py, a seed of its own; half
    with attribute updates), a subscription (rename and settings), a
    redelivery and an erasure (by Customer ID or by email), sent through
    every entry point: ct_firehose(project_id, text) (delegated by Citus),
    ct_firehose(text) and ct_import_audience(jsonb) (sent on by the
    coordinator); each response must equal the single node's;
  - the inbox: messages queued on the coordinator, answered by CALL
    ct_run_inbox(), by ct_process_inbox() and by the pg_cron job
    ct_schedule_inbox() makes; an
    erasure from the inbox clears the messages queued behind it;
  - ctaudience-receiver given the coordinator (direct mode): it sends each
    message to the worker that holds its project itself (the coordinator
    runs no call of it), or, --route-workers off, through the coordinator;
    NOTIFY ct_partner_sync heard on the worker;
  - live campaigns, app events (ct_record_event) and senders taking rows;
  - upkeep from the coordinator: ct_compact_stats(), ct_purge_events();
  - per-project roles: a role given two projects (one on each worker)
    reads only those through every view (the shards' policies hold it on
    the workers), takes only their campaigns, and is refused another
    project's on the worker (ct_record_delivery); a role of every project
    reads all; the same as on the single node;
  - each import ran on exactly one worker, the one holding the project
    (pg_stat_user_functions on every node), and a view read filtered by
    one project is one task on that worker (EXPLAIN);
  - a worker restarted mid-run: a message whose transaction was open on it
    fails with a retryable error and leaves nothing, then succeeds when
    sent again; a stream of messages meanwhile all succeed on retry;
  - at the end every view (canonical: CleverTap IDs made at random read as
    the profile's Identity, segment ids as the mParticle audience id, times
    of processing left out) row for row, the trend of every segment, and
    the count of every table, equal to the single node's;
  - journeys, one per worker: created, started and stopped on the
    coordinator, entered by a routed import and by an app event, moved by
    ct_advance_journeys (as of given times, and by its pg_cron job) on the
    workers, a send queued, exits, an erasure, the views;
  - a project's shards moved (citus_move_shard_placement) under a running
    receiver: its messages still land, the first through the old worker,
    the rest on the new one; everything again equal to the single node's.
"""
import http.client
import json
import os
import subprocess
import sys
import threading
import time

DIR = os.environ["CT_CITUS_DIR"]
PG_BIN = os.environ.get("CT_TEST_PG_BIN", "/usr/lib/postgresql/15/bin")
NODES = {"coordinator": 57001, "worker1": 57002, "worker2": 57003}
DB = "ct_citus"
SINGLE = "ct_single"
PROJECTS = ["P%d" % i for i in range(8)]
WORK = os.path.join(DIR, "work")
failures = 0


def ok(cond, desc, detail=""):
    global failures
    if cond:
        print(f"ok - {desc}", flush=True)
    else:
        failures += 1
        print(f"not ok - {desc}" + (f": {detail}" if detail else ""), flush=True)


def psql(sql, node="coordinator", db=DB, check=True, script=None):
    """Run sql (or a script on stdin); stdout lines.  check: raise on error."""
    cmd = [os.path.join(PG_BIN, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
           "-h", os.path.join(DIR, node), "-p", str(NODES[node]), "-U", "postgres", "-d", db]
    if sql is not None:
        cmd += ["-c", sql]
    r = subprocess.run(cmd, input=script, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"psql on {node}/{db} failed: {(sql or script)[:300]}\n{r.stderr}")
    return r


def rows(sql, node="coordinator", db=DB):
    out = psql(sql, node, db).stdout
    return [line for line in out.split("\n") if line != ""]


def pg_ctl(node, action):
    subprocess.run(["runuser", "-u", "postgres", "--", os.path.join(PG_BIN, "pg_ctl"), "-D",
                    os.path.join(DIR, node, "data"), "-l", os.path.join(DIR, node, "server.log"),
                    "-m", "fast", "-w", action], check=True, stdout=subprocess.DEVNULL)


def lit(s):
    """A dollar-quoted literal."""
    assert "$m$" not in s
    return "$m$" + s + "$m$"


# ---------------------------------------------------------------------
# The cluster and the single node
# ---------------------------------------------------------------------

def setup():
    for node in NODES:
        psql(f"CREATE DATABASE {DB}", node, "postgres")
        psql("CREATE EXTENSION citus", node)
        psql("CREATE EXTENSION ctaudience", node)
    coord = os.path.join(DIR, "coordinator")
    psql(f"SELECT citus_set_coordinator_host('{coord}', {NODES['coordinator']})")
    for w in ("worker1", "worker2"):
        psql(f"SELECT citus_add_node('{os.path.join(DIR, w)}', {NODES[w]})")
    psql("CREATE EXTENSION pg_cron")
    psql(f"CREATE DATABASE {SINGLE}", "coordinator", "postgres")
    psql("CREATE EXTENSION ctaudience", db=SINGLE)
    for p in PROJECTS:
        for db in (DB, SINGLE):
            psql(f"SELECT ctaudience.ct_register_project('{p}', 'passcode-{p}', 'token-{p}', 'eu1', 'Project {p}', NULL, 'US')",
                 db=db)
    # rows from before the distribution: a message imported while one node
    before = {"type": "audience_membership_change_request", "id": "00000000-0000-4000-d000-000000000001",
              "timestamp_ms": 1729000000000, "firehose_version": "3.2.0",
              "account": {"account_id": 7001, "account_settings": {"accountId": "P7", "passcode": "passcode-P7",
                                                                   "accountToken": "token-P7", "region": "eu1"}},
              "user_profiles": [{"mpid": str(900 + i), "user_identities": [
                  {"type": "customer", "encoding": "raw", "value": f"early-{i}"},
                  {"type": "email", "encoding": "raw", "value": f"early-{i}@example.com"}],
                  "audiences": [{"audience_id": 71009, "audience_name": "Early", "action": "add"}]} for i in range(3)]}
    for db in (DB, SINGLE):
        psql(None, db=db, script=single_call(before))
    r = psql("SELECT ctaudience.ct_distribute()", "worker1", check=False)
    ok(r.returncode != 0 and "runs on the coordinator" in r.stderr,
       "ct_distribute() is refused on a worker", r.stderr.strip())
    psql("SELECT ctaudience.ct_distribute()")
    tables = rows("SELECT logicalrelid::text || ' ' || partmethod::text FROM pg_dist_partition ORDER BY 1")
    ok(len(tables) == 22 and "ctaudience.ct_project n" in tables and "ctaudience.ct_project_grant n" in tables and
       all(t.endswith(" h") for t in tables if t.split(" ")[0] not in ("ctaudience.ct_project", "ctaudience.ct_project_grant")),
       "ct_distribute(): ct_project and ct_project_grant reference tables, 20 tables distributed (ct_inbox stays)", tables)
    coloc = rows("SELECT count(DISTINCT colocationid) FROM pg_dist_partition WHERE partmethod = 'h'")
    ok(coloc == ["1"], "the distributed tables are co-located with ct_profile", coloc)
    r = psql("SELECT ctaudience.ct_distribute()", check=False)
    ok(r.returncode == 0 and "distributed already" in r.stderr, "ct_distribute() a second time: a notice")
    local = rows("SELECT sum(pg_relation_size(c.oid)) FROM pg_class c WHERE c.relnamespace = 'ctaudience'::regnamespace "
                 "AND c.relkind = 'r' AND c.relname <> 'ct_inbox'")
    ok(local == ["0"], "the rows imported before ct_distribute() left the coordinator's tables for the shards", local)


def holder(project):
    return rows(f"""SELECT n.nodeport FROM pg_dist_placement pl JOIN pg_dist_node n USING (groupid)
                     WHERE pl.shardid = get_shard_id_for_distribution_column('ctaudience.ct_profile', '{project}')""")[0]


# ---------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------

def messages_for(k, project):
    """Membership messages (generate.py), a subscription, an erasure."""
    path = os.path.join(WORK, project + ".jsonl")
    args = [sys.executable, "bench/generate.py", "1500", path, "--seed", str(100 + k)]
    if k % 2:
        args.append("--attributes")
    subprocess.run(args, check=True)
    account = {"account_id": 7001, "account_settings": {
        "accountId": project, "passcode": "passcode-" + project, "accountToken": "token-" + project,
        "region": "eu1"}}
    out = []
    customer = email = None
    for line in open(path):
        line = line.strip()
        if line in ("", "#"):
            continue
        m = json.loads(line)
        m["account"] = account
        for prof in m.get("user_profiles", []):
            for i in prof.get("user_identities", []):
                if i.get("type") == "customer" and i.get("encoding") == "raw" and customer is None:
                    customer = i["value"]
                if i.get("type") == "email" and i.get("encoding") == "raw" and email is None:
                    email = i["value"]
        out.append(m)
    base = {"firehose_version": "3.2.0", "account": account}
    out.insert(1, dict(base, type="audience_subscription_request", id="00000000-0000-4000-8000-%012d" % (k * 10 + 1),
                       timestamp_ms=1730000000500, audience_id=71001, audience_name="Cart Drop off (renamed)",
                       action="update", audience_subscription_settings={"userIdField": "customer"}))
    subject = ({"customer_id": {"encoding": "raw", "value": customer}} if k % 2 == 0 else
               {"email": {"encoding": "raw", "value": email}})
    out.append(dict(base, type="dsr_processing_request", id="00000000-0000-4000-8000-%012d" % (k * 10 + 2),
                    timestamp_ms=1730100000000, subject_request_id="dsr-" + project,
                    subject_request_type="erasure", regulation="gdpr", subject_identities=subject))
    return out


def call(m, form):
    """The distributed cluster's call of message m, in one of three forms."""
    body = json.dumps(m, separators=(",", ":"))
    project = m["account"]["account_settings"]["accountId"]
    if form == 0 or m["type"] != "audience_membership_change_request":
        # the call alone, as a receiver makes it: Citus sends it to the worker
        return f"SELECT ctaudience.ct_firehose('{project}', {lit(body)});"
    if form == 1:
        return f"SELECT ctaudience.ct_firehose({lit(body)}::text);"
    return f"SELECT ctaudience.ct_import_audience({lit(body)}::jsonb);"


def single_call(m):
    return f"SELECT ctaudience.ct_firehose({lit(json.dumps(m, separators=(',', ':')))}::text);"


def response(text):
    """A response less its time and the segment's id (each node has its range)."""
    r = json.loads(text)
    r.pop("timestamp_ms", None)
    if isinstance(r.get("ctaudience"), dict):
        r["ctaudience"].pop("segment_id", None)
    return r


def send_both(msgs, forms):
    """Send msgs to both; the responses, pairwise."""
    dist = psql(None, script="\n".join(call(m, f) for m, f in zip(msgs, forms))).stdout.split("\n")
    single = psql(None, db=SINGLE, script="\n".join(single_call(m) for m in msgs)).stdout.split("\n")
    dist = [line for line in dist if line]
    single = [line for line in single if line]
    return dist, single


# ---------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------

VOLATILE = {"created_at", "updated_at", "received_at", "duration", "duration_ms", "processed_at",
            "enqueued_at", "next_attempt_at", "oldest_enqueued_at", "qualified_at", "taken_at",
            "inbox_id", "event_id", "queue_id", "passcode_hash", "delivery_id", "request_id",
            "source_request_id", "next_run_at", "run_started_at", "last_success_at", "last_error_at",
            "pending_since", "answered_at"}
TABLES = ["ct_project", "ct_profile", "ct_segment", "ct_segment_member", "ct_event", "ct_message",
          "ct_import_sample", "ct_dsr_request", "ct_segment_delta", "ct_usage_delta",
          "ct_active_user_month", "ct_inbox", "ct_campaign", "ct_campaign_queue", "ct_delivery",
          "ct_export", "ct_export_outbox", "ct_export_request", "ct_profile_alias", "ct_journey",
          "ct_journey_state", "ct_journey_step"]


def canonical(db, node="coordinator"):
    """Every view and table, canonical rows, sorted; with counts of tables."""
    pmap = {}
    for line in rows("SELECT project_id || ' ' || ct_id || ' ' || coalesce(identity, ct_id) FROM ctaudience.ct_profile",
                     node, db):
        p, c, k = line.split(" ", 2)
        pmap[(p, c)] = k
    smap = {}
    for line in rows("SELECT project_id || ' ' || segment_id || ' ' || partner_segment_id FROM ctaudience.ct_segment",
                     node, db):
        p, s, a = line.split(" ")
        smap[(p, s)] = "audience " + a

    def canon(row):
        out = {}
        for k, v in row.items():
            if k in VOLATILE or k == "exited_at" and row.get("exit_reason") == "stopped":
                continue
            if k == "ct_id" and (row.get("project_id"), v) in pmap:
                v = pmap[(row["project_id"], v)]
            elif k == "segment_id" and (row.get("project_id"), str(v)) in smap:
                v = smap[(row["project_id"], str(v))]
            elif k == "segment_ids" and isinstance(v, list):
                v = [smap.get((row.get("project_id"), str(x)), x) for x in v]
            elif k == "response" and isinstance(v, dict):
                v = dict(v)
                v.pop("timestamp_ms", None)
            out[k] = v
        return json.dumps(out, sort_keys=True)

    result = {}
    views = rows("SELECT relname FROM pg_class WHERE relnamespace = 'ctaudience'::regnamespace AND relkind = 'v' ORDER BY 1",
                 node, db)
    for v in views:
        # (OFFSET 0: the whole row of a join view that Citus sends to one
        # shard comes back with its columns named f1, f2, ...)
        result["view " + v] = sorted(canon(json.loads(line)) for line in
                                     rows(f"SELECT to_jsonb(v)::text FROM (SELECT * FROM ctaudience.{v} OFFSET 0) v",
                                          node, db))
    for key, seg in sorted(smap.items()):
        result[f"trend {key[0]} {seg}"] = rows(
            f"SELECT to_jsonb(t)::text FROM ctaudience.ct_segment_trend({key[1]}, 1000, current_date) t", node, db)
    for t in TABLES:
        result["count " + t] = rows(f"SELECT count(*) FROM ctaudience.{t}", node, db)
    return result


def compare(label):
    dist, single = canonical(DB), canonical(SINGLE)
    bad = [k for k in sorted(set(dist) | set(single)) if dist.get(k) != single.get(k)]
    for k in bad[:5]:
        d, s = dist.get(k) or [], single.get(k) or []
        only_d = [x for x in d if x not in s][:2]
        only_s = [x for x in s if x not in d][:2]
        print(f"# {k}: cluster {len(d)} rows, single {len(s)}; only cluster {only_d}; only single {only_s}")
    ok(not bad, f"{label}: every view, trend and table count equals the single node's "
       f"({len(dist)} compared)", bad[:10])


def function_calls(node):
    """Calls of the functions that answer a message of one project, on node."""
    return int(rows("""SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions
                        WHERE funcid IN ('ctaudience.ct_firehose(text,text)'::regprocedure,
                                         'ctaudience.ct_import_audience(text,text)'::regprocedure,
                                         'ctaudience.ct_answer_queued(text,jsonb)'::regprocedure)""", node)[0])


# ---------------------------------------------------------------------
# The test
# ---------------------------------------------------------------------

def main():
    os.makedirs(WORK, exist_ok=True)
    setup()
    where = {p: holder(p) for p in PROJECTS}
    ports = sorted(set(where.values()))
    ok(len(ports) == 2, "the eight projects are kept on both workers", where)

    per_project = {p: messages_for(k, p) for k, p in enumerate(PROJECTS)}
    # round robin over the projects; every third membership message by each form
    msgs, forms = [], []
    longest = max(len(v) for v in per_project.values())
    for i in range(longest):
        for p in PROJECTS:
            if i < len(per_project[p]):
                msgs.append(per_project[p][i])
                forms.append(len(msgs) % 3)
    expected_calls = {port: 0 for port in ports}
    for m in msgs:
        expected_calls[where[m["account"]["account_settings"]["accountId"]]] += 1
    t0 = time.time()
    dist, single = send_both(msgs, forms)
    print(f"# {len(msgs)} messages sent to each in {time.time() - t0:.1f} s")
    same = len(dist) == len(single) == len(msgs) and all(response(a) == response(b) for a, b in zip(dist, single))
    ok(same, f"{len(msgs)} messages (membership, attributes, subscription, erasure) answered as by the single node",
       next(((a, b) for a, b in zip(dist, single) if response(a) != response(b)), (len(dist), len(single))))
    erased = [response(a).get("ctaudience", {}).get("profiles_erased")
              for a, m in zip(dist, msgs) if m["type"] == "dsr_processing_request"]
    ok(len(erased) == 8 and all(e and e > 0 for e in erased), "each project's erasure erased its subject", erased)

    # redelivery: the same ids again, answered from the log
    again = [msgs[3], msgs[10], msgs[20]]
    d2, s2 = send_both(again, [0, 1, 2])
    def redelivered(text):
        r = response(text)
        r["ctaudience"]["duplicate_message"] = 1
        return r

    ok(all(response(a) == response(b) for a, b in zip(d2, s2)) and
       all(response(a) == redelivered(dist[msgs.index(m)]) for a, m in zip(d2, again)),
       "redelivered messages are answered as the first time, as by the single node",
       [(response(a), response(b)) for a, b in zip(d2, s2)][:1])
    for m in again:
        expected_calls[where[m["account"]["account_settings"]["accountId"]]] += 1
    compare("after the messages")
    campaigns()

    # the inbox, answered by CALL ct_run_inbox() on the coordinator
    extra = []
    for k, p in enumerate(PROJECTS[:4]):
        m = json.loads(json.dumps(per_project[p][0]))
        m["id"] = "00000000-0000-4000-9000-%012d" % k
        m["timestamp_ms"] = 1730200000000 + k
        for prof in m["user_profiles"][:50]:
            for a in prof.get("audiences", []):
                if a.get("action") == "add":
                    a["action"] = "delete"
        m["user_profiles"] = m["user_profiles"][:50]
        extra.append(m)
    for db in (DB, SINGLE):
        psql(None, db=db, script="\n".join(
            f"SELECT ctaudience.ct_enqueue({lit(json.dumps(m))}::text);" for m in extra[:2]))
    for db in (DB, SINGLE):
        r = rows("CALL ctaudience.ct_run_inbox(10)", db=db)
        ok(r == ["2|0|0"], f"CALL ct_run_inbox() answers two queued messages ({db})", r)
    for m in extra[:2]:
        expected_calls[where[m["account"]["account_settings"]["accountId"]]] += 1

    # a subscription given to ct_firehose_enqueue (the receiver's call in
    # queue mode) is answered at once, as ct_firehose(text) answers it: on
    # the worker that holds its project
    sub = json.loads(json.dumps(next(m for m in per_project[PROJECTS[0]]
                                     if m["type"] == "audience_subscription_request")))
    sub["id"] = "00000000-0000-4000-9100-000000000001"
    sub["timestamp_ms"] = 1730200000500
    sub["audience_name"] = "Cart Drop off (queue mode)"
    answers = [rows(f"SELECT ctaudience.ct_firehose_enqueue({lit(json.dumps(sub))}::text)", db=db)
               for db in (DB, SINGLE)]
    ok(all(len(a) == 1 for a in answers) and response(answers[0][0]) == response(answers[1][0]) and
       response(answers[0][0]).get("type") == "audience_subscription_response",
       "ct_firehose_enqueue answers a subscription on the worker that holds its project, as the single node does",
       answers)
    expected_calls[where[PROJECTS[0]]] += 1

    # ... and by the pg_cron job on the coordinator
    for db in (DB, SINGLE):
        psql(None, db=db, script="\n".join(
            f"SELECT ctaudience.ct_enqueue({lit(json.dumps(m))}::text);" for m in extra[2:]))
    psql("SELECT ctaudience.ct_schedule_inbox('* * * * *', 100, 'ctaudience_citus_inbox')")
    deadline = time.time() + 130
    pending = None
    while time.time() < deadline:
        pending = rows("SELECT count(*) FROM ctaudience.ct_inbox WHERE status <> 'done'")[0]
        if pending == "0":
            break
        time.sleep(2)
    psql("SELECT cron.unschedule('ctaudience_citus_inbox')")
    ok(pending == "0", "the pg_cron job on the coordinator answers the inbox", pending)
    rows("CALL ctaudience.ct_run_inbox(10)", db=SINGLE)
    for m in extra[2:]:
        expected_calls[where[m["account"]["account_settings"]["accountId"]]] += 1

    # an erasure answered from the inbox takes its subject out of the
    # messages still queued on the coordinator
    subject = rows("SELECT identity FROM ctaudience.ct_profile WHERE project_id = 'P2' AND identity IS NOT NULL "
                   "ORDER BY identity OFFSET 5 LIMIT 1", db=SINGLE)[0]
    account = per_project["P2"][0]["account"]
    dsr = {"type": "dsr_processing_request", "id": "00000000-0000-4000-b000-000000000001",
           "timestamp_ms": 1730400000000, "firehose_version": "3.2.0", "account": account,
           "subject_request_id": "dsr-queued", "subject_request_type": "erasure", "regulation": "gdpr",
           "subject_identities": {"customer_id": {"encoding": "raw", "value": subject}}}
    again = {"type": "audience_membership_change_request", "id": "00000000-0000-4000-b000-000000000002",
             "timestamp_ms": 1730400001000, "firehose_version": "3.2.0", "account": account,
             "user_profiles": [{"mpid": "77", "user_identities": [{"type": "customer", "encoding": "raw", "value": subject}],
                                "audiences": [{"audience_id": 71001, "audience_name": "Cart Drop off", "action": "add"}]},
                               {"mpid": "78", "user_identities": [{"type": "customer", "encoding": "raw", "value": "someone-else"}],
                                "audiences": [{"audience_id": 71001, "audience_name": "Cart Drop off", "action": "add"}]}]}
    for db in (DB, SINGLE):
        psql(None, db=db, script="\n".join(f"SELECT ctaudience.ct_enqueue({lit(json.dumps(m))}::text);" for m in (dsr, again)))
        rows("CALL ctaudience.ct_run_inbox(1)", db=db)
        rows("CALL ctaudience.ct_run_inbox(1)", db=db)
    expected_calls[where["P2"]] += 2
    left = [rows(f"SELECT count(*) FROM ctaudience.ct_profile WHERE project_id = 'P2' AND identity IN ('{subject}', 'someone-else')",
                 db=db) for db in (DB, SINGLE)]
    ok(left == [["1"], ["1"]], "an erasure from the inbox took its subject out of a message queued behind it "
       "(the other profile of that message imported)", left)
    compare("after the inbox")

    # an erasure by email answered from the inbox takes out of the
    # coordinator's queue the messages behind it that name the erased
    # profile by another identity (its Customer ID), as one node does: the
    # worker sends the identifiers it erased in its answer to the
    # coordinator, which keeps none of them in the response it stores
    def mem(n, ms, customer, email, audience):
        ids = [{"type": "customer", "encoding": "raw", "value": customer}]
        if email:
            ids.append({"type": "email", "encoding": "raw", "value": email})
        return {"type": "audience_membership_change_request", "id": "00000000-0000-4000-b000-%012d" % n,
                "timestamp_ms": ms, "firehose_version": "3.2.0", "account": account,
                "user_profiles": [{"mpid": str(n), "user_identities": ids,
                                   "audiences": [{"audience_id": audience, "audience_name": "A%d" % audience,
                                                  "action": "add"}]}]}

    def erase(n, email):
        return {"type": "dsr_processing_request", "id": "00000000-0000-4000-b000-%012d" % n,
                "timestamp_ms": 1730400009000, "firehose_version": "3.2.0", "account": account,
                "subject_request_id": "dsr-%d" % n, "subject_request_type": "erasure", "regulation": "gdpr",
                "subject_identities": {"email": {"encoding": "raw", "value": email}}}
    for db in (DB, SINGLE):
        psql(None, db=db, script="\n".join(single_call(mem(n, 1730400002000, f"c{n}", f"e{n}@example.com", 72021))
                                           for n in (900, 901)))
        # answered directly (Citus delegates the call to the worker): its response
        answer = rows(f"SELECT ctaudience.ct_firehose('P2', {lit(json.dumps(erase(911, 'e900@example.com')))}::text)", db=db)
        ok("c900" not in answer[0] and "e900" not in answer[0] and response(answer[0]).get("ctaudience") == {"profiles_erased": 1},
           f"an erasure answered directly: its response names no identity ({db})", answer)
        # the inbox: the erasure, then a message naming its profile by Customer ID
        psql(None, db=db, script="\n".join(f"SELECT ctaudience.ct_enqueue({lit(json.dumps(m))}::text);"
                                           for m in (erase(912, 'e901@example.com'), mem(913, 1730400004000, 'c901', None, 72022))))
        queued = rows("SELECT jsonb_array_length(body -> 'user_profiles') FROM ctaudience.ct_inbox "
                      "WHERE body ->> 'id' = '00000000-0000-4000-b000-000000000913'", db=db)
        rows("CALL ctaudience.ct_run_inbox(1)", db=db)
        queued += rows("SELECT jsonb_array_length(body -> 'user_profiles') FROM ctaudience.ct_inbox "
                       "WHERE body ->> 'id' = '00000000-0000-4000-b000-000000000913'", db=db)
        ok(queued == ["1", "0"], f"an erasure by email from the inbox took the erased profile's Customer ID out of "
           f"the message queued behind it ({db})", queued)
        rows("CALL ctaudience.ct_run_inbox(10)", db=db)
        back = rows("SELECT count(*) FROM ctaudience.ct_profile WHERE project_id = 'P2' AND identity IN ('c900', 'c901')", db=db)
        ok(back == ["0"], f"no message queued behind an erasure by email re-created its profile ({db})", back)
        stored = rows("SELECT count(*) FROM ctaudience.ct_inbox WHERE body::text ~ 'c90[01]|e90[01]' "
                      "OR response::text ~ 'c90[01]|e90[01]|erased_identifiers'", db=db)
        ok(stored == ["0"], f"no queued body or stored response names the erased profiles ({db})", stored)
    expected_calls[where["P2"]] += 5
    compare("after the erasures by email")

    # ct_process_inbox() (the function pg_cron ran before 0.2.0) on the coordinator
    late = json.loads(json.dumps(extra[0]))
    late["id"] = "00000000-0000-4000-9000-000000000099"
    late["timestamp_ms"] = 1730200009000
    for db in (DB, SINGLE):
        psql(None, db=db, script=f"SELECT ctaudience.ct_enqueue({lit(json.dumps(late))}::text);")
        r = rows("SELECT done, retried, dead FROM ctaudience.ct_process_inbox(10)", db=db)
        ok(r == ["1|0|0"], f"ct_process_inbox() answers a queued message ({db})", r)
    expected_calls[where[late["account"]["account_settings"]["accountId"]]] += 1

    # NOTIFY ct_partner_sync is raised on the worker that imported
    notified = listen_and_import(per_project, where)
    ok(notified, "a listener on the worker that holds the project hears ct_partner_sync (one on the other worker does not)")
    expected_calls[where["P4"]] += 1

    # the receiver in direct mode, on the coordinator: it routes each call
    sent = receiver(per_project)
    for m in sent:
        expected_calls[where[m["account"]["account_settings"]["accountId"]]] += 1

    # where the work ran: each message on the worker that holds its project
    time.sleep(1.5)
    calls = {}
    deadline = time.time() + 20
    while time.time() < deadline:
        calls = {NODES[n]: function_calls(n) for n in NODES}
        if all(calls[int(port)] >= expected_calls[port] for port in ports):
            break
        time.sleep(1)
    ok(calls[NODES["coordinator"]] == 0 and all(calls[int(port)] == expected_calls[port] for port in ports),
       "each message was answered on exactly one worker, the one holding its project "
       f"(calls by node port {calls}, expected {expected_calls})")
    # ct_import_log keeps its correlated subquery (one node reads the newest
    # messages of a large project 15-25x faster so): Citus sends such a read
    # to every shard, each answering from its index (docs/scaling.md)
    plan = "\n".join(rows("EXPLAIN (COSTS OFF) SELECT * FROM ctaudience.ct_import_log WHERE project_id = 'P3'"))
    print("# ct_import_log filtered by one project: " + next((x.strip() for x in plan.split("\n") if "Task Count" in x), "?"))
    for view in ("ct_segments", "ct_segment_stats", "ct_segment_daily", "ct_profile_activity", "ct_find_people",
                 "ct_usage", "ct_campaigns"):
        plan = "\n".join(rows(f"EXPLAIN (COSTS OFF) SELECT * FROM ctaudience.{view} WHERE project_id = 'P3'"))
        ok("Task Count: 1" in plan and f"port={where['P3']}" in plan,
           f"{view} filtered by one project: one task, on the worker that holds it", plan[:400])

    worker_restart(per_project, where)
    app_events()
    deliveries_and_export()
    # upkeep from the coordinator: statistics folded, old events purged
    for db in (DB, SINGLE):
        rows("SELECT ctaudience.ct_compact_stats()", db=db)
        rows("SELECT ctaudience.ct_purge_events('P5', '2024-10-27 04:00+00')", db=db)
    deltas = rows("SELECT count(*) FROM ctaudience.ct_segment_delta")
    ok(deltas != ["0"], "ct_compact_stats() and ct_purge_events() run from the coordinator", deltas)
    project_roles(where)
    journeys(where)
    compare("after a worker restart, app events and sends, per-project roles and journeys")
    receiver_shard_move(per_project, where)
    compare("after a shard move under the receiver")

    print(f"# {failures} failure(s)")
    sys.exit(1 if failures else 0)


def listen_and_import(per_project, where):
    """LISTEN on both workers, import a message of P4 through the
    coordinator (in both databases): whether only the worker holding P4
    heard it."""
    listeners = {}
    for node in ("worker1", "worker2"):
        listeners[node] = subprocess.Popen([os.path.join(PG_BIN, "psql"), "-X", "-h", os.path.join(DIR, node),
                                            "-p", str(NODES[node]), "-U", "postgres", "-d", DB],
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                           text=True)
        listeners[node].stdin.write("LISTEN ct_partner_sync;\nSELECT 'listening';\n")
        listeners[node].stdin.flush()
    time.sleep(1)
    m = json.loads(json.dumps(per_project["P4"][0]))
    m["id"] = "00000000-0000-4000-9000-000000000098"
    m["timestamp_ms"] = 1730200010000
    m["user_profiles"] = m["user_profiles"][:20]
    for prof in m["user_profiles"]:
        for a in prof.get("audiences", []):
            a["action"] = "delete"
    send_both([m], [0])
    time.sleep(1)
    heard = {}
    for node, listener in listeners.items():
        out, _ = listener.communicate("SELECT 'done';\n", timeout=30)
        heard[str(NODES[node])] = 'Asynchronous notification "ct_partner_sync"' in out
    return heard[where["P4"]] and not any(h for port, h in heard.items() if port != where["P4"])


def start_receiver(*args):
    """ctaudience-receiver on a loopback port against the coordinator."""
    port = 18000 + (os.getpid() + len(args)) % 1000
    dsn = f"host={os.path.join(DIR, 'coordinator')} port={NODES['coordinator']} user=postgres dbname={DB}"
    log = open(os.path.join(WORK, "receiver.log"), "a")
    proc = subprocess.Popen([os.path.join(PG_BIN, "ctaudience-receiver"), "--listen", f"127.0.0.1:{port}",
                             "--dsn", dsn, "--pool", "2", *args], stdout=log, stderr=log)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                break
        except OSError:
            time.sleep(0.2)
    return proc, port, log


def stop_receiver(rec):
    proc, _, log = rec
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


def post(rec, m):
    c = http.client.HTTPConnection("127.0.0.1", rec[1], timeout=60)
    c.request("POST", "/firehose", body=json.dumps(m), headers={"Content-Type": "application/json"})
    r = c.getresponse()
    return r.status, r.read().decode()


def routes(rec):
    """The receiver's ctaudience_receiver_routes_total, by reason."""
    c = http.client.HTTPConnection("127.0.0.1", rec[1], timeout=30)
    c.request("GET", "/metrics")
    out = {}
    for line in c.getresponse().read().decode().split("\n"):
        if line.startswith("ctaudience_receiver_routes_total{"):
            out[line.split('"')[1]] = int(line.split()[-1])
    return out


def coordinator_calls():
    """Calls on the coordinator of what the receiver's call through it runs there."""
    return int(rows("""SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions
                        WHERE funcid IN ('ctaudience.ct_message_project(text)'::regprocedure,
                                         'ctaudience.ct_firehose(text,text)'::regprocedure,
                                         'ctaudience.ct_firehose(text)'::regprocedure)""")[0])


def settled(read, wait=20):
    """read() once it stopped changing (statistics arrive a while after a backend's work)."""
    last, deadline = read(), time.time() + wait
    while time.time() < deadline:
        time.sleep(1.5)
        now = read()
        if now == last:
            return now
        last = now
    return last


def receiver(per_project):
    """ctaudience-receiver against the coordinator: messages posted to it
    are answered as the single node answers them; in direct mode it sends
    each to the worker that holds its project itself (the coordinator runs
    no call of them), and, routing off, through the coordinator."""
    msgs = []
    for k, p in enumerate(PROJECTS):
        m = json.loads(json.dumps(per_project[p][0]))
        m["id"] = "00000000-0000-4000-c000-%012d" % k
        m["timestamp_ms"] = 1730250000000 + k
        m["user_profiles"] = m["user_profiles"][200:260]
        msgs.append(m)
    before = settled(coordinator_calls)
    rec = start_receiver()
    try:
        answers = [post(rec, m) for m in msgs[:6]]
        counted = routes(rec)
    finally:
        stop_receiver(rec)
    after = settled(coordinator_calls)
    ok(counted.get("worker") == 6 and counted.get("lookup") == 6 and counted.get("fallback") == 0,
       "the receiver sent each message to the worker that holds its project, asking the coordinator where once a project",
       counted)
    ok(after == before, "the coordinator ran no call of those messages (ct_message_project, ct_firehose)",
       (before, after))
    rec = start_receiver("--route-workers", "off")
    try:
        answers += [post(rec, m) for m in msgs[6:]]
        counted = routes(rec)
    finally:
        stop_receiver(rec)
    ok(counted.get("worker") == 0 and settled(coordinator_calls) > after,
       "--route-workers off: the calls go through the coordinator", counted)
    single = [x for x in psql(None, db=SINGLE, script="\n".join(single_call(m) for m in msgs)).stdout.split("\n") if x]
    ok(len(answers) == len(msgs) and all(st == 200 for st, _ in answers) and
       all(response(a) == response(b) for (_, a), b in zip(answers, single)),
       f"ctaudience-receiver on the coordinator answers {len(msgs)} messages as the single node does",
       answers[:1])
    return msgs


def receiver_shard_move(per_project, where):
    """A project's shards moved to the other worker while a receiver sends
    its messages straight to the worker: the first message after the move
    still reaches the old worker, which sends it on (and says where the
    project is now); the next go to the new worker; every answer and row as
    on the single node."""
    project = PROJECTS[5]
    old = where[project]
    old_node = next(n for n in ("worker1", "worker2") if str(NODES[n]) == old)
    new_node = next(n for n in ("worker1", "worker2") if n != old_node)

    def fresh(n):
        m = json.loads(json.dumps(per_project[project][0]))
        m["id"] = "00000000-0000-4000-e000-%012d" % n
        m["timestamp_ms"] = 1730500000000 + n
        m["user_profiles"] = m["user_profiles"][n * 40:(n + 1) * 40]
        return m

    msgs = [fresh(n) for n in range(5)]
    calls = settled(lambda: (function_calls(old_node), function_calls(new_node)))
    rec = start_receiver()
    try:
        answers = [post(rec, msgs[0])]
        shard = rows(f"SELECT get_shard_id_for_distribution_column('ctaudience.ct_profile', '{project}')")[0]
        t0 = time.time()
        psql(f"SELECT citus_move_shard_placement({shard}, '{os.path.join(DIR, old_node)}', {NODES[old_node]}, "
             f"'{os.path.join(DIR, new_node)}', {NODES[new_node]}, shard_transfer_mode => 'block_writes')")
        print(f"# {project}'s shard group moved from {old_node} to {new_node} in {time.time() - t0:.1f} s")
        ok(holder(project) == str(NODES[new_node]), f"citus_move_shard_placement moved {project} to {new_node}")
        answers += [post(rec, m) for m in msgs[1:]]
        counted = routes(rec)
    finally:
        stop_receiver(rec)
    after = settled(lambda: (function_calls(old_node), function_calls(new_node)))
    single = [x for x in psql(None, db=SINGLE, script="\n".join(single_call(m) for m in msgs)).stdout.split("\n") if x]
    ok(len(answers) == len(msgs) and all(st == 200 for st, _ in answers) and
       all(response(a) == response(b) for (_, a), b in zip(answers, single)),
       "after the move the receiver's messages are answered as by the single node", answers[:2])
    ok(counted.get("moved") == 1 and counted.get("worker") == len(msgs) and counted.get("fallback") == 0,
       "the old worker told the receiver where the project went, once", counted)
    ok(after[0] - calls[0] == 2 and after[1] - calls[1] == len(msgs) - 1,
       "the first message after the move reached the old worker, which sent it on; the new one answered "
       "every message after the move (calls of the old and the new worker)", (calls, after))
    left = rows(f"SELECT count(*) FROM ctaudience.ct_message WHERE project_id = '{project}' "
                f"AND message_id::text LIKE '00000000-0000-4000-e000-%'")
    ok(left == [str(len(msgs))], "every message is logged in the project's moved shards", left)


def campaigns():
    """In both: per project a live campaign on Partner Sync (Added) to one
    segment, and one on App Launched to everyone."""
    for db in (DB, SINGLE):
        for p in PROJECTS:
            seg = rows(f"SELECT segment_id FROM ctaudience.ct_segment WHERE project_id = '{p}' AND partner_segment_id = 71002",
                       db=db)[0]
            psql(f"""SELECT ctaudience.ct_create_campaign('{p}', 'added {p}', 'email', 'live_behavior', 'Partner Sync',
                                                          '{{"Action": "Added"}}', ARRAY[{seg}]::bigint[], true)""", db=db)
            psql(f"""SELECT ctaudience.ct_create_campaign('{p}', 'app {p}', 'push', 'live_behavior', 'App Launched')""",
                 db=db)
    n = rows("SELECT count(*) FROM ctaudience.ct_campaigns")
    ok(n == ["16"], "campaigns are created on the cluster (ct_campaigns)", n)


def app_events():
    """An app event of three profiles per project, through ct_record_event
    (Citus runs it on the worker); then a sender takes some of the queue."""
    for db in (DB, SINGLE):
        for p in PROJECTS:
            for k, ident in enumerate(rows(f"SELECT identity FROM ctaudience.ct_profile WHERE project_id = '{p}' AND identity IS NOT NULL ORDER BY identity LIMIT 3",
                                           db=db)):
                ct_id = rows(f"SELECT ct_id FROM ctaudience.ct_profile WHERE project_id = '{p}' AND identity = '{ident}'",
                             db=db)[0]
                psql(f"SELECT ctaudience.ct_record_event('{p}', '{ct_id}', 'App Launched', '{{\"Platform\": \"Android\"}}', '2024-11-0{k + 1} 10:00+00')",
                     db=db)
        for c in rows("SELECT campaign_id FROM ctaudience.ct_campaign ORDER BY name", db=db)[:6]:
            rows(f"SELECT count(*) FROM ctaudience.ct_campaign_take({c}, 5)", db=db)
    queued = rows("SELECT sum(queued) FROM ctaudience.ct_campaigns")
    taken = rows("SELECT count(*) FROM ctaudience.ct_campaign_queue WHERE taken_at IS NOT NULL")
    ok(queued[0] not in ("", "0") and taken[0] not in ("", "0"),
       "imports and app events queue campaign rows on the cluster, and senders take them", (queued, taken))


def deliveries_and_export():
    """Senders report what they sent (ct_record_delivery, run on the
    worker); one project's export builds its request on the worker that
    holds it, and mParticle's 202 moves it on."""
    bodies = {}
    for db in (DB, SINGLE):
        # the profiles of the App Launched campaigns' queues (the same in
        # both: app_events() recorded the same launches), all taken
        psql("UPDATE ctaudience.ct_campaign_queue q SET taken_at = coalesce(q.taken_at, '2024-11-05 09:00+00') "
             "FROM ctaudience.ct_campaign c WHERE c.project_id = q.project_id AND c.campaign_id = q.campaign_id "
             "AND c.name LIKE 'app %'", db=db)
        for c, p, ct_id in (line.split(" ") for line in rows(
                "SELECT DISTINCT q.campaign_id || ' ' || q.project_id || ' ' || q.ct_id FROM ctaudience.ct_campaign_queue q "
                "JOIN ctaudience.ct_campaign c USING (project_id, campaign_id) WHERE c.name LIKE 'app %'", db=db)):
            psql(f"SELECT ctaudience.ct_record_delivery('{p}', {c}, '{ct_id}', 'sent', '2024-11-05 10:00+00')", db=db)
        psql("SELECT ctaudience.ct_configure_export('P1', 'feed-key', endpoint => 'http://127.0.0.1:1/s2s')", db=db)
        ct_id = rows("SELECT ct_id FROM ctaudience.ct_profile WHERE project_id = 'P1' ORDER BY identity LIMIT 1", db=db)[0]
        psql(f"SELECT ctaudience.ct_record_event('P1', '{ct_id}', 'Charged', '{{\"Amount\": 5}}', '2024-11-06 10:00+00')", db=db)
        claim = rows("SELECT request_id || ' ' || body FROM ctaudience.ct_export_claim('P1')", db=db)
        request, body = claim[0].split(" ", 1) if claim else ("0", "[]")
        bodies[db] = [[(e["data"].get("event_name"), e["data"].get("custom_attributes")) for e in b["events"]]
                      for b in json.loads(body)]
        rows(f"SELECT ctaudience.ct_export_result('P1', {request}, 202)", db=db)
    delivered = rows("SELECT count(*) FROM ctaudience.ct_delivery")
    ok(delivered not in (["0"], [""]), "senders report deliveries on the cluster (ct_record_delivery)", delivered)
    ok(bodies[DB] == bodies[SINGLE] and bodies[DB] == [[("Charged", {"Amount": "5"})]],
       "an export request is built on the worker that holds the project, as on the single node", bodies)
    sent = rows("SELECT events_sent FROM ctaudience.ct_export_status WHERE project_id = 'P1'")
    ok(sent == ["1"], "mParticle's answer moves the export on (ct_export_result on the worker)", sent)


def journeys(where):
    """A journey per worker (one of its projects), the same in both:
    created and started from the coordinator, entered by an import Citus
    routes to the worker, advanced as of given times by the coordinator's
    ct_advance_journeys (each project's profiles moved on its worker), a
    condition on a recorded event, a send queued, exits (completed, left
    the segment, stopped), an erasure, and an entry on an app event."""
    projects = []
    for port in sorted(set(where.values())):
        projects.append(sorted(p for p in PROJECTS if where[p] == port)[0])
    base_ms = 1733047200000  # 2024-12-01 10:00 UTC

    def msg(p, k, ms, users, action="add"):
        return {"type": "audience_membership_change_request", "id": "00000000-0000-4000-f000-%012d" % k,
                "timestamp_ms": ms, "firehose_version": "3.2.0", "account": {
                    "account_id": 7001, "account_settings": {"accountId": p, "passcode": "passcode-" + p,
                                                             "accountToken": "token-" + p, "region": "eu1"}},
                "user_profiles": [{"mpid": str(5000 + i), "user_identities": [
                    {"type": "customer", "encoding": "raw", "value": u}],
                    "audiences": [{"audience_id": 71777, "audience_name": "Journey audience", "action": action}]}
                    for i, u in enumerate(users)]}

    def both(sql):
        return [rows(sql, db=db) for db in (DB, SINGLE)]

    def ct_id(p, ident, db):
        return rows(f"SELECT ct_id FROM ctaudience.ct_profile WHERE project_id = '{p}' AND identity = '{ident}'", db=db)[0]

    # the segment, made by an import before the journey starts (j-seed never enters)
    send_both([msg(p, 10 + k, base_ms - 86400000, ["j-seed"]) for k, p in enumerate(projects)], [0, 0])
    journey = {}
    for db in (DB, SINGLE):
        for p in projects:
            seg = rows(f"SELECT segment_id FROM ctaudience.ct_segment WHERE project_id = '{p}' AND partner_segment_id = 71777",
                       db=db)[0]
            nodes = json.dumps([
                {"id": "in", "type": "entry", "segment_id": int(seg), "next": "hour"},
                {"id": "hour", "type": "wait", "duration": "1 hour", "next": "bought"},
                {"id": "bought", "type": "condition", "did_event": "Charged", "yes": "done", "no": "email"},
                {"id": "email", "type": "send", "channel": "email", "next": "day"},
                {"id": "day", "type": "wait", "duration": "1 day", "next": "done"},
                {"id": "done", "type": "exit"}])
            j = rows(f"SELECT ctaudience.ct_create_journey('{p}', 'cart {p}', '{nodes}')", db=db)[0]
            rows(f"SELECT ctaudience.ct_start_journey({j}, as_of => '2024-12-01 00:00+00')", db=db)
            journey[(db, p)] = j
            # an entry on an app event
            ev = json.dumps([{"id": "in", "type": "entry", "event": "Wishlist", "next": "done"},
                             {"id": "done", "type": "exit"}])
            j2 = rows(f"SELECT ctaudience.ct_create_journey('{p}', 'wishlist {p}', '{ev}')", db=db)[0]
            rows(f"SELECT ctaudience.ct_start_journey({j2}, as_of => '2024-12-01 00:00+00')", db=db)
    live = rows("SELECT count(*) FROM ctaudience.ct_journey WHERE status = 'live'")
    ok(live == [str(2 * len(projects))], "journeys are created and started from the coordinator", live)
    placed = rows("SELECT count(*) FROM pg_dist_partition WHERE logicalrelid::text LIKE 'ctaudience.ct_journey%' "
                  "AND colocationid = (SELECT colocationid FROM pg_dist_partition WHERE logicalrelid = 'ctaudience.ct_profile'::regclass)")
    ok(placed == ["3"], "ct_journey, ct_journey_state and ct_journey_step are co-located with ct_profile", placed)

    # entered live by an import that Citus runs on the worker
    users = ["j-0", "j-1", "j-2", "j-3"]
    send_both([msg(p, 20 + k, base_ms, users) for k, p in enumerate(projects)], [0, 0])
    entered = both("SELECT project_id || ' ' || count(*) FROM ctaudience.ct_journey_state "
                   "WHERE exited_at IS NULL GROUP BY project_id ORDER BY 1")
    ok(entered[0] == entered[1] == [f"{p} 4" for p in projects],
       "an import routed to the worker entered the journey's segment's new members (not the one added before its start)",
       entered)
    for db in (DB, SINGLE):
        for p in projects:
            c = ct_id(p, "j-1", db)
            rows(f"SELECT ctaudience.ct_record_event('{p}', '{c}', 'Charged', '{{}}', '2024-12-01 10:30+00')", db=db)
            c = ct_id(p, "j-0", db)
            rows(f"SELECT ctaudience.ct_record_event('{p}', '{c}', 'Wishlist', '{{}}', '2024-12-01 10:40+00')", db=db)
    calls0 = {n: int(rows("SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions WHERE funcid = "
                          "'ctaudience.ct_advance_project_journeys(text,integer,timestamptz)'::regprocedure", n)[0])
              for n in NODES}
    moved = both("SELECT ctaudience.ct_advance_journeys(1000, as_of => '2024-12-01 10:45+00')")
    ok(moved[0] == moved[1] == [str(5 * len(projects))],
       "ct_advance_journeys on the coordinator moves every project's due profiles (4 to the wait, 1 through the app-event journey each)",
       moved)
    moved = both("SELECT ctaudience.ct_advance_journeys(1000, as_of => '2024-12-01 11:30+00')")
    ok(moved[0] == moved[1] == [str(4 * len(projects))], "after the wait: every waiting profile moved", moved)
    time.sleep(1)
    calls = {n: int(rows("SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions WHERE funcid = "
                         "'ctaudience.ct_advance_project_journeys(text,integer,timestamptz)'::regprocedure", n)[0])
             for n in NODES}
    ok(calls["coordinator"] == calls0["coordinator"] and
       all(calls[n] - calls0[n] == 2 for n in ("worker1", "worker2")),
       "each project's profiles were advanced on the worker holding it, none on the coordinator", (calls0, calls))
    steps = both("SELECT j.name || ' ' || p.identity || ' ' || s.node || ' ' || s.outcome FROM ctaudience.ct_journey_step s "
                 "JOIN ctaudience.ct_journey j USING (project_id, journey_id) "
                 "JOIN ctaudience.ct_profile p USING (project_id, ct_id) ORDER BY 1")
    ok(steps[0] == steps[1] and f"cart {projects[0]} j-1 bought yes" in steps[0] and
       f"cart {projects[0]} j-0 bought no" in steps[0] and f"wishlist {projects[1]} j-0 done completed" in steps[0],
       "the steps (a condition on a recorded event, an entry on an app event) equal the single node's", steps[0][:12])
    queued = both("SELECT c.name || ' ' || count(*) FROM ctaudience.ct_campaign_queue q JOIN ctaudience.ct_campaign c "
                  "USING (project_id, campaign_id) WHERE c.kind = 'journey' GROUP BY c.name ORDER BY 1")
    ok(queued[0] == queued[1] == [f"cart {p}: email 3" for p in projects],
       "the send node queued a row for each profile that did not buy, on the worker", queued)

    # j-3 leaves the segment, j-2 is erased, then the clock and a stop
    send_both([msg(p, 30 + k, base_ms + 7200000, ["j-3"], "delete") for k, p in enumerate(projects)], [0, 0])
    erase = [dict({"type": "dsr_processing_request", "id": "00000000-0000-4000-f000-%012d" % (40 + k),
                   "timestamp_ms": base_ms + 7300000, "firehose_version": "3.2.0",
                   "subject_request_id": "dsr-j-" + p, "subject_request_type": "erasure", "regulation": "gdpr",
                   "subject_identities": {"customer_id": {"encoding": "raw", "value": "j-2"}}},
                  account=msg(p, 0, 0, [])["account"]) for k, p in enumerate(projects)]
    subject = {db: " OR ".join(f"(project_id = '{p}' AND ct_id = '{ct_id(p, 'j-2', db)}')" for p in projects)
               for db in (DB, SINGLE)}

    def of_subject():
        return [rows(f"SELECT (SELECT count(*) FROM ctaudience.ct_journey_state WHERE {subject[db]}) + "
                     f"(SELECT count(*) FROM ctaudience.ct_journey_step WHERE {subject[db]})", db=db) for db in (DB, SINGLE)]

    before = of_subject()
    send_both(erase, [0, 0])
    after = of_subject()
    ok(before[0] == before[1] and before[0] != ["0"] and after == [["0"], ["0"]],
       "an erasure on the worker removed its subject's journey state and steps", (before, after))
    gone = both("SELECT count(*) FROM ctaudience.ct_journey_state s JOIN ctaudience.ct_journey j "
                "USING (project_id, journey_id) WHERE j.name LIKE 'cart %'")
    ok(gone[0] == gone[1] == [str(3 * len(projects))], "the others are still in the journey", gone)
    moved = both("SELECT ctaudience.ct_advance_journeys(1000, as_of => '2024-12-01 12:30+00')")
    ok(moved[0] == moved[1] == [str(len(projects))], "the clock exits the profile that left the segment", moved)
    stopped = [[rows(f"SELECT ctaudience.ct_stop_journey({journey[(db, p)]})", db=db)[0] for p in projects]
               for db in (DB, SINGLE)]
    ok(stopped[0] == stopped[1] == ["1"] * len(projects), "ct_stop_journey on the coordinator exits who was waiting",
       stopped)
    exits = both("SELECT j.name || ' ' || p.identity || ' ' || s.exit_reason FROM ctaudience.ct_journey_state s "
                 "JOIN ctaudience.ct_journey j USING (project_id, journey_id) "
                 "JOIN ctaudience.ct_profile p USING (project_id, ct_id) WHERE j.name LIKE 'cart %' ORDER BY 1")
    ok(exits[0] == exits[1] == sorted(f"cart {p} {u} {r}" for p in projects
                                      for u, r in (("j-0", "stopped"), ("j-1", "completed"), ("j-3", "left_segment"))),
       "exits: completed (bought), left_segment, stopped", exits)
    stats = both("SELECT name || ' ' || node || ' ' || entered || ' ' || yes || ' ' || no || ' ' || sent || ' ' || "
                 "completed || ' ' || left_segment || ' ' || stopped FROM ctaudience.ct_journey_stats "
                 "WHERE name LIKE 'cart %' ORDER BY name, node_position")
    ok(stats[0] == stats[1] and f"cart {projects[0]} email 0 0 0 2 0 0 0" in stats[0],
       "ct_journey_stats read on the coordinator equals the single node's", stats[0][:6])
    plan = "\n".join(rows(f"EXPLAIN (COSTS OFF) SELECT * FROM ctaudience.ct_journey_stats WHERE project_id = '{projects[0]}'"))
    ok("Task Count: 1" in plan and f"port={where[projects[0]]}" in plan,
       "ct_journey_stats filtered by one project: one task, on the worker that holds it", plan[:400])

    # the clock as pg_cron runs it on the coordinator (ct_schedule_journeys):
    # j-1's Wishlist enters it into the live app-event journey, due at once
    for db in (DB, SINGLE):
        for p in projects:
            rows(f"SELECT ctaudience.ct_record_event('{p}', '{ct_id(p, 'j-1', db)}', 'Wishlist', '{{}}', '2024-12-02 10:00+00')",
                 db=db)
    rows("SELECT ctaudience.ct_advance_journeys(1000)", db=SINGLE)
    psql("SELECT ctaudience.ct_schedule_journeys('* * * * *', 1000, 'ctaudience_citus_journeys')")
    deadline = time.time() + 130
    done = []
    while time.time() < deadline:
        done = rows("SELECT count(*) FROM ctaudience.ct_journey_state s JOIN ctaudience.ct_journey j "
                    "USING (project_id, journey_id) WHERE j.name LIKE 'wishlist %' AND s.exit_reason = 'completed'")
        if done == [str(2 * len(projects))]:
            break
        time.sleep(2)
    psql("SELECT cron.unschedule('ctaudience_citus_journeys')")
    ok(done == [str(2 * len(projects))], "the pg_cron job of ct_schedule_journeys on the coordinator moves the due profiles",
       done)


def psql_as(role, sql, db=DB):
    """sql as a role logged in (not SET ROLE: Citus connects to the workers as it)."""
    cmd = [os.path.join(PG_BIN, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h",
           os.path.join(DIR, "coordinator"), "-p", str(NODES["coordinator"]), "-U", role, "-d", db, "-c", sql]
    r = subprocess.run(cmd, capture_output=True, text=True)
    return [line for line in r.stdout.split("\n") if line != ""], r.stderr.strip()


VIEWS = ["ct_segments", "ct_segment_stats", "ct_profile_activity", "ct_find_people", "ct_usage", "ct_import_log",
         "ct_segment_daily", "ct_inbox_status", "ct_inbox_dead_letters", "ct_campaigns", "ct_campaign_results",
         "ct_export_status", "ct_export_dead_letters"]


def project_roles(where):
    """A role given a project on each worker, and a role of every project,
    on the cluster and on the single node alike."""
    mine = [next(p for p in PROJECTS if where[p] == port) for port in sorted(set(where.values()))]
    other = next(p for p in PROJECTS if p not in mine)
    psql("CREATE ROLE ct_pr_team LOGIN")
    psql("CREATE ROLE ct_pr_all LOGIN IN ROLE ctaudience_reader, ctaudience_sender")
    for db in (DB, SINGLE):
        for p in mine:
            psql(f"SELECT ctaudience.ct_grant_project('ct_pr_team', '{p}', 'read')", db=db)
        psql(f"SELECT ctaudience.ct_grant_project('ct_pr_team', '{mine[0]}', 'send')", db=db)
    member = rows("SELECT pg_has_role('ct_pr_team', 'ctaudience_scoped', 'MEMBER')", node="worker1")
    ok(member == ["t"], "ct_grant_project's GRANT ctaudience_scoped reaches the workers", member)
    for view in VIEWS:
        everyone = rows(f"SELECT DISTINCT project_id FROM ctaudience.{view} ORDER BY 1")
        seen = {}
        for db in (DB, SINGLE):
            seen[db] = (psql_as("ct_pr_team", f"SELECT DISTINCT project_id FROM ctaudience.{view} ORDER BY 1", db),
                        psql_as("ct_pr_all", f"SELECT DISTINCT project_id FROM ctaudience.{view} ORDER BY 1", db))
        (team, err), (every, err2) = seen[DB]
        ok(not err and not err2 and set(team) <= set(mine) and every == everyone and seen[DB] == seen[SINGLE],
           f"{view}: the team reads its projects ({','.join(team) or 'none'}), a reader of every project all, "
           "as on the single node", (seen, everyone))
    taken = {}
    for db in (DB, SINGLE):
        c_mine, c_other = (rows(f"SELECT campaign_id FROM ctaudience.ct_campaign WHERE name = 'added {p}'", db=db)[0]
                           for p in (mine[0], other))
        refused = psql_as("ct_pr_team", f"SELECT count(*) FROM ctaudience.ct_campaign_take({c_other}, 2)", db)[1]
        took = psql_as("ct_pr_team", f"SELECT count(*) FROM ctaudience.ct_campaign_take({c_mine}, 2)", db)
        ct_id = rows(f"SELECT ct_id FROM ctaudience.ct_profile WHERE project_id = '{other}' LIMIT 1", db=db)[0]
        delivery = psql_as("ct_pr_team", f"SELECT ctaudience.ct_record_delivery('{other}', {c_other}, '{ct_id}', 'sent')", db)[1]
        seg = rows(f"SELECT min(segment_id) FROM ctaudience.ct_segment WHERE project_id = '{mine[1]}'", db=db)[0]
        trend = psql_as("ct_pr_team", f"SELECT count(*) FROM ctaudience.ct_segment_trend({seg}, 3)", db)
        taken[db] = ("permission denied for campaign" in refused, took, "permission denied" in delivery, trend)
    ok(taken[DB] == taken[SINGLE] and taken[DB][0] and taken[DB][2] and taken[DB][1][0] and taken[DB][3][0] == ["3"],
       "the team takes from its campaign only, is refused another project's delivery on its worker, "
       "and reads its trend, as on the single node", taken)
    for db in (DB, SINGLE):
        psql("SELECT ctaudience.ct_revoke_project('ct_pr_team')", db=db)
    psql("DROP ROLE ct_pr_team")
    psql("DROP ROLE ct_pr_all")


def worker_restart(per_project, where):
    """A worker restarted mid-run: retryable errors, nothing half-written."""
    node = "worker2" if str(NODES["worker2"]) in where.values() else "worker1"
    projects = [p for p in PROJECTS if where[p] == str(NODES[node])]
    others = [p for p in PROJECTS if where[p] != str(NODES[node])]

    def fresh(p, n):
        m = json.loads(json.dumps(per_project[p][0]))
        m["id"] = "00000000-0000-4000-a000-%012d" % n
        m["timestamp_ms"] = 1730300000000 + n
        m["user_profiles"] = m["user_profiles"][n % 5 * 100:(n % 5 + 1) * 100]
        return m

    # a message's transaction open on the worker when it restarts
    m = fresh(projects[0], 1)
    pdir = os.path.join(DIR, node, "data")
    r = psql(None, check=False, script=f"""
\\set ON_ERROR_STOP 0
\\set VERBOSITY verbose
BEGIN;
SELECT ctaudience.ct_firehose('{projects[0]}', {lit(json.dumps(m))}) IS NOT NULL;
\\! runuser -u postgres -- {PG_BIN}/pg_ctl -D {pdir} -m fast -w restart >/dev/null
COMMIT;
""")
    err = r.stderr.strip()
    print(f"# the open transaction's error: {err}")
    code = err.split("ERROR:")[-1].split()[0] if "ERROR:" in err else ""
    ok(code[:2] in ("08", "57", "40", "53", "XX"),
       "a message in a transaction open on a restarted worker fails", err)
    left = rows(f"SELECT count(*) FROM ctaudience.ct_message WHERE project_id = '{projects[0]}' AND message_id = '{m['id']}'")
    ok(left == ["0"], "it leaves nothing: no log entry, no rows", left)
    d, s = send_both([m], [0])
    ok(len(d) == 1 and response(d[0]) == response(s[0]), "sent again, it succeeds, as on the single node")

    # a stream of messages for both workers while one restarts
    stream = [fresh(projects[i % len(projects)] if i % 2 else others[i % len(others)], 10 + i) for i in range(16)]
    codes = []
    answers = {}

    def sender():
        for i, msg in enumerate(stream):
            for attempt in range(40):
                r = psql(None, check=False,
                         script="\\set VERBOSITY sqlstate\n" + call(msg, i % 3))
                if r.returncode == 0:
                    answers[i] = r.stdout.strip()
                    break
                codes.append(r.stderr.strip().split()[-1] if r.stderr.strip() else "?")
                time.sleep(0.5)

    t = threading.Thread(target=sender)
    t.start()
    time.sleep(0.3)
    pg_ctl(node, "restart")
    t.join()
    print(f"# errors during the restart, by SQLSTATE: {sorted(set(codes))} ({len(codes)} in all)")
    ok(len(answers) == len(stream), "every message of the stream succeeded, on retry where needed",
       f"{len(answers)} of {len(stream)}")
    ok(all(c[:2] in ("08", "57", "40", "53", "XX") for c in codes),
       "the errors were of a connection or shutdown, to retry", codes)
    single = psql(None, db=SINGLE, script="\n".join(single_call(msg) for msg in stream)).stdout.split("\n")
    single = [x for x in single if x]
    ok(all(response(answers[i]) == response(single[i]) for i in range(len(stream)) if i in answers),
       "their answers equal the single node's")


if __name__ == "__main__":
    main()
