#!/usr/bin/env bash
# Installs what the build and the tests need, when it is missing: the wasm32 target,
# wasm-bindgen-cli at the version Cargo.lock pins, wasm-pack, the npm packages, and Debian's
# Chromium with its driver and a Chinese font. Safe to run again: each step checks first.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# wasm-pack uses the wasm-bindgen on PATH when its version matches Cargo.lock, so it never
# downloads one. `--locked` must not be used: a pinned dependency of the CLI is not on the index.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ]; then
  say "installing wasm-bindgen-cli $bindgen_version (about 3 minutes)"
  cargo install wasm-bindgen-cli --version "$bindgen_version"
fi
if ! command -v wasm-pack >/dev/null 2>&1; then
  say "installing wasm-pack (about 4 minutes)"
  cargo install wasm-pack
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ package.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi

# A Chinese font, so that screenshots of the pages show the characters rather than boxes.
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1 \
  || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  say "installing Debian's chromium, chromium-driver and a Chinese font"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver fonts-wqy-zenhei >/dev/null
fi
