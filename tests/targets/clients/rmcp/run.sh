#!/usr/bin/env bash
# The client under test: `authspec client --command tests/targets/clients/rmcp/run.sh`.
dir="$(dirname "$0")"
exec "$dir/target/debug/authspec-rmcp-client" "$@"
