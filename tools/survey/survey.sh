#!/usr/bin/env bash
# survey.sh -- how do real BPF programs from public projects fare in bpfplay?
#
#   tools/survey/survey.sh SRC_DIR [LABEL]
#
# Compiles every BPF C source under SRC_DIR as a user of that project would (clang -O2 -g
# -target bpf -mcpu=v3 -D__TARGET_ARCH_x86), then for each program of each object asks bpfvm
# whether it loads (`bpfvm info --json`), runs it once (`bpfvm run --json`, on a 64-byte IPv4/TCP
# packet for the packet program types), asks bpfplay's checker (`bpfvm verify --json`) and, as root
# where bpf(2) works, the running kernel (tools/survey/kload.c, built here with -lbpf) whether
# the program would load. It fetches nothing: get the sources yourself (the README's survey section
# and the survey's report name the projects and commits).
#
# One line per program, tab-separated:
#   LABEL/SOURCE  PROGRAM  SECTION  TYPE  LOAD  RUN  CHECK  KERNEL
#   LOAD    ok | refused: <why>          (bpfplay's loader)
#   RUN     exit rc=N insns=K [(kernel: same r0) | (kernel: r0=M)] | stop: <why> | -
#           (one run with the default host; the kernel's r0 where it ran the packet too)
#   CHECK   accept | refuse: <msg> | cannot tell: <msg>   (bpfplay's static checker)
#   KERNEL  ok [r0=N] | refused: <verifier's last line> | libbpf: <why libbpf stopped before the kernel
#           saw it: an unknown section name, an attach target or map size user space sets> |
#           not-allowed: EPERM (this machine refuses the program type to root) | -
# Objects that do not compile get one line with PROGRAM "*" and the compiler's first error.
# A summary line per LABEL ends the output: "# LABEL: N programs, L load, R run to exit ...".
#
# A BPF source is a .c file without a main() that contains SEC( or includes a local header that
# does. Include path: the file's folder, its parent, SRC_DIR, then $SURVEY_CFLAGS (e.g.
# "-I/path/to/libbpf/src/.. -I/path/with/vmlinux.h"); a newer libbpf's bpf/*.h than the system's
# goes there, as the projects vendor one.
#
# Environment: BPFVM (default build/bpfvm of this tree), SURVEY_OBJ (where objects go; default a
# temporary folder), SURVEY_CFLAGS, SURVEY_KERNEL=0 to skip the kernel column, CLANG.
#
# The survey of December 2026 ran it per project:
#   SURVEY_CFLAGS="-I$LIBBPF_HEADERS -I$VMLINUX_DIR" survey.sh libbpf-bootstrap/examples/c bootstrap
#   SURVEY_CFLAGS="-I$LIBBPF_HEADERS" survey.sh xdp-tutorial xdp-tutorial
#   SURVEY_CFLAGS="-I$LIBBPF_HEADERS -I$VMLINUX_DIR" survey.sh bcc/libbpf-tools libbpf-tools
#   SURVEY_CFLAGS="-I$LIBBPF_HEADERS -Ixdp-tools/headers" survey.sh xdp-tools xdp-tools
#   SURVEY_CFLAGS="-Iebpf/examples/headers" survey.sh ebpf/examples cilium-ebpf
# with LIBBPF_HEADERS a folder holding libbpf's src/*.h as bpf/*.h and VMLINUX_DIR one holding
# `bpftool btf dump file /sys/kernel/btf/vmlinux format c > vmlinux.h` (for bcc, its own
# libbpf-tools/x86/vmlinux_614.h as vmlinux.h, which declares the kfuncs sigsnoop calls).
# xdp-tutorial and xdp-tools include glibc headers: give an empty gnu/stubs-32.h folder with -I
# (what libc6-dev-i386, which xdp-tutorial's setup asks for, provides); xdp-tools also needs
# "-std=gnu2x -include stdbool.h -DHAVE_LIBBPF_BPF_PROGRAM__TYPE -DHAVE_LIBBPF_BPF_PROGRAM__FLAGS"
# (its configure's answers for a current libbpf). Sources: libbpf-bootstrap 80334a2,
# xdp-tutorial cc5e32b, bcc 6d0a964c, xdp-tools f0b4ac2, cilium/ebpf 5ba0b3b2, libbpf f7081a6b;
# the result is results-2026-12-07.tsv next to this script.
set -uo pipefail

if [[ $# -lt 1 || ! -d "$1" ]]; then
  echo "usage: $0 SRC_DIR [LABEL]" >&2
  exit 2
fi
src_dir="$(cd "$1" && pwd)"
label="${2:-$(basename "$src_dir")}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
BPFVM="${BPFVM:-$root/build/bpfvm}"
CLANG="${CLANG:-clang}"
multiarch="$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)"
obj_dir="${SURVEY_OBJ:-$(mktemp -d)}"
mkdir -p "$obj_dir"
if [[ ! -x "$BPFVM" ]]; then
  echo "no bpfvm at $BPFVM (build it: ninja -C build bpfvm, or set BPFVM)" >&2
  exit 2
fi

# The kernel's verdicts need libbpf and root; without them the column is "-".
kload=""
if [[ "${SURVEY_KERNEL:-1}" != 0 && $(id -u) == 0 ]]; then
  kload="$obj_dir/kload"
  if ! gcc -O2 -o "$kload" "$here/kload.c" -lbpf 2>/dev/null; then kload=""; fi
fi

is_bpf_source() {
  local f="$1" dir
  grep -qE '^[[:space:]]*int[[:space:]]+main[[:space:]]*\(' "$f" && return 1
  grep -q 'SEC(' "$f" && return 0
  dir="$(dirname "$f")"
  local h
  for h in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
    [[ -f "$dir/$h" ]] && grep -q 'SEC(' "$dir/$h" && return 0
  done
  return 1
}


# The packet the packet program types run on (both here and in the kernel): Ethernet, IPv4
# 10.0.0.1 -> 10.0.0.2, TCP 1234 -> 80 SYN, 10 bytes of payload, from the examples' builder.
packet_hex="$(python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import packets
print(packets.tcp4("10.0.0.1", "10.0.0.2", 1234, 80, flags="S", payload=b"bpfplay!\r\n").hex())' "$root/tests/kernel")"

lines="$(mktemp)"
trap 'rm -f "$lines"' EXIT
while IFS= read -r -d '' src; do
  is_bpf_source "$src" || continue
  rel="${src#"$src_dir"/}"
  name="$(echo "${rel%.c}" | tr '/' '_')"
  obj="$obj_dir/$label.$name.o"
  dir="$(dirname "$src")"
  # shellcheck disable=SC2086
  if ! err="$("$CLANG" -O2 -g -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -I"$dir" -I"$dir/.." -I"$src_dir" \
      ${SURVEY_CFLAGS:-} -I"/usr/include/$multiarch" -c "$src" -o "$obj" 2>&1)"; then
    first="$(grep -m1 'error' <<<"$err" | sed "s|$src_dir/||")"
    printf '%s/%s\t*\t-\t-\tcompile: %s\t-\t-\t-\n' "$label" "$rel" "$first"
    continue
  fi
  kernel_out=""
  [[ -n "$kload" ]] && kernel_out="$("$kload" "$obj" "$packet_hex" 2>/dev/null)"
  LABEL="$label" REL="$rel" OBJ="$obj" BPFVM="$BPFVM" PACKET="$packet_hex" KERNEL_OUT="$kernel_out" \
    KERNEL_ASKED="${kload:+1}" python3 "$here/survey_object.py"
done < <(find "$src_dir" -name '*.c' -print0 | sort -z) | tee "$lines"

# The counts: programs, how many load, run to exit, the kernel accepts, and where bpfplay's
# checker and the kernel disagree.
awk -F'\t' -v label="$label" '
  { n++ }
  $5 == "ok" { loads++ }
  $6 ~ /^exit/ { runs++ }
  $8 ~ /^ok/ { kok++ }
  $6 ~ /kernel: same r0/ { same++; compared++ }
  $6 ~ /kernel: r0=/ { compared++ }
  $8 ~ /^refused/ { kno++ }
  $8 ~ /^ok/ && $5 != "ok" { lost++ }
  $8 ~ /^ok/ && $7 ~ /^refuse/ { falsely_refused++ }
  $8 ~ /^refused/ && $7 == "accept" { falsely_accepted++ }
  END { printf "# %s: %d programs, %d load, %d run to exit (%d of %d run on the packet in both return the kernel'"'"'s r0); kernel: %d accept, %d refuse (verifier); bpfplay does not load %d the kernel accepts; checker refuses %d the kernel accepts, accepts %d it refuses\n",
               label, n, loads, runs, same, compared, kok, kno, lost, falsely_refused, falsely_accepted }' "$lines"
