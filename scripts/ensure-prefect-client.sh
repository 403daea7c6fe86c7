#!/usr/bin/env bash
# Installs Prefect's own Python client into .cache/prefect-venv, for the test that checks that Prefect's
# clients work against Herald unchanged. Idempotent: does nothing when the pinned version is there.
set -euo pipefail
cd "$(dirname "$0")/.."
version=3.8.8
venv=.cache/prefect-venv
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import prefect, sys; sys.exit(prefect.__version__ != '$version')" 2>/dev/null; then
  exit 0
fi
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  echo "ensure-prefect-client: installing python3-venv" >&2
  if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  else sudo -n apt-get update -qq && sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; fi
fi
echo "ensure-prefect-client: installing prefect==$version into $venv (about a minute)" >&2
rm -rf "$venv"
python3 -m venv "$venv"
# pip's output goes to a log, shown only when the install fails.
if ! "$venv/bin/pip" install --quiet --disable-pip-version-check "prefect==$version" > .cache/prefect-install.log 2>&1; then
  cat .cache/prefect-install.log >&2
  exit 1
fi
