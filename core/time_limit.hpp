#pragma once
// A wall-clock limit on a run, for callers that cannot wait forever (the CLI). The instruction
// budget bounds a run's instructions, not its time: a helper can do much work in one
// instruction (bpf_loop, a map walk), and runs repeat (--repeat, timers). So the caller gives a
// deadline, and the run goes in slices of kTimeLimitSlice instructions with the clock read
// between them: never inside the interpreter's loop, so a run without a limit pays nothing.
#include <chrono>
#include <cstdint>

#include "core/vm.hpp"

namespace bpfplay {

// About 5-20 ms of interpreting: fine enough for a limit in seconds, coarse enough that
// reading the clock costs nothing measurable.
inline constexpr uint64_t kTimeLimitSlice = uint64_t(1) << 23;

struct TimeLimit {
    std::chrono::steady_clock::time_point deadline;
    std::chrono::milliseconds limit{0};  // what the deadline was set from, for the message

    // A limit of `limit` from now.
    static TimeLimit from_now(std::chrono::milliseconds limit) {
        return TimeLimit{std::chrono::steady_clock::now() + limit, limit};
    }
    bool passed() const { return std::chrono::steady_clock::now() >= deadline; }
};

// Runs `vm` until it exits or faults, or the deadline passes: then the run faults at the
// instruction it reached (ErrorKind::Budget), saying how long the limit was and how many
// instructions ran. A deadline already passed stops it before its first instruction (a
// command's later runs, once its limit is spent).
RunStatus run_with_time_limit(Vm& vm, const TimeLimit& limit);

}  // namespace bpfplay
