#include "core/debugger/debug_json.hpp"

#include <algorithm>
#include <cstdio>

#include "core/hex.hpp"
#include "core/json/json.hpp"
#include "core/maps/map_abi.hpp"
#include "core/text/disasm.hpp"

namespace bpfplay {

namespace {

// A 64-bit value as a JSON string, so JavaScript never rounds it.
std::string hex_json(uint64_t v) { return "\"" + hex(v) + "\""; }

std::string b(bool v) { return v ? "true" : "false"; }

template <class T>
std::string number_list(const std::vector<T>& v) {
    std::string j = "[";
    for (size_t i = 0; i < v.size(); ++i) j += (i ? "," : "") + std::to_string(v[i]);
    return j + "]";
}

const char* status_name(RunStatus s) {
    switch (s) {
    case RunStatus::Ready: return "ready";
    case RunStatus::Exited: return "exited";
    case RunStatus::Faulted: return "faulted";
    }
    return "ready";
}

std::string source_json(const SourceView& s) {
    return "{\"file\":" + json_quote(s.file) + ",\"line\":" + std::to_string(s.line) +
           ",\"column\":" + std::to_string(s.column) + ",\"text\":" + json_quote(s.text) + "}";
}

}  // namespace

std::string error_json(const Error& e) {
    std::string j = "{\"kind\":" + json_quote(error_kind_name(e.kind)) + ",\"what\":" + json_quote(e.what);
    if (!e.hint.empty()) j += ",\"hint\":" + json_quote(e.hint);
    if (e.where.pc) j += ",\"pc\":" + std::to_string(*e.where.pc);
    if (e.where.address) j += ",\"address\":" + hex_json(*e.where.address);
    if (e.where.line) j += ",\"line\":" + std::to_string(*e.where.line);
    if (!e.where.section.empty()) j += ",\"section\":" + json_quote(e.where.section);
    if (!e.where.map.empty()) j += ",\"map\":" + json_quote(e.where.map);
    if (!e.where.source.empty()) j += ",\"source\":" + json_quote(e.where.source);
    j += ",\"message\":" + json_quote(e.to_string());
    return j + "}";
}

std::string debug_state_json(const DebugState& s) {
    std::string j = "{\"program\":" + json_quote(s.program) + ",\"pc\":" + std::to_string(s.pc) +
                    ",\"status\":\"" + status_name(s.status) + "\",\"executed\":" + std::to_string(s.executed) +
                    ",\"history_start\":" + std::to_string(s.history_start) +
                    ",\"journal_bytes\":" + std::to_string(s.journal_bytes) +
                    ",\"stop_reason\":" + json_quote(s.stop_reason);
    j += ",\"fault\":" + (s.fault ? error_json(*s.fault) : "null");
    j += ",\"fault_explanation\":" + json_quote(s.fault_explanation);
    j += ",\"return\":" + (s.status == RunStatus::Exited ? hex_json(s.r0) : "null");
    j += ",\"return_name\":" + json_quote(s.return_name);
    j += ",\"regs\":[";
    for (size_t i = 0; i < s.regs.size(); ++i) {
        const RegisterView& r = s.regs[i];
        j += std::string(i ? "," : "") + "{\"name\":\"r" + std::to_string(i) + "\",\"value\":" + hex_json(r.value) +
             ",\"kind\":\"" + value_kind_name(r.kind) + "\",\"points_to\":" + json_quote(r.points_to) +
             ",\"offset\":" + std::to_string(r.offset) + ",\"changed\":" + b(r.changed) + "}";
    }
    j += "],\"source\":" + source_json(s.source);
    j += ",\"frames\":[";
    for (size_t i = 0; i < s.frames.size(); ++i) {
        const FrameView& f = s.frames[i];
        j += std::string(i ? "," : "") + "{\"depth\":" + std::to_string(f.depth) +
             ",\"function\":" + json_quote(f.function) + ",\"callback\":" + json_quote(f.callback) +
             ",\"pc\":" + std::to_string(f.pc) +
             ",\"source\":" + source_json(f.source) + ",\"fp\":" + hex_json(f.frame_pointer) +
             ",\"stack\":\"" + hex_bytes(f.stack) + "\",\"changed\":" + number_list(f.changed) + "}";
    }
    j += "],\"packet\":\"" + hex_bytes(s.packet) + "\",\"packet_meta\":\"" + hex_bytes(s.packet_meta) +
         "\",\"packet_changed\":" + number_list(s.packet_changed);
    j += ",\"context\":\"" + hex_bytes(s.context) + "\",\"context_struct\":" + json_quote(s.context_struct) +
         ",\"context_fields\":[";
    for (size_t i = 0; i < s.context_fields.size(); ++i)
        j += std::string(i ? "," : "") + "{\"name\":" + json_quote(s.context_fields[i].name) +
             ",\"offset\":" + std::to_string(s.context_fields[i].offset) +
             ",\"size\":" + std::to_string(s.context_fields[i].size) +
             ",\"kind\":" + json_quote(s.context_fields[i].kind) + "}";
    j += "]";
    j += ",\"maps\":[";
    for (size_t i = 0; i < s.maps.size(); ++i) {
        const MapView& m = s.maps[i];
        j += std::string(i ? "," : "") + "{\"id\":" + std::to_string(m.id) + ",\"name\":" + json_quote(m.name) +
             ",\"type\":" + json_quote(m.type) + ",\"key_size\":" + std::to_string(m.key_size) +
             ",\"value_size\":" + std::to_string(m.value_size) + ",\"max_entries\":" + std::to_string(m.max_entries) +
             ",\"key_type\":" + json_quote(m.key_type) + ",\"value_type\":" + json_quote(m.value_type) +
             ",\"percpu\":" + b(m.percpu) + ",\"count\":" + std::to_string(m.count) +
             ",\"summary\":" + json_quote(m.summary) +
             ",\"truncated\":" + b(m.truncated) + ",\"changed\":" + b(m.changed) + ",\"entries\":[";
        for (size_t k = 0; k < m.entries.size(); ++k) {
            const MapEntryView& e = m.entries[k];
            j += std::string(k ? "," : "") + "{\"key_hex\":\"" + hex_bytes(e.key) + "\",\"key\":" + e.key_json +
                 ",\"label\":" + json_quote(e.label) +
                 ",\"values_hex\":[";
            for (size_t c = 0; c < e.values.size(); ++c) j += std::string(c ? "," : "") + "\"" + hex_bytes(e.values[c]) + "\"";
            j += "],\"values\":[";
            for (size_t c = 0; c < e.values_json.size(); ++c) j += std::string(c ? "," : "") + e.values_json[c];
            j += "],\"changed\":" + b(e.changed) + "}";
        }
        j += "]}";
    }
    j += "],\"printk\":[";
    for (size_t i = 0; i < s.printk.size(); ++i) j += (i ? "," : "") + json_quote(s.printk[i]);
    j += "],\"events\":[";
    for (size_t i = 0; i < s.events.size(); ++i) j += (i ? "," : "") + json_quote(s.events[i]);
    j += "],\"perf_events\":" + perf_events_json(s.perf_events);
    j += ",\"host_events\":" + host_events_json(s.host_events);
    j += ",\"timer\":" + json_quote(s.timer) + ",\"clock_ns\":\"" + std::to_string(s.clock_ns) + "\",\"timers\":[";
    for (size_t i = 0; i < s.timers.size(); ++i) {
        const TimerView& t = s.timers[i];
        j += std::string(i ? "," : "") + "{\"map\":" + json_quote(t.map) + ",\"key\":\"" + hex_bytes(t.key) +
             "\",\"armed\":" + (t.armed ? "true" : "false") + ",\"due\":" + (t.due ? "true" : "false") + ",\"expires_ns\":\"" + std::to_string(t.expires_ns) +
             "\",\"callback\":" + std::to_string(t.callback) + "}";
    }
    return j + "]}";
}

std::string stop_info_json(const StopInfo& stop) {
    return "{\"reason\":" + json_quote(stop_reason_name(stop.reason)) + ",\"id\":" + std::to_string(stop.id) +
           ",\"steps\":\"" + std::to_string(stop.steps) + "\"}";
}

std::string program_listing_json(const LoadedProgram& p) {
    std::string j = "{\"name\":" + json_quote(p.name) + ",\"section\":" + json_quote(p.section) +
                    ",\"type\":" + json_quote(prog_type_name(p.type)) +
                    ",\"context\":" + json_quote(context_kind_name(p.context)) + ",\"insns\":[";
    size_t next_line = 0, next_func = 0;
    DisasmOptions opt;
    opt.helper_names = true;
    for (size_t pc = 0; pc < p.insns.size(); ++pc) {
        size_t slots = 1;
        const std::string text = disassemble_one(p.insns, pc, &slots, opt);
        j += std::string(pc ? "," : "") + "{\"pc\":" + std::to_string(pc) + ",\"text\":" + json_quote(text);
        while (next_func < p.func_info.size() && p.func_info[next_func].insn < pc) ++next_func;
        if (next_func < p.func_info.size() && p.func_info[next_func].insn == pc)
            j += ",\"function\":" + json_quote(p.func_info[next_func].name);
        while (next_line < p.line_info.size() && p.line_info[next_line].insn < pc) ++next_line;
        if (next_line < p.line_info.size() && p.line_info[next_line].insn == pc && p.line_info[next_line].line) {
            const SourceLine& l = p.line_info[next_line];
            j += ",\"file\":" + json_quote(l.file) + ",\"line\":" + std::to_string(l.line) +
                 ",\"column\":" + std::to_string(l.column) + ",\"source\":" + json_quote(l.text);
        }
        j += "}";
        if (slots == 2 && pc + 1 < p.insns.size()) {
            ++pc;
            j += ",{\"pc\":" + std::to_string(pc) + ",\"text\":\"\",\"second_slot\":true}";
        }
    }
    j += "],\"functions\":[";
    for (size_t i = 0; i < p.func_info.size(); ++i)
        j += std::string(i ? "," : "") + "{\"name\":" + json_quote(p.func_info[i].name) +
             ",\"pc\":" + std::to_string(p.func_info[i].insn) + "}";
    return j + "]}";
}

std::string hit_counts_json(const std::vector<uint64_t>& hits) { return number_list(hits); }

std::string trace_json(const std::vector<TraceRow>& rows) {
    std::string j = "[";
    for (size_t i = 0; i < rows.size(); ++i) {
        const TraceRow& r = rows[i];
        j += std::string(i ? "," : "") + "{\"step\":" + std::to_string(r.step) + ",\"pc\":" + std::to_string(r.pc) +
             ",\"depth\":" + std::to_string(r.depth) + ",\"changed\":[";
        for (size_t k = 0; k < r.changed.size(); ++k)
            j += std::string(k ? "," : "") + "[" + std::to_string(r.changed[k].first) + "," + hex_json(r.changed[k].second) + "]";
        j += "]}";
    }
    return j + "]";
}

std::string stops_json(const DebugSession& s) {
    std::string j = "{\"breakpoints\":[";
    bool first = true;
    for (const Breakpoint& bp : s.breakpoints()) {
        j += std::string(first ? "" : ",") + "{\"id\":" + std::to_string(bp.id) + ",\"pc\":" + std::to_string(bp.pc) +
             ",\"condition\":" + json_quote(bp.condition) + ",\"line\":" + std::to_string(bp.line) +
             ",\"file\":" + json_quote(bp.file) + ",\"enabled\":" + b(bp.enabled) +
             ",\"hits\":" + std::to_string(bp.hits) + "}";
        first = false;
    }
    j += "],\"watchpoints\":[";
    first = true;
    for (const Watchpoint& w : s.watchpoints()) {
        j += std::string(first ? "" : ",") + "{\"id\":" + std::to_string(w.id) + ",\"label\":" + json_quote(w.label) +
             ",\"address\":" + hex_json(w.address) + ",\"length\":" + std::to_string(w.length) +
             ",\"hits\":" + std::to_string(w.hits) + "}";
        first = false;
    }
    return j + "]}";
}

std::string object_info_json(const LoadedObject& o, const std::optional<Error>& load_failure) {
    std::string j = "{\"object\":" + json_quote(o.name) + ",\"license\":" + json_quote(o.license);
    if (o.kern_version) j += ",\"kern_version\":" + std::to_string(*o.kern_version);
    j += ",\"btf_types\":" + std::to_string(o.btf ? o.btf->type_count() - 1 : 0);
    j += ",\"loads\":" + std::string(load_failure ? "false" : "true");
    if (load_failure) j += ",\"error\":" + error_json(*load_failure);
    const EntryChoice entry = choose_entry_program(o);
    j += ",\"entry_program\":" + (entry.program && !load_failure ? json_quote(entry.program->name) : "null");
    j += ",\"programs\":[";
    for (size_t i = 0; i < o.programs.size(); ++i) {
        const LoadedProgram& p = o.programs[i];
        j += std::string(i ? "," : "") + "{\"name\":" + json_quote(p.name) +
             ",\"section\":" + json_quote(p.section) + ",\"type\":" + json_quote(prog_type_name(p.type)) +
             ",\"type_known\":" + (p.type_known ? "true" : "false") +
             ",\"insns\":" + std::to_string(p.insns.size()) +
             ",\"own_insns\":" + std::to_string(p.own_insn_count) +
             ",\"autoload\":" + (p.autoload ? "true" : "false") +
             ",\"context\":" + json_quote(context_kind_name(p.context)) +
             ",\"runnable\":" + (!p.load_error && !load_failure ? "true" : "false") +
             ",\"status\":" + json_quote(program_status_text(p, !load_failure));
        if (p.load_error) j += ",\"load_error\":" + error_json(*p.load_error);
        j += ",\"functions\":[";
        for (size_t f = 0; f < p.functions.size(); ++f)
            j += std::string(f ? "," : "") + json_quote(p.functions[f].name);
        j += "]}";
    }
    j += "],\"maps\":[";
    const uint32_t created = o.maps ? o.maps->size() : 0;
    const size_t n = std::max<size_t>(created, o.map_info.size());
    for (uint32_t id = 0; id < n; ++id) {
        const Map* m = id < created ? o.maps->get(id) : nullptr;
        const LoadedMapInfo* info = id < o.map_info.size() ? &o.map_info[id] : nullptr;
        const MapSpec& spec = m ? m->spec() : info->spec;
        j += std::string(id ? "," : "") + "{\"id\":" + std::to_string(id) +
             ",\"name\":" + json_quote(spec.name) + ",\"type\":" + json_quote(map_type_name(spec.type)) +
             ",\"key_size\":" + std::to_string(spec.key_size) +
             ",\"value_size\":" + std::to_string(spec.value_size) +
             ",\"max_entries\":" + std::to_string(spec.max_entries) +
             ",\"flags\":" + std::to_string(spec.map_flags) + ",\"frozen\":" + (m && m->frozen() ? "true" : "false") +
             ",\"percpu\":" + (m && m->is_percpu() ? "true" : "false") + ",\"created\":" + (m ? "true" : "false");
        if (o.btf && spec.btf_key_type_id)
            j += ",\"key_type\":" + json_quote(o.btf->type_to_string(spec.btf_key_type_id));
        if (o.btf && spec.btf_value_type_id)
            j += ",\"value_type\":" + json_quote(o.btf->type_to_string(spec.btf_value_type_id));
        if (info) {
            j += ",\"origin\":" + json_quote(map_origin_name(info->origin)) +
                 ",\"section\":" + json_quote(info->elf_section);
            if (info->error) j += ",\"error\":" + error_json(*info->error);
        }
        j += "}";
    }
    j += "],\"sections\":[";
    for (size_t i = 0; i < o.sections.size(); ++i) {
        const SectionSummary& s = o.sections[i];
        j += std::string(i ? "," : "") + "{\"index\":" + std::to_string(s.index) +
             ",\"name\":" + json_quote(s.name) + ",\"type\":" + std::to_string(s.type) +
             ",\"flags\":" + std::to_string(s.flags) + ",\"size\":" + std::to_string(s.size) +
             ",\"role\":" + json_quote(s.role) + "}";
    }
    j += "],\"notes\":[";
    for (size_t i = 0; i < o.notes.size(); ++i)
        j += std::string(i ? "," : "") + json_quote(o.notes[i]);
    j += "]";
    return j + "}";
}

}  // namespace bpfplay
