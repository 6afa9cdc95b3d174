// bpfvm disasm FILE [--bytes]
#include <cstdio>
#include <string>

#include "cli/commands.hpp"
#include "cli/input_formats.hpp"
#include "cli/report.hpp"
#include "core/text/disasm.hpp"

namespace bpfplay::cli {

int cmd_disasm(Args args) {
    std::string file;
    DisasmOptions options;
    options.show_index = true;
    for (std::string_view arg : args) {
        if (arg == "--bytes")
            options.show_bytes = true;
        else if (arg.starts_with("-") && arg != "-")
            return usage_error("disasm: unknown option '" + std::string(arg) + "'");
        else if (!file.empty())
            return usage_error("disasm: more than one FILE");
        else
            file = arg;
    }
    if (file.empty()) return usage_error("disasm: missing FILE");

    // No decode(): disassembly is for looking at programs, including ones the VM would refuse.
    auto insns = load_program_file(file);
    if (!insns) return report_error(insns.error());
    std::string text = disassemble(*insns, options);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
}

} // namespace bpfplay::cli
