#!/usr/bin/env bash
# Stop the target by the PID recorded in server.pid (never by process name).
set -uo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NAME="$(basename "$DIR")"
PIDFILE="$DIR/server.pid"
if [[ ! -f "$PIDFILE" ]]; then echo "$NAME: not running (no pid file)"; exit 0; fi
PID="$(cat "$PIDFILE")"
if kill -0 "$PID" 2>/dev/null; then
  kill "$PID"
  for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$PID" 2>/dev/null; then kill -9 "$PID"; fi
  echo "$NAME: stopped (pid $PID)"
else
  echo "$NAME: stale pid file (pid $PID not running)"
fi
rm -f "$PIDFILE"
