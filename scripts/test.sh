#!/usr/bin/env bash
# Every test, on a fresh machine too: installs what is missing (scripts/setup.sh), then checks
# formatting and lints, runs the Rust tests (rule examples, corpora, golden snapshots, CLI…),
# builds the WebAssembly packages (pkg/check, pkg/web, pkg/node), runs the JavaScript API tests, the browser end-to-end tests of
# the widget and the sandbox, and the WebAssembly parity tests in Node and in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# The tests build with optimisation but without LTO and with parallel code generation: the same
# code, built in a third of the time. Benchmarks and the WebAssembly package keep the full
# release profile (Cargo.toml; scripts/build-wasm.sh).
quick() { CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 "$@"; }

step "setup"
bash scripts/setup.sh

step "format and lints"
cargo fmt --check
quick cargo clippy --all-targets --release -- -D warnings
cargo clippy --target wasm32-unknown-unknown --no-default-features --lib --test wasm_parity -- -D warnings
cargo clippy --target wasm32-unknown-unknown --no-default-features --features conversations,toml-packs \
  --lib -- -D warnings

step "Rust tests"
quick cargo test --release

step "the built-in packs' own examples, through the CLI"
quick cargo run --release --quiet -- rules test

step "WebAssembly package"
bash scripts/build-wasm.sh

step "JavaScript API tests (Node)"
node --test tests/js/

step "browser end-to-end tests: widget, score log, sandbox (headless Chromium; screenshots in target/e2e/)"
node --test tests/e2e/

step "WebAssembly parity with native, in Node"
wasm-pack test --node -- --no-default-features --test wasm_parity

step "WebAssembly parity with native, in headless Chromium"
WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
  wasm-pack test --headless --chrome -- --no-default-features --test wasm_parity

step "all tests passed"
