# Shared by .ci/demo and .ci/test: install what is missing, set up paths.
# Sourced, not run.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The server and the browser side are built with Leptos's output name baked
# in (the hydration scripts name the files after it).
export LEPTOS_OUTPUT_NAME=msp-manager

# Each step says when it starts (time since the script started), so a slow
# phase shows in the log.
SCRIPT_STARTED=$(date +%s)
say() {
  local t=$(( $(date +%s) - SCRIPT_STARTED ))
  printf '\n==> [%d:%02d] %s\n' $(( t / 60 )) $(( t % 60 )) "$*" >&2
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Paths: cargo's bin dir, the npm tools (Playwright, esbuild, and wasm-opt
# from npm's binaryen 132: Debian's binaryen builds wasm that never
# hydrates), and a build cache outside the clone. The cache is keyed by the exact toolchain,
# and cargo's own fingerprints rebuild whatever the sources changed, so a
# stale cache cannot hide a failure.
setup_env() {
  export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$ROOT/end2end/node_modules/.bin:$PATH"
  local toolchain_key
  toolchain_key=$(rustc -vV | sha256sum | cut -c1-12)
  export CARGO_TARGET_DIR="${MSP_CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/msp-manager/target-$toolchain_key}"
  mkdir -p "$CARGO_TARGET_DIR"
  SITE_BUILDER_TARGET_DIR="$(dirname "$CARGO_TARGET_DIR")/site-builder-$toolchain_key"
}

# Only the wasm32 target and our own small site builder (.ci/site-builder:
# wasm splitting and wasm-bindgen as libraries, about a minute to compile):
# compiling cargo-leptos (swc, lightningcss, cargo-generate, ...) took 27
# minutes on a fresh 2-core machine, for steps this script does itself.
install_rust_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  local app_pin builder_pin
  app_pin=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"$/\1/p' "$ROOT/Cargo.toml")
  builder_pin=$(sed -n 's/^wasm-bindgen-cli-support = "=\([0-9.]*\)"$/\1/p' "$ROOT/.ci/site-builder/Cargo.toml")
  if [ -z "$app_pin" ] || [ "$app_pin" != "$builder_pin" ]; then
    echo "wasm-bindgen $app_pin in Cargo.toml and wasm-bindgen-cli-support $builder_pin in .ci/site-builder/Cargo.toml must be the same exact version" >&2
    return 1
  fi
  say "Building the site builder (.ci/site-builder)"
  (cd "$ROOT/.ci/site-builder" && CARGO_TARGET_DIR="$SITE_BUILDER_TARGET_DIR" cargo build --release --locked --quiet)
  SITE_BUILDER="$SITE_BUILDER_TARGET_DIR/release/msp-site-builder"
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

# The release build, into target/site (the browser side) and
# $CARGO_TARGET_DIR/release/msp-manager (the server):
# 1. the browser side for wasm32 (profile wasm-release; relocations kept for
#    the splitter; type-erased components, a quarter smaller), once per
#    language (MSP_BUNDLE_LANGUAGE, src/build.rs: each download carries one
#    language's words; the server sends each reader their language's);
# 2. the site builder splits each at the `#[lazy]` modules in src/app.rs
#    (parts loaded on a module's first visit) into target/site/pkg/<language>
#    and runs wasm-bindgen; wasm-opt shrinks every part (`-Os --converge`:
#    1.3 % fewer brotli bytes than `-Oz`, for about 10 s more); esbuild
#    minifies the JavaScript and the style sheet; public/ is copied beside;
# 3. the server.
BUNDLE_LANGUAGES="en de"

build_release() {
  local site="$ROOT/target/site" wasm_dir="$CARGO_TARGET_DIR/front" parts="" language
  rm -rf "$site/pkg"
  mkdir -p "$site/pkg"
  cp -R "$ROOT/public/." "$site/"
  for language in $BUNDLE_LANGUAGES; do
    say "Building the browser side (wasm32, release, $language)"
    (cd "$ROOT" && MSP_BUNDLE_LANGUAGE="$language" RUSTFLAGS="-Clink-args=--emit-relocs --cfg erase_components" \
      cargo build --lib --target wasm32-unknown-unknown --target-dir "$wasm_dir" \
        --profile wasm-release --no-default-features --features hydrate)
    say "Splitting and binding the browser side ($language) into target/site/pkg/$language"
    mkdir -p "$site/pkg/$language"
    parts="$parts
$("$SITE_BUILDER" "$wasm_dir/wasm32-unknown-unknown/wasm-release/msp_manager.wasm" "$site/pkg/$language" "$LEPTOS_OUTPUT_NAME")"
  done
  say "Shrinking every part"
  # wasm-opt warns of name subsections it does not know (and drops them).
  if ! printf '%s\n' "$parts" | grep . | xargs -P "$(nproc)" -I{} \
      wasm-opt -Os --converge --enable-bulk-memory --enable-nontrapping-float-to-int {} -o {} 2> "$site/wasm-opt.log"; then
    cat "$site/wasm-opt.log" >&2
    return 1
  fi
  rm "$site/wasm-opt.log"
  # Errors only: wasm-bindgen's imports object names the split loader once
  # per import, and esbuild warns of the repeated (identical) key.
  local js
  for js in "$site/pkg/"*/*.js; do
    esbuild "$js" --minify --log-level=error --outfile="$js" --allow-overwrite
  done
  esbuild "$ROOT/style/main.css" --minify --log-level=error --outfile="$site/pkg/$LEPTOS_OUTPUT_NAME.css"
  say "Building the server (release)"
  (cd "$ROOT" && RUSTFLAGS="--cfg erase_components" \
    cargo build --release --no-default-features --features ssr --bin msp-manager)
}

# The benchmark binary, beside the release `msp-manager` and built with the
# same flags, so that it shares its compiled dependencies.
build_bench() {
  say "Building the benchmarks (msp-bench, release)"
  (cd "$ROOT" && RUSTFLAGS="--cfg erase_components" cargo build --release --no-default-features --features bench --bin msp-bench)
}

free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Debian's PostgreSQL server programs (initdb, pg_ctl, postgres).
install_postgresql() {
  if ! postgres_bin >/dev/null; then
    say "Installing Debian's PostgreSQL"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
  fi
  postgres_bin >/dev/null || { echo "PostgreSQL's initdb is missing after the install" >&2; return 1; }
}

# The folder of initdb and pg_ctl (Debian keeps them out of PATH).
postgres_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  done
  if command -v initdb >/dev/null; then dirname "$(command -v initdb)"; return 0; fi
  return 1
}

# Starts a throwaway PostgreSQL server in a new folder under $1 on a free
# loopback port (trust auth for user msp, bytewise collation), and prints
# its admin URL. PostgreSQL refuses to run as root: as root, the server
# runs as the `postgres` user the Debian package created.
start_test_postgres() {
  local parent=$1 bin dir port run=()
  bin=$(postgres_bin)
  dir="$parent/postgres"
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    # The server's user must reach its folder through the parent.
    chmod o+x "$parent"
    chown postgres "$dir"
    run=(runuser -u postgres --)
  fi
  port=$(free_port)
  "${run[@]}" "$bin/initdb" -D "$dir/data" -U msp --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c max_connections=400 -c fsync=off" \
    start >/dev/null || { cat "$dir/server.log" >&2; return 1; }
  echo "postgres://msp@127.0.0.1:$port/postgres"
}

# Stops the server started in $1 by start_test_postgres.
stop_test_postgres() {
  local dir="$1/postgres" run=()
  [ -d "$dir/data" ] || return 0
  if [ "$(id -u)" = 0 ]; then run=(runuser -u postgres --); fi
  "${run[@]}" "$(postgres_bin)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
}

# Schemathesis (PyPI) in its own virtual environment in the cache folder.
install_schemathesis() {
  local venv="${XDG_CACHE_HOME:-$HOME/.cache}/msp-manager/venv-schemathesis"
  if [ ! -x "$venv/bin/schemathesis" ]; then
    say "Installing Schemathesis (PyPI) into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet 'schemathesis>=4,<5'
  fi
  export PATH="$venv/bin:$PATH"
}

# aiosmtpd (PyPI), the mail server the tests start on loopback
# (.ci/smtp_receiver.py), in the same virtual environment; the tests run it
# with $MSP_TEST_PYTHON.
install_aiosmtpd() {
  local venv="${XDG_CACHE_HOME:-$HOME/.cache}/msp-manager/venv-schemathesis"
  if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
  if ! "$venv/bin/python" -c 'import aiosmtpd' 2>/dev/null; then
    say "Installing aiosmtpd (PyPI) into $venv"
    "$venv/bin/pip" install --quiet 'aiosmtpd>=1.4,<2'
  fi
  export MSP_TEST_PYTHON="$venv/bin/python"
}

# Waits until the server at $1 (host:port) answers /readyz with 200.
wait_ready() {
  local i
  for i in $(seq 1 3000); do
    if node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "http://$1/readyz"; then
      return 0
    fi
    sleep 0.2
  done
  echo "the server at $1 did not become ready" >&2
  return 1
}
