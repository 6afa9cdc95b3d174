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
    const uint8_t c = code(i.opcode);
    if (c == kNeg) {
        if (reg) return unknown_opcode(i);
        if (i.src != 0) return reserved(i, "src");
        if (i.off != 0) return reserved(i, "off");
        if (i.imm != 0) return reserved(i, "imm");
        return is64 ? Op::Neg64 : Op::Neg32;
    }
    if (c == kEnd) {
        if (i.src != 0) return reserved(i, "src");
        if (i.off != 0) return reserved(i, "off");
        if (i.imm != 16 && i.imm != 32 && i.imm != 64)
            return bad("byte swap width " + std::to_string(i.imm) + " is invalid: it must be 16, 32 or 64");
        if (is64 && reg) return unknown_opcode(i);  // 0xdf: no such instruction
        const int w = i.imm == 16 ? 0 : i.imm == 32 ? 1 : 2;
        if (!is64 && !reg) return Op(uint8_t(Op::Le16) + w);   // to little-endian: a truncation here
        return Op(uint8_t(Op::Bswap16) + w);                    // to big-endian, or the v4 bswap
    }
    if (c == 0xe0 || c == 0xf0) return unknown_opcode(i);
    // Fields: K-source ops ignore src (must be 0); X-source ops ignore imm (must be 0).
    if (!reg && i.src != 0) return reserved(i, "src");
    if (reg && i.imm != 0) return reserved(i, "imm");
    Op base;
    switch (c) {
    case kAdd: base = Op::Add32Imm; break;
    case kSub: base = Op::Sub32Imm; break;
    case kMul: base = Op::Mul32Imm; break;
    case kDiv: base = i.off == 1 ? Op::Sdiv32Imm : Op::Div32Imm; break;
    case kMod: base = i.off == 1 ? Op::Smod32Imm : Op::Mod32Imm; break;
    case kOr: base = Op::Or32Imm; break;
    case kAnd: base = Op::And32Imm; break;
    case kXor: base = Op::Xor32Imm; break;
    case kLsh: base = Op::Lsh32Imm; break;
    case kRsh: base = Op::Rsh32Imm; break;
    case kArsh: base = Op::Arsh32Imm; break;
    case kMov:
        if (i.off != 0) {  // movsx: sign-extending move, register source only
            if (!reg) return bad("opcode " + opcode_hex(i.opcode) + " with off " + std::to_string(i.off) +
                                 ": sign-extending mov takes a register source");
            if (i.off == 8) return is64 ? Op::Movsx64_8 : Op::Movsx32_8;
            if (i.off == 16) return is64 ? Op::Movsx64_16 : Op::Movsx32_16;
            if (i.off == 32 && is64) return Op::Movsx64_32;
            return bad("sign-extending mov with off " + std::to_string(i.off) + " is invalid: it must be " +
                       (is64 ? "8, 16 or 32" : "8 or 16"));
        }
        base = Op::Mov32Imm;
        break;
    default: return unknown_opcode(i);
    }
    const bool allows_off1 = c == kDiv || c == kMod;
    if (i.off != 0 && !(allows_off1 && i.off == 1)) return reserved(i, "off");
    return alu_variant(base, is64, reg);
}

Result<Op> classify_jmp(const Insn& i) {
    const bool is32 = cls(i.opcode) == kJmp32;
    const bool reg = src_bit(i.opcode) == kX;
    const uint8_t c = code(i.opcode);
    switch (c) {
    case kJa:
        if (reg) return unknown_opcode(i);
        if (i.dst != 0) return reserved(i, "dst");
        if (i.src != 0) return reserved(i, "src");
        if (is32 ? i.off != 0 : i.imm != 0) return reserved(i, is32 ? "off" : "imm");  // gotol uses imm
        return Op::Ja;
    case kCall:
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
    case kExit:
        if (is32 || reg) return unknown_opcode(i);
        if (i.dst != 0) return reserved(i, "dst");
        if (i.src != 0) return reserved(i, "src");
        if (i.off != 0) return reserved(i, "off");
        if (i.imm != 0) return reserved(i, "imm");
        return Op::Exit;
    case 0xe0:
    case 0xf0: return unknown_opcode(i);
    default: break;
    }
    if (!reg && i.src != 0) return reserved(i, "src");
    if (reg && i.imm != 0) return reserved(i, "imm");
    Op base;
    switch (c) {
    case kJeq: base = Op::JeqImm; break;
    case kJne: base = Op::JneImm; break;
    case kJgt: base = Op::JgtImm; break;
    case kJge: base = Op::JgeImm; break;
    case kJlt: base = Op::JltImm; break;
    case kJle: base = Op::JleImm; break;
    case kJsgt: base = Op::JsgtImm; break;
    case kJsge: base = Op::JsgeImm; break;
    case kJslt: base = Op::JsltImm; break;
    case kJsle: base = Op::JsleImm; break;
    case kJset: base = Op::JsetImm; break;
    default: return unknown_opcode(i);
    }
    return jmp_variant(base, is32, reg);
}

Result<Op> classify_mem(const Insn& i, bool legacy_packet) {
    const uint8_t m = mode(i.opcode), s = size(i.opcode);
    const int w = s == kB ? 0 : s == kH ? 1 : s == kW ? 2 : 3;
    switch (cls(i.opcode)) {
    case kLd:
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
    case kLdx:
        if (i.imm != 0) return reserved(i, "imm");
        if (m == kMem) return Op(uint8_t(Op::Ldxb) + w);
        if (m == kMemsx && s != kDW) return Op(uint8_t(Op::Ldxsb) + w);
        return unknown_opcode(i);
    case kSt:
        if (m != kMem) return unknown_opcode(i);
        if (i.src != 0) return reserved(i, "src");
        return Op(uint8_t(Op::Stb) + w);
    case kStx:
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
    default: return unknown_opcode(i);
    }
}

}  // namespace

Result<Op> classify(const Insn& i, bool legacy_packet) {
    switch (cls(i.opcode)) {
    case kAlu:
    case kAlu64: return classify_alu(i);
    case kJmp:
    case kJmp32: return classify_jmp(i);
    default: return classify_mem(i, legacy_packet);
    }
}

OpFamily op_family(Op op) {
    if (op < Op::Ja) return OpFamily::Alu;
    if (op < Op::CallHelper) return OpFamily::Jump;
    switch (op) {
    case Op::CallHelper:
    case Op::CallLocal:
    case Op::Callx: return OpFamily::Call;
    case Op::Exit: return OpFamily::Exit;
    case Op::Lddw: return OpFamily::Lddw;
    case Op::LddwTail: return OpFamily::LddwTail;
    case Op::LdAbsB: case Op::LdAbsH: case Op::LdAbsW:
    case Op::LdIndB: case Op::LdIndH: case Op::LdIndW: return OpFamily::LegacyLoad;
    case Op::Stb: case Op::Sth: case Op::Stw: case Op::Stdw:
    case Op::Stxb: case Op::Stxh: case Op::Stxw: case Op::Stxdw: return OpFamily::Store;
    case Op::Xchg32: case Op::Xchg64: return OpFamily::AtomicFetch;
    case Op::Cmpxchg32: case Op::Cmpxchg64: return OpFamily::Cmpxchg;
    default: break;
    }
    if (op >= Op::Ldxb && op <= Op::Ldxsw) return OpFamily::Load;
    // Atomic ops come in groups of four: 32, 64, fetch 32, fetch 64.
    return (uint8_t(op) - uint8_t(Op::AtomicAdd32)) % 4 >= 2 ? OpFamily::AtomicFetch : OpFamily::Atomic;
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
