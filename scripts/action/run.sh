#!/usr/bin/env bash
# The run step of action.yml: runs authspec with JSON, JUnit and Markdown reports (SARIF on
# request), puts the Markdown report in the job summary, sets the step outputs from the JSON
# report and applies the exit policy.
#
# Environment (set by action.yml from its inputs):
#   AUTHSPEC_BIN        the binary (default: authspec on PATH)
#   INPUT_COMMAND       run (default) or client
#   INPUT_TARGET, INPUT_ISSUER, INPUT_LEVEL, INPUT_SPEC, INPUT_BASELINE
#   INPUT_ARGS          more arguments, split as a POSIX shell would (quotes are honoured)
#   INPUT_REPORT_DIR    where the reports go (default authspec-report)
#   INPUT_SARIF         "true" to also write a SARIF report
#   INPUT_FAIL_ON       fail (default): the step fails when authspec exits non-zero (a failure,
#                       a warning under --level should/may, a stale baseline entry, a harness
#                       error); warn: also when any case warned or errored, whatever the level;
#                       never: the step passes whenever a report was written
#   GITHUB_OUTPUT, GITHUB_STEP_SUMMARY
# Outputs: passed, failed, warned, not-judged, skipped, errored, exit-code, json-report,
# junit-report, markdown-report, sarif-report.
set -uo pipefail

log() { echo "authspec-action: $*" >&2; }
out() { if [[ -n "${GITHUB_OUTPUT:-}" ]]; then echo "$1=$2" >>"$GITHUB_OUTPUT"; fi; }

py=$(command -v python3 || command -v python) || { log "python3 is needed to read the JSON report"; exit 1; }
bin="${AUTHSPEC_BIN:-authspec}"
command="${INPUT_COMMAND:-run}"
fail_on="${INPUT_FAIL_ON:-fail}"
case "$fail_on" in
  fail | warn | never) ;;
  *) log "fail-on must be fail, warn or never, not \`$fail_on\`"; exit 2 ;;
esac
case "$command" in
  run | client) ;;
  *) log "command must be run or client, not \`$command\`"; exit 2 ;;
esac

dir="${INPUT_REPORT_DIR:-authspec-report}"
mkdir -p "$dir"
json="$dir/authspec.json" junit="$dir/junit.xml" markdown="$dir/summary.md" sarif=""

argv=("$command")
[[ -n "${INPUT_TARGET:-}" ]] && argv+=(--target "$INPUT_TARGET")
[[ -n "${INPUT_ISSUER:-}" ]] && argv+=(--issuer "$INPUT_ISSUER")
[[ -n "${INPUT_LEVEL:-}" ]] && argv+=(--level "$INPUT_LEVEL")
[[ -n "${INPUT_SPEC:-}" ]] && argv+=(--spec "$INPUT_SPEC")
[[ -n "${INPUT_BASELINE:-}" ]] && argv+=(--baseline "$INPUT_BASELINE")
argv+=(--report "json=$json" --report "junit=$junit" --report "markdown=$markdown")
if [[ "${INPUT_SARIF:-false}" == true ]]; then
  sarif="$dir/authspec.sarif"
  argv+=(--report "sarif=$sarif")
fi
if [[ -n "${INPUT_ARGS:-}" ]]; then
  # shlex: the words a shell would see, without running anything; each ends with a NUL.
  words="$dir/.args"
  "$py" -c 'import shlex, sys; sys.stdout.write("".join(w + "\0" for w in shlex.split(sys.argv[1])))' "$INPUT_ARGS" >"$words" || {
    log "args cannot be split as shell words: $INPUT_ARGS"
    exit 2
  }
  while IFS= read -r -d '' word; do argv+=("$word"); done <"$words"
  rm -f "$words"
fi

# authspec appends its Markdown report to $GITHUB_STEP_SUMMARY itself; append it here only if
# the summary did not grow (an older binary, or no summary variable for authspec to see).
summary="${GITHUB_STEP_SUMMARY:-}"
before=0
[[ -n "$summary" && -f "$summary" ]] && before=$(wc -c <"$summary")
rm -f "$json"
log "$bin ${argv[*]}"
"$bin" "${argv[@]}"
code=$?
if [[ -n "$summary" && -f "$markdown" ]]; then
  after=0
  [[ -f "$summary" ]] && after=$(wc -c <"$summary")
  [[ "$after" -gt "$before" ]] || cat "$markdown" >>"$summary"
fi

out exit-code "$code"
out json-report "$json"
out junit-report "$junit"
out markdown-report "$markdown"
out sarif-report "$sarif"
if [[ ! -f "$json" ]]; then
  log "authspec exited $code and wrote no JSON report"
  for k in passed failed warned not-judged skipped errored; do out "$k" 0; done
  exit $((code == 0 ? 1 : code))
fi

# The summary counts; a field the report does not have (not_judged in older reports) is 0.
counts=$("$py" - "$json" <<'PY'
import json, sys
summary = json.load(open(sys.argv[1], encoding="utf-8")).get("summary", {})
def n(*names):
    for k in names:
        if isinstance(summary.get(k), int):
            return summary[k]
    return 0
for out, names in [("passed", ["passed"]), ("failed", ["failed"]), ("warned", ["warned"]),
                   ("not-judged", ["not_judged", "not-judged", "notJudged"]),
                   ("skipped", ["skipped"]), ("errored", ["errored"])]:
    print(f"{out}={n(*names)}")
PY
) || { log "cannot read $json"; exit 1; }
failed=0 warned=0 errored=0
while IFS='=' read -r k v; do
  out "$k" "$v"
  case "$k" in failed) failed=$v ;; warned) warned=$v ;; errored) errored=$v ;; esac
done <<<"$counts"
log "$(tr '\n' ' ' <<<"$counts")(exit $code, fail-on $fail_on)"

case "$fail_on" in
  never) exit 0 ;;
  warn)
    if [[ "$code" -ne 0 ]]; then exit "$code"; fi
    if [[ $((failed + warned + errored)) -gt 0 ]]; then
      log "fail-on warn: $warned warned, $errored errored"
      exit 1
    fi
    exit 0
    ;;
  *) exit "$code" ;;
esac
