#!/usr/bin/env bash
# Rebuilds every examples/*.c into public/examples/*.o and every examples/lessons/*.c (the
# playground's lessons: a starter and a solution each) into public/lessons/*.o (BPF ELF objects
# with BTF).
#
#   examples/build.sh                          all examples and lessons
#   examples/build.sh atomics                  only examples/atomics.c
#   examples/build.sh lessons/01_return.starter   one lesson file
#
# Needs clang (any version from 14 on) and libbpf's headers:
#   apt-get install -y clang llvm libbpf-dev
# The objects are committed, so nothing else in the project needs clang.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../public/examples"
CLANG="${CLANG:-clang}"

if ! command -v "$CLANG" >/dev/null 2>&1; then
  echo "examples/build.sh: '$CLANG' not found. Install it: apt-get install -y clang llvm libbpf-dev" >&2
  exit 1
fi
if [ ! -f /usr/include/bpf/bpf_helpers.h ]; then
  echo "examples/build.sh: libbpf headers (bpf/bpf_helpers.h) not found. Install them: apt-get install -y libbpf-dev" >&2
  exit 1
fi

# The kernel's UAPI headers (asm/types.h ...) live under the multiarch include directory.
multiarch="$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)"
# Compiled from the repository root, with the checkout path mapped to ".": the objects name
# "./examples/x.c", and clang, which reads each line's text into the BTF line info through
# the mapped path, finds it relative to the root (mapping to "examples" found nothing).
root="$(cd "$here/.." && pwd)"
CFLAGS=(-O2 -g -target bpf -mcpu=v3 -Wall -Werror -I"/usr/include/$multiarch" -fdebug-prefix-map="$root"=.)

mkdir -p "$out" "$here/../public/lessons"
if [ $# -gt 0 ]; then
  srcs=()
  for name in "$@"; do srcs+=("${name%.c}"); done
else
  srcs=()
  for src in "$here"/*.c "$here"/lessons/*.c; do
    rel="${src#"$here"/}"
    srcs+=("${rel%.c}")
  done
fi

# "atomics" -> public/examples/atomics.o; "lessons/01_return.starter" -> public/lessons/...
for name in "${srcs[@]}"; do
  case "$name" in
    lessons/*) obj="public/$name.o" ;;
    *) obj="public/examples/$name.o" ;;
  esac
  echo "  CC  examples/$name.c -> $obj"
  (cd "$here/.." && "$CLANG" "${CFLAGS[@]}" -c "examples/$name.c" -o "$obj")
done
