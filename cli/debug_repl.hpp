#pragma once
// `bpfvm debug`: the pieces of the REPL. cmd_debug.cpp loads the object and reads lines;
// debug_commands.cpp parses a line and runs the command; debug_motion.cpp, debug_print.cpp
// and debug_info.cpp produce each command's output, as text for people and as one JSON
// object for tools (--json).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/debugger/debug_session.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"  // hex(), hex_bytes()

namespace bpfplay::cli {

struct DebugContext {
    DebugSession& session;
    uint64_t next_value = 1; // `print` numbers its results $1, $2, ... as gdb does
    // A bare `list` again goes on after the last line shown, as gdb's does, until the program
    // moves (then it centres on the new line again).
    uint32_t list_last_line = 0; // 0: no list since the program last moved
    uint32_t list_pc = 0;        // the pc list_last_line was shown at
};

// What one command says: `text` (lines, each ending in '\n') and `json` (the members of the
// command's JSON object after "command", without braces: "\"value\":\"0x2\"").
struct CommandOutput {
    std::string text;
    std::string json;
    bool quit = false;
};

using CommandResult = Result<CommandOutput>;

// Runs one command line ("si 3", "x/16xb r10-16"). Errors are bad commands or arguments.
CommandResult run_debug_command(DebugContext& ctx, std::string_view line);

// ---- debug_motion.cpp ----
// A motion command: what moved the program ("si", "c", ...) and how many times.
CommandResult run_motion(DebugContext& ctx, std::string_view command, std::string_view args);
bool is_motion_command(std::string_view command);
// "=> 12: r1 = *(u32 *)(r1 + 0)" and the source line before it, for where the program is now.
std::string location_text(const DebugSession& s);

// ---- debug_print.cpp ----
// `names`: "r0 r3" shows only those ("" all).
CommandResult info_registers(DebugContext& ctx, std::string_view names = {});
CommandResult backtrace(DebugContext& ctx);
CommandResult examine(DebugContext& ctx, std::string_view spec, std::string_view expr); // x/NFU EXPR
CommandResult print_value(DebugContext& ctx, std::string_view expr);
CommandResult list_source(DebugContext& ctx, std::string_view args);
CommandResult disassemble_around(DebugContext& ctx, std::string_view args);
// explain [PC]: the instruction (the current one by default) in words and with the values now.
CommandResult explain_command(DebugContext& ctx, std::string_view args);

// ---- debug_info.cpp ----
CommandResult show_maps(DebugContext& ctx);
CommandResult show_printk(DebugContext& ctx);
CommandResult show_perf_events(DebugContext& ctx);
// What the emulated kernel did so far (and, once the program returned, to the packet).
CommandResult show_host_events(DebugContext& ctx);
CommandResult show_trace(DebugContext& ctx, std::string_view args);
CommandResult show_hits(DebugContext& ctx, std::string_view args);
CommandResult info_breakpoints(DebugContext& ctx);
CommandResult info_journal(DebugContext& ctx);

// ---- debug_stops.cpp ----
CommandResult add_break(DebugContext& ctx, std::string_view args);
CommandResult add_watch(DebugContext& ctx, std::string_view args);
CommandResult delete_stop(DebugContext& ctx, std::string_view args);
CommandResult enable_stop(DebugContext& ctx, std::string_view args, bool enable);

// ---- shared formatting (debug_format.cpp) ----
std::string trim(std::string_view s);
// Splits at the first run of spaces: ("x/4xb", "r10-16").
std::pair<std::string_view, std::string_view> split_word(std::string_view s);
std::optional<uint64_t> parse_number(std::string_view s); // decimal or 0x hex
Error command_error(std::string what, std::string hint = {});
// Where an address lies, for people: "fp-16", "fp-8 (frame 1)", "packet+14", "ctx+0"; "" when unknown.
std::string address_label(const DebugSession& s, uint64_t address);
// A map key or value decoded through BTF as C ("{ .packets = 1 }"), else "0x<hex>".
std::string decoded_c_text(const DebugSession& s, uint32_t btf_type_id, std::span<const uint8_t> bytes);
// The instruction at `pc` of the current program, in llvm-objdump syntax ("" when out of range).
std::string insn_text(const DebugSession& s, uint32_t pc);
// "examples/xdp_drop_port.c:30" (the file as clang recorded it).
std::string source_place(const std::string& file, uint32_t line);

} // namespace bpfplay::cli
