# ctaudience: PGXS build.  The version comes from ctaudience.control only.
EXTENSION = ctaudience
EXTVERSION = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = ctaudience
OBJS = \
	src/ctaudience.o \
	src/auth.o \
	src/direct.o \
	src/dispatch.o \
	src/dsr.o \
	src/engage.o \
	src/firehose.o \
	src/identity.o \
	src/import.o \
	src/inbox.o \
	src/jsonbutil.o \
	src/jsonwalk.o \
	src/kind.o \
	src/members.o \
	src/merge.o \
	src/message.o \
	src/model.o \
	src/normalize.o \
	src/phone.o \
	src/preview.o \
	src/registration.o \
	src/resolve.o \
	src/response.o \
	src/rules.o \
	src/store.o \
	src/stream.o \
	src/strmap.o \
	src/subscription.o \
	src/citus.o \
	src/timing.o \
	src/triggers.o \
	src/types.o \
	src/usage.o \
	src/write.o

# The install script of this version is assembled from the pieces in
# sql/install, in name order.  Released versions keep their install script,
# frozen (sql/ctaudience--0.1.0.sql), and every upgrade script
# (sql/ctaudience--A--B.sql) is installed too, so an older installation
# updates in place with ALTER EXTENSION ctaudience UPDATE.
INSTALL_PIECES = $(sort $(wildcard sql/install/*.sql))
DATA_built = sql/$(EXTENSION)--$(EXTVERSION).sql
DATA = $(filter-out $(DATA_built), $(wildcard sql/$(EXTENSION)--*.sql))

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

$(DATA_built): $(INSTALL_PIECES) $(EXTENSION).control
	cat $(INSTALL_PIECES) > $@

# pg_regress needs these for --inputdir=test
installcheck: test/expected
test/expected:
	ln -s ../expected $@

# ctaudience-receiver, the HTTP endpoint mParticle posts to (receiver/): a
# libpq client built and installed (into bindir) with the extension.
all: receiver
install: install-receiver
uninstall: uninstall-receiver
clean: clean-receiver
.PHONY: receiver install-receiver uninstall-receiver clean-receiver
receiver:
	$(MAKE) -C receiver PG_CONFIG=$(PG_CONFIG)
install-receiver: receiver
	$(MAKE) -C receiver PG_CONFIG=$(PG_CONFIG) install
uninstall-receiver:
	$(MAKE) -C receiver PG_CONFIG=$(PG_CONFIG) uninstall
clean-receiver:
	$(MAKE) -C receiver PG_CONFIG=$(PG_CONFIG) clean

# Rebuild every object when a header changes (PGXS tracks no header dependencies).
$(OBJS): $(wildcard src/*.h)
