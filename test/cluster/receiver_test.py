#!/usr/bin/env python3
"""ctaudience-receiver end to end, on the cluster test/cluster/receiver.sh
started (CT_TEST_CLUSTER: its directory and socket; PGPORT).  Each check
prints "ok - ..." or "not ok - ..."; the exit status is 1 when one failed.

Receivers listen on free loopback ports and connect as a role of their own
(a member of ctaudience_importer).  Checks, in order:
  direct mode: mParticle's own example messages (from ../shared, skipped
  visibly where absent) and this project's; each status and body, the
  responses valid by mParticle's schemas (validate.py); 401 for a wrong
  passcode and for an unknown project, with the same body; 400 malformed;
  413 for an oversize body (Content-Length, refused before the rest is
  sent; chunked) and for a message over ctaudience.max_profiles_per_message;
  404, 405; the metrics and the log lines (no passcode, no body);
  queue mode: enqueued, answered at once, imported by the pg_cron job
  ct_schedule_inbox made; the shared secret; 429 when the pool is busy and
  503 on a statement timeout; PostgreSQL stopped: 503 on /firehose and
  /healthz, and after its restart the receiver recovers by itself; SIGTERM
  with a request in flight completes it; TLS; the receiver under valgrind.
Hostile clients: 1,050 connections sending a head a byte a second, then
1,050 sending a 64 MB body a byte every 5 s, while /healthz answers within
100 ms and a real post gets 200; the head deadline, the minimum body rate
and the idle deadline; the per-address limit; the receiver's memory with 0,
500 and 1,000 idle connections (printed, and held to the README's bound);
a NUL byte, two Content-Lengths, Content-Length with Transfer-Encoding: 400;
a path with %0a (and other control bytes) or of 5,000 bytes, logged escaped
and cut, forging no line.
"""
import http.client
import json
import multiprocessing
import os
import re
import resource
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

CLUSTER = os.environ["CT_TEST_CLUSTER"]
PG_BIN = os.environ["CT_TEST_PG_BIN"]
PGPORT = os.environ["PGPORT"]
DB = "ct_receiver"
RECEIVER = os.path.join(PG_BIN, "ctaudience-receiver")
SHARED = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                       "..", "..", "..", "shared", "mparticle-firehose"))
HAVE_SHARED = os.path.isfile(os.path.join(SHARED, "validate.py"))
WORK = tempfile.mkdtemp(prefix="ctaudience-receiver-test.")
PASSCODE = "recv-passcode-1"
CREDS = {"accountId": "RECV-1", "passcode": PASSCODE, "accountToken": "token-RECV-1", "region": "eu1"}
DSN = f"host={CLUSTER} port={PGPORT} dbname={DB} user=ct_receiver"

failures = 0

# Connections a flood opens from each loopback address (127.0.0.2 and up): under
# the receiver's --max-per-address (64), so that a flood needs many addresses.
PER_ADDRESS = 60
# The README's bound on the memory an open connection adds to the receiver.
CONNECTION_KB = 40


def check(cond, desc, detail=""):
    global failures
    if cond:
        print(f"ok - {desc}", flush=True)
    else:
        failures += 1
        print(f"not ok - {desc}" + (f": {detail}" if detail else ""), flush=True)


def psql(sql, db=DB):
    r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"psql failed: {sql}\n{r.stderr}")
    return r.stdout.strip()


def pg_ctl(action):
    subprocess.run(["runuser", "-u", "postgres", "--", os.path.join(PG_BIN, "pg_ctl"), "-D",
                    os.path.join(CLUSTER, "data"), "-l", os.path.join(CLUSTER, "server.log"),
                    "-m", "fast", "-w", action], check=True, stdout=subprocess.DEVNULL)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def validate(schema, body):
    """mParticle's validate.py on a response; True where ../shared is absent."""
    if not HAVE_SHARED:
        return True
    r = subprocess.run([sys.executable, os.path.join(SHARED, "validate.py"), schema],
                       input=body, capture_output=True)
    if r.returncode != 0:
        print(f"# {schema}: {r.stdout.decode().strip()}")
    return r.returncode == 0


class Receiver:
    """A ctaudience-receiver on a free loopback port; its stderr in a file."""

    def __init__(self, name, *args, wrapper=(), tls=None):
        self.port = free_port()
        self.logpath = os.path.join(WORK, name + ".log")
        self.tls = tls
        cmd = list(wrapper) + [RECEIVER, "--listen", f"127.0.0.1:{self.port}", "--dsn", DSN] + list(args)
        with open(self.logpath, "w") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=log)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.1)
        raise RuntimeError(f"the receiver {name} did not start:\n{self.log()}")

    def connection(self, timeout=60):
        if self.tls:
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout, context=self.tls)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, timeout=60):
        c = self.connection(timeout)
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data

    def post(self, body, **kw):
        return self.request("POST", "/firehose", body, **kw)

    def log(self):
        with open(self.logpath) as f:
            return f.read()

    def stop(self, timeout=60):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None


def example(name, creds=True):
    with open(os.path.join(SHARED, name + ".json")) as f:
        m = json.load(f)
    if creds:
        m.setdefault("account", {}).setdefault("account_settings", {}).update(CREDS)
    return m


def membership(n, users, audience=7001, name="Receiver test", action="add", creds=None):
    """A membership message of ours: users are (mpid, customer_id, email)."""
    return {
        "type": "audience_membership_change_request",
        "id": f"00000000-0000-4000-8000-{n:012d}",
        "timestamp_ms": 1730000000000 + n * 1000,
        "firehose_version": "3.2.0",
        "account": {"account_id": 7001, "account_settings": creds or CREDS},
        "user_profiles": [
            {"mpid": mpid,
             "user_identities": [{"type": "customer", "encoding": "raw", "value": cust},
                                 {"type": "email", "encoding": "raw", "value": email}],
             "audiences": [{"audience_id": audience, "audience_name": name, "action": action}]}
            for mpid, cust, email in users],
    }


def users(prefix, count):
    """count users, the same for the same prefix; no two prefixes share an mpid."""
    base = 10 ** 15 + (int.from_bytes(prefix.encode()[:6], "big") % 10 ** 6) * 10 ** 6
    return [(str(base + i), f"{prefix}-{i}", f"{prefix}.{i}@example.com") for i in range(count)]


REGISTRATION = {"type": "module_registration_request", "id": "438b0f74-8656-4f87-93c7-c9f9ac8a5544",
                "timestamp_ms": 1714592744067, "firehose_version": "3.2.0"}


def members(audience):
    return psql(f"SELECT coalesce(sum(members), 0) FROM ctaudience.ct_segment_stats"
                f" WHERE partner_segment_id = {audience}")


def error_of(body):
    try:
        e = json.loads(body)["error"]
        return e["sqlstate"], e["message"]
    except (ValueError, KeyError, TypeError):
        return None, None


class Holder:
    """An ACCESS EXCLUSIVE lock on ct_profile, held by a session for some seconds."""

    def __init__(self, seconds):
        self.proc = subprocess.Popen(
            ["psql", "-X", "-q", "-d", DB, "-c", "BEGIN",
             "-c", "LOCK TABLE ctaudience.ct_profile IN ACCESS EXCLUSIVE MODE",
             "-c", f"SELECT pg_sleep({seconds})", "-c", "COMMIT"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ, PGAPPNAME="ct_test_holder"))
        for _ in range(100):
            if psql("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                    " WHERE c.relname = 'ct_profile' AND l.mode = 'AccessExclusiveLock' AND l.granted") != "0":
                return
            time.sleep(0.05)
        raise RuntimeError("the lock was not taken")

    def release(self):
        psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'ct_test_holder'")
        self.proc.wait()


def waiting_receivers():
    return int(psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ctaudience-receiver'"
                    " AND wait_event_type = 'Lock'"))


def in_thread(fn):
    out = {}

    def run():
        try:
            out["result"] = fn()
        except Exception as e:  # reported by the check that reads it
            out["error"] = repr(e)
    t = threading.Thread(target=run)
    t.start()
    return t, out


# ---------------------------------------------------------------------------
def setup():
    psql("CREATE EXTENSION ctaudience")
    psql("CREATE EXTENSION pg_cron")
    psql("CREATE ROLE ct_receiver LOGIN IN ROLE ctaudience_importer")
    psql("ALTER ROLE ct_receiver IN DATABASE ct_receiver SET ctaudience.max_profiles_per_message = 100")
    psql(f"SELECT ctaudience.ct_register_project('RECV-1', '{PASSCODE}', 'token-RECV-1', 'eu1')")
    psql("SELECT ctaudience.ct_register_project('RECV-2', 'recv-passcode-2', 'token-RECV-2', 'eu1')")


def test_command_line():
    r = subprocess.run([RECEIVER, "--help"], capture_output=True, text=True)
    flags = ["--listen", "--dsn", "--mode", "--pool", "--max-body", "--statement-timeout",
             "--secret-file", "--tls-cert", "--tls-key", "--max-connections", "--max-per-address",
             "--head-timeout", "--min-body-rate"]
    check(r.returncode == 0 and all(f in r.stdout for f in flags), "--help lists every flag")
    r = subprocess.run([RECEIVER, "--mode", "fast"], capture_output=True, text=True)
    check(r.returncode == 2 and "--mode must be direct or queue" in r.stderr, "a bad flag value exits 2 with a message")
    r = subprocess.run([RECEIVER, "--pool", "0"], capture_output=True, text=True)
    check(r.returncode == 2 and "--pool" in r.stderr, "--pool 0 is refused")


def test_direct(rec):
    """Direct mode; returns how many /firehose requests got each status."""
    counts = {}

    def post(body, **kw):
        s, h, b = rec.post(body, **kw)
        counts[s] = counts.get(s, 0) + 1
        return s, h, b

    s, _, b = rec.request("GET", "/healthz")
    check(s == 200 and b == b"ok\n", "GET /healthz answers 200 when the database answers", f"{s} {b!r}")

    if HAVE_SHARED:
        s, h, b = post(example("ModuleRegistrationRequest", creds=False))
        check(s == 200 and h.get("content-type") == "application/json", "mParticle's registration example: 200, JSON", f"{s}")
        check(validate("ModuleRegistrationResponse", b), "... its response is valid by mParticle's schema")
        check(json.loads(b).get("id") == "438b0f74-8656-4f87-93c7-c9f9ac8a5544", "... and echoes the request id")

        s, _, b = post(example("AudienceSubscriptionRequest", creds=False))
        check(s == 401 and error_of(b)[0] == "28000", "mParticle's subscription example without credentials: 401 (28000)", f"{s} {b!r}")
        s, _, b = post(example("AudienceSubscriptionRequest"))
        check(s == 200 and validate("AudienceSubscriptionResponse", b),
              "mParticle's subscription example with this project's credentials: 200, a valid response", f"{s} {b!r}")

        s, _, b = post(example("AudienceMembershipChangeRequest"))
        check(s == 200 and validate("AudienceMembershipChangeResponse", b),
              "mParticle's membership example: 200, a valid response", f"{s} {b!r}")
        check(psql("SELECT string_agg(partner_segment_id::text, ',' ORDER BY 1) FROM ctaudience.ct_segment"
                   " WHERE partner_segment_id IN (456, 654, 789)") == "456,654,789",
              "... its audiences became segments")

        s, _, b = post(example("DsrProcessingRequest"))
        check(s == 200 and validate("DsrProcessingResponse", b), "mParticle's DSR example: 200, a valid response", f"{s} {b!r}")
    else:
        print("# NOTICE: ../shared/mparticle-firehose is absent: mParticle's example messages and schemas are SKIPPED")
        s, _, b = post(REGISTRATION)
        check(s == 200 and json.loads(b).get("type") == "module_registration_response", "a registration: 200")

    m = membership(1, users("direct", 3))
    s, h, b = post(m)
    check(s == 200 and validate("AudienceMembershipChangeResponse", b), "our membership message: 200, a valid response", f"{s} {b!r}")
    check(members(7001) == "3", "... its 3 users are members of the segment", members(7001))
    s2, _, b2 = post(m)
    first, again = json.loads(b), json.loads(b2) if s2 == 200 else {}
    check(s2 == 200 and again.get("ctaudience", {}).pop("duplicate_message", None) == 1
          and first.get("ctaudience", {}).pop("duplicate_message", None) == 0 and again == first,
          "the same message again: 200, the same response marked as a duplicate", f"{s2} {b2!r}")
    check(members(7001) == "3", "... and nothing changes")

    wrong = membership(2, users("direct", 1), creds=dict(CREDS, passcode="hunter2-wrong"))
    s, _, bw = post(wrong)
    check(s == 401 and error_of(bw)[0] == "28000", "a wrong passcode: 401 (28000)", f"{s} {bw!r}")
    unknown = membership(2, users("direct", 1), creds=dict(CREDS, accountId="NO-SUCH-PROJECT"))
    s, _, bu = post(unknown)
    check(s == 401 and bu.replace(b"NO-SUCH-PROJECT", b"RECV-1") == bw,
          "an unknown project: 401 with the body of a wrong passcode (but the project named)", f"{bu!r} vs {bw!r}")
    check(b"hunter2" not in bw and PASSCODE.encode() not in bw, "... which holds no passcode")

    s, _, b = post('{"type": "audience_membership_change_request", "id": "secretfragment-71')
    check(s == 400 and error_of(b)[0] == "22P02", "malformed JSON: 400 (22P02)", f"{s} {b!r}")
    check(b"secretfragment" not in b, "... and the answer does not echo the body")
    bad = membership(3, users("direct", 1))
    del bad["id"]
    s, _, b = post(bad)
    check(s == 400 and (error_of(b)[0] or "").startswith("22"), "a message without its id: 400 (class 22)", f"{s} {b!r}")
    s, _, b = post("")
    check(s == 400, "an empty body: 400", f"{s} {b!r}")

    s, _, b = post(membership(4, users("big", 101)))
    check(s == 413 and error_of(b)[0] == "54000", "a message over ctaudience.max_profiles_per_message: 413 (54000)", f"{s} {b!r}")
    check(members(7001) == "3", "... and nothing of it is written")

    s, _, _ = rec.request("GET", "/nothing")
    check(s == 404, "GET /nothing: 404")
    s, _, _ = rec.request("GET", "/firehose")
    check(s == 405, "GET /firehose: 405")
    counts[405] = counts.get(405, 0) + 1
    return counts


def test_metrics_and_log(rec, counts):
    s, h, b = rec.request("GET", "/metrics")
    text = b.decode()
    check(s == 200 and h.get("content-type", "").startswith("text/plain"), "GET /metrics: 200, text")
    got = {int(k): int(v) for k, v in re.findall(r'ctaudience_receiver_requests_total\{status="(\d+)"\} (\d+)', text)}
    check(all(got.get(k, 0) == v for k, v in counts.items()) and sum(got.values()) == sum(counts.values()),
          "the metrics count the requests by status", f"metrics {got} vs sent {counts}")
    total = re.search(r"ctaudience_receiver_request_seconds_count (\d+)", text)
    inf = re.search(r'ctaudience_receiver_request_seconds_bucket\{le="\+Inf"\} (\d+)', text)
    check(total and inf and int(total.group(1)) == int(inf.group(1)) == sum(counts.values()),
          "the latency histogram counts every request")
    check("ctaudience_receiver_pool_connections 2" in text and "ctaudience_receiver_pool_in_use 0" in text,
          "the metrics give the pool")

    log = rec.log()
    lines = [l for l in log.splitlines() if " status=" in l]
    check(len([l for l in lines if "/firehose" in l]) == sum(counts.values()),
          "one log line per /firehose request", f"{len(lines)} lines")
    check(all(re.match(r"\d{4}-\d\d-\d\dT[\d:.]+Z status=\d{3} bytes=\d+ ms=[\d.]+ ", l) for l in lines),
          "each line has the time, status, bytes and milliseconds")
    check(any("type=audience_membership_change_request id=00000000-0000-4000-8000-000000000001" in l for l in lines),
          "... and the message type and id")
    check(PASSCODE not in log and "hunter2" not in log and "example.com" not in log and "secretfragment" not in log,
          "the log holds no passcode and nothing of a body")


def test_oversize():
    rec = Receiver("oversize", "--max-body", "65536", "--pool", "1")
    # Content-Length over the limit: answered before the rest is sent
    s = socket.create_connection(("127.0.0.1", rec.port), timeout=10)
    s.sendall(b"POST /firehose HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: 10000000\r\n\r\n" + b"{" * 1000)
    s.settimeout(10)
    try:
        head = s.recv(4096)
    except socket.timeout:
        head = b""
    s.close()
    check(head.startswith(b"HTTP/1.1 413"), "a Content-Length over --max-body: 413 after 1 KB of 10 MB sent", repr(head[:80]))
    # chunked: refused when the limit is passed
    s = socket.create_connection(("127.0.0.1", rec.port), timeout=10)
    s.sendall(b"POST /firehose HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"x" * 8192
    for _ in range(12):
        s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
    s.sendall(b"0\r\n\r\n")
    head = s.recv(4096)
    s.close()
    check(head.startswith(b"HTTP/1.1 413"), "a chunked body over --max-body: 413", repr(head[:80]))
    s, _, b = rec.post(REGISTRATION)
    check(s == 200, "a body under --max-body: 200")
    log = rec.log()
    rec.stop()
    check(log.count("status=413") == 2, "both are logged as 413")


def test_secret():
    path = os.path.join(WORK, "secret")
    with open(path, "w") as f:
        f.write("s3cret-token-for-tests\n")
    rec = Receiver("secret", "--secret-file", path)
    s, _, b = rec.post(REGISTRATION)
    check(s == 401 and error_of(b)[0] == "28000", "with a secret: no Authorization header, 401", f"{s} {b!r}")
    s, _, _ = rec.post(REGISTRATION, headers={"Authorization": "Bearer s3cret-token-for-test"})
    check(s == 401, "... a bearer that is a prefix of the secret, 401")
    s, _, _ = rec.post(REGISTRATION, headers={"Authorization": "Bearer s3cret-token-for-tests-and-more"})
    check(s == 401, "... a longer bearer, 401")
    s, _, _ = rec.post(REGISTRATION, headers={"Authorization": "Basic s3cret-token-for-tests"})
    check(s == 401, "... another scheme, 401")
    s, _, b = rec.post(REGISTRATION, headers={"Authorization": "Bearer s3cret-token-for-tests"})
    check(s == 200, "... the right bearer, 200", f"{s} {b!r}")
    log = rec.log()
    rec.stop()
    check("s3cret" not in log, "the secret is not logged")


def test_busy():
    rec = Receiver("busy", "--pool", "1", "--pool-wait", "300", "--statement-timeout", "2000")
    holder = Holder(8)
    t, out = in_thread(lambda: rec.post(membership(10, users("busy", 1), audience=7003)))
    for _ in range(100):
        if waiting_receivers() > 0:
            break
        time.sleep(0.05)
    s, h, b = rec.post(REGISTRATION)
    check(s == 429 and h.get("retry-after") and error_of(b)[0] == "53300",
          "every pooled connection busy: 429 with Retry-After", f"{s} {h} {b!r}")
    (s, _, b), ms = timed(lambda: rec.request("GET", "/healthz"))
    check(s == 200 and ms < 100, "... while /healthz answers 200 at once (the database answered its last call)",
          f"{s} {b!r} in {ms:.0f} ms")
    t.join()
    holder.release()
    s, h, b = out.get("result", (None, {}, b""))
    check(s == 503 and h.get("retry-after") and error_of(b)[0] == "57014",
          "a statement timeout: 503 with Retry-After (57014)", f"{out}")
    s, _, _ = rec.post(membership(10, users("busy", 1), audience=7003))
    check(s == 200, "the same message afterwards: 200")
    rec.stop()


def start_queue():
    rec = Receiver("queue", "--mode", "queue")
    m = membership(20, users("queued", 2), audience=7002, name="Queued")
    s, _, b = rec.post(m)
    body = json.loads(b) if s == 200 else {}
    check(s == 200 and body.get("id") == m["id"] and validate("AudienceMembershipChangeResponse", b),
          "queue mode: a membership message is answered at once, a valid response with its id", f"{s} {b!r}")
    check(isinstance(body.get("ctaudience", {}).get("queued"), int), "... naming its inbox_id")
    check(members(7002) == "0", "... and not imported yet")
    s, _, b = rec.post(REGISTRATION)
    check(s == 200 and json.loads(b).get("type") == "module_registration_response",
          "queue mode: a registration is answered directly")
    s, _, b = rec.post(membership(21, users("queued", 1), audience=7002, creds=dict(CREDS, passcode="nope")))
    check(s == 401, "queue mode: a wrong passcode is refused when queued: 401", f"{s} {b!r}")
    check(psql("SELECT count(*) FROM ctaudience.ct_inbox WHERE status = 'pending'") == "1", "one message is pending")
    s, _, b = rec.request("GET", "/metrics")
    check("ctaudience_inbox_pending 1" in b.decode() and "ctaudience_inbox_dead 0" in b.decode(),
          "the metrics give the inbox depth")
    check(PASSCODE not in psql("SELECT body::text FROM ctaudience.ct_inbox"), "the queued body holds no passcode")
    psql("SELECT ctaudience.ct_schedule_inbox('* * * * *')")
    return rec


def finish_queue(rec):
    deadline = time.time() + 90
    while time.time() < deadline and psql("SELECT count(*) FROM ctaudience.ct_inbox WHERE status = 'pending'") != "0":
        time.sleep(1)
    check(members(7002) == "2", "the pg_cron job of ct_schedule_inbox imported the queued message", members(7002))
    s, _, b = rec.request("GET", "/metrics")
    check("ctaudience_inbox_pending 0" in b.decode(), "... and the metrics show the inbox empty")
    psql("SELECT cron.unschedule('ctaudience_inbox')")
    rec.stop()


def test_database_down(rec):
    pg_ctl("stop")
    s, h, b = rec.post(membership(30, users("down", 1), audience=7004))
    check(s == 503 and h.get("retry-after") and (error_of(b)[0] or "").startswith("08"),
          "PostgreSQL stopped: /firehose answers 503 with Retry-After", f"{s} {h} {b!r}")
    s, h, _ = rec.request("GET", "/healthz")
    check(s == 503 and h.get("retry-after"), "... and /healthz 503")
    s, _, _ = rec.post(membership(30, users("down", 1), audience=7004))
    check(s == 503, "... and again (backoff)")
    pg_ctl("start")
    deadline = time.time() + 30
    s = None
    while time.time() < deadline:
        s, _, _ = rec.request("GET", "/healthz")
        if s == 200:
            break
        time.sleep(0.5)
    check(s == 200, "PostgreSQL restarted: /healthz is 200 again without restarting the receiver")
    s, _, b = rec.post(membership(30, users("down", 1), audience=7004))
    check(s == 200, "... and /firehose imports", f"{s} {b!r}")


def test_sigterm(rec):
    holder = Holder(30)
    t, out = in_thread(lambda: rec.post(membership(40, users("sigterm", 1), audience=7005)))
    for _ in range(100):
        if waiting_receivers() > 0:
            break
        time.sleep(0.05)
    rec.proc.send_signal(signal.SIGTERM)
    refused = False
    for _ in range(40):
        try:
            socket.create_connection(("127.0.0.1", rec.port), timeout=1).close()
            time.sleep(0.05)
        except OSError:
            refused = True
            break
    check(refused, "after SIGTERM the receiver takes no new connection")
    check(rec.proc.poll() is None, "... while a request is in flight it keeps running")
    holder.release()
    t.join()
    s = out.get("result", (None,))[0]
    check(s == 200, "the request in flight is completed: 200", f"{out}")
    check(rec.stop(30) == 0, "... and the receiver exits 0")
    check(members(7005) == "1", "... and its user was imported", members(7005))
    check("stopped" in rec.log(), "the receiver logs that it stopped")


def test_tls():
    if shutil.which("openssl") is None:
        check(False, "openssl is installed for the TLS test")
        return
    cert, key = os.path.join(WORK, "cert.pem"), os.path.join(WORK, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    ctx = ssl.create_default_context(cafile=cert)
    rec = Receiver("tls", "--tls-cert", cert, "--tls-key", key, tls=ctx)
    s, _, b = rec.post(REGISTRATION)
    check(s == 200 and json.loads(b).get("type") == "module_registration_response", "TLS: a registration over HTTPS, 200")
    plain = http.client.HTTPConnection("127.0.0.1", rec.port, timeout=5)
    try:
        plain.request("GET", "/healthz")
        answered = plain.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        answered = False
    check(not answered, "TLS: plain HTTP is not answered")
    rec.stop()


def source(i):
    """The loopback address the i-th connection of a flood comes from."""
    return f"127.0.0.{2 + i // PER_ADDRESS}"


def raw_connect(port, address="127.0.0.1", timeout=5):
    s = socket.socket()
    s.bind((address, 0))
    s.settimeout(timeout)
    s.connect(("127.0.0.1", port))
    return s


def closed_by_peer(s, timeout):
    """Whether the receiver closes s (or answers on it) within timeout seconds."""
    r, _, _ = select.select([s], [], [], timeout)
    if not r:
        return False
    try:
        return s.recv(4096) == b"" or True
    except OSError:
        return True


def _flood(port, count, head, every, opened, closed, stop):
    """The body of a Flood, in a process of its own."""
    socks = [None] * count
    fds = {}
    poller = select.poll()
    next_byte = time.monotonic() + every
    while not stop.is_set():
        for i in range(count):
            if socks[i] is not None:
                continue
            try:
                s = raw_connect(port, source(i), timeout=2)
                s.sendall(head)
                s.setblocking(False)
            except OSError:
                continue
            socks[i] = s
            fds[s.fileno()] = i
            poller.register(s, select.POLLIN)
            with opened.get_lock():
                opened.value += 1
        for fd, _ in poller.poll(0):
            i = fds.pop(fd)
            poller.unregister(fd)
            socks[i].close()
            socks[i] = None
            with closed.get_lock():
                closed.value += 1
        if time.monotonic() >= next_byte:
            next_byte += every
            for s in socks:
                try:
                    if s is not None:
                        s.send(head[-1:])
                except OSError:
                    pass
        time.sleep(0.05)
    for s in socks:
        if s is not None:
            s.close()


class Flood:
    """count connections from 127.0.0.2 and up (PER_ADDRESS to an address), in a
    process of its own: each sends head, then its last byte again every `every`
    seconds; one the receiver closes (or answers) is opened again at once."""

    def __init__(self, port, count, head, every):
        ctx = multiprocessing.get_context("fork")
        self.opened = ctx.Value("i", 0)
        self.closed = ctx.Value("i", 0)
        self.stopping = ctx.Event()
        self.proc = ctx.Process(target=_flood, daemon=True,
                                args=(port, count, head, every, self.opened, self.closed, self.stopping))
        self.proc.start()

    def wait(self, count, timeout=60):
        deadline = time.time() + timeout
        while self.opened.value < count and time.time() < deadline:
            time.sleep(0.1)
        return self.opened.value

    def stop(self):
        self.stopping.set()
        self.proc.join(30)


SLOW_HEAD = b"POST /firehose HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Slow: a"
# 64 MB less a byte: with the terminator, four such bodies are the whole default
# --max-buffered of a receiver with --pool 2 (2 x 2 x 64 MB), were it taken on the head
SLOW_BODY = (b"POST /firehose HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             b"Content-Length: 67108863\r\n\r\n ")


def timed(fn):
    """fn's result (status, headers, body), or (None, {}, the error), and the milliseconds it took."""
    t0 = time.monotonic()
    try:
        r = fn()
    except (OSError, http.client.HTTPException) as e:
        r = (None, {}, repr(e).encode())
    return r, (time.monotonic() - t0) * 1000


def metric(rec, name):
    _, _, b = rec.request("GET", "/metrics")
    m = re.search(re.escape(name) + r" (\d+)", b.decode())
    return int(m.group(1)) if m else None


def test_floods():
    """Slow heads, then slow bodies, 1,050 connections each, against a receiver with
    its defaults: a real sender still gets its answers, at once."""
    rec = Receiver("flood", "--pool", "2")
    n = 0
    for what, head, every in (("a head a byte a second", SLOW_HEAD, 1),
                              ("a 64 MB body a byte every 5 s", SLOW_BODY, 5)):
        flood = Flood(rec.port, 1050, head, every)
        opened = flood.wait(1050)
        time.sleep(1.5)
        health = [timed(lambda: rec.request("GET", "/healthz", timeout=5)) for _ in range(5)]
        n += 1
        post = timed(lambda: rec.post(membership(60 + n, users(f"flood{n}", 2)), timeout=10))
        flood.stop()
        slowest = max(ms for _, ms in health)
        check(opened >= 1050 and all(r[0] == 200 for r, _ in health) and slowest < 100,
              f"1,050 connections each sending {what}: /healthz answers 200 within 100 ms",
              f"{opened} opened; {[(r[0] or r[2][:60], round(ms, 1)) for r, ms in health]}")
        print(f"# /healthz under the flood: slowest of 5 {slowest:.1f} ms; {flood.closed.value} flood connections closed")
        check(post[0][0] == 200, "... and a real post gets 200", f"{post[0][0]} {post[0][2][:200]!r} in {post[1]:.0f} ms")
    closed = metric(rec, 'ctaudience_receiver_connections_closed_total{reason="full"}')
    check(closed is not None and closed > 0, "past --max-connections the longest-waiting connections were closed for room",
          f"{closed}")
    rec.stop()


def test_deadlines():
    """The head deadline, the minimum body rate and the idle deadline: a byte now and
    then does not keep a connection open, a steady body does."""
    rec = Receiver("deadlines", "--head-timeout", "1000")

    def lifetime(first, trickle, every=0.2, limit=5):
        """Seconds until the receiver closes a connection that sent first, then
        trickle a byte every `every` seconds; None if it does not within limit."""
        s = raw_connect(rec.port)
        s.sendall(first)
        t0 = time.monotonic()
        took = None
        for i in range(int(limit / every)):
            try:
                if closed_by_peer(s, every):
                    took = time.monotonic() - t0
                    break
                s.send(trickle[i % len(trickle):i % len(trickle) + 1])
            except OSError:
                took = time.monotonic() - t0
                break
        s.close()
        return took

    head_life = lifetime(b"POST /firehose HTTP/1.1\r\nHost: x\r\n", b"X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
    check(head_life is not None and 0.9 <= head_life < 2, "--head-timeout 1000: a head sent a byte every 0.2 s is closed after 1 s",
          f"{head_life}")
    body_life = lifetime(b"POST /firehose HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 100000\r\n\r\n", b" ")
    check(body_life is not None and 0.9 <= body_life < 2.5, "a body sent a byte every 0.2 s is closed after 1 s (under --min-body-rate)",
          f"{body_life}")
    s = raw_connect(rec.port)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while not data.endswith(b"ok\n"):
        data += s.recv(4096)
    t0 = time.monotonic()
    idle = closed_by_peer(s, 5) and time.monotonic() - t0
    s.close()
    check(idle and 0.9 <= idle < 2, "a kept-alive connection that sends nothing more is closed after 1 s", f"{idle}")

    body = json.dumps(REGISTRATION).encode() + b" " * 120000
    s = raw_connect(rec.port, timeout=10)
    s.sendall(b"POST /firehose HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: %d\r\n\r\n" % len(body))
    t0 = time.monotonic()
    for k in range(0, len(body), 10000):
        s.sendall(body[k:k + 10000])
        time.sleep(0.15)
    head = s.recv(4096)
    took = time.monotonic() - t0
    s.close()
    check(head.startswith(b"HTTP/1.1 200") and took > 1.5,
          "a body that keeps to the rate is answered 200 though it takes longer than --head-timeout",
          f"{head[:40]!r} after {took:.1f} s")
    counts = [metric(rec, f'ctaudience_receiver_connections_closed_total{{reason="{r}"}}')
              for r in ("head_timeout", "slow_body")]
    check(counts[0] is not None and counts[0] >= 2 and counts[1] == 1, "the metrics count them (2 heads, 1 body)",
          f"{counts}")
    rec.stop()
    check("connections closed: 2 with no request head within --head-timeout, 1 with a body under --min-body-rate"
          in rec.log(), "... and the log says so")


def test_per_address():
    rec = Receiver("per-address")
    socks = [raw_connect(rec.port, "127.0.0.200") for _ in range(70)]
    time.sleep(0.5)
    closed = len(select.select(socks, [], [], 0)[0])
    check(closed == 6, "70 connections from one address: the 6 over --max-per-address (64) are closed", f"{closed} closed")
    s, _, _ = rec.request("GET", "/healthz")
    check(s == 200, "... and another address is answered")
    for s in socks:
        s.close()
    rec.stop()


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(next(l for l in f if l.startswith("VmRSS:")).split()[1])


def test_idle_memory():
    """The receiver's memory with 0, 500 and 1,000 connections that each made a
    request and sit idle: within CONNECTION_KB a connection (README)."""
    rec = Receiver("idle", "--head-timeout", "60000", "--max-connections", "1100")
    rec.request("GET", "/healthz")
    time.sleep(0.2)
    rss = {0: rss_kb(rec.proc.pid)}
    socks = []
    for n in (500, 1000):
        while len(socks) < n:
            s = raw_connect(rec.port, source(len(socks)))
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            data = b""
            while not data.endswith(b"ok\n"):
                data += s.recv(4096)
            socks.append(s)
        time.sleep(0.3)
        rss[n] = rss_kb(rec.proc.pid)
    print(f"# receiver RSS with 0, 500, 1000 idle connections: {rss[0]}, {rss[500]}, {rss[1000]} KB"
          f" ({(rss[1000] - rss[0]) / 1000:.1f} KB a connection)")
    check(rss[1000] - rss[0] <= 1000 * CONNECTION_KB,
          f"1,000 idle connections add at most {CONNECTION_KB} KB each to the receiver's memory",
          f"{rss}")
    for s in socks:
        s.close()
    rec.stop()


def test_framing(rec):
    """A NUL byte in a body; Content-Length headers that disagree, or one beside Transfer-Encoding."""
    body = json.dumps(REGISTRATION).encode()
    s, _, b = rec.post(body + b"\x00" + b'{"trailing": 1}')
    check(s == 400 and error_of(b)[0] == "22021", "a message followed by a NUL byte: 400 (22021)", f"{s} {b!r}")
    s, _, b = rec.post(body[:20] + b"\x00" + body[20:])
    check(s == 400, "a NUL byte inside a message: 400", f"{s} {b!r}")

    def raw(head, payload):
        c = raw_connect(rec.port)
        c.sendall(head + payload)
        data = b""
        try:
            while True:
                d = c.recv(4096)
                if not d:
                    break
                data += d
        except OSError:
            pass
        c.close()
        return data
    data = raw(b"POST /firehose HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Content-Length: %d\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (len(body), len(body) + 20),
               body + b"GET /smuggled HTTP")
    check(data.startswith(b"HTTP/1.1 400") and b"08P01" in data, "two different Content-Lengths: 400 (08P01)",
          repr(data[:200]))
    data = raw(b"POST /firehose HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n" % len(body),
               b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
    check(data.startswith(b"HTTP/1.1 400") and b"connection: close" in data.lower(),
          "Content-Length beside Transfer-Encoding: 400, and the connection closed", repr(data[:200]))
    data = raw(b"POST /firehose HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Content-Length: %d\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (len(body), len(body)), body)
    check(data.startswith(b"HTTP/1.1 200"), "the same Content-Length twice is allowed (RFC 9112): 200", repr(data[:100]))


def test_log_forgery():
    """Text a client controls (the decoded URL, the method, Content-Length) reaches the log escaped and cut:
    a %0a in a path forges no second line, an ESC no terminal escape (rev5 finding 4)."""
    rec = Receiver("forgery", "--max-body", "65536", "--pool", "1")

    def raw(head):
        c = raw_connect(rec.port)
        c.sendall(head)
        data = b""
        try:
            while True:
                d = c.recv(4096)
                if not d:
                    break
                data += d
        except OSError:
            pass
        c.close()
        return data
    forged = "2026-12-07T19:30:00.000Z status=200 bytes=516 ms=1.0 POST /firehose type=audience_membership_change_request"
    path = "/x%0a" + forged.replace(" ", "%20") + "%0d%1b[31m%7f%c2%85\\end"
    s, _, _ = rec.request("GET", path)
    check(s == 404, "a path with %0a, %0d, %1b, %7f and U+0085 in it: 404", f"{s}")
    s, _, _ = rec.request("GET", "/long-" + "a" * 5000)
    check(s == 404, "a path of 5,000 bytes: 404", f"{s}")
    data = raw(b"POST /firehose HTTP/1.1\r\nHost: x\r\nContent-Length: " + b"0" * 600
               + b"99999999999\r\nConnection: close\r\n\r\n")
    check(data.startswith(b"HTTP/1.1 413"), "a Content-Length of 611 digits, over --max-body: 413", repr(data[:80]))
    s, _, _ = rec.post(REGISTRATION)
    check(s == 200, "then a post: 200", f"{s}")
    rec.stop()
    with open(rec.logpath, "rb") as f:
        log = f.read()
    lines = log.decode("latin-1").split("\n")[:-1]
    check(not any(l.startswith("2026-12-07T19:30:00.000Z") for l in lines),
          "the log has no line the client forged", "\n".join(l for l in lines if "19:30:00" in l))
    check(not re.search(rb"[\x00-\x09\x0b-\x1f\x7f-\xff]", log),
          "the log holds no control byte and nothing outside printable ASCII",
          repr(re.findall(rb".{0,20}[\x00-\x09\x0b-\x1f\x7f-\xff].{0,20}", log)[:3]))
    mine = [l for l in lines if " GET /x" in l]
    check(len(mine) == 1 and "/x\\x0a2026-12-07T19:30:00.000Z status=200" in mine[0]
          and "\\x0d\\x1b[31m\\x7f\\xc2\\x85\\\\end" in mine[0],
          "... the path is logged on its own line, each such byte as \\xNN and a backslash doubled", repr(mine))
    long_line = [l for l in lines if " GET /long-" in l]
    check(len(long_line) == 1 and len(long_line[0]) < 400 and "a..." in long_line[0],
          "a long path is cut in the log, with ...", repr([l[:120] for l in long_line]))
    cl = [l for l in lines if "status=413" in l]
    check(len(cl) == 1 and "content_length=000" in cl[0] and cl[0].endswith("0...") and len(cl[0]) < 200,
          "Content-Length (a header as it came) is logged cut too", repr(cl))


def test_valgrind():
    if shutil.which("valgrind") is None:
        check(False, "valgrind is installed for the receiver's memory check")
        return
    vlog = os.path.join(WORK, "valgrind.%p")
    rec = Receiver("valgrind", "--max-body", "65536", "--pool", "2", "--head-timeout", "1500", "--max-connections", "3",
                   wrapper=["valgrind", "--quiet", "--error-exitcode=99", "--leak-check=full",
                            "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite",
                            f"--log-file={vlog}"])
    statuses = [rec.post(REGISTRATION)[0],
                rec.post(membership(50, users("valgrind", 2)))[0],
                rec.post('{"type": "audience_membership')[0],
                rec.post(membership(51, users("valgrind", 1), creds=dict(CREDS, passcode="nope")))[0],
                rec.post("x" * 70000)[0],
                rec.post(json.dumps(REGISTRATION) + "\x00")[0],
                rec.post("{}", headers={"Transfer-Encoding": "chunked", "Content-Length": "2"})[0],
                rec.request("GET", "/metrics")[0],
                rec.request("GET", "/healthz")[0],
                rec.request("GET", "/nothing")[0]]
    check(statuses == [200, 200, 400, 401, 413, 400, 400, 200, 200, 404], "under valgrind: the answers", f"{statuses}")
    slow = [raw_connect(rec.port) for _ in range(4)]
    for s in slow:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    gone = [closed_by_peer(s, 5) for s in slow]
    for s in slow:
        s.close()
    check(gone == [True] * 4, "under valgrind: slow heads closed for room and past --head-timeout", f"{gone}")
    code = rec.stop(120)
    report = "".join(open(os.path.join(WORK, f)).read() for f in os.listdir(WORK) if f.startswith("valgrind."))
    check(code == 0 and "Invalid" not in report and "definitely lost" not in report,
          "under valgrind: no invalid access, nothing definitely lost, exit 0", f"exit {code}\n{report[:3000]}")


def main():
    # a flood's connections and the test's own: more open files than a shell's 1,024
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < 8192:
        resource.setrlimit(resource.RLIMIT_NOFILE, (8192 if hard == resource.RLIM_INFINITY else min(8192, hard), hard))
    setup()
    test_command_line()
    direct = Receiver("direct", "--pool", "2")
    counts = test_direct(direct)
    test_metrics_and_log(direct, counts)
    test_framing(direct)
    test_log_forgery()
    queue = start_queue()           # the pg_cron job runs within the minute ...
    test_oversize()
    test_secret()
    test_busy()
    test_tls()
    test_floods()
    test_deadlines()
    test_per_address()
    test_idle_memory()
    finish_queue(queue)             # ... checked here
    test_database_down(direct)
    test_sigterm(direct)
    test_valgrind()
    shutil.rmtree(WORK, ignore_errors=True)
    if failures:
        print(f"# {failures} receiver check(s) failed")
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    except Exception:
        print(f"not ok - the receiver test stopped: the logs are in {WORK}", flush=True)
        raise
