#include "core/text/disasm.hpp"

#include <cstdio>

#include "core/helpers/helper_catalog.hpp"
#include "core/text/syntax.hpp"

namespace bpfplay {

namespace {

using text::Form;
using text::Hole;

constexpr uint8_t kMaxReg = 10;

bool reg_ok(uint8_t r) {
    return r <= kMaxReg;
}

bool hole_fits(Hole h, const Insn& a) {
    switch (h) {
    case Hole::DstR:
    case Hole::DstW:
    case Hole::DstAnyR:
    case Hole::DstAnyW: return reg_ok(a.dst);
    case Hole::SrcR:
    case Hole::SrcW:
    case Hole::SrcAnyR:
    case Hole::SrcAnyW: return reg_ok(a.src);
    case Hole::ImmReg: return a.imm >= 0 && a.imm <= kMaxReg;
    case Hole::ImmNonNeg: return a.imm >= 0;
    case Hole::ImmNeg: return a.imm < 0;
    case Hole::Imm: case Hole::Imm32: case Hole::ImmSigned: case Hole::Imm2: case Hole::Imm64:
    case Hole::JumpOff: case Hole::JumpImm: case Hole::MemOff: case Hole::IndOff: case Hole::Ll: break;
    }
    return true;
}

// Does `f` describe the instruction a (and b, its second slot, for a wide form)?
bool fits(const Form& f, const Insn& a, const Insn* b) {
    if (f.use == Form::Use::AsmOnly || f.opcode != a.opcode) return false;
    if (!(f.fields & text::kFieldDst) && a.dst != f.dst) return false;
    if (!(f.fields & text::kFieldSrc) && a.src != f.src) return false;
    if (!(f.fields & text::kFieldOff) && a.off != f.off) return false;
    if (!(f.fields & text::kFieldImm) && a.imm != f.imm) return false;
    if (f.wide) {
        if (!b || b->opcode != 0 || b->dst != 0 || b->src != 0 || b->off != 0) return false;
        if (!(f.fields & text::kFieldImm2) && b->imm != 0) return false;
    }
    for (const auto& item : f.pattern)
        if (item.is_hole && !hole_fits(item.hole, a)) return false;
    return true;
}

void append_signed(std::string& out, int64_t v) {
    out += v < 0 ? '-' : '+';
    out += std::to_string(v < 0 ? -v : v);
}

void render_hole(Hole h, const Insn& a, const Insn* b, std::string& out) {
    switch (h) {
    case Hole::DstR:
    case Hole::DstAnyR:
        out += 'r';
        out += std::to_string(a.dst);
        return;
    case Hole::DstW:
    case Hole::DstAnyW:
        out += 'w';
        out += std::to_string(a.dst);
        return;
    case Hole::SrcR:
    case Hole::SrcAnyR:
        out += 'r';
        out += std::to_string(a.src);
        return;
    case Hole::SrcW:
    case Hole::SrcAnyW:
        out += 'w';
        out += std::to_string(a.src);
        return;
    case Hole::ImmReg:
        out += 'r';
        out += std::to_string(a.imm);
        return;
    case Hole::Imm:
    case Hole::Imm32:
    case Hole::ImmNonNeg:
    case Hole::ImmNeg: out += std::to_string(a.imm); return;
    case Hole::ImmSigned:
    case Hole::JumpImm: append_signed(out, a.imm); return;
    case Hole::Imm2: out += std::to_string(b->imm); return;
    case Hole::Imm64: {
        uint64_t v = uint64_t(uint32_t(a.imm)) | (uint64_t(uint32_t(b->imm)) << 32);
        out += std::to_string(int64_t(v));
        return;
    }
    case Hole::JumpOff: append_signed(out, a.off); return;
    case Hole::MemOff:
        out += a.off < 0 ? "- " : "+ ";
        out += std::to_string(a.off < 0 ? -int32_t(a.off) : int32_t(a.off));
        return;
    case Hole::IndOff:
        if (a.imm != 0) {
            out += a.imm < 0 ? " - " : " + ";
            out += std::to_string(a.imm < 0 ? -int64_t(a.imm) : int64_t(a.imm));
        }
        return;
    case Hole::Ll: out += "ll"; return;
    }
}

void render(const Form& f, const Insn& a, const Insn* b, std::string& out) {
    std::string_view t = f.text;
    for (size_t i = 0; i < t.size(); ++i) {
        if (t[i] != '{') {
            out += t[i];
            continue;
        }
        size_t close = t.find('}', i);
        Hole h{};
        text::hole_from_name(t.substr(i + 1, close - i - 1), h);
        render_hole(h, a, b, out);
        i = close;
    }
}

std::string hex8(unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02x", v & 0xffu);
    return buf;
}

// Text no Form matches, so the assembler rejects it; the fields say what was there.
std::string invalid_text(const Insn& a) {
    if (text::forms_for_opcode(a.opcode).empty()) return "<unknown opcode " + hex8(a.opcode) + ">";
    return "<invalid " + hex8(a.opcode) + ": dst=" + std::to_string(a.dst) + " src=" + std::to_string(a.src) +
           " off=" + std::to_string(a.off) + " imm=" + std::to_string(a.imm) + ">";
}

void append_bytes(std::string& out, const Insn* insns, size_t n) {
    for (size_t k = 0; k < n; ++k) {
        uint8_t bytes[8];
        insn_to_bytes(insns[k], bytes);
        for (int j = 0; j < 8; ++j) {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%02x", bytes[j]);
            if (k || j) out += ' ';
            out += buf;
        }
    }
    out += '\t';
}

} // namespace

std::string disassemble_one(std::span<const Insn> insns, size_t index, size_t* slots,
                            const DisasmOptions& options) {
    if (index >= insns.size()) {
        if (slots) *slots = 1;
        return "<no instruction>";
    }
    const Insn& a = insns[index];
    // Like llvm-objdump, opcode 0x18 always takes two slots when there are two.
    const bool two = a.opcode == op::kLddw && index + 1 < insns.size();
    const Insn* b = two ? &insns[index + 1] : nullptr;
    const size_t used = two ? 2 : 1;
    if (slots) *slots = used;

    std::string out;
    if (options.show_index) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%8zu:\t", index);
        out += buf;
    }
    if (options.show_bytes) append_bytes(out, &a, used);

    if (a.opcode == op::kLddw && !two) return out + "<truncated lddw>";
    for (const Form* f : text::forms_for_opcode(a.opcode)) {
        if (!fits(*f, a, b)) continue;
        render(*f, a, b, out);
        if (options.helper_names && a.opcode == (op::kJmp | op::kCall) && a.src == 0 && a.imm > 0) {
            if (const char* name = kernel_helper_name(a.imm)) {
                out += " ; ";
                out += name;
            }
        }
        if (options.helper_names && options.kfunc_name && a.opcode == (op::kJmp | op::kCall) &&
            a.src == op::kPseudoKfuncCall) {
            if (const std::string name = options.kfunc_name(index); !name.empty()) out += " ; " + name;
        }
        return out;
    }
    return out + invalid_text(a);
}

std::string disassemble(std::span<const Insn> insns, const DisasmOptions& options) {
    std::string out;
    for (size_t i = 0; i < insns.size();) {
        size_t used = 1;
        out += disassemble_one(insns, i, &used, options);
        out += '\n';
        i += used;
    }
    return out;
}

} // namespace bpfplay
