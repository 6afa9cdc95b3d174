# Unity (jumbo) builds for CI: each library's .cpp files are compiled BPFPLAY_UNITY_BATCH at a
# time as one translation unit, so the headers they share (core's, the standard library's) are
# parsed and their inline code instantiated once per batch instead of once per file. Off by
# default: a developer's incremental build recompiles a whole batch for a one-file change.
# tools/test.sh and tools/build-wasm.sh (CI) turn it on.
#
# Only the core libraries and bpfvm: the test files each define their own small helpers and
# constants under the same names (r0_of, u32, kEinval...), which would collide in one unit.
#
# Keeping core unity-clean: no two .cpp files of one library may define the same name at
# namespace scope, anonymous namespaces and `static` included (they are one unit here). Share a
# duplicated helper or constant through a header (e.g. core/run/uapi_consts.hpp,
# core/run/helper_fail.hpp) instead of copying it; give genuinely different ones different names.
# Check with (batch 0: a whole library in one unit, so every pair of its files is checked; clang
# also reports a local constant that shadows another file's, -Wshadow; a few minutes at -O0):
#   CXX=clang++ cmake -S . -B /tmp/u -G Ninja -DCMAKE_BUILD_TYPE=Debug -DBPFPLAY_UNITY=ON \
#     -DBPFPLAY_UNITY_BATCH=0 -DBPFPLAY_TESTS=OFF -DBPFPLAY_BENCH=OFF && ninja -C /tmp/u -k 0
option(BPFPLAY_UNITY "Compile the core libraries and bpfvm as unity (jumbo) builds" OFF)
# 8, measured (GCC Release, -j2, core + bpfvm): 354 s wall; 16: 358 s, with 13% less CPU time but
# larger last units (bpfplay_debugger's one unit took 58 s) that left a core idle at the end.
set(BPFPLAY_UNITY_BATCH 8 CACHE STRING "Source files per unity translation unit (0: the whole target)")

# bpfplay_unity(TARGET): TARGET's sources in unity batches when BPFPLAY_UNITY is on.
function(bpfplay_unity target)
  if(BPFPLAY_UNITY)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${BPFPLAY_UNITY_BATCH})
  endif()
endfunction()
