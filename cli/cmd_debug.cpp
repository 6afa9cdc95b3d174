// bpfvm debug prog.o [--program NAME] [--packet HEXFILE|--packet-hex HEX|--pcap FILE] [--ctx HEX]
//                    [--cpu N] [--map-init FILE.json] [--host FILE.json] [--budget N] [--batch FILE]
//                    [--json]
//
// A gdb-like debugger over one run of one program: the object is loaded as `bpfvm run` loads
// it, the program stops before its first instruction, and commands come from --batch FILE or
// stdin, one a line. The prompt "(bpfdb) " shows only when stdin is a terminal. --json makes
// every command answer with one JSON line. Bad commands report and the session goes on; EOF
// and `quit` exit 0; an object that does not load exits 1 as `bpfvm run` does.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "cli/commands.hpp"
#include "cli/debug_repl.hpp"
#include "cli/input_formats.hpp"
#include "cli/object_file.hpp"
#include "cli/object_inputs.hpp"
#include "cli/report.hpp"
#include "core/debugger/debug_json.hpp"
#include "core/json/json_writer.hpp"

namespace bpfplay::cli {
namespace {

struct DebugOptions : ObjectInputOptions {
    std::string batch;
    bool json = false;
};

std::optional<int> parse_debug_options(Args args, DebugOptions& out) {
    for (size_t i = 0; i < args.size(); ++i) {
        bool missing = false;
        std::string_view arg = args[i];
        std::optional<int> stop;
        const OptionParse shared = parse_input_option("debug", args, i, out, stop);
        if (shared == OptionParse::Stop) return stop;
        if (shared == OptionParse::Taken) continue;
        if (auto batch = option_value(args, i, "--batch", &missing)) {
            out.batch = *batch;
        } else if (missing || shared == OptionParse::Missing) {
            return usage_error("debug: " + std::string(arg) + " needs a value");
        } else if (arg == "--json") {
            out.json = true;
        } else if (arg.starts_with("-") && arg != "-") {
            return usage_error("debug: unknown option '" + std::string(arg) + "'");
        } else if (!out.file.empty()) {
            return usage_error("debug: more than one FILE ('" + out.file + "' and '" + std::string(arg) + "')");
        } else {
            out.file = arg;
        }
    }
    if (out.file.empty()) return usage_error("debug: give an object file: bpfvm debug prog.o");
    return std::nullopt;
}

int fail(const Error& error, bool json) {
    if (json) {
        JsonWriter w;
        w.begin_object().key("error");
        to_json(w, error);
        std::printf("%s\n", w.end_object().text().c_str());
    } else std::fprintf(stderr, "bpfvm: %s\n", error.to_string().c_str());
    return kExitError;
}

// Prints one command's answer; returns false when the session should end.
bool answer(DebugContext& ctx, const std::string& line, bool json) {
    CommandResult r = run_debug_command(ctx, line);
    if (r && r->quit) return false;
    if (json) {
        JsonWriter w;
        w.begin_object().member("command", line);
        if (!r) to_json(w.key("error"), r.error());
        else if (!r->json.empty()) w.raw(r->json);  // the command's members (JsonWriter::members)
        std::printf("%s\n", w.end_object().text().c_str());
    } else if (!r) {
        std::fflush(stdout);
        Error e = r.error();
        const std::string hint = std::move(e.hint);
        e.hint.clear();
        std::fprintf(stderr, "%s\n%s", e.to_string().c_str(), hint.empty() ? "" : (hint + "\n").c_str());
    } else {
        std::fwrite(r->text.data(), 1, r->text.size(), stdout);
    }
    std::fflush(stdout);
    return true;
}

int repl(DebugContext& ctx, std::istream& in, bool interactive, bool json) {
    DebugSession& s = ctx.session;
    if (json) {
        JsonWriter w;
        w.begin_object().member("command", "start").member("program", s.program().name).key("state");
        to_json(w, s.state());
        std::printf("%s\n", w.end_object().text().c_str());
    } else {
        std::printf("Program %s (%zu instructions), stopped before its first instruction.\n%s",
                    s.program().name.c_str(), s.program().insns.size(), location_text(s).c_str());
    }
    std::fflush(stdout);
    std::string line, last;
    for (;;) {
        if (interactive) {
            std::fputs("(bpfdb) ", stdout);
            std::fflush(stdout);
        }
        if (!std::getline(in, line)) break;
        std::string command = trim(line);
        if (command.starts_with("#")) continue;
        if (command.empty()) {
            if (!interactive || last.empty()) continue;
            command = last; // gdb repeats the last command on an empty line
        }
        last = command;
        if (!answer(ctx, command, json)) break;
    }
    if (interactive && !in) std::fputs("\n", stdout);
    return 0;
}

} // namespace

int cmd_debug(Args args) {
    DebugOptions options;
    if (auto stop = parse_debug_options(args, options)) return *stop;

    auto content = read_file(options.file);
    if (!content) return fail(content.error(), options.json);
    if (!is_elf_object(*content))
        return fail(make_error(ErrorKind::Load, options.file + " is not an ELF object",
                               std::nullopt, "bpfvm debug takes what clang -O2 -g -target bpf -c writes."),
                    options.json);
    auto inputs = read_object_inputs(options);
    if (!inputs) return fail(inputs.error(), options.json);
    auto object = open_object_session(options, std::vector<uint8_t>(content->begin(), content->end()));
    if (!object) return fail(object.error(), options.json);
    auto program = pick_program((*object)->object(), options);
    if (!program) return fail(program.error(), options.json);
    if (auto traced = choose_traced(**object, *program, options); !traced) return fail(traced.error(), options.json);
    if (const LoadedProgram* p = (*object)->object().find_program(*program))
        if (auto noted = note_inputs(*p, options, *inputs); !noted) return fail(noted.error(), options.json);
    if (options.cpu) (*object)->host().cpu = *options.cpu;

    RunInput input;
    input.packet = inputs->packets.front();
    input.ctx = inputs->ctx;
    input.args = options.args;
    input.text_args = options.text_args;
    input.budget = options.budget;
    auto session = DebugSession::open(**object, *program, input);
    if (!session) return fail(session.error(), options.json);
    DebugContext ctx{**session};

    if (!options.batch.empty()) {
        std::ifstream batch(options.batch);
        if (!batch)
            return fail(make_error(ErrorKind::Parse, "cannot read the batch file " + options.batch), options.json);
        return repl(ctx, batch, false, options.json);
    }
    return repl(ctx, std::cin, isatty(STDIN_FILENO) != 0, options.json);
}

} // namespace bpfplay::cli
