#pragma once
// The tracing helpers that ask the emulated kernel about the traced function and the current
// task: user memory (bpf_copy_from_user, _task), the trampoline's arguments (bpf_get_func_arg,
// _ret, _arg_cnt), bpf_get_func_ip, bpf_get_attach_cookie, signals (bpf_send_signal, _thread),
// bpf_get_ns_current_pid_tgid, bpf_task_pt_regs, and bpf_read_branch_records /
// bpf_get_branch_snapshot on a CPU without LBR. kernel/trace/bpf_trace.c and
// kernel/bpf/helpers.c (Linux 6.18) are the reference.
#include <cstdint>
#include <optional>
#include <span>

#include "core/helpers/registry.hpp"
#include "core/loader/prog_types.hpp"

namespace bpfplay {

class Vm;

std::span<const HelperImpl> trace_helper_impls();

// Whether programs of `type` run with interrupts (or preemption) off, so the kernel defers
// work to this CPU's irq_work until they return: kprobes, tracepoints, perf events, packet
// hooks; not trampolines (fentry, fexit, lsm), syscall or struct_ops programs.
bool runs_with_irqs_off(ProgType type);

// bpf_send_signal_common(sig, type, task, value): `sig` to task `task` of the emulated kernel
// (kernel_objects.hpp: 0 the current one), to its thread alone (PIDTYPE_PID) or its process
// (PIDTYPE_TGID); `value` the siginfo's si_value bpf_send_signal_task gives, nullopt for the
// helpers (SEND_SIG_PRIV). What happens goes to the host's event log under `name`.
uint64_t send_signal_common(Vm& vm, const char* name, uint64_t sig, bool thread, uint32_t task,
                            std::optional<uint64_t> value);

}  // namespace bpfplay
