#!/usr/bin/env bash
# The cost overview benchmark: 10,000 billed customers with 36 months of
# history (msp-bench costs: fill, then the server functions' first
# call, median, p95 and max), then the same database served by the release
# build and measured in Chromium (csv-timing.mjs: page load, CSV export of
# every row), and the release wasm as served: raw, gzip, brotli.
# Usage, from the repository root: end2end/scripts/bench-costs.sh [database file]
# (a given file is filled when missing and reused when present).
source "$(dirname "$0")/../../.ci/lib.sh"
setup_env
install_rust_tools
install_npm_packages
install_chromium
build_release
build_bench
cd "$ROOT"
bin="$CARGO_TARGET_DIR/release/msp-manager"
work=$(mktemp -d)
db="${1:-$work/costs.db}"
"$CARGO_TARGET_DIR/release/msp-bench" costs --keep "$db"

export DATABASE_URL="sqlite://$db"
user="bench-admin-$$"
password="bench-pass-$(date +%s)-$$"
printf '%s\n' "$password" | "$bin" admin create --username "$user" --role admin --password-stdin >/dev/null
port=$(free_port)
export LEPTOS_SITE_ADDR="127.0.0.1:$port" MSP_RUN_JOBS=false
RUST_LOG=warn "$bin" serve >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT
for _ in $(seq 50); do curl -sf "http://$LEPTOS_SITE_ADDR/login" >/dev/null && break; sleep 0.2; done
# Let the server write its brotli copies of the wasm.
sleep 5

month=$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m)
echo
echo "In Chromium (release build, loopback), month $month (Final):"
(cd end2end && BASE_URL="http://$LEPTOS_SITE_ADDR" USERNAME="$user" PASSWORD="$password" \
  node scripts/csv-timing.mjs "/costs?month=$month" 20)
echo
echo "Release wasm as served:"
for encoding in identity gzip br; do
  size=$(curl -s -H "Accept-Encoding: $encoding" "http://$LEPTOS_SITE_ADDR/pkg/msp-manager.wasm" | wc -c)
  printf '  %-8s %10s bytes\n' "$encoding" "$size"
done
