#!/bin/sh
# Install the Debian packages that building and testing termijn need, when some are missing.
pkgs="build-essential pkg-config libevent-dev libsqlite3-dev libcurl4-openssl-dev libical-dev
libjansson-dev libcmocka-dev zlib1g-dev sqlite3 curl python3 python3-aiosmtpd python3-icalendar util-linux
clang libclang-rt-14-dev gettext locales faketime nginx-light openssl chromium vdirsyncer khal"
# Node runs the browser and ical.js tests; a machine that has it from elsewhere keeps its own.
command -v npm >/dev/null 2>&1 || pkgs="$pkgs nodejs npm"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exec sh tools/npm-deps.sh
if [ "$(id -u)" -ne 0 ]; then
	echo "termijn needs these packages; as root run:" >&2
	echo "  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $missing >/dev/null || exit 1
exec sh tools/npm-deps.sh
