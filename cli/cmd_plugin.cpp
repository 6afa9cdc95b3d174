// bpfvm plugin [MEM] [--program HEX] [--jit|--interpret] [--elf]
//
// The bpf_conformance plugin contract (as uBPF's ubpf_plugin implements it): the input memory
// as hex bytes in the first argument when it does not start with "--" (the suite leaves it
// out, or passes an empty string, when there is none), the program as hex bytes on the first
// line of stdin unless --program gives it, then the plugin options the suite was told to pass.
// Success: r0 in lowercase hex, no 0x, on stdout, exit 0. Any error: a message on stderr, exit 1.
#include <cinttypes>
#include <cstdio>
#include <iostream>
#include <string>

#include "cli/commands.hpp"
#include "core/hex.hpp"
#include "cli/report.hpp"
#include "cli/run_program.hpp"
#include "core/helpers/plugin_helpers.hpp"
#include "core/vm.hpp"

namespace bpfplay::cli {
namespace {

// uBPF's interpreter has no instruction limit and the suite's programs all terminate; the
// budget only has to stop a runaway loop, so it is far above any conformance program.
constexpr uint64_t kPluginBudget = 100'000'000;

int plugin_error(const std::string& message) {
    std::fprintf(stderr, "bpfvm: %s\n", message.c_str());
    return kExitError;
}

struct PluginInput {
    std::string memory_hex;
    std::optional<std::string> program_hex;
};

std::optional<int> parse_plugin_args(Args args, PluginInput& out) {
    size_t i = 0;
    if (i < args.size() && !args[i].starts_with("--")) out.memory_hex = args[i++];
    for (; i < args.size(); ++i) {
        std::string_view arg = args[i];
        if (arg.empty()) continue; // older suites pass an empty options argument
        if (arg == "--program") {
            if (i + 1 >= args.size()) return plugin_error("plugin: --program needs the program as hex bytes");
            out.program_hex = std::string(args[++i]);
        } else if (arg == "--jit" || arg == "--interpret") {
            // uBPF's modes; bpfvm only interprets, so both mean the same here.
        } else if (arg == "--elf") {
            return plugin_error("plugin: --elf: ELF input is not supported by bpfvm's plugin mode");
        } else {
            return plugin_error("plugin: invalid argument '" + std::string(arg) + "'");
        }
    }
    return std::nullopt;
}

} // namespace

int cmd_plugin(Args args) {
    PluginInput input;
    if (auto stop = parse_plugin_args(args, input)) return *stop;
    if (!input.program_hex) {
        std::string line;
        if (!std::getline(std::cin, line))
            return plugin_error(
                "plugin: no program: give it as hex bytes on the first line of stdin or in --program");
        input.program_hex = std::move(line);
    }

    auto memory = parse_hex_bytes(input.memory_hex);
    if (!memory) return plugin_error("plugin: memory: " + memory.error().to_string());
    auto bytes = parse_hex_bytes(*input.program_hex);
    if (!bytes) return plugin_error("plugin: program: " + bytes.error().to_string());
    auto insns = insns_from_bytes(*bytes);
    if (!insns) return report_error(insns.error());
    if (insns->empty()) return plugin_error("plugin: the program is empty");

    HelperRegistry helpers;
    add_plugin_helpers(helpers);
    auto program = decode_raw_memory_program(*insns, helpers);
    if (!program) return report_error(program.error());

    Vm vm(*program);
    vm.set_raw_input(*memory);
    vm.set_budget(kPluginBudget);
    if (vm.run() != RunStatus::Exited)
        return vm.fault() ? report_error(*vm.fault()) : plugin_error("the program stopped without exiting");
    std::printf("%" PRIx64 "\n", vm.result());
    return 0;
}

} // namespace bpfplay::cli
