#!/usr/bin/env bash
# Two sessions on disjoint projects, and what serializes them.  Run as root
# from the repository root:
#   bench/sessions.sh            # 100,000 users a project
#   bench/sessions.sh 1000000
#   CT_BENCH_PROJECTS=1 bench/sessions.sh   # one project split, as bench/run.sh
# The messages of bench/generate.py (project BENCH) and a copy of them for a
# second project (BENCHB: other message ids, mpids, emails, Customer and
# Partner IDs, so that the two share no key, not even in the hash indexes,
# which do not hold the project) are interleaved, one message of each in
# turn, each wave apart.  Each round imports that file once with one
# session (both projects' messages, in turn) and once with two sessions
# (the driver hands out messages in turn, so session 0 takes every BENCH
# message and session 1 every BENCHB one): the same work, so the ratio is
# one session's seconds over two sessions'.  During the two-session import
# a third backend samples pg_stat_activity and pg_locks of the two
# importing backends every CT_BENCH_SAMPLE_MS (default 2) milliseconds;
# the report gives the share of samples in each state / wait event, the
# lock waits by relation, and the CPU seconds of the backends (from /proc)
# against the wall-clock seconds.  The single-session imports are sampled
# alike, to compare.  CT_BENCH_ROUNDS (default 5) rounds, alternating which
# import comes first; medians.  CT_BENCH_SETUP_SQL as for bench/run.sh
# (e.g. "ALTER ROLE postgres SET ctaudience.notify_partner_sync = off").
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

. bench/lib.sh "$@"

both=$work/messages-$users-two-projects.jsonl
if [ ! -f "$both" ]; then
	ct_log "writing the second project's messages, interleaved"
	python3 - "$msgs" "$both" <<'PY'
import json, sys

def other(m):
    """The same message for project BENCHB, with keys of its own."""
    m = json.loads(m)
    m["id"] = "b" + m["id"][1:]
    m["account"] = json.loads(json.dumps(m["account"]))
    m["account"]["account_settings"]["accountId"] = "BENCHB"
    for p in m["user_profiles"]:
        p["mpid"] = str(int(p["mpid"]) ^ (1 << 62))
        for i in p.get("user_identities", []) + p.get("partner_identities", []):
            if i["type"] == "email" and i["encoding"] == "raw":
                i["value"] = "b." + i["value"]
            elif i["type"] == "customer":
                i["value"] = i["value"] + "-b"
            elif i["type"] == "CleverTap_User_ID":
                i["value"] = "__%030x" % (int(i["value"][2:], 16) ^ (1 << 119))
        for i in p.get("device_identities", []):
            i["value"] = "b" + i["value"][1:]
    return json.dumps(m, separators=(",", ":"))

waves, cur = [], []
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line == "#":
        waves.append(cur)
        cur = []
    else:
        cur.append(line)
waves.append(cur)
with open(sys.argv[2], "w") as f:
    for k, wave in enumerate(waves):
        if k:
            f.write("#\n")
        for line in wave:
            f.write(line + "\n")
            f.write(other(line) + "\n")
PY
fi

# CT_BENCH_PROJECTS=1: instead, bench/run.sh's two sessions, one project's
# messages handed out in turn (the same audiences, so the same segments)
if [ "${CT_BENCH_PROJECTS:-2}" = 1 ]; then
	file=$msgs
	what="one project's messages split (as bench/run.sh), $users users"
	mkdb() { newdb "$1"; }
else
	file=$both
	what="disjoint projects, 2 x $users users"
	mkdb() {
		newdb "$1"
		psql -X -q -d "$1" -c "SELECT ctaudience.ct_register_project('BENCHB', 'bench-passcode-1', 'bench-token', 'eu1', 'Bench B', NULL, 'US')" >/dev/null
	}
fi

# The sampler: a procedure in database postgres that records, until both
# backends have gone, what they are doing (one transaction per sample, as
# pg_stat_activity is read once per transaction).
psql -X -q -d postgres <<'SQL'
CREATE UNLOGGED TABLE IF NOT EXISTS bench_wait (round int, sessions int, pid int, state text, wait text, locktype text,
	relation oid, page int, tuple int, mode text, holder int[], relname text);
CREATE OR REPLACE PROCEDURE bench_sample(r int, n int, pids int[], ms int)
LANGUAGE plpgsql AS $$
BEGIN
	LOOP
		INSERT INTO bench_wait
		SELECT r, n, a.pid, a.state, coalesce(a.wait_event_type || ':' || a.wait_event, 'CPU'),
			   l.locktype, l.relation, l.page, l.tuple, l.mode, pg_blocking_pids(a.pid)
		  FROM pg_stat_activity a
		  LEFT JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted
		 WHERE a.pid = ANY (pids);
		EXIT WHEN NOT FOUND;
		COMMIT;
		PERFORM pg_sleep(ms / 1000.0);
	END LOOP;
END $$;
TRUNCATE bench_wait;
SQL

hold=$dir/hold
# import_once DATABASE SESSIONS ROUND: the driver's line; the backends
# connect and wait for a go, so that their pids are known first
import_once() {
	psql -X -q -d "$1" -c "CHECKPOINT" >/dev/null
	rm -f "$hold".*
	CT_BENCH_HOLD=$hold "$work/driver" import "$conn dbname=$1" "$file" "$2" >"$dir/import.out" &
	local drv=$! pids="" k
	for k in $(seq 0 $(($2 - 1))); do
		while [ ! -f "$hold.$k" ]; do sleep 0.05; done
		pids="$pids${pids:+,}$(cat "$hold.$k")"
	done
	echo "$pids" >"$dir/pids"
	# the backends start as their files go; the sampler (and perf) from then
	# on, so that the samples cover the import and not the wait before it
	rm -f "$hold".*
	psql -X -q -d postgres -c "CALL bench_sample($3, $2, '{$pids}', ${CT_BENCH_SAMPLE_MS:-2})" &
	local smp=$!
	# CT_BENCH_PERF=1: where the backends leave the CPU (scheduler switches,
	# with their call stacks), in the first round's two-session import
	local prf=""
	if [ "${CT_BENCH_PERF:-0}" = 1 ] && [ "$3" = 1 ] && [ "$2" = 2 ]; then
		perf record -q -e sched:sched_switch --call-graph dwarf,16384 -o "$work/sessions-perf.data" -p "$pids" 2>/dev/null &
		prf=$!
	fi
	wait "$drv" || exit 1
	wait "$smp"
	[ -z "$prf" ] || { kill -INT "$prf"; wait "$prf" || true; }
	cat "$dir/import.out"
}

# the names of the relations of a database, as OID=name pairs (the OIDs
# differ from one database to the next)
relnames() {
	psql -X -A -t -d "$1" -c "SELECT string_agg(oid || '=' || relname, ' ') FROM pg_class WHERE oid >= 16384"
}

# busy LINE SESSIONS ROUND: the largest busy time of the sessions (below)
busy() {
	local wall runq idle k best=0 b
	wall=$(field "$1" seconds)
	for k in $(seq 0 $(($2 - 1))); do
		runq=$(field "$1" session_runq_s | cut -d, -f$((k + 1)))
		idle=$(psql -X -A -t -d postgres -c "SELECT coalesce(avg((state <> 'active')::int), 0)
			FROM bench_wait WHERE round = $3 AND sessions = $2 AND pid = $(cut -d, -f$((k + 1)) "$dir/pids.$2")")
		b=$(awk "BEGIN {print ($wall - $runq) - $wall * $idle}")
		best=$(awk "BEGIN {print ($b > $best ? $b : $best)}")
	done
	echo "$best"
}

# a field of the driver's line
field() {
	echo "$1" | sed "s/.* $2=\([0-9.,]*\).*/\1/"
}

rounds=${CT_BENCH_ROUNDS:-5}
ratios=""
fratios=""
detail=""
for k in $(seq "$rounds"); do
	for n in $([ $((k % 2)) = 1 ] && echo "1 2" || echo "2 1"); do
		mkdb benchp$n
		ct_log "round $k of $rounds: $n session(s), $what"
		r=$(import_once benchp$n "$n" "$k")
		echo "$r"
		eval "r$n=\$r"
		cp "$dir/pids" "$dir/pids.$n"
		# OIDs differ from database to database: name them now
		psql -X -q -d postgres -c "UPDATE bench_wait w SET relname = split_part(x, '=', 2)
			FROM unnest(string_to_array('$(relnames benchp$n)', ' ')) x
			WHERE w.round = $k AND w.sessions = $n AND w.relation = split_part(x, '=', 1)::oid"
		psql -X -q -d postgres -c "DROP DATABASE benchp$n"
	done
	s1=$(field "$r1" seconds)
	s2=$(field "$r2" seconds)
	ratios="$ratios $(awk "BEGIN {printf \"%.2f\", $s1 / $s2}")"
	# Busy: a backend's wall-clock time less the time it was runnable but
	# waited for a CPU (other processes' turns) and less the time it sat idle
	# waiting for its client (the driver's own turns, and a session that
	# reached the barrier between the waves first waiting for the other);
	# for two sessions, the busier one's.  What is left is its CPU time and
	# its waits for I/O and locks: the ratio of those is what two sessions
	# would give with a core each and a client that never kept them
	# waiting, whatever else ran on the machine.
	f1=$(busy "$r1" 1 "$k")
	f2=$(busy "$r2" 2 "$k")
	fratios="$fratios $(awk "BEGIN {printf \"%.2f\", $f1 / $f2}")"
	detail="$detail
  round $k: 1 session $s1 s (CPU $(field "$r1" session_cpu_s) s, run queue $(field "$r1" session_runq_s) s); 2 sessions $s2 s (CPU $(field "$r2" session_cpu_s) s, run queue $(field "$r2" session_runq_s) s); busy $f1 s and $f2 s; retries $(field "$r2" retries)"
done

cat <<REPORT

== two sessions, $what: $(field "$r1" messages) messages
2 sessions vs 1, wall clock:         $(printf "%.2f" "$(median $ratios)")x, median of $rounds rounds:$ratios
2 sessions vs 1, busy time:          $(printf "%.2f" "$(median $fratios)")x, median of $rounds rounds:$fratios$detail
what the importing backends were doing (share of samples every ${CT_BENCH_SAMPLE_MS:-2} ms, all rounds; CPU includes waiting for one):
REPORT
psql -X -A -t -F ' ' -d postgres <<SQL
SELECT lpad(coalesce(to_char(100.0 * count(*) FILTER (WHERE sessions = 1) / sum(count(*) FILTER (WHERE sessions = 1)) OVER (), 'FM990.0'), '0.0'), 6) || '%',
	   lpad(coalesce(to_char(100.0 * count(*) FILTER (WHERE sessions = 2) / sum(count(*) FILTER (WHERE sessions = 2)) OVER (), 'FM990.0'), '0.0'), 6) || '%',
	   CASE WHEN state = 'active' THEN wait ELSE state || ' (' || wait || ')' END
  FROM bench_wait GROUP BY 3 ORDER BY count(*) FILTER (WHERE sessions = 2) DESC LIMIT 25;
SQL
echo "lock waits (heavyweight locks; samples with 1 session, with 2 sessions, type, relation, mode):"
psql -X -A -t -F ' ' -d postgres <<SQL
SELECT count(*) FILTER (WHERE sessions = 1), count(*) FILTER (WHERE sessions = 2),
	   w.locktype, coalesce(w.relname, w.relation::text, ''), w.mode
  FROM bench_wait w
 WHERE w.locktype IS NOT NULL
 GROUP BY 3, 4, 5 ORDER BY 2 DESC LIMIT 15;
SQL
# CT_BENCH_PERF=1: where the two backends of round 1's two-session import
# left the CPU on their own (sleeps, not preemptions): scheduler switches
# counted by what they waited for and the first frames of the extension or
# PostgreSQL above the wait
if [ "${CT_BENCH_PERF:-0}" = 1 ] && [ -f "$work/sessions-perf.data" ]; then
	echo "where the two backends slept (perf sched_switch, round 1; switches, what, where):"
	perf script -i "$work/sessions-perf.data" -F trace,ip,sym 2>/dev/null | python3 -c '
import collections, re, sys
skip = ("__", "entry_", "do_", "schedule", "x64", "[unknown]", "syscall", "0x", "futex", "io_schedule",
        "folio", "bit_wait", "out_of_line", "PGSemaphoreLock", "WaitLatch", "WaitEventSetWait", "ProcSleep",
        "epoll", "sem_", "LWLockAcquire", "LockAcquireExtended", "LockRelationForExtension", "LockBuffer",
        "ext4", "generic", "file_write", "blkdev", "submit", "wait_for", "pq_", "secure_read", "sock_",
        "unix_", "poll", "core_sys")
c = collections.Counter()
for b in sys.stdin.read().split("\n\n"):
    lines = [l.strip() for l in b.strip().split("\n") if l.strip()]
    if not lines or "prev_state=R" in lines[0] or "prev_state" not in lines[0]:
        continue
    syms = [l.split(None, 1)[1].split("+")[0] if len(l.split(None, 1)) > 1 else l for l in lines[1:]]
    what = ("LWLock" if "LWLockAcquire" in syms else "lock" if "LockAcquireExtended" in syms
            else "fsync" if any("fdatasync" in s for s in syms) else "client" if any(s.startswith("pq_") for s in syms)
            else "other")
    c[what + " " + " < ".join([s for s in syms if not s.startswith(skip)][:5])] += 1
for k, v in c.most_common(15):
    print(v, k)
'
fi
