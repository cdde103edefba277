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
PURE_SRC   = $(filter $(addprefix daemon/,plan.c links.c tz.c rules.c authz.c ratelimit.c schedule.c mailtext.c msgcat.c suggest.c \
	     mailcompose.c ical.c config.c request.c workday.c feedreq.c html.c slack.c pages.c \
	     digest.c timeheap.c persons.c feedwire.c),$(wildcard daemon/*.c))
# The pages' forms and cookies (issue 11), on a line of its own.
PURE_SRC  += daemon/form.c
# Changes to a running plan (issue 9, point 5).
PURE_SRC  += daemon/planedit.c
# The API's answers as text (issue 13: a third of a `done`'s instructions were json_dumps).
PURE_SRC  += daemon/jsontext.c
# A `done` read straight from the control socket's bytes (issue 13).
PURE_SRC  += daemon/donewire.c
DAEMON_SRC = $(filter-out daemon/main.c,$(wildcard daemon/*.c))
CLIENT_SRC = $(wildcard client/*.c)
UNIT_SRC   = $(wildcard tests/unit/test_*.c)

COMMON_OBJ = $(COMMON_SRC:%.c=$(B)/%.o)
PURE_OBJ   = $(PURE_SRC:%.c=$(B)/%.o)
DAEMON_OBJ = $(DAEMON_SRC:%.c=$(B)/%.o)
CLIENT_OBJ = $(CLIENT_SRC:%.c=$(B)/%.o)
UNIT_BIN   = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

all: $(DAEMON_BIN) $(CLIENT_BIN) mo

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(DAEMON_BIN): $(B)/daemon/main.o $(DAEMON_OBJ) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -pthread -o $@ $^ $(PKG_LIBS) -lm

$(CLIENT_BIN): $(CLIENT_OBJ) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(CLIENT_LIBS)

$(B)/tests/%: tests/unit/%.c $(PURE_OBJ) $(COMMON_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS) $(CMOCKA_LIBS) -lm
# An edge tested over real loopback sockets.
$(B)/tests/test_pagesend: $(B)/daemon/pagesend.o

# ---- Messages: po/LANG.po, compiled into build/locale (found there by binaries of the tree) ----
LINGUAS	  = $(sort $(basename $(notdir $(wildcard po/*.po))))
MO_FILES  = $(LINGUAS:%=build/locale/%/LC_MESSAGES/termijn.mo)
LOCALEDIR ?= $(PREFIX)/share/locale
POT_SRC	  = $(sort $(wildcard client/*.c daemon/*.c common/*.c))
XGETTEXT  = xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ \
	    --keyword=P_:1,2 --keyword=C_:1c,2 --keyword=NC_:1c,2 --add-comments=TRANSLATORS: \
	    --package-name=termijn --package-version=$(VERSION) --no-wrap

mo: $(MO_FILES)

build/locale/%/LC_MESSAGES/termijn.mo: po/%.po
	@mkdir -p $(dir $@)
	@touch build/locale/.termijn-build
	msgfmt --check -o $@ $<

# The installed place of the catalogs is compiled in; a new one rebuilds that object.
$(B)/common/localedir.o: ALL_CFLAGS += -DLOCALEDIR='"$(LOCALEDIR)"'
$(B)/common/localedir.o: $(B)/localedir.txt
$(B)/localedir.txt: FORCE
	@mkdir -p $(dir $@)
	@echo '$(LOCALEDIR)' | cmp -s - $@ 2>/dev/null || echo '$(LOCALEDIR)' > $@
$(B)/daemon/lang.o: ALL_CFLAGS += -DTERMIJN_LINGUAS='"$(LINGUAS)"'

# Every message of the code in build/termijn.pot; po-update merges new ones into po/*.po
# (empty, to translate); po-check fails while one is untranslated.
build/termijn.pot: $(POT_SRC) FORCE
	@mkdir -p build
	@$(XGETTEXT) -o $@ $(POT_SRC)
	@xgettext --from-code=UTF-8 --language=Shell --keyword=say --no-wrap -j -o $@ \
	    tools/run-intro.sh

po-update: build/termijn.pot
	@set -e; for po in po/*.po; do \
	    msgmerge --quiet --update --backup=none --no-fuzzy-matching --no-location \
	        --sort-output --no-wrap $$po build/termijn.pot; \
	    msgattrib --no-obsolete --no-wrap -o $$po $$po; \
	    sed -i '/^"POT-Creation-Date: /d' $$po; \
	    echo "$$po: $$(msgfmt --statistics -o /dev/null $$po 2>&1)"; \
	done

po-check:
	@sh tools/po-check.sh

unit-bin: $(UNIT_BIN)

# Unit tests run from the top so that they find tests/plans and etc/plans.
unit: $(UNIT_BIN) mo
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

deps:
	@sh tools/deps.sh

# Quiet: compiler warnings and errors only, then what to do next, then the daemon.
run: deps
	@$(MAKE) --no-print-directory -s all
	@mkdir -p run
	@sh tools/run-intro.sh
	@exec ./$(DAEMON_BIN) -f etc/termijnd.conf -S run/state -s run/termijnd.sock \
	    --clock-start '2013-12-16 09:00' --clock-speed 60

# The demo from its first morning: a new state, the clock at 16 December again.
run-fresh:
	rm -rf run
	@$(MAKE) --no-print-directory run

ASAN = B=build/asan DAEMON_BIN=build/asan/termijnd CLIENT_BIN=build/asan/termijn \
	SANFLAGS='-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer' \
	CFLAGS='-O1 -g'

# Everything, twice: a normal build, then with AddressSanitizer and UBSan, failing on any report.
check: deps
	@$(MAKE) --no-print-directory check-plain
	@$(MAKE) --no-print-directory check-asan
	@$(MAKE) --no-print-directory check-browser
	@$(MAKE) --no-print-directory check-fuzz
	@$(MAKE) --no-print-directory check-fault
	@$(MAKE) --no-print-directory check-packaging
	@echo "make check: all passed"

check-plain:
	@sh tools/po-check.sh
	@$(MAKE) --no-print-directory CFLAGS='-O2 -g -Werror' all unit
	./$(DAEMON_BIN) -n -f etc/termijnd.conf
	tests/e2e/run.sh ./$(DAEMON_BIN) ./$(CLIENT_BIN)

check-asan:
	@$(MAKE) --no-print-directory $(ASAN) all unit
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    tests/e2e/run.sh build/asan/termijnd build/asan/termijn
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    tests/browser/run.sh build/asan/termijnd build/asan/termijn

# The pages in Debian's Chromium (playwright-core and axe-core from make deps), plain build.
check-browser: deps
	@$(MAKE) --no-print-directory all
	tests/browser/run.sh ./$(DAEMON_BIN) ./$(CLIENT_BIN)

# Fault scenarios (disk full, kill -9, clock jumps, hostile peers) against the plain build.
check-fault: all
	tests/fault/run.sh ./$(DAEMON_BIN) ./$(CLIENT_BIN)

# ---- Fuzzing: libFuzzer targets, one file tests/fuzz/fuzz_NAME.c each (corpus under
# tests/fuzz/corpus/NAME/), see tests/fuzz/run.sh. A target links the pure modules; one
# that needs more names them on a line "/* fuzz-links: daemon/x.c ... */" in its file. ----
FUZZ_SECONDS	?= 60
FUZZ_CHECK_SECONDS ?= 20
FUZZ_TARGETS	?=
FUZZ = B=build/fuzz CC=clang CFLAGS='-O1 -g -Werror' \
	SANFLAGS='-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer'
FUZZ_BIN = $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
fuzz_links = $(patsubst %.c,$(B)/%.o,$(shell sed -n 's|^/\* fuzz-links: \(.*\) \*/$$|\1|p' \
	     tests/fuzz/fuzz_$(1).c))

.SECONDEXPANSION:
$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(PURE_OBJ) $(COMMON_OBJ) \
    $$(call fuzz_links,$$*)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/fuzz $(LDFLAGS_ALL) -fsanitize=fuzzer -o $@ $< \
	    $(PURE_OBJ) $(call fuzz_links,$*) $(COMMON_OBJ) $(PKG_LIBS) -lm

fuzz-bin: $(FUZZ_BIN) mo

# make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS='plan config']: each target for that long.
fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ) fuzz-bin
	tests/fuzz/run.sh $(FUZZ_SECONDS) build/fuzz/fuzz $(FUZZ_TARGETS)

# Part of make check: each target briefly, failing on any finding.
check-fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZ) fuzz-bin
	tests/fuzz/run.sh $(FUZZ_CHECK_SECONDS) build/fuzz/fuzz $(FUZZ_TARGETS)

bench: all
	bench/run.sh

clean:
	rm -rf build $(DAEMON_BIN) $(CLIENT_BIN)

# ---- Installing: make install [PREFIX=/usr] [DESTDIR=...]; make uninstall; make deb ----
# Nothing is written outside $(DESTDIR) when it is set. Under $(SYSCONFDIR)/termijn a file
# that is already there is kept (it is the administrator's); uninstall removes only the ones
# that are still as shipped.
PREFIX		?= /usr/local
DESTDIR		?=
SYSCONFDIR	?= /etc
BINDIR		?= $(PREFIX)/bin
SBINDIR		?= $(PREFIX)/sbin
MANDIR		?= $(PREFIX)/share/man
# Debian 12 keeps the units of packages in /lib/systemd/system.
SYSTEMDUNITDIR	?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
SYSUSERSDIR	?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR	?= $(PREFIX)/lib/tmpfiles.d
BASHCOMPDIR	?= $(PREFIX)/share/bash-completion/completions
# Where the installed termijnd.conf puts the database and the client socket: fixed, as they
# are the units' StateDirectory= and RuntimeDirectory= and termijn's default socket.
STATEDIR	 = /var/lib/termijn
RUNDIR		 = /run/termijn
CONFDIR		 = $(SYSCONFDIR)/termijn
INSTALL		?= install
VERSION		:= $(shell sed -n 's/^\#define TERMIJN_VERSION[[:space:]]*"\(.*\)"/\1/p' common/version.h)

# The shipped config as installed: absolute paths of this install.
CONF_SED = -e 's|/etc/termijn/|$(CONFDIR)/|g' \
	   -e 's|^plans-dir .*|plans-dir $(CONFDIR)/plans|' \
	   -e 's|^templates-dir .*|templates-dir $(CONFDIR)/templates|' \
	   -e 's|^state-dir .*|state-dir $(STATEDIR)|' \
	   -e 's|^socket .*|socket $(RUNDIR)/termijnd.sock|'
# The units name /usr/sbin/termijnd and /etc/termijn: the install's paths instead.
UNIT_SED = -e 's|/usr/sbin/termijnd|$(SBINDIR)/termijnd|g' -e 's|/etc/termijn|$(CONFDIR)|g'
ETC_FILES  = $(patsubst etc/%,%,$(wildcard etc/plans/*.plan) $(shell find etc/templates -type f \
	     ! -name '.*' 2>/dev/null | sort))
UNITS	   = systemd/termijnd.service systemd/termijnd.socket
TMPFILES   = $(wildcard systemd/*.tmpfiles)
MANPAGES   = $(wildcard man/*.[1-8])

install: all
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSTEMDUNITDIR) \
	    $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(CONFDIR)
	$(INSTALL) -m 755 $(DAEMON_BIN) $(DESTDIR)$(SBINDIR)/termijnd
	$(INSTALL) -m 755 $(CLIENT_BIN) $(DESTDIR)$(BINDIR)/termijn
	@set -e; conf=$(DESTDIR)$(CONFDIR)/termijnd.conf; \
	if [ -e "$$conf" ]; then echo "kept $$conf"; else \
	    echo "sed ... etc/termijnd.conf > $$conf"; \
	    sed $(CONF_SED) etc/termijnd.conf > "$$conf.tmp"; \
	    for k in 'plans-dir $(CONFDIR)/plans' 'templates-dir $(CONFDIR)/templates' \
	        'state-dir $(STATEDIR)' 'socket $(RUNDIR)/termijnd.sock'; do \
	        grep -qx "$$k" "$$conf.tmp" || { echo "install: no \"$$k\" in $$conf" >&2; \
	            rm -f "$$conf.tmp"; exit 1; }; \
	    done; \
	    chmod 644 "$$conf.tmp"; mv "$$conf.tmp" "$$conf"; fi
	@set -e; for f in $(ETC_FILES); do \
	    d=$(DESTDIR)$(CONFDIR)/$$f; \
	    if [ -e "$$d" ]; then echo "kept $$d"; else \
	        echo "$(INSTALL) -m 644 etc/$$f $$d"; \
	        $(INSTALL) -d "$$(dirname "$$d")"; $(INSTALL) -m 644 "etc/$$f" "$$d"; fi; \
	done
	@set -e; for u in $(UNITS); do \
	    echo "sed ... $$u > $(DESTDIR)$(SYSTEMDUNITDIR)/$$(basename $$u)"; \
	    sed $(UNIT_SED) $$u > $(DESTDIR)$(SYSTEMDUNITDIR)/$$(basename $$u); \
	    chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$(basename $$u); \
	done
	$(INSTALL) -m 644 systemd/termijn.sysusers $(DESTDIR)$(SYSUSERSDIR)/termijn.conf
	@set -e; for t in $(TMPFILES); do \
	    $(INSTALL) -d $(DESTDIR)$(TMPFILESDIR); \
	    $(INSTALL) -m 644 $$t $(DESTDIR)$(TMPFILESDIR)/$$(basename $$t .tmpfiles).conf; \
	done
	@set -e; for m in $(MANPAGES); do \
	    s=$${m##*.}; $(INSTALL) -d $(DESTDIR)$(MANDIR)/man$$s; \
	    echo "$(INSTALL) -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/"; \
	    $(INSTALL) -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; \
	done
	$(INSTALL) -m 644 completion/termijn $(DESTDIR)$(BASHCOMPDIR)/termijn
	@set -e; for l in $(LINGUAS); do \
	    $(INSTALL) -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES; \
	    echo "$(INSTALL) -m 644 build/locale/$$l/LC_MESSAGES/termijn.mo $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/"; \
	    $(INSTALL) -m 644 build/locale/$$l/LC_MESSAGES/termijn.mo $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/; \
	done
	@if [ -z "$(DESTDIR)" ]; then \
	    echo; echo "termijn is installed. To run it as a service:"; \
	    echo "  systemd-sysusers $(SYSUSERSDIR)/termijn.conf   # the user termijn"; \
	    echo "  systemctl daemon-reload"; \
	    echo "  termijnd -n -f $(CONFDIR)/termijnd.conf        # check the config and plans"; \
	    echo "  systemctl enable --now termijnd.socket termijnd.service"; fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/termijnd $(DESTDIR)$(BINDIR)/termijn
	rm -f $(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(notdir $(UNITS)))
	rm -f $(DESTDIR)$(SYSUSERSDIR)/termijn.conf $(DESTDIR)$(BASHCOMPDIR)/termijn
	rm -f $(foreach l,$(LINGUAS),$(DESTDIR)$(LOCALEDIR)/$(l)/LC_MESSAGES/termijn.mo)
	rm -f $(foreach t,$(TMPFILES),$(DESTDIR)$(TMPFILESDIR)/$(notdir $(t:.tmpfiles=.conf)))
	rm -f $(foreach m,$(MANPAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)))
	@set -e; conf=$(DESTDIR)$(CONFDIR)/termijnd.conf; \
	if [ -e "$$conf" ]; then \
	    if sed $(CONF_SED) etc/termijnd.conf | cmp -s - "$$conf"; then rm -f "$$conf"; \
	    else echo "kept $$conf: changed since it was installed"; fi; fi
	@set -e; for f in $(ETC_FILES); do \
	    d=$(DESTDIR)$(CONFDIR)/$$f; \
	    [ -e "$$d" ] || continue; \
	    if cmp -s "etc/$$f" "$$d"; then rm -f "$$d"; \
	    else echo "kept $$d: changed since it was installed"; fi; \
	done
	@# The directories of termijn's own, when nothing else is left in them.
	@for d in $$(cd etc && find templates -type d | sort -r) plans; do \
	    rmdir $(DESTDIR)$(CONFDIR)/$$d 2>/dev/null || true; done; \
	rmdir $(DESTDIR)$(CONFDIR) 2>/dev/null || true

# A Debian package, built from a copy of the tree (so that its clean leaves this one alone);
# the .deb lands in $(DEB_OUT). Installs dpkg-dev and debhelper first when root.
DEB_OUT	?= build/deb
deb: deps
	@if ! command -v dpkg-buildpackage >/dev/null 2>&1 || ! command -v dh >/dev/null 2>&1; then \
	    if [ "$$(id -u)" -ne 0 ]; then \
	        echo "make deb needs dpkg-dev and debhelper; as root run:" >&2; \
	        echo "  apt-get update && apt-get install -y dpkg-dev debhelper" >&2; exit 1; fi; \
	    echo "installing: dpkg-dev debhelper"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y -q --no-install-recommends dpkg-dev debhelper >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null && \
	      apt-get install -y -q --no-install-recommends dpkg-dev debhelper >/dev/null; }; fi
	rm -rf $(DEB_OUT)/termijn-$(VERSION)
	mkdir -p $(DEB_OUT)/termijn-$(VERSION)
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	    git ls-files -z -c -o --exclude-standard | \
	        tar --null -T - --ignore-failed-read -cf - 2>/dev/null; \
	else tar --exclude=./build --exclude=./run --exclude=./.git --exclude='*.o' \
	    --exclude=./daemon/termijnd --exclude=./client/termijn -cf - .; fi | \
	    tar -xf - -C $(DEB_OUT)/termijn-$(VERSION)
	cd $(DEB_OUT)/termijn-$(VERSION) && dpkg-buildpackage -us -uc -b -Jauto
	@ls -1 $(DEB_OUT)/*.deb

check-packaging: deps
	@$(MAKE) --no-print-directory all
	tests/packaging/run.sh ./$(DAEMON_BIN) ./$(CLIENT_BIN)

FORCE:

.PHONY: check-browser run-fresh mo po-update po-check all unit unit-bin deps run check check-plain check-asan check-fault check-fuzz fuzz fuzz-bin bench clean install uninstall deb check-packaging


# Only this build's dependency files: build/deb holds a staged tree with directories named *.d.
-include $(shell find $(B) -type f -name '*.d' 2>/dev/null)
