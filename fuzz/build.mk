# fuzz/build.mk - builds the libFuzzer targets; fuzz/run.sh runs it as
#   make -f fuzz/build.mk FUZZ_BUILD=build/fuzz FUZZ_CC=clang
# from the top of the tree.  The daemon's sources (all but futd.c, which
# holds main) are compiled again here with the fuzzer's instrumentation and
# sanitizers, into $(FUZZ_BUILD)/obj, never mixed with build/'s objects.

FUZZ_BUILD	?= build/fuzz
FUZZ_CC		?= clang
PKG_CONFIG	?= pkg-config
# the daemon's pkg-config packages: FUZZ_PKGS, else the top Makefile's PKGS
FUZZ_PKGS	?= $(shell sed -n 's/^PKGS[[:space:]]*=[[:space:]]*//p' Makefile)
PKGS		 = $(if $(strip $(FUZZ_PKGS)),$(FUZZ_PKGS),libevent \
		   libconfig libsystemd jansson openssl liburing)

FUZZ_SAN	?= -fsanitize=fuzzer,address,undefined \
		   -fno-sanitize-recover=undefined
FUZZ_CFLAGS	 = -g -O1 $(FUZZ_SAN) -D_GNU_SOURCE -std=c11 -Idaemon \
		   -Wall -Wextra -Wno-unused-parameter \
		   $(shell $(PKG_CONFIG) --cflags $(PKGS))
FUZZ_LIBS	 = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lm -pthread

DAEMON_SRCS	 = $(filter-out daemon/futd.c,$(wildcard daemon/*.c))
DAEMON_OBJS	 = $(DAEMON_SRCS:daemon/%.c=$(FUZZ_BUILD)/obj/%.o)
TARGETS		 = conf proto results state
FUZZERS		 = $(TARGETS:%=$(FUZZ_BUILD)/fuzz_%)

all: $(FUZZERS)

# rebuild everything when the flags change
$(FUZZ_BUILD)/flags: FORCE
	@mkdir -p $(dir $@)
	@echo '$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_LIBS)' | cmp -s - $@ || \
	    echo '$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_LIBS)' > $@

$(FUZZ_BUILD)/obj/%.o: daemon/%.c $(FUZZ_BUILD)/flags
	@mkdir -p $(dir $@)
	@echo "  CC(fuzz) $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%.o: fuzz/fuzz_%.c $(FUZZ_BUILD)/flags
	@mkdir -p $(dir $@)
	@echo "  CC(fuzz) $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/fuzz_%.o $(DAEMON_OBJS)
	@echo "  LD(fuzz) $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^ $(FUZZ_LIBS)

FORCE:
.PHONY: all FORCE
.SECONDARY:

-include $(DAEMON_OBJS:.o=.d) $(TARGETS:%=$(FUZZ_BUILD)/fuzz_%.d)
