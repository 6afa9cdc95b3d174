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
# BPFPLAY_UNITY: the core libraries and bpfvm as unity builds (cmake/unity.cmake), in every CI
# build (native, wasm, sanitizer): one compile per batch of files instead of per file.
export BPFPLAY_UNITY=ON
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DBPFPLAY_UNITY=ON >/dev/null
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
    -DBPFPLAY_SANITIZE=ON -DBPFPLAY_FUZZ=ON -DBPFPLAY_BENCH=OFF -DBPFPLAY_UNITY=ON >/dev/null
cmake --build build-san -j"$JOBS"
phase_done "sanitizer build"
echo "== ASan+UBSan tests"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-san --output-on-failure -j"$JOBS"
phase_done "sanitizer tests"

echo "== libFuzzer (ASan+UBSan), 92 s: decode+run, ELF loader, BTF, host JSON, assembler, map C values, pcap, map-init, debugger commands, share links"
# Seeds from the repository (generated programs, examples, fixtures, conformance asm); each
# target writes new inputs to its own corpus folder. The "DONE cov: ft:" line is the coverage
# reached (cov: edges, ft: features), the stat:: lines how much was run.
python3 tools/fuzz/make_seeds.py build-san/seeds
fuzz() {  # fuzz TARGET SECONDS [libFuzzer flags]
    local target=$1 seconds=$2
    shift 2
    mkdir -p "build-san/corpus-$target"
    echo "-- fuzz_$target ($seconds s)"
    local log="build-san/fuzz_$target.log"
    if ! "./build-san/fuzz_$target" -max_total_time="$seconds" -print_final_stats=1 "$@" \
        "build-san/corpus-$target" "build-san/seeds/$target" >"$log" 2>&1; then
        tail -n 80 "$log"
        echo "fuzz_$target failed (the crashing input is named above)"
        return 1
    fi
    grep -E "^#[0-9]+[[:space:]]+DONE|stat::(number_of_executed_units|new_units_added|peak_rss_mb)" "$log"
}
fuzz vm 16 -max_len=2100
fuzz loader 18 -rss_limit_mb=2048
fuzz btf 10
fuzz host_json 8
fuzz asm 8
fuzz map_value 7
fuzz pcap 5
fuzz map_init 6
fuzz debug_cmd 8 -max_len=4096
fuzz share_link 6
echo "fuzz: no crash"
phase_done "fuzz"
