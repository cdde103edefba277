# termijn: a plain Makefile. `make run` and `make check` install what they need first (make deps).

CC	?= cc
PKGS	 = libevent sqlite3 libcurl libical jansson zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)
# The client links only what it uses: every library costs start-up time in each call.
CLIENT_LIBS := $(shell pkg-config --libs libcurl jansson 2>/dev/null)

WARN	 = -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
	   -Wpointer-arith -Wformat=2 -Wno-format-nonliteral
CFLAGS	?= -O2 -g
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) \
	   -Icommon -Idaemon $(PKG_CFLAGS)
LDFLAGS_ALL = $(LDFLAGS) $(SANFLAGS)

# Out-of-tree objects so that the sanitizer build lives beside the normal one.
B	?= build/default
DAEMON_BIN ?= daemon/termijnd
CLIENT_BIN ?= client/termijn

COMMON_SRC = $(wildcard common/*.c)
# The pure modules (no event loop, no sockets): what the unit tests link against.
PURE_SRC   = $(filter $(addprefix daemon/,plan.c tz.c rules.c schedule.c mailtext.c \
	     mailcompose.c ical.c config.c),$(wildcard daemon/*.c))
DAEMON_SRC = $(filter-out daemon/main.c,$(wildcard daemon/*.c))
CLIENT_SRC = $(wildcard client/*.c)
UNIT_SRC   = $(wildcard tests/unit/test_*.c)

COMMON_OBJ = $(COMMON_SRC:%.c=$(B)/%.o)
PURE_OBJ   = $(PURE_SRC:%.c=$(B)/%.o)
DAEMON_OBJ = $(DAEMON_SRC:%.c=$(B)/%.o)
CLIENT_OBJ = $(CLIENT_SRC:%.c=$(B)/%.o)
UNIT_BIN   = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

all: $(DAEMON_BIN) $(CLIENT_BIN)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(DAEMON_BIN): $(B)/daemon/main.o $(DAEMON_OBJ) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS) -lm

$(CLIENT_BIN): $(CLIENT_OBJ) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CLIENT_LIBS)

$(B)/tests/%: tests/unit/%.c $(PURE_OBJ) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS) $(CMOCKA_LIBS) -lm

unit-bin: $(UNIT_BIN)

# Unit tests run from the top so that they find tests/plans and etc/plans.
unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

deps:
	@sh tools/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p run
	./$(DAEMON_BIN) -f etc/termijnd.conf -S run/state -s run/termijnd.sock \
	    --clock-start '2013-12-16 09:00' --clock-speed 60

ASAN = B=build/asan DAEMON_BIN=build/asan/termijnd CLIENT_BIN=build/asan/termijn \
	SANFLAGS='-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer' \
	CFLAGS='-O1 -g'

# Everything, twice: a normal build, then with AddressSanitizer and UBSan, failing on any report.
check: deps
	@$(MAKE) --no-print-directory check-plain
	@$(MAKE) --no-print-directory check-asan
	@echo "make check: all passed"

check-plain:
	@$(MAKE) --no-print-directory CFLAGS='-O2 -g -Werror' all unit
	./$(DAEMON_BIN) -n -f etc/termijnd.conf
	tests/e2e/run.sh ./$(DAEMON_BIN) ./$(CLIENT_BIN)

check-asan:
	@$(MAKE) --no-print-directory $(ASAN) all unit
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    tests/e2e/run.sh build/asan/termijnd build/asan/termijn

bench: all
	bench/run.sh

clean:
	rm -rf build $(DAEMON_BIN) $(CLIENT_BIN)

.PHONY: all unit unit-bin deps run check check-plain check-asan bench clean

-include $(shell find build -name '*.d' 2>/dev/null)
