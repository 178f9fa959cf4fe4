#!/usr/bin/env bash
# Version against version: "did we get slower?"  Builds an older revision
# and the working tree (or a second revision), each clean in a directory of
# its own and staged with `make install DESTDIR=...`; then imports the same
# messages with one session, alternating the two versions round after
# round, and the COPY floor of the OLD version's rows (so the floor does not
# move with the new version's indexes and columns).  Run as root from the
# repository root:
#   bench/versions.sh                        # 100,000 users, 0.1.0 against the working tree
#   bench/versions.sh 1000000                # 1,000,000 users
#   bench/versions.sh 100000 0.2.0           # 0.2.0 against the working tree
#   bench/versions.sh 100000 0.1.0 0.2.0     # two revisions
#   CT_BENCH_TIMING=1 bench/versions.sh      # also ctaudience.log_timing, step by step
# A revision is a commit (anything `git rev-parse` reads) or a release's
# name: 0.1.0, 0.2.0.  Figures are printed at the end; see bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

users=${1:-100000}
old_name=${2:-0.1.0}
new_name=${3:-working tree}

# The releases, by name: there are no tags in the repository.
revision() {
	case $1 in
		0.1.0) echo 02f10f0 ;;
		0.2.0) echo 6c331ad ;;
		*) echo "$1" ;;
	esac
}

command -v git >/dev/null || { echo "versions.sh needs git (and a clone of the repository)" >&2; exit 1; }
old_commit=$(git rev-parse --verify -q "$(revision "$old_name")^{commit}") ||
	{ echo "no such revision: $old_name" >&2; exit 1; }
if [ "$new_name" = "working tree" ]; then
	new_commit=""
	new_label="working tree ($(git rev-parse --short HEAD))"
	if git status --porcelain --untracked-files=no | grep -q .; then
		new_label="working tree ($(git rev-parse --short HEAD), with changes)"
	fi
else
	new_commit=$(git rev-parse --verify -q "$(revision "$new_name")^{commit}") ||
		{ echo "no such revision: $new_name" >&2; exit 1; }
	new_label="$new_name ($(git rev-parse --short "$new_commit"))"
fi
old_label="$old_name ($(git rev-parse --short "$old_commit"))"
ct_install_packages

pg_config="$CT_PG_BIN/pg_config"
pkglibdir=$("$pg_config" --pkglibdir)
extdir=$("$pg_config" --sharedir)/extension
stages=$(mktemp -d /tmp/ctaudience-versions.XXXXXX)
trap 'rm -rf "$stages"' EXIT

# stage NAME COMMIT: a clean build of COMMIT (the working tree when COMMIT
# is empty: its tracked and untracked files, not the ignored ones such as
# objects) in $stages/NAME/src, installed into $stages/NAME/root by `make
# install DESTDIR=`.  Old revisions build as they did: each with its own
# Makefile (0.1.0's has no receiver and assembles its script from
# sql/install); Debian's PGXS also compiles LLVM bitcode with clang-14.
stage() {
	local name=$1 commit=$2 src=$stages/$1/src root=$stages/$1/root f
	mkdir -p "$src" "$root"
	if [ -n "$commit" ]; then
		git archive "$commit" | tar -x -C "$src"
	else
		git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
			[ -e "$f" ] && printf '%s\0' "$f"
		done | tar --null -T - -cf - | tar -x -C "$src"
	fi
	ct_log "building $name in $src"
	if ! { make -C "$src" -s -j"$(nproc)" PG_CONFIG="$pg_config" &&
		make -C "$src" -s install PG_CONFIG="$pg_config" DESTDIR="$root"; } >"$stages/$name/build.log" 2>&1; then
		tail -30 "$stages/$name/build.log"
		echo "building $name failed" >&2
		exit 1
	fi
	if [ ! -f "$root$pkglibdir/ctaudience.so" ] || [ ! -f "$root$extdir/ctaudience.control" ]; then
		echo "building $name installed no ctaudience.so or control file" >&2
		exit 1
	fi
}
stage old "$old_commit"
stage new "$new_commit"

# use_stage NAME: the server's directories get that build's files, with
# nothing of the other's left (its extension scripts and LLVM bitcode).
# Each file is written under a temporary name and renamed over the old
# one, so a process that has the old library mapped keeps its copy.
use_stage() {
	local root=$stages/$1/root f
	rm -f "$extdir"/ctaudience--*.sql
	rm -rf "$pkglibdir/bitcode/ctaudience" "$pkglibdir/bitcode/ctaudience.index.bc"
	(cd "$root" && find . -type f) | while IFS= read -r f; do
		f=${f#.}
		mkdir -p "$(dirname "$f")"
		install -m "$(stat -c %a "$root$f")" "$root$f" "$f.ct-new"
		mv -f "$f.ct-new" "$f"
	done
}

# The cluster preloads ctaudience (bench/lib.sh), so the postmaster maps
# the library at start and every backend inherits it: another version's
# library is loaded only by a new postmaster.  So each measurement below
# starts a new one (with empty shared buffers, the same for both versions),
# after installing the version it measures, and checks that the server
# offers that version.
restart_with() {
	ct_cluster_stop "$dir"
	use_stage "$1"
	cmp -s "$stages/$1/root$pkglibdir/ctaudience.so" "$pkglibdir/ctaudience.so" ||
		{ echo "installing the $1 version's library failed" >&2; exit 1; }
	runuser -u postgres -- "$CT_PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null ||
		{ tail -20 "$dir/server.log"; exit 1; }
	[ "$(psql -X -A -t -d postgres -c "SELECT default_version FROM pg_available_extensions WHERE name = 'ctaudience'")" = \
		"$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$stages/$1/src/ctaudience.control")" ] ||
		{ echo "the server does not offer the $1 version's ctaudience" >&2; exit 1; }
}

use_stage old
# leave the machine with the new version installed, as bench/run.sh leaves the working tree's
bench_at_exit='[ ! -d "$stages/new/root" ] || use_stage new; rm -rf "$stages"'
bench_staged=yes
. bench/lib.sh "$users"

if [ "${CT_BENCH_TIMING:-0}" = 1 ]; then
	psql -X -q -d postgres -c "ALTER SYSTEM SET ctaudience.log_timing = on"
fi
# the time each import's backend spends reading and writing data pages
psql -X -q -d postgres -c "ALTER SYSTEM SET track_io_timing = on"
# CT_BENCH_PERF=1: each measured import's backend is recorded by perf
# (call graphs) into $work/perf/{old,new}-roundK.data, kept after the run;
# perf also keeps each library it saw by build id, so the old version's
# symbols still resolve after the new one is installed again
if [ "${CT_BENCH_PERF:-0}" = 1 ]; then
	command -v perf >/dev/null || { echo "CT_BENCH_PERF=1 needs perf (linux-perf)" >&2; exit 1; }
	perfdir=$work/perf
	rm -rf "$perfdir"
	mkdir -p "$perfdir"
fi
perf_data=""

tables="ct_profile ct_segment ct_segment_member ct_event ct_message ct_import_sample ct_segment_delta ct_usage_delta"

# What an import left: counts a version can be compared on.
counts() {
	psql -X -A -t -v ON_ERROR_STOP=1 -d "$1" -c "SELECT (SELECT count(*) FROM ctaudience.ct_profile) || ' profiles, '
		|| (SELECT count(*) FROM ctaudience.ct_segment_member) || ' memberships ('
		|| (SELECT count(*) FROM ctaudience.ct_segment_member WHERE is_member) || ' members), '
		|| (SELECT count(*) FROM ctaudience.ct_event) || ' events'"
}

# profile_import DB FILE: the import, its backend recorded by `perf record
# -g` into FILE (CT_BENCH_PERF=1).  The driver holds the session after it
# has connected (CT_BENCH_HOLD) until perf is attached, and starts its
# clock after that.
profile_import() {
	local drv rec
	rm -f "$dir/hold.0"
	CT_BENCH_HOLD=$dir/hold "$work/driver" import "$conn dbname=$1" "$msgs" 1 >"$dir/import.out" &
	drv=$!
	while [ ! -f "$dir/hold.0" ] && kill -0 "$drv" 2>/dev/null; do sleep 0.01; done
	[ -f "$dir/hold.0" ] || { wait "$drv"; echo "the driver ended before it imported" >&2; exit 1; }
	perf record -q -g -p "$(cat "$dir/hold.0")" -o "$2" 2>"$dir/perf.log" &
	rec=$!
	sleep 1
	kill -0 "$rec" 2>/dev/null || { cat "$dir/perf.log"; kill "$drv"; exit 1; }
	rm "$dir/hold.0"
	wait "$drv" || exit 1
	kill -INT "$rec"
	wait "$rec" || true
}

# import_once VERSION DB: one import by one session into a new database DB
# on a new postmaster running VERSION.  Sets imported (the driver's line)
# and steps (the seconds of each step ctaudience.log_timing logged for it,
# summed over the messages; empty when it is off).  Not to be called in
# $( ): it must install and start in this shell, and end it on a failure.
import_once() {
	local from
	restart_with "$1"
	newdb "$2"
	psql -X -q -d "$2" -c "CHECKPOINT" -c "SELECT pg_stat_reset_shared('wal')" >/dev/null
	from=$(stat -c %s "$dir/server.log")
	if [ -n "${perf_data:-}" ]; then
		profile_import "$2" "$perf_data"
	else
		"$work/driver" import "$conn dbname=$2" "$msgs" 1 >"$dir/import.out" || exit 1
	fi
	sleep 0.5	# the backend reports its WAL and I/O statistics as it exits
	# what the import waited for rather than computed: WAL written, the time
	# spent writing and flushing it, and the time reading and writing data
	# pages (track_io_timing), all in this database or cluster-wide (WAL);
	# and the autovacuum and autoanalyze runs on its tables meanwhile (on
	# two cores they take CPU from the import)
	imported="$(cat "$dir/import.out") $(psql -X -A -t -F ' ' -d "$2" -c "SELECT 'wal_mb=' || round(wal_bytes / 1048576.0),
			'wal_write_s=' || round(wal_write_time::numeric / 1000, 2), 'wal_sync_s=' || round(wal_sync_time::numeric / 1000, 2),
			'read_s=' || round(d.blk_read_time::numeric / 1000, 2), 'write_s=' || round(d.blk_write_time::numeric / 1000, 2),
			'autovacuums=' || (SELECT sum(autovacuum_count) FROM pg_stat_user_tables),
			'autoanalyzes=' || (SELECT sum(autoanalyze_count) FROM pg_stat_user_tables)
		FROM pg_stat_wal, pg_stat_database d WHERE d.datname = current_database()")"
	steps=$(tail -c +"$((from + 1))" "$dir/server.log" | awk '
		/ctaudience timing:/ {
			for (i = 1; i <= NF; i++)
				if (split($i, kv, "=") == 2 && kv[2] ~ /^[0-9.]+$/ && kv[1] != "us_per_profile") {
					if (!(kv[1] in sum)) order[++n] = kv[1]
					sum[kv[1]] += kv[2]
				}
		}
		END { for (i = 1; i <= n; i++) printf "%s%s=%.3f", (i > 1 ? " " : ""), order[i], order[i] == "profiles" ? sum[order[i]] : sum[order[i]] / 1e6 }')
}

# floor_once: the COPY floor, on a new postmaster running the OLD version:
# a new database, its tables emptied with user triggers off, a checkpoint,
# then the old version's rows COPY'd in, in one transaction.  Sets floor
# (the seconds the COPY statements took) and floor_cpu (the CPU seconds of
# its backend in the transaction).  Not to be called in $( ).
floor_once() {
	restart_with old
	newdb benchfloor
	for t in $tables; do psql -X -q -d benchfloor -c "ALTER TABLE ctaudience.$t DISABLE TRIGGER USER"; done
	{
		echo "TRUNCATE $(echo $tables | sed 's/\([a-z_]*\)/ctaudience.\1/g; s/ /, /g');"
		echo "CHECKPOINT;"
	} | psql -X -q -d benchfloor
	# the backend's CPU ticks (user, system) before and after, read by \! from /proc
	cpu_ticks="\\! cut -d' ' -f14,15 /proc/\$(cat $dir/floor.pid)/stat >>$dir/floor.cpu"
	rm -f "$dir/floor.cpu"
	{
		echo "SELECT pg_backend_pid() \\g (tuples_only=on format=unaligned) $dir/floor.pid"
		echo "$cpu_ticks"
		echo '\timing on'
		echo "BEGIN;"
		for t in $tables; do echo "COPY ctaudience.$t FROM '$copydir/$t.copy';"; done
		echo "COMMIT;"
		echo "$cpu_ticks"
	} | psql -X -q -v ON_ERROR_STOP=1 -d benchfloor >"$dir/floor.out" || exit 1
	floor=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$dir/floor.out" | awk '{s += $1} END {printf "%.3f", s / 1000}')
	floor_cpu=$(awk -v hz="$(getconf CLK_TCK)" 'NR == 1 {t0 = $1 + $2} NR == 2 {printf "%.2f", ($1 + $2 - t0) / hz}' "$dir/floor.cpu")
	[ -n "$floor_cpu" ] || { echo "no CPU time of the floor's backend" >&2; exit 1; }
	psql -X -q -d postgres -c "DROP DATABASE benchfloor"
}

# 0. each version once (not measured): a fresh cluster creates every WAL
# segment the first time, and the old version's rows are the floor's.
ct_log "warm-up, $old_label (not measured; its rows are the floor's)"
import_once old benchold
for t in $tables; do
	psql -X -q -d benchold -c "COPY ctaudience.$t TO '$copydir/$t.copy'"
done
rows_old=$(counts benchold)
psql -X -q -d postgres -c "DROP DATABASE benchold"
ct_log "warm-up, $new_label (not measured)"
import_once new benchnew
rows_new=$(counts benchnew)
psql -X -q -d postgres -c "DROP DATABASE benchnew"
echo "old: $rows_old"
echo "new: $rows_new"

# 1. rounds: both imports and the floor in each, every one on a new
# postmaster into a new database; odd rounds old, floor, new; even rounds
# new, floor, old, so neither version is always first after the floor.
# Each round gives its own ratios (each import to that round's floor, new
# to old); the medians of the rounds' ratios count.
rounds=${CT_BENCH_ROUNDS:-5}
[ "$rounds" -ge 1 ] || { echo "CT_BENCH_ROUNDS must be 1 or more" >&2; exit 1; }
declare -A secs pps ratio allsteps one_s one_p one_c one_w cpus cratio
waits=""
floors=""
floor_cpus=""
cspeedups=""
speedups=""
detail=""
for k in $(seq "$rounds"); do
	if [ $((k % 2)) = 1 ]; then order="old floor new"; else order="new floor old"; fi
	for what in $order; do
		ct_log "round $k of $rounds: $what"
		if [ "$what" = floor ]; then
			floor_once
			echo "floor: $floor s, backend CPU $floor_cpu s"
		else
			if [ "${CT_BENCH_PERF:-0}" = 1 ]; then
				perf_data=$perfdir/$what-round$k.data
			fi
			import_once "$what" "bench$what"
			echo "$imported"
			[ -z "$steps" ] || echo "steps: $steps"
			psql -X -q -d postgres -c "DROP DATABASE bench$what"
			one_s[$k$what]=$(echo "$imported" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
			one_p[$k$what]=$(echo "$imported" | sed 's/.*profiles_per_s=\([0-9]*\).*/\1/')
			one_c[$k$what]=$(echo "$imported" | sed 's/.*backend_cpu_s=\([0-9.]*\).*/\1/')
			one_w[$k$what]="$(echo "$imported" | sed 's/.*backend_runq_s=\([0-9.]*\).*/runq_s=\1/') $(echo "$imported" | sed 's/.* \(wal_mb=.*\)/\1/')"
			cpus[$what]="${cpus[$what]:-} ${one_c[$k$what]}"
			secs[$what]="${secs[$what]:-} ${one_s[$k$what]}"
			pps[$what]="${pps[$what]:-} ${one_p[$k$what]}"
			allsteps[$what]="${allsteps[$what]:-}$steps
"
		fi
	done
	floors="$floors $floor"
	floor_cpus="$floor_cpus $floor_cpu"
	for what in old new; do
		ratio[$what]="${ratio[$what]:-} $(awk "BEGIN {printf \"%.2f\", ${one_s[$k$what]} / $floor}")"
		cratio[$what]="${cratio[$what]:-} $(awk "BEGIN {printf \"%.2f\", ${one_c[$k$what]} / $floor_cpu}")"
	done
	speedups="$speedups $(awk "BEGIN {printf \"%.2f\", ${one_p[${k}new]} / ${one_p[${k}old]}}")"
	cspeedups="$cspeedups $(awk "BEGIN {printf \"%.2f\", ${one_c[${k}old]} / ${one_c[${k}new]}}")"
	detail="$detail
                        round $k: old ${one_s[${k}old]} s (CPU ${one_c[${k}old]}), new ${one_s[${k}new]} s (CPU ${one_c[${k}new]}), floor $floor s (CPU $floor_cpu)"
	waits="$waits
                        round $k: old ${one_w[${k}old]}
                                 new ${one_w[${k}new]}"
done

same=yes
[ "$rows_old" = "$rows_new" ] || same="NO: the two versions did different work, compare with care"
timing=""
if [ "${CT_BENCH_TIMING:-0}" = 1 ]; then
	# per step, the median over the rounds of the seconds summed over all messages
	timing=$(for what in old new; do echo "${allsteps[$what]}" | grep . | sed "s/^/$what /"; done | awk '
		{
			for (i = 2; i <= NF; i++) {
				split($i, kv, "=")
				if (!(kv[1] in seen)) { seen[kv[1]] = 1; order[++n] = kv[1] }
				v[$1, kv[1], ++c[$1, kv[1]]] = kv[2]
			}
		}
		function med(w, key,   m, a, i, j, t) {
			m = c[w, key]
			if (!m) return "-"
			for (i = 1; i <= m; i++) a[i] = v[w, key, i]
			for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
			return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
		}
		END {
			printf "  %-10s %10s %10s %10s\n", "step (s)", "old", "new", "new - old"
			for (i = 1; i <= n; i++) {
				o = med("old", order[i]); w = med("new", order[i])
				if (order[i] == "profiles") continue
				printf "  %-10s %10s %10s %10s\n", order[i] == "total_us" ? "total" : order[i], o, w, (o == "-" || w == "-") ? "-" : sprintf("%+.3f", w - o)
			}
		}')
fi

floor_s=$(median $floors)
cat <<REPORT

== ctaudience, version against version: $users users ($(echo "$imported" | sed 's/.*messages=\([0-9]*\).*/\1/') messages; huge pages $huge; $rounds rounds)
old: $old_label
new: $new_label
rows:                   old: $rows_old
                        new: $rows_new
                        the same: $same
import, 1 session:      old $(median ${secs[old]}) s, $(median ${pps[old]} | cut -d. -f1) profiles/s (median)
                        new $(median ${secs[new]}) s, $(median ${pps[new]} | cut -d. -f1) profiles/s (median)
COPY floor, old tables: $floor_s s median
ratio import / floor:   old $(printf "%.2f" "$(median ${ratio[old]})"), rounds:${ratio[old]}
                        new $(printf "%.2f" "$(median ${ratio[new]})"), rounds:${ratio[new]}
new / old profiles/s:   $(printf "%.2f" "$(median $speedups)"), rounds:$speedups
backend CPU seconds:    old $(median ${cpus[old]}), new $(median ${cpus[new]}), floor $(median $floor_cpus) (medians)
  ratio to the floor's: old $(printf "%.2f" "$(median ${cratio[old]})"), rounds:${cratio[old]}
                        new $(printf "%.2f" "$(median ${cratio[new]})"), rounds:${cratio[new]}
  old / new:            $(printf "%.2f" "$(median $cspeedups)"), rounds:$cspeedups$detail
waits (seconds runnable but waiting for a CPU; WAL MB; seconds writing and flushing WAL, reading and writing pages; autovacuum runs):$waits
REPORT
if [ "${CT_BENCH_PERF:-0}" = 1 ]; then
	echo "perf data: $perfdir/{old,new}-round{1..$rounds}.data; e.g. perf report -i $perfdir/new-round1.data --children --sort symbol"
fi
if [ -n "$timing" ]; then
	echo "ctaudience.log_timing, seconds summed over the messages, median of the rounds (triggers are inside insert/update/members):"
	echo "$timing"
fi
