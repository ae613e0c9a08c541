#!/usr/bin/env bash
# Proves authspec links statically: builds with +crt-static, checks that ldd finds no shared
# library, then runs `authspec run` (against its in-process reference server) with an empty
# environment in an empty directory, and expects exit 0.
#
# The target is the host's glibc target by default (no download needed); STATIC_TARGET picks
# another, e.g. STATIC_TARGET=x86_64-unknown-linux-musl after `rustup target add` (the release
# builds use musl). STATIC_PROFILE picks the cargo profile (default static-check: unoptimised,
# no debug info, so CI pays little for it; `release` gives the shipped binary).
set -euo pipefail
cd "$(dirname "$0")/.."

target="${STATIC_TARGET:-$(rustc -vV | sed -n 's/^host: //p')}"
profile="${STATIC_PROFILE:-static-check}"
target_dir="${CARGO_TARGET_DIR:-target}"

# RUSTFLAGS with an explicit --target apply to the target only, not to build scripts.
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
  cargo build --locked --quiet --bin authspec --target "$target" --profile "$profile"
dir="$profile"
[[ "$profile" == dev ]] && dir=debug
bin="$target_dir/$target/$dir/authspec"
bin="$(cd "$(dirname "$bin")" && pwd)/authspec"

echo "binary: $bin ($(du -h "$bin" | cut -f1))"
file "$bin" 2>/dev/null || true
ldd_out=$(ldd "$bin" 2>&1 || true)
echo "ldd: $ldd_out"
case "$ldd_out" in
  *"not a dynamic executable"* | *"statically linked"*) ;;
  *)
    echo "error: $bin is dynamically linked" >&2
    exit 1
    ;;
esac

empty=$(mktemp -d)
trap 'rm -rf "$empty"' EXIT
start=$(date +%s)
(cd "$empty" && env -i "$bin" run --report "json=$empty/report.json" >"$empty/out.txt" 2>&1) || {
  code=$?
  echo "error: env -i authspec run exited $code" >&2
  tail -n 20 "$empty/out.txt" >&2
  exit 1
}
tail -n 1 "$empty/out.txt"
echo "static binary: env -i authspec run passed in $(($(date +%s) - start)) s"
