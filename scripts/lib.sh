# Shared helpers for scripts/demo.sh, scripts/test.sh and bench/.
# Source it; it defines functions only.
#
# The server refuses to run as root, so clusters run as the "postgres"
# system user; clients (psql, pg_regress, pg_prove) run as whoever calls,
# over a private Unix socket with trust authentication.

CT_PG_VERSION=15
# where Debian keeps its clusters' configuration (a test points it elsewhere)
CT_PG_CONF_ROOT=${CT_PG_CONF_ROOT:-/etc/postgresql}
# the server's programs: Debian's, unless CT_PG_BIN names another installation
CT_PG_BIN=${CT_PG_BIN:-/usr/lib/postgresql/$CT_PG_VERSION/bin}
# PostgreSQL 18, which Debian 12 does not package: built from the source in
# ../shared/postgres into this prefix (ct_pg18_install)
CT_PG18_PREFIX=${CT_PG18_PREFIX:-/opt/pg18}
CT_PACKAGES="make gcc g++ clang-14 llvm-14 postgresql-$CT_PG_VERSION postgresql-server-dev-$CT_PG_VERSION \
postgresql-$CT_PG_VERSION-pgtap libtap-parser-sourcehandler-pgtap-perl postgresql-$CT_PG_VERSION-cron \
libphonenumber-dev libmicrohttpd-dev libpq-dev libcurl4-openssl-dev python3 python3-jsonschema curl openssl valgrind \
binutils perl bzip2"

ct_log() { printf '\n== %s %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# Install what is missing (Debian 12, as root).  CT_SKIP_APT=1 skips it.
ct_install_packages() {
	if [ "${CT_SKIP_APT:-0}" = 1 ]; then return 0; fi
	local missing=""
	for p in $CT_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		local had_main=no
		[ -d "$CT_PG_CONF_ROOT/$CT_PG_VERSION/main" ] && had_main=yes
		ct_log "installing:$missing"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -q
		# shellcheck disable=SC2086
		apt-get install -y -q --no-install-recommends $missing
		# installing the server makes and starts a "main" cluster, which we
		# never use: that one is stopped, never a cluster that was there before
		if [ "$had_main" = no ] && [ -d "$CT_PG_CONF_ROOT/$CT_PG_VERSION/main" ]; then
			pg_ctlcluster "$CT_PG_VERSION" main stop 2>/dev/null || true
		fi
	fi
}

# Use the PostgreSQL installation whose programs are in BIN from here on:
# this script, the scripts it runs (CT_PG_BIN) and the clients they call by
# name (psql, pg_dump, pg_restore; pg_prove runs psql) all take that one.
ct_use_pg() {
	export CT_PG_BIN=$1
	export PATH="$1:$PATH"
}

# PostgreSQL 18 with pg_cron, pgTAP and the contrib modules the tests use,
# in $CT_PG18_PREFIX: built by ../shared/postgres/build.sh, which does
# nothing when it is there already; dblink, which that build leaves out, is
# built from the same source tarball with PGXS.  Sets CT_PG18_BIN to its
# programs' folder; leaves it empty, saying so, where ../shared/postgres is
# absent.  Returns 1 when a build fails.  As root.
ct_pg18_install() {
	local shared pg_config work
	CT_PG18_BIN=""
	shared=$(cd .. && pwd)/shared/postgres
	if [ ! -f "$shared/build.sh" ]; then
		echo "NOTICE: ../shared/postgres is absent: the suites on PostgreSQL 18 are SKIPPED"
		return 0
	fi
	bash "$shared/build.sh" "$CT_PG18_PREFIX" || return 1
	pg_config=$CT_PG18_PREFIX/bin/pg_config
	if [ ! -f "$("$pg_config" --sharedir)/extension/dblink.control" ]; then
		work=$(mktemp -d /tmp/ctaudience-dblink.XXXXXX) || return 1
		tar -xjf "$(ls "$shared"/postgresql-18_*.orig.tar.bz2 | head -n 1)" -C "$work" \
			--wildcards '*/contrib/dblink/*' &&
			make -s -C "$work"/*/contrib/dblink USE_PGXS=1 PG_CONFIG="$pg_config" with_llvm=no install >/dev/null ||
			{ rm -rf "$work"; return 1; }
		rm -rf "$work"
	fi
	CT_PG18_BIN=$CT_PG18_PREFIX/bin
}

# Build and install the extension (as root) into the installation of
# $CT_PG_BIN.  A tree last built for another installation is cleaned first:
# PGXS would take its objects as up to date.
ct_build_install() {
	local pg_config=$CT_PG_BIN/pg_config built_for
	built_for="$pg_config $("$pg_config" --version)"
	ct_log "building ctaudience and installing it into $("$pg_config" --version): $("$pg_config" --pkglibdir), $("$pg_config" --sharedir)/extension, $CT_PG_BIN/ctaudience-receiver"
	if [ "$(cat .ct-built-for 2>/dev/null)" != "$built_for" ]; then
		make -s clean PG_CONFIG="$pg_config" >/dev/null
		echo "$built_for" >.ct-built-for
	fi
	make -s PG_CONFIG="$pg_config" >/dev/null
	make -s install PG_CONFIG="$pg_config" >/dev/null
}

# Start a throwaway cluster: ct_cluster_start DIR PORT [extra config lines]
# Exports PGHOST, PGPORT, PGUSER for the clients.
ct_cluster_start() {
	local dir=$1 port=$2 extra=${3:-}
	mkdir -p "$dir"
	chown postgres:postgres "$dir"
	chmod 700 "$dir"
	runuser -u postgres -- "$CT_PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust \
		--encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log"; return 1; }
	cat >>"$dir/data/postgresql.conf" <<CONF
port = $port
listen_addresses = ''
unix_socket_directories = '$dir'
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
max_connections = 40
fsync = on
$extra
CONF
	runuser -u postgres -- "$CT_PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null ||
		{ cat "$dir/server.log"; return 1; }
	export PGHOST=$dir PGPORT=$port PGUSER=postgres
}

# Stop it: ct_cluster_stop DIR
ct_cluster_stop() {
	local dir=$1
	[ -d "$dir/data" ] || return 0
	runuser -u postgres -- "$CT_PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

# A free TCP port number for the socket name (no TCP listening happens),
# from CT_PORTS ("FIRST LAST", default "54320 54399": a machine shared with
# other test runs gives each its own range).
ct_free_port() {
	local p range
	read -r -a range <<<"${CT_PORTS:-54320 54399}"
	for p in $(seq "${range[0]}" "${range[1]}"); do
		[ -e "/tmp/.s.PGSQL.$p" ] || { echo "$p"; return; }
	done
	echo "${range[1]}"
}

# The median of the numbers given as arguments (the benchmarks' figures).
median() {
	printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
