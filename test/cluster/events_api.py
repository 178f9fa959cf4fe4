#!/usr/bin/env python3
"""A stand-in of mParticle's Events API, for the exporter's tests, the demo
and the benchmark: an HTTP server on 127.0.0.1 (never another address).

It answers POST /v2/bulkevents (a JSON array of batches) and POST
/v2/events (one batch) as mParticle documents them (../shared/mparticle-events/
FACTS.md): HTTP Basic authentication with a feed's key and secret (none:
401, wrong: 403), then every documented rule, checked with a schema of its
own rather than mParticle's published schema file (which differs from the
prose: see FACTS' "Known differences"):

  request   at most 256 KB; JSON; an array of 1 to 100 batches (/v2/events:
            one batch)
  batch     at most 128 KB of the request's text; an object of the
            documented fields only; environment "production" or
            "development"; a source_request_id (a non-empty string); one
            user: user_identities (customer_id and email only: what the
            CleverTap feed may send), partner_identities (CleverTap_User_ID
            only: a feed sends its registered partner identity), or an
            mpid; no consent_state (feeds may not set it); at most 100
            user attributes, names of at most 256 characters, values
            strings, numbers, booleans or lists of at most 1,000 strings of
            at most 512 characters, strings of at most 4,096 characters
  event     event_type one of the documented types, a data object of the
            documented fields; a custom_event has an event_name of 1 to 256
            characters and a custom_event_type from the reference's list
            (attribution included); custom_attributes: at most 100, names of
            at most 256 characters, string values of at most 4,096;
            timestamp_unixtime_ms a positive whole number; source_message_id
            a string

A request that breaks a rule is answered 400 with mParticle's error body
({"errors": [{"code": "BAD_REQUEST", "message": ...}]}) and kept in
`violations`.  A request that passes is answered 202 and its batches are
recorded in `accepted`, except a batch whose source_request_id the same key
sent before: like mParticle, the stand-in de-duplicates by
source_request_id (scoped to the key) and does not record it again (it is
counted in `duplicates`).

It can be told to answer otherwise, for the next N requests (of a key, or
any): 400, 401, 403, 429 with or without Retry-After, 503, any status, or
"drop" (close the connection without answering), optionally after holding
the request some seconds ("hold"); status None holds the request, then
answers it as usual.  Every request is in `log`: time, key,
status, batches, and the body.

fast=True (the benchmark) parses each body and counts its batches and
events, and checks nothing else.

As a program (the demo, the benchmark):
  python3 test/cluster/events_api.py --port PORT --key KEY --secret SECRET
      [--fast] [--record DIR]
prints its port when it listens, one line per request on stdout, and on
SIGTERM a summary line; --record writes each accepted body to DIR.
"""
import argparse
import base64
import hmac
import http.server
import json
import os
import signal
import socketserver
import sys
import threading
import time

MAX_REQUEST = 256 * 1024
MAX_BATCH = 128 * 1024
MAX_BATCHES = 100
MAX_EVENT_NAME = 256
MAX_ATTRIBUTES = 100
MAX_ATTRIBUTE_NAME = 256
MAX_ATTRIBUTE_VALUE = 4096
MAX_USER_ATTRIBUTES = 100
MAX_USER_LIST = 1000
MAX_USER_LIST_ENTRY = 512

BATCH_FIELDS = {"events", "device_info", "application_info", "user_attributes", "deleted_user_attributes",
                "user_identities", "partner_identities", "mpid", "environment", "source_request_id",
                "context", "integration_attributes", "ip"}
FEED_USER_IDENTITIES = {"customer_id", "email"}
FEED_PARTNER_IDENTITIES = {"CleverTap_User_ID"}
EVENT_TYPES = {"custom_event", "commerce_event", "session_start", "session_end", "screen_view", "uninstall",
               "crash_report", "opt_out", "push_registration", "application_state_transition",
               "push_message", "network_performance", "breadcrumb"}
CUSTOM_EVENT_TYPES = {"attribution", "location", "media", "navigation", "search", "social", "transaction",
                      "user_content", "user_preference", "other"}
DATA_FIELDS = {"event_name", "custom_event_type", "custom_attributes", "custom_flags", "timestamp_unixtime_ms",
               "source_message_id", "session_uuid", "event_num", "location", "device_current_state"}


class Invalid(Exception):
    """A broken rule: the message of the 400."""


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _require(cond, message):
    if not cond:
        raise Invalid(message)


def check_attributes(attrs, where):
    _require(isinstance(attrs, dict), f"{where} must be an object")
    _require(len(attrs) <= MAX_ATTRIBUTES, f"{where} has {len(attrs)} attributes, more than {MAX_ATTRIBUTES}")
    for name, value in attrs.items():
        _require(0 < len(name) <= MAX_ATTRIBUTE_NAME, f"{where}: an attribute name of {len(name)} characters")
        _require(isinstance(value, str), f"{where}.{name} must be a string")
        _require(len(value) <= MAX_ATTRIBUTE_VALUE, f"{where}.{name} has {len(value)} characters, more than {MAX_ATTRIBUTE_VALUE}")


def check_user_attributes(attrs, where):
    _require(isinstance(attrs, dict), f"{where} must be an object")
    _require(len(attrs) <= MAX_USER_ATTRIBUTES, f"{where} has {len(attrs)} attributes, more than {MAX_USER_ATTRIBUTES}")
    for name, value in attrs.items():
        _require(0 < len(name) <= MAX_ATTRIBUTE_NAME, f"{where}: an attribute name of {len(name)} characters")
        if isinstance(value, list):
            _require(len(value) <= MAX_USER_LIST, f"{where}.{name} is a list of more than {MAX_USER_LIST}")
            for v in value:
                _require(isinstance(v, str) and len(v) <= MAX_USER_LIST_ENTRY,
                         f"{where}.{name}: list entries are strings of at most {MAX_USER_LIST_ENTRY} characters")
        elif isinstance(value, str):
            _require(len(value) <= MAX_ATTRIBUTE_VALUE, f"{where}.{name} has more than {MAX_ATTRIBUTE_VALUE} characters")
        else:
            _require(value is None or isinstance(value, (bool, int, float)), f"{where}.{name}: not a value")


def check_string_map(m, allowed, where):
    _require(isinstance(m, dict), f"{where} must be an object")
    for k, v in m.items():
        _require(k in allowed, f"{where}.{k} is not accepted from this feed (accepted: {', '.join(sorted(allowed))})")
        _require(isinstance(v, str) and v != "", f"{where}.{k} must be a non-empty string")


def check_event(e, where):
    _require(isinstance(e, dict), f"{where} must be an object")
    _require(set(e) <= {"event_type", "data"}, f"{where} has fields other than event_type and data")
    _require(e.get("event_type") in EVENT_TYPES, f"{where}.event_type {e.get('event_type')!r} is not an event type")
    data = e.get("data")
    _require(isinstance(data, dict), f"{where}.data must be an object")
    extra = set(data) - DATA_FIELDS
    _require(not extra, f"{where}.data has undocumented fields: {', '.join(sorted(extra))}")
    if e["event_type"] == "custom_event":
        name = data.get("event_name")
        _require(isinstance(name, str) and 0 < len(name) <= MAX_EVENT_NAME,
                 f"{where}.data.event_name must be a string of 1 to {MAX_EVENT_NAME} characters")
        _require(data.get("custom_event_type") in CUSTOM_EVENT_TYPES,
                 f"{where}.data.custom_event_type {data.get('custom_event_type')!r} is not a custom event type")
    elif "event_name" in data:
        _require(isinstance(data["event_name"], str) and 0 < len(data["event_name"]) <= MAX_EVENT_NAME,
                 f"{where}.data.event_name must be a string of 1 to {MAX_EVENT_NAME} characters")
    if "custom_attributes" in data:
        check_attributes(data["custom_attributes"], f"{where}.data.custom_attributes")
    if "timestamp_unixtime_ms" in data:
        _require(_is_int(data["timestamp_unixtime_ms"]) and data["timestamp_unixtime_ms"] > 0,
                 f"{where}.data.timestamp_unixtime_ms must be a positive whole number")
    if "source_message_id" in data:
        _require(isinstance(data["source_message_id"], str) and data["source_message_id"],
                 f"{where}.data.source_message_id must be a non-empty string")


def check_batch(b, where):
    _require(isinstance(b, dict), f"{where} must be an object")
    _require("consent_state" not in b, f"{where}.consent_state: a feed may not set consent")
    extra = set(b) - BATCH_FIELDS
    _require(not extra, f"{where} has undocumented fields: {', '.join(sorted(extra))}")
    _require(b.get("environment") in ("production", "development"),
             f"{where}.environment must be \"production\" or \"development\"")
    _require(isinstance(b.get("source_request_id"), str) and b["source_request_id"] != "",
             f"{where}.source_request_id must be a non-empty string")
    if "user_identities" in b:
        check_string_map(b["user_identities"], FEED_USER_IDENTITIES, f"{where}.user_identities")
    if "partner_identities" in b:
        check_string_map(b["partner_identities"], FEED_PARTNER_IDENTITIES, f"{where}.partner_identities")
    if "mpid" in b:
        _require(_is_int(b["mpid"]), f"{where}.mpid must be a whole number")
    _require(b.get("user_identities") or b.get("partner_identities") or "mpid" in b,
             f"{where} names no user (user_identities, partner_identities or mpid)")
    if "user_attributes" in b:
        check_user_attributes(b["user_attributes"], f"{where}.user_attributes")
    if "deleted_user_attributes" in b:
        _require(isinstance(b["deleted_user_attributes"], list)
                 and all(isinstance(x, str) for x in b["deleted_user_attributes"]),
                 f"{where}.deleted_user_attributes must be an array of strings")
    events = b.get("events", [])
    _require(isinstance(events, list), f"{where}.events must be an array")
    for i, e in enumerate(events):
        check_event(e, f"{where}.events[{i}]")


def split_array(text):
    """The elements of a JSON array text: (value, its text), each from the request's own bytes."""
    decoder = json.JSONDecoder()
    i = len(text) - len(text.lstrip())
    _require(text[i:i + 1] == "[", "the body of /v2/bulkevents must be a JSON array of batches")
    i += 1
    items = []
    while True:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        if text[i:i + 1] == "]" and not items:
            i += 1
            break
        value, end = decoder.raw_decode(text, i)
        items.append((value, text[i:end]))
        i = end
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        if text[i:i + 1] == ",":
            i += 1
            continue
        _require(text[i:i + 1] == "]", "the body is not a JSON array")
        i += 1
        break
    _require(text[i:].strip() == "", "text after the JSON array")
    return items


def parse(body, bulk):
    """The batches of a body, each with its text; raises Invalid."""
    _require(len(body) <= MAX_REQUEST, f"the request is {len(body)} bytes, more than {MAX_REQUEST}")
    try:
        text = body.decode("utf-8")
        if bulk:
            items = split_array(text)
        else:
            items = [(json.loads(text), text)]
    except (UnicodeDecodeError, ValueError, IndexError) as e:
        raise Invalid(f"the body is not JSON: {e}")
    _require(1 <= len(items) <= MAX_BATCHES, f"{len(items)} batches: a request carries 1 to {MAX_BATCHES}")
    for k, (batch, btext) in enumerate(items):
        size = len(btext.encode("utf-8"))
        _require(size <= MAX_BATCH, f"batch {k} is {size} bytes, more than {MAX_BATCH}")
        check_batch(batch, f"[{k}]" if bulk else "batch")
    return [b for b, _ in items]


class Answer:
    """An answer the stand-in was told to give instead of checking."""

    def __init__(self, status, count=1, key=None, retry_after=None, hold=0.0):
        self.status, self.count, self.key, self.retry_after, self.hold = status, count, key, retry_after, hold


class EventsApi:
    """The stand-in; start() it, read url, stop() it."""

    def __init__(self, keys, fast=False, record_dir=None, quiet=True):
        self.keys = dict(keys)           # key -> secret
        self.fast = fast
        self.record_dir = record_dir
        self.quiet = quiet
        self.lock = threading.Lock()
        self.script = []                 # Answer, in order
        self.log = []                    # every request: dict
        self.accepted = []               # (key, batch) recorded
        self.violations = []             # (key, message)
        self.seen = {}                   # key -> set of source_request_id
        self.duplicates = 0
        self.batches = 0                 # fast mode: counts
        self.events = 0
        self.requests = 0
        self.server = None
        self.held = threading.Event()    # set when a request is being held

    # -- telling it what to answer -------------------------------------
    def answer(self, status, count=1, key=None, retry_after=None, hold=0.0):
        """The next count requests (of key, or any) get status ("drop": no answer)."""
        with self.lock:
            self.script.append(Answer(status, count, key, retry_after, hold))

    def clear(self):
        with self.lock:
            self.script.clear()

    def _scripted(self, key):
        with self.lock:
            for a in self.script:
                if a.count > 0 and (a.key is None or a.key == key):
                    a.count -= 1
                    if a.count == 0:
                        self.script.remove(a)
                    return a
        return None

    # -- what it saw -----------------------------------------------------
    def events_received(self):
        """Every event recorded, with its batch's identities: a list of (batch, event)."""
        with self.lock:
            return [(b, e) for _, b in self.accepted for e in b.get("events", [])]

    def requests_with(self, status):
        with self.lock:
            return [r for r in self.log if r["status"] == status]

    # -- serving ---------------------------------------------------------
    def start(self, port=0):
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):
                pass

            def do_POST(self):
                api._handle(self)

            def do_GET(self):
                self._plain(404, b"not found\n")

            def _plain(self, status, body):
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True

            def handle_error(self, request, client_address):
                # a client gone mid-answer (killed, timed out) is part of the tests
                if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
                    super().handle_error(request, client_address)

        self.server = Server(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def _auth(self, header):
        """(status, key): 0 when the credentials are a known key's, else 401 or 403."""
        if not header or not header.startswith("Basic "):
            return 401, None
        try:
            key, _, secret = base64.b64decode(header[6:], validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return 403, None
        want = self.keys.get(key)
        if want is None or not hmac.compare_digest(want.encode(), secret.encode()):
            return 403, key
        return 0, key

    def _handle(self, h):
        started = time.time()
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        status, key = self._auth(h.headers.get("Authorization"))
        entry = {"time": started, "key": key, "path": h.path, "body": body, "batches": 0, "events": 0}
        headers = {}
        reply = b""
        scripted = self._scripted(key) if status == 0 else None
        if scripted is not None and scripted.hold:
            self.held.set()
            time.sleep(scripted.hold)
        if scripted is not None and scripted.status == "drop":
            entry["status"] = "drop"
            with self.lock:
                self.log.append(entry)
            h.close_connection = True
            h.connection.shutdown(2)
            return
        if h.path not in ("/v2/bulkevents", "/v2/events"):
            status, reply = 404, b'{"errors":[{"code":"NOT_FOUND","message":"no such path"}]}'
        elif status:
            reply = b'{"errors":[{"code":"UNAUTHORIZED","message":"invalid credentials"}]}'
        elif scripted is not None and scripted.status is not None:
            status = scripted.status
            if scripted.retry_after is not None:
                headers["Retry-After"] = str(scripted.retry_after)
            if status == 429:
                headers["X-mp-rate-limit-exceeded"] = "workspace"
            reply = json.dumps({"errors": [{"code": "SCRIPTED", "message": f"told to answer {status}"}]}).encode()
        elif self.fast:
            status = 202
            try:
                batches = json.loads(body)
                entry["batches"] = len(batches)
                entry["events"] = sum(len(b.get("events", [])) for b in batches)
            except ValueError:
                status = 400
        else:
            status, reply = self._check(h, key, body, entry)
        entry["status"] = status
        if status == 202 and self.record_dir is not None:
            with open(os.path.join(self.record_dir, f"{len(self.log):06d}.json"), "wb") as f:
                f.write(body)
        with self.lock:
            if self.fast:
                entry["body"] = None
            self.log.append(entry)
            self.requests += 1
            if status == 202:
                self.batches += entry["batches"]
                self.events += entry["events"]
        if not self.quiet:
            print(f"POST {h.path} {status}: {entry['batches']} batches, {entry['events']} events"
                  + (f", {entry.get('duplicates')} duplicate batches" if entry.get("duplicates") else ""), flush=True)
        h.send_response(status)
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(reply)))
        h.end_headers()
        h.wfile.write(reply)

    def _check(self, h, key, body, entry):
        """The documented rules, then de-duplication and recording: (status, reply)."""
        ctype = (h.headers.get("Content-Type") or "").split(";")[0].strip()
        try:
            _require(ctype == "application/json", f"Content-Type {ctype!r}: application/json expected")
            batches = parse(body, h.path == "/v2/bulkevents")
        except Invalid as e:
            with self.lock:
                self.violations.append((key, str(e)))
            return 400, json.dumps({"errors": [{"code": "BAD_REQUEST", "message": str(e)}]}).encode()
        entry["batches"] = len(batches)
        entry["events"] = sum(len(b.get("events", [])) for b in batches)
        entry["source_request_ids"] = [b["source_request_id"] for b in batches]
        dup = 0
        with self.lock:
            seen = self.seen.setdefault(key, set())
            for b in batches:
                if b["source_request_id"] in seen:
                    dup += 1
                    continue
                seen.add(b["source_request_id"])
                self.accepted.append((key, b))
            self.duplicates += dup
        entry["duplicates"] = dup
        return 202, b""


def main():
    ap = argparse.ArgumentParser(description="A stand-in of mParticle's Events API on 127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--key", required=True)
    ap.add_argument("--secret", required=True)
    ap.add_argument("--fast", action="store_true", help="count batches and events, check nothing else")
    ap.add_argument("--record", metavar="DIR", help="write each accepted body to DIR")
    args = ap.parse_args()
    api = EventsApi({args.key: args.secret}, fast=args.fast, record_dir=args.record, quiet=args.fast).start(args.port)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    print(f"listening on {api.url}", flush=True)
    while not done.wait(0.5):
        pass
    api.stop()
    print(f"stand-in: {api.requests} requests, {api.batches} batches and {api.events} events accepted"
          f", {api.duplicates} duplicate batches, {len(api.violations)} refused", flush=True)
    for _, v in api.violations[:5]:
        print(f"refused: {v}", flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
