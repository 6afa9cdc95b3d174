#pragma once
// One sample bpf_perf_event_output (or bpf_skb_output / bpf_xdp_output) handed to a perf event
// reader: what libbpf's perf_buffer callback receives as (cpu, data, size), plus where in the
// run it was written so the debugger can show it and take it back on a reverse step.
#include <cstdint>
#include <string>
#include <vector>

namespace bpfplay {

class JsonWriter;

struct PerfEventRecord {
    std::string map;  // the perf event array's name
    uint32_t cpu = 0; // the slot written: the CPU of the reader that receives it
    // The program's bytes, then the ctx (packet) bytes the flags asked for, then zeros up to
    // the perf ring's 8-byte alignment (size + 4 is a multiple of 8), as the reader gets them.
    std::vector<uint8_t> data;
    uint64_t executed = 0; // instructions executed at the call, the call counted
    uint32_t pc = 0;       // the call instruction
};

// {"map": "events", "cpu": 0, "data": "<hex>", "executed": 29, "pc": 30}: the same in the
// debugger's state and in a run's report.
void to_json(JsonWriter& w, const PerfEventRecord& event);
// [<to_json of each record>, ...]
std::string perf_events_json(const std::vector<PerfEventRecord>& events);

} // namespace bpfplay
