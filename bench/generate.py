#!/usr/bin/env python3
"""generate.py USERS OUTFILE [--seed N] [--big N] [--chunked]

Realistic mParticle Firehose audience_membership_change_request messages for
the benchmark, one JSON message per line of OUTFILE:

  - wave 1: every user added to 1 or 2 of 4 audiences, 1,000 profiles a message;
  - wave 2 (later timestamps): about 10% of the users removed from an audience;
  - about 3% of the messages sent a second time (same id: a redelivery);
  - identities: ~20% Partner ID (CleverTap_User_ID), ~50% Customer ID,
    ~15% mpid with an email or a phone, ~15% anonymous or hashed only;
    ~45% carry a raw email, ~35% a phone, national (US) or international.

With --big N, one more file OUTFILE.big holds a single message of N profiles
(for the memory measurement).  With --attributes, every user of wave 1 also
gets an attribute_update of three user attributes, and a third wave sends
new values for about 20% of the users, half of its messages dated before
wave 1 (their operations are stale) and half after.  Deterministic for a
given seed.

With --chunked the messages are made and written one at a time, so the
generator needs a few megabytes whatever USERS is (bench/scale.sh, 10,000,000
users): each message of wave 1 draws its users from a random generator of its
own (seeded by the seed and the message's number), wave 2 makes the same users
again from the same seeds to pick who leaves, and a redelivery is held back
until it is sent again.  The messages have the same shapes and proportions as
without it, but are not the same messages (--attributes is not available).
"""
import json, random, sys, uuid

ACCOUNT = {"account_id": 7001, "account_settings": {
    "accountId": "BENCH", "passcode": "bench-passcode-1", "accountToken": "bench-token", "region": "eu1"}}
AUDIENCES = [(71001, "Cart Drop off"), (71002, "Big spenders"), (71003, "Bangalore app users"), (71004, "Churn risk")]
PER_MESSAGE = 1000
AREA_CODES = [201, 202, 206, 212, 213, 214, 305, 310, 312, 404, 415, 503, 512, 602, 617, 646, 702, 713,
              718, 805, 818, 917]
T0 = 1730000000000            # wave 1 starts here (ms)


def make_user(i, rnd):
    """A user's identities, fixed across messages."""
    u = {"mpid": str(rnd.getrandbits(62)), "ids": [], "partner": None}
    r = rnd.random()
    email = rnd.random() < 0.45
    phone = rnd.random() < 0.35
    if r < 0.20:
        u["partner"] = "__%030x" % rnd.getrandbits(120)
        if rnd.random() < 0.5:
            u["ids"].append(("customer", "raw", "cust-%d" % i))
    elif r < 0.70:
        u["ids"].append(("customer", "raw", "cust-%d" % i))
    elif r < 0.85:
        if not email and not phone:
            email = True       # rule 3 needs one
    else:
        email = phone = False  # anonymous: mpid alone, or hashed identities only
        if rnd.random() < 0.5:
            u["ids"].append(("email", "sha256", "%064x" % rnd.getrandbits(256)))
    if email:
        u["ids"].append(("email", "raw", "user%d.%s@example%d.com" % (i, rnd.choice(["Smith", "lee", "K"]), i % 97)))
    if phone:
        area = rnd.choice(AREA_CODES)
        exchange = rnd.randrange(200, 1000)
        line = rnd.randrange(0, 10000)
        if rnd.random() < 0.03:
            s = "%03d-%04d" % (exchange, line)          # too short: invalid
        elif rnd.random() < 0.5:
            s = "(%03d) %03d-%04d" % (area, exchange, line)
        else:
            s = "+1 %03d %03d %04d" % (area, exchange, line)
        u["ids"].append(("mobile_number", "raw", s))
    u["auds"] = rnd.sample(AUDIENCES, rnd.choice([1, 1, 2]))
    return u


def profile(u, audiences):
    p = {"mpid": u["mpid"],
         "user_identities": [{"type": t, "encoding": e, "value": v} for t, e, v in u["ids"]],
         "device_identities": [{"type": "android_id", "encoding": "raw", "value": u["mpid"][-16:]}],
         "audiences": audiences}
    if u["partner"]:
        p["partner_identities"] = [{"type": "CleverTap_User_ID", "encoding": "raw", "value": u["partner"]}]
    return p


def attribute_entries(u, rnd, attributes):
    """An attribute_update of three user attributes, on the user's first audience."""
    if not attributes:
        return []
    a, n = u["auds"][0]
    return [{"audience_id": a, "audience_name": n, "action": "attribute_update", "user_attributes": [
        {"key": "plan", "value": rnd.choice(["free", "gold", "platinum"]), "action": "upsert"},
        {"key": "city", "value": rnd.choice(["Pune", "Austin", "Leeds", "Lagos"]), "action": "upsert"},
        {"key": "score", "value": str(rnd.randrange(1000)), "action": "upsert"}]}]


def message(rnd, ts, profiles):
    return {"type": "audience_membership_change_request", "id": str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
            "timestamp_ms": ts, "firehose_version": "3.2.0", "account": ACCOUNT, "user_profiles": profiles}


def chunked(users, out, seed, big):
    """--chunked: write the messages one at a time (see the docstring)."""
    def chunk_users(k):
        rnd = random.Random("%d-users-%d" % (seed, k))
        return [make_user(i, rnd) for i in range(k * PER_MESSAGE, min(users, (k + 1) * PER_MESSAGE))], rnd

    nchunks = (users + PER_MESSAGE - 1) // PER_MESSAGE
    resend = random.Random("%d-resend" % seed)
    counts = {"messages": 0, "resent": 0, "leaving": 0}

    def emit(f, held, line):
        """Write one message, and the held redeliveries whose turn has come."""
        f.write(line + "\n")
        counts["messages"] += 1
        for h in list(held):
            h[0] -= 1
            if h[0] == 0:
                f.write(h[1] + "\n")
                counts["messages"] += 1
                held.remove(h)
        if resend.random() < 0.03:
            held.append([resend.randrange(1, 5), line])
            counts["resent"] += 1

    def flush(f, held):
        for h in held:
            f.write(h[1] + "\n")
            counts["messages"] += 1
        held.clear()

    ts = T0
    with open(out, "w") as f:
        held = []
        for k in range(nchunks):
            batch, rnd = chunk_users(k)
            m = message(rnd, ts, [profile(u, [{"audience_id": a, "audience_name": n, "action": "add"}
                                              for a, n in u["auds"]]) for u in batch])
            emit(f, held, json.dumps(m, separators=(",", ":")))
            ts += 1000
        flush(f, held)
        f.write("#\n")      # the removal wave comes after the first (the driver waits here)
        ts += 3600 * 1000
        leaving = []
        for k in range(nchunks + 1):
            if k < nchunks:
                batch, _ = chunk_users(k)
                pick = random.Random("%d-leave-%d" % (seed, k))
                leaving += [u for u in batch if pick.random() < 0.10]
            while len(leaving) >= PER_MESSAGE or (k == nchunks and leaving):
                part, leaving = leaving[:PER_MESSAGE], leaving[PER_MESSAGE:]
                rnd = random.Random("%d-wave2-%d" % (seed, ts))
                m = message(rnd, ts, [profile(u, [{"audience_id": u["auds"][0][0], "audience_name": u["auds"][0][1],
                                                   "action": "delete"}]) for u in part])
                emit(f, held, json.dumps(m, separators=(",", ":")))
                counts["leaving"] += len(part)
                ts += 1000
        flush(f, held)
    if big:
        rnd = random.Random("%d-big" % seed)
        extra = [make_user(users + i, rnd) for i in range(big)]
        with open(out + ".big", "w") as f:
            f.write(json.dumps(message(rnd, ts + 1000, [profile(u, [{"audience_id": a, "audience_name": n, "action": "add"}
                                                                    for a, n in u["auds"]]) for u in extra]),
                               separators=(",", ":")))
            f.write("\n")
    sys.stderr.write("%d users, %d messages (%d redelivered), %d removals\n"
                     % (users, counts["messages"], counts["resent"], counts["leaving"]))


def main():
    args = sys.argv[1:]
    seed, big = 42, 0
    if "--seed" in args:
        k = args.index("--seed"); seed = int(args[k + 1]); del args[k:k + 2]
    if "--big" in args:
        k = args.index("--big"); big = int(args[k + 1]); del args[k:k + 2]
    attributes = "--attributes" in args
    if attributes:
        args.remove("--attributes")
    if "--chunked" in args:
        args.remove("--chunked")
        if attributes:
            sys.exit("generate.py: --chunked does not make --attributes")
        chunked(int(args[0]), args[1], seed, big)
        return
    users, out = int(args[0]), args[1]
    rnd = random.Random(seed)
    people = [make_user(i, rnd) for i in range(users)]
    msgs = []
    ts = T0
    for start in range(0, users, PER_MESSAGE):
        batch = people[start:start + PER_MESSAGE]
        msgs.append(message(rnd, ts, [profile(u, [{"audience_id": a, "audience_name": n, "action": "add"}
                                                 for a, n in u["auds"]] + attribute_entries(u, rnd, attributes))
                                      for u in batch]))
        ts += 1000
    leaving = [u for u in people if rnd.random() < 0.10]
    ts += 3600 * 1000
    msgs.append("#")      # the removal wave comes after the first (the driver waits here)
    for start in range(0, len(leaving), PER_MESSAGE):
        batch = leaving[start:start + PER_MESSAGE]
        msgs.append(message(rnd, ts, [profile(u, [{"audience_id": u["auds"][0][0], "audience_name": u["auds"][0][1],
                                                  "action": "delete"}]) for u in batch]))
        ts += 1000
    if attributes:
        msgs.append("#")  # the attribute wave: half its messages older than wave 1
        changing = [u for u in people if rnd.random() < 0.20]
        for k, start in enumerate(range(0, len(changing), PER_MESSAGE)):
            batch = changing[start:start + PER_MESSAGE]
            when = T0 - 86400 * 1000 + k if k % 2 else ts + k * 1000
            msgs.append(message(rnd, when, [profile(u, attribute_entries(u, rnd, True)) for u in batch]))
    resend = [m for m in msgs if m != "#" and rnd.random() < 0.03]
    for m in resend:      # a redelivery arrives a little later, in the same wave
        k = msgs.index(m)
        end = msgs.index("#") if k < msgs.index("#") else len(msgs)
        msgs.insert(min(end, k + rnd.randrange(1, 5)), m)
    with open(out, "w") as f:
        for m in msgs:
            f.write(m if m == "#" else json.dumps(m, separators=(",", ":")))
            f.write("\n")
    if big:
        extra = [make_user(users + i, rnd) for i in range(big)]
        with open(out + ".big", "w") as f:
            f.write(json.dumps(message(rnd, ts + 1000, [profile(u, [{"audience_id": a, "audience_name": n, "action": "add"}
                                                                    for a, n in u["auds"]]) for u in extra]),
                               separators=(",", ":")))
            f.write("\n")
    sys.stderr.write("%d users, %d messages (%d redelivered), %d removals\n" % (users, len(msgs) - 1, len(resend), len(leaving)))


if __name__ == "__main__":
    main()
