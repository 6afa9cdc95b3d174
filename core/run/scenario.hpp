#pragma once
// A scenario: a short script of what happens on the emulated host -- a process execs, later it
// exits -- played through the object's tracing programs. At each event the host changes as the
// event says (the current task's pid, comm, executable, exit status; the clock moves on), then
// every program of the object attached to one of the event's hooks runs, in the object's order,
// on the contexts that host gives (tracepoint records, tp_btf / raw_tp arguments,
// bpf_get_current_task). The maps persist from event to event, and after each event the ring
// buffers' records are taken out as the user space polling them would (ring_buffer__poll), so a
// learner sees the stream libbpf-bootstrap's or bcc's execsnoop-like tools print.
//
// Hooks per event (kScenarioHooks in scenario.cpp, one row each):
//   exec  tracepoint sched/sched_process_exec; tp_btf and raw_tp sched_process_exec
//   exit  tracepoint sched/sched_process_exit; tp_btf and raw_tp sched_process_exit
//
// The JSON form (bpfvm run --scenario FILE):
//   {"events": [{"exec": "/usr/bin/ls", "pid": 4243, "comm": "ls", "after_ns": 0},
//               {"exit": 4243, "status": 0, "after_ns": 2500000}]}
// An exec's pid defaults to a new one (the last + 1), its comm to the file's last part; an exit
// names the pid of an earlier exec (its comm and executable come back) and its exit status
// (0..255: the wait status is status << 8) or "signal" (a number: the wait status is it).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/run/object_session.hpp"

namespace bpfplay {

enum class ScenarioEventKind : uint8_t { Exec, Exit };

struct ScenarioEvent {
    ScenarioEventKind kind = ScenarioEventKind::Exec;
    uint64_t after_ns = 0;     // virtual time since the previous event
    uint32_t pid = 0;          // the task (its tgid too: one thread per process here)
    std::string comm;          // exec: the new comm (the kernel's: the file's last part)
    std::string filename;      // exec: the executable
    int32_t exit_code = 0;     // exit: task->exit_code, the wait status

    friend bool operator==(const ScenarioEvent&, const ScenarioEvent&) = default;
};

struct Scenario {
    std::vector<ScenarioEvent> events;
};

// ls and cat start a millisecond apart from a shell; ls exits 0 after 2.5 ms, cat exits 1.
Scenario default_scenario();

// The JSON form above; errors name the event and member.
Result<Scenario> scenario_from_json(std::string_view json);

// "exec: pid 4243 (ls) runs /usr/bin/ls", "exit: pid 4243 (ls) with status 0"
std::string scenario_event_text(const ScenarioEvent& e);

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
