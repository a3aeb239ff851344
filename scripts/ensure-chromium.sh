#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (Playwright cannot download its own here).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
exec "$(dirname "$0")/apt-install.sh" chromium \
  "Installing Chromium for the browser tests…" \
  "Chromium is missing: install it (sudo apt-get install chromium) for the browser tests."
