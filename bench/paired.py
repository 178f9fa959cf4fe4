#!/usr/bin/env python3
"""The same messages posted to several receivers, message by message.

    bench/paired.py FILE NAME=HOST:PORT NAME=HOST:PORT ...

Each line of FILE (one JSON message; a line "#" is skipped) is posted to
every receiver in turn before the next line, in an order that rotates with
each line, one keep-alive connection per receiver with TCP_NODELAY, as
driver http posts.  On a busy machine the time of one message swings by
tens of milliseconds from one second to the next; the same message sent to
each receiver within the same fraction of a second meets the same load, so
the per-message differences are steady where totals are not.  Prints, per
receiver: its total seconds and median latency; and for each receiver after
the first: the median and mean of its per-message difference to the first
(ms).  Exits 1 when an answer is not 200.
"""
import http.client
import socket
import statistics
import sys
import time


def connect(hostport):
    host, port = hostport.rsplit(":", 1)
    c = http.client.HTTPConnection(host, int(port), timeout=600)
    c.connect()
    c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return c


def main():
    path, targets = sys.argv[1], [a.split("=", 1) for a in sys.argv[2:]]
    lines = [line.rstrip("\n") for line in open(path) if line.strip() not in ("", "#")]
    conns = [connect(hp) for _, hp in targets]
    took = [[] for _ in targets]
    for i, line in enumerate(lines):
        body = line.encode()
        n = len(targets)
        for k in [(i + j) % n for j in range(n)]:
            t0 = time.monotonic()
            conns[k].request("POST", "/firehose", body=body, headers={"Content-Type": "application/json"})
            r = conns[k].getresponse()
            r.read()
            took[k].append(time.monotonic() - t0)
            if r.status != 200:
                print(f"{targets[k][0]}: message {i + 1} answered {r.status}", file=sys.stderr)
                sys.exit(1)
    for k, (name, _) in enumerate(targets):
        line = f"{name}: messages={len(lines)} seconds={sum(took[k]):.3f} p50_ms={statistics.median(took[k]) * 1000:.1f}"
        if k > 0:
            diff = [(a - b) * 1000 for a, b in zip(took[k], took[0])]
            line += (f" added_median_ms={statistics.median(diff):.1f} added_mean_ms={statistics.mean(diff):.1f}"
                     f" (over {targets[0][0]})")
        print(line)


if __name__ == "__main__":
    main()
