#!/usr/bin/env bash
# What the exporter's hold costs a request (issue 23: ct_export_hold, so
# that an erasure between a claim and its post stops the post): BEGIN,
# the hold and COMMIT against the rest of a request, the post (to the
# stand-in of mParticle, test/cluster/events_api.py --fast, on a loopback
# port), the claim and the report.  From the exporter's log lines of the
# requests accepted (ms, db_ms, hold_ms): the hold's share of their sum,
# and each figure's p50.  A backlog of CT_BENCH_HOLD_EVENTS (default
# 100,000) events of CT_BENCH_HOLD_PROFILES (default 10,000) profiles in one
# project, exported with --once --rate 0 in CT_BENCH_ROUNDS (default 3)
# rounds, each on a fresh copy; medians of the rounds.  Run as root from
# the repository root:
#   bench/export_hold.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. bench/lib.sh 1000	# the cluster; its message set is not used

events=${CT_BENCH_HOLD_EVENTS:-100000}
nprofiles=${CT_BENCH_HOLD_PROFILES:-10000}
rounds=${CT_BENCH_ROUNDS:-3}
apiport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
secret=bench-secret-$RANDOM$RANDOM
secrets=$dir/secrets
(umask 077 && echo "bench-feed-key $secret" >"$secrets")
python3 test/cluster/events_api.py --port "$apiport" --key bench-feed-key --secret "$secret" --fast \
	>"$dir/api.out" 2>&1 &
apipid=$!
bench_at_exit="kill $apipid 2>/dev/null || true"
for _ in $(seq 100); do
	grep -q listening "$dir/api.out" 2>/dev/null && break
	sleep 0.1
done

ct_log "the backlog: $events events of $nprofiles profiles (once, in a template database)"
newdb benchhold_tpl
psql -X -q -v ON_ERROR_STOP=1 -d benchhold_tpl <<SQL
SELECT ctaudience.ct_configure_export(project_id => 'BENCH', feed_key => 'bench-feed-key',
	endpoint => 'http://127.0.0.1:$apiport', export_type => 'all_events', environment => 'development');
INSERT INTO ctaudience.ct_profile (project_id, ct_id, identity, email)
SELECT 'BENCH', md5('profile-' || g), 'customer-' || g, ('user' || g || '@example.com')::text::ctaudience.ct_email
  FROM generate_series(1, $nprofiles) g;
CREATE ROLE bench_exporter LOGIN IN ROLE ctaudience_exporter;
SELECT count(ctaudience.ct_record_event('BENCH', md5('profile-' || (g % $nprofiles + 1)),
	(ARRAY['App Launched', 'Product Viewed', 'Added To Cart', 'Charged', 'Searched'])[g % 5 + 1],
	jsonb_build_object('Platform', 'Android', 'Product', 'p-' || (g % 997), 'Price', (g % 100) + 0.99),
	now() - interval '1 day' + g * interval '50 milliseconds'))
  FROM generate_series(1, $events) g;
VACUUM ANALYZE;
SQL

# share FILE: the hold's share of a request's time (the sums over the
# requests accepted), then the p50 of ms, db_ms and hold_ms
share() {
	python3 - "$1" <<'PY'
import re, statistics, sys
rows = [tuple(float(x) for x in m.groups()) for m in
        (re.search(r" status=202 outcome=accepted ms=([\d.]+) db_ms=([\d.]+) hold_ms=([\d.]+)", l)
         for l in open(sys.argv[1])) if m]
p, d, h = (sum(r[i] for r in rows) for i in range(3))
print(f"{h / (p + d + h):.4f} {len(rows)}", *(f"{statistics.median(r[i] for r in rows):.2f}" for i in range(3)))
PY
}

shares=""
for k in $(seq "$rounds"); do
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS benchhold" -c "CREATE DATABASE benchhold TEMPLATE benchhold_tpl"
	psql -X -q -d benchhold -c "CHECKPOINT"
	log=$dir/exporter-$k.log
	"$CT_PG_BIN/ctaudience-exporter" --dsn "host=$dir port=$port user=bench_exporter dbname=benchhold" \
		--secrets "$secrets" --once --rate 0 --workers 1 2>"$log"
	left=$(psql -X -A -t -d benchhold -c "SELECT coalesce(sum(waiting), 0) FROM ctaudience.ct_export_status")
	[ "$left" = 0 ] || { echo "round $k: $left events left"; tail "$log"; exit 1; }
	read -r s n p d h <<<"$(share "$log")"
	echo "round $k: $n requests; p50 post $p ms, claim + report $d ms, hold $h ms; the hold's share of the requests' time $s"
	shares="$shares $s"
done
# shellcheck disable=SC2086
echo "the hold's share of a request's time, median of $rounds rounds: $(median $shares)"
