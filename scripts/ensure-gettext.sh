#!/usr/bin/env bash
# GNU gettext (xgettext, msgfmt) for `make messages` and the catalogue test. The compiled catalogue
# (.mo) is committed, so running the dashboard never needs it.
set -euo pipefail
if command -v xgettext >/dev/null && command -v msgfmt >/dev/null; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing GNU gettext for the translation catalogue…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null
else
  echo "GNU gettext is missing: install it (sudo apt-get install gettext) to extract translations." >&2
  exit 1
fi
