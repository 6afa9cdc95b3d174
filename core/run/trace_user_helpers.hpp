#pragma once
// Tracing helpers that reach the current task's address space and its files, or change what
// the traced code does (core/run/trace_user_helpers.cpp; kernel/bpf/task_iter.c and
// kernel/trace/bpf_trace.c of Linux 6.18 are the reference):
//
//   id  name                   returns
//   36  bpf_probe_write_user   0; -EFAULT when a byte is not in writable user memory (the bytes
//                              before it are written), -EPERM in a perf event (NMI) program or
//                              for an exiting task
//   58  bpf_override_return    0: the probed function is skipped and returns rc (event log)
//  147  bpf_d_path             the path's length with its NUL; -ENAMETOOLONG when sz is too small,
//                              -EFAULT when the struct path cannot be read, 0 for sz 0
//  180  bpf_find_vma           0 after calling the callback with the area holding addr; -ENOENT
//                              without one (or without an mm), -EINVAL for flags, -EBUSY for a
//                              second call in a program that runs with interrupts off
//
// On this kernel's configuration no program type may call 36 (lockdown) or 58
// (CONFIG_BPF_KPROBE_OVERRIDE is off): the catalog refuses them at load, so only raw programs
// (no section) reach them.
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

std::span<const HelperImpl> trace_user_helper_impls();

}  // namespace bpfplay
