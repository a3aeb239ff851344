#!/usr/bin/env bash
# Installs one Debian package for the ensure-*.sh scripts: as root with apt-get it installs it,
# anywhere else it says how and fails, so a make target stops before a tool it needs is missing.
# Usage: apt-install.sh PACKAGE INSTALLING_MESSAGE MISSING_MESSAGE
set -euo pipefail
package=$1 installing=$2 missing=$3
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "$installing"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
else
  echo "$missing" >&2
  exit 1
fi
