#pragma once
// The emulated kernel's vmlinux BTF: Linux 6.18's own types (x86-64), trimmed to what tracing
// programs reach by tools/vmlinux_btf/trim.py (core/btf/data/vmlinux-6.18.btf, compiled in by
// cmake/embed_bytes.cmake). A program compiled against its own (partial, possibly older or
// newer) idea of `struct task_struct` has its field accesses relocated against these types,
// as libbpf relocates them against /sys/kernel/btf/vmlinux -- and since the offsets are the
// real kernel's, a program compiled against a real vmlinux.h needs no relocation at all.
//
// Kept whole: task_struct, mm_struct, file, path, dentry, inode, fs_struct, nsproxy,
// pid_namespace, cred, signal_struct, css_set, cgroup, kernfs_node, sched_entity, cfs_rq, pid,
// sock, inet_sock, tcp_sock, sk_buff, net_device, pt_regs, linux_binprm, trace_event_raw_*
// of the common tracepoints, ... and everything they hold by value. A pointer to any other
// struct points at a FWD of its name. The emulated kernel objects (core/host/kernel_objects.cpp)
// are laid out by these types (core/host/kernel_object_writer.hpp).
#include <span>

#include "core/btf/btf.hpp"

namespace bpfplay {

// Parsed once (with parse_btf, so it passes the same validation as any .BTF).
const Btf& builtin_target_btf();

// The raw .BTF bytes of it (header, types, strings), e.g. to dump with bpftool or compare.
const std::vector<uint8_t>& builtin_target_btf_bytes();

}  // namespace bpfplay
