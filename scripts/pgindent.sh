#!/usr/bin/env bash
# The C layout of PostgreSQL, kept with its own tools: pgindent and
# pg_bsd_indent, from the PostgreSQL source tarball in ../shared/postgres
# (read from there each run, never copied into this repository).
#
#   scripts/pgindent.sh [FILE...]          format the files in place (default:
#                                          every .c and .h file of the project)
#   scripts/pgindent.sh --check [FILE...]  change nothing; list the files that
#                                          would change, those pg_bsd_indent
#                                          cannot parse and the typedefs
#                                          missing from the list; exit 1 on
#                                          any (the suite)
#   scripts/pgindent.sh --diff [FILE...]   the same, showing the changes
#   scripts/pgindent.sh --typedefs         rewrite scripts/typedefs.list (run
#                                          it after adding a typedef)
#
# C only: pgindent formats .c and .h files; pg_bsd_indent is a C indenter and
# does not parse C++, so src/phone.cpp and test/unit/phone_examples.cpp keep
# the layout they are written in (phone.h, the C interface, is formatted).
#
# pg_bsd_indent: pgindent insists on the version it names (2.1.2 for
# PostgreSQL 18; Debian 12's package pg-bsd-indent is 2.1.1, refused), so it
# is built from the same tarball (src/tools/pg_bsd_indent) with cc against
# the server headers and libpgport of $CT_PG_BIN/pg_config, checked with its
# own test cases, and kept in $CT_CACHE_DIR (default /var/cache/ctaudience,
# else ~/.cache/ctaudience) as pg_bsd_indent-VERSION/pg_bsd_indent, so it is
# built once per machine and version.
#
# Typedefs: pgindent must know every type name to lay out declarations.  It
# reads one list (--typedefs); this script gives it PostgreSQL's own list
# from the tarball followed by scripts/typedefs.list, the names PostgreSQL's
# list lacks: the project's own typedefs, those of the libraries it uses
# (libmicrohttpd) and PostgreSQL 15's that newer PostgreSQL dropped.
#
# Without ../shared/postgres: --check prints a NOTICE and skips (exit 0);
# the other modes fail.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
set -e

mode=format
case "${1:-}" in
--check | --diff | --typedefs) mode=${1#--}; shift ;;
--help | -h) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
-*) echo "usage: scripts/pgindent.sh [--check|--diff|--typedefs] [FILE...]" >&2; exit 1 ;;
esac

typedefs_list=scripts/typedefs.list

tarball=$(ls ../shared/postgres/postgresql-*.orig.tar.bz2 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$tarball" ]; then
	if [ "$mode" = check ]; then
		echo "NOTICE: ../shared/postgres (PostgreSQL's source) is absent: the C format check is SKIPPED"
		exit 0
	fi
	echo "scripts/pgindent.sh: no PostgreSQL source tarball in ../shared/postgres" >&2
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ctaudience-pgindent.XXXXXX")
trap 'rm -rf "$work"' EXIT

# pgindent and PostgreSQL's typedefs list, out of the tarball
tar -xjf "$tarball" -C "$work" --wildcards \
	'*/src/tools/pgindent/pgindent' '*/src/tools/pgindent/typedefs.list'
pgindent=$(echo "$work"/*/src/tools/pgindent/pgindent)
pg_typedefs=$(echo "$work"/*/src/tools/pgindent/typedefs.list)
[ -f "$pgindent" ] && [ -f "$pg_typedefs" ] || { echo "no pgindent in $tarball" >&2; exit 1; }

# the typedef names written in the C files named (each once, as written)
source_typedefs() {
	[ $# -gt 0 ] || return 0
	perl -0777 -ne '
		s{/\*.*?\*/}{ }gs; s{//[^\n]*}{}g;
		print "$2\n" while /\btypedef\b(?:[^;{}]|(\{(?:[^{}]++|(?1))*\}))*?\b(\w+)\s*(?:\[[^\]]*\]\s*)?;/g;
		print "$1\n" while /\btypedef\b[^;{}]*?\(\s*\*\s*(\w+)\s*\)/g;' "$@" | LC_ALL=C sort -u
}

# ---- --typedefs: the names PostgreSQL's list lacks ----
if [ "$mode" = typedefs ]; then
	ct_log "building, for the debug information of the objects"
	make -s PG_CONFIG="$CT_PG_BIN/pg_config" >/dev/null
	{
		# every typedef the compiled C code uses, from its debug information
		# (as PostgreSQL's buildfarm makes its list); C++ units are left out,
		# their library typedefs (string, iterator...) are no C type names
		find . -name '*.o' -not -path './.git/*' -print0 | xargs -0 -r objdump --dwarf=info |
			awk '/DW_TAG_compile_unit/ { cu = 1; cxx = 0 }
				cu && /DW_AT_language/ { cxx = /C\+\+/; cu = 0 }
				/\(DW_TAG_typedef\)/ { t = !cxx; next }
				t && /DW_AT_name/ { print $NF }
				/Abbrev Number/ { t = 0 }'
		# and every typedef written in the C files (test and bench code is not
		# built by make; a typedef not used yet is in no object)
		mapfile -t all < <(git ls-files --cached --others --exclude-standard -- '*.c' '*.h')
		source_typedefs "${all[@]}"
	} | grep -v '^_' | LC_ALL=C sort -u | grep -vxF -f "$pg_typedefs" >"$work/typedefs.list" || true
	mv "$work/typedefs.list" "$typedefs_list"
	echo "$typedefs_list: $(wc -l <"$typedefs_list") names besides PostgreSQL's ($(basename "$tarball"))"
	exit 0
fi

# ---- pg_bsd_indent, the version pgindent asks for, built once per machine ----
version=$(sed -n 's/^my \$INDENT_VERSION = "\(.*\)";/\1/p' "$pgindent")
cache=${CT_CACHE_DIR:-/var/cache/ctaudience}
if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/ctaudience
	mkdir -p "$cache"
fi
indent=$cache/pg_bsd_indent-$version/pg_bsd_indent
if ! "$indent" --version 2>/dev/null | grep -q " $version "; then
	ct_log "building pg_bsd_indent $version from $(basename "$tarball") into $indent"
	tar -xjf "$tarball" -C "$work" --wildcards '*/src/tools/pg_bsd_indent/*'
	src=$(echo "$work"/*/src/tools/pg_bsd_indent)
	pg_config=$CT_PG_BIN/pg_config
	server=$("$pg_config" --includedir-server)
	flags=()
	# pg_noreturn is PostgreSQL 18's; older server headers do not have it
	grep -q 'define pg_noreturn' "$server/c.h" || flags+=('-Dpg_noreturn=__attribute__((noreturn))')
	cc -O2 -w "${flags[@]}" -I"$src" -I"$server" "$src"/*.c \
		-L"$("$pg_config" --pkglibdir)" -L"$("$pg_config" --libdir)" -lpgport -o "$work/pg_bsd_indent"
	# its own test cases (src/tools/pg_bsd_indent/t), before it is trusted
	(
		cd "$work" && cp "$src"/tests/*.list . 2>/dev/null || true
		for t in "$src"/tests/*.0; do
			name=$(basename "$t" .0)
			"$work/pg_bsd_indent" "$t" "$name.out" -P"$src/tests/$name.pro" &&
				diff -u "$t.stdout" "$name.out" >/dev/null ||
				{ echo "pg_bsd_indent fails its test case $name" >&2; exit 1; }
		done
	)
	mkdir -p "$(dirname "$indent")"
	cp "$work/pg_bsd_indent" "$indent.$$"
	mv "$indent.$$" "$indent"
fi

# PostgreSQL's typedefs, then the project's
cat "$pg_typedefs" "$typedefs_list" >"$work/typedefs.all"

# the files: those named, else every C file of the project (tracked, or new
# and not ignored)
if [ $# -gt 0 ]; then
	files=("$@")
else
	mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.c' '*.h' | LC_ALL=C sort)
fi
[ ${#files[@]} -gt 0 ] || { echo "no C files" >&2; exit 1; }

# a typedef pgindent does not know is laid out as an expression: none may be missing
missing=$(source_typedefs "${files[@]}" | grep -vxF -f "$work/typedefs.all" || true)
if [ -n "$missing" ]; then
	echo "typedefs not in $typedefs_list: $(echo $missing); add them with scripts/pgindent.sh --typedefs" >&2
	[ "$mode" = format ] && exit 1
fi

# pgindent leaves its temporary files in the current directory: run it in $work
run_pgindent() {
	(cd "$work" && perl "$pgindent" --indent="$indent" --typedefs="$work/typedefs.all" "$@")
}

if [ "$mode" = format ]; then
	abs=()
	for f in "${files[@]}"; do abs+=("$PWD/$f"); done
	status=0
	run_pgindent "${abs[@]}" || status=$?
	git diff --shortstat -- "${files[@]}" 2>/dev/null || true
	case $status in
	0) exit 0 ;;
	3) echo "the files named above were left as they are: pg_bsd_indent cannot parse them (see --check)" >&2 ;;
	*) echo "pgindent failed" >&2 ;;
	esac
	exit 1
fi

# --check and --diff: format copies, compare
copies=()
for f in "${files[@]}"; do
	mkdir -p "$work/tree/$(dirname "$f")"
	cp "$f" "$work/tree/$f"
	copies+=("$work/tree/$f")
done
# a canary laid out wrong, formatted in the same run: if it comes back
# unchanged, nothing was checked
canary_text='int f(void){int x=1;return x;}'
mkdir -p "$work/canary"
echo "$canary_text" >"$work/canary/canary.c"
copies+=("$work/canary/canary.c")
# exit status 3: pg_bsd_indent could not read some files (the others are done)
status=0
run_pgindent "${copies[@]}" 2>"$work/errors" || status=$?
if [ "$(cat "$work/canary/canary.c")" = "$canary_text" ]; then
	echo "pgindent changed not even a badly laid out file: the check checks nothing" >&2
	exit 1
fi
sed "s|$work/tree/||g" "$work/errors" >&2
if [ "$status" != 0 ] && [ "$status" != 3 ]; then
	echo "pgindent failed" >&2
	exit 1
fi
unreadable=$(sed -n "s|^Failure in $work/tree/\([^:]*\): .*|\1|p" "$work/errors")
changed=0
lines=0
for f in "${files[@]}"; do
	if printf '%s\n' "$unreadable" | grep -qxF "$f"; then
		echo "cannot lay out: $f (pg_bsd_indent does not parse it: see its errors above)"
	elif ! cmp -s "$f" "$work/tree/$f"; then
		n=$(diff "$f" "$work/tree/$f" | grep -c '^[<>]' || true)
		changed=$((changed + 1))
		lines=$((lines + n))
		echo "would reformat: $f ($n lines)"
		if [ "$mode" = diff ]; then
			diff -u --label "a/$f" --label "b/$f" "$f" "$work/tree/$f" || true
		fi
	fi
done
if [ -n "$unreadable" ]; then
	echo "$(printf '%s\n' "$unreadable" | wc -l) C files pg_bsd_indent cannot parse: write those lines as plain C it reads"
	echo "(it takes no compound literal inside a call's parentheses and no statements inside a macro's)"
fi
if [ "$changed" -gt 0 ]; then
	echo "$changed of ${#files[@]} C files are not laid out as pgindent lays them ($lines lines removed or added);"
	echo "format them with scripts/pgindent.sh (or see the changes: scripts/pgindent.sh --diff)"
fi
if [ -n "$unreadable" ] || [ "$changed" -gt 0 ] || [ -n "$missing" ]; then
	exit 1
fi
echo "ok: all ${#files[@]} C files are laid out as pgindent lays them (pg_bsd_indent $version)"
