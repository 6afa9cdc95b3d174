// A run's result for people (text) and for tools (JSON): return value, printk, perf event
// samples, and every map decoded through BTF.
#include <cstdio>

#include "core/btf/btf_value.hpp"
#include "core/run/btf_args_context.hpp"
#include "core/hex.hpp"
#include "core/json/json_writer.hpp"
#include "core/memory.hpp"
#include "core/maps/ringbuf_map.hpp"
#include "core/run/iter_report.hpp"
#include "core/run/ringbuf_records.hpp"
#include "core/run/object_session.hpp"

namespace bpfplay {

namespace {

// A key or value as C-like data: through BTF when the map has a type for it, else nullopt.
std::optional<Value> decode(const ObjectSession& s, uint32_t type_id, std::span<const uint8_t> bytes) {
    if (!s.object().btf || type_id == 0) return std::nullopt;
    return format_value(*s.object().btf, type_id, bytes);
}

std::string decoded_text(const ObjectSession& s, uint32_t type_id, std::span<const uint8_t> bytes) {
    auto v = decode(s, type_id, bytes);
    return v ? to_c_text(*v) : "0x" + hex_bytes(bytes);
}

// A timer callback's run, in short: the maps are the parent run's (dumped after every callback).
void timer_run_json(JsonWriter& w, const RunResult& r) {
    w.begin_object().member("timer", r.timer).member("program", r.program);
    if (r.status == RunStatus::Exited) w.member("return", r.r0);
    w.member("instructions", r.instructions).key("printk").values(r.printk).key("host_events");
    to_json_array(w, r.host_events);
    if (r.error) w.member("error", r.error->to_string());
    w.end_object();
}

void map_entry_json(JsonWriter& w, const ObjectSession& s, const Map& m, const MapEntry& e) {
    w.begin_object().key("key").raw(decoded_json(s, m.spec().btf_key_type_id, e.key));
    w.member("key_hex", hex_bytes(e.key));
    if (!e.label.empty()) w.member("label", e.label);
    if (m.is_percpu()) {
        w.key("values").begin_array();
        for (const auto& v : e.values) w.raw(decoded_json(s, m.spec().btf_value_type_id, v));
        w.end_array().key("values_hex").begin_array();
        for (const auto& v : e.values) w.value(hex_bytes(v));
        w.end_array();
    } else if (!e.values.empty()) {
        w.key("value").raw(decoded_json(s, m.spec().btf_value_type_id, e.values[0]));
        w.member("value_hex", hex_bytes(e.values[0]));
    }
    w.end_object();
}

// The named arguments of a fentry / lsm / tp_btf ... run, whose context bytes they are.
std::optional<BtfArgsLayout> run_args_layout(const ObjectSession& s, const RunResult& r) {
    const LoadedProgram* p = s.object().find_program(r.program);
    if (!p || !has_btf_args(*p)) return std::nullopt;
    auto layout = btf_args_layout(*p);
    if (!layout || !layout->fits(r.ctx_out.size())) return std::nullopt;
    return std::move(layout).value();
}

}  // namespace

std::string decoded_json(const ObjectSession& s, uint32_t type_id, std::span<const uint8_t> bytes) {
    auto v = decode(s, type_id, bytes);
    if (v) return to_json(*v);
    JsonWriter w;
    w.value(hex_bytes(bytes));
    return w.take();
}

void run_result_members(JsonWriter& w, const ObjectSession& s, const RunResult& r) {
    w.member("program", r.program);
    if (auto layout = run_args_layout(s, r)) {
        w.member("args_of", layout->attach).key("args");
        btf_args_json(w, *layout, r.ctx_out);
    }
    if (r.status == RunStatus::Exited) w.member("return", r.r0).member("return_name", r.return_name);
    w.member("instructions", r.instructions).member("tail_calls", r.tail_calls).key("printk").values(r.printk);
    w.key("host_events");
    to_json_array(w, r.host_events);
    w.member("packet_out", hex_bytes(r.packet_out)).key("maps").begin_object();
    const MapSet& maps = *s.object().maps;
    for (uint32_t id = 0; id < maps.size(); ++id) {
        const Map& m = *maps.get(id);
        w.key(m.name()).begin_array();
        for (const MapEntry& e : m.entries()) map_entry_json(w, s, m, e);
        w.end_array();
    }
    w.end_object().key("ringbuf").begin_object();
    for (uint32_t id = 0; id < maps.size(); ++id) {
        const Map& m = *maps.get(id);
        if (m.type() != MapType::Ringbuf) continue;
        w.key(m.name()).begin_array();
        for (const auto& record : static_cast<const RingbufMap&>(m).submitted()) w.value(hex_bytes(record));
        w.end_array();
    }
    w.end_object().key("perf_events");
    to_json_array(w, r.perf_events);
    if (r.iter) {
        w.key("iterator");
        iter_output_json(w, *r.iter);
    }
    if (!r.timer_runs.empty()) {
        w.key("timer_callbacks").begin_array();
        for (const RunResult& t : r.timer_runs) timer_run_json(w, t);
        w.end_array();
    }
    if (r.error) {
        w.key("error").begin_object().member("kind", error_kind_name(r.error->kind));
        w.member("message", r.error->to_string());
        if (r.error->where.pc) w.member("insn", *r.error->where.pc);
        w.end_object();
    }
}

std::string run_result_json(const ObjectSession& s, const RunResult& r) {
    JsonWriter w(JsonLayout::Compact, JsonText::Ascii);  // names and printk text may hold any bytes
    w.begin_object();
    run_result_members(w, s, r);
    w.end_object();
    return w.take();
}

std::string run_result_text(const ObjectSession& s, const RunResult& r) {
    std::string t = "program " + r.program + "\n";
    if (auto layout = run_args_layout(s, r))
        t += "context (" + layout->what() + "):\n" + btf_args_text(*layout, r.ctx_out);
    if (r.status == RunStatus::Exited) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "0x%llx (%llu)", static_cast<unsigned long long>(r.r0),
                      static_cast<unsigned long long>(r.r0));
        t += "return " + std::string(buf) + (r.return_name.empty() ? "" : " " + r.return_name) + "\n";
    } else if (r.error) {
        t += "error: " + r.error->to_string() + "\n";
    }
    t += std::to_string(r.instructions) + " instructions executed\n";
    for (const std::string& line : r.printk) {
        t += "printk: " + line;
        if (line.empty() || line.back() != '\n') t += "\n";
    }
    if (r.iter) t += iter_output_text(*r.iter);
    for (const PerfEventRecord& e : r.perf_events)
        t += "perf event: " + e.map + " cpu " + std::to_string(e.cpu) + " (insn " + std::to_string(e.executed) +
             ", pc " + std::to_string(e.pc) + "): 0x" + hex_bytes(e.data) + "\n";
    for (const HostEvent& e : r.host_events)
        t += "host: pc " + std::to_string(e.pc) + ": " + e.helper + ": " + e.text + "\n";
    for (const RunResult& cb : r.timer_runs) {
        t += "fired: " + cb.timer + ": ";
        t += cb.status == RunStatus::Exited ? "return " + std::to_string(cb.r0)
                                            : "error: " + (cb.error ? cb.error->to_string() : std::string("stopped"));
        t += ", " + std::to_string(cb.instructions) + " instructions\n";
        for (const std::string& line : cb.printk) {
            t += "  printk: " + line;
            if (line.empty() || line.back() != '\n') t += "\n";
        }
    }
    const MapSet& maps = *s.object().maps;
    for (uint32_t id = 0; id < maps.size(); ++id) {
        const Map& m = *maps.get(id);
        t += "map " + m.name() + " (" + m.describe() + "): " + m.occupancy() + "\n";
        if (const std::string summary = m.summary(); !summary.empty()) t += "  (" + summary + ")\n";
        if (m.type() == MapType::Ringbuf)
            for (const RingbufRecordView& rec : ringbuf_records(static_cast<const RingbufMap&>(m), s.object().btf.get()))
                t += "  " + rec.label + " => " + decoded_text(s, rec.type_id, rec.bytes) + "\n";
        for (const MapEntry& e : m.entries(64)) {
            // A perf event array slot holds the CPU of its reader (fd_array_map.hpp), not data.
            if (m.type() == MapType::PerfEventArray && e.key.size() == 4 && e.values.size() == 1 &&
                e.values[0].size() == 4) {
                t += "  slot " + std::to_string(load_le<uint32_t>(e.key.data())) + ": reader on CPU " +
                     std::to_string(load_le<uint32_t>(e.values[0].data())) + "\n";
                continue;
            }
            t += "  " + (e.label.empty() ? decoded_text(s, m.spec().btf_key_type_id, e.key) : e.label) + " => ";
            for (size_t c = 0; c < e.values.size(); ++c) {
                if (m.is_percpu()) t += (c ? ", cpu" : "cpu") + std::to_string(c) + ": ";
                t += decoded_text(s, m.spec().btf_value_type_id, e.values[c]);
            }
            t += "\n";
        }
    }
    return t;
}

}  // namespace bpfplay
