// The commands that move the program, forward or backward, and what they print afterwards:
// why it stopped (when not a plain step), the source line and the instruction it stopped at.
#include <array>
#include <cstring>

#include "cli/debug_repl.hpp"
#include "core/debugger/debug_json.hpp"
#include "core/maps/map_set.hpp"

namespace bpfplay::cli {
namespace {

struct Motion {
    std::array<std::string_view, 2> names; // the long name and gdb's short form
    bool counted;                          // takes [N]
};

constexpr Motion kMotions[] = {
    {{"stepi", "si"}, true},
    {{"nexti", "ni"}, true},
    {{"step", "s"}, true},
    {{"next", "n"}, true},
    {{"finish", "fin"}, false},
    {{"continue", "c"}, false},
    {{"continue-fast", "cf"}, false},
    {{"reverse-stepi", "rsi"}, true},
    {{"reverse-nexti", "rni"}, true},
    {{"reverse-step", "rs"}, true},
    {{"reverse-next", "rn"}, true},
    {{"reverse-continue", "rc"}, false},
    {{"goto", "goto"}, false},
    {{"run", "reset"}, false},
};

const Motion* find_motion(std::string_view command) {
    for (const Motion& m : kMotions)
        if (m.names[0] == command || m.names[1] == command) return &m;
    return nullptr;
}

// What a watchpoint sees now: memory bytes, or for a map entry "present" + the value bytes.
std::vector<uint8_t> watch_bytes(const DebugSession& s, const Watchpoint& w) {
    if (w.map_id == UINT32_MAX) return s.read_memory(w.address, w.length).value_or(std::vector<uint8_t>{});
    std::vector<uint8_t> v(1, 0);
    const Map* m = s.object().object().maps->get(w.map_id);
    if (!m) return v;
    for (const MapEntry& e : m->entries())
        if (e.key == w.key) {
            v[0] = 1;
            for (const auto& cpu : e.values) v.insert(v.end(), cpu.begin(), cpu.end());
        }
    return v;
}

std::string watch_value_text(const DebugSession& s, const Watchpoint& w, const std::vector<uint8_t>& v) {
    if (w.map_id != UINT32_MAX) {
        if (v.empty() || v[0] == 0) return "(no entry)";
        const Map* m = s.object().object().maps->get(w.map_id);
        const size_t size = m->value_size();
        std::string out;
        for (size_t off = 1, cpu = 0; off + size <= v.size(); off += size, ++cpu) {
            const std::span<const uint8_t> value(v.data() + off, size);
            if (m->is_percpu()) out += (cpu ? ", cpu" : "cpu") + std::to_string(cpu) + ": ";
            out += decoded_c_text(s, m->spec().btf_value_type_id, value);
        }
        return out;
    }
    if (v.empty()) return "(unreadable)";
    if (v.size() == 1 || v.size() == 2 || v.size() == 4 || v.size() == 8) {
        uint64_t n = 0;
        std::memcpy(&n, v.data(), v.size()); // little-endian, as the program sees it
        return hex(n) + " (" + std::to_string(n) + ")";
    }
    return hex_bytes(v);
}

std::string exit_text(const DebugState& st) {
    return "r0 = " + std::to_string(st.r0) + " (" + (st.return_name.empty() ? hex(st.r0) : st.return_name) + ")";
}

std::string stop_text(const DebugSession& s, const StopInfo& stop, const std::vector<std::vector<uint8_t>>& before) {
    const DebugState st = s.state();
    switch (stop.reason) {
    case StopReason::Breakpoint:
        return "Breakpoint " + std::to_string(stop.id) + ", pc " + std::to_string(st.pc) + " in " +
               st.frames.back().function + "\n";
    case StopReason::Watchpoint: {
        const auto& ws = s.watchpoints();
        for (size_t i = 0; i < ws.size(); ++i)
            if (ws[i].id == stop.id) {
                const std::string old = i < before.size() ? watch_value_text(s, ws[i], before[i]) : "?";
                return "Watchpoint " + std::to_string(stop.id) + " (" + ws[i].label + "): " + old + " -> " +
                       watch_value_text(s, ws[i], watch_bytes(s, ws[i])) + "\n";
            }
        return "Watchpoint " + std::to_string(stop.id) + "\n";
    }
    case StopReason::Exited:
        if (stop.steps == 0) return "The program is not running: it exited with " + exit_text(st) + ". 'run' starts it again.\n";
        return "Program exited with " + exit_text(st) + " after " + std::to_string(st.executed) + " instructions\n";
    case StopReason::Faulted:
        return std::string(stop.steps == 0 ? "The program is not running: it faulted" : "Program faulted") + " at pc " +
               std::to_string(st.pc) + ": " + st.fault_explanation + "\n";
    case StopReason::Paused: return "Paused after " + std::to_string(stop.steps) + " instructions\n";
    case StopReason::HistoryStart:
        return "No more reverse-execution history (at instruction " + std::to_string(st.executed) + ").\n";
    case StopReason::None:
    case StopReason::Step: break;
    }
    return "";
}

// One motion; `arg` is the command's argument (goto's count).
Result<StopInfo> move_once(DebugSession& s, std::string_view name, uint64_t arg) {
    if (name == "stepi") return s.step();
    if (name == "nexti") return s.step_over();
    if (name == "step") return s.step_line();
    if (name == "next") return s.next_line();
    if (name == "finish") {
        if (s.vm().depth() == 0 && s.status() == RunStatus::Ready)
            return command_error("\"finish\" not meaningful in the outermost frame.", "Use 'continue' to run to the end.");
        return s.step_out();
    }
    if (name == "continue") return s.cont();
    if (name == "continue-fast") return s.cont_fast();
    if (name == "reverse-stepi") return s.step_back();
    if (name == "reverse-nexti") return s.step_back_over();
    if (name == "reverse-step") return s.step_back_line();
    if (name == "reverse-next") return s.step_back_line(/*over_calls=*/true);
    if (name == "reverse-continue") return s.reverse_cont();
    if (name == "goto") return s.goto_count(arg);
    s.reset();
    return StopInfo{};
}

} // namespace

bool is_motion_command(std::string_view command) { return find_motion(command) != nullptr; }

std::string location_text(const DebugSession& s) {
    if (s.status() == RunStatus::Exited) return "";
    std::string out;
    const uint32_t pc = s.pc();
    if (const SourceLine* l = s.program().line_for(pc); l && l->line)
        out += source_place(l->file, l->line) + ": " + trim(l->text) + "\n";
    out += "=> " + std::to_string(pc) + ": " + insn_text(s, pc) + "\n";
    return out;
}

CommandResult run_motion(DebugContext& ctx, std::string_view command, std::string_view args) {
    const Motion* m = find_motion(command);
    const std::string_view name = m->names[0];
    DebugSession& s = ctx.session;
    uint64_t count = 1, arg = 0;
    const std::string a = trim(args);
    if (name == "goto") {
        auto n = parse_number(a);
        if (!n) return command_error("goto takes an instruction count: goto 12");
        arg = *n;
    } else if (m->counted && !a.empty()) {
        auto n = parse_number(a);
        if (!n || *n == 0) return command_error(std::string(name) + " takes a positive count, not '" + a + "'");
        count = *n;
    } else if (!a.empty()) {
        return command_error(std::string(name) + " takes no arguments");
    }

    const std::string function = s.state().frames.back().function;
    std::vector<std::vector<uint8_t>> before;
    for (const Watchpoint& w : s.watchpoints()) before.push_back(watch_bytes(s, w));
    StopInfo total;
    for (uint64_t i = 0; i < count; ++i) {
        auto stop = move_once(s, name, arg);
        if (!stop) return stop.error();
        total.reason = stop->reason;
        total.id = stop->id;
        total.steps += stop->steps;
        total.fast = total.fast || stop->fast;
        total.fast_insns += stop->fast_insns;
        if (stop->reason != StopReason::Step) break;
    }

    CommandOutput out;
    if (name == "run") out.text = "Starting program " + s.program().name + "\n";
    if (name == "finish") out.text = "Run till exit from " + function + "\n";
    out.text += stop_text(s, total, before);
    if (total.fast)
        out.text += "Ran unrecorded (breakpoints and watchpoints passed by): reverse execution stops here.\n";
    if (name == "finish" && total.reason == StopReason::Step)
        out.text += "Value returned: r0 = " + std::to_string(s.vm().reg(0)) + " (" + hex(s.vm().reg(0)) + ")\n";
    out.text += location_text(s);
    out.json = "\"stop\":" + stop_info_json(total) + ",\"state\":" + debug_state_json(s.state());
    return out;
}

} // namespace bpfplay::cli
