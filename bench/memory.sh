#!/usr/bin/env bash
# Peak backend memory of one large message, each into a new database:
# 10,000, 100,000 and 500,000 new profiles, through the text argument and
# as jsonb, and 100,000 existing profiles updated (removed from their
# audiences and given three attributes each).  The 500,000-profile message
# is first sent with the default limits (refused with 54000 before it is
# read), then with ctaudience.max_profiles_per_message and
# max_message_bytes raised.  Run as root from the repository root:
#   bench/memory.sh
# Each line: profiles, seconds, the backend's RssAnon before (the
# extension loaded) and at its peak (sampled every millisecond by
# driver memory), and the difference.  The driver prepares its statement
# (plan_cache_mode auto): the first executions use a custom plan, which
# holds a copy of the message; "generic plan" is what ctaudience-receiver
# runs (plan_cache_mode = force_generic_plan), without that copy.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

. bench/lib.sh 10000

for n in 10000 100000 500000; do
	f=$work/memory-$n.json
	if [ ! -f "$f" ]; then
		ct_log "generating a message of $n profiles"
		python3 bench/generate.py 1000 "$work/memory-src.jsonl" --big "$n" 2>/dev/null
		mv "$work/memory-src.jsonl.big" "$f"
		rm -f "$work/memory-src.jsonl"
	fi
done
upd=$work/memory-100000-update.json
if [ ! -f "$upd" ]; then
	python3 - "$work/memory-100000.json" "$upd" <<'PY'
import json, sys, uuid
m = json.load(open(sys.argv[1]))
m["id"] = str(uuid.UUID(int=0x20 << 120))
m["timestamp_ms"] += 3600 * 1000
for i, p in enumerate(m["user_profiles"]):
    auds = p["audiences"]
    p["audiences"] = [dict(a, action="delete") for a in auds] + [
        {"audience_id": auds[0]["audience_id"], "audience_name": auds[0]["audience_name"],
         "action": "attribute_update", "user_attributes": [
             {"key": "plan", "value": ["free", "gold", "platinum"][i % 3], "action": "upsert"},
             {"key": "city", "value": ["Pune", "Austin", "Leeds", "Lagos"][i % 4], "action": "upsert"},
             {"key": "score", "value": str(i % 1000), "action": "upsert"}]}]
with open(sys.argv[2], "w") as out:
    json.dump(m, out, separators=(",", ":"))
    out.write("\n")
PY
fi

# measure LABEL FILE [jsonb] [raise] [PLAN_CACHE_MODE]: one message into a new database
measure() {
	local label=$1 file=$2 arg=${3:-text} raise=${4:-} plan=${5:-auto}
	newdb benchmem
	if [ -n "$raise" ]; then
		psql -X -q -d benchmem -c "ALTER DATABASE benchmem SET ctaudience.max_profiles_per_message = 1000000" \
			-c "ALTER DATABASE benchmem SET ctaudience.max_message_bytes = '1GB'"
	fi
	if [ "${label%%,*}" = update ]; then
		"$work/driver" memory "$conn dbname=benchmem" "$work/memory-100000.json" >/dev/null
	fi
	local out
	if out=$(PGOPTIONS="-c plan_cache_mode=$plan" CT_BENCH_ARG=$arg "$work/driver" memory "$conn dbname=benchmem" "$file" 2>&1); then
		printf '%-34s %s\n' "$label ($arg):" "$out"
	else
		printf '%-34s %s\n' "$label ($arg):" "refused: $(echo "$out" | grep -o 'ERROR: .*' | head -1)"
	fi
	psql -X -q -d postgres -c "DROP DATABASE benchmem"
}

ct_log "peak backend memory, one message each"
{
	measure "10,000 new profiles" "$work/memory-10000.json"
	measure "10,000 new profiles" "$work/memory-10000.json" jsonb
	measure "100,000 new profiles" "$work/memory-100000.json"
	measure "100,000 new profiles" "$work/memory-100000.json" jsonb
	measure "update" "$upd"
	measure "update, generic plan" "$upd" text "" force_generic_plan
	measure "500,000 new profiles, default limits" "$work/memory-500000.json"
	measure "500,000 new profiles, limits raised" "$work/memory-500000.json" text raise
	measure "500,000 new profiles, limits raised" "$work/memory-500000.json" jsonb raise
} | tee "$dir/memory.out"
echo
echo "(update: 100,000 existing profiles removed from their audiences and given 3 attributes each,"
echo " a $(awk '{printf "%.0f", length($0) / 1048576}' "$upd") MB message; 500,000 new profiles: $(awk '{printf "%.0f", length($0) / 1048576}' "$work/memory-500000.json") MB)"
