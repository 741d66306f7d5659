#!/usr/bin/env bash
# System packages the test suite uses: a headless browser for the HTML view tests and a
# Virtuoso server for the external-store tests (Oxigraph's server comes from PyPI).
# Tests that need a missing one are skipped with the reason, so this is optional for
# working on kg, and required for CI. Needs root (apt-get).
set -euo pipefail
packages=(chromium virtuoso-opensource fonts-noto-cjk fonts-wqy-zenhei)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system test dependencies present: ${packages[*]}"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "installed: ${missing[*]}"
