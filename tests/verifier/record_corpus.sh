#!/usr/bin/env bash
# Recompiles tests/verifier/corpus/*.c and records the running kernel's verdict for each in
# corpus/verdicts.json (root only: BPF_PROG_LOAD with the verifier log). The compiled .o files
# and the JSON are committed, so the test needs neither clang nor the kernel.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tool="$root/build/verifier_log"
gcc -O2 -Wall -Wextra -o "$tool" "$here/verifier_log.c" -lbpf -lelf -lz
multiarch="$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)"
out="$here/corpus/verdicts.json"
{
  echo "{"
  first=1
  for c in "$here"/corpus/*.c; do
    name="$(basename "$c" .c)"
    (cd "$root" && clang -O2 -g -target bpf -mcpu=v3 -Wall -I"/usr/include/$multiarch" \
        -fdebug-prefix-map="$root"=. -c "tests/verifier/corpus/$name.c" -o "tests/verifier/corpus/$name.o")
    line="$("$tool" "$here/corpus/$name.o")"
    [ $first -eq 1 ] || echo ","
    first=0
    printf '  "%s": %s' "$name" "$line"
  done
  echo
  echo "}"
} > "$out"
echo "wrote $out"
