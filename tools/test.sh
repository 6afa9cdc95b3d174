#!/usr/bin/env bash
# The whole test suite: installs dependencies, builds, runs ctest natively; builds for wasm
# (Emscripten) and runs the same suites under node; builds the playground and runs its unit and
# headless Chromium and Firefox tests; runs ctest again under AddressSanitizer +
# UndefinedBehaviorSanitizer; fuzzes the interpreter and the loader.
# Usage: bash tools/test.sh [--no-install]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != "--no-install" ]; then bash tools/install-deps.sh; fi

JOBS=2
# Release (-O3): GCC's flow-based warnings (-Warray-bounds...) depend on the optimization level
# and -Werror makes them build failures, so CI builds what a user's Release build compiles.
echo "== native build (Release)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$JOBS"
echo "== native tests"
ctest --test-dir build --output-on-failure -j"$JOBS"

echo "== wasm build and tests (Emscripten; the suites run under node)"
bash tools/build-wasm.sh
echo "== browser playground: build, unit tests, headless Chromium and Firefox tests"
BPFPLAY_WASM_DIR="$PWD/build-wasm/wasm-bindings" bash tools/test-browser.sh

echo "== ASan+UBSan build"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DBPFPLAY_SANITIZE=ON -DBPFPLAY_BENCH=OFF >/dev/null
cmake --build build-asan -j"$JOBS"
echo "== ASan+UBSan tests"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$JOBS"

echo "== libFuzzer (clang, ASan+UBSan): 30 s on decode+run, 60 s on the ELF loader"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DBPFPLAY_SANITIZE=ON -DBPFPLAY_FUZZ=ON -DBPFPLAY_TESTS=OFF -DBPFPLAY_BENCH=OFF >/dev/null
cmake --build build-fuzz -j"$JOBS" --target fuzz_vm fuzz_loader
mkdir -p build-fuzz/corpus-vm build-fuzz/corpus-loader
cp public/examples/*.o build-fuzz/corpus-loader/
./build-fuzz/fuzz_vm -max_total_time=30 -max_len=512 -print_final_stats=1 build-fuzz/corpus-vm 2>&1 | tail -n 3
./build-fuzz/fuzz_loader -max_total_time=60 -rss_limit_mb=2048 -print_final_stats=1 build-fuzz/corpus-loader 2>&1 | tail -n 3
echo "fuzz: no crash"
