// One line of `bpfvm debug` input -> the command it names, gdb's short forms included.
#include "cli/debug_repl.hpp"
#include "core/debugger/debug_json.hpp"
#include "core/debugger/map_command.hpp"
#include "core/json/json_writer.hpp"

namespace bpfplay::cli {
namespace {

const char kHelp[] =
    "Moving (N repeats; reverse commands go back through the recorded history):\n"
    "  si, stepi [N]        one instruction, into calls\n"
    "  ni, nexti [N]        one instruction, a bpf-to-bpf call as one step\n"
    "  s, step [N]          to the next source line, into calls\n"
    "  n, next [N]          to the next source line, over calls\n"
    "  finish               run until the current function returns\n"
    "  c, continue          run to a breakpoint, a watchpoint, the exit or a fault\n"
    "  cf, continue-fast    run to the exit or a fault unrecorded, past breakpoints and watchpoints\n"
    "                       (as the page's Fast button); reverse execution stops there\n"
    "  rsi, reverse-stepi [N]  rni, reverse-nexti [N]  rs, reverse-step [N]  rn, reverse-next [N]\n"
    "  rc, reverse-continue back to a breakpoint, a watchpoint or the start\n"
    "  goto N               to the state after exactly N instructions\n"
    "  run, reset           start again with the maps as they were\n"
    "  timer                go on with the callback of the BPF timer that fires next\n"
    "Stopping:\n"
    "  b, break PC | *PC | line N | FILE:N [if EXPR]   (no location: the current pc)\n"
    "  watch fp-8 [LEN] | packet[START:END] | map NAME KEYHEX | *ADDR [LEN]\n"
    "  delete [N]  disable N  enable N  info breakpoints\n"
    "Looking:\n"
    "  info registers [rN..] (i r)  bt, backtrace  x/NFU ADDR (F: x d u; U: b h w g)  p, print EXPR\n"
    "  maps  list [LINE]  disas [PC]  printk  perf  host  trace [N]  hits [N]  state  info journal\n"
    "Maps from user space (bpf(2)'s commands; a change forgets the history):\n"
    "  map lookup|getnext|dump|update|delete|lookup_and_delete|push|pop|peek|freeze MAP ...\n"
    "  map lookup_batch|lookup_and_delete_batch|update_batch|delete_batch MAP ...   (map help)\n"
    "  explain [PC]         the instruction (the current one) in words, with the values now\n"
    "EXPR: r0..r10, fp, numbers, + - * & | ^ << >>, == != < <= > >=, && || !, s(...) for signed.\n"
    "  q, quit\n";

CommandResult info(DebugContext& ctx, std::string_view args) {
    auto [what, rest] = split_word(args);
    if (what == "registers" || what == "r" || what == "reg" || what == "all-registers") return info_registers(ctx, rest);
    if (what == "breakpoints" || what == "b" || what == "break" || what == "watchpoints") return info_breakpoints(ctx);
    if (what == "journal") return info_journal(ctx);
    if (what == "frame" || what == "stack") return backtrace(ctx);
    return command_error("info takes registers, breakpoints or journal");
}

// map COMMAND MAP ...: the user's side of a map (core/debugger/map_command.hpp).
CommandResult map_command(DebugContext& ctx, std::string_view args) {
    CommandOutput out;
    auto r = run_map_command(ctx.session, args.empty() ? std::string_view("help") : args);
    if (!r) return r.error();
    for (const std::string& line : r->lines) out.text += line + "\n";
    JsonWriter w = JsonWriter::members();
    to_json(w.key("map"), *r);
    out.json = w.take();
    return out;
}

} // namespace

CommandResult run_debug_command(DebugContext& ctx, std::string_view line) {
    auto [word, args] = split_word(line);
    std::string_view command = word, spec;
    if (const size_t slash = word.find('/'); slash != std::string_view::npos) {
        command = word.substr(0, slash);
        spec = word.substr(slash + 1);
    }
    if (command == "x" || command == "examine") return examine(ctx, spec, args);
    if (!spec.empty()) return command_error("only x takes /FORMAT");
    if (is_motion_command(command)) {
        ctx.list_last_line = 0;  // the next list centres on where the program stops
        return run_motion(ctx, command, args);
    }
    if (command == "b" || command == "break" || command == "br") return add_break(ctx, args);
    if (command == "watch") return add_watch(ctx, args);
    if (command == "d" || command == "delete") return delete_stop(ctx, args);
    if (command == "disable") return enable_stop(ctx, args, false);
    if (command == "enable") return enable_stop(ctx, args, true);
    if (command == "i" || command == "info") return info(ctx, args);
    if (command == "bt" || command == "backtrace" || command == "where") return backtrace(ctx);
    if (command == "p" || command == "print") return print_value(ctx, args);
    if (command == "maps") return show_maps(ctx);
    if (command == "map") return map_command(ctx, args);
    if (command == "l" || command == "list") return list_source(ctx, args);
    if (command == "disas" || command == "disassemble") return disassemble_around(ctx, args);
    if (command == "explain") return explain_command(ctx, args);
    if (command == "printk") return show_printk(ctx);
    if (command == "perf") return show_perf_events(ctx);
    if (command == "host") return show_host_events(ctx);
    if (command == "trace") return show_trace(ctx, args);
    if (command == "hits") return show_hits(ctx, args);
    if (command == "timer") {
        if (auto r = ctx.session.run_next_timer(); !r.ok()) return r.error();
        CommandOutput out;
        const DebugState st = ctx.session.state();
        out.text = st.timer + ": stopped before its first instruction (pc " + std::to_string(st.pc) + ").\n";
        JsonWriter w = JsonWriter::members();
        w.member("timer", st.timer).key("state");
        to_json(w, st);
        out.json = w.take();
        return out;
    }
    if (command == "state") {
        CommandOutput out;
        JsonWriter w = JsonWriter::members();
        to_json(w.key("state"), ctx.session.state());
        out.json = w.take();
        out.text = debug_state_json(ctx.session.state()) + "\n";
        return out;
    }
    if (command == "h" || command == "help") {
        CommandOutput out;
        out.text = kHelp;
        out.json = JsonWriter::members().member("help", kHelp).take();
        return out;
    }
    if (command == "q" || command == "quit" || command == "exit") {
        CommandOutput out;
        out.quit = true;
        return out;
    }
    return command_error("Undefined command: \"" + std::string(command) + "\".", "Try \"help\".");
}

} // namespace bpfplay::cli
