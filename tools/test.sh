#!/usr/bin/env bash
# The whole test suite: installs dependencies, builds, runs ctest natively and again under
# AddressSanitizer + UndefinedBehaviorSanitizer. Usage: bash tools/test.sh [--no-install]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != "--no-install" ]; then bash tools/install-deps.sh; fi

JOBS=2
echo "== native build"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$JOBS"
echo "== native tests"
ctest --test-dir build --output-on-failure -j"$JOBS"

echo "== ASan+UBSan build"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DBPFPLAY_SANITIZE=ON -DBPFPLAY_BENCH=OFF >/dev/null
cmake --build build-asan -j"$JOBS"
echo "== ASan+UBSan tests"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$JOBS"
