#!/usr/bin/env bash
# GNU gettext (xgettext, msgfmt) for `make messages` and the catalogue test. The compiled catalogue
# (.mo) is committed, so running the dashboard never needs it.
set -euo pipefail
if command -v xgettext >/dev/null && command -v msgfmt >/dev/null; then exit 0; fi
exec "$(dirname "$0")/apt-install.sh" gettext \
  "Installing GNU gettext for the translation catalogue…" \
  "GNU gettext is missing: install it (sudo apt-get install gettext) to extract translations."
