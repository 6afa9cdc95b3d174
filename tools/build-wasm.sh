#!/usr/bin/env bash
# The wasm build: libelf/zlib for wasm (cached), the core libraries, the doctest suites and the
# page's module with Emscripten into build-wasm/, then the suites under node via ctest.
# Usage: bash tools/build-wasm.sh [--no-test | --page]   (as root, or with sudo, on Debian 12)
#   --no-test  the suites and the page's module, without running the suites
#   --page     only the module the page loads (wasm-bindings/: bpfplay.mjs + bpfplay.wasm), no
#              test suites: what tools/playground.sh needs
# The benchmarks and the wasm bpfvm are built on request, after this script:
#   cmake --build build-wasm --target bench_portable bench_journal bench_maps bpfvm
#   node build-wasm/bench/bench_portable.js
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=2
# The machine's node is not Debian's: emcc needs Debian's node modules (acorn).
export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"

bash tools/build-wasm-libelf.sh  # installs emscripten when missing; exits at once when cached
if ! command -v cmake >/dev/null || ! command -v ninja >/dev/null; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get install -y -qq --no-install-recommends cmake ninja-build >/dev/null
fi
# doctest.h (Debian's doctest-dev) is copied into the build: the wasm tests use the header alone.
if [ ! -f /usr/include/doctest/doctest.h ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get install -y -qq --no-install-recommends doctest-dev >/dev/null
fi

echo "== wasm configure"
# emcmake's default emulator flags are rejected by node 20: ctest runs node --no-experimental-fetch.
# BPFPLAY_UNITY=ON in the environment (tools/test.sh sets it): unity builds of the core libraries.
emcmake cmake -S . -B build-wasm -G Ninja -DCMAKE_BUILD_TYPE=Release "-DBPFPLAY_UNITY=${BPFPLAY_UNITY:-OFF}" \
    "-DCMAKE_CROSSCOMPILING_EMULATOR=$(command -v node);--no-experimental-fetch" >/dev/null
if [ "${1:-}" = "--page" ]; then
    echo "== wasm build (the page's module only)"
    cmake --build build-wasm -j"$JOBS" --target bpfplay_web
    exit 0
fi
echo "== wasm build"
cmake --build build-wasm -j"$JOBS"
if [ "${1:-}" != "--no-test" ]; then
    echo "== wasm tests (node)"
    ctest --test-dir build-wasm --output-on-failure -j"$JOBS"
fi
