# futd - a TCP probe daemon built on futures and one libevent reactor.
#
#   make            build build/futd and build/futctl
#   make check      build and run every test (unit and system), then
#                   tests/layers.sh (no loop between files, no oversize)
#   make demo       run futd against a loopback target server of ours
#   make install    PREFIX=/usr/local DESTDIR= (binaries, config, units)
#   make deps       install missing build dependencies with apt-get
#   V=1             show full commands

PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
SBINDIR		?= $(PREFIX)/sbin
SYSCONFDIR	?= /etc
MANDIR		?= $(PREFIX)/share/man
PKG_CONFIG	?= pkg-config
SYSTEMDUNITDIR	?= $(shell $(PKG_CONFIG) --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
DESTDIR		?=
BUILD		?= build
CC		?= cc

PKGS		 = libevent libconfig libsystemd jansson openssl liburing
# the tests' only
TEST_PKGS	 = check
# Debian 12 packages that provide them (and the tests')
DEB_PKGS	 = pkg-config libevent-dev libconfig-dev libsystemd-dev \
		   libjansson-dev libssl-dev liburing-dev openssl check clang \
		   libclang-rt-14-dev

WARNINGS	 = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
		   -Wmissing-prototypes -Wpointer-arith -Wcast-qual \
		   -Wwrite-strings -Wformat=2 -Wundef -Wvla
CFLAGS		?= -O2 -g
# link-time optimisation: the probe path crosses six files (target, probe,
# net, task, results, events); whole, it inlines and packs (paired runs of
# figure 1: ~1 % less CPU per probe).  LTO= builds without.
LTO		?= -flto=auto
ALL_CFLAGS	 = -std=c11 -D_GNU_SOURCE $(WARNINGS) $(CFLAGS) $(LTO) \
		   $(SANITIZE) -MMD -MP -Idaemon \
		   $(shell $(PKG_CONFIG) --cflags $(PKGS))
ALL_LDFLAGS	 = $(LDFLAGS) $(CFLAGS) $(LTO) $(SANITIZE)
LIBS_DAEMON	 = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lm -pthread
LIBS_CLIENT	 = $(shell $(PKG_CONFIG) --libs jansson) -lm
LIBS_CHECK	 = $(shell $(PKG_CONFIG) --libs $(TEST_PKGS))

ifeq ($(V),1)
Q =
else
Q = @
endif

DAEMON_SRCS	 = daemon/heap.c daemon/slab.c daemon/task.c daemon/net.c daemon/uring.c daemon/dns.c daemon/tls.c daemon/step.c daemon/probe.c daemon/results.c \
		   daemon/target.c daemon/maint.c daemon/control_maint.c daemon/target_conf.c daemon/strlist.c \
		   daemon/conf.c daemon/conf_value.c daemon/conf_labels.c daemon/conf_target.c daemon/conf_steps.c \
		   daemon/conf_dir.c daemon/conf_read.c daemon/conf_keys.c \
		   daemon/conf_host.c daemon/conf_syntax.c daemon/daemon.c daemon/log.c \
		   daemon/proto.c daemon/report.c daemon/jsonw.c daemon/events.c daemon/adhoc.c daemon/metrics.c daemon/alerts.c daemon/html.c daemon/svg.c daemon/web_query.c daemon/web_api.c daemon/web_target.c daemon/web.c daemon/http.c daemon/hook.c daemon/control.c \
		   daemon/sdnotify.c daemon/reload.c daemon/state.c daemon/state_file.c \
		   daemon/state_load.c daemon/server.c
CLIENT_SRCS	 = client/parser.c client/ctl.c client/output.c client/output_maint.c client/output_steps.c \
		   client/output_status.c client/output_show.c client/output_log.c \
		   client/output_tls.c client/output_words.c client/check.c \
		   client/table.c client/field.c client/fmt.c client/print.c \
		   client/output_json.c client/output_spark.c client/spark.c
TEST_SRCS	 = $(wildcard tests/check_*.c) tests/sys.c tests/netutil.c tests/certs.c
DAEMON_OBJS	 = $(DAEMON_SRCS:%.c=$(BUILD)/%.o)
CLIENT_OBJS	 = $(CLIENT_SRCS:%.c=$(BUILD)/%.o)
TEST_OBJS	 = $(TEST_SRCS:%.c=$(BUILD)/%.o)
$(TEST_OBJS): ALL_CFLAGS += $(shell $(PKG_CONFIG) --cflags $(TEST_PKGS))
DEPS_STAMP	 = $(BUILD)/.deps-ok

all: $(BUILD)/futd $(BUILD)/futctl

# Install what pkg-config cannot find (Debian: apt-get; needs root).
deps: $(DEPS_STAMP)
$(DEPS_STAMP):
	@mkdir -p $(BUILD)
	@missing=""; \
	command -v $(PKG_CONFIG) >/dev/null 2>&1 || missing=yes; \
	command -v openssl >/dev/null 2>&1 || missing=yes; \
	command -v clang >/dev/null 2>&1 || missing=yes; \
	for p in $(PKGS) $(TEST_PKGS); do \
		$(PKG_CONFIG) --exists $$p 2>/dev/null || missing=yes; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "deps: installing $(DEB_PKGS)"; \
		SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
		    $(DEB_PKGS) >/dev/null || exit 1; \
	fi
	@touch $@

# (the Makefile too: a change of flags builds again)
$(BUILD)/%.o: %.c Makefile | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/futd: $(DAEMON_OBJS) $(BUILD)/daemon/futd.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_DAEMON)

$(BUILD)/futctl: $(CLIENT_OBJS) $(BUILD)/client/futctl.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_CLIENT)

$(BUILD)/testsrv: $(BUILD)/tests/testsrv.o $(BUILD)/tests/srvutil.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(shell $(PKG_CONFIG) --libs libevent)

$(BUILD)/tlssrv: $(BUILD)/tests/tlssrv.o $(BUILD)/tests/srvutil.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(shell $(PKG_CONFIG) --libs libevent openssl)

$(BUILD)/testdns: $(BUILD)/tests/testdns.o $(BUILD)/tests/srvutil.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(shell $(PKG_CONFIG) --libs libevent)

# unit and system suites in one Check runner; it links every daemon object
# but the one holding main(), and futctl's sparkline (spark.c: it knows
# no other file)
$(BUILD)/check_futd: $(TEST_OBJS) $(DAEMON_OBJS) $(BUILD)/client/spark.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS_DAEMON) $(LIBS_CHECK)

TEST_TOOLS	 = $(BUILD)/testsrv $(BUILD)/testdns $(BUILD)/tlssrv

# then tests/layers.sh: no loop in the graph of calls between files, and
# nothing in daemon/ or client/ over its sizes (its report in
# $(BUILD)/layers.txt)
check: check-suites fuzz-regress
	$(Q)LAYERS_BUILD=$(BUILD)/layers sh tests/layers.sh \
	    >$(BUILD)/layers.txt 2>&1 || { cat $(BUILD)/layers.txt; exit 1; }
	$(Q)tail -n 1 $(BUILD)/layers.txt

check-suites: all $(TEST_TOOLS) $(BUILD)/check_futd
	$(Q)FUTD_BUILD=$(abspath $(BUILD)) $(BUILD)/check_futd

# the whole suite again, built with AddressSanitizer and UBSan (daemon,
# client and the tests), in build/asan
ASAN_FLAGS	 = -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=undefined
check-asan:
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    $(MAKE) --no-print-directory BUILD=$(BUILD)/asan \
	    CFLAGS="-O1 -g" LTO= SANITIZE="$(ASAN_FLAGS)" check-suites

# the unit suites under valgrind memcheck (no fork per test), then the whole
# daemon under valgrind, driven through every command
VALGRIND	 = valgrind -q --error-exitcode=99 --leak-check=full \
		   --errors-for-leak-kinds=definite,indirect
UNIT_SUITES	 = future probe results conf reload proto
check-valgrind: all $(TEST_TOOLS) $(BUILD)/check_futd
	$(Q)for s in $(UNIT_SUITES); do \
		echo "== valgrind: suite $$s"; \
		CK_FORK=no CK_RUN_SUITE=$$s $(VALGRIND) $(BUILD)/check_futd \
		    || exit 1; \
	done
	$(Q)BUILD=$(BUILD) sh tests/valgrind.sh

# futd under a real systemd booted in a PID namespace (SKIPPED where it cannot)
check-systemd: all $(TEST_TOOLS)
	$(Q)BUILD=$(BUILD) bash tests/systemd.sh

# libFuzzer targets (clang): FUZZ_SECONDS per target, default 60
FUZZ_SECONDS	?= 60
fuzz:
	$(Q)FUZZ_BUILD=$(BUILD)/fuzz FUZZ_SECONDS=$(FUZZ_SECONDS) sh fuzz/run.sh

# every kept fuzz input once through its target (fast; part of check)
fuzz-regress:
	$(Q)FUZZ_BUILD=$(BUILD)/fuzz FUZZ_REGRESS=1 sh fuzz/run.sh

# 10 000 targets against misbehaving servers for SOAK_SECONDS (600), with
# reloads and control clients; RSS and descriptors must stay flat (not in CI)
SOAK_SECONDS	?= 600
soak: all $(TEST_TOOLS)
	$(Q)BUILD=$(BUILD) SOAK_SECONDS=$(SOAK_SECONDS) sh tests/soak.sh

# the figures of bench/RESULTS.md (QUICK=1 for a short run)
bench: all $(BUILD)/testsrv
	$(Q)sh bench/run.sh

demo: all $(BUILD)/testsrv
	$(Q)BUILD=$(BUILD) sh tests/demo.sh

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(SYSCONFDIR)/futd $(DESTDIR)$(SYSTEMDUNITDIR)
	install -m 0755 $(BUILD)/futd $(DESTDIR)$(SBINDIR)/futd
	install -m 0755 $(BUILD)/futctl $(DESTDIR)$(BINDIR)/futctl
	install -d $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 daemon/futd.8 client/futctl.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 conf/futd.conf.5 $(DESTDIR)$(MANDIR)/man5/
	[ -e $(DESTDIR)$(SYSCONFDIR)/futd/futd.conf ] || \
	    install -m 0644 conf/futd.conf $(DESTDIR)$(SYSCONFDIR)/futd/futd.conf
	[ -e $(DESTDIR)$(SYSCONFDIR)/futd/targets.d ] || { \
	    install -d $(DESTDIR)$(SYSCONFDIR)/futd/targets.d && \
	    install -m 0644 conf/targets.d/local.conf \
	    $(DESTDIR)$(SYSCONFDIR)/futd/targets.d/local.conf; }
	for u in systemd/*.service systemd/*.socket; do \
		[ -e "$$u" ] || continue; \
		sed 's|@SBINDIR@|$(SBINDIR)|g; s|@BINDIR@|$(BINDIR)|g' "$$u" \
		    > $(DESTDIR)$(SYSTEMDUNITDIR)/$$(basename $$u); \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$(basename $$u); \
	done

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/futd $(DESTDIR)$(BINDIR)/futctl \
	    $(DESTDIR)$(MANDIR)/man8/futd.8 $(DESTDIR)$(MANDIR)/man8/futctl.8 \
	    $(DESTDIR)$(MANDIR)/man5/futd.conf.5 \
	    $(DESTDIR)$(SYSTEMDUNITDIR)/futd.service \
	    $(DESTDIR)$(SYSTEMDUNITDIR)/futd.socket

clean:
	rm -rf $(BUILD)

.PHONY: all deps check check-suites check-asan check-valgrind check-systemd fuzz fuzz-regress soak bench demo install uninstall clean

-include $(BUILD)/tests/testsrv.d $(BUILD)/tests/testdns.d $(BUILD)/tests/tlssrv.d $(BUILD)/tests/srvutil.d $(DAEMON_OBJS:.o=.d) $(CLIENT_OBJS:.o=.d) $(TEST_OBJS:.o=.d) $(BUILD)/daemon/futd.d $(BUILD)/client/futctl.d
