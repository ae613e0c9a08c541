# Shared by the start.sh and stop.sh of every target here: start a server, wait until it
# answers, record its pid; stop it by that pid (never by process name). Sourced, not run.
# Each script sets DIR (its folder) first; NAME is the folder's name.

NAME="$(basename "$DIR")"
PIDFILE="$DIR/server.pid"
LOG="$DIR/server.log"

# start_target SUMMARY URL... -- COMMAND...: installs nothing (the caller did), starts COMMAND
# in the background, waits until every URL answers, and prints SUMMARY.
start_target() {
  local summary=$1; shift
  local ready=()
  while [[ $1 != -- ]]; do ready+=("$1"); shift; done
  shift
  if [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    echo "$NAME: already running (pid $(cat "$PIDFILE"))"; return 0
  fi
  nohup "$@" >"$LOG" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 150); do
    local ok=1
    for u in "${ready[@]}"; do curl -fs -o /dev/null "$u" || { ok=0; break; }; done
    if [[ $ok == 1 ]]; then
      echo "$NAME: ready (pid $(cat "$PIDFILE")) $summary"; return 0
    fi
    kill -0 "$(cat "$PIDFILE")" 2>/dev/null || break
    sleep 0.2
  done
  echo "$NAME: failed to start, see $LOG" >&2; tail -20 "$LOG" >&2
  kill "$(cat "$PIDFILE")" 2>/dev/null || true; rm -f "$PIDFILE"; return 1
}

# npm_install: installs the locked packages (npm ci) once, again when the lock file changes.
npm_install() {
  if [[ ! -f node_modules/.install-stamp || package-lock.json -nt node_modules/.install-stamp ]]; then
    npm ci --no-audit --no-fund --loglevel=error
    touch node_modules/.install-stamp
  fi
}

# stop_target: stops the server by the pid in server.pid.
stop_target() {
  if [[ ! -f "$PIDFILE" ]]; then echo "$NAME: not running (no pid file)"; return 0; fi
  local pid
  pid="$(cat "$PIDFILE")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
    echo "$NAME: stopped (pid $pid)"
  else
    echo "$NAME: stale pid file (pid $pid not running)"
  fi
  rm -f "$PIDFILE"
}
