#!/usr/bin/env bash
# Installs Debian's Chromium for the UI's end-to-end tests when /usr/bin/chromium is missing.
# The tests drive it with playwright-core; `npx playwright install` is never used.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi; }

if [ ! -x /usr/bin/chromium ]; then
  echo "ensure-chromium: installing chromium" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
[ -x /usr/bin/chromium ] || { echo "ensure-chromium: /usr/bin/chromium is still missing" >&2; exit 1; }
