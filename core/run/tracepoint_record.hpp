#pragma once
// The context of a SEC("tracepoint/<system>/<event>") program (also "tp/..."): the event's
// record as the kernel writes it into the perf buffer (perf_trace_<class> in
// include/trace/perf.h) and hands the program (perf_trace_run_bpf_submit), laid out by the
// event's tracefs format (core/run/tracepoint_formats.hpp), each field a named slot of
// core/run/btf_args_context.hpp so it is set (--arg, the page), shown and checked the way
// fentry arguments are.
//
// Default values come from the emulated host where a field plainly is one of its facts, 0
// otherwise:
//   common_type                 the event id
//   common_pid, pid, prev_pid, next_pid, old_pid, child_pid   the current task's pid (tgid:
//                               its tgid)
//   comm, prev_comm, next_comm, parent_comm, child_comm   its comm (char[16] or __data_loc)
//   a __data_loc char[] filename  its executable (sched_process_exec's); other __data_loc
//                               strings "" and arrays empty
//   syscalls' __syscall_nr      the event's syscall number
//   raw_syscalls' id, args[]    and the arguments of sys_enter_<call> for the call the current
//                               task is in (Host::syscall, its pt_regs): by default
//                               openat(AT_FDCWD, "/etc/hostname", 0), so sys_enter_openat's dfd
//                               is -100 and filename the path's user address
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/run/btf_args_context.hpp"

namespace bpfplay {

struct Host;

// The record of `target` ("sched/sched_switch", a tracepoint section's attach target); an error
// naming it when the kernel has no such event.
Result<BtfArgsLayout> tracepoint_record_layout(std::string_view target);

// The record with every field at its default: the fixed part, then the __data_loc data.
std::vector<uint8_t> tracepoint_record_defaults(const BtfArgsLayout& layout, const Host& host);

}  // namespace bpfplay
