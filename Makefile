# ctaudience: PGXS build.  The version comes from ctaudience.control only.
EXTENSION = ctaudience
EXTVERSION = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = ctaudience
OBJS = \
	src/ctaudience.o \
	src/absorb.o \
	src/auth.o \
	src/direct.o \
	src/pathcheck.o \
	src/delivery.o \
	src/dispatch.o \
	src/dsr.o \
	src/engage.o \
	src/events.o \
	src/export.o \
	src/exportguard.o \
	src/exportjson.o \
	src/exportpage.o \
	src/exportresult.o \
	src/firehose.o \
	src/identity.o \
	src/import.o \
	src/importstate.o \
	src/inbox.o \
	src/journeys.o \
	src/jsonbutil.o \
	src/jsonwalk.o \
	src/kind.o \
	src/lookup.o \
	src/members.o \
	src/merge.o \
	src/message.o \
	src/model.o \
	src/normalize.o \
	src/phone.o \
	src/preview.o \
	src/registration.o \
	src/queries.o \
	src/queries_export.o \
	src/queue.o \
	src/resolve.o \
	src/response.o \
	src/route.o \
	src/rules.o \
	src/scope.o \
	src/segments.o \
	src/store.o \
	src/stream.o \
	src/strmap.o \
	src/subscription.o \
	src/citus.o \
	src/timing.o \
	src/transition.o \
	src/triggers.o \
	src/types.o \
	src/usage.o \
	src/write.o

# SQL.  Each object (type, table, function, view, grant set) is written
# once, in sql/<kind>/<name>--<version>.sql, <version> being the first
# release whose scripts carry that text.  An object that changed has a file
# per version; a part of it that stayed (a comment, an index) has a file of
# its own, <name>.<part>--<version>.sql.  The scripts PostgreSQL runs are
# built from recipes, where a line "\ir FILE" (psql's include, relative to
# sql/) brings in a file and any other line is copied as it is:
#   sql/ctaudience.sql.in         install script of the current version
#   sql/ctaudience--0.1.0.sql.in  install script of release 0.1.0
#   sql/ctaudience--A--B.sql.in   upgrade script from A to B
# sql/include.awk expands them: awk comes with every PGXS build ($(AWK)) and
# copies each file byte for byte, where cpp would read the SQL as C (quotes
# in comments, #, $$).  The built scripts are not kept in git.  A released
# script never changes (test/cluster/upgrade.sh checks the sha256 of each
# against sql/released.sha256), so a file it includes keeps its text.
#
# A new view: views/<name>--<next>.sql with CREATE VIEW, its COMMENT, a
# COMMENT for each column and its GRANT.  A new function: the same in
# functions/, with REVOKE ALL ... FROM PUBLIC (only the install ends by
# revoking PUBLIC's rights) and its GRANTs.  A new table: tables/, with its
# indexes, COMMENTs and pg_extension_config_dump.  Each gets an \ir line in
# sql/ctaudience.sql.in and in the next upgrade's recipe.  A function or
# view that changes: a new file <name>--<next>.sql with the whole object
# (CREATE OR REPLACE, COMMENT), included by the next upgrade and in place of
# the old file in sql/ctaudience.sql.in.  A table that changes: its new
# CREATE TABLE in tables/<name>--<next>.sql, the ALTER TABLE in the upgrade.
# A new setting is C, not SQL: DefineCustom*Variable("ctaudience.<name>")
# in the *_init function of the module that reads it.
# The next version: set default_version in ctaudience.control and write
# sql/ctaudience--0.2.0--0.3.0.sql.in: the \echo guard, the \ir lines of
# what it adds or replaces, and the steps only an update takes (ALTER, DROP,
# moving data) written out.  At its release, add the sha256 of the upgrade
# script to sql/released.sha256.  Only the current version has an install
# script besides 0.1.0: CREATE EXTENSION ... VERSION of an older version
# runs 0.1.0's and the upgrades.
SQL_RECIPES = $(wildcard sql/$(EXTENSION)--*.sql.in)
SQL_SOURCES = sql/include.awk $(wildcard sql/*/*.sql)
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql $(SQL_RECIPES:.sql.in=.sql)

# Regression tests: every file in test/sql, in name order.  Expected output
# lives in expected/ (test/expected links to it, where pg_regress looks).
TESTS = $(sort $(wildcard test/sql/*.sql))
REGRESS = $(patsubst test/sql/%.sql,%,$(TESTS))
REGRESS_OPTS = --inputdir=test --load-extension=$(EXTENSION)
# Isolation tests (concurrent sessions): every spec in test/specs.
ISOLATION = $(patsubst test/specs/%.spec,%,$(sort $(wildcard test/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test --load-extension=$(EXTENSION)

PG_CPPFLAGS = -Isrc -DCT_VERSION='"$(EXTVERSION)"' -Wall -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare \
	-Wno-missing-field-initializers
PG_CXXFLAGS = -std=c++17 -Wall -Wextra -Werror
# libphonenumber's shim reads its metadata through protobuf; ICU comes with it
SHLIB_LINK = -lphonenumber -lprotobuf -licui18n -licuuc -lstdc++

EXTRA_CLEAN = $(DATA_built) test/results test/regression.diffs test/regression.out output_iso

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# the extension scripts from their recipes (see SQL above)
sql/$(EXTENSION)--$(EXTVERSION).sql: sql/$(EXTENSION).sql.in $(SQL_SOURCES)
	$(AWK) -f sql/include.awk $< >$@ || { rm -f $@; exit 1; }
sql/$(EXTENSION)--%.sql: sql/$(EXTENSION)--%.sql.in $(SQL_SOURCES)
	$(AWK) -f sql/include.awk $< >$@ || { rm -f $@; exit 1; }

# pg_regress needs these for --inputdir=test
installcheck: test/expected
test/expected:
	ln -s ../expected $@

# ctaudience-receiver, the HTTP endpoint mParticle posts to (receiver/), and
# ctaudience-exporter, which posts the export to mParticle's Events API
# (exporter/): libpq clients built and installed (into bindir) with the
# extension.
CT_PROGRAMS = receiver exporter
all: $(CT_PROGRAMS)
install: $(addprefix install-,$(CT_PROGRAMS))
uninstall: $(addprefix uninstall-,$(CT_PROGRAMS))
clean: $(addprefix clean-,$(CT_PROGRAMS))
.PHONY: $(CT_PROGRAMS) $(foreach p,$(CT_PROGRAMS),install-$(p) uninstall-$(p) clean-$(p))
$(CT_PROGRAMS):
	$(MAKE) -C $@ PG_CONFIG=$(PG_CONFIG)
$(addprefix install-,$(CT_PROGRAMS)): install-%: %
	$(MAKE) -C $* PG_CONFIG=$(PG_CONFIG) install
$(addprefix uninstall-,$(CT_PROGRAMS)): uninstall-%:
	$(MAKE) -C $* PG_CONFIG=$(PG_CONFIG) uninstall
$(addprefix clean-,$(CT_PROGRAMS)): clean-%:
	$(MAKE) -C $* PG_CONFIG=$(PG_CONFIG) clean

# Rebuild every object when a header changes (PGXS tracks no header dependencies),
# and the two that compile the version in (CT_VERSION) when it changes.
$(OBJS): $(wildcard src/*.h)
src/registration.o src/store.o: $(EXTENSION).control
