#!/bin/sh
# axe-core, for the accessibility checks of the browser tests: installed from the npm registry
# into a git-ignored folder, pinned, without a lock file. Playwright injects it into each page.
set -e
AXE_VERSION="4.14.1"
HERE="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$HERE/var/axe"
if [ -f "$DEST/node_modules/axe-core/axe.min.js" ] \
  && grep -q "\"version\": \"$AXE_VERSION\"" "$DEST/node_modules/axe-core/package.json"; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "npm is missing: install Node.js (Debian: apt-get install npm) to run the accessibility checks." >&2
  exit 0
fi
mkdir -p "$DEST"
npm install --silent --no-package-lock --no-audit --no-fund --prefix "$DEST" "axe-core@$AXE_VERSION" >/dev/null
echo "axe-core $AXE_VERSION installed in var/axe for the accessibility checks."
