// A run's result for people (text) and for tools (JSON): return value, printk, perf event
// samples, and every map decoded through BTF.
#include <cstdio>

#include "core/btf/btf_value.hpp"
#include "core/hex.hpp"
#include "core/memory.hpp"
#include "core/maps/ringbuf_map.hpp"
#include "core/run/object_session.hpp"

namespace bpfplay {

namespace {

// One JSON string escaper for the project: the BTF printer's.
std::string json_string(std::string_view s) { return to_json(Value::string(std::string(s))); }

// A key or value as C-like data: through BTF when the map has a type for it, else nullopt.
std::optional<Value> decode(const ObjectSession& s, uint32_t type_id, std::span<const uint8_t> bytes) {
    if (!s.object().btf || type_id == 0) return std::nullopt;
    return format_value(*s.object().btf, type_id, bytes);
}


std::string decoded_text(const ObjectSession& s, uint32_t type_id, std::span<const uint8_t> bytes) {
    auto v = decode(s, type_id, bytes);
    return v ? to_c_text(*v) : "0x" + hex_bytes(bytes);
}

}  // namespace

std::string decoded_json(const ObjectSession& s, uint32_t type_id, std::span<const uint8_t> bytes) {
    auto v = decode(s, type_id, bytes);
    return v ? to_json(*v) : json_string(hex_bytes(bytes));
}

namespace {

// A timer callback's run, in short: the maps are the parent run's (dumped after every callback).
std::string timer_run_json(const RunResult& r) {
    std::string j = "{\"timer\":" + json_string(r.timer) + ",\"program\":" + json_string(r.program);
    if (r.status == RunStatus::Exited) j += ",\"return\":" + std::to_string(r.r0);
    j += ",\"instructions\":" + std::to_string(r.instructions) + ",\"printk\":[";
    for (size_t i = 0; i < r.printk.size(); ++i) j += (i ? "," : "") + json_string(r.printk[i]);
    j += "],\"host_events\":" + host_events_json(r.host_events);
    if (r.error) j += ",\"error\":" + json_string(r.error->to_string());
    return j + "}";
}

}  // namespace

std::string run_result_json(const ObjectSession& s, const RunResult& r) {
    std::string j = "{\"program\":" + json_string(r.program);
    if (r.status == RunStatus::Exited) {
        j += ",\"return\":" + std::to_string(r.r0);
        j += ",\"return_name\":" + json_string(r.return_name);
    }
    j += ",\"instructions\":" + std::to_string(r.instructions);
    j += ",\"tail_calls\":" + std::to_string(r.tail_calls);
    j += ",\"printk\":[";
    for (size_t i = 0; i < r.printk.size(); ++i) j += (i ? "," : "") + json_string(r.printk[i]);
    j += "],\"host_events\":" + host_events_json(r.host_events);
    j += ",\"packet_out\":" + json_string(hex_bytes(r.packet_out));
    j += ",\"maps\":{";
    const MapSet& maps = *s.object().maps;
    for (uint32_t id = 0; id < maps.size(); ++id) {
        const Map& m = *maps.get(id);
        j += (id ? "," : "") + json_string(m.name()) + ":[";
        bool first = true;
        for (const MapEntry& e : m.entries()) {
            j += first ? "{" : ",{";
            first = false;
            j += "\"key\":" + decoded_json(s, m.spec().btf_key_type_id, e.key);
            j += ",\"key_hex\":" + json_string(hex_bytes(e.key));
            if (!e.label.empty()) j += ",\"label\":" + json_string(e.label);
            if (m.is_percpu()) {
                std::string vals, hexes;
                for (size_t c = 0; c < e.values.size(); ++c) {
                    vals += (c ? "," : "") + decoded_json(s, m.spec().btf_value_type_id, e.values[c]);
                    hexes += (c ? "," : "") + json_string(hex_bytes(e.values[c]));
                }
                j += ",\"values\":[" + vals + "],\"values_hex\":[" + hexes + "]";
            } else if (!e.values.empty()) {
                j += ",\"value\":" + decoded_json(s, m.spec().btf_value_type_id, e.values[0]);
                j += ",\"value_hex\":" + json_string(hex_bytes(e.values[0]));
            }
            j += "}";
        }
        j += "]";
    }
    j += "},\"ringbuf\":{";
    bool first_rb = true;
    for (uint32_t id = 0; id < maps.size(); ++id) {
        const Map& m = *maps.get(id);
        if (m.type() != MapType::Ringbuf) continue;
        j += (first_rb ? "" : ",") + json_string(m.name()) + ":[";
        first_rb = false;
        const auto records = static_cast<const RingbufMap&>(m).submitted();
        for (size_t i = 0; i < records.size(); ++i) j += (i ? "," : "") + json_string(hex_bytes(records[i]));
        j += "]";
    }
    j += "},\"perf_events\":" + perf_events_json(r.perf_events);
    if (!r.timer_runs.empty()) {
        j += ",\"timer_callbacks\":[";
        for (size_t i = 0; i < r.timer_runs.size(); ++i) j += (i ? "," : "") + timer_run_json(r.timer_runs[i]);
        j += "]";
    }
    if (r.error) {
        j += ",\"error\":{\"kind\":" + json_string(error_kind_name(r.error->kind));
        j += ",\"message\":" + json_string(r.error->to_string());
        if (r.error->where.pc) j += ",\"insn\":" + std::to_string(*r.error->where.pc);
        j += "}";
    }
    return j + "}";
}

std::string run_result_text(const ObjectSession& s, const RunResult& r) {
    std::string t = "program " + r.program + "\n";
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
        t += "map " + m.name() + " (" + m.describe() + "): " + std::to_string(m.count()) +
             (m.count() == 1 ? " entry\n" : " entries\n");
        if (const std::string summary = m.summary(); !summary.empty()) t += "  (" + summary + ")\n";
        if (m.type() == MapType::Ringbuf)
            for (const auto& rec : static_cast<const RingbufMap&>(m).submitted()) t += "  record 0x" + hex_bytes(rec) + "\n";
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
