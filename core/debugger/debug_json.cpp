#include "core/debugger/debug_json.hpp"

#include "core/hex.hpp"

namespace bpfplay {

namespace {

const char* status_name(RunStatus s) {
    switch (s) {
    case RunStatus::Ready: return "ready";
    case RunStatus::Exited: return "exited";
    case RunStatus::Faulted: return "faulted";
    }
    return "ready";
}

void register_json(JsonWriter& w, size_t index, const RegisterView& r) {
    w.begin_object()
        .member("name", "r" + std::to_string(index))
        .member("value", hex(r.value))
        .member("kind", value_kind_name(r.kind))
        .member("points_to", r.points_to)
        .member("offset", r.offset)
        .member("changed", r.changed)
        .end_object();
}

}  // namespace

void to_json(JsonWriter& w, const SourceView& s) {
    w.begin_object()
        .member("file", s.file)
        .member("line", s.line)
        .member("column", s.column)
        .member("text", s.text)
        .end_object();
}

void to_json(JsonWriter& w, const FrameView& f) {
    w.begin_object()
        .member("depth", f.depth)
        .member("function", f.function)
        .member("callback", f.callback)
        .member("pc", f.pc)
        .key("source");
    to_json(w, f.source);
    w.member("fp", hex(f.frame_pointer)).member("stack", hex_bytes(f.stack)).key("changed").values(f.changed);
    w.end_object();
}

void to_json(JsonWriter& w, const ContextFieldView& f) {
    w.begin_object()
        .member("name", f.name)
        .member("offset", f.offset)
        .member("size", f.size)
        .member("kind", f.kind)
        .member("about", f.about)
        .end_object();
}

void to_json(JsonWriter& w, const MapEntryView& e) {
    w.begin_object().member("key_hex", hex_bytes(e.key)).key("key").raw(e.key_json).member("label", e.label);
    w.key("values_hex").begin_array();
    for (const std::vector<uint8_t>& v : e.values) w.value(hex_bytes(v));
    w.end_array().key("values").begin_array();
    for (const std::string& v : e.values_json) w.raw(v);
    w.end_array().member("changed", e.changed).end_object();
}

void to_json(JsonWriter& w, const MapView& m) {
    w.begin_object()
        .member("id", m.id)
        .member("name", m.name)
        .member("type", m.type)
        .member("key_size", m.key_size)
        .member("value_size", m.value_size)
        .member("max_entries", m.max_entries)
        .member("key_type", m.key_type)
        .member("value_type", m.value_type)
        .member("percpu", m.percpu)
        .member("count", m.count)
        .member("summary", m.summary)
        .member("occupancy", m.occupancy)
        .member("user_update", m.user_update)
        .member("truncated", m.truncated)
        .member("changed", m.changed)
        .key("entries");
    to_json_array(w, m.entries);
    w.end_object();
}

void to_json(JsonWriter& w, const TimerView& t) {
    w.begin_object()
        .member("map", t.map)
        .member("key", hex_bytes(t.key))
        .member("armed", t.armed)
        .member("due", t.due)
        .member("expires_ns", std::to_string(t.expires_ns))
        .member("callback", t.callback)
        .end_object();
}

void to_json(JsonWriter& w, const CheckerView& c) {
    w.begin_object().member("on_path", c.on_path);
    if (c.on_path) {
        w.member("path_index", c.path_index)
            .member("path_length", c.path_length)
            .member("at_failure", c.at_failure)
            .member("message", c.message)
            .member("kept", c.kept)
            .member("frame", c.frame)
            .key("regs")
            .begin_array();
        if (c.kept)
            for (const std::string& r : c.regs) w.value(r);
        w.end_array();
    }
    w.end_object();
}

void to_json(JsonWriter& w, const DebugState& s) {
    w.begin_object()
        .member("program", s.program)
        .member("pc", s.pc)
        .member("status", status_name(s.status))
        .member("executed", s.executed)
        .member("history_start", s.history_start)
        .member("journal_bytes", s.journal_bytes)
        .member("stop_reason", s.stop_reason)
        .key("fault");
    if (s.fault) to_json(w, *s.fault);
    else w.null();
    w.member("fault_explanation", s.fault_explanation).key("return");
    if (s.status == RunStatus::Exited) w.value(hex(s.r0));
    else w.null();
    w.member("return_name", s.return_name).key("regs").begin_array();
    for (size_t i = 0; i < s.regs.size(); ++i) register_json(w, i, s.regs[i]);
    w.end_array().key("checker");
    if (s.checker) to_json(w, *s.checker);
    else w.null();
    w.key("source");
    to_json(w, s.source);
    w.key("frames");
    to_json_array(w, s.frames);
    w.member("packet", hex_bytes(s.packet))
        .member("packet_meta", hex_bytes(s.packet_meta))
        .key("packet_changed")
        .values(s.packet_changed)
        .member("context", hex_bytes(s.context))
        .member("context_struct", s.context_struct)
        .key("context_fields");
    to_json_array(w, s.context_fields);
    w.key("maps");
    to_json_array(w, s.maps);
    w.key("printk").values(s.printk).key("events").values(s.events).key("perf_events");
    to_json_array(w, s.perf_events);
    w.key("host_events");
    to_json_array(w, s.host_events);
    w.member("timer", s.timer).member("clock_ns", std::to_string(s.clock_ns)).key("timers");
    to_json_array(w, s.timers);
    if (!s.iter_target.empty())
        w.key("iterator")
            .begin_object()
            .member("target", s.iter_target)
            .member("element", s.iter_element)
            .member("seq_num", s.iter_seq_num)
            .member("output", std::string(s.iter_output.begin(), s.iter_output.end()))
            .member("output_hex", hex_bytes(s.iter_output))
            .end_object();
    w.end_object();
}

void to_json(JsonWriter& w, const StopInfo& stop) {
    w.begin_object()
        .member("reason", stop_reason_name(stop.reason))
        .member("id", stop.id)
        .member("steps", std::to_string(stop.steps))
        .member("fast", stop.fast)
        .member("fast_insns", std::to_string(stop.fast_insns))
        .end_object();
}

void to_json(JsonWriter& w, const TraceRow& r) {
    w.begin_object().member("step", r.step).member("pc", r.pc).member("depth", r.depth).key("changed").begin_array();
    for (const auto& [reg, value] : r.changed) w.begin_array().value(reg).value(hex(value)).end_array();
    w.end_array().end_object();
}

void to_json(JsonWriter& w, const Breakpoint& bp) {
    w.begin_object()
        .member("id", bp.id)
        .member("pc", bp.pc)
        .member("condition", bp.condition)
        .member("line", bp.line)
        .member("file", bp.file)
        .member("enabled", bp.enabled)
        .member("hits", bp.hits)
        .end_object();
}

void to_json(JsonWriter& w, const Watchpoint& wp) {
    w.begin_object()
        .member("id", wp.id)
        .member("label", wp.label)
        .member("address", hex(wp.address))
        .member("length", wp.length)
        .member("hits", wp.hits)
        .end_object();
}

void stops_to_json(JsonWriter& w, const DebugSession& s) {
    w.begin_object().key("breakpoints");
    to_json_array(w, s.breakpoints());
    w.key("watchpoints");
    to_json_array(w, s.watchpoints());
    w.end_object();
}

std::string debug_state_json(const DebugState& state) { return to_json_text(state); }

std::string stop_info_json(const StopInfo& stop) { return to_json_text(stop); }

std::string hit_counts_json(const std::vector<uint64_t>& hits) {
    JsonWriter w;
    w.values(hits);
    return w.take();
}

std::string trace_json(const std::vector<TraceRow>& rows) {
    JsonWriter w;
    to_json_array(w, rows);
    return w.take();
}

std::string stops_json(const DebugSession& session) {
    JsonWriter w;
    stops_to_json(w, session);
    return w.take();
}

}  // namespace bpfplay
