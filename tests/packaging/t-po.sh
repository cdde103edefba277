#!/bin/bash
# t-po.sh: make po-check (in make check) fails, saying what to do, when a message of the
# code has no Dutch translation or skipped _(); it passes on the tree as it is.
. "$(dirname "$0")/../e2e/lib.sh"
: > "$T/daemon.log"
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory "$@"; }

W=$T/tree
mkdir -p "$W"
cp -r "$TOP/Makefile" "$TOP/client" "$TOP/common" "$TOP/daemon" "$TOP/po" "$TOP/tools" "$W/"
expect_exit 0 "po-check passes on the tree" -- sh "$W/tools/po-check.sh"

# A new message in _() without a translation.
cp "$W/client/termijn.c" "$T/termijn.c"
sed -i 's|warnx(_("-s: the socket path is empty"));|warnx(_("-s: an untranslated message %s"), "x");|' \
    "$W/client/termijn.c"
expect_exit 1 "po-check fails on a message without a translation" -- sh "$W/tools/po-check.sh"
expect_in 'msgid "-s: an untranslated message %s"' "it names the message"
expect_in 'client/termijn.c:[0-9]+' "and where it is"
expect_in 'make po-update' "and says what to do"
expect_exit 0 "make po-update" -- mk -C "$W" po-update
OUT=$(cat "$W/po/nl.po")
expect_in '^msgid "-s: an untranslated message %s"$' "po-update added it to po/nl.po"
sed -i '/^msgid "-s: an untranslated message %s"$/{n;s/^msgstr ""$/msgstr "-s: een onvertaald bericht %s"/}' \
    "$W/po/nl.po"
expect_exit 0 "po-check passes once it is translated" -- sh "$W/tools/po-check.sh"

# A message that skipped _().
cp "$T/termijn.c" "$W/client/termijn.c"
sed -i 's|warnx(_("-s: the socket path is empty"));|warnx("-s: the socket path is empty");|' \
    "$W/client/termijn.c"
expect_exit 1 "po-check fails on a message outside _()" -- sh "$W/tools/po-check.sh"
expect_in 'client/termijn.c:[0-9]+:[[:space:]]*warnx\("-s: the socket path is empty"\)' "it names the line"
cp "$T/termijn.c" "$W/client/termijn.c"

# A verb's usage outside N_(): its placeholders would stay English in every language.
cp "$W/client/cmd-undo.c" "$T/cmd-undo.c"
sed -i 's#^\tN_("KEY -r|--reason TEXT \[-p PLAN\]"),$#\t"KEY -r|--reason TEXT [-p PLAN]",#' "$W/client/cmd-undo.c"
expect_exit 1 "po-check fails on a verb's usage outside N_()" -- sh "$W/tools/po-check.sh"
expect_in 'client/cmd-undo.c:[0-9]+:[[:space:]]*"KEY -r\|--reason TEXT \[-p PLAN\]",' "it names the line"
cp "$T/cmd-undo.c" "$W/client/cmd-undo.c"

# A plan error of termijnd that skipped _(): reload answers it to people, so it is caught too.
sed -i 's|errlist_add(errs, dir, 0, _("no \*.plan files"));|errlist_add(errs, dir, 0, "no *.plan files");|' \
    "$W/daemon/engine.c"
expect_exit 1 "po-check fails on a plan error of termijnd outside _()" -- sh "$W/tools/po-check.sh"
expect_in 'daemon/engine.c:[0-9]+:.*errlist_add\(errs, dir, 0, "no \*\.plan files"\)' "it names the line"
finish
