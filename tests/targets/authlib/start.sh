#!/usr/bin/env bash
# Start the Authlib target: issuer=http://127.0.0.1:4220 mcp=http://127.0.0.1:4220/mcp
# Idempotent: installs the pinned packages from PyPI into .venv on first run, does
# nothing if already running. Waits until the server answers, writes server.pid.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$DIR"
# shellcheck source=../target.sh
. "$DIR/../target.sh"
if [[ ! -f .venv/.install-stamp || requirements.txt -nt .venv/.install-stamp ]]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
  touch .venv/.install-stamp
fi
start_target "issuer=http://127.0.0.1:4220 mcp=http://127.0.0.1:4220/mcp" \
  http://127.0.0.1:4220/.well-known/oauth-authorization-server \
  http://127.0.0.1:4220/.well-known/oauth-protected-resource/mcp \
  -- .venv/bin/python server.py
