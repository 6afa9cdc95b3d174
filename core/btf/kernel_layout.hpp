#pragma once
// The layout of the emulated kernel's objects: the single source of truth for both the
// built-in target BTF (core/btf/builtin_target_btf.cpp describes these structs to CO-RE) and
// the bytes the run maps for them (core/host/kernel_objects.cpp writes a task_struct for
// bpf_get_current_task). Offsets do not match any real kernel -- CO-RE is what lets a program
// read them anyway -- but both sides use these constants, so they always agree.
#include <cstdint>

namespace bpfplay::kernel_layout {

// struct task_struct {                              offset
//     unsigned int __state;                         0   (0 = TASK_RUNNING)
//     unsigned int flags;                           4   (PF_*)
//     int prio;                                     8
//     pid_t pid;                                   12   (typedef __kernel_pid_t -> int)
//     pid_t tgid;                                  16
//     unsigned int in_execve:1;                    20, bit 0
//     unsigned int in_iowait:1;                    20, bit 1
//     unsigned int sched_reset_on_fork:1;          20, bit 2
//     struct task_struct *real_parent;             24
//     struct task_struct *parent;                  32
//     char comm[16];                               40   (TASK_COMM_LEN)
// };                                               size 56
namespace task_struct {
constexpr uint32_t kState = 0;
constexpr uint32_t kFlags = 4;
constexpr uint32_t kPrio = 8;
constexpr uint32_t kPid = 12;
constexpr uint32_t kTgid = 16;
constexpr uint32_t kBitfields = 20;      // the storage unit of the three 1-bit fields
constexpr uint32_t kInExecveBit = 0;     // bit numbers inside it (little-endian, from bit 0)
constexpr uint32_t kInIowaitBit = 1;
constexpr uint32_t kSchedResetOnForkBit = 2;
constexpr uint32_t kRealParent = 24;
constexpr uint32_t kParent = 32;
constexpr uint32_t kComm = 40;
constexpr uint32_t kCommLen = 16;
constexpr uint32_t kSize = 56;
}  // namespace task_struct

// struct pt_regs, x86-64 (arch/x86/include/asm/ptrace.h): 21 unsigned longs, in this order.
namespace pt_regs {
constexpr const char* kNames[] = {"r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8", "ax",
                                  "cx",  "dx",  "si",  "di",  "orig_ax", "ip", "cs", "flags", "sp", "ss"};
constexpr uint32_t kCount = 21;
constexpr uint32_t kSize = kCount * 8;
}  // namespace pt_regs

// enum pid_type (include/linux/pid.h).
namespace pid_type {
constexpr const char* kNames[] = {"PIDTYPE_PID", "PIDTYPE_TGID", "PIDTYPE_PGID", "PIDTYPE_SID", "PIDTYPE_MAX"};
constexpr uint32_t kCount = 5;
}  // namespace pid_type

}  // namespace bpfplay::kernel_layout
