#pragma once
// The emulated kernel's vmlinux BTF: the few types the emulated contexts and kernel objects
// expose, described to CO-RE. A program compiled against its own (partial, possibly older or
// newer) idea of `struct task_struct` has its field accesses relocated against these types,
// as libbpf relocates them against /sys/kernel/btf/vmlinux.
//
//   struct task_struct   __state flags prio pid tgid in_execve:1 in_iowait:1
//                        sched_reset_on_fork:1 real_parent parent comm[16]  (56 bytes)
//   struct pt_regs       x86-64: r15 r14 r13 r12 bp bx r11 r10 r9 r8 ax cx dx si di orig_ax
//                        ip cs flags sp ss, all unsigned long (168 bytes)
//   enum pid_type        PIDTYPE_PID .. PIDTYPE_MAX
//   char, int, unsigned int, long, unsigned long, long long, unsigned long long,
//   typedefs __kernel_pid_t and pid_t (int), u32, u64
//
// Layouts come from core/btf/kernel_layout.hpp, which the run's task_struct bytes use too.
#include "core/btf/btf.hpp"

namespace bpfplay {

// Built once (and parsed with parse_btf, so it passes the same validation as any .BTF).
const Btf& builtin_target_btf();

// The raw .BTF bytes of it (header, types, strings), e.g. to dump with bpftool or compare.
const std::vector<uint8_t>& builtin_target_btf_bytes();

}  // namespace bpfplay
