// ALU instructions: numbers through the scalar transfer functions, pointers through the
// kernel's pointer arithmetic rules (adjust_ptr_min_max_vals).
#include "core/verifier/steps.hpp"

namespace bpfplay::verifier {

namespace {

const char* op_string(op::AluCode code) {
    switch (code) {
    case op::AluCode::Add: return "+=";
    case op::AluCode::Sub: return "-=";
    case op::AluCode::Mul: return "*=";
    case op::AluCode::Div: return "/=";
    case op::AluCode::Or: return "|=";
    case op::AluCode::And: return "&=";
    case op::AluCode::Lsh: return "<<=";
    case op::AluCode::Rsh: return ">>=";
    case op::AluCode::Neg: return "neg";
    case op::AluCode::Mod: return "%=";
    case op::AluCode::Xor: return "^=";
    case op::AluCode::Mov: return "=";
    case op::AluCode::Arsh: return "s>>=";
    case op::AluCode::End: return "endian";
    }
    return "?";
}

AluOp alu_op(op::AluCode code) {
    switch (code) {
    case op::AluCode::Add: return AluOp::Add;
    case op::AluCode::Sub: return AluOp::Sub;
    case op::AluCode::Mul: return AluOp::Mul;
    case op::AluCode::Div: return AluOp::Div;
    case op::AluCode::Or: return AluOp::Or;
    case op::AluCode::And: return AluOp::And;
    case op::AluCode::Lsh: return AluOp::Lsh;
    case op::AluCode::Rsh: return AluOp::Rsh;
    case op::AluCode::Neg: return AluOp::Neg;
    case op::AluCode::Mod: return AluOp::Mod;
    case op::AluCode::Xor: return AluOp::Xor;
    case op::AluCode::Arsh: return AluOp::Arsh;
    case op::AluCode::Mov:
    case op::AluCode::End: return AluOp::Mov;  // step_alu handles both before asking
    }
    return AluOp::Mov;
}

// Byte swaps and sign-extending moves: the result's width is all the checker keeps.
Scalar width_only(unsigned bits) {
    return bits >= 64 ? Scalar::unknown() : Scalar::range(0, (1ull << bits) - 1);
}

bool pointer_arith(Env& env, State& st, const Insn& insn, Reg& dst, const Reg& src_val, int ptr_side_reg) {
    if (src_val.widened)
        return env.cannot_tell("a pointer moved by a number a callback changes (the kernel's precision tracking decides whether its calls converge)");
    const uint8_t code = op::code(insn.opcode);
    const Reg& ptr = ptr_side_reg == insn.dst ? dst : st.top().regs[insn.src];
    const int regno = insn.dst;
    if (op::cls(insn.opcode) == op::kAlu)
        return env.refuse(Rule::PointerArith, fmt("R%d 32-bit pointer arithmetic prohibited", regno));
    if (code != op::kAdd && code != op::kSub) {
        if (code == op::kAnd || code == op::kOr || code == op::kXor)
            return env.refuse(Rule::PointerArith, fmt("R%d bitwise operator %s on pointer prohibited", regno, op_string(op::alu_code(insn.opcode))));
        return env.refuse(Rule::PointerArith, fmt("R%d pointer arithmetic with %s operator prohibited", regno, op_string(op::alu_code(insn.opcode))));
    }
    if (ptr.maybe_null)
        return env.refuse(Rule::PointerArith, fmt("R%d pointer arithmetic on %s prohibited, null-check it first", regno,
                                                  reg_type_name(ptr.type, true).c_str()));
    switch (ptr.type) {
    case RegType::PacketEnd:
    case RegType::MapPtr:
    case RegType::Sock:
    case RegType::Func:
    case RegType::ConstDynptr:
        return env.refuse(Rule::PointerArith, fmt("R%d pointer arithmetic on %s prohibited", regno, reg_type_name(ptr.type, false).c_str()));
    case RegType::Ctx: case RegType::Packet: case RegType::PacketMeta: case RegType::Stack:
    case RegType::MapValue: case RegType::Mem: case RegType::BtfId: case RegType::MapKey: break;  // offsettable pointers
    case RegType::NotInit:
    case RegType::Scalar: break;  // not pointers: the caller passes only pointers
    }
    if (code == op::kSub && ptr_side_reg != insn.dst)
        return env.refuse(Rule::PointerArith, fmt("R%d tried to subtract pointer from scalar", regno));
    Reg result = ptr;
    const Scalar& k = src_val.var;
    // The number must keep the pointer near its object (check_reg_sane_offset).
    const std::string ptr_name = reg_type_name(ptr.type, false);
    if (k.is_const() && (int64_t(k.value()) >= kMaxVarOff || int64_t(k.value()) <= -kMaxVarOff))
        return env.refuse(Rule::PointerArith, fmt("math between %s pointer and %lld is not allowed", ptr_name.c_str(), (long long)k.value()));
    if (k.smin == INT64_MIN)
        return env.refuse(Rule::PointerArith,
                          fmt("math between %s pointer and register with unbounded min value is not allowed", ptr_name.c_str()));
    if (k.smin >= kMaxVarOff || k.smin <= -kMaxVarOff)
        return env.refuse(Rule::PointerArith, fmt("value %lld makes %s pointer be out of bounds", (long long)k.smin, ptr_name.c_str()));
    if (k.is_const()) {
        const int64_t v = code == op::kAdd ? int64_t(k.value()) : -int64_t(k.value());
        const int64_t off = int64_t(result.off) + v;
        if (off < -kMaxVarOff || off > kMaxVarOff)
            return env.refuse(Rule::PointerArith, fmt("value %lld makes %s pointer be out of bounds", (long long)off, ptr_name.c_str()));
        result.off = int32_t(off);
    } else {
        // A ctx pointer may take a variable offset (adjust_ptr_min_max_vals lists PTR_TO_CTX
        // with the other offsettable types); only a load or store through it is refused
        // ("variable ctx access"), while passing it on as a number is fine: libbpf's usdt.bpf.h
        // reads a USDT argument with bpf_probe_read_kernel(&val, 8, (void *)ctx + reg_off).
        result.var = scalar_alu(code == op::kAdd ? AluOp::Add : AluOp::Sub, ptr.var, k, false);
        if (ptr.type == RegType::Packet || ptr.type == RegType::PacketMeta) {
            // A new variable part: what was proven for the old pointer does not carry over.
            result.id = env.new_id();
            result.range = 0;
        }
    }
    dst = result;
    return true;
}

}  // namespace

bool step_alu(Env& env, State& st, const Insn& insn) {
    Frame& fr = st.top();
    const uint8_t code = op::code(insn.opcode);
    const bool alu32 = op::cls(insn.opcode) == op::kAlu;
    const bool use_src = op::src_bit(insn.opcode) == op::kX && code != op::kNeg && code != op::kEnd;
    if (use_src && !check_readable(env, st, insn.src)) return false;
    if (code != op::kMov && !check_readable(env, st, insn.dst)) return false;
    if (insn.dst == 10) return env.refuse(Rule::FramePointer, "frame pointer is read only");
    Reg& dst = fr.regs[insn.dst];
    if ((code == op::kDiv || code == op::kMod) && !use_src && insn.imm == 0) return env.refuse(Rule::Other, "div by zero");
    if ((code == op::kLsh || code == op::kRsh || code == op::kArsh) && !use_src &&
        (insn.imm < 0 || insn.imm >= (alu32 ? 32 : 64)))
        return env.refuse(Rule::Other, fmt("invalid shift %d", insn.imm));

    if (code == op::kEnd) {
        if (dst.is_pointer()) return env.refuse(Rule::PointerArith, fmt("R%d pointer arithmetic prohibited", int(insn.dst)));
        const unsigned bits = unsigned(insn.imm);
        if (alu32 && op::src_bit(insn.opcode) == op::kToLe) {
            // to-little-endian on a little-endian host: a truncation to the width.
            dst = Reg::scalar(bits >= 64 ? dst.var : scalar_alu(AluOp::And, dst.var, Scalar::constant((1ull << bits) - 1), false));
        } else {
            dst = Reg::scalar(width_only(bits));
        }
        return true;
    }
    Reg src_val = use_src ? fr.regs[insn.src] : Reg::scalar(Scalar::constant(uint64_t(int64_t(insn.imm))));
    // What is computed from a widened number is one too.
    const bool widened = src_val.widened || (code != op::kMov && dst.widened);
    struct Taint {
        Reg& r;
        bool on;
        ~Taint() {
            if (on && r.type == RegType::Scalar) r.widened = true;
        }
    } taint{dst, widened};
    if (code == op::kMov) {
        if (op::src_bit(insn.opcode) == op::kX && insn.off != 0) {  // movsx
            if (src_val.is_pointer()) return env.cannot_tell("a sign-extending move of a pointer");
            dst = Reg::scalar(alu32 ? width_only(32) : Scalar::unknown());
            return true;
        }
        if (alu32) {
            // A 32-bit copy of a pointer is a number as far as the verifier knows (root only).
            dst = Reg::scalar(src_val.is_pointer() ? width_only(32) : scalar_zext32(src_val.var));
            return true;
        }
        if (use_src && src_val.type == RegType::Scalar && !src_val.var.is_const() && insn.src != insn.dst) {
            // A copy: a later comparison of either narrows both (the kernel's scalar ids).
            Reg& src = fr.regs[insn.src];
            if (src.id == 0) src.id = env.new_id();
            src_val = src;
        }
        dst = src_val;
        return true;
    }
    if (alu32 && (dst.is_pointer() || src_val.is_pointer())) {
        // 32-bit ALU on pointers: a subtraction gives a meaningless number (root may), which
        // adjust_ptr_min_max_vals marks wholly unknown, not zero-extended: its smin is negative.
        if (code == op::kSub) {
            dst = Reg::scalar(Scalar::unknown());
            return true;
        }
        return env.refuse(Rule::PointerArith, fmt("R%d 32-bit pointer arithmetic prohibited", int(insn.dst)));
    }
    if (dst.is_pointer() && src_val.is_pointer()) {
        if (code == op::kSub) {  // pointer difference: a number (root may)
            dst = Reg::scalar(Scalar::unknown());
            return true;
        }
        return env.refuse(Rule::PointerArith, fmt("R%d pointer %s pointer prohibited", int(insn.dst), op_string(op::alu_code(insn.opcode))));
    }
    if (dst.is_pointer()) return pointer_arith(env, st, insn, dst, src_val, insn.dst);
    if (src_val.is_pointer()) {
        if (code == op::kAdd && !alu32) {
            // scalar += pointer: the pointer moves by the scalar, and lands in dst.
            Reg scalar_part = dst;
            dst = src_val;
            return pointer_arith(env, st, insn, dst, scalar_part, insn.dst);
        }
        if (code == op::kSub) return env.refuse(Rule::PointerArith, fmt("R%d tried to subtract pointer from scalar", int(insn.dst)));
        return env.refuse(Rule::PointerArith, fmt("R%d pointer arithmetic with %s operator prohibited", int(insn.dst), op_string(op::alu_code(insn.opcode))));
    }
    const AluOp aop = alu_op(op::alu_code(insn.opcode));
    dst = Reg::scalar(aop == AluOp::Neg ? scalar_alu(AluOp::Neg, dst.var, dst.var, alu32) : scalar_alu(aop, dst.var, src_val.var, alu32));
    return true;
}

bool step_lddw(Env& env, State& st, const Insn& insn, const Insn& next) {
    if (insn.dst == 10) return env.refuse(Rule::FramePointer, "frame pointer is read only");
    Reg& dst = st.top().regs[insn.dst];
    if (insn.src > op::kLddwSourceMax)
        return env.cannot_tell(fmt("lddw with pseudo source %d (kernel variables)", int(insn.src)));
    switch (op::LddwSource(insn.src)) {
    case op::LddwSource::Imm:
        dst = Reg::scalar(Scalar::constant(uint64_t(uint32_t(insn.imm)) | (uint64_t(uint32_t(next.imm)) << 32)));
        return true;
    case op::LddwSource::MapFd:
    case op::LddwSource::MapIdx:
    case op::LddwSource::MapValue:
    case op::LddwSource::MapIdxValue: {
        const MapSpec* m = env.map(uint32_t(insn.imm));
        if (!m) return env.refuse(Rule::Other, fmt("fd %d is not pointing to valid bpf_map", insn.imm));
        dst = Reg{};
        const bool value = insn.src == op::kPseudoMapValue || insn.src == op::kPseudoMapIdxValue;
        dst.type = value ? RegType::MapValue : RegType::MapPtr;
        dst.map = uint32_t(insn.imm);
        dst.off = value ? next.imm : 0;
        if (value && (next.imm < 0 || uint32_t(next.imm) >= m->value_size))
            return env.refuse(Rule::MapValueBounds, fmt("invalid access to map value pointer, value_size=%u off=%d", m->value_size, next.imm));
        return true;
    }
    case op::LddwSource::Func:
        // check_ld_imm for BPF_PSEUDO_FUNC: PTR_TO_FUNC of the function it names, which must be
        // static (a global one is verified apart, from its signature, not as a callback).
        for (uint32_t g : env.in.global_functions)
            if (int64_t(g) == int64_t(env.pc) + insn.imm + 1) return env.refuse(Rule::HelperArg, "callback function not static");
        dst = Reg{};
        dst.type = RegType::Func;
        dst.var = Scalar::constant(0);
        dst.map = uint32_t(int64_t(env.pc) + insn.imm + 1);
        return true;
    case op::LddwSource::BtfId: break;
    }
    return env.cannot_tell(fmt("lddw with pseudo source %d (kernel variables)", int(insn.src)));
}

}  // namespace bpfplay::verifier
