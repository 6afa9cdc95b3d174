// The run as a whole: maps, printk output, perf events, the trace of the path taken, hot instructions, the
// breakpoints and watchpoints, and how much history the journal holds.
#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "cli/debug_repl.hpp"
#include "core/debugger/debug_json.hpp"
#include "core/hex.hpp"
#include "core/json/json_writer.hpp"
#include "core/maps/map_set.hpp"

namespace bpfplay::cli {
namespace {

std::optional<uint64_t> optional_count(std::string_view args, uint64_t fallback, std::string& error) {
    const std::string a = trim(args);
    if (a.empty()) return fallback;
    auto n = parse_number(a);
    if (!n || *n == 0) {
        error = "expected a positive count, not '" + a + "'";
        return std::nullopt;
    }
    return n;
}

} // namespace

CommandResult show_maps(DebugContext& ctx) {
    const DebugSession& s = ctx.session;
    const DebugState st = s.state();
    const MapSet& maps = *s.object().object().maps;
    CommandOutput out;
    for (const MapView& v : st.maps) {
        const Map& m = *maps.get(v.id);
        out.text += "map " + v.name + " (" + m.describe() + "): " + v.occupancy + (v.changed ? " (changed)" : "") + "\n";
        if (!v.summary.empty()) out.text += "  (" + v.summary + ")\n";
        for (const MapEntryView& e : v.entries) {
            const std::string key = e.label.empty() ? decoded_c_text(s, m.spec().btf_key_type_id, e.key) : e.label;
            out.text += std::string(e.changed ? "* " : "  ") + key + " => ";
            for (size_t c = 0; c < e.values.size(); ++c) {
                if (v.percpu) out.text += (c ? ", cpu" : "cpu") + std::to_string(c) + ": ";
                out.text += decoded_c_text(s, e.value_type_id, e.values[c]);
            }
            out.text += "\n";
        }
        if (v.truncated) out.text += "  ... (" + std::to_string(v.count - v.entries.size()) + " more)\n";
    }
    // The state JSON's "maps" member (the same to_json), so tools read one structure everywhere.
    JsonWriter w = JsonWriter::members();
    w.key("maps");
    to_json_array(w, st.maps);
    out.json = w.take();
    return out;
}

CommandResult show_printk(DebugContext& ctx) {
    const DebugState st = ctx.session.state();
    CommandOutput out;
    for (const std::string& line : st.printk) out.text += line + (line.ends_with('\n') ? "" : "\n");
    if (st.printk.empty()) out.text = "(no printk output yet)\n";
    JsonWriter w = JsonWriter::members();
    w.key("printk").values(st.printk);
    out.json = w.take();
    return out;
}

// bpf_perf_event_output samples so far in this run, as a perf buffer reader would get them.
CommandResult show_perf_events(DebugContext& ctx) {
    const DebugState st = ctx.session.state();
    CommandOutput out;
    for (const PerfEventRecord& e : st.perf_events)
        out.text += e.map + " cpu " + std::to_string(e.cpu) + " (insn " + std::to_string(e.executed) + ", pc " +
                    std::to_string(e.pc) + "): " + std::to_string(e.data.size()) + " bytes " + hex_bytes(e.data) +
                    "\n";
    if (st.perf_events.empty()) out.text = "(no perf events yet)\n";
    JsonWriter w = JsonWriter::members();
    w.key("perf_events");
    to_json_array(w, st.perf_events);
    out.json = w.take();
    return out;
}

// What the emulated kernel did so far (and, once the program returned, to the packet).
CommandResult show_host_events(DebugContext& ctx) {
    const DebugState st = ctx.session.state();
    CommandOutput out;
    JsonWriter w = JsonWriter::members();
    w.key("host_events");
    to_json_array(w, st.host_events);
    out.json = w.take();
    for (const HostEvent& e : st.host_events)
        out.text += "insn " + std::to_string(e.executed) + ", pc " + std::to_string(e.pc) + ": " + e.helper + ": " +
                    e.text + "\n";
    if (st.host_events.empty()) out.text = "(no host events yet)\n";
    return out;
}

// The last N instructions executed (default 20), with the registers each one changed.
CommandResult show_trace(DebugContext& ctx, std::string_view args) {
    std::string error;
    auto n = optional_count(args, 20, error);
    if (!n) return command_error("trace: " + error);
    std::vector<TraceRow> rows = ctx.session.trace();
    if (rows.size() > *n) rows.erase(rows.begin(), rows.end() - ptrdiff_t(*n));
    CommandOutput out;
    for (const TraceRow& r : rows) {
        char head[48];
        std::snprintf(head, sizeof head, "%6" PRIu64 "  %4u  ", r.step, r.pc);
        out.text += head + std::string(r.depth * 2, ' ') + insn_text(ctx.session, r.pc);
        std::string changes;
        for (const auto& [reg, value] : r.changed)
            changes += (changes.empty() ? "" : " ") + ("r" + std::to_string(reg)) + "=" + hex(value);
        out.text += changes.empty() ? "\n" : "    ; " + changes + "\n";
    }
    if (rows.empty()) out.text = "(nothing executed yet)\n";
    JsonWriter w = JsonWriter::members();
    w.key("trace");
    to_json_array(w, rows);
    out.json = w.take();
    return out;
}

// The most executed instructions so far (default 10).
CommandResult show_hits(DebugContext& ctx, std::string_view args) {
    std::string error;
    auto n = optional_count(args, 10, error);
    if (!n) return command_error("hits: " + error);
    const std::vector<uint64_t> hits = ctx.session.hit_counts();
    std::vector<uint32_t> pcs;
    for (uint32_t pc = 0; pc < hits.size(); ++pc)
        if (hits[pc]) pcs.push_back(pc);
    std::stable_sort(pcs.begin(), pcs.end(), [&](uint32_t a, uint32_t b) { return hits[a] > hits[b]; });
    if (pcs.size() > *n) pcs.resize(*n);
    CommandOutput out;
    JsonWriter w = JsonWriter::members();
    w.key("hits").begin_array();
    for (size_t i = 0; i < pcs.size(); ++i) {
        char head[48];
        std::snprintf(head, sizeof head, "%8" PRIu64 "x  ", hits[pcs[i]]);
        out.text += head + std::to_string(pcs[i]) + ": " + insn_text(ctx.session, pcs[i]) + "\n";
        w.begin_object().member("pc", pcs[i]).member("count", hits[pcs[i]]).end_object();
    }
    if (pcs.empty()) out.text = "(nothing executed yet)\n";
    out.json = w.end_array().take();
    return out;
}

CommandResult info_breakpoints(DebugContext& ctx) {
    const DebugSession& s = ctx.session;
    CommandOutput out;
    if (s.breakpoints().empty() && s.watchpoints().empty()) out.text = "No breakpoints or watchpoints.\n";
    else out.text = "Num  Type        Enb  Hits  Where\n";
    for (const Breakpoint& b : s.breakpoints()) {
        char head[64];
        std::snprintf(head, sizeof head, "%-4u breakpoint  %-3s  %4" PRIu64 "  ", b.id, b.enabled ? "y" : "n", b.hits);
        out.text += head + ("pc " + std::to_string(b.pc));
        if (const SourceLine* l = s.program().line_for(b.pc); l && l->line)
            out.text += " (" + source_place(l->file, l->line) + ")";
        if (!b.condition.empty()) out.text += " if " + b.condition;
        out.text += "\n";
    }
    for (const Watchpoint& w : s.watchpoints()) {
        char head[64];
        std::snprintf(head, sizeof head, "%-4u watchpoint  y    %4" PRIu64 "  ", w.id, w.hits);
        out.text += head + w.label + "\n";
    }
    JsonWriter w = JsonWriter::members();
    w.key("breakpoints");
    to_json_array(w, s.breakpoints());
    w.key("watchpoints");
    to_json_array(w, s.watchpoints());
    out.json = w.take();
    return out;
}

CommandResult info_journal(DebugContext& ctx) {
    const DebugSession& s = ctx.session;
    CommandOutput out;
    out.text = "executed " + std::to_string(s.executed()) + " instructions; history starts at instruction " +
               std::to_string(s.history_start()) + "; journal " + std::to_string(s.journal_bytes()) + " bytes\n";
    JsonWriter w = JsonWriter::members();
    w.member("executed", s.executed()).member("history_start", s.history_start()).member("journal_bytes", s.journal_bytes());
    out.json = w.take();
    return out;
}

} // namespace bpfplay::cli
