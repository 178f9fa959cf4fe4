#!/usr/bin/env bash
# A Citus cluster running ctaudience 0.2.0, updated in place to this
# version the way docs/scaling.md says (ALTER EXTENSION ctaudience UPDATE
# on the coordinator, then ct_distribute() again): a coordinator and two
# workers started by test/cluster/citus.sh (Unix sockets in a directory
# of their own, stopped at the end); the checks are
# test/cluster/citus_upgrade_test.py's (see its docstring).  Skipped, with
# a notice, where ../shared/citus is absent, and on PostgreSQL 18 and
# later.  From the repository root, as root.
set -euo pipefail
exec bash test/cluster/citus.sh test/cluster/citus_upgrade_test.py "the Citus upgrade test"
