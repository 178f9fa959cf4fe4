#!/usr/bin/env bash
# Demo: a throwaway PostgreSQL 15 cluster, ctaudience installed, the
# receiver (ctaudience-receiver) started on a loopback port, the sample
# mParticle audience in test/data/demo posted to it with curl as mParticle
# would post it, and the segment statistics printed.
# Run as root on Debian 12: ./scripts/demo.sh   (--keep leaves the cluster running)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

keep=0
[ "${1:-}" = "--keep" ] && keep=1

ct_install_packages
ct_build_install

dir=$(mktemp -d /tmp/ctaudience-demo.XXXXXX)
port=$(ct_free_port)
ct_log "starting a throwaway cluster in $dir (port $port)"
ct_cluster_start "$dir" "$port"
rpid=""
apipid=""
cleanup() {
	[ -z "$rpid" ] || kill "$rpid" 2>/dev/null || true
	[ -z "$apipid" ] || kill "$apipid" 2>/dev/null || true
	if [ "$keep" = 0 ]; then
		ct_cluster_stop "$dir"
		rm -rf "$dir"
	fi
}
trap cleanup EXIT

ct_log "the extension, the demo project and a login role for the receiver"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -v step=setup -f scripts/demo.sql

# the receiver, on a free loopback port, connecting over the cluster's socket
rport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$rport
ct_log "starting ctaudience-receiver on $url"
"$CT_PG_BIN/ctaudience-receiver" --listen "127.0.0.1:$rport" \
	--dsn "host=$dir port=$port dbname=postgres user=ctaudience_receiver" 2>"$dir/receiver.log" &
rpid=$!
for _ in $(seq 50); do
	curl -s -o /dev/null "$url/healthz" && break
	sleep 0.1
done
echo "GET /healthz: $(curl -s -w ' (HTTP %{http_code})' "$url/healthz" | tr -d '\n')"

# The sample spans four days: it is moved so that its newest message is an
# hour old, for the 24-hour, 7-day and 30-day windows of the statistics.
mkdir -p "$dir/messages"
python3 - "$dir/messages" test/data/demo/*.json <<'PY'
import json, os, sys, time
out, files = sys.argv[1], sys.argv[2:]
msgs = [(f, json.load(open(f))) for f in files]
shift = int(time.time() * 1000) - 3600000 - max(m["timestamp_ms"] for _, m in msgs)
for f, m in msgs:
    m["timestamp_ms"] += shift
    with open(os.path.join(out, os.path.basename(f)), "w") as o:
        json.dump(m, o)
PY

# post: FILE -> prints the status and the counts (or the error)
post() {
	local status
	status=$(curl -sS -o "$dir/response.json" -w '%{http_code}' -H 'Content-Type: application/json' \
		--data-binary @"$1" "$url/firehose")
	printf '%-24s HTTP %s  %s\n' "$(basename "$1")" "$status" "$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
if "error" in r:
    print(r["error"]["sqlstate"], r["error"]["message"])
elif "ctaudience" in r:
    print(" ".join(f"{k}={v}" for k, v in sorted(r["ctaudience"].items()) if v))
else:
    print(r.get("type", ""))' "$dir/response.json")"
}

ct_log "POST /firehose: what mParticle sends, one message after the other"
echo '{"type": "module_registration_request", "id": "438b0f74-8656-4f87-93c7-c9f9ac8a5544", "timestamp_ms": 1714592744067, "firehose_version": "3.2.0"}' \
	> "$dir/registration.json"
post "$dir/registration.json"
for f in "$dir"/messages/*.json; do
	post "$f"
done
python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
m["account"]["account_settings"]["passcode"] = "not-the-passcode"
json.dump(m, open(sys.argv[2], "w"))' "$dir/messages/01_membership.json" "$dir/wrong-passcode.json"
post "$dir/wrong-passcode.json"

ct_log "the receiver's log (one line a request; no body, no passcode)"
cat "$dir/receiver.log"
ct_log "GET /metrics (requests by status)"
curl -s "$url/metrics" | grep '^ctaudience_receiver_requests_total' | grep -v ' 0$'

kill -TERM "$rpid"
wait "$rpid" || true
rpid=""

psql -X -q -v ON_ERROR_STOP=1 -d postgres -v step=report -f scripts/demo.sql

# The export to mParticle (docs/export.md): a stand-in of mParticle's
# Events API on a loopback port, the project's export pointed at it, an App
# Launched of each profile, and one pass of ctaudience-exporter.
apiport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$dir/exported"
python3 test/cluster/events_api.py --port "$apiport" --key demo-feed-key --secret demo-feed-secret \
	--record "$dir/exported" >"$dir/events_api.log" 2>&1 &
apipid=$!
for _ in $(seq 50); do
	grep -q listening "$dir/events_api.log" 2>/dev/null && break
	sleep 0.1
done
ct_log "the export to mParticle: a stand-in of the Events API on http://127.0.0.1:$apiport, one pass of ctaudience-exporter"
psql -X -q -v ON_ERROR_STOP=1 -d postgres <<SQL
DO \$\$ BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ctaudience_exporter_demo') THEN
		CREATE ROLE ctaudience_exporter_demo LOGIN IN ROLE ctaudience_exporter;
	END IF;
END \$\$;
SELECT ctaudience.ct_configure_export('DEMO-PROJECT', 'demo-feed-key', endpoint => 'http://127.0.0.1:$apiport',
	environment => 'development') IS NULL AS configured \gset
SELECT count(ctaudience.ct_record_event(project_id, ct_id, 'App Launched', '{"Platform": "Android"}')) AS app_launched
  FROM ctaudience.ct_profile WHERE project_id = 'DEMO-PROJECT' \gset
SQL
CT_EXPORTER_SECRET=demo-feed-secret "$CT_PG_BIN/ctaudience-exporter" --once \
	--dsn "host=$dir port=$port dbname=postgres user=ctaudience_exporter_demo" 2>"$dir/exporter.log"
kill -TERM "$apipid"
wait "$apipid" || true
apipid=""
echo "the exporter's log (one line a request; no secret, no body, no user):"
cat "$dir/exporter.log"
echo "the stand-in's log:"
cat "$dir/events_api.log"
echo "the first batch it received (one user's):"
python3 -c '
import json, sys
print(json.dumps(json.load(open(sys.argv[1]))[0], indent=2))' "$(ls "$dir"/exported/*.json | head -n 1)"
psql -X -q -d postgres -c "SELECT project_id, status, waiting, requests_sent, events_sent, last_success_at IS NOT NULL AS succeeded
	FROM ctaudience.ct_export_status"

if [ "$keep" = 1 ]; then
	ct_log "cluster left running: psql -h $dir -p $port -U postgres postgres"
	echo "stop it with: runuser -u postgres -- $CT_PG_BIN/pg_ctl -D $dir/data stop"
fi
