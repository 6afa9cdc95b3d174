#!/usr/bin/env bash
# Installs what building and testing bpfplay needs on Debian 12 (bookworm).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
    cmake ninja-build g++ clang llvm libclang-rt-14-dev \
    libelf-dev zlib1g-dev libbpf-dev linux-libc-dev \
    doctest-dev libbenchmark-dev pkg-config python3 \
    wabt >/dev/null  # wabt: wasm-validate checks the fast run's modules (tests/fastrun)
echo "install-deps: done"
