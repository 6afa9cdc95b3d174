#!/usr/bin/env bash
# Builds tests/kernel/kernel_run, the tool that runs a BPF object in the real kernel.
# Not part of the CMake build. Needs gcc and libbpf (1.1 or later):
#   apt-get install -y gcc libbpf-dev libelf-dev zlib1g-dev
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# The binary goes to build/ (git-ignored) unless a path is given.
out="${1:-$here/../../build/kernel_run}"
mkdir -p "$(dirname "$out")"
if [ ! -f /usr/include/bpf/libbpf.h ]; then
  echo "tests/kernel/build.sh: libbpf headers not found. Install them: apt-get install -y libbpf-dev libelf-dev zlib1g-dev" >&2
  exit 1
fi
${CC:-gcc} -O2 -g -Wall -Wextra -Werror -std=gnu11 -o "$out" "$here/kernel_run.c" -lbpf -lelf -lz
echo "built $out"
