#pragma once
// What a learner sees after every step, as plain structs (debug_state_json turns it into the
// JSON the browser and `bpfvm debug --json` show).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/debugger/checker_path.hpp"
#include "core/error.hpp"
#include "core/host/perf_event_record.hpp"
#include "core/host/host_events.hpp"
#include "core/vm.hpp"

namespace bpfplay {

// Where a register's value points. Addresses are deterministic and each region has its own
// 4 GiB window, so the window a value falls in says which region it came from.
enum class ValueKind : uint8_t {
    Scalar,       // a number
    StackPtr,     // into a frame's 512-byte stack (offset is from that frame's r10: fp-16)
    ContextPtr,   // into the context (xdp_md, __sk_buff, pt_regs, raw input)
    PacketPtr,    // into the packet (offset from its start)
    PacketEnd,    // exactly one past the packet's last byte (data_end)
    MapValuePtr,  // into a map's value (global data maps included)
    MapPtr,       // a map handle (what lddw of a map loads)
    KernelPtr,    // an emulated kernel object (task_struct)
    CodePtr,      // a function's address (callx)
};
const char* value_kind_name(ValueKind k);  // "scalar", "stack", "ctx", "packet", ...

struct RegisterView {
    uint64_t value = 0;
    ValueKind kind = ValueKind::Scalar;
    std::string points_to;  // "fp-16 (frame 0)", "packet+14", "map counts[key 3]+8", "" for scalars
    int64_t offset = 0;     // from the start of what it points into (stack: from r10)
    bool changed = false;   // the last step (or the last backward step) changed it
};

struct SourceView {
    std::string file;
    uint32_t line = 0;  // 0: no line information
    uint32_t column = 0;
    std::string text;
};

struct FrameView {
    uint32_t depth = 0;       // 0 = the program's own frame
    std::string function;     // from BTF func_info, else "func_<pc>"
    // For a frame that runs a helper's callback: which helper calls it and which call this is
    // ("bpf_loop: call 3 of 16"); empty for other frames.
    std::string callback;
    uint32_t pc = 0;          // where this frame is now (for callers: the call instruction)
    SourceView source;
    uint64_t frame_pointer = 0;
    std::vector<uint8_t> stack;         // 512 bytes, stack[i] is at frame_pointer - 512 + i
    std::vector<uint32_t> changed;      // indexes into `stack` the last step wrote
};

struct MapEntryView {
    std::vector<uint8_t> key;
    std::vector<std::vector<uint8_t>> values;  // one per CPU for per-CPU maps, else one
    std::string key_json;                      // decoded through BTF (hex string when no BTF)
    std::vector<std::string> values_json;
    std::string label;  // the map type's name for the entry ("10.0.0.0/8", "#0 (front: popped next)"), or ""
    bool changed = false;  // written by the last step
    // The BTF type the values are decoded as: the map's value type, or for a ring buffer record
    // the struct of its size (core/run/ringbuf_records.hpp); 0 = bytes.
    uint32_t value_type_id = 0;
};

struct MapView {
    uint32_t id = 0;
    std::string name;
    std::string type;  // "hash", "array", "percpu_hash", ...
    uint32_t key_size = 0, value_size = 0, max_entries = 0;
    std::string key_type, value_type;  // C type names from BTF ("" without BTF)
    bool percpu = false;
    uint32_t count = 0;
    std::string summary;  // Map::summary(): a queue's order, a bloom filter's bits ("" for most types)
    std::string occupancy;  // Map::occupancy(): "3 entries", "2 records"
    bool user_update = true;  // the map type takes entries from user space (MapTypeInfo::user_update)
    std::vector<MapEntryView> entries;  // at most DebugOptions::max_map_entries
    bool truncated = false;
    bool changed = false;  // some entry changed (or one was added or deleted) in the last step
};

// One named field of the context struct (xdp_md, __sk_buff), from its field table.
struct ContextFieldView {
    std::string name;
    uint32_t offset = 0, size = 0;
    // "value"; "packet_start", "packet_end", "packet_meta": a load gives a packet pointer, so
    // the bytes behind it mean nothing to a learner.
    std::string kind;
    std::string about;  // one line for a learner (ContextField::about): what the field holds
};

struct DisasmLine {
    uint32_t pc = 0;
    std::string text;  // llvm-objdump syntax
    bool second_slot = false;  // the second half of an lddw
};

// A BPF timer of the host (bpf_timers.hpp) as the page shows it.
struct TimerView {
    std::string map;           // the map whose value holds it
    std::vector<uint8_t> key;  // its element's key
    bool armed = false;
    bool due = false;          // armed and its time has come: it fires when the run ends
    uint64_t expires_ns = 0;   // when armed: the clock time it fires at
    int64_t callback = -1;     // the callback's first instruction; -1: none set yet
};

struct DebugState {
    std::string program;
    std::string timer;                 // a timer callback's session: what fired; else ""
    uint32_t pc = 0;
    RunStatus status = RunStatus::Ready;
    uint64_t executed = 0;             // instructions executed so far
    uint64_t history_start = 0;        // the earliest instruction count stepping back can reach
    uint64_t journal_bytes = 0;
    std::string stop_reason;           // "step", "breakpoint 2", "watchpoint 1", "exit", "fault", ...
    std::optional<Error> fault;        // set when status is Faulted
    std::string fault_explanation;     // the fault in words for a learner
    uint64_t r0 = 0;                   // when Exited
    std::string return_name;           // "XDP_PASS" when Exited and the type names it
    std::array<RegisterView, 11> regs;
    // A program the static checker refuses (DebugSession::follow_checker): whether this
    // instruction is on the refused path and the registers the checker inferred before it.
    std::optional<CheckerView> checker;
    std::vector<FrameView> frames;     // frames[0] is the program's own frame; back() is current
    SourceView source;                 // of the current instruction
    std::vector<uint8_t> packet;           // [data, data_end)
    std::vector<uint8_t> packet_meta;      // XDP's metadata area [data_meta, data)
    std::vector<uint32_t> packet_changed;  // offsets (from data) the last step wrote
    std::vector<uint8_t> context;          // the context struct's bytes
    std::string context_struct;                     // "xdp_md", "__sk_buff"; "" for raw bytes
    std::vector<ContextFieldView> context_fields;   // its fields by offset (empty for raw bytes)
    std::vector<MapView> maps;
    std::vector<std::string> printk;       // so far in this run
    std::vector<std::string> events;       // ring buffer records so far, as hex
    std::vector<PerfEventRecord> perf_events;  // bpf_perf_event_output samples so far in this run
    std::vector<HostEvent> host_events;    // what the emulated kernel did so far (and at exit)
    std::vector<TimerView> timers;         // the host's BPF timers
    uint64_t clock_ns = 0;                 // the virtual clock when this run started
    // An iterator program (core/run/iter_run.hpp): the debugger steps its first call; the
    // element that call is on, its seq_num, and what it wrote with bpf_seq_printf /
    // bpf_seq_write so far. iter_target is "" for other programs.
    std::string iter_target;
    std::string iter_element;
    uint64_t iter_seq_num = 0;
    std::vector<uint8_t> iter_output;
};

}  // namespace bpfplay
