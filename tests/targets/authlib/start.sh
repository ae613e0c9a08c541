#!/usr/bin/env bash
# Start the Authlib target: issuer=http://127.0.0.1:4220 mcp=http://127.0.0.1:4220/mcp
# Idempotent: installs the pinned packages from PyPI into .venv on first run, does
# nothing if already running. Waits until the server answers, writes server.pid.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$DIR"
NAME=authlib
PIDFILE="$DIR/server.pid"
LOG="$DIR/server.log"
READY=(http://127.0.0.1:4220/.well-known/oauth-authorization-server http://127.0.0.1:4220/.well-known/oauth-protected-resource/mcp)
if [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  echo "$NAME: already running (pid $(cat "$PIDFILE"))"; exit 0
fi
if [[ ! -f .venv/.install-stamp || requirements.txt -nt .venv/.install-stamp ]]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
  touch .venv/.install-stamp
fi
nohup .venv/bin/python server.py >"$LOG" 2>&1 &
echo $! >"$PIDFILE"
for _ in $(seq 1 150); do
  ok=1
  for u in "${READY[@]}"; do curl -fs -o /dev/null "$u" || { ok=0; break; }; done
  if [[ $ok == 1 ]]; then
    echo "$NAME: ready (pid $(cat "$PIDFILE")) issuer=http://127.0.0.1:4220 mcp=http://127.0.0.1:4220/mcp"; exit 0
  fi
  kill -0 "$(cat "$PIDFILE")" 2>/dev/null || break
  sleep 0.2
done
echo "$NAME: failed to start, see $LOG" >&2; tail -20 "$LOG" >&2
kill "$(cat "$PIDFILE")" 2>/dev/null || true; rm -f "$PIDFILE"; exit 1
