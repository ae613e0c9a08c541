#!/usr/bin/env bash
# The client under test: `authspec client --command tests/targets/clients/python-sdk/run.sh`.
dir="$(dirname "$0")"
exec "$dir/.venv/bin/python" "$dir/client.py" "$@"
