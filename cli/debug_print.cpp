// What the program's state looks like: registers, frames, memory (x/NFU), expressions, the
// source lines and the instructions around the current one.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "cli/debug_repl.hpp"
#include "core/debugger/explain.hpp"
#include "core/json/json_writer.hpp"

namespace bpfplay::cli {

CommandResult info_registers(DebugContext& ctx, std::string_view names) {
    // "info registers r0 r3" (or "fp"/"r10"): only those, as gdb does; none: all eleven.
    std::vector<bool> wanted(11, names.empty());
    // trim() returns a new string: the words must view one that outlives the loop.
    const std::string words = trim(names);
    for (std::string_view rest = words; !rest.empty();) {
        auto [name, more] = split_word(rest);
        rest = more;
        while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
        if (name.empty()) break;
        std::optional<uint64_t> n;
        if (name == "fp") n = 10;
        else if (name.size() >= 2 && name[0] == 'r') n = parse_number(name.substr(1));
        if (!n || *n > 10 || (name.size() > 2 && name[1] == '0'))
            return command_error("info registers takes register names r0..r10 (or fp), not '" + std::string(name) + "'");
        wanted[*n] = true;
    }
    const DebugState st = ctx.session.state();
    CommandOutput out;
    JsonWriter w = JsonWriter::members();
    w.key("regs").begin_array();
    for (size_t i = 0; i < st.regs.size(); ++i) {
        if (!wanted[i]) continue;
        const RegisterView& r = st.regs[i];
        char line[160];
        std::snprintf(line, sizeof line, "%-3s %c %-18s %20" PRIu64 " %20" PRId64, ("r" + std::to_string(i)).c_str(),
                      r.changed ? '*' : ' ', hex(r.value).c_str(), r.value, int64_t(r.value));
        out.text += line;
        out.text += r.points_to.empty() ? "\n" : "  " + r.points_to + "\n";
        w.begin_object().member("name", "r" + std::to_string(i)).member("value", hex(r.value));
        w.member("signed", int64_t(r.value)).member("kind", value_kind_name(r.kind)).member("points_to", r.points_to);
        w.member("changed", r.changed).end_object();
    }
    out.json = w.end_array().take();
    return out;
}

CommandResult backtrace(DebugContext& ctx) {
    const DebugState st = ctx.session.state();
    CommandOutput out;
    JsonWriter w = JsonWriter::members();
    w.key("frames").begin_array();
    for (size_t k = st.frames.size(); k-- > 0;) {
        const FrameView& f = st.frames[k];
        const size_t n = st.frames.size() - 1 - k; // #0 is the innermost, as in gdb
        out.text += "#" + std::to_string(n) + "  " + f.function + " at pc " + std::to_string(f.pc);
        if (f.source.line) out.text += ", " + source_place(f.source.file, f.source.line);
        out.text += "\n";
        w.begin_object().member("level", n).member("depth", f.depth).member("function", f.function).member("pc", f.pc);
        w.member("file", f.source.file).member("line", f.source.line).end_object();
    }
    out.json = w.end_array().take();
    return out;
}

// x/NFU: N units of size U (b h w g) in format F (x d u), like gdb's examine command.
CommandResult examine(DebugContext& ctx, std::string_view spec, std::string_view expr) {
    uint64_t count = 1;
    char format = 'x';
    uint32_t unit = 4;
    size_t i = 0;
    if (!spec.empty()) {
        while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9') ++i;
        if (i > 0) {
            auto n = parse_number(spec.substr(0, i));
            if (!n || *n == 0) return command_error("x: bad count in '/" + std::string(spec) + "'");
            count = *n;
        }
        for (; i < spec.size(); ++i) {
            switch (spec[i]) {
            case 'x': case 'd': case 'u': format = spec[i]; break;
            case 'b': unit = 1; break;
            case 'h': unit = 2; break;
            case 'w': unit = 4; break;
            case 'g': unit = 8; break;
            default:
                return command_error(std::string("x: unknown letter '") + spec[i] + "' in '/" + std::string(spec) + "'",
                                     "Formats: x (hex), d (signed), u (unsigned); sizes: b h w g (1 2 4 8 bytes).");
            }
        }
    }
    if (trim(expr).empty()) return command_error("x needs an address: x/16xb r10-16");
    if (count * unit > 4096) return command_error("x: at most 4096 bytes at a time");
    auto address = ctx.session.evaluate(expr);
    if (!address) return address.error();
    const uint32_t length = uint32_t(count * unit);
    auto bytes = ctx.session.read_memory(*address, length);
    if (!bytes) return make_error(ErrorKind::Memory, "Cannot access memory at address " + hex(*address) +
                                                         " (" + std::to_string(length) + " bytes)");
    const size_t per_line = unit == 8 ? 2 : unit == 4 ? 4 : 8;
    CommandOutput out;
    JsonWriter w = JsonWriter::members();
    w.member("address", hex(*address)).member("format", std::string(1, format)).member("unit", unit);
    w.key("values").begin_array();
    for (uint64_t k = 0; k < count; ++k) {
        const uint64_t a = *address + k * unit;
        if (k % per_line == 0) {
            if (k) out.text += "\n";
            const std::string label = address_label(ctx.session, a);
            out.text += hex(a) + (label.empty() ? "" : " <" + label + ">") + ":";
        }
        uint64_t v = 0;
        std::memcpy(&v, bytes->data() + k * unit, unit);
        std::string text;
        if (format == 'x') {
            char b[24];
            std::snprintf(b, sizeof b, "0x%0*" PRIx64, int(unit * 2), v);
            text = b;
        } else if (format == 'u') {
            text = std::to_string(v);
        } else {
            const int shift = int(64 - unit * 8);
            text = std::to_string(shift ? int64_t(v << shift) >> shift : int64_t(v));
        }
        out.text += "\t" + text;
        if (format == 'x') w.value(text);
        else w.raw(text);
    }
    out.text += "\n";
    out.json = w.end_array().take();
    return out;
}

CommandResult print_value(DebugContext& ctx, std::string_view expr) {
    if (trim(expr).empty()) return command_error("print needs an expression: p r1, p r10-16, p (r2 & 0xff) == 6");
    auto v = ctx.session.evaluate(expr);
    if (!v) return v.error();
    const std::string n = "$" + std::to_string(ctx.next_value++);
    CommandOutput out;
    out.text = n + " = " + std::to_string(*v) + " (" + hex(*v);
    if (int64_t(*v) < 0) out.text += ", " + std::to_string(int64_t(*v));
    out.text += ")";
    const std::string label = address_label(ctx.session, *v);
    if (!label.empty()) out.text += " <" + label + ">";
    out.text += "\n";
    JsonWriter w = JsonWriter::members();
    w.member("name", n).member("value", hex(*v)).member("unsigned", *v).member("signed", int64_t(*v));
    out.json = w.member("points_to", label).take();
    return out;
}

// The source lines line_info knows (lines with code) within 5 of the current one (or of LINE);
// a bare list again shows the ten after the last one shown, as gdb's does.
CommandResult list_source(DebugContext& ctx, std::string_view args) {
    const LoadedProgram& p = ctx.session.program();
    const SourceLine* here = p.line_for(ctx.session.pc());
    std::string file = here ? here->file : "";
    uint32_t center = here ? here->line : 0;
    if (!trim(args).empty()) {
        auto n = parse_number(trim(args));
        if (!n) return command_error("list takes a line number: list 30");
        center = uint32_t(*n);
        if (file.empty() && !p.line_info.empty()) file = p.line_info.front().file;
    }
    if (center == 0) return command_error("no source line information for pc " + std::to_string(ctx.session.pc()),
                                          "The object was built without -g.");
    // The file's lines that have code (BTF line_info carries their text; lines without code are
    // not in the object), a window of ten around `center` as gdb's list shows: counted in lines
    // with code, so a function whose lines are far apart still fills the window.
    std::vector<const SourceLine*> all;
    for (const SourceLine& l : p.line_info)
        if (l.file == file && l.line != 0 &&
            std::none_of(all.begin(), all.end(), [&](const SourceLine* o) { return o->line == l.line; }))
            all.push_back(&l);
    std::sort(all.begin(), all.end(), [](const SourceLine* a, const SourceLine* b) { return a->line < b->line; });
    const size_t at = size_t(std::lower_bound(all.begin(), all.end(), center,
                                              [](const SourceLine* l, uint32_t n) { return l->line < n; }) - all.begin());
    const bool go_on = trim(args).empty() && ctx.list_last_line != 0 && ctx.list_pc == ctx.session.pc();
    const size_t after = size_t(std::upper_bound(all.begin(), all.end(), ctx.list_last_line,
                                                 [](uint32_t n, const SourceLine* l) { return n < l->line; }) -
                                all.begin());
    if (go_on && after == all.size())
        return command_error("no code comes from lines after " + std::to_string(ctx.list_last_line) + " of " + file,
                             "(list LINE shows the lines around LINE.)");
    const size_t first = go_on ? after : std::min(at > 5 ? at - 5 : 0, all.size() > 10 ? all.size() - 10 : 0);
    std::vector<const SourceLine*> lines(all.begin() + ptrdiff_t(std::min(first, all.size())),
                                         all.begin() + ptrdiff_t(std::min(first + 10, all.size())));
    CommandOutput out;
    JsonWriter w = JsonWriter::members();
    w.member("file", file).key("lines").begin_array();
    for (size_t i = 0; i < lines.size(); ++i) {
        const bool current = here && lines[i]->line == here->line && lines[i]->file == here->file;
        char num[16];
        std::snprintf(num, sizeof num, "%5u", lines[i]->line);
        out.text += std::string(current ? "=>" : "  ") + num + "  " + lines[i]->text + "\n";
        w.begin_object().member("line", lines[i]->line).member("text", lines[i]->text).member("current", current);
        w.end_object();
    }
    if (lines.empty()) out.text = "no code comes from lines near " + std::to_string(center) + " of " + file + "\n";
    ctx.list_last_line = lines.empty() ? 0 : lines.back()->line;
    ctx.list_pc = ctx.session.pc();
    out.json = w.end_array().take();
    return out;
}

// The instructions around pc (or from PC when given): 5 before, 6 after.
CommandResult disassemble_around(DebugContext& ctx, std::string_view args) {
    const DebugSession& s = ctx.session;
    const LoadedProgram& p = s.program();
    uint32_t center = s.pc();
    if (!trim(args).empty()) {
        auto n = parse_number(trim(args));
        if (!n || *n >= p.insns.size()) return command_error("disassemble takes an instruction index below " +
                                                             std::to_string(p.insns.size()));
        center = uint32_t(*n);
    }
    const uint32_t first = center > 5 ? center - 5 : 0;
    const uint32_t last = std::min<uint32_t>(uint32_t(p.insns.size()), center + 7);
    CommandOutput out;
    JsonWriter w = JsonWriter::members();
    w.key("insns").begin_array();
    for (uint32_t pc = first; pc < last; ++pc) {
        if (pc > 0 && p.program.insns.size() > pc && p.program.insns[pc].op == Op::LddwTail) continue;
        for (const FunctionInfo& f : p.func_info)
            if (f.insn == pc) out.text += "<" + f.name + ">:\n";
        const bool current = pc == s.pc() && s.status() != RunStatus::Exited;
        const std::string text = insn_text(s, pc);
        out.text += std::string(current ? "=> " : "   ") + std::to_string(pc) + ": " + text + "\n";
        w.begin_object().member("pc", pc).member("text", text).member("current", current).end_object();
    }
    out.json = w.end_array().take();
    return out;
}

} // namespace bpfplay::cli

namespace bpfplay::cli {

// explain [PC]: the instruction in words, with the values now when it is the current one.
CommandResult explain_command(DebugContext& ctx, std::string_view args) {
    const size_t count = ctx.session.program().insns.size();
    std::optional<uint32_t> pc;
    if (!trim(args).empty()) {
        auto n = parse_number(trim(args));
        if (!n || *n >= count) return command_error("explain takes an instruction index below " + std::to_string(count));
        pc = uint32_t(*n);
    }
    auto e = explain_at(ctx.session, pc);
    if (!e) return command_error("the program has no instruction " + std::to_string(pc.value_or(ctx.session.pc())));
    CommandOutput out;
    out.text = explain_text(*e);
    JsonWriter w = JsonWriter::members();
    to_json(w.key("explain"), *e);
    out.json = w.take();
    return out;
}

} // namespace bpfplay::cli
