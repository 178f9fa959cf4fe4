#!/usr/bin/env bash
# include-what-you-use over the C sources, as a guide to trimming includes
# (not a gate: its advice is read, not obeyed blindly).
#
#   scripts/iwyu.sh [FILE...]         for each file (default: every .c and
#                                     .cpp of src/ and receiver/) and its own
#                                     header, the includes iwyu finds unused
#   scripts/iwyu.sh --full [FILE...]  iwyu's whole advice (what to add too)
#
# Each file is compiled with the flags its own Makefile gives it (PGXS: make
# -n prints them), and scripts/iwyu.imp tells iwyu that postgres.h is what a
# server file includes for c.h, elog.h, palloc.h and the C library.
# Installs the Debian package iwyu when it is missing (as root, Debian 12).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
. scripts/lib.sh
set -e

full=no
if [ "${1:-}" = --full ]; then full=yes; shift; fi

if ! command -v include-what-you-use >/dev/null; then
	CT_PACKAGES=iwyu ct_install_packages
fi
command -v include-what-you-use >/dev/null || { echo "include-what-you-use is not installed (Debian package iwyu)" >&2; exit 1; }

if [ $# -gt 0 ]; then
	files=("$@")
else
	mapfile -t files < <(git ls-files -- 'src/*.c' 'src/*.cpp' 'receiver/*.c' | LC_ALL=C sort)
fi

pg_config=$CT_PG_BIN/pg_config
for f in "${files[@]}"; do
	# the directory whose Makefile builds it, and the object's name there
	dir=.
	[ -f "$(dirname "$f")/Makefile" ] && dir=$(dirname "$f")
	rel=${f#"$dir"/}
	cmd=$(make -s -n -B -C "$dir" PG_CONFIG="$pg_config" "${rel%.*}.o" 2>/dev/null | grep -E '^(gcc|g\+\+|cc|c\+\+|clang)' | head -n 1)
	if [ -z "$cmd" ]; then
		echo "$f: no compile command from $dir/Makefile" >&2
		continue
	fi
	eval "set -- $cmd"
	flags=()
	for a in "$@"; do
		case $a in -I* | -D* | -std=*) flags+=("$a") ;; esac
	done
	out=$(cd "$dir" && include-what-you-use -w -Xiwyu --no_fwd_decls \
		-Xiwyu --mapping_file="$root/scripts/iwyu.imp" "${flags[@]}" "$rel" 2>&1 || true)
	if [ "$full" = yes ]; then
		printf '%s\n' "$out"
		continue
	fi
	# only the "should remove" advice, one line per include, named by file
	printf '%s\n' "$out" | awk -v dir="$dir" '
		/ should remove these lines:$/ { file = $1; if (dir != ".") file = dir "/" file; on = 1; next }
		on && /^- #include/ { sub(/^- /, ""); print file ": unused " $0; next }
		on && /^$/ { on = 0 }'
done
