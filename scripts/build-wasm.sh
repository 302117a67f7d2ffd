#!/usr/bin/env bash
# Builds the WebAssembly package twice from one crate: pkg/web (ES module for pages, workers,
# extensions and bundlers) and pkg/node (CommonJS for Node). Runs binaryen's wasm-opt from npm
# (Debian's wasm-opt 108 corrupts modules built by current rustc) and prints the sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

build() { # target out-dir
  CARGO_PROFILE_RELEASE_OPT_LEVEL=${WASM_OPT_LEVEL:-3} CARGO_PROFILE_RELEASE_PANIC=abort \
    wasm-pack --quiet build --release --target "$1" --out-dir "$2" --out-name zhijian \
    -- --no-default-features
  # The features current rustc emits; without them wasm-opt refuses or miscompiles.
  node_modules/.bin/wasm-opt -Oz -ocimfs 0 \
    --enable-bulk-memory --enable-reference-types --enable-multivalue \
    --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    "$2/zhijian_bg.wasm" -o "$2/zhijian_bg.wasm"
  rm -f "$2/.gitignore"
}
build web pkg/web
build nodejs pkg/node

raw=$(wc -c < pkg/web/zhijian_bg.wasm)
gz=$(gzip -9 -c pkg/web/zhijian_bg.wasm | wc -c)
printf 'pkg/web/zhijian_bg.wasm: %d bytes, %d gzipped (budget 307200 gzipped)\n' "$raw" "$gz"
