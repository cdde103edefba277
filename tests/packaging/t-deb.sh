#!/bin/bash
# t-deb.sh: make deb builds a .deb that holds what it should, whose termijnd runs on its own
# config, whose units are installed but not enabled or started, and that lintian finds no
# error in. Installs dpkg-dev, debhelper and lintian first when root; skips otherwise.
. "$(dirname "$0")/../e2e/lib.sh"
: > "$T/daemon.log"
cd "$TOP" || exit 1
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u PREFIX -u DESTDIR make --no-print-directory "$@"; }

have_tools() {
	command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null &&
	    command -v lintian >/dev/null
}
if ! have_tools && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
	echo "# installing dpkg-dev debhelper lintian"
	export DEBIAN_FRONTEND=noninteractive
	pk="dpkg-dev debhelper lintian"
	apt-get install -y -q --no-install-recommends $pk >"$T/apt.log" 2>&1 ||
	    { apt-get update -q >>"$T/apt.log" 2>&1 &&
	      apt-get install -y -q --no-install-recommends $pk >>"$T/apt.log" 2>&1; } ||
	    tail -5 "$T/apt.log"
fi
if ! have_tools; then
	echo "# skipped: dpkg-buildpackage, debhelper and lintian are needed (as root:"
	echo "#   apt-get install dpkg-dev debhelper lintian) and could not be installed"
	finish; exit
fi

# ---- build ----
OUT_DIR=$T/deb
if mk deb DEB_OUT="$OUT_DIR" >"$T/build.log" 2>&1; then ok "make deb"
else not_ok "make deb failed"; tail -30 "$T/build.log" | sed 's/^/    /'; finish; exit; fi
DEB=$(ls "$OUT_DIR"/termijn_*_*.deb 2>/dev/null | head -1)
[ -n "$DEB" ] && ok "built $(basename "$DEB")" || { not_ok "no termijn_*.deb in $OUT_DIR"; finish; exit; }

# ---- what it holds ----
OUT=$(dpkg-deb -c "$DEB" | awk '{ print $6 }')
for f in ./usr/sbin/termijnd ./usr/bin/termijn ./etc/termijn/termijnd.conf \
    ./lib/systemd/system/termijnd.service ./lib/systemd/system/termijnd.socket \
    ./usr/lib/sysusers.d/termijn.conf ./usr/share/bash-completion/completions/termijn \
    ./usr/share/man/man1/termijn.1.gz ./usr/share/man/man5/termijnd.conf.5.gz \
    ./usr/share/man/man5/termijn.plan.5.gz ./usr/share/man/man8/termijnd.8.gz \
    ./usr/share/doc/termijn/copyright ./usr/share/doc/termijn/api.md \
    $(for p in po/*.po; do echo "./usr/share/locale/$(basename "$p" .po)/LC_MESSAGES/termijn.mo"; done) \
    $(cd etc && find plans -name '*.plan' -printf './etc/termijn/%p\n') \
    $(cd etc && find templates -type f ! -name '.*' -printf './etc/termijn/%p\n'); do
	printf '%s\n' "$OUT" | grep -qxF -- "$f" || missing="${missing:-} $f"
done
[ -z "${missing:-}" ] && ok "dpkg-deb -c: every file is in the package" ||
	not_ok "dpkg-deb -c: missing:$missing"
expect_not_in '^\./(usr/local|var|run|tmp|home|root)/' "nothing under /usr/local, /var, /run, /tmp or /home"

# ---- maintainer scripts: the user made, the units neither enabled nor started ----
dpkg-deb -e "$DEB" "$T/control"
OUT=$(cat "$T/control/conffiles")
expect_in '^/etc/termijn/termijnd.conf$' "termijnd.conf is a conffile"
expect_in '^/etc/termijn/plans/bedrijfsvoering.plan$' "the shipped plans are conffiles"
OUT=$(cat "$T/control/postinst")
expect_in 'systemd-sysusers .*termijn.conf' "postinst makes the user termijn (systemd-sysusers)"
expect_in "debian-installed 'termijnd.service'" "postinst knows termijnd.service"
expect_in "debian-installed 'termijnd.socket'" "postinst knows termijnd.socket"
expect_not_in 'was-enabled defaults to true' "postinst does not enable the units"
expect_not_in 'deb-systemd-invoke' "postinst does not start them"
OUT=$(dpkg-deb -f "$DEB" Depends)
expect_in 'libevent' "Depends from shlibs (libevent ...)"
expect_in 'systemd-sysusers' "Depends on something that provides systemd-sysusers"

# ---- the extracted termijnd, on the extracted config with its paths moved ----
X=$T/x
dpkg-deb -x "$DEB" "$X"
sed -e "s|/etc/termijn|$X/etc/termijn|g" -e "s|^state-dir .*|state-dir $T/state|" \
    -e "s|^socket .*|socket $SOCK|" "$X/etc/termijn/termijnd.conf" > "$T/termijnd.conf"
echo "listen 127.0.0.1:0" >> "$T/termijnd.conf"
OUT=$(grep -E '^(plans|templates|state)-dir|^socket ' "$T/termijnd.conf")
expect_in "^plans-dir $X/etc/termijn/plans\$" "the temporary config points at the extracted plans"
expect_exit 0 "the extracted termijnd -n accepts the extracted config" -- \
    "$X/usr/sbin/termijnd" -n -f "$T/termijnd.conf"
expect_in 'configuration OK' "configuration OK"
TERMIJND=$X/usr/sbin/termijnd
if start_daemon; then
	expect_exit 0 "the extracted termijn talks to the extracted termijnd" -- \
	    "$X/usr/bin/termijn" status
	expect_in 'bedrijfsvoering' "status shows the shipped plans"
	stop_daemon
fi
if command -v systemd-analyze >/dev/null; then
	OUT=$(systemd-analyze security --offline=true --no-pager \
	    "$X/lib/systemd/system/termijnd.service" 2>&1 |
	    sed -n 's/.*Overall exposure level for termijnd.service: \([0-9.]*\).*/\1/p')
	awk -v s="${OUT:-99}" 'BEGIN { exit !(s <= 2.0) }' &&
	    ok "the packaged termijnd.service scores $OUT" || not_ok "the packaged unit scores ${OUT:-?}"
fi

# ---- lintian: no errors ----
lintian --info "$DEB" >"$T/lintian.log" 2>&1
grep -v 'running with root privileges' "$T/lintian.log" | sed 's/^/# lintian: /'
OUT=$(grep '^E:' "$T/lintian.log")
expect_not_in . "lintian: no errors (E:)"
finish
