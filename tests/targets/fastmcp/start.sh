#!/usr/bin/env bash
# Start the FastMCP OAuth-proxy target: the upstream IdP (authspec's reference server with a
# login form) on http://127.0.0.1:4261, then FastMCP on http://127.0.0.1:4260 (MCP at /mcp).
# Idempotent: installs the pinned packages from PyPI into .venv on first run, does nothing if
# already running. Waits until both answer; writes upstream.pid and server.pid.
# The authspec binary: $AUTHSPEC_BIN, else the repository's target/debug/authspec.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$DIR"
# shellcheck source=../target.sh
. "$DIR/../target.sh"
AUTHSPEC_BIN="${AUTHSPEC_BIN:-$DIR/../../../target/debug/authspec}"
if [[ ! -x $AUTHSPEC_BIN ]]; then
  echo "$NAME: no authspec binary (set AUTHSPEC_BIN or build target/debug/authspec)" >&2
  exit 1
fi
if [[ ! -f .venv/.install-stamp || requirements.txt -nt .venv/.install-stamp ]]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
  touch .venv/.install-stamp
fi
# Test values only: the proxy's client at the IdP, and the key FastMCP signs its tokens with.
export UPSTREAM_CLIENT_SECRET=fastmcp-proxy-test-secret
export JWT_SIGNING_KEY=fastmcp-target-test-signing-key
PIDFILE="$DIR/upstream.pid" LOG="$DIR/upstream.log" start_target "upstream IdP http://127.0.0.1:4261 (login form: alice / wonderland)" \
  http://127.0.0.1:4261/.well-known/oauth-authorization-server \
  -- "$AUTHSPEC_BIN" serve --addr 127.0.0.1:4261 --consent form \
  --client "fastmcp-proxy:$UPSTREAM_CLIENT_SECRET:http://127.0.0.1:4260/auth/callback"
start_target "issuer=http://127.0.0.1:4260/ mcp=http://127.0.0.1:4260/mcp" \
  http://127.0.0.1:4260/.well-known/oauth-authorization-server \
  http://127.0.0.1:4260/.well-known/oauth-protected-resource/mcp \
  -- .venv/bin/python server.py
