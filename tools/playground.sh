#!/usr/bin/env bash
# The browser playground from a fresh Debian 12 machine: installs what is needed (Emscripten,
# CMake, Ninja, node/npm when missing), builds the wasm module and the UI into dist/, and serves
# it on http://localhost:8080 (all interfaces, so another machine can open it too).
# Usage: bash tools/playground.sh   (as root or with sudo)   PORT=9000 to change the port.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8080}"
bash tools/web-build.sh
echo
echo "built in $SECONDS s (the first run installs and compiles everything; later runs rebuild what changed)"
echo "bpfplay playground: http://localhost:${PORT}/   (Ctrl+C stops the server)"
echo "The site is static: dist/ can be copied to any web server."
exec npx vite preview --config web/vite.config.ts --port "$PORT" --strictPort --host 0.0.0.0
