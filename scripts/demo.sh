#!/usr/bin/env bash
# The main job on the built-in rules, end to end: scores the sample conversations
# (examples/conversations.jsonl) with the CLI and writes the HTML report, builds the WebAssembly
# package, then serves the demo chat page (with the pre-send widget), the practice sandbox and
# the report on localhost, printing their URLs. Ctrl-C stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

say "scoring the sample conversations (examples/conversations.jsonl)"
cargo build --release --quiet
mkdir -p target
target/release/zhijian review examples/conversations.jsonl --format csv --html target/review.html

say "building the WebAssembly package"
bash scripts/build-wasm.sh

say "serving"
exec node www/serve.mjs "${PORT:-8080}"
