#!/usr/bin/env bash
# The browser playground from a fresh Debian 12 machine: installs what is needed (Emscripten,
# CMake, Ninja, node/npm when missing), builds the wasm module and the UI into dist/, and serves
# it on http://localhost:8080 (all interfaces, so another machine can open it too), with the C
# editor's compile service (tools/compile_service/server.mjs: the machine's clang, on 127.0.0.1
# only; vite preview passes the page's /api/ requests to it). Ctrl+C stops both.
# Usage: bash tools/playground.sh   (as root or with sudo)   PORT=9000 to change the port,
# COMPILE_PORT=9001 the compile service's.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8080}"
COMPILE_PORT="${COMPILE_PORT:-8089}"
bash tools/web-build.sh
echo
echo "built in $SECONDS s (the first run installs and compiles everything; later runs rebuild what changed)"
if ! command -v clang >/dev/null || [ ! -f /usr/include/bpf/bpf_helpers.h ]; then
    echo "note: the C editor compiles with clang and libbpf's headers, not found here (apt-get install clang libbpf-dev);"
    echo "      the page still runs bundled examples and opened .o files."
fi
export BPFPLAY_COMPILE_PORT="$COMPILE_PORT"   # read by web/vite.config.ts (its /api proxy)
node tools/compile_service/server.mjs --port "$COMPILE_PORT" --page-port "$PORT" &
compile_pid=$!
# vite itself (not npx): its pid is the server, so stop() reaches it
node_modules/.bin/vite preview --config web/vite.config.ts --port "$PORT" --strictPort --host 0.0.0.0 &
preview_pid=$!
stop() {
    trap - INT TERM EXIT
    kill "$preview_pid" "$compile_pid" 2>/dev/null || true
    wait "$preview_pid" "$compile_pid" 2>/dev/null || true
}
trap stop INT TERM EXIT
sleep 1
echo "bpfplay playground: http://localhost:${PORT}/   (Ctrl+C stops the server and the compile service)"
echo "The C editor compiles on this machine (open the page as localhost or 127.0.0.1). dist/ alone is a static site:"
echo "copied to any web server it runs everything but the in-page compile."
wait -n "$preview_pid" "$compile_pid"
