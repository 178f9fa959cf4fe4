# The benchmark's set-up, shared by bench/run.sh and bench/receiver.sh.
# Sourced (after scripts/lib.sh) with the scripts' arguments: installs and
# builds, builds the driver, generates the messages of $1 users (default
# 100,000) once, reserves huge pages, starts a throwaway cluster, and
# defines newdb and fingerprint.  Sets users, work, msgs, dir, port, conn.
# A script that installs the extension itself (bench/versions.sh) sets
# bench_staged=yes first; one that has more to clean up at exit puts the
# commands in bench_at_exit (run after the cluster has stopped).
users=${1:-100000}
work=${CT_BENCH_DIR:-/tmp/ctaudience-bench}
mkdir -p "$work"
ct_install_packages
ct_use_pg "$CT_PG_BIN"
[ "${bench_staged:-no}" = yes ] || ct_build_install
command -v python3 >/dev/null || apt-get install -y -q python3
cc -O2 -Wall -o "$work/driver" bench/driver.c -I"$("$CT_PG_BIN/pg_config" --includedir)" -lpq -lpthread

# CT_BENCH_ATTRIBUTES=1: every user also gets user attributes, and a third
# wave updates some of them, half of it stale (generate.py --attributes)
# CT_BENCH_CHUNKED=1: generate.py --chunked (bench/scale.sh: any number of
# users in a few megabytes of the generator's memory; other messages)
if [ "${CT_BENCH_ATTRIBUTES:-0}" = 1 ]; then
	msgs=$work/messages-$users-attributes.jsonl
	genargs=--attributes
elif [ "${CT_BENCH_CHUNKED:-0}" = 1 ]; then
	msgs=$work/messages-$users-chunked.jsonl
	genargs=--chunked
else
	msgs=$work/messages-$users.jsonl
	genargs=
fi
if [ ! -f "$msgs" ]; then
	ct_log "generating $users users"
	python3 bench/generate.py "$users" "$msgs" --big 10000 $genargs
fi

# Huge pages for the 2 GB of shared buffers, as PostgreSQL recommends for
# shared_buffers this large: without them a backend takes a page fault for
# every 4 KB of shared memory it touches for the first time, and two
# backends each take them all over again.  Reserved for the run and given
# back after it; CT_BENCH_HUGE_PAGES=0, or a machine that does not let root
# reserve them, runs without (huge_pages = try).
hp_before=""
if [ "${CT_BENCH_HUGE_PAGES:-1}" != 0 ] && [ -w /proc/sys/vm/nr_hugepages ] &&
	grep -q '^Hugepagesize: *2048 kB' /proc/meminfo; then
	hp_before=$(cat /proc/sys/vm/nr_hugepages)
	echo $((hp_before + 1100)) > /proc/sys/vm/nr_hugepages 2>/dev/null || hp_before=""
fi
trap '[ -z "$hp_before" ] || echo "$hp_before" > /proc/sys/vm/nr_hugepages; eval "${bench_at_exit:-}"' EXIT

dir=$(mktemp -d /tmp/ctaudience-benchdb.XXXXXX)
# CT_BENCH_PORT: the cluster's port (its socket's name), when the machine
# reserves a range for you; else the first free one from 54320
port=${CT_BENCH_PORT:-$(ct_free_port)}
ct_log "starting a cluster in $dir"
ct_cluster_start "$dir" "$port" "shared_preload_libraries = 'pg_cron,ctaudience'
shared_buffers = '2GB'
huge_pages = 'try'
max_wal_size = '20GB'
checkpoint_timeout = '30min'
work_mem = '16MB'
track_wal_io_timing = on"
trap 'ct_cluster_stop "$dir"; rm -rf "$dir"; [ -z "$hp_before" ] || echo "$hp_before" > /proc/sys/vm/nr_hugepages; eval "${bench_at_exit:-}"' EXIT
# on if the postmaster's shared memory is mapped from huge pages
huge=off
if grep -q '^Private_Hugetlb: *[1-9]\|^Shared_Hugetlb: *[1-9]' "/proc/$(head -1 "$dir/data/postmaster.pid")/smaps" 2>/dev/null; then
	huge=on
fi
ct_log "huge pages for shared buffers: $huge"
conn="host=$dir port=$port user=postgres"
copydir=$dir/copy
mkdir -p "$copydir" && chown postgres "$copydir"

# CT_BENCH_SETUP_SQL: SQL run in each new database after the extension is
# created (e.g. to drop an index and see what it costs)
newdb() {
	psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
	psql -X -q -d "$1" -c "CREATE EXTENSION ctaudience" \
		-c "SELECT ctaudience.ct_register_project('BENCH', 'bench-passcode-1', 'bench-token', 'eu1', 'Bench', NULL, 'US')" >/dev/null
	if [ -n "${CT_BENCH_SETUP_SQL:-}" ]; then
		psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c "$CT_BENCH_SETUP_SQL" >/dev/null
	fi
}

fingerprint() {
	psql -X -A -t -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
SELECT 'profiles=' || count(*) || ' ' || md5(string_agg(coalesce(identity, ct_id) || '|' || coalesce(email::text, '') || '|'
		|| coalesce(phone::text, '') || '|' || coalesce(mparticle_id, ''), ',' ORDER BY coalesce(identity, ct_id), ct_id))
  FROM ctaudience.ct_profile;
SELECT 'memberships=' || count(*) || ' members=' || count(*) FILTER (WHERE m.is_member) || ' '
		|| md5(string_agg(s.partner_segment_id || '|' || coalesce(p.identity, p.ct_id) || '|' || m.is_member, ','
						  ORDER BY s.partner_segment_id, coalesce(p.identity, p.ct_id)))
  FROM ctaudience.ct_segment_member m JOIN ctaudience.ct_segment s USING (project_id, segment_id)
  JOIN ctaudience.ct_profile p USING (project_id, ct_id);
SELECT 'events=' || count(*) || ' added=' || count(*) FILTER (WHERE props ->> 'Action' = 'Added')
		|| ' removed=' || count(*) FILTER (WHERE props ->> 'Action' = 'Removed') FROM ctaudience.ct_event;
SELECT 'stats members=' || sum(members) || ' email=' || sum(reachable_email) || ' phone=' || sum(reachable_phone)
  FROM ctaudience.ct_segment_stats;
SQL
}


# The COPY floor of the rows in $copydir, once, for the tables named in
# $tables: a new database (argument 1, default benchfloor), its tables
# emptied with user triggers off, a checkpoint, then the rows COPY'd in, in
# one transaction; prints the seconds the COPY statements took.
copy_floor() {
	local db=${1:-benchfloor} t
	newdb "$db"
	for t in $tables; do psql -X -q -d "$db" -c "ALTER TABLE ctaudience.$t DISABLE TRIGGER USER"; done
	{
		echo "TRUNCATE $(echo $tables | sed 's/\([a-z_]*\)/ctaudience.\1/g; s/ /, /g');"
		echo "CHECKPOINT;"
	} | psql -X -q -d "$db"
	{
		echo '\timing on'
		echo "BEGIN;"
		for t in $tables; do echo "COPY ctaudience.$t FROM '$copydir/$t.copy';"; done
		echo "COMMIT;"
	} | psql -X -q -v ON_ERROR_STOP=1 -d "$db" > "$dir/floor.out" || exit 1
	sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$dir/floor.out" | awk '{s += $1} END {printf "%.3f", s / 1000}'
	psql -X -q -d postgres -c "DROP DATABASE $db"
}
