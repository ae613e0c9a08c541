#!/usr/bin/env bash
# Stop the target by the PID recorded in server.pid (never by process name).
set -uo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../target.sh
. "$DIR/../target.sh"
stop_target
