#!/usr/bin/env bash
# Start the OpenAuth target: issuer=http://127.0.0.1:4250 mcp=http://127.0.0.1:4250/mcp
# Idempotent: installs the locked packages from npm (npm ci) on first run, does
# nothing if already running. Waits until the server answers, writes server.pid.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$DIR"
# shellcheck source=../target.sh
. "$DIR/../target.sh"
npm_install
start_target "issuer=http://127.0.0.1:4250 mcp=http://127.0.0.1:4250/mcp" \
  http://127.0.0.1:4250/.well-known/oauth-authorization-server \
  http://127.0.0.1:4250/.well-known/oauth-protected-resource/mcp \
  -- node server.js
