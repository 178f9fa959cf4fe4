#!/usr/bin/env python3
"""convergence_messages.py OUTDIR SEED ORDERS

Random membership messages for test/cluster/convergence.sh, written in
ORDERS shuffled orders (OUTDIR/order-K.jsonl), with redeliveries.

Users are fixed: each has a Customer ID, an mParticle ID and, for half of
them, a Partner ID (CleverTap_User_ID).  A message names some users, each
with or without its Customer ID, with or without its Partner ID, sometimes
with neither (then only the mParticle ID with an email finds it), with an
email and a phone that move over time, adds and deletes over four
audiences, and sometimes user attributes (upserts and deletes).  About a
third of the messages share their time exactly with an earlier one and
name some of its users, so that equal times must break ties the same way
whatever the order (README, "Equal times").  Whatever the order, the
profiles and memberships must come out the same (SPEC section 4,
Convergence).
"""
import json, random, sys, uuid

outdir, seed, orders = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(seed)
USERS = 40
audiences = [(91001 + i, "Converge %d" % i) for i in range(4)]
messages = []
times = []                                              # (time, users) of each message
for m in range(120):
    profiles = []
    users = rnd.sample(range(USERS), rnd.randint(1, 6))
    ts = 1740000000000 + m * 1000 + rnd.randrange(0, 900)
    if times and rnd.random() < 0.35:
        # the time of an earlier message, exactly, and some of its users
        ts, earlier = rnd.choice(times)
        users = list(dict.fromkeys(rnd.sample(earlier, rnd.randint(1, len(earlier))) + users))[:6]
    times.append((ts, users))
    for u in users:
        identities = [{"type": "email", "encoding": "raw", "value": "u%d-%d@example.com" % (u, rnd.randint(0, 3))}]
        if rnd.random() < 0.5:
            identities.append({"type": "mobile_number", "encoding": "raw", "value": "+1 415 555 %02d%02d" % (u, rnd.randint(0, 9))})
        shape = rnd.random()
        with_customer = shape < 0.8
        with_partner = u % 2 == 0 and rnd.random() < 0.5
        if with_customer:
            identities.append({"type": "customer", "encoding": "raw", "value": "cv-%d" % u})
        p = {"mpid": str(5000 + u), "user_identities": identities,
             "audiences": [{"audience_id": a, "audience_name": n, "action": rnd.choice(["add", "add", "delete"])}
                           for a, n in rnd.sample(audiences, rnd.randint(1, 3))]}
        if rnd.random() < 0.3:
            p["audiences"].append({"audience_id": audiences[0][0], "audience_name": audiences[0][1],
                                   "action": "attribute_update",
                                   "user_attributes": [{"key": "tier", "value": rnd.choice(["gold", "silver"]),
                                                        "action": "upsert"} if rnd.random() < 0.8 else
                                                       {"key": "tier", "action": "delete"}]})
        if with_partner:
            p["partner_identities"] = [{"type": "CleverTap_User_ID", "encoding": "raw", "value": "__cv%d" % u}]
        profiles.append(p)
    messages.append(json.dumps({
        "type": "audience_membership_change_request", "id": str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
        "timestamp_ms": ts, "firehose_version": "3.2.0",
        "account": {"account_settings": {"accountId": "CONVERGE", "passcode": "converge-passcode-1",
                                         "accountToken": "converge-token", "region": "eu1"}},
        "user_profiles": profiles}, separators=(",", ":")))
for k in range(orders):
    order = messages[:] + rnd.sample(messages, 12)      # redeliveries
    rnd.shuffle(order)
    with open("%s/order-%d.jsonl" % (outdir, k), "w") as f:
        f.write("\n".join(order) + "\n")
