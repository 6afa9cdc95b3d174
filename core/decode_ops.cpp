#include "core/decode_ops.hpp"

#include <cstdio>
#include <string>

namespace bpfplay {

namespace {

using namespace op;

Error bad(std::string what) { return make_error(ErrorKind::Decode, std::move(what)); }

std::string opcode_hex(uint8_t opcode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02x", opcode);
    return buf;
}

Error unknown_opcode(const Insn& i) { return bad("unknown opcode " + opcode_hex(i.opcode)); }

Error reserved(const Insn& i, const char* field) {
    return bad("opcode " + opcode_hex(i.opcode) + " uses reserved field " + field + " (it must be 0)");
}

// Picks one of the four variants of an ALU operation laid out as 32Imm, 32Reg, 64Imm, 64Reg.
Op alu_variant(Op first, bool is64, bool reg) { return Op(uint8_t(first) + (is64 ? 2 : 0) + (reg ? 1 : 0)); }
Op jmp_variant(Op first, bool is32, bool reg) { return Op(uint8_t(first) + (is32 ? 2 : 0) + (reg ? 1 : 0)); }

Result<Op> classify_alu(const Insn& i) {
    const bool is64 = cls(i.opcode) == kAlu64;
    const bool reg = src_bit(i.opcode) == kX;
    const AluCode c = alu_code(i.opcode);
    // K-source ops ignore src (must be 0); X-source ops ignore imm (must be 0).
    auto source_fields = [&]() -> Result<Unit> {
        if (!reg && i.src != 0) return reserved(i, "src");
        if (reg && i.imm != 0) return reserved(i, "imm");
        return Unit{};
    };
    // The binary ops: off is 0 except div and mod's 1, the signed forms.
    auto binary = [&](Op base, bool allows_off1 = false) -> Result<Op> {
        if (auto f = source_fields(); !f) return f.error();
        if (i.off != 0 && !(allows_off1 && i.off == 1)) return reserved(i, "off");
        return alu_variant(base, is64, reg);
    };
    switch (c) {
    case AluCode::Neg:
        if (reg) return unknown_opcode(i);
        if (i.src != 0) return reserved(i, "src");
        if (i.off != 0) return reserved(i, "off");
        if (i.imm != 0) return reserved(i, "imm");
        return is64 ? Op::Neg64 : Op::Neg32;
    case AluCode::End: {
        if (i.src != 0) return reserved(i, "src");
        if (i.off != 0) return reserved(i, "off");
        if (i.imm != 16 && i.imm != 32 && i.imm != 64)
            return bad("byte swap width " + std::to_string(i.imm) + " is invalid: it must be 16, 32 or 64");
        if (is64 && reg) return unknown_opcode(i);  // 0xdf: no such instruction
        const int w = i.imm == 16 ? 0 : i.imm == 32 ? 1 : 2;
        if (!is64 && !reg) return Op(uint8_t(Op::Le16) + w);   // to little-endian: a truncation here
        return Op(uint8_t(Op::Bswap16) + w);                    // to big-endian, or the v4 bswap
    }
    case AluCode::Add: return binary(Op::Add32Imm);
    case AluCode::Sub: return binary(Op::Sub32Imm);
    case AluCode::Mul: return binary(Op::Mul32Imm);
    case AluCode::Div: return binary(i.off == 1 ? Op::Sdiv32Imm : Op::Div32Imm, true);
    case AluCode::Mod: return binary(i.off == 1 ? Op::Smod32Imm : Op::Mod32Imm, true);
    case AluCode::Or: return binary(Op::Or32Imm);
    case AluCode::And: return binary(Op::And32Imm);
    case AluCode::Xor: return binary(Op::Xor32Imm);
    case AluCode::Lsh: return binary(Op::Lsh32Imm);
    case AluCode::Rsh: return binary(Op::Rsh32Imm);
    case AluCode::Arsh: return binary(Op::Arsh32Imm);
    case AluCode::Mov:
        if (i.off == 0) return binary(Op::Mov32Imm);
        if (auto f = source_fields(); !f) return f.error();
        // movsx: sign-extending move, register source only
        if (!reg) return bad("opcode " + opcode_hex(i.opcode) + " with off " + std::to_string(i.off) +
                             ": sign-extending mov takes a register source");
        if (i.off == 8) return is64 ? Op::Movsx64_8 : Op::Movsx32_8;
        if (i.off == 16) return is64 ? Op::Movsx64_16 : Op::Movsx32_16;
        if (i.off == 32 && is64) return Op::Movsx64_32;
        return bad("sign-extending mov with off " + std::to_string(i.off) + " is invalid: it must be " +
                   (is64 ? "8, 16 or 32" : "8 or 16"));
    }
    return unknown_opcode(i);  // codes 0xe0 and 0xf0
}

Result<Op> classify_jmp(const Insn& i) {
    const bool is32 = cls(i.opcode) == kJmp32;
    const bool reg = src_bit(i.opcode) == kX;
    // Conditional jumps: K-source ones ignore src (must be 0); X-source ones ignore imm.
    auto conditional = [&](Op base) -> Result<Op> {
        if (!reg && i.src != 0) return reserved(i, "src");
        if (reg && i.imm != 0) return reserved(i, "imm");
        return jmp_variant(base, is32, reg);
    };
    switch (jmp_code(i.opcode)) {
    case JmpCode::Ja:
        if (reg) return unknown_opcode(i);
        if (i.dst != 0) return reserved(i, "dst");
        if (i.src != 0) return reserved(i, "src");
        if (is32 ? i.off != 0 : i.imm != 0) return reserved(i, is32 ? "off" : "imm");  // gotol uses imm
        return Op::Ja;
    case JmpCode::Call:
        if (is32) return unknown_opcode(i);
        if (i.off != 0) return reserved(i, "off");
        if (reg) {
            if (i.src != 0) return reserved(i, "src");
            if (i.dst != 0 && i.imm != 0) return reserved(i, "imm");
            return Op::Callx;
        }
        if (i.dst != 0) return reserved(i, "dst");
        if (i.src == 0) return Op::CallHelper;
        if (i.src == kPseudoCall) return Op::CallLocal;
        if (i.src == kPseudoKfuncCall) return Op::CallHelper;  // decode() binds it by name
        return bad("call with unknown source " + std::to_string(i.src));
    case JmpCode::Exit:
        if (is32 || reg) return unknown_opcode(i);
        if (i.dst != 0) return reserved(i, "dst");
        if (i.src != 0) return reserved(i, "src");
        if (i.off != 0) return reserved(i, "off");
        if (i.imm != 0) return reserved(i, "imm");
        return Op::Exit;
    case JmpCode::Jeq: return conditional(Op::JeqImm);
    case JmpCode::Jne: return conditional(Op::JneImm);
    case JmpCode::Jgt: return conditional(Op::JgtImm);
    case JmpCode::Jge: return conditional(Op::JgeImm);
    case JmpCode::Jlt: return conditional(Op::JltImm);
    case JmpCode::Jle: return conditional(Op::JleImm);
    case JmpCode::Jsgt: return conditional(Op::JsgtImm);
    case JmpCode::Jsge: return conditional(Op::JsgeImm);
    case JmpCode::Jslt: return conditional(Op::JsltImm);
    case JmpCode::Jsle: return conditional(Op::JsleImm);
    case JmpCode::Jset: return conditional(Op::JsetImm);
    }
    return unknown_opcode(i);  // codes 0xe0 and 0xf0
}

Result<Op> classify_mem(const Insn& i, bool legacy_packet) {
    const uint8_t m = mode(i.opcode), s = size(i.opcode);
    const int w = s == kB ? 0 : s == kH ? 1 : s == kW ? 2 : 3;
    switch (insn_class(i.opcode)) {
    case Class::Ld:
        if (i.opcode == kLddw) return Op::Lddw;
        if ((m == kAbs || m == kInd) && s != kDW && legacy_packet) {
            if (i.dst != 0) return reserved(i, "dst");
            if (i.off != 0) return reserved(i, "off");
            if (m == kAbs && i.src != 0) return reserved(i, "src");
            return Op(uint8_t(m == kAbs ? Op::LdAbsB : Op::LdIndB) + (s == kB ? 0 : s == kH ? 1 : 2));
        }
        if ((m == kAbs || m == kInd) && s != kDW)
            return bad("legacy packet access (ld abs/ind, opcode " + opcode_hex(i.opcode) +
                       ") needs a socket-filter packet context, which this program does not have");
        return unknown_opcode(i);
    case Class::Ldx:
        if (i.imm != 0) return reserved(i, "imm");
        if (m == kMem) return Op(uint8_t(Op::Ldxb) + w);
        if (m == kMemsx && s != kDW) return Op(uint8_t(Op::Ldxsb) + w);
        return unknown_opcode(i);
    case Class::St:
        if (m != kMem) return unknown_opcode(i);
        if (i.src != 0) return reserved(i, "src");
        return Op(uint8_t(Op::Stb) + w);
    case Class::Stx:
        if (m == kMem) {
            if (i.imm != 0) return reserved(i, "imm");
            return Op(uint8_t(Op::Stxb) + w);
        }
        if (m == kAtomic && (s == kW || s == kDW)) {
            const bool is64 = s == kDW;
            auto pick = [&](Op first, bool fetch) {
                return Op(uint8_t(first) + (is64 ? 1 : 0) + (fetch ? 2 : 0));
            };
            switch (i.imm) {
            case kAdd: case kAdd | kFetch: return pick(Op::AtomicAdd32, i.imm & kFetch);
            case kOr: case kOr | kFetch: return pick(Op::AtomicOr32, i.imm & kFetch);
            case kAnd: case kAnd | kFetch: return pick(Op::AtomicAnd32, i.imm & kFetch);
            case kXor: case kXor | kFetch: return pick(Op::AtomicXor32, i.imm & kFetch);
            case kXchg: return is64 ? Op::Xchg64 : Op::Xchg32;
            case kCmpxchg: return is64 ? Op::Cmpxchg64 : Op::Cmpxchg32;
            default: {
                char buf[16];
                std::snprintf(buf, sizeof buf, "0x%x", unsigned(i.imm));
                return bad(std::string("unknown atomic operation ") + buf);
            }
            }
        }
        return unknown_opcode(i);
    case Class::Alu:
    case Class::Jmp:
    case Class::Jmp32:
    case Class::Alu64: break;  // classify() sends these to classify_alu / classify_jmp
    }
    return unknown_opcode(i);
}

}  // namespace

Result<Op> classify(const Insn& i, bool legacy_packet) {
    switch (insn_class(i.opcode)) {
    case Class::Alu:
    case Class::Alu64: return classify_alu(i);
    case Class::Jmp:
    case Class::Jmp32: return classify_jmp(i);
    case Class::Ld:
    case Class::Ldx:
    case Class::St:
    case Class::Stx: return classify_mem(i, legacy_packet);
    }
    return unknown_opcode(i);  // the class is 3 bits: all eight are listed
}

OpFamily op_family(Op op) {
#define BPF_FAMILY_CASE_(name) case Op::name:
#define BPF_FAMILY_ALU_CASES_(name) BPF_OP_ALU_VARIANTS_(BPF_FAMILY_CASE_, name)
#define BPF_FAMILY_JMP_CASES_(name) BPF_OP_JMP_VARIANTS_(BPF_FAMILY_CASE_, name)
#define BPF_FAMILY_ATOMIC_CASES_(name) case Op::Atomic##name##32: case Op::Atomic##name##64:
#define BPF_FAMILY_FETCH_CASES_(name) case Op::AtomicFetch##name##32: case Op::AtomicFetch##name##64:
    switch (op) {
    BPF_ALU_BINOPS(BPF_FAMILY_ALU_CASES_)
    case Op::Neg32: case Op::Neg64:
    case Op::Movsx32_8: case Op::Movsx32_16: case Op::Movsx64_8: case Op::Movsx64_16: case Op::Movsx64_32:
    case Op::Le16: case Op::Le32: case Op::Le64: case Op::Bswap16: case Op::Bswap32: case Op::Bswap64:
        return OpFamily::Alu;
    case Op::Ja:
    BPF_JMP_CONDS(BPF_FAMILY_JMP_CASES_)
        return OpFamily::Jump;
    case Op::CallHelper:
    case Op::CallLocal:
    case Op::Callx: return OpFamily::Call;
    case Op::Exit: return OpFamily::Exit;
    case Op::Lddw: return OpFamily::Lddw;
    case Op::LddwTail: return OpFamily::LddwTail;
    case Op::LdAbsB: case Op::LdAbsH: case Op::LdAbsW:
    case Op::LdIndB: case Op::LdIndH: case Op::LdIndW: return OpFamily::LegacyLoad;
    case Op::Ldxb: case Op::Ldxh: case Op::Ldxw: case Op::Ldxdw:
    case Op::Ldxsb: case Op::Ldxsh: case Op::Ldxsw: return OpFamily::Load;
    case Op::Stb: case Op::Sth: case Op::Stw: case Op::Stdw:
    case Op::Stxb: case Op::Stxh: case Op::Stxw: case Op::Stxdw: return OpFamily::Store;
    BPF_ATOMIC_OPS(BPF_FAMILY_ATOMIC_CASES_) return OpFamily::Atomic;
    BPF_ATOMIC_OPS(BPF_FAMILY_FETCH_CASES_)
    case Op::Xchg32: case Op::Xchg64: return OpFamily::AtomicFetch;
    case Op::Cmpxchg32: case Op::Cmpxchg64: return OpFamily::Cmpxchg;
    case Op::Count_: break;  // not an op
    }
#undef BPF_FAMILY_FETCH_CASES_
#undef BPF_FAMILY_ATOMIC_CASES_
#undef BPF_FAMILY_JMP_CASES_
#undef BPF_FAMILY_ALU_CASES_
#undef BPF_FAMILY_CASE_
    return OpFamily::Alu;
}

namespace {
bool alu_reads_dst(Op op) {
    // mov and movsx overwrite dst without reading it.
    return !(op == Op::Mov32Imm || op == Op::Mov32Reg || op == Op::Mov64Imm || op == Op::Mov64Reg ||
             (op >= Op::Movsx32_8 && op <= Op::Movsx64_32));
}
bool alu_reads_src(Op op) {
    if (op >= Op::Movsx32_8 && op <= Op::Movsx64_32) return true;
    if (op < Op::Neg32) return (uint8_t(op) & 1) != 0;  // the Reg variants are odd
    return false;
}
}  // namespace

RegUse reg_use(const DecodedInsn& d, const Program& prog) {
    const uint16_t dst = uint16_t(1u << d.dst), src = uint16_t(1u << d.src);
    switch (op_family(d.op)) {
    case OpFamily::Alu:
        return {uint16_t((alu_reads_dst(d.op) ? dst : 0) | (alu_reads_src(d.op) ? src : 0)), dst};
    case OpFamily::Jump:
        if (d.op == Op::Ja) return {};
        return {uint16_t(dst | ((uint8_t(d.op) - uint8_t(Op::JeqImm)) % 2 ? src : 0)), 0};
    case OpFamily::Call:
        if (d.op == Op::CallHelper) {
            const uint8_t n = prog.helpers[d.target].nargs;
            return {uint16_t(((1u << (n + 1)) - 1) & kArgRegs), 1};
        }
        if (d.op == Op::Callx) return {dst, 1};
        return {0, 1};
    case OpFamily::Exit: return {1, 0};
    case OpFamily::Lddw: return {0, dst};
    case OpFamily::LddwTail: return {};
    // ld abs/ind read the packet through the context in r6 and, like a call, clobber r1-r5.
    case OpFamily::LegacyLoad: return {uint16_t((1u << 6) | (d.op >= Op::LdIndB ? src : 0)), 1};
    case OpFamily::Load: return {src, dst};
    case OpFamily::Store: return {uint16_t(dst | (d.op >= Op::Stxb ? src : 0)), 0};
    case OpFamily::Atomic: return {uint16_t(dst | src), 0};
    case OpFamily::AtomicFetch: return {uint16_t(dst | src), src};
    case OpFamily::Cmpxchg: return {uint16_t(dst | src | 1), 1};
    }
    return {};
}

}  // namespace bpfplay
