#!/usr/bin/env bash
# The install step of action.yml: puts an `authspec` binary on PATH for the runner.
#
# The release archive for the runner's platform is downloaded and its SHA-256 checked against
# the release's SHA256SUMS; a mismatch, or an archive the checksum file does not list, fails the
# step. Where no release archive matches (another platform, no release of that version), it falls
# back to `cargo install --locked` from the action's own source.
#
# Environment (set by action.yml):
#   AUTHSPEC_VERSION       "1.2.3", "v1.2.3", "latest" or "" (the action's tag when it is a
#                          version, else the latest release)
#   AUTHSPEC_REPOSITORY    owner/name of the releases (default: the action's repository)
#   AUTHSPEC_RELEASE_BASE  base URL of the release downloads (default
#                          https://github.com/$AUTHSPEC_REPOSITORY/releases/download); tests
#                          point it at a file:// directory
#   AUTHSPEC_ACTION_REF    the ref the action was used at (github.action_ref)
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_PATH, GITHUB_OUTPUT, GITHUB_ACTION_PATH
# Outputs: bin (the binary's path), version, source (release or cargo).
set -euo pipefail

log() { echo "authspec-action: $*" >&2; }
out() { if [[ -n "${GITHUB_OUTPUT:-}" ]]; then echo "$1=$2" >>"$GITHUB_OUTPUT"; fi; }

repo="${AUTHSPEC_REPOSITORY:-authspec/authspec}"
base="${AUTHSPEC_RELEASE_BASE:-https://github.com/$repo/releases/download}"
tmp="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/authspec-install.$$"
mkdir -p "$tmp"

# The release target for this runner, or "" when no release archive is built for it.
platform_target() {
  case "${RUNNER_OS:-$(uname -s)}/${RUNNER_ARCH:-$(uname -m)}" in
    Linux/X64 | Linux/x86_64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64 | Linux/aarch64 | Linux/arm64) echo aarch64-unknown-linux-musl ;;
    macOS/ARM64 | Darwin/arm64) echo aarch64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
    *) echo "" ;;
  esac
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

resolve_version() {
  local v="${AUTHSPEC_VERSION:-}"
  if [[ -z "$v" && "${AUTHSPEC_ACTION_REF:-}" =~ ^v?[0-9]+\.[0-9]+\.[0-9]+ ]]; then
    v="${AUTHSPEC_ACTION_REF}"
  fi
  if [[ -z "$v" || "$v" == latest ]]; then
    # github.com/OWNER/NAME/releases/latest redirects to …/releases/tag/vX.Y.Z.
    local url
    url=$(curl -fsSLI -o /dev/null -w '%{url_effective}' "https://github.com/$repo/releases/latest" 2>/dev/null) || url=""
    v="${url##*/tag/}"
    [[ "$url" == */tag/* ]] || v=""
  fi
  echo "${v#v}"
}

cargo_fallback() {
  log "$1; building with cargo install --locked"
  command -v cargo >/dev/null 2>&1 || { log "cargo is not installed on this runner"; exit 1; }
  local root="$tmp/cargo-root" src="${GITHUB_ACTION_PATH:-}"
  if [[ -n "$src" && -f "$src/Cargo.toml" ]]; then
    cargo install --locked --root "$root" --path "$src" >&2
  elif [[ -n "$version" ]]; then
    cargo install --locked --root "$root" authspec --version "$version" >&2
  else
    cargo install --locked --root "$root" authspec >&2
  fi
  finish "$root/bin" cargo
  exit 0
}

finish() {
  local dir="$1" exe="$1/authspec"
  [[ -f "$exe" ]] || exe="$1/authspec.exe"
  [[ -f "$exe" ]] || { log "no authspec binary in $1"; exit 1; }
  if [[ -n "${GITHUB_PATH:-}" ]]; then echo "$dir" >>"$GITHUB_PATH"; fi
  out bin "$exe"
  out version "$version"
  out source "$2"
  log "installed $exe ($2${version:+, $version})"
}

version="${AUTHSPEC_VERSION:-}"
version="${version#v}"
[[ "$version" == latest ]] && version=""
target=$(platform_target)
[[ -n "$target" ]] || cargo_fallback "no release archive for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}"
version=$(resolve_version)
[[ -n "$version" ]] || cargo_fallback "no release found for $repo"

ext=tar.gz
[[ "$target" == *windows* ]] && ext=zip
name="authspec-v$version-$target"
asset="$name.$ext"
if ! curl -fsSL --retry 3 -o "$tmp/$asset" "$base/v$version/$asset"; then
  cargo_fallback "no release archive $asset for v$version"
fi
curl -fsSL --retry 3 -o "$tmp/SHA256SUMS" "$base/v$version/SHA256SUMS" || {
  log "the release v$version has $asset but no SHA256SUMS: refusing an unverified binary"
  exit 1
}
want=$(awk -v a="$asset" '{ f = $2; sub(/^\*/, "", f); if (f == a) print $1 }' "$tmp/SHA256SUMS" | head -n1)
[[ -n "$want" ]] || { log "SHA256SUMS of v$version does not list $asset"; exit 1; }
got=$(sha256_of "$tmp/$asset")
if [[ "$got" != "$want" ]]; then
  log "checksum mismatch for $asset: SHA256SUMS says $want, the download is $got"
  exit 1
fi
log "$asset: SHA-256 $got matches SHA256SUMS"

mkdir -p "$tmp/x"
if [[ "$ext" == zip ]]; then
  if command -v unzip >/dev/null 2>&1; then
    unzip -q "$tmp/$asset" -d "$tmp/x"
  else
    powershell -NoProfile -Command "Expand-Archive -Path '$tmp/$asset' -DestinationPath '$tmp/x'"
  fi
else
  tar -xzf "$tmp/$asset" -C "$tmp/x"
fi
chmod +x "$tmp/x/$name/authspec" 2>/dev/null || true
finish "$tmp/x/$name" release
