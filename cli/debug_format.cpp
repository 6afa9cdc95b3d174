// Small formatting pieces every `bpfvm debug` command shares.
#include <cstdio>

#include "cli/args.hpp"
#include "cli/debug_repl.hpp"
#include "core/btf/btf_value.hpp"
#include "core/hex.hpp"
#include "core/maps/map_set.hpp"
#include "core/text/disasm.hpp"


namespace bpfplay::cli {

std::string trim(std::string_view s) {
    const size_t a = s.find_first_not_of(" \t\r\n");
    if (a == std::string_view::npos) return "";
    const size_t b = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(a, b - a + 1));
}

std::pair<std::string_view, std::string_view> split_word(std::string_view s) {
    const size_t a = s.find_first_not_of(" \t");
    if (a == std::string_view::npos) return {{}, {}};
    s.remove_prefix(a);
    const size_t end = s.find_first_of(" \t");
    if (end == std::string_view::npos) return {s, {}};
    std::string_view rest = s.substr(end);
    const size_t b = rest.find_first_not_of(" \t");
    return {s.substr(0, end), b == std::string_view::npos ? std::string_view{} : rest.substr(b)};
}

std::optional<uint64_t> parse_number(std::string_view s) { return parse_u64(s); }

Error command_error(std::string what, std::string hint) {
    return make_error(ErrorKind::Parse, std::move(what), std::nullopt, std::move(hint));
}

std::string address_label(const DebugSession& s, uint64_t a) {
    const uint64_t w = a >> 32;
    const int64_t off = int64_t(a & 0xffffffffull);
    auto signed_off = [](int64_t o) { return o < 0 ? std::to_string(o) : "+" + std::to_string(o); };
    if (const auto stack_frame = window::frame_of_stack(w)) {
        const uint32_t frame = *stack_frame;
        const int64_t rel = int64_t(a) - int64_t(Vm::frame_pointer(frame));
        return "fp" + signed_off(rel) + (frame == s.vm().depth() ? "" : " (frame " + std::to_string(frame) + ")");
    }
    // Packet offsets count from data; the window starts at data_meta (XDP metadata before it).
    if (w == window::kPacket) return "packet" + signed_off(off - int64_t(s.run_state().packet.meta().size()));
    if (w == window::kContext) return "ctx" + signed_off(off);
    return "";
}

std::string decoded_c_text(const DebugSession& s, uint32_t type_id, std::span<const uint8_t> bytes) {
    const auto& btf = s.object().object().btf;
    if (!btf || type_id == 0) return "0x" + hex_bytes(bytes);
    return to_c_text(format_value(*btf, type_id, bytes));
}

std::string insn_text(const DebugSession& s, uint32_t pc) {
    const auto& insns = s.program().insns;
    if (pc >= insns.size()) return "";
    DisasmOptions options;
    options.helper_names = true;
    return disassemble_one(insns, pc, nullptr, options);
}

std::string source_place(const std::string& file, uint32_t line) { return file + ":" + std::to_string(line); }

} // namespace bpfplay::cli
