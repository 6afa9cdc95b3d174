#pragma once
// The tracing helpers that ask the emulated kernel about the traced function and the current
// task: user memory (bpf_copy_from_user, _task), the trampoline's arguments (bpf_get_func_arg,
// _ret, _arg_cnt), bpf_get_func_ip, bpf_get_attach_cookie, signals (bpf_send_signal, _thread),
// bpf_get_ns_current_pid_tgid, bpf_task_pt_regs, and bpf_read_branch_records /
// bpf_get_branch_snapshot on a CPU without LBR. kernel/trace/bpf_trace.c and
// kernel/bpf/helpers.c (Linux 6.18) are the reference.
#include <span>

#include "core/helpers/registry.hpp"
#include "core/loader/prog_types.hpp"

namespace bpfplay {

class Vm;
struct LoadedProgram;

std::span<const HelperImpl> trace_helper_impls();

// The running program as loaded (HelperEnv::program), or null.
const LoadedProgram* program_of(Vm& vm);

// Whether programs of `type` run with interrupts (or preemption) off, so the kernel defers
// work to this CPU's irq_work until they return: kprobes, tracepoints, perf events, packet
// hooks; not trampolines (fentry, fexit, lsm), syscall or struct_ops programs.
bool runs_with_irqs_off(ProgType type);

}  // namespace bpfplay
