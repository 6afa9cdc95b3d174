#pragma once
// A scenario: a short script of what happens on the emulated host -- a process execs, opens a
// file, is switched out and woken, exits -- played through the object's tracing programs. At
// each event the host changes as the event says (the current task's pid, comm, executable, exit
// status, the system call it is in, the other task a scheduler event names; the clock moves
// on), then every program of the object attached to one of the event's hooks runs, hook by hook
// in the order the kernel reaches them and, on one hook, in the object's order (libbpf attaches
// them so), on the contexts that host gives (tracepoint records, tp_btf / raw_tp, fentry / fexit
// arguments, kprobe registers, bpf_get_current_task). The maps persist from event to event, and
// after each event the ring buffers' records are taken out as the user space polling them would
// (ring_buffer__poll), so a learner sees the stream libbpf-bootstrap's or bcc's execsnoop-,
// opensnoop- or runqslower-like tools print.
//
// Hooks per event (kScenarioHooks in scenario.cpp, one row each, in the kernel's order):
//   exec        tracepoint sched/sched_process_exec; tp_btf and raw_tp sched_process_exec
//   exit        tracepoint sched/sched_process_exit; tp_btf and raw_tp sched_process_exit
//   open        openat(AT_FDCWD, path, flags, mode) from the task's user memory: tracepoints
//               raw_syscalls/sys_enter and syscalls/sys_enter_openat, tp_btf / raw_tp sys_enter
//               (regs: the task's pt_regs, id 257); kprobe / fentry do_sys_openat2 (dfd,
//               filename, how: the struct open_how build_open_how makes); when the open
//               succeeds kprobe / fentry vfs_open (the file's struct path and struct file) and
//               fexit vfs_open; kretprobe / fexit do_sys_openat2 (ret); tracepoints
//               syscalls/sys_exit_openat and raw_syscalls/sys_exit, tp_btf / raw_tp sys_exit
//   switch      tracepoint sched/sched_switch (prev_* the current task, next_* the other, prev_state
//               as the kernel reports it: 1 S, 2 D, 0x100 "R+" when preempted); tp_btf / raw_tp
//               sched_switch (preempt, prev, next: task_structs, prev_state: prev->__state)
//   wakeup      tracepoint sched/sched_wakeup; tp_btf / raw_tp sched_wakeup (p: the woken task)
//   wakeup_new  the same for sched_wakeup_new (a task's first wakeup, after fork)
//
// The JSON form (bpfvm run --scenario FILE):
//   {"events": [{"exec": "/usr/bin/ls", "pid": 4243, "comm": "ls", "after_ns": 0},
//               {"open": "/etc/ld.so.cache", "flags": "O_RDONLY|O_CLOEXEC", "after_ns": 1000},
//               {"open": "/etc/shadow", "pid": 4243, "error": 13},
//               {"switch": 4244, "prev_state": "S"}, {"wakeup": 4243, "pid": 4244},
//               {"exit": 4243, "status": 0, "after_ns": 2500000}]}
// An exec's pid defaults to a new one (the last + 1), its comm to the file's last part; an exit
// names the pid of an earlier exec (its comm and executable come back) and its exit status
// (0..255: the wait status is status << 8) or "signal" (a number: the wait status is it).
// "pid" names the task that is current at an open, switch or wakeup (default: the task that ran
// last: the last exec's, open's, or the one a switch switched to), an earlier exec's. An open's
// "flags" are a number or names joined by '|' (default O_RDONLY), its "mode" a number (default
// 0), and it returns "fd" (default: the task's lowest unused, from 3) or fails with "error" (an
// errno, 1 to 4095: the call returns -error). A switch names the task switched to and
// "prev_state": "S" (the current task sleeps, the default), "D" (uninterruptible), or "R" (it is
// preempted, still runnable). A wakeup or wakeup_new names the task woken.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/run/object_session.hpp"

namespace bpfplay {

enum class ScenarioEventKind : uint8_t { Exec, Exit, Open, Switch, Wakeup, WakeupNew };

struct ScenarioEvent {
    ScenarioEventKind kind = ScenarioEventKind::Exec;
    uint64_t after_ns = 0;     // virtual time since the previous event
    uint32_t pid = 0;          // the current task (its tgid too: one thread per process here)
    std::string comm;          // exec: the new comm (the kernel's: the file's last part)
    std::string filename;      // the task's executable (exec: the one it runs)
    int32_t exit_code = 0;     // exit: task->exit_code, the wait status
    // open: the path, openat's flags and mode, what it returns (an fd, or -errno)
    std::string path{};
    uint32_t flags = 0;
    uint32_t mode = 0;
    int32_t ret = 0;
    // switch: the task switched to; wakeup, wakeup_new: the task woken
    uint32_t other_pid = 0;
    std::string other_comm{}, other_filename{};
    // switch: the current task's __state as it leaves the CPU: TASK_RUNNING (0) when it is
    // preempted, TASK_INTERRUPTIBLE (1) or TASK_UNINTERRUPTIBLE (2) when it sleeps
    uint32_t prev_state = 1;

    friend bool operator==(const ScenarioEvent&, const ScenarioEvent&) = default;
};

struct Scenario {
    std::vector<ScenarioEvent> events;
};

// ls and cat start a millisecond apart from a shell; ls opens /etc/ld.so.cache (fd 3), cat
// fails to open /etc/shadow (EACCES); ls blocks and cat runs, ls is woken and preempts cat; ls
// exits 0 3.5 ms after its exec, cat exits 1.
Scenario default_scenario();

// The JSON form above; errors name the event and member.
Result<Scenario> scenario_from_json(std::string_view json);

// "exec: pid 4243 (ls) runs /usr/bin/ls", "exit: pid 4243 (ls) with status 0",
// "open: pid 4243 (ls) opens /etc/ld.so.cache (O_RDONLY|O_CLOEXEC): fd 3",
// "switch: pid 4243 (ls) sleeps (S), pid 4244 (cat) runs", "wakeup: pid 4244 (cat) wakes pid 4243 (ls)"
std::string scenario_event_text(const ScenarioEvent& e);

// "exec", "exit", "open", "switch", "wakeup", "wakeup_new": the JSON member naming the event.
std::string_view scenario_event_name(ScenarioEventKind kind);

// The hooks an event's programs attach to, as section names: "tp/sched/sched_switch",
// "tp_btf/sched_switch", "raw_tp/sched_switch", "kprobe/do_sys_openat2", ...
std::vector<std::string> scenario_hook_sections(ScenarioEventKind kind);

struct ScenarioRecord {
    std::string map;             // the ring buffer
    std::vector<uint8_t> bytes;  // one record, as the reader gets it
};

struct ScenarioStep {
    size_t event = 0;            // index into Scenario::events
    uint64_t time_ns = 0;        // the clock when the event happened (bpf_ktime_get_ns' scale)
    std::string text;            // scenario_event_text
    std::vector<RunResult> runs; // each attached program's run, in the object's order
    std::vector<ScenarioRecord> records;  // ring buffer records the runs submitted
};

// The object's programs attached to one of the event's hooks.
std::vector<const LoadedProgram*> scenario_programs(const ObjectSession& session, ScenarioEventKind kind);

// Plays every event in order. An error when no program of the object is attached to any hook
// of the scenario's events (the list says which hooks there are).
Result<std::vector<ScenarioStep>> play_scenario(ObjectSession& session, const Scenario& scenario);

// For people: per event its line, then each program's result and the records, indented.
std::string scenario_text(const ObjectSession& session, const std::vector<ScenarioStep>& steps);

}  // namespace bpfplay
