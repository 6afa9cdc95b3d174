#!/usr/bin/env bash
# The whole test suite: installs dependencies, builds, runs ctest natively; builds for wasm
# (Emscripten) and runs the same suites under node; builds the playground and runs its unit and
# headless Chromium and Firefox tests; runs ctest again under AddressSanitizer +
# UndefinedBehaviorSanitizer; fuzzes the interpreter and the loader.
# Usage: bash tools/test.sh [--no-install]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != "--no-install" ]; then bash tools/install-deps.sh; fi
echo "-- install: $SECONDS s"

JOBS=2
# Each phase's wall time, so a CI log shows where its 40 minutes go.
PHASE_START=$SECONDS
phase_done() { echo "-- $1: $((SECONDS - PHASE_START)) s (total $SECONDS s)"; PHASE_START=$SECONDS; }
# Release (-O3): GCC's flow-based warnings (-Warray-bounds...) depend on the optimization level
# and -Werror makes them build failures, so CI builds what a user's Release build compiles.
echo "== native build (Release)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$JOBS"
echo "== native tests"
ctest --test-dir build --output-on-failure -j"$JOBS"
phase_done "native build and tests"

echo "== wasm build and tests (Emscripten; the suites run under node)"
bash tools/build-wasm.sh
phase_done "wasm build and tests"
echo "== browser playground: build, unit tests, headless Chromium and Firefox tests"
BPFPLAY_WASM_DIR="$PWD/build-wasm/wasm-bindings" bash tools/test-browser.sh
phase_done "browser"

echo "== ASan+UBSan build (clang, with the libFuzzer targets: one build for both)"
# -O1: the sanitized tests run about three times faster than at -O0, and libFuzzer gets more runs.
cmake -S . -B build-san -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS=-O1 -DCMAKE_CXX_FLAGS=-O1 \
    -DBPFPLAY_SANITIZE=ON -DBPFPLAY_FUZZ=ON -DBPFPLAY_BENCH=OFF >/dev/null
cmake --build build-san -j"$JOBS"
phase_done "sanitizer build"
echo "== ASan+UBSan tests"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-san --output-on-failure -j"$JOBS"
phase_done "sanitizer tests"

echo "== libFuzzer (ASan+UBSan): 30 s on decode+run, 60 s on the ELF loader"
mkdir -p build-san/corpus-vm build-san/corpus-loader
cp public/examples/*.o build-san/corpus-loader/
./build-san/fuzz_vm -max_total_time=30 -max_len=512 -print_final_stats=1 build-san/corpus-vm 2>&1 | tail -n 3
./build-san/fuzz_loader -max_total_time=60 -rss_limit_mb=2048 -print_final_stats=1 build-san/corpus-loader 2>&1 | tail -n 3
echo "fuzz: no crash"
phase_done "fuzz"
