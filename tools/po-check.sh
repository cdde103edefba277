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
