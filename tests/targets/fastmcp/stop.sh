#!/usr/bin/env bash
# Stop FastMCP and the upstream IdP by the PIDs recorded in server.pid and upstream.pid
# (never by process name).
set -uo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../target.sh
. "$DIR/../target.sh"
stop_target
PIDFILE="$DIR/upstream.pid" stop_target
