#!/usr/bin/env bash
# The scripts never stop a cluster they did not start.  ct_install_packages
# (scripts/lib.sh, used by demo.sh, test.sh and bench/) runs with apt-get,
# dpkg-query and pg_ctlcluster replaced by stubs that record their calls:
# when Debian's "main" cluster existed before, it is left alone; when this
# apt run created it, it is stopped; when nothing is missing, nothing runs.
# It also says what it installs.  Prints TAP.  Run from the repository root.
set -uo pipefail
work=$(mktemp -d /tmp/ctaudience-scripts.XXXXXX)
trap 'rm -rf "$work"' EXIT
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); echo "not ok $n - $*"; fail=1; }

mkdir -p "$work/bin"
cat > "$work/bin/dpkg-query" <<'STUB'
#!/bin/sh
# every package installed but the one named in $MISSING
for a; do pkg=$a; done
[ "$pkg" = "$MISSING" ] && exit 1
printf 'install ok installed'
STUB
cat > "$work/bin/apt-get" <<'STUB'
#!/bin/sh
echo "apt-get $*" >> "$CALLS"
# installing the server package creates Debian's "main" cluster
case "$*" in install*) mkdir -p "$CT_PG_CONF_ROOT/15/main" ;; esac
STUB
cat > "$work/bin/pg_ctlcluster" <<'STUB'
#!/bin/sh
echo "pg_ctlcluster $*" >> "$CALLS"
STUB
chmod +x "$work/bin/"*

run() {	# case name, MISSING package, whether main exists before
	rm -rf "$work/etc" "$work/calls"
	mkdir -p "$work/etc"
	[ "$3" = yes ] && mkdir -p "$work/etc/15/main"
	( unset CT_SKIP_APT
	  export PATH="$work/bin:$PATH" CALLS="$work/calls" MISSING="$2" CT_PG_CONF_ROOT="$work/etc"
	  . scripts/lib.sh
	  ct_install_packages ) > "$work/out" 2>&1
	touch "$work/calls"
}

run "main there before" postgresql-15 yes
if grep -q "pg_ctlcluster" "$work/calls"; then notok "a main cluster that was there before is not stopped"; else ok "a main cluster that was there before is not stopped"; fi
if grep -q "installing: postgresql-15" "$work/out"; then ok "it says what it installs"; else cat "$work/out"; notok "it says what it installs"; fi

run "main made by this run" postgresql-15 no
if grep -q "pg_ctlcluster 15 main stop" "$work/calls"; then ok "the main cluster this apt run created is stopped"; else notok "the main cluster this apt run created is stopped"; fi

run "nothing missing" none no
if [ -s "$work/calls" ]; then notok "nothing missing: no apt-get, no cluster touched"; else ok "nothing missing: no apt-get, no cluster touched"; fi

# demo.sh and test.sh stop only the cluster whose directory they made
for s in scripts/demo.sh scripts/test.sh; do
	if grep -n "pg_ctlcluster\|pg_ctl .*stop\|systemctl" "$s" | grep -v "ct_cluster_stop\|echo \|ct_log \|^[0-9]*:\s*#" >/dev/null; then
		notok "$s stops no cluster but its own"
	else
		ok "$s stops no cluster but its own (only ct_cluster_stop of the directory it made)"
	fi
done
echo "1..$n"
exit $fail
