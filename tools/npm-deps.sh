#!/bin/sh
# Install the Node packages of package-lock.json into node_modules/ when they are missing or
# older than the lock file. Chromium comes from Debian: playwright-core must not download one.
cd "$(dirname "$0")/.." || exit 1
stamp=node_modules/.package-lock.json
[ -f "$stamp" ] && [ ! package-lock.json -nt "$stamp" ] && exit 0
echo "installing Node packages (npm ci)"
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null
