#!/bin/sh
# po-check.sh: fail when a message of the code (in _(), P_(), N_() or C_()) has no
# translation in a po/LANG.po, or a translation does not fit its message's format.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d /tmp/termijn-po.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
make --no-print-directory -s build/termijn.pot >/dev/null
cp build/termijn.pot "$tmp/termijn.pot"
rc=0
# A message that skipped _() cannot be translated: the usual calls and table headings, given
# a bare literal (mark a line that is rightly so with a comment "notr: why").
{ grep -nE '(reply_error|reply_err)\([^;]*, "[a-z-]+", "[A-Za-z][^"]*"|fail\(r, ENG_[A-Z]+, "[A-Za-z]' \
    daemon/*.c
  # The files whose causes and plan errors reach an API answer (reload, add, requests).
  grep -nE '(errlist_add\([^;]*, [^;]*, [^;]*, |perr\([^;]*, [^;]*, |xasprintf\((cause|&cause), )"[A-Za-z][^"]*[a-z]{2}' \
    daemon/engine.c daemon/plan.c daemon/request.c daemon/api.c daemon/feedreq.c \
    daemon/access.c daemon/authz.c daemon/suggest.c daemon/mailtext.c daemon/links.c
  grep -nE '\b(warnx|errx|warn|err)\((1, )?"[^"]*[A-Za-z]{2}' client/*.c
  grep -nE '\b(printf|fputs)\("[^"%]*[A-Za-z]{2}' client/*.c
  grep -nE '\btable_new\([0-9]+, "[A-Za-z]' client/*.c
  # A verb's usage (the line after its name) in N_(), or its placeholders stay English.
  awk 'FNR == 1 { n = 0 } /cmd_entry cmd_[a-z_]*_entry = \{/ { n = FNR } n && FNR == n + 2 && !/N_\(|^\t"",/ {
	print FILENAME ":" FNR ":" $0 }' client/cmd-*.c; } >"$tmp/bare" || true
grep -v 'notr' "$tmp/bare" >"$tmp/bare2" || true
if [ -s "$tmp/bare2" ]; then
	echo "po-check: messages for people not in _(), so never translated:" >&2
	sed 's/^/    /' "$tmp/bare2" >&2
	echo "po-check: write _(\"...\") around each (then make po-update), or, when a line is" \
	    "rightly untranslated, end it with a comment /* notr: why */" >&2
	rc=1
fi
for po in po/*.po; do
	lang=$(basename "$po" .po)
	if ! msgfmt --check -o /dev/null "$po" 2>"$tmp/msgfmt"; then
		echo "po-check: $po does not compile:" >&2
		cat "$tmp/msgfmt" >&2
		rc=1
		continue
	fi
	msgmerge --quiet --no-fuzzy-matching --no-wrap -o "$tmp/merged.po" "$po" "$tmp/termijn.pot"
	# Untranslated or fuzzy (gettext does not use fuzzy entries), obsolete ones left out.
	{ msgattrib --untranslated --no-obsolete --no-wrap "$tmp/merged.po"
	  msgattrib --only-fuzzy --no-obsolete --no-wrap "$tmp/merged.po"; } |
	    awk 'BEGIN { RS = ""; ORS = "\n\n" } !/Project-Id-Version/' > "$tmp/missing"
	n=$(grep -c '^msgid ' "$tmp/missing" || true)
	if [ "$n" -gt 0 ]; then
		echo "po-check: $n message(s) of the code have no translation in $po ($lang):" >&2
		sed 's/^/    /' "$tmp/missing" >&2
		cat >&2 <<EOM
po-check: to fix, run "make po-update" (it adds these to $po with an empty msgstr, and
  drops the ones the code no longer has), then write each msgstr in $po; a "#, fuzzy" line
  means the translation is a guess: check it and remove that line. Keep every %s, %d ... of
  the msgid, in the same order. Then "make po-check" again.
EOM
		rc=1
	fi
done
[ "$rc" -eq 0 ] && echo "po-check: every message has a translation in $(ls po/*.po | tr '\n' ' ')"
exit "$rc"
