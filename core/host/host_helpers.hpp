#pragma once
// The kernel helpers that read or write the emulated host (core/host/host.hpp), with the ids of
// the kernel's __BPF_FUNC_MAPPER (linux/bpf.h) and its names. Each finds the Host through
// vm.user and stops the run with a Helper error when vm.user is null.
//
//   id  name                       returns
//    5  bpf_ktime_get_ns           Host::ktime_ns
//    6  bpf_trace_printk           bytes formatted, or -EINVAL / -ENOSPC (see bprintf.hpp)
//    7  bpf_get_prandom_u32        the next Host::prandom output
//    8  bpf_get_smp_processor_id   Host::cpu
//   14  bpf_get_current_pid_tgid   tgid << 32 | pid
//   15  bpf_get_current_uid_gid    gid << 32 | uid
//   16  bpf_get_current_comm       0, or -EINVAL for size 0 (see task_helpers.cpp)
//   35  bpf_get_current_task       address of the emulated task_struct (kernel_objects.hpp)
//   42  bpf_get_numa_node_id       Host::numa_node
//  118  bpf_jiffies64              Host::jiffies64
//  125  bpf_ktime_get_boot_ns      Host::boot_ns
//  158  bpf_get_current_task_btf   the same address as bpf_get_current_task
//  153  bpf_per_cpu_ptr            CPU n's copy of a per-CPU __ksym variable, NULL for n >= ncpus
//  154  bpf_this_cpu_ptr           Host::cpu's copy (kernel_percpu.hpp)
//  160  bpf_ktime_get_coarse_ns    Host::coarse_ns
//  208  bpf_ktime_get_tai_ns       Host::tai_ns
//
// Pointer arguments the kernel's verifier would refuse (memory the program may not read or
// write) stop the run with a Memory error, as the program could never have been loaded.
#include <cstdint>

namespace bpfplay {

class HelperRegistry;

namespace helper_id {
constexpr int32_t kKtimeGetNs = 5;
constexpr int32_t kTracePrintk = 6;
constexpr int32_t kGetPrandomU32 = 7;
constexpr int32_t kGetSmpProcessorId = 8;
constexpr int32_t kGetCurrentPidTgid = 14;
constexpr int32_t kGetCurrentUidGid = 15;
constexpr int32_t kGetCurrentComm = 16;
constexpr int32_t kGetCurrentTask = 35;
constexpr int32_t kGetNumaNodeId = 42;
constexpr int32_t kJiffies64 = 118;
constexpr int32_t kKtimeGetBootNs = 125;
constexpr int32_t kGetCurrentTaskBtf = 158;
constexpr int32_t kPerCpuPtr = 153;
constexpr int32_t kThisCpuPtr = 154;
constexpr int32_t kKtimeGetCoarseNs = 160;
constexpr int32_t kKtimeGetTaiNs = 208;
}  // namespace helper_id

// Registers every helper above (replacing any with the same id). Not for the same registry as
// add_plugin_helpers: the conformance plugin's ids 0-5 are kernel ids too (5 is ktime_get_ns).
void add_host_helpers(HelperRegistry& registry);

}  // namespace bpfplay
