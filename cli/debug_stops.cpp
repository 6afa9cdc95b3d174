// Breakpoints and watchpoints: break, watch, delete, enable, disable.
#include <algorithm>

#include "cli/debug_repl.hpp"
#include "cli/packet_input.hpp"
#include "core/json/json_writer.hpp"

namespace bpfplay::cli {
namespace {

std::optional<int64_t> parse_signed(std::string_view s) {
    bool negative = false;
    if (s.starts_with("-") || s.starts_with("+")) {
        negative = s[0] == '-';
        s.remove_prefix(1);
    }
    auto n = parse_number(s);
    if (!n || *n > uint64_t(INT32_MAX)) return std::nullopt;
    return negative ? -int64_t(*n) : int64_t(*n);
}

CommandOutput watch_output(const DebugSession& s, uint32_t id) {
    CommandOutput out;
    for (const Watchpoint& w : s.watchpoints())
        if (w.id == id) {
            out.text = "Watchpoint " + std::to_string(id) + ": " + w.label + "\n";
            out.json = JsonWriter::members().member("id", id).member("label", w.label).take();
        }
    return out;
}

} // namespace

CommandResult add_break(DebugContext& ctx, std::string_view args) {
    DebugSession& s = ctx.session;
    std::string where = trim(args), condition;
    if (where.starts_with("if ")) {
        condition = trim(where.substr(3));
        where.clear();
    } else if (const size_t at = where.find(" if "); at != std::string::npos) {
        condition = trim(where.substr(at + 4));
        where = trim(where.substr(0, at));
    }
    const std::string usage = "break takes a pc (12 or *12), 'line N', FILE:N or a function, then optionally 'if EXPR'";
    Result<uint32_t> id = 0u;
    bool by_line = false;
    if (where.empty()) {
        id = s.add_breakpoint(s.pc(), condition);
    } else if (where.starts_with("line ")) {
        auto n = parse_number(trim(where.substr(5)));
        if (!n || *n == 0 || *n > UINT32_MAX) return command_error(usage);
        id = s.add_line_breakpoint(uint32_t(*n), "", condition);
        by_line = true;
    } else if (const size_t colon = where.rfind(':'); colon != std::string::npos) {
        auto n = parse_number(where.substr(colon + 1));
        if (!n || *n == 0 || *n > UINT32_MAX || colon == 0) return command_error(usage);
        id = s.add_line_breakpoint(uint32_t(*n), where.substr(0, colon), condition);
        by_line = true;
    } else if (auto n = parse_number(where.starts_with("*") ? std::string_view(where).substr(1) : where)) {
        if (*n > UINT32_MAX) return command_error(usage);
        id = s.add_breakpoint(uint32_t(*n), condition);
    } else {
        const auto& funcs = s.program().func_info;
        auto f = std::find_if(funcs.begin(), funcs.end(), [&](const FunctionInfo& fi) { return fi.name == where; });
        if (f == funcs.end()) return command_error("no function \"" + where + "\" in " + s.program().name + "; " + usage);
        id = s.add_breakpoint(f->insn, condition);
    }
    if (!id) return id.error();
    CommandOutput out;
    std::string pcs;
    std::vector<uint32_t> pc_list;
    std::string place;
    for (const Breakpoint& b : s.breakpoints()) {
        if (b.id != *id) continue;
        pcs += (pcs.empty() ? "" : ", ") + std::to_string(b.pc);
        pc_list.push_back(b.pc);
        if (place.empty())
            if (const SourceLine* l = s.program().line_for(b.pc); l && l->line) place = source_place(l->file, l->line);
    }
    out.text = "Breakpoint " + std::to_string(*id) + " at ";
    if (by_line) out.text += place + ": pc " + pcs;
    else out.text += "pc " + pcs + (place.empty() ? "" : ": " + place);
    out.text += (condition.empty() ? "" : " if " + condition) + "\n";
    JsonWriter w = JsonWriter::members();
    w.member("id", *id).key("pcs").values(pc_list);
    out.json = w.member("condition", condition).take();
    return out;
}

// watch fp-8 [LEN] | packet[START:END] | map NAME KEYHEX | *ADDR-EXPR [LEN]
CommandResult add_watch(DebugContext& ctx, std::string_view args) {
    DebugSession& s = ctx.session;
    const std::string a = trim(args);
    auto [what, rest] = split_word(a);
    const std::string usage = "watch takes fp-8 [LEN], packet[START:END], map NAME KEYHEX or *ADDR LEN";
    auto length = [&](std::string_view text) -> std::optional<uint32_t> {
        if (trim(text).empty()) return 8;
        auto n = parse_number(trim(text));
        if (!n || *n == 0 || *n > 4096) return std::nullopt;
        return uint32_t(*n);
    };
    Result<uint32_t> id = 0u;
    if (what.starts_with("fp") || what.starts_with("r10")) {
        auto off = parse_signed(what.substr(what.starts_with("fp") ? 2 : 3));
        auto len = length(rest);
        if (!off || !len) return command_error(usage);
        id = s.add_stack_watch(int32_t(*off), *len, s.vm().depth());
    } else if (a.starts_with("packet[") && a.ends_with("]")) {
        const std::string inner = a.substr(7, a.size() - 8);
        const size_t colon = inner.find(':');
        auto start = parse_number(trim(inner.substr(0, colon)));
        auto end = colon == std::string::npos ? std::optional<uint64_t>(start ? *start + 1 : 0)
                                              : parse_number(trim(inner.substr(colon + 1)));
        if (!start || !end || *end <= *start || *end > UINT32_MAX)
            return command_error("watch packet[START:END] takes byte offsets with START < END: packet[12:14]");
        id = s.add_packet_watch(uint32_t(*start), uint32_t(*end - *start));
    } else if (what == "map") {
        auto [name, key] = split_word(rest);
        if (name.empty() || trim(key).empty()) return command_error("watch map NAME KEYHEX: watch map counts 06000000");
        std::string key_text = trim(key);
        if (key_text.starts_with("0x")) key_text.erase(0, 2);
        auto bytes = parse_packet_hex(key_text, "the key");
        if (!bytes) return bytes.error();
        id = s.add_map_watch(name, *bytes);
    } else if (what.starts_with("*")) {
        auto address = s.evaluate(what.substr(1));
        if (!address) return address.error();
        auto len = length(rest);
        if (!len) return command_error(usage);
        id = s.add_watch(*address, *len, "*" + hex(*address) + " (" + std::to_string(*len) + " bytes)");
    } else {
        return command_error(usage);
    }
    if (!id) return id.error();
    return watch_output(s, *id);
}

CommandResult delete_stop(DebugContext& ctx, std::string_view args) {
    DebugSession& s = ctx.session;
    CommandOutput out;
    if (trim(args).empty()) {
        std::vector<uint32_t> ids;
        for (const Breakpoint& b : s.breakpoints()) ids.push_back(b.id);
        for (const Watchpoint& w : s.watchpoints()) ids.push_back(w.id);
        for (uint32_t id : ids)
            if (!s.remove_breakpoint(id)) s.remove_watch(id);
        out.text = "Deleted all breakpoints and watchpoints.\n";
        out.json = "\"deleted\":\"all\"";
        return out;
    }
    auto n = parse_number(trim(args));
    if (!n || *n > UINT32_MAX) return command_error("delete takes a breakpoint or watchpoint number");
    if (!s.remove_breakpoint(uint32_t(*n)) && !s.remove_watch(uint32_t(*n)))
        return command_error("No breakpoint or watchpoint number " + std::to_string(*n) + ".");
    out.text = "Deleted " + std::to_string(*n) + ".\n";
    out.json = JsonWriter::members().member("deleted", *n).take();
    return out;
}

CommandResult enable_stop(DebugContext& ctx, std::string_view args, bool enable) {
    DebugSession& s = ctx.session;
    auto n = parse_number(trim(args));
    const char* verb = enable ? "enable" : "disable";
    if (!n || *n > UINT32_MAX) return command_error(std::string(verb) + " takes a breakpoint number");
    if (!s.enable_breakpoint(uint32_t(*n), enable)) {
        for (const Watchpoint& w : s.watchpoints())
            if (w.id == *n)
                return command_error("watchpoints cannot be " + std::string(verb) + "d; delete " +
                                     std::to_string(*n) + " and watch again");
        return command_error("No breakpoint number " + std::to_string(*n) + ".");
    }
    CommandOutput out;
    out.text = std::string(enable ? "Enabled" : "Disabled") + " breakpoint " + std::to_string(*n) + ".\n";
    out.json = JsonWriter::members().member("id", *n).member("enabled", enable).take();
    return out;
}

} // namespace bpfplay::cli
