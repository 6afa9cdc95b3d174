#!/usr/bin/env bash
# Builds the browser playground into dist/: the wasm module (tools/build-wasm.sh, incremental),
# the npm packages (npm ci, when package-lock.json changed), the type check and the Vite build.
# Usage: bash tools/web-build.sh   (as root or with sudo, on Debian 12)
# BPFPLAY_WASM_DIR=dir: use an already built bpfplay.mjs/bpfplay.wasm from dir instead.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if ! command -v npm >/dev/null; then
    echo "== installing node and npm (Debian)"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

if [ -z "${BPFPLAY_WASM_DIR:-}" ]; then
    echo "== wasm module (tools/build-wasm.sh --page: the page's module, not the test suites)"
    bash tools/build-wasm.sh --page
    export BPFPLAY_WASM_DIR="$PWD/build-wasm/wasm-bindings"
fi
if [ ! -f "$BPFPLAY_WASM_DIR/bpfplay.mjs" ] || [ ! -f "$BPFPLAY_WASM_DIR/bpfplay.wasm" ]; then
    echo "error: $BPFPLAY_WASM_DIR has no bpfplay.mjs/bpfplay.wasm (wasm-bindings/ did not build)" >&2
    exit 1
fi

# npm ci only when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "== npm ci"
    npm ci --no-audit --no-fund --loglevel=error
fi
echo "== type check and Vite build -> dist/"
npx tsc -p web/tsconfig.json --noEmit
npx vite build --config web/vite.config.ts --logLevel warn
echo "built: dist/ ($(du -sh dist | cut -f1))"
