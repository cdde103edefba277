#!/bin/bash
# t-install.sh: make install into a DESTDIR puts every file where it belongs, with the paths
# of the install, and nothing anywhere else; make uninstall takes it all away again.
. "$(dirname "$0")/../e2e/lib.sh"
: > "$T/daemon.log"
cd "$TOP" || exit 1
# Settings of an outer make (make check-packaging PREFIX=...) must not leak into ours.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u PREFIX -u DESTDIR make --no-print-directory "$@"; }

# The files an install holds, relative to DESTDIR, for PREFIX=$1 and units in $2.
expected() {
	{
		echo "$1/sbin/termijnd"
		echo "$1/bin/termijn"
		echo "etc/termijn/termijnd.conf"
		(cd etc && find plans -name '*.plan'; find templates -type f ! -name '.*') |
		    sed 's|^|etc/termijn/|'
		echo "$2/termijnd.service"
		echo "$2/termijnd.socket"
		echo "$1/lib/sysusers.d/termijn.conf"
		for f in systemd/*.tmpfiles; do
			[ -e "$f" ] && echo "$1/lib/tmpfiles.d/$(basename "$f" .tmpfiles).conf"
		done
		for m in man/*.[1-8]; do echo "$1/share/man/man${m##*.}/${m#man/}"; done
		echo "$1/share/bash-completion/completions/termijn"
		for p in po/*.po; do echo "$1/share/locale/$(basename "$p" .po)/LC_MESSAGES/termijn.mo"; done
	} | sed 's|^/||' | sort
}

# has_files DIR LIST DESCRIPTION: the regular files under DIR are exactly LIST.
has_files() {
	got=$(cd "$1" && find . -type f | sed 's|^\./||' | sort)
	if [ "$got" = "$2" ]; then ok "$3 ($(printf '%s' "$got" | grep -c '^') files)"; else
		not_ok "$3"; diff <(printf '%s\n' "$2") <(printf '%s\n' "$got") | sed 's/^/    /'; fi
}

STAMP=$T/stamp
touch "$STAMP"
sleep 0.01

# ---- PREFIX=/usr SYSCONFDIR=/etc: as the Debian package does ----
D=$T/usr-root
expect_exit 0 "make install PREFIX=/usr DESTDIR=..." -- mk install PREFIX=/usr SYSCONFDIR=/etc DESTDIR="$D"
has_files "$D" "$(expected usr lib/systemd/system)" "the tree of PREFIX=/usr"
expect_exit 0 "the installed termijnd runs" -- "$D/usr/sbin/termijnd" --version
expect_exit 0 "the installed termijn runs" -- "$D/usr/bin/termijn" --version
for f in usr/sbin/termijnd usr/bin/termijn; do
	[ -x "$D/$f" ] && ok "$f is executable" || not_ok "$f is not executable"
done
# The catalogs: where the installed programs look (compiled in), and Dutch from there.
OUT=$(strings "$D/usr/bin/termijn" "$D/usr/sbin/termijnd")
expect_in '^/usr/share/locale$' "termijn and termijnd look for their catalogs in /usr/share/locale"
if use_dutch; then
	expect_exit 2 "the installed termijn with its installed catalog" -- \
	    env LANG=nl_NL.UTF-8 TERMIJN_LOCALEDIR="$D/usr/share/locale" "$D/usr/bin/termijn" bogus
	expect_in 'onbekend werkwoord: bogus' "the installed termijn speaks Dutch with LANG=nl_NL.UTF-8"
fi
OUT=$(stat -c '%a %n' "$D/etc/termijn/termijnd.conf" "$D/lib/systemd/system/termijnd.service" \
    "$D/usr/share/man/man8/termijnd.8" "$D/etc/termijn/plans/bedrijfsvoering.plan")
expect_not_in '^[0-7]*[2367][0-7] ' "installed files are not writable by group or others"

C=$D/etc/termijn/termijnd.conf
OUT=$(cat "$C")
expect_in '^state-dir /var/lib/termijn$' "termijnd.conf: state-dir /var/lib/termijn"
expect_in '^socket /run/termijn/termijnd.sock$' "termijnd.conf: socket /run/termijn/termijnd.sock"
expect_in '^plans-dir /etc/termijn/plans$' "termijnd.conf: plans-dir /etc/termijn/plans"
expect_in '^templates-dir /etc/termijn/templates$' "termijnd.conf: templates-dir /etc/termijn/templates"
OUT=$(cat "$D/lib/systemd/system/termijnd.service")
expect_in '^ExecStart=/usr/sbin/termijnd -f /etc/termijn/termijnd.conf$' "service: ExecStart of the install"
expect_in '^LoadCredential=smtp-password:/etc/termijn/smtp-password$' "service: LoadCredential of the install"
OUT=$(cat "$D/lib/systemd/system/termijnd.socket")
expect_in '^ListenStream=/run/termijn/termijnd.sock$' "socket: the socket of termijnd.conf"

# The installed config, its paths moved into the DESTDIR, passes termijnd -n.
sed -e "s|/etc/termijn|$D/etc/termijn|g" -e "s|/var/lib/termijn|$T/state|" \
    -e "s|/run/termijn|$T|" "$C" > "$T/rebased.conf"
expect_exit 0 "the installed termijnd.conf and plans pass termijnd -n" -- \
    "$D/usr/sbin/termijnd" -n -f "$T/rebased.conf"
expect_in 'configuration OK' "termijnd -n says configuration OK"

# ---- the default PREFIX=/usr/local ----
L=$T/local-root
expect_exit 0 "make install DESTDIR=... (PREFIX=/usr/local)" -- mk install DESTDIR="$L"
has_files "$L" "$(expected usr/local usr/local/lib/systemd/system)" "the tree of PREFIX=/usr/local"
OUT=$(cat "$L/usr/local/lib/systemd/system/termijnd.service")
expect_in '^ExecStart=/usr/local/sbin/termijnd -f /etc/termijn/termijnd.conf$' \
    "service: ExecStart=/usr/local/sbin/termijnd"

# ---- another SYSCONFDIR: the config and the units follow it ----
O=$T/opt-root
expect_exit 0 "make install PREFIX=/opt/termijn SYSCONFDIR=/opt/termijn/etc" -- \
    mk install PREFIX=/opt/termijn SYSCONFDIR=/opt/termijn/etc DESTDIR="$O"
OUT=$(cat "$O/opt/termijn/etc/termijn/termijnd.conf" "$O/opt/termijn/lib/systemd/system/termijnd.service")
expect_in '^plans-dir /opt/termijn/etc/termijn/plans$' "plans-dir follows SYSCONFDIR"
expect_in '^templates-dir /opt/termijn/etc/termijn/templates$' "templates-dir follows SYSCONFDIR"
expect_in '^ExecStart=/opt/termijn/sbin/termijnd -f /opt/termijn/etc/termijn/termijnd.conf$' \
    "ExecStart follows SBINDIR and SYSCONFDIR"
expect_in '^LoadCredential=smtp-password:/opt/termijn/etc/termijn/smtp-password$' \
    "LoadCredential follows SYSCONFDIR"
expect_not_in '[ =]/etc/termijn' "no /etc/termijn left in them"

# ---- nothing outside DESTDIR ----
OUT=$(find /usr /etc /lib /var/lib /opt /run -xdev -newer "$STAMP" \
    \( -name '*termijn*' -o -path '*/termijn/*' \) 2>/dev/null)
if [ -z "$OUT" ]; then ok "nothing written outside DESTDIR"; else
	not_ok "written outside DESTDIR:"; printf '%s\n' "$OUT" | sed 's/^/    /'; fi

# ---- the administrator's files are kept ----
echo "operators root, anne" >> "$C"
cp "$C" "$T/edited.conf"
expect_exit 0 "make install again over an installed tree" -- mk install PREFIX=/usr DESTDIR="$D"
expect_in "kept $C" "install says it kept the existing termijnd.conf"
cmp -s "$C" "$T/edited.conf" && ok "an edited termijnd.conf survives make install" ||
	not_ok "make install overwrote an edited termijnd.conf"
expect_exit 0 "make uninstall with an edited termijnd.conf" -- mk uninstall PREFIX=/usr DESTDIR="$D"
expect_in "kept $C: changed" "uninstall says it kept the edited termijnd.conf"
has_files "$D" "etc/termijn/termijnd.conf" "uninstall left only the edited termijnd.conf"
rm -f "$C"

# ---- uninstall leaves nothing ----
for r in "$D:PREFIX=/usr" "$L:" "$O:PREFIX=/opt/termijn SYSCONFDIR=/opt/termijn/etc"; do
	dir=${r%%:*} vars=${r#*:}
	[ "$dir" = "$D" ] && mk install PREFIX=/usr DESTDIR="$D" >/dev/null
	# shellcheck disable=SC2086
	expect_exit 0 "make uninstall $vars" -- mk uninstall $vars DESTDIR="$dir"
	has_files "$dir" "" "no files left after make uninstall $vars"
	conf=${vars#*SYSCONFDIR=}
	[ "$conf" = "$vars" ] && conf=/etc
	[ ! -e "$dir$conf/termijn" ] && ok "$conf/termijn is gone" || not_ok "$conf/termijn is left"
done
finish
