#!/usr/bin/env bash
# Makes sure Debian's headless Chromium is installed for the browser tests (Playwright drives
# /usr/bin/chromium; it never downloads a browser of its own). Installs it with apt when missing.
set -euo pipefail
if [[ -x /usr/bin/chromium ]]; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "browser: /usr/bin/chromium is missing and apt-get is not available to install it" >&2
  exit 2
fi
SUDO=""
if [[ "$(id -u)" != 0 ]]; then
  SUDO="sudo"
fi
echo "browser: installing chromium from Debian (apt-get)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
