# Shared by .ci/demo and .ci/test: install what is missing, set up paths.
# Sourced, not run.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CARGO_LEPTOS_VERSION=0.3.11
# The wasm-bindgen CLI must match the library pinned in Cargo.toml exactly.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"$/\1/p' "$ROOT/Cargo.toml")

say() { printf '\n==> %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Paths: cargo's bin dir, the npm tools (Playwright, and wasm-opt from npm's
# binaryen 132: Debian's binaryen builds wasm that never hydrates), and a
# build cache outside the clone. The cache is keyed by the exact toolchain,
# and cargo's own fingerprints rebuild whatever the sources changed, so a
# stale cache cannot hide a failure.
setup_env() {
  export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"
  local toolchain_key
  toolchain_key=$(rustc -vV | sha256sum | cut -c1-12)
  export CARGO_TARGET_DIR="${MSP_CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/msp-manager/target-$toolchain_key}"
  mkdir -p "$CARGO_TARGET_DIR"
}

install_rust_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION\$"; then
    say "Installing cargo-leptos $CARGO_LEPTOS_VERSION (about 12 minutes, once per machine)"
    env -u CARGO_TARGET_DIR cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --ignore-rust-version
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
    say "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes, once per machine)"
    env -u CARGO_TARGET_DIR cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  fi
}

install_npm_packages() {
  say "Installing the npm packages of end2end/ (Playwright, binaryen)"
  (cd "$ROOT/end2end" && npm ci --no-audit --no-fund --loglevel=error)
  wasm-opt --version | grep -q "version 132" || { echo "wasm-opt 132 from npm is not first on PATH" >&2; exit 1; }
}

install_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    say "Installing Debian's Chromium"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
  fi
}

build_release() {
  say "Building the app (release)"
  (cd "$ROOT" && cargo leptos build --release)
}

free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}
