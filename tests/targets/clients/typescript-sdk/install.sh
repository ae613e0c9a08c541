#!/usr/bin/env bash
# Installs the pinned @modelcontextprotocol/sdk (package-lock.json) from npm.
set -euo pipefail
cd "$(dirname "$0")"
command -v node >/dev/null 2>&1 || { echo "node is not installed" >&2; exit 1; }
npm ci --no-audit --no-fund --silent
