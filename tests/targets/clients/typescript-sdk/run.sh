#!/usr/bin/env bash
# The client under test: `authspec client --command tests/targets/clients/typescript-sdk/run.sh`.
exec node "$(dirname "$0")/client.mjs" "$@"
