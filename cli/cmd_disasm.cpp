// bpfvm disasm FILE [--bytes] [--program NAME]
// FILE is raw instructions (assembly text, hex, bytecode) or an ELF object: an object's
// programs are disassembled as linked and relocated (what the kernel would receive), each
// under its name and section, with its functions labelled as llvm-objdump labels them.
#include <cstdio>
#include <string>

#include "cli/commands.hpp"
#include "cli/input_formats.hpp"
#include "cli/object_file.hpp"
#include "cli/report.hpp"
#include "core/loader/loader.hpp"
#include "core/run/kernel_helpers.hpp"
#include "core/text/disasm.hpp"

namespace bpfplay::cli {

namespace {

std::string program_text(const LoadedProgram& p, DisasmOptions options) {
    std::string out = "Disassembly of program " + p.name + " (section \"" + p.section + "\"):\n";
    size_t next_function = 0;
    for (size_t i = 0; i < p.insns.size();) {
        while (next_function < p.func_info.size() && p.func_info[next_function].insn < i) ++next_function;
        if (next_function < p.func_info.size() && p.func_info[next_function].insn == i)
            out += "<" + p.func_info[next_function].name + ">:\n";
        size_t used = 1;
        out += disassemble_one(p.insns, i, &used, options) + "\n";
        i += used;
    }
    return out;
}

// No decode(): disassembly is for looking at programs, including ones the VM would refuse.
int disasm_object(const std::string& file, const std::string& content, const std::string& program,
                  DisasmOptions options) {
    LoadOptions load;
    load.object_name = object_base_name(file);
    load.helpers = &kernel_helper_registry();
    load.decode_programs = false;
    auto object = load_object(std::span(reinterpret_cast<const uint8_t*>(content.data()), content.size()), load);
    if (!object) return report_error(object_error(file, object.error()));
    options.helper_names = true;
    std::string names, text;
    for (const LoadedProgram& p : object->programs) {
        names += (names.empty() ? "" : ", ") + p.name;
        if (!program.empty() && p.name != program) continue;
        text += (text.empty() ? "" : "\n") + program_text(p, options);
    }
    if (text.empty())
        return report_error(make_error(ErrorKind::Load, "no program \"" + program + "\" in " + file,
                                       std::nullopt, "Its programs: " + names + "."));
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
}

}  // namespace

int cmd_disasm(Args args) {
    std::string file, program;
    DisasmOptions options;
    options.show_index = true;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        bool missing = false;
        if (auto name = option_value(args, i, "--program", &missing))
            program = *name;
        else if (missing)
            return usage_error("disasm: " + std::string(arg) + " needs a value");
        else if (arg == "--bytes")
            options.show_bytes = true;
        else if (arg.starts_with("-") && arg != "-")
            return usage_error("disasm: unknown option '" + std::string(arg) + "'");
        else if (!file.empty())
            return usage_error("disasm: more than one FILE");
        else
            file = arg;
    }
    if (file.empty()) return usage_error("disasm: missing FILE");

    auto content = read_file(file);
    if (content && is_elf_object(*content)) return disasm_object(file, *content, program, options);
    if (!program.empty()) return usage_error("disasm: --program chooses a program of an ELF object, and " + file + " is not one");
    auto insns = load_program_file(file);
    if (!insns) return report_error(insns.error());
    std::string text = disassemble(*insns, options);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
}

}  // namespace bpfplay::cli
