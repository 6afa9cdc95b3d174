#!/usr/bin/env bash
# Builds zlib and libelf (elfutils) for wasm32 with Emscripten, from Debian's source packages,
# into a cache prefix: lib/libelf.a, lib/libz.a, include/{libelf.h,gelf.h,nlist.h,zlib.h,zconf.h}.
# Idempotent: exits at once when the prefix already holds the result.
# Usage: bash tools/build-wasm-libelf.sh [PREFIX]   (default: $REPO/.cache/wasm-deps)
# Needs root (or sudo) the first time: installs emscripten and dpkg-dev, adds a deb-src entry.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
PREFIX="${1:-${BPFPLAY_WASM_DEPS:-$REPO/.cache/wasm-deps}}"
mkdir -p "$PREFIX"
PREFIX="$(cd "$PREFIX" && pwd)"
JOBS=2
CFLAGS_WASM="-O2"

have_result() {
    local f
    for f in lib/libelf.a lib/libz.a include/libelf.h include/gelf.h include/nlist.h include/zlib.h include/zconf.h; do
        [ -s "$PREFIX/$f" ] || return 1
    done
}
if have_result; then
    echo "build-wasm-libelf: $PREFIX already has libelf.a and libz.a"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# The machine's node is not Debian's: emcc needs Debian's node modules (acorn) on NODE_PATH.
export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"

# 1. Source packages need a deb-src entry.
has_deb_src() {
    grep -Eqs '^[[:space:]]*Types:.*deb-src' /etc/apt/sources.list.d/*.sources ||
        grep -Eqs '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list
}
if ! has_deb_src; then
    echo "build-wasm-libelf: adding a deb-src entry"
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        sed -E 's/^([[:space:]]*Types:[[:space:]]*)deb[[:space:]]*$/\1deb-src/' /etc/apt/sources.list.d/debian.sources |
            $SUDO tee /etc/apt/sources.list.d/bpfplay-deb-src.sources >/dev/null
    else
        echo "deb-src http://deb.debian.org/debian bookworm main" |
            $SUDO tee /etc/apt/sources.list.d/bpfplay-deb-src.list >/dev/null
    fi
    $SUDO apt-get update -qq
fi

# 2. Tools: emscripten, dpkg-source, and a native C toolchain for elfutils' ./configure.
need=()
command -v emcc >/dev/null || need+=(emscripten)
command -v dpkg-source >/dev/null || need+=(dpkg-dev)
command -v gcc >/dev/null || need+=(gcc)
command -v make >/dev/null || need+=(make)
command -v xz >/dev/null || need+=(xz-utils)
command -v bzip2 >/dev/null || need+=(bzip2)
dpkg -s zlib1g-dev >/dev/null 2>&1 || need+=(zlib1g-dev)  # elfutils' configure requires zlib
if [ ${#need[@]} -gt 0 ]; then
    echo "build-wasm-libelf: installing ${need[*]}"
    # Without a prior update, a fresh machine has no package lists.
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/bpfplay-wasm-deps.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
LOG="$WORK/log"
# Quiet unless a step fails: then its log is shown.
step() {
    local what="$1"
    shift
    if ! "$@" >"$LOG" 2>&1; then
        echo "build-wasm-libelf: FAILED: $what" >&2
        tail -n 60 "$LOG" >&2
        exit 1
    fi
}

cd "$WORK"
echo "build-wasm-libelf: fetching sources (apt-get source zlib elfutils)"
# apt's sandbox user cannot write to a root-owned mktemp dir; as root apt falls back with a warning.
# A mirror may list a security update's source without serving its files (seen: zlib
# 1.2.13.dfsg-1+deb12u1 gave 404): then try each version the archive lists, newest first.
fetch_source() {
    local pkg="$1" v
    apt-get source -qq "$pkg" >"$LOG" 2>&1 && return 0
    for v in $(apt-cache showsrc "$pkg" | sed -n 's/^Version: //p' | sort -u | sort -rV); do
        echo "build-wasm-libelf: $pkg: the newest source failed; trying $pkg=$v"
        apt-get source -qq "$pkg=$v" >"$LOG" 2>&1 && return 0
    done
    echo "build-wasm-libelf: FAILED: apt-get source $pkg" >&2
    tail -n 20 "$LOG" >&2
    exit 1
}
fetch_source zlib
fetch_source elfutils
ZSRC="$(find "$WORK" -maxdepth 1 -type d -name 'zlib-*' | head -n 1)"
ESRC="$(find "$WORK" -maxdepth 1 -type d -name 'elfutils-*' | head -n 1)"
[ -n "$ZSRC" ] && [ -n "$ESRC" ] || { echo "build-wasm-libelf: sources not unpacked" >&2; exit 1; }

mkdir -p "$PREFIX/lib" "$PREFIX/include"

# 3. zlib.
echo "build-wasm-libelf: zlib ($(basename "$ZSRC"))"
cd "$ZSRC"
step "zlib configure" env CFLAGS="$CFLAGS_WASM" emconfigure ./configure --static --prefix="$PREFIX"
step "zlib make" emmake make -j"$JOBS" libz.a
cp zlib.h zconf.h "$PREFIX/include/"

# 4. libelf: elfutils' ./configure natively, only for config.h; then libelf/*.c with emcc.
echo "build-wasm-libelf: libelf ($(basename "$ESRC"))"
cd "$ESRC"
step "elfutils configure (native, for config.h)" ./configure --disable-debuginfod --disable-libdebuginfod --disable-nls
# Emscripten's musl has err.h but not glibc's error.h: use elfutils' own error() (lib/error.c).
sed -i -e 's|^#define HAVE_ERROR_H 1|/* #undef HAVE_ERROR_H (wasm) */|' config.h
# musl has no rawmemchr (libelf/elf_getarsym.c uses it).
cat >"$WORK/wasm_shim.h" <<'EOF'
#ifndef BPFPLAY_WASM_SHIM_H
#define BPFPLAY_WASM_SHIM_H
static inline void *bpfplay_rawmemchr(const void *s, int c) {
  const unsigned char *p = (const unsigned char *) s;
  while (*p != (unsigned char) c)
    ++p;
  return (void *) p;
}
#define rawmemchr bpfplay_rawmemchr
#endif
EOF
srcs=$(sed -n '/^libelf_a_SOURCES/,/^$/p' libelf/Makefile.am | sed -e 's/^libelf_a_SOURCES *=//' -e 's/\\//g')
OBJ="$WORK/obj"
mkdir -p "$OBJ"
compile_one() {
    emcc $CFLAGS_WASM -std=gnu99 -D_GNU_SOURCE -DHAVE_CONFIG_H -DNDEBUG \
        -include "$WORK/wasm_shim.h" -I. -Ilib -Ilibelf -I"$PREFIX/include" \
        -w -c "$1" -o "$OBJ/$(basename "${1%.c}").o"
}
export -f compile_one
export WORK OBJ PREFIX CFLAGS_WASM
files=()
for s in $srcs; do files+=("libelf/$s"); done
files+=(lib/error.c)  # error() fallback; lib/crc32.c and lib/next_prime.c are #included by libelf
step "libelf compile" bash -c 'printf "%s\n" "$@" | xargs -P '"$JOBS"' -n 1 bash -c '\''compile_one "$0"'\''' _ "${files[@]}"
rm -f "$WORK/libelf.a"
step "libelf archive" emar rcs "$WORK/libelf.a" "$OBJ"/*.o
cp libelf/libelf.h libelf/gelf.h libelf/nlist.h "$PREFIX/include/"
# Last, so that an interrupted build is never taken for a finished one.
cp "$ZSRC/libz.a" "$PREFIX/lib/libz.a"
cp "$WORK/libelf.a" "$PREFIX/lib/libelf.a"
have_result
echo "build-wasm-libelf: done: $PREFIX/lib/{libelf.a,libz.a}"
