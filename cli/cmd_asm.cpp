// bpfvm asm FILE [-o OUT.bin]
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "core/hex.hpp"
#include "cli/input_formats.hpp"
#include "cli/report.hpp"

namespace bpfplay::cli {
namespace {

std::vector<uint8_t> to_bytes(const std::vector<Insn>& insns) {
    std::vector<uint8_t> bytes(insns.size() * 8);
    for (size_t k = 0; k < insns.size(); ++k)
        insn_to_bytes(insns[k], &bytes[k * 8]);
    return bytes;
}

// One line per instruction; an lddw and its second slot share a line, as they are one
// instruction to the reader.
void print_hex_lines(const std::vector<Insn>& insns, const std::vector<uint8_t>& bytes) {
    for (size_t k = 0; k < insns.size();) {
        size_t slots = insns[k].opcode == op::kLddw && k + 1 < insns.size() ? 2 : 1;
        std::string line = hex_bytes_spaced(std::span(bytes).subspan(k * 8, slots * 8));
        std::printf("%s\n", line.c_str());
        k += slots;
    }
}

int write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    bool ok = f && std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    int err = errno;
    if (f && std::fclose(f) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (!ok)
        return report_error(make_error(ErrorKind::Load, "cannot write " + path + ": " + std::strerror(err)));
    return 0;
}

} // namespace

int cmd_asm(Args args) {
    std::string file, out;
    for (size_t i = 0; i < args.size(); ++i) {
        bool missing = false;
        std::string_view arg = args[i];
        if (auto value = option_value(args, i, "-o", &missing))
            out = *value;
        else if (missing)
            return usage_error("asm: -o needs a file name");
        else if (arg.starts_with("-") && arg != "-")
            return usage_error("asm: unknown option '" + std::string(arg) + "'");
        else if (!file.empty())
            return usage_error("asm: more than one FILE");
        else
            file = arg;
    }
    if (file.empty()) return usage_error("asm: missing FILE");

    // Any input format is accepted, so `asm` also converts hex text to a .bin file.
    auto insns = load_program_file(file);
    if (!insns) return report_error(insns.error());
    std::vector<uint8_t> bytes = to_bytes(*insns);
    if (!out.empty()) return write_file(out, bytes);
    print_hex_lines(*insns, bytes);
    return 0;
}

} // namespace bpfplay::cli
