// bpfvm run FILE [--mem HEX] [--budget N] [--time-limit SECONDS] [--trace] [--plugin-helpers]
// An ELF object (FILE starts with "\x7fELF") is run by cmd_run_object, with its own options.
#include <cinttypes>
#include <cstdio>
#include <string>

#include "cli/commands.hpp"
#include "core/hex.hpp"
#include "cli/input_formats.hpp"
#include "cli/object_file.hpp"
#include "cli/report.hpp"
#include "cli/run_program.hpp"
#include "core/helpers/plugin_helpers.hpp"
#include "core/text/disasm.hpp"
#include "core/time_limit.hpp"
#include "core/vm.hpp"

namespace bpfplay::cli {
namespace {

struct RunOptions {
    std::string file;
    std::vector<uint8_t> memory;
    uint64_t budget = kDefaultBudget;
    std::chrono::milliseconds time_limit = kDefaultTimeLimit;
    bool trace = false;
    bool plugin_helpers = false;
};

// Returns an exit code when parsing stops the command (bad arguments), else nullopt.
std::optional<int> parse_run_options(Args args, RunOptions& out) {
    for (size_t i = 0; i < args.size(); ++i) {
        bool missing = false;
        std::string_view arg = args[i];
        if (auto mem = option_value(args, i, "--mem", &missing)) {
            auto bytes = parse_hex_bytes(*mem);
            if (!bytes) return report_error(bytes.error());
            out.memory = std::move(*bytes);
        } else if (auto budget = option_value(args, i, "--budget", &missing)) {
            auto n = parse_budget(*budget);
            if (!n) return budget_usage_error(*budget);
            out.budget = *n;
        } else if (auto limit = option_value(args, i, "--time-limit", &missing)) {
            auto t = parse_time_limit(*limit);
            if (!t) return time_limit_usage_error(*limit);
            out.time_limit = *t;
        } else if (missing) {
            return usage_error("run: " + std::string(arg) + " needs a value");
        } else if (arg == "--trace") {
            out.trace = true;
        } else if (arg == "--plugin-helpers") {
            out.plugin_helpers = true;
        } else if (arg.starts_with("-") && arg != "-") {
            return usage_error("run: unknown option '" + std::string(arg) + "'");
        } else if (!out.file.empty()) {
            return usage_error("run: more than one FILE ('" + out.file + "' and '" + std::string(arg) + "')");
        } else {
            out.file = arg;
        }
    }
    if (out.file.empty()) return usage_error("run: missing FILE");
    return std::nullopt;
}

bool is_value_option(std::string_view arg) {
    for (std::string_view name : {"--mem", "--budget", "--time-limit", "--program", "--packet", "--packet-hex", "--pcap",
                                  "--ctx", "--cpu", "--repeat", "--map-init", "--host", "--advance-ns", "--iter-map", "--time-limit",
                                  "--scenario"})
        if (arg == name) return true;
    return false;
}

// The options only object mode has: with one of them, FILE must be an ELF object.
std::optional<std::string_view> first_object_option(Args args) {
    for (std::string_view arg : args) {
        std::string_view name = arg.substr(0, arg.find('='));
        for (std::string_view opt : {"--program", "--packet", "--packet-hex", "--pcap", "--ctx", "--cpu",
                                     "--repeat", "--map-init", "--host", "--json", "--all-packets", "--advance-ns",
                                     "--iter-map", "--scenario"})
            if (name == opt) return name;
    }
    return std::nullopt;
}

// Hands the command to cmd_run_object when FILE is an ELF object; nullopt: run it here.
std::optional<int> run_if_object(Args args) {
    std::optional<std::string> file;
    for (size_t i = 0; i < args.size() && !file; ++i) {
        if (is_value_option(args[i]))
            ++i;
        else if (!args[i].starts_with("-") || args[i] == "-")
            file = std::string(args[i]);
    }
    if (!file) return std::nullopt;
    auto content = read_file(*file);
    if (content && is_elf_object(*content)) return cmd_run_object(args, std::move(*content));
    auto option = first_object_option(args);
    if (!option) return std::nullopt;
    if (!content) return report_error(content.error());
    return report_error(
        make_error(ErrorKind::Load,
                   "run: " + std::string(*option) + " needs an ELF object, and " + *file + " is not one",
                   std::nullopt, "(compile one with clang -O2 -g -target bpf -c prog.c)"));
}

// Steps one instruction at a time so each can be shown before it runs.
void run_traced(Vm& vm) {
    const auto& raw = vm.program().raw;
    while (vm.status() == RunStatus::Ready) {
        std::string text = disassemble_one(raw, vm.pc());
        std::printf("%8u:\t%s\n", vm.pc(), text.c_str());
        vm.run(1);
    }
}

} // namespace

int cmd_run(Args args) {
    if (auto handed = run_if_object(args)) return *handed;
    RunOptions options;
    if (auto stop = parse_run_options(args, options)) return *stop;

    auto insns = load_program_file(options.file);
    if (!insns) return report_error(insns.error());
    HelperRegistry helpers;
    if (options.plugin_helpers) add_plugin_helpers(helpers);
    auto program = decode_raw_memory_program(*insns, helpers);
    if (!program) return report_error(program.error());

    Vm vm(*program);
    vm.set_raw_input(options.memory);
    vm.set_budget(options.budget);
    if (options.trace)
        run_traced(vm);
    else
        run_with_time_limit(vm, TimeLimit::from_now(options.time_limit));

    if (vm.status() != RunStatus::Exited) {
        // A fault always sets fault(); the fallback only keeps a broken VM from crashing us.
        Error error =
            vm.fault() ? *vm.fault() : make_error(ErrorKind::Runtime, "the program stopped without exiting");
        report_error(error);
        print_count(stderr, vm.executed());
        return kExitError;
    }
    std::printf("r0 = 0x%" PRIx64 " (%" PRIu64 ")\n", vm.result(), vm.result());
    print_count(stdout, vm.executed());
    return 0;
}

} // namespace bpfplay::cli
