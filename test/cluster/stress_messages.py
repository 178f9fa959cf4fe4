#!/usr/bin/env python3
"""stress_messages.py OUTFILE SEED [--partners]

200 membership messages of 100 users each, drawn from 300 users that carry a
Customer ID, an email and a phone, into 1 to 3 of 5 shared audiences (add or
delete), at random times: messages that overlap in users and segments, for
test/cluster/stress.sh.  With --partners, a third of the users also come
with a Partner ID in about half of their messages.
"""
import json, random, sys, uuid

out, seed = sys.argv[1], int(sys.argv[2])
partners = "--partners" in sys.argv
rnd = random.Random(seed)
audiences = [(81001 + i, "Shared %d" % i) for i in range(5)]
with open(out, "w") as f:
    for m in range(200):
        profiles = []
        for u in rnd.sample(range(300), 100):
            p = {"mpid": str(1000 + u),
                 "user_identities": [{"type": "customer", "encoding": "raw", "value": "cust-%d" % u},
                                     {"type": "email", "encoding": "raw", "value": "user%d@example.com" % u},
                                     {"type": "mobile_number", "encoding": "raw", "value": "+1 415 555 %04d" % u}],
                 "audiences": [{"audience_id": a, "audience_name": n, "action": rnd.choice(["add", "add", "delete"])}
                               for a, n in rnd.sample(audiences, rnd.choice([1, 2, 3]))]}
            if partners and u % 3 == 0 and rnd.random() < 0.5:
                p["partner_identities"] = [{"type": "CleverTap_User_ID", "encoding": "raw", "value": "__p%d" % u}]
            profiles.append(p)
        f.write(json.dumps({
            "type": "audience_membership_change_request", "id": str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
            "timestamp_ms": 1730000000000 + rnd.randrange(0, 10**7), "firehose_version": "3.2.0",
            "account": {"account_settings": {"accountId": "STRESS", "passcode": "stress-passcode-1",
                                             "accountToken": "stress-token", "region": "eu1"}},
            "user_profiles": profiles}, separators=(",", ":")) + "\n")
