#!/bin/bash
# t-make.sh: the Makefile after make deb: the staged package tree (directories named
# sysusers.d, tmpfiles.d) must not be read as dependency files by later makes.
. "$(dirname "$0")/../e2e/lib.sh"
: > "$T/daemon.log"
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory "$@"; }

# A copy of the Makefile with the tree make deb leaves, in a directory of its own.
W=$T/tree
mkdir -p "$W/build/deb/termijn-0.1/debian/termijn/usr/lib/sysusers.d" \
    "$W/build/deb/termijn-0.1/debian/termijn/usr/lib/tmpfiles.d" "$W/build/default/common"
cp -r "$TOP/Makefile" "$TOP/client" "$TOP/common" "$TOP/daemon" "$TOP/po" "$W/"
# A dependency file of the build itself is still read: a stale one naming a missing
# header must not stop make either (-MP gives each header an empty rule).
printf 'build/default/common/x.o: common/x.c common/gone.h\ncommon/gone.h:\n' \
    > "$W/build/default/common/x.d"
expect_exit 0 "make clean after make deb" -- mk -C "$W" clean
expect_not_in 'Is a directory' "make clean reads no directory as a makefile"
[ ! -e "$W/build" ] && ok "make clean removed build/, the staged package included" ||
	not_ok "build/ is still there after make clean"
mkdir -p "$W/build/deb/termijn-0.1/debian/termijn/usr/lib/sysusers.d"
expect_exit 0 "make -n all after make deb" -- mk -C "$W" -n all
expect_not_in 'Is a directory' "make all reads no directory as a makefile"
finish
