#!/bin/bash
# bpfplay's benchmark loops in uBPF's interpreter and x86-64 JIT, on this machine, for issue 18's
# comparison ("the fast run within 3x of uBPF's JIT per instruction"). uBPF is not a bpfplay
# dependency: give a checkout of github.com/iovisor/ubpf (only its vm/ is compiled, with the
# CMake build's default flags, -O2). bpfplay's own figures: bench_portable, natively and in node.
# Usage: bench/ubpf/compare.sh UBPF_CHECKOUT [BUILD_DIR (default build)] [loop-iterations] [reps]
set -euo pipefail
ubpf=${1:?usage: compare.sh UBPF_CHECKOUT [BUILD_DIR] [loop-iterations] [repetitions]}
build=${2:-build}
n=${3:-20000000}
reps=${4:-5}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --build "$build" --target bench_write_loops >/dev/null
"$build/bench/bench_write_loops" "$work" "$n"

# ubpf_config.h from its CMake template: elf.h is there, retpolines stay on (uBPF's default).
sed -e 's/#cmakedefine UBPF_HAS_ELF_H$/#define UBPF_HAS_ELF_H/' -e 's/#cmakedefine .*//' \
    "$ubpf/vm/ubpf_config.h.inc" > "$work/ubpf_config.h"
srcs=()
for f in "$ubpf"/vm/*.c; do
  [ "$(basename "$f")" = test.c ] || srcs+=("$f")  # test.c is uBPF's own command-line tool
done
cc -O2 -w -I"$work" -I"$ubpf/vm" -I"$ubpf/vm/inc" "$here/ubpf_loops.c" "${srcs[@]}" -o "$work/ubpf_loops" -lm
echo "uBPF $(git -C "$ubpf" log -1 --format='%h %cs' 2>/dev/null || echo '(not a git checkout)'), $n loop iterations, best of $reps"
"$work/ubpf_loops" "$work" "$reps"
