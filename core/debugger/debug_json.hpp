#pragma once
// The debugger's views as JSON, for the browser (through the wasm bindings) and `bpfvm debug
// --json`: one to_json(JsonWriter&, const View&) per view, written with core/json's JsonWriter.
// 64-bit values are strings ("0x1f") so JavaScript never rounds them. The shapes below are
// checked against the page's decoder by the contract test (tests/contract/).
#include <optional>
#include <string>
#include <vector>

#include "core/debugger/debug_session.hpp"
#include "core/json/error_json.hpp"
#include "core/json/json_writer.hpp"
#include "core/loader/loader.hpp"

namespace bpfplay {

// A loaded object with, when it does not load as a whole, why (describe_object's error).
struct ObjectSummary {
    const LoadedObject& object;
    std::optional<Error> load_failure;
    // The host the programs run on: a fentry / lsm / tp_btf ... program's "args" defaults point
    // at its kernel objects (nullptr: the default Host).
    const Host* host = nullptr;
};

void to_json(JsonWriter& w, const SourceView& source);
void to_json(JsonWriter& w, const FrameView& frame);
void to_json(JsonWriter& w, const ContextFieldView& field);
void to_json(JsonWriter& w, const MapEntryView& entry);
void to_json(JsonWriter& w, const MapView& map);
void to_json(JsonWriter& w, const TimerView& timer);
void to_json(JsonWriter& w, const CheckerView& checker);
void to_json(JsonWriter& w, const DebugState& state);
void to_json(JsonWriter& w, const StopInfo& stop);
void to_json(JsonWriter& w, const TraceRow& row);
void to_json(JsonWriter& w, const Breakpoint& breakpoint);
void to_json(JsonWriter& w, const Watchpoint& watchpoint);
void to_json(JsonWriter& w, const ObjectSummary& summary);
void to_json(JsonWriter& w, const SectionSummary& section);
void stops_to_json(JsonWriter& w, const DebugSession& session);
void program_listing_to_json(JsonWriter& w, const LoadedProgram& program);

// The same views as whole documents:

// {"program","pc","status":"ready"|"exited"|"faulted","executed","history_start","journal_bytes",
//  "stop_reason","fault":{"kind","what","hint","pc","address"}|null,"fault_explanation",
//  "return":"0x2"|null,"return_name",
//  "regs":[{"name":"r0","value":"0x..","kind":"packet","points_to":"packet+14","offset":14,"changed":true}],
//  "checker":null (no refusal followed) | {"on_path":false} | {"on_path":true,"path_index","path_length",
//    "at_failure","message" ("" unless at_failure),"kept","frame","regs":["","ctx()",..] (11, [] unless kept)},
//  "source":{"file","line","column","text"},
//  "frames":[{"depth","function","pc","source":{..},"fp":"0x..","stack":"<1024 hex digits>","changed":[..]}],
//  "packet":"<hex>","packet_meta":"<hex>" (XDP metadata before data),"packet_changed":[..],"context":"<hex>","context_struct":"xdp_md",
//  "context_fields":[{"name":"data","offset":0,"size":4,"kind":"packet_start"},..] (kind: "value",
//  "packet_start", "packet_end", "packet_meta"),
//  "maps":[{"id","name","type","key_size","value_size","max_entries","key_type","value_type","percpu","count",
//           "truncated","changed","entries":[{"key_hex","key":<json>,"values_hex":[..],"values":[<json>..],"changed"}]}],
//  "printk":[..],"events":[..]}
std::string debug_state_json(const DebugState& state);
// {"reason":"breakpoint","id":2,"steps":"17","fast":false,"fast_insns":"0"} ("fast": a fast continue,
// "fast_insns" of its steps ran as WebAssembly)
std::string stop_info_json(const StopInfo& stop);
// {"name","section","type","context","insns":[{"pc","text","second_slot","function","file","line","column","source"}],
//  "functions":[{"name","pc"}]}: "function" is set where a function starts, the source fields
// where a new line_info record starts.
std::string program_listing_json(const LoadedProgram& program);
// What `bpfvm info --json` prints and the page's program picker reads:
// {"object","license","kern_version"?,"btf_types","loads":bool,"error":<error_json>?  (why the
//  object as a whole does not load: describe_object's error), "entry_program":"name"|null (the
//  program to start with: choose_entry_program),
//  "programs":[{"name","section","type","type_known","insns","own_insns","autoload","context",
//               "runnable":bool,"status":"runnable"|"cannot run: ...","load_error":<error_json>?,
//               "functions":[..]}],
//  "maps":[{"id","name","type","key_size","value_size","max_entries","flags","frozen","percpu",
//           "created":bool,"key_type"?,"value_type"?,"origin","section","error":<error_json>?}],
//  "sections":[{"index","name","type","flags","size","role"}],"notes":[..]}
std::string object_info_json(const LoadedObject& object, const std::optional<Error>& load_failure = std::nullopt);
// [3,0,1,...]: DebugSession::hit_counts(), one number per instruction.
std::string hit_counts_json(const std::vector<uint64_t>& hits);
// [{"step","pc","depth","changed":[[reg,"0x.."],..]}, ...]
std::string trace_json(const std::vector<TraceRow>& rows);
// {"breakpoints":[{"id","pc","condition","line","file","enabled","hits"}],"watchpoints":[{"id","label","address","length","hits"}]}
std::string stops_json(const DebugSession& session);
// error_json(const Error&): core/json/error_json.hpp.

}  // namespace bpfplay
