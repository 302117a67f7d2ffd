#!/usr/bin/env bash
# Builds the WebAssembly packages from one crate and prints their sizes:
#   pkg/check  the message checker alone, with the built-in packs compiled in (ES module): what
#              the agent's page loads (the widget, the extension). Custom packs come compiled.
#   pkg/web    everything (ES module for pages, workers, extensions and bundlers): conversation
#              scoring, platform profiles, custom packs as TOML text or objects.
#   pkg/node   everything, as CommonJS for Node.
# Runs binaryen's wasm-opt from npm (Debian's wasm-opt 108 corrupts modules built by current
# rustc). `-ocimfs 0` stops it from inlining every function that has one caller into that caller:
# the check path became one 95 KB function that V8 compiles on the first message (+20 ms).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

build() { # target out-dir features
  CARGO_PROFILE_RELEASE_OPT_LEVEL=${WASM_OPT_LEVEL:-3} CARGO_PROFILE_RELEASE_PANIC=abort \
    wasm-pack --quiet build --release --target "$1" --out-dir "$2" --out-name zhijian \
    -- --no-default-features --features "$3"
  # The features current rustc emits; without them wasm-opt refuses or miscompiles.
  node_modules/.bin/wasm-opt -Oz -ocimfs 0 \
    --enable-bulk-memory --enable-reference-types --enable-multivalue \
    --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    "$2/zhijian_bg.wasm" -o "$2/zhijian_bg.wasm"
  rm -f "$2/.gitignore"
}
build web pkg/check ""
build web pkg/web conversations,toml-packs
build nodejs pkg/node conversations,toml-packs

for pkg in check web; do
  raw=$(wc -c < "pkg/$pkg/zhijian_bg.wasm")
  gz=$(gzip -9 -c "pkg/$pkg/zhijian_bg.wasm" | wc -c)
  printf 'pkg/%s/zhijian_bg.wasm: %d bytes, %d gzipped\n' "$pkg" "$raw" "$gz"
done
echo "(budget for pkg/check, the message checker with both built-in packs: 307200 gzipped)"
