#!/usr/bin/env python3
"""ctaudience-exporter end to end, on the cluster test/cluster/exporter.sh
started (CT_TEST_CLUSTER: its directory and socket; PGPORT), against the
stand-in of mParticle's Events API (events_api.py, on a loopback port, in
this process).  Each check prints "ok - ..." or "not ok - ..."; the exit
status is 1 when one failed.

Exporters connect as a login role of their own, a member of
ctaudience_exporter, and read their feed secrets from a file only their
owner may read.  Every project of a check is its own, with its own feed
key, so the checks do not see each other's requests.  Checks, in order:
  the command line (flags, the secrets file's permissions);
  a normal export: every event exactly once, no batch mixing users, a
  user's events in one batch of a request, no request or batch over a
  limit, the attribute limits, the statuses and the log lines;
  storms of 429 (with and without Retry-After, which is honoured), 503 and
  dropped connections: everything once, nothing skipped; the rate limit;
  401 and 403 pause only that project, 400 dead-letters only that request;
  values the Events API refuses (an empty attribute name or customer_id, a
  time before 1970) are left out, so every request is accepted; a 3xx
  pauses the project like 404 and 405, each with a WARNING of its own;
  SIGKILL of the exporter mid-request: the resend has the same
  source_request_id and body, mParticle's de-duplication keeps it once;
  SIGTERM with a request in flight completes it; PostgreSQL stopped and
  restarted (also between a post and its report);
  export types (all, selected, engagement, user properties), once with
  the 60-day look-back, recurring intervals;
  per-project roles: a role given one project to export (ct_grant_project)
  exports that project only;
  the round trip: a profile made by an import with a Customer ID only is
  exported; an audience message naming it only by the CleverTap_User_ID
  the stand-in received finds the same profile (identity rule 1);
  an erasure before the export: nothing of the subject is sent;
  an erasure between a claim and its post (a test-only pause of the
  exporter, CT_EXPORTER_TEST_HOLD_PAUSE_MS): not posted; one during a post
  waits for it (ct_export_hold);
  GET /metrics and /healthz; the feed secrets in no table, log line or
  error; the exporter under valgrind.
With --citus (exporter.sh, where ../shared/citus is present): projects
spread over two Citus workers, exported through the coordinator, every
claim and result run on the worker that holds its project; an erasure
between a claim and its post, and one during a post, as above.
"""
import collections
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from events_api import EventsApi, MAX_BATCH, MAX_REQUEST, MAX_BATCHES, split_array  # noqa: E402

CLUSTER = os.environ["CT_TEST_CLUSTER"]
PG_BIN = os.environ["CT_TEST_PG_BIN"]
PGPORT = os.environ["PGPORT"]
DB = "ct_exporter"
EXPORTER = os.path.join(PG_BIN, "ctaudience-exporter")
WORK = tempfile.mkdtemp(prefix="ctaudience-exporter-test.")
DSN = f"host={CLUSTER} port={PGPORT} dbname={DB} user=ct_exporter"
PASSCODE = "export-passcode-1"

# the feed keys and their secrets: what the stand-in accepts
KEYS = {}
SECRETS_FILE = os.path.join(WORK, "secrets")
LOGS = []                      # every exporter's log, for the secret check

failures = 0


def check(cond, desc, detail=""):
    global failures
    if cond:
        print(f"ok - {desc}", flush=True)
    else:
        failures += 1
        print(f"not ok - {desc}" + (f": {detail}" if detail else ""), flush=True)


def psql(sql, db=DB, user="postgres"):
    r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-U", user, "-d", db, "-c", sql],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"psql failed: {sql}\n{r.stderr}")
    return r.stdout.strip()


def q(value):
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def pg_ctl(action):
    subprocess.run(["runuser", "-u", "postgres", "--", os.path.join(PG_BIN, "pg_ctl"), "-D",
                    os.path.join(CLUSTER, "data"), "-l", os.path.join(CLUSTER, "server.log"),
                    "-m", "fast", "-w", action], check=True, stdout=subprocess.DEVNULL)


def wait_for(cond, timeout=60, step=0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(step)
    return cond()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def write_secrets():
    with open(SECRETS_FILE, "w") as f:
        for key, secret in KEYS.items():
            f.write(f"{key} {secret}\n")
    os.chmod(SECRETS_FILE, 0o600)


class Exporter:
    """A ctaudience-exporter; its stderr in a file.  Quick settings for tests
    (a pass every second, backoff at most a second, a 5 s lease) unless
    the arguments say otherwise."""

    def __init__(self, name, *args, wrapper=(), env=None, secrets=None, user="ct_exporter"):
        self.logpath = os.path.join(WORK, name + ".log")
        LOGS.append(self.logpath)
        quick = {"--interval": "1", "--max-backoff": "1", "--lease": "5", "--timeout": "4"}
        for a in args:
            quick.pop(a, None)
        dsn = DSN.replace("user=ct_exporter", f"user={user}")
        cmd = list(wrapper) + [EXPORTER, "--dsn", dsn, "--secrets", secrets or SECRETS_FILE]
        for k, v in quick.items():
            cmd += [k, v]
        cmd += list(args)
        with open(self.logpath, "w") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=log, env=env)

    def wait(self, timeout=120):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None

    def stop(self, timeout=60):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def kill(self):
        self.proc.kill()
        self.proc.wait()

    def log(self):
        with open(self.logpath) as f:
            return f.read()

    def request_lines(self):
        return [l for l in self.log().splitlines() if " project=" in l and " request=" in l]


def once(name, *args, **kw):
    e = Exporter(name, "--once", *args, **kw)
    code = e.wait()
    return code, e.log()


# ---------------------------------------------------------------------------
# projects, profiles and events

def new_project(api, project, export="all_events", schedule="recurring", every="4 hours", extra=""):
    """A project with its feed key (a secret the stand-in and the exporter know) and its export."""
    key = f"key-{project}"
    KEYS[key] = f"secret-{project}-{os.urandom(6).hex()}"
    api.keys[key] = KEYS[key]
    write_secrets()
    psql(f"SELECT ctaudience.ct_register_project({q(project)}, {q(PASSCODE)}, {q('token-' + project)}, 'eu1')")
    configure(api, project, export, schedule, every, extra)
    return key


def configure(api, project, export="all_events", schedule="recurring", every="4 hours", extra=""):
    psql(f"SELECT ctaudience.ct_configure_export(project_id => {q(project)}, feed_key => {q('key-' + project)},"
         f" endpoint => {q(api.url)}, export_type => {q(export)}, schedule => {q(schedule)},"
         f" every => {q(every)}, environment => 'development'{extra})")


MESSAGES = [0]


def membership(project, users, audience=8001, name="Export test", action="add"):
    """Import a membership message: users are dicts with mpid and optional customer, email, partner."""
    MESSAGES[0] += 1
    n = MESSAGES[0]
    profiles = []
    for u in users:
        p = {"mpid": u["mpid"], "audiences": [{"audience_id": audience, "audience_name": name, "action": action}]}
        ids = []
        if u.get("customer"):
            ids.append({"type": "customer", "encoding": "raw", "value": u["customer"]})
        if u.get("email"):
            ids.append({"type": "email", "encoding": "raw", "value": u["email"]})
        if ids:
            p["user_identities"] = ids
        if u.get("partner"):
            p["partner_identities"] = [{"type": "CleverTap_User_ID", "encoding": "raw", "value": u["partner"]}]
        profiles.append(p)
    m = {"type": "audience_membership_change_request", "id": f"00000000-0000-4000-9000-{n:012d}",
         "timestamp_ms": int(time.time() * 1000) - 60000 + n, "firehose_version": "3.2.0",
         "account": {"account_id": 8001, "account_settings": {"accountId": project, "passcode": PASSCODE,
                                                                "accountToken": "token-" + project, "region": "eu1"}},
         "user_profiles": profiles}
    return json.loads(psql(f"SELECT ctaudience.ct_import_audience({q(json.dumps(m))}::text)"))


def users(project, count, prefix="u"):
    base = 10 ** 12 + (sum(project.encode()) % 1000) * 10 ** 6 + (sum(prefix.encode()) % 100) * 10 ** 4
    return [{"mpid": str(base + i), "customer": f"{project}-{prefix}{i}",
             "email": f"{project.lower()}.{prefix}{i}@example.com"} for i in range(count)]


def profiles(project):
    """ct_id of each customer id."""
    out = psql(f"SELECT identity, ct_id FROM ctaudience.ct_profile WHERE project_id = {q(project)}")
    return dict(l.split("|") for l in out.splitlines() if l)


def record_events(project, per_user, name="App Launched", props_sql="jsonb_build_object('Platform', 'Android', 'n', g)",
                  ago="1 hour", where="true"):
    """per_user events for each profile (where), each at a time of its own; returns how many."""
    return int(psql(f"SELECT count(ctaudience.ct_record_event(project_id, ct_id, {q(name)}, {props_sql},"
                    f" now() - interval {q(ago)} + g * interval '1 millisecond' + k * interval '1 second'))"
                    f" FROM (SELECT project_id, ct_id, row_number() OVER (ORDER BY ct_id) AS k"
                    f" FROM ctaudience.ct_profile WHERE project_id = {q(project)} AND {where}) p,"
                    f" generate_series(1, {per_user}) g"))


def project_with_events(api, project, nusers, per_user):
    """A project with its export, nusers profiles, per_user App Launched each; its feed key."""
    key = new_project(api, project)
    membership(project, users(project, nusers))
    record_events(project, per_user)
    return key


def start_held(api, key, name, *args):
    """An exporter whose first request of key the stand-in holds 3 seconds, then answers as usual."""
    api.held.clear()
    api.answer(None, count=1, key=key, hold=3)
    e = Exporter(name, *args)
    check(wait_for(api.held.is_set, 30), f"{name}: the stand-in holds the first request")
    return e


def expected_events(project, names_sql="event_name <> 'Partner Sync'"):
    """What the export should send: (ct_id, event_name, ms) of each event."""
    out = psql(f"SELECT ct_id, event_name, floor(extract(epoch FROM ts) * 1000)::bigint FROM ctaudience.ct_event"
               f" WHERE project_id = {q(project)} AND {names_sql}")
    return collections.Counter(tuple(l.split("|")[:2]) + (int(l.split("|")[2]),) for l in out.splitlines() if l)


def received(api, key):
    """What the stand-in recorded for a key: (ct_id, event_name, ms) of each event."""
    c = collections.Counter()
    with api.lock:
        batches = [b for k, b in api.accepted if k == key]
    for b in batches:
        ct_id = b.get("partner_identities", {}).get("CleverTap_User_ID")
        for e in b.get("events", []):
            d = e["data"]
            c[(ct_id, d.get("event_name"), d.get("timestamp_unixtime_ms"))] += 1
    return c


def batches_of(api, key):
    with api.lock:
        return [b for k, b in api.accepted if k == key]


def requests_of(api, key, status=None):
    with api.lock:
        return [r for r in api.log if r["key"] == key and (status is None or r["status"] == status)]


def status_of(project):
    out = psql(f"SELECT row_to_json(s) FROM ctaudience.ct_export_status s WHERE project_id = {q(project)}")
    return json.loads(out) if out else {}


def exactly_once(api, key, project, what, names_sql="event_name <> 'Partner Sync'"):
    want, got = expected_events(project, names_sql), received(api, key)
    missing, extra = want - got, got - want
    check(want and not missing and not extra, f"{what}: every event exported exactly once ({sum(want.values())})",
          f"missing {sum(missing.values())}, extra or repeated {sum(extra.values())}: {list((missing or extra).items())[:3]}")


# ---------------------------------------------------------------------------
def setup():
    psql("CREATE EXTENSION ctaudience")
    hook = os.environ.get("CT_TEST_SETUP_SQL")
    if hook:
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", DB, "-f", hook], check=True,
                       stdout=subprocess.DEVNULL)
    psql("CREATE ROLE ct_exporter LOGIN IN ROLE ctaudience_exporter")
    write_secrets()


def test_command_line():
    r = subprocess.run([EXPORTER, "--help"], capture_output=True, text=True)
    flags = ["--dsn", "--secrets", "--rate", "--once", "--interval", "--lease", "--timeout", "--workers",
             "--max-backoff", "--metrics", "CT_EXPORTER_SECRET"]
    check(r.returncode == 0 and all(f in r.stdout for f in flags), "--help lists every flag",
          [f for f in flags if f not in r.stdout])
    r = subprocess.run([EXPORTER, "--rate", "fast", "--secrets", SECRETS_FILE], capture_output=True, text=True)
    check(r.returncode == 2 and "--rate must be a number" in r.stderr, "a bad flag value exits 2 with a message", r.stderr)
    r = subprocess.run([EXPORTER, "--once"], capture_output=True, text=True, env={"PATH": os.environ["PATH"]})
    check(r.returncode == 2 and "no feed secret" in r.stderr, "no secret at all: exit 2", r.stderr)
    loose = os.path.join(WORK, "loose-secrets")
    with open(loose, "w") as f:
        f.write("some-key some-secret-value\n")
    os.chmod(loose, 0o640)
    r = subprocess.run([EXPORTER, "--secrets", loose, "--once"], capture_output=True, text=True)
    check(r.returncode == 2 and "chmod 600" in r.stderr and "some-secret-value" not in r.stderr,
          "a secrets file that its group may read is refused (exit 2), naming no secret", r.stderr)
    os.chmod(loose, 0o600)
    with open(loose, "w") as f:
        f.write("# a comment\n\nkey-one secret-one\nkey-two secret-two with-more\n")
    r = subprocess.run([EXPORTER, "--secrets", loose, "--once"], capture_output=True, text=True)
    check(r.returncode == 2 and "line 4" in r.stderr and "secret-two" not in r.stderr,
          "a malformed line of the secrets file is named by its number, not its text", r.stderr)
    r = subprocess.run([EXPORTER, "--secrets", SECRETS_FILE, "--lease", "10", "--timeout", "20"], capture_output=True, text=True)
    check(r.returncode == 2 and "--lease" in r.stderr, "a lease not longer than the timeout is refused", r.stderr)


def test_normal(api):
    """A normal export of 150 users: limits, grouping, exactly once, the log."""
    project = "EXP-NORMAL"
    key = new_project(api, project)
    us = users(project, 150)
    membership(project, us)
    ids = profiles(project)
    n = record_events(project, 4)
    # one user's large events, which cannot all go in one batch of 128 KB
    big = us[0]["customer"]
    n += record_events(project, 40, name="Big Event",
                       props_sql="(SELECT jsonb_object_agg('attribute ' || a, repeat('x', 150)) FROM generate_series(1, 30) a)",
                       where=f"identity = {q(big)}")
    # over mParticle's limits: 120 attributes, a value of 5,000 characters, a name of 300
    n += record_events(project, 1, name="Many Attributes",
                       props_sql="(SELECT jsonb_object_agg('a' || a, a) FROM generate_series(1, 120) a)",
                       where=f"identity = {q(us[1]['customer'])}")
    n += record_events(project, 1, name="Long Value", props_sql="jsonb_build_object('long', repeat('v', 5000))",
                       where=f"identity = {q(us[2]['customer'])}")
    status = status_of(project)
    check(status.get("enabled") is True and int(status.get("waiting", 0)) >= n,
          "ct_export_status: enabled, the events waiting", f"{status}")

    before_run = psql("SELECT now()")
    code, log = once("normal")
    check(code == 0, "--once exits 0 when everything due was sent", f"exit {code}\n{log[-2000:]}")
    exactly_once(api, key, project, "a normal export")

    reqs = requests_of(api, key)
    check(reqs and all(r["status"] == 202 for r in reqs), "every request was answered 202",
          collections.Counter(r["status"] for r in reqs))
    check(not [v for k, v in api.violations if k == key], "no request broke a rule of the Events API",
          [v for k, v in api.violations if k == key][:3])
    check(all(len(r["body"]) <= MAX_REQUEST for r in reqs), "no request over 256 KB", max(len(r["body"]) for r in reqs))
    check(all(1 <= r["batches"] <= MAX_BATCHES for r in reqs), "1 to 100 batches a request")
    check(len(reqs) >= 2, "150 users need at least two requests", len(reqs))
    bs = batches_of(api, key)
    sizes = [len(t.encode()) for r in reqs for _, t in split_array(r["body"].decode())]
    check(max(sizes) <= MAX_BATCH, "no batch over 128 KB (of the request's text)", max(sizes))
    mixed = [b for b in bs for e in b.get("events", [])
             if (b["partner_identities"]["CleverTap_User_ID"], e["data"]["event_name"],
                 e["data"]["timestamp_unixtime_ms"]) not in expected_events(project)]
    check(not mixed, "no batch mixes users: each event is its batch's user's", len(mixed))
    # a user gets more than one batch in a request only when one would pass 128 KB
    split = []
    for r in reqs:
        per_user = collections.defaultdict(list)
        for b, text in split_array(r["body"].decode()):
            per_user[b["partner_identities"]["CleverTap_User_ID"]].append(len(text.encode()))
        split += [s for s in per_user.values() if len(s) > 1 and sum(s) <= MAX_BATCH]
    check(not split, "a user's events are in one batch of a request, unless they pass 128 KB", split[:3])
    big_id = ids[big]
    check(sum(1 for b in bs if b["partner_identities"]["CleverTap_User_ID"] == big_id) >= 2,
          "a user whose events pass 128 KB gets more than one batch")
    check(all(b.get("environment") == "development" for b in bs), "every batch carries the environment configured")
    check(len({b["source_request_id"] for b in bs}) == len(bs), "every batch has its own source_request_id")
    ident = [b for b in bs if b.get("user_identities", {}).get("customer_id") not in ids
             or ids[b["user_identities"]["customer_id"]] != b["partner_identities"]["CleverTap_User_ID"]]
    check(not ident, "each batch names its profile: customer_id and CleverTap_User_ID agree", len(ident))
    launched = [e["data"] for b in bs for e in b["events"] if e["data"]["event_name"] == "App Launched"]
    check(launched and all(d.get("custom_event_type") == "other" and d.get("custom_attributes", {}).get("Platform") == "Android"
                           and d["custom_attributes"].get("n") in ("1", "2", "3", "4") and d.get("source_message_id")
                           for d in launched),
          "App Launched: a custom event of type other, its properties as string attributes, a source_message_id",
          launched[:1])
    many = [e["data"] for b in bs for e in b["events"] if e["data"]["event_name"] == "Many Attributes"]
    check(len(many) == 1 and len(many[0].get("custom_attributes", {})) == 100,
          "an event of 120 properties is sent with 100 attributes", [len(m.get("custom_attributes", {})) for m in many])
    long_value = [e["data"] for b in bs for e in b["events"] if e["data"]["event_name"] == "Long Value"]
    check(len(long_value) == 1 and len(long_value[0]["custom_attributes"]["long"]) == 4096,
          "a value of 5,000 characters is cut to 4,096")

    status = status_of(project)
    check(status.get("status") == "active" and int(status.get("waiting", -1)) == 0
          and int(status.get("events_sent", 0)) == n and int(status.get("requests_sent", 0)) == len(reqs)
          and status.get("last_success_at"),
          "ct_export_status: nothing waiting, the requests and events sent, the last success", f"{status}")
    lines = [l for l in log.splitlines() if " project=" in l and " request=" in l]
    check(len(lines) == len(reqs), "one log line per request", f"{len(lines)} lines, {len(reqs)} requests")
    check(all(re.match(r"\d{4}-\d\d-\d\dT[\d:.]+Z project=EXP-NORMAL request=\d+ source_request_id=\S+ batches=\d+ events=\d+ "
                       r"try=1 status=202 outcome=accepted ms=[\d.]+ db_ms=[\d.]+ hold_ms=[\d.]+$", l) for l in lines),
          "each line: the project, the request, batches, events, the try, status, outcome, milliseconds", lines[:1])

    # nothing more is due: the recurring run is done until its interval has passed
    before = len(reqs)
    code, log = once("normal-again")
    check(code == 0 and len(requests_of(api, key)) == before and project not in psql("SELECT string_agg(project_id, ',') FROM ctaudience.ct_export_due()"),
          "a second pass sends nothing: the next run is not due before its interval", log[-500:])
    nxt = psql(f"SELECT next_run_at BETWEEN {q(before_run)}::timestamptz + interval '4 hours' AND now() + interval '4 hours',"
               f" next_run_at, now() FROM ctaudience.ct_export WHERE project_id = {q(project)}")
    check(nxt.startswith("t|"), "the next run is due 4 hours (every) after this one began", nxt)
    # an event recorded now waits for the next run; when its time comes (moved here), it goes
    record_events(project, 1, name="Later Event")
    code, _ = once("normal-later")
    check(len(requests_of(api, key)) == before, "an event recorded after the run waits for the next one")
    psql(f"UPDATE ctaudience.ct_export SET next_run_at = now() WHERE project_id = {q(project)}")
    code, _ = once("normal-next-run")
    exactly_once(api, key, project, "the next run")


def test_storms(api):
    """429 with and without Retry-After, 503, dropped connections: all once, nothing skipped."""
    project = "EXP-STORM"
    key = project_with_events(api, project, 250, 2)
    api.answer(429, count=2, key=key, retry_after=2)
    api.answer(429, count=2, key=key)
    api.answer(503, count=3, key=key)
    api.answer("drop", count=2, key=key)
    api.answer(502, count=1, key=key)
    e = Exporter("storm")
    ok = wait_for(lambda: received(api, key) == expected_events(project), 90)
    e.stop()
    exactly_once(api, key, project, "through 429, 503, 502 and dropped connections")
    reqs = requests_of(api, key)
    statuses = [r["status"] for r in reqs]
    check(statuses[:10] == [429, 429, 429, 429, 503, 503, 503, "drop", "drop", 502] and ok,
          "the storm was answered as told, in order", statuses)
    gap = reqs[2]["time"] - reqs[1]["time"]
    check(gap >= 1.9, "429 with Retry-After: 2 waits 2 seconds before the next try", f"{gap:.2f} s")
    check(all(r["body"] == reqs[0]["body"] for r in reqs[:10]),
          "every retry resends the same body (the same source_request_id)")
    lines = e.request_lines()
    check(any(re.search(r"status=429 outcome=retry .* retry_in=2\.0s$", l) for l in lines)
          and any(re.search(r"status=0 outcome=retry .* retry_in=[\d.]+s error=\"no answer: [^\"]+\"$", l) for l in lines)
          and any(re.search(r"status=503 outcome=retry .* retry_in=[\d.]+s$", l) for l in lines),
          "the log says each retry, its wait, and for a dropped connection what went wrong", lines[:6])
    status = status_of(project)
    check(int(status.get("waiting", -1)) == 0 and status.get("status") == "active", "nothing waits afterwards", f"{status}")


def test_rate(api):
    """--rate: batches per second, after a first request's worth."""
    project = "EXP-RATE"
    key = project_with_events(api, project, 400, 1)
    started = time.time()
    code, log = once("rate", "--rate", "100")
    took = time.time() - started
    reqs = requests_of(api, key, 202)
    batches = sum(r["batches"] for r in reqs)
    span = reqs[-1]["time"] - reqs[0]["time"] if len(reqs) > 1 else 0
    # the bucket holds 100 batches: the first request goes at once, the rest at 100 a second
    check(code == 0 and batches == 400 and span >= (batches - 100 - reqs[-1]["batches"]) / 100 - 0.2,
          "--rate 100: 400 batches take at least 3 seconds less the last request's", f"{batches} batches, {span:.2f} s ({took:.1f} s in all)")
    exactly_once(api, key, project, "under the rate limit")


def test_pause(api):
    """401 and 403 pause only that project; nothing of it is skipped."""
    ok_project, p403, p401 = "EXP-FINE", "EXP-403", "EXP-401"
    k_ok = new_project(api, ok_project)
    k403 = new_project(api, p403)
    k401 = new_project(api, p401)
    for p in (ok_project, p403, p401):
        membership(p, users(p, 30))
        record_events(p, 2)
    right = KEYS[k403]
    api.keys[k403] = "another-secret"          # the exporter's secret is now wrong: 403
    api.answer(401, count=1, key=k401)
    code, log = once("pause", "--workers", "3")
    exactly_once(api, k_ok, ok_project, "the project beside two paused ones")
    s403, s401 = status_of(p403), status_of(p401)
    check(s403.get("status") == "paused" and "403" in (s403.get("paused_reason") or ""),
          "403: the project's export is paused, the reason says 403", f"{s403}")
    check(s401.get("status") == "paused" and "401" in (s401.get("paused_reason") or ""),
          "401: the project's export is paused, the reason says 401", f"{s401}")
    check(f"WARNING: project={p403}" in log and f"WARNING: project={p401}" in log
          and f"ct_resume_export('{p403}')" in log,
          "a WARNING for each, saying how to resume", log[-1500:])
    check(len(requests_of(api, k403)) == 1 and len(requests_of(api, k401)) == 1,
          "a paused project gets no second request in the pass")
    check(p403 not in psql("SELECT coalesce(string_agg(project_id, ','), '') FROM ctaudience.ct_export_due()"),
          "a paused project is not due")
    code, _ = once("pause-again")
    check(len(requests_of(api, k403)) == 1, "... nor in the next pass, until resumed")
    api.keys[k403] = right
    psql(f"SELECT ctaudience.ct_resume_export({q(p403)})")
    psql(f"SELECT ctaudience.ct_resume_export({q(p401)})")
    code, _ = once("resumed")
    exactly_once(api, k403, p403, "403, resumed: nothing was skipped")
    exactly_once(api, k401, p401, "401, resumed: nothing was skipped")


def test_dead_letter(api):
    """400 dead-letters that request only."""
    project = "EXP-DEAD"
    key = project_with_events(api, project, 250, 1)
    api.answer(400, count=1, key=key)
    code, log = once("dead")
    reqs = requests_of(api, key)
    dead_body = json.loads(reqs[0]["body"])
    dead = collections.Counter((b["partner_identities"]["CleverTap_User_ID"], e["data"]["event_name"],
                                e["data"]["timestamp_unixtime_ms"]) for b in dead_body for e in b["events"])
    want, got = expected_events(project), received(api, key)
    check(reqs[0]["status"] == 400 and all(r["status"] == 202 for r in reqs[1:]) and len(reqs) >= 3,
          "400 for the first request, 202 for the others", [r["status"] for r in reqs])
    check(got + dead == want and not (got & dead), "the others' events are all exported once; the dead request's are not",
          f"{sum(got.values())} + {sum(dead.values())} of {sum(want.values())}")
    status = status_of(project)
    check(int(status.get("dead_letters", 0)) == 1 and int(status.get("waiting", -1)) == 0,
          "ct_export_status: one dead letter, nothing waiting", f"{status}")
    check("outcome=dead" in log and code == 0, "the log says the request is dead; the run still exits 0")


def test_odd_values(api):
    """Values the Events API refuses, which would make a 400 of the whole
    request (every user's events in it lost), are left out when rendering:
    a property of an empty name, an empty customer_id; a time before 1970
    stored already is sent as 1 ms.  Every request is accepted."""
    project = "EXP-ODD"
    key = new_project(api, project, extra=", customer_id => 'property:Name'")
    us = users(project, 3)
    membership(project, us)
    ids = profiles(project)
    psql(f"UPDATE ctaudience.ct_profile SET properties = jsonb_build_object('Name', CASE identity WHEN"
         f" {q(us[0]['customer'])} THEN '' ELSE identity END) WHERE project_id = {q(project)}")
    record_events(project, 2)
    record_events(project, 1, name="Empty Name", props_sql="'{\"\": \"emptykey\", \"ok\": \"1\"}'::jsonb",
                  where=f"identity = {q(us[0]['customer'])}")
    record_events(project, 1, name="Moon Landing", where=f"identity = {q(us[1]['customer'])}")
    # stored before times before 1970 were refused: the row is changed here
    psql(f"UPDATE ctaudience.ct_event SET ts = '1969-07-20 20:17:40+00' WHERE project_id = {q(project)}"
         f" AND event_name = 'Moon Landing'")
    refused = subprocess.run(["psql", "-X", "-q", "-d", DB, "-c", f"SELECT ctaudience.ct_record_event({q(project)},"
                              f" {q(ids[us[2]['customer']])}, 'Old', '{{}}', '1969-12-31 23:59:59+00')"],
                             capture_output=True, text=True)
    check(refused.returncode != 0 and "after 1970-01-01" in refused.stderr,
          "an event time before 1970 is refused when recorded", refused.stderr)
    code, log = once("odd")
    reqs = requests_of(api, key)
    check(code == 0 and reqs and all(r["status"] == 202 for r in reqs)
          and not [v for k, v in api.violations if k == key],
          "odd values: every request is accepted, none breaks a rule of the Events API",
          [v for k, v in api.violations if k == key][:3] or [r["status"] for r in reqs])
    want = collections.Counter({(c, n, max(ms, 1)): k for (c, n, ms), k in expected_events(project).items()})
    got = received(api, key)
    check(want and got == want, "odd values: every event exported exactly once, a time before 1970 as 1 ms",
          f"missing {list((want - got).items())[:3]}, extra {list((got - want).items())[:3]}")
    bs = batches_of(api, key)
    empty = [e["data"].get("custom_attributes") for b in bs for e in b["events"]
             if e["data"].get("event_name") == "Empty Name"]
    check(empty == [{"ok": "1"}], "a property of an empty name is left out, the others sent", empty)
    first = [b.get("user_identities") for b in bs
             if b["partner_identities"]["CleverTap_User_ID"] == ids[us[0]["customer"]]]
    check(first and all("customer_id" not in u for u in first),
          "an empty customer_id is left out of user_identities", first[:1])


def test_redirect(api):
    """A 3xx (not followed) pauses the project like 404 and 405, each with
    its own WARNING; resumed, nothing was skipped."""
    p301, p404 = "EXP-301", "EXP-404"
    k301 = project_with_events(api, p301, 5, 1)
    k404 = project_with_events(api, p404, 5, 1)
    api.answer(301, count=1, key=k301)
    api.answer(404, count=1, key=k404)
    code, log = once("redirect", "--workers", "2")
    s301, s404 = status_of(p301), status_of(p404)
    check(s301.get("status") == "paused" and "redirect (301)" in (s301.get("paused_reason") or "")
          and len(requests_of(api, k301)) == 1,
          "301: the project's export is paused after one request, the reason says a redirect", f"{s301}")
    warn = [l for l in log.splitlines() if f"WARNING: project={p301}" in l or f"WARNING: project={p404}" in l]
    check(len(warn) == 2 and all("credentials" not in l and f"ct_resume_export('" in l for l in warn)
          and "a redirect" in warn[0] + warn[1] and "no such API" in warn[0] + warn[1],
          "301 and 404: a WARNING each about the endpoint, not the credentials", warn)
    check(s404.get("status") == "paused", "404: paused", f"{s404}")
    for p in (p301, p404):
        psql(f"SELECT ctaudience.ct_resume_export({q(p)})")
    code, _ = once("redirect-resumed")
    exactly_once(api, k301, p301, "301, resumed: nothing was skipped")
    exactly_once(api, k404, p404, "404, resumed: nothing was skipped")


def test_sigkill(api):
    """SIGKILL mid-request: the resend is the same body and source_request_id; kept once."""
    project = "EXP-KILL"
    key = project_with_events(api, project, 120, 2)
    e = start_held(api, key, "killed", "--lease", "3", "--timeout", "2")
    e.kill()
    time.sleep(3.5)                                 # the stand-in answers the dead connection, the lease ends
    code, log = once("after-kill", "--lease", "3", "--timeout", "2")
    reqs = requests_of(api, key)
    check(len(reqs) >= 2 and reqs[1]["body"] == reqs[0]["body"],
          "after SIGKILL the request is sent again with the same body", [len(r["body"]) for r in reqs[:2]])
    check(reqs[1].get("source_request_ids") == reqs[0].get("source_request_ids") and reqs[1].get("duplicates") == reqs[1]["batches"],
          "... and the same source_request_ids, which the stand-in de-duplicates")
    exactly_once(api, key, project, "after SIGKILL mid-request")


def test_sigterm(api):
    """SIGTERM with a request in flight: it is completed and reported, then exit 0."""
    project = "EXP-TERM"
    key = project_with_events(api, project, 150, 1)
    e = start_held(api, key, "sigterm")
    e.proc.send_signal(signal.SIGTERM)
    code = e.wait(30)
    reqs = requests_of(api, key)
    status = status_of(project)
    check(code == 0 and len(reqs) == 1 and reqs[0]["status"] == 202 and int(status.get("requests_sent", 0)) == 1,
          "SIGTERM: the request in flight is completed and reported, no new one begins, exit 0",
          f"exit {code}, {len(reqs)} requests, {status}")
    check("stopping on SIGTERM" in e.log() and e.log().rstrip().endswith("stopped"), "the exporter logs that it stopped")
    code, _ = once("after-term")
    exactly_once(api, key, project, "after SIGTERM")


def test_restart(api):
    """PostgreSQL stopped and restarted, also between a post and its report."""
    project = "EXP-RESTART"
    key = project_with_events(api, project, 150, 2)
    e = start_held(api, key, "restart")
    pg_ctl("restart")                               # the report of that request meets a new server
    ok = wait_for(lambda: received(api, key) == expected_events(project), 60)
    exactly_once(api, key, project, "across a restart between a post and its report")
    pg_ctl("stop")
    time.sleep(2)
    check(e.proc.poll() is None, "the exporter keeps running while PostgreSQL is down")
    pg_ctl("start")
    # a project configured now: its first run is due at once
    later = "EXP-RESTART-2"
    key2 = project_with_events(api, later, 20, 1)
    # the running exporter may have claimed its first run before the events
    # were recorded (a run with nothing to send, the next in 4 hours): due now
    psql(f"UPDATE ctaudience.ct_export SET next_run_at = now() WHERE project_id = {q(later)}")
    ok = wait_for(lambda: received(api, key2) == expected_events(later), 60)
    if not ok:
        print(f"# due: {psql('SELECT string_agg(project_id, chr(44)) FROM ctaudience.ct_export_due()')};"
              f" {json.dumps(status_of(later))}")
    code = e.stop()
    check(ok and code == 0, "after PostgreSQL came back, the exporter exports by itself", e.log()[-1500:])
    check("failed" in e.log(), "the database's absence is logged")


def test_export_types(api):
    """all / selected / engagement / user properties; once with the 60-day look-back."""
    # selected events: only those named, Partner Sync only when named
    project = "EXP-SEL"
    key = new_project(api, project, export="selected_events",
                      extra=", events => ARRAY['Added To Cart', 'Partner Sync']")
    membership(project, users(project, 20))
    record_events(project, 2, name="Added To Cart")
    record_events(project, 2, name="App Launched")
    code, _ = once("selected")
    exactly_once(api, key, project, "selected events (Added To Cart, Partner Sync)",
                 "event_name IN ('Added To Cart', 'Partner Sync')")
    sync = [e["data"] for b in batches_of(api, key) for e in b["events"] if e["data"]["event_name"] == "Partner Sync"]
    check(sync and all(isinstance(v, str) for d in sync for v in d.get("custom_attributes", {}).values()),
          "Partner Sync, selected by name: its properties as string attributes", sync[:1])

    # all events: Partner Sync is not sent back to mParticle
    project = "EXP-ALL"
    key = project_with_events(api, project, 10, 1)
    code, _ = once("all")
    got = received(api, key)
    check(sum(got.values()) == 10 and all(n != "Partner Sync" for _, n, _ in got),
          "all events: every event but Partner Sync", collections.Counter(n for _, n, _ in got))

    # engagement events: what senders report of a campaign, nothing else
    project = "EXP-ENG"
    key = new_project(api, project, export="engagement_events")
    membership(project, users(project, 10))
    campaign = psql(f"SELECT ctaudience.ct_create_campaign({q(project)}, 'Come back', 'push', 'live_behavior',"
                    f" trigger_event => 'Tap', recurring => true)")
    record_events(project, 1, name="Tap")
    taken = psql(f"SELECT string_agg(ct_id, ',') FROM ctaudience.ct_campaign_take({campaign}, 100)").split(",")
    psql(f"SELECT count(ctaudience.ct_record_delivery({q(project)}, {campaign}, t.ct_id, o.outcome,"
         f" now() - interval '10 minutes' + o.n * interval '1 second'))"
         f" FROM unnest(ARRAY[{', '.join(q(t) for t in taken)}]) AS t(ct_id),"
         f" unnest(ARRAY['sent', 'delivered', 'viewed', 'clicked']) WITH ORDINALITY AS o(outcome, n)")
    code, _ = once("engagement")
    exactly_once(api, key, project, "engagement events (a campaign's deliveries)",
                 "(ct_id, event_id) IN (SELECT ct_id, event_id FROM ctaudience.ct_delivery"
                 f" WHERE project_id = {q(project)})")
    kinds = {(e["data"]["event_name"], e["data"].get("custom_event_type")) for b in batches_of(api, key) for e in b["events"]}
    check(kinds == {("Notification Sent", "other"), ("Push Impressions", "attribution"),
                    ("Notification Viewed", "attribution"), ("Notification Clicked", "attribution")},
          "engagement: Notification Sent (other), Push Impressions, Notification Viewed and Clicked (attribution)", kinds)
    evs = [e["data"] for b in batches_of(api, key) for e in b["events"]]
    check(evs and all(d.get("custom_attributes", {}).get(
                          "Campaign ID" if d["event_name"] == "Notification Sent" else "Campaign id") == campaign
                      and d.get("custom_attributes", {}).get("wzrk_id") for d in evs),
          "engagement: each event carries its Campaign id (Notification Sent: Campaign ID) and wzrk_id", evs[:1])

    # user properties: profiles as ct_* user attributes, every 24 hours
    project = "EXP-PROPS"
    key = new_project(api, project, export="user_properties", every="24 hours")
    membership(project, users(project, 30))
    psql(f"UPDATE ctaudience.ct_profile SET properties = jsonb_build_object('Name', 'Name of ' || identity,"
         f" 'Gender', 'F', 'MSG-push', true, 'Plan', 'gold'), updated_at = now() - interval '1 minute'"
         f" WHERE project_id = {q(project)}")
    code, _ = once("user-properties")
    bs = batches_of(api, key)
    ids = profiles(project)
    named = {b["partner_identities"]["CleverTap_User_ID"]: b.get("user_attributes", {}) for b in bs}
    check(len(bs) == 30 and set(named) == set(ids.values()) and not any(b.get("events") for b in bs),
          "user properties: one batch per profile, user attributes only", f"{len(bs)} batches")
    check(all(a.get("ct_name", "").startswith("Name of ") for a in named.values()),
          "user properties: the name as ct_name", list(named.values())[:1])
    check(not [v for k, v in api.violations if k == key], "user properties: within mParticle's rules")
    nxt = psql(f"SELECT next_run_at > now() + interval '23 hours' FROM ctaudience.ct_export WHERE project_id = {q(project)}")
    check(nxt == "t", "user properties: the next run in 24 hours")

    # once, looking back 60 days at most
    project = "EXP-ONCE"
    key = f"key-{project}"
    KEYS[key] = f"secret-{project}-{os.urandom(6).hex()}"
    api.keys[key] = KEYS[key]
    write_secrets()
    psql(f"SELECT ctaudience.ct_register_project({q(project)}, {q(PASSCODE)}, {q('token-' + project)}, 'eu1')")
    membership(project, users(project, 10))
    configure(api, project, schedule="once")
    record_events(project, 1, name="Old Event", ago="70 days")
    record_events(project, 1, name="Recent Event", ago="50 days")
    code, _ = once("once")
    got = received(api, key)
    check(got and all(n == "Recent Event" for _, n, _ in got) and sum(got.values()) == 10,
          "once: the events of the last 60 days only", collections.Counter(n for _, n, _ in got))
    check(status_of(project).get("status") == "done", "once: the export is done after its run", status_of(project))
    record_events(project, 1, name="After The Run")
    code, _ = once("once-again")
    check(sum(received(api, key).values()) == 10, "once: nothing is sent after the one run")


def test_project_roles(api):
    """A role given the export capability for one project (ct_grant_project) exports that
    project and no other; an exporter of every project (ctaudience_exporter) then sends the
    other's."""
    mine, other = "EXP-ROLE-MINE", "EXP-ROLE-OTHER"
    key_mine = project_with_events(api, mine, 12, 2)
    key_other = project_with_events(api, other, 12, 2)
    waiting = status_of(other).get("waiting")
    psql("CREATE ROLE ct_exporter_one LOGIN")
    psql(f"SELECT ctaudience.ct_grant_project('ct_exporter_one', {q(mine)}, 'export')")
    code, log = once("roles-one", user="ct_exporter_one")
    check(code == 0, "a role given one project to export: --once exits 0", log[-500:])
    exactly_once(api, key_mine, mine, "a role given one project to export: its project")
    check(not requests_of(api, key_other) and other not in log and status_of(other).get("waiting") == waiting
          and status_of(other).get("requests_sent") == 0,
          "a role given one project to export: nothing of another project claimed, sent or moved",
          f"{len(requests_of(api, key_other))} request(s); waiting {waiting} -> {status_of(other).get('waiting')}")
    check(" failed" not in log, "a role given one project to export: no call of the exporter's failed",
          next((l for l in log.splitlines() if " failed" in l), ""))
    code, log = once("roles-all")
    check(code == 0, "then the exporter of every project: --once exits 0", log[-500:])
    exactly_once(api, key_other, other, "then the exporter of every project: the other project")


def test_round_trip(api):
    """Customer ID only -> exported with CleverTap_User_ID -> back through an audience by that ID (rule 1)."""
    project = "EXP-RT"
    key = new_project(api, project)
    membership(project, [{"mpid": "77000001", "customer": "rt-customer-1"}], audience=8101, name="Round trip in")
    ct_id = profiles(project).get("rt-customer-1")
    record_events(project, 1, where="identity = 'rt-customer-1'")
    code, _ = once("round-trip")
    bs = batches_of(api, key)
    check(len(bs) == 1 and bs[0].get("user_identities") == {"customer_id": "rt-customer-1"},
          "a profile made from a Customer ID only is exported with that customer_id", bs[:1])
    partner = bs[0].get("partner_identities", {}).get("CleverTap_User_ID") if bs else None
    check(partner == ct_id, "... and its CleverTap ID as the partner identity CleverTap_User_ID")
    before = psql(f"SELECT count(*) FROM ctaudience.ct_profile WHERE project_id = {q(project)}")
    r = membership(project, [{"mpid": "77000002", "partner": partner}], audience=8102, name="Round trip back")
    after = psql(f"SELECT count(*) FROM ctaudience.ct_profile WHERE project_id = {q(project)}")
    member = psql(f"SELECT m.ct_id FROM ctaudience.ct_segment_member m JOIN ctaudience.ct_segment s USING (project_id, segment_id)"
                  f" WHERE s.project_id = {q(project)} AND s.partner_segment_id = 8102 AND m.is_member")
    check(before == after and member == ct_id and r.get("ctaudience", {}).get("created_profiles") == 0,
          "an audience naming it only by that CleverTap_User_ID puts the same profile in the segment (rule 1)",
          f"profiles {before} -> {after}, member {member!r} vs {ct_id!r}, {r.get('ctaudience')}")


def test_erasure(api):
    """An erasure before the export: nothing of the subject is sent."""
    project = "EXP-ERASE"
    key = new_project(api, project)
    us = users(project, 5)
    membership(project, us)
    ids = profiles(project)
    subject = us[0]
    record_events(project, 2)
    dsr = {"type": "dsr_processing_request", "id": "00000000-0000-4000-a000-0000000e0001",
           "timestamp_ms": int(time.time() * 1000), "firehose_version": "3.2.0",
           "account": {"account_id": 8001, "account_settings": {"accountId": project, "passcode": PASSCODE,
                                                                  "accountToken": "token-" + project, "region": "eu1"}},
           "subject_request_id": "2e2c8cf4-f985-4398-b482-a520860d3bf6", "subject_request_type": "erasure",
           "regulation": "gdpr", "subject_identities": {"email": {"encoding": "raw", "value": subject["email"]}}}
    psql(f"SELECT ctaudience.ct_firehose({q(json.dumps(dsr))}::text)")
    code, _ = once("erasure")
    bodies = b"".join(r["body"] for r in requests_of(api, key))
    check(sum(received(api, key).values()) == 8, "the other users' events are exported", sum(received(api, key).values()))
    check(ids[subject["customer"]].encode() not in bodies and subject["email"].encode() not in bodies
          and subject["customer"].encode() not in bodies,
          "nothing of the erased subject is sent: no CleverTap ID, email or customer id")


def erase(project, email, n):
    """An erasure (a DSR of mParticle's firehose) of the subject with that email; its counts."""
    dsr = {"type": "dsr_processing_request", "id": f"00000000-0000-4000-a000-{n:012d}",
           "timestamp_ms": int(time.time() * 1000), "firehose_version": "3.2.0",
           "account": {"account_id": 8001, "account_settings": {"accountId": project, "passcode": PASSCODE,
                                                                  "accountToken": "token-" + project, "region": "eu1"}},
           "subject_request_id": f"2e2c8cf4-f985-4398-b482-{n:012d}", "subject_request_type": "erasure",
           "regulation": "gdpr", "subject_identities": {"email": {"encoding": "raw", "value": email}}}
    return f"SELECT ctaudience.ct_firehose({q(json.dumps(dsr))}::text) -> 'ctaudience'"


def carries(bodies, ids, subject):
    """Whether request bodies carry anything of the subject: CleverTap ID, email or customer id."""
    return any(x.encode() in bodies for x in (ids[subject["customer"]], subject["email"], subject["customer"]))


def test_erasure_in_flight(api, prefix="EXP-HOLD"):
    """An erasure between a claim and its post: the request is not posted
    (CT_EXPORTER_TEST_HOLD_PAUSE_MS, a test-only pause between the two);
    one during the post waits for it (ct_export_hold)."""
    project = prefix
    key = new_project(api, project)
    us = users(project, 4)
    membership(project, us)
    ids = profiles(project)
    record_events(project, 2)
    env = dict(os.environ, CT_EXPORTER_TEST_HOLD_PAUSE_MS="3000")
    e = Exporter(prefix.lower() + "-paused", "--once", "--lease", "30", "--timeout", "4", env=env)
    claimed = wait_for(lambda: psql("SELECT count(*) FROM ctaudience.ct_export_request WHERE project_id ="
                                    f" {q(project)} AND state = 'pending' AND lease_until > now()") == "1", 30, 0.05)
    psql(erase(project, us[0]["email"], 1))
    code = e.wait(60)
    bodies = b"".join(r["body"] for r in requests_of(api, key))
    check(claimed and code == 0 and not carries(bodies, ids, us[0]),
          f"{prefix}: an erasure between a claim and its post: the request is not posted, nothing of the subject is sent",
          f"claimed {claimed}, exit {code}, {len(requests_of(api, key))} requests")
    check("gone before its post: not posted" in e.log(), f"{prefix}: the exporter logs the request it did not post",
          e.log()[-800:])
    exactly_once(api, key, project, f"{prefix}: the others' events, after the erasure before the post")

    # during the post: the erasure waits for the post's commit
    project = prefix + "-POST"
    key = new_project(api, project)
    us = users(project, 4)
    membership(project, us)
    ids = profiles(project)
    record_events(project, 2)
    e = start_held(api, key, prefix.lower() + "-posting", "--once")
    started = time.time()
    eraser = subprocess.Popen(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-U", "postgres", "-d", DB,
                               "-c", erase(project, us[0]["email"], 2)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    time.sleep(1.5)
    waited = eraser.poll() is None and len(requests_of(api, key)) == 0
    out, err = eraser.communicate(timeout=60)
    answered = requests_of(api, key)
    check(waited and eraser.returncode == 0 and '"profiles_erased": 1' in out and answered
          and answered[0]["status"] == 202,
          f"{prefix}: an erasure during a post waits for it, then erases the subject",
          f"waited {waited}, exit {eraser.returncode}, {out}{err}, {time.time() - started:.1f}s")
    check(e.wait(60) == 0, f"{prefix}: the exporter goes on after the erasure, exit 0", e.log()[-800:])
    check(carries(answered[0]["body"], ids, us[0]) if answered else False,
          f"{prefix}: ... the post came first: the request held during the erasure carried the subject")
    left = psql(f"SELECT count(*) FROM ctaudience.ct_export_request WHERE project_id = {q(project)}"
                f" AND state <> 'accepted' AND {q(ids[us[0]['customer']])} = ANY (ct_ids)")
    later = b"".join(r["body"] for r in requests_of(api, key)[1:])
    check(left == "0" and not carries(later, ids, us[0]),
          f"{prefix}: nothing of the subject waits or is sent after the erasure", f"{left} requests left")


def test_metrics(api):
    port = free_port()
    project = "EXP-METRICS"
    key = project_with_events(api, project, 10, 1)
    e = Exporter("metrics", "--metrics", f"127.0.0.1:{port}")
    wait_for(lambda: received(api, key) == expected_events(project), 30)

    def get(path):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, ""
        except OSError:
            return None, ""
    wait_for(lambda: get("/healthz")[0] == 200, 10)
    s, text = get("/metrics")
    check(s == 200 and re.search(r'^ctaudience_exporter_requests_total\{status="202"\} [1-9]', text, re.M)
          and re.search(r"^ctaudience_exporter_events_total 10$", text, re.M)
          and "ctaudience_exporter_request_seconds_bucket" in text,
          "GET /metrics: requests by status, events accepted, the latency histogram", text[:400])
    s, text = get("/healthz")
    check(s == 200 and text == "ok\n", "GET /healthz: 200 when the database answers")
    check(get("/nothing")[0] == 404, "GET /nothing: 404")
    check(e.stop() == 0, "the exporter with --metrics stops on SIGTERM, exit 0")


def test_secret_nowhere():
    dump = subprocess.run(["pg_dump", "-d", DB, "--data-only"], capture_output=True, text=True).stdout
    dump += psql("SELECT coalesce(string_agg(s::text, E'\\n'), '') FROM ctaudience.ct_export_status s")
    logs = "".join(open(p).read() for p in LOGS if os.path.exists(p))
    with open(os.path.join(CLUSTER, "server.log")) as f:
        server = f.read()
    leaked = [k for k, s in KEYS.items() if s in dump or s in logs or s in server]
    check(dump and not leaked, "the feed secrets are in no table, no exporter log line, no server log", leaked)
    idents = psql("SELECT string_agg(concat_ws(',', ct_id, identity, email::text), ',') FROM ctaudience.ct_profile").split(",")
    seen = [i for i in idents if i and i in logs]
    check(not seen, "the exporters' logs name no user (CleverTap ID, identity, email)", seen[:3])


def test_valgrind(api):
    if shutil.which("valgrind") is None:
        check(False, "valgrind is installed for the exporter's memory check")
        return
    project = "EXP-VALGRIND"
    key = project_with_events(api, project, 120, 1)
    api.answer(503, count=1, key=key)
    api.answer(429, count=1, key=key, retry_after=1)
    vlog = os.path.join(WORK, "valgrind.%p")
    e = Exporter("valgrind", "--once", "--metrics", f"127.0.0.1:{free_port()}", "--timeout", "30", "--lease", "60",
                 wrapper=["valgrind", "--quiet", "--error-exitcode=99", "--leak-check=full",
                          "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite", f"--log-file={vlog}"])
    code = e.wait(300)
    report = "".join(open(os.path.join(WORK, f)).read() for f in os.listdir(WORK) if f.startswith("valgrind."))
    check(code == 0 and "Invalid" not in report and "definitely lost" not in report,
          "under valgrind: a retry, a 429 and the export; no invalid access, nothing definitely lost, exit 0",
          f"exit {code}\n{report[:3000]}\n{e.log()[-1000:]}")
    exactly_once(api, key, project, "under valgrind")


def main():
    setup()
    api = EventsApi({}).start()
    tests = [test_command_line, test_normal, test_storms, test_rate, test_pause, test_dead_letter, test_odd_values,
             test_redirect, test_sigkill,
             test_sigterm, test_restart, test_export_types, test_project_roles, test_round_trip, test_erasure,
             test_erasure_in_flight, test_metrics, test_secret_nowhere, test_valgrind]
    only = os.environ.get("CT_TEST_ONLY")       # e.g. CT_TEST_ONLY=test_storms,test_rate
    if only:
        tests = [t for t in tests if t.__name__ in only.split(",")]
    try:
        for t in tests:
            try:
                t(*([api] if t.__code__.co_argcount else []))
            except Exception as e:   # the test fails, the others still run
                check(False, f"{t.__name__} ran to its end", f"{type(e).__name__}: {str(e)[:1500]}")
                if subprocess.run(["psql", "-X", "-q", "-d", DB, "-c", "SELECT 1"], capture_output=True).returncode:
                    pg_ctl("start")
    finally:
        api.stop()
    if failures:
        print(f"# {failures} exporter check(s) failed; the logs are in {WORK}")
        sys.exit(1)
    shutil.rmtree(WORK, ignore_errors=True)


# ---------------------------------------------------------------------------
# Through a Citus coordinator (exporter_test.py --citus; exporter.sh starts the nodes)

def on_node(node, sql, db=DB):
    """psql on a node of the Citus cluster (CT_CITUS_DIR/NODE, port CT_CITUS_PORT_NODE)."""
    base = os.environ["CT_CITUS_DIR"]
    port = os.environ["CT_CITUS_PORT_" + node.upper()]
    r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", os.path.join(base, node),
                        "-p", port, "-U", "postgres", "-d", db, "-c", sql], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"psql on {node} failed: {sql}\n{r.stderr}")
    return r.stdout.strip()


def citus_calls(node):
    """How often ct_export_claim and ct_export_result ran on a node."""
    return int(on_node(node, "SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions"
                             " WHERE funcid IN ('ctaudience.ct_export_claim(text,integer)'::regprocedure,"
                             " 'ctaudience.ct_export_result(text,bigint,integer,text,integer)'::regprocedure)"))


def citus_main():
    """Projects spread over two workers, exported through the coordinator."""
    base = os.environ["CT_CITUS_DIR"]
    nodes = ["coordinator", "worker1", "worker2"]
    for node in nodes:
        on_node(node, f"CREATE DATABASE {DB}", db="postgres")
        on_node(node, "CREATE EXTENSION citus")
        on_node(node, "CREATE EXTENSION ctaudience")
    on_node("coordinator", f"SELECT citus_set_coordinator_host({q(os.path.join(base, 'coordinator'))},"
                           f" {os.environ['CT_CITUS_PORT_COORDINATOR']})")
    for w in nodes[1:]:
        on_node("coordinator", f"SELECT citus_add_node({q(os.path.join(base, w))}, {os.environ['CT_CITUS_PORT_' + w.upper()]})")
    on_node("coordinator", "CREATE ROLE ct_exporter LOGIN IN ROLE ctaudience_exporter")
    write_secrets()
    api = EventsApi({}).start()
    try:
        # exports set up before ct_distribute(): an installation distributed later
        projects = [f"EXP-CITUS-{i}" for i in range(6)]
        keys = {p: new_project(api, p) for p in projects}
        on_node("coordinator", "SELECT ctaudience.ct_distribute()")
        # and one set up on the distributed installation
        late = "EXP-CITUS-LATE"
        try:
            keys[late] = new_project(api, late)
            projects.append(late)
            configured = True
        except RuntimeError as e:
            configured = str(e)
        check(configured is True, "Citus: ct_configure_export on the coordinator of a distributed installation",
              str(configured)[-300:])
        for p in projects:
            membership(p, users(p, 40))
            record_events(p, 3)
        where = {p: on_node("coordinator", "SELECT n.nodeport FROM pg_dist_placement pl JOIN pg_dist_node n USING (groupid)"
                                           " WHERE pl.shardid = get_shard_id_for_distribution_column("
                                           f"'ctaudience.ct_export', {q(p)})") for p in projects}
        check(len(set(where.values())) == 2, "Citus: the projects' exports are held by both workers", where)
        paused = projects[1]
        api.keys[keys[paused]] = "not-the-secret"           # 403 for that one
        api.answer(503, count=1, key=keys[projects[0]])
        for node in nodes:
            on_node(node, "SELECT pg_stat_reset()")
        code, log = once("citus", "--workers", "3", "--lease", "3", "--timeout", "2")
        for p in projects:
            if p != paused:
                exactly_once(api, keys[p], p, f"Citus: {p} through the coordinator")
        check(status_of(paused).get("status") == "paused" and f"WARNING: project={paused}" in log,
              "Citus: 403 pauses that project only", status_of(paused))
        check(any("status=503 outcome=retry" in l for l in log.splitlines()), "Citus: a 503 is retried")
        # a backend reports its function statistics when idle, at most once a second
        wait_for(lambda: citus_calls("worker1") > 0 and citus_calls("worker2") > 0, 15, 0.5)
        calls = {n: citus_calls(n) for n in nodes}
        check(calls["coordinator"] == 0 and calls["worker1"] > 0 and calls["worker2"] > 0,
              "Citus: every claim and result ran on the worker holding its project, none on the coordinator", calls)
        check(" failed" not in log, "Citus: no call of the exporter's failed", next(
            (l for l in log.splitlines() if " failed" in l), ""))
        # the hold (ct_export_hold, run on the coordinator) locks the request on its worker
        test_erasure_in_flight(api, "EXP-CITUS-HOLD")
    finally:
        api.stop()
    if failures:
        print(f"# {failures} exporter check(s) on Citus failed; the logs are in {WORK}")
        sys.exit(1)
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    try:
        if sys.argv[1:] == ["--citus"]:
            citus_main()
            sys.exit(0)
        main()
    except Exception:
        print(f"not ok - the exporter test stopped: the logs are in {WORK}", flush=True)
        raise
