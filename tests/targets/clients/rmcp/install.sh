#!/usr/bin/env bash
# Builds the Rust MCP SDK client (pinned rmcp, locked dependencies) into this folder's target/.
set -euo pipefail
cd "$(dirname "$0")"
command -v cargo >/dev/null || { echo "cargo is not installed"; exit 1; }
exec cargo build --locked --quiet
