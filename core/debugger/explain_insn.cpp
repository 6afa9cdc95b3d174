// One instruction in words (RFC 9669's meaning of each opcode) and, given the machine before it
// runs, with its values. The values of ALU results and branch outcomes are computed here from
// the registers: the instruction has not run yet when a learner looks at it.
#include <cinttypes>
#include <cstdio>

#include "core/debugger/explain.hpp"
#include "core/decode_ops.hpp"
#include "core/helpers/helper_catalog.hpp"
#include "core/helpers/kfunc_catalog.hpp"
#include "core/text/disasm.hpp"

namespace bpfplay {

namespace {

using namespace op;

std::string reg_name(uint8_t r, bool w32 = false) { return (w32 ? "w" : "r") + std::to_string(r); }

std::string hex64(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
    return buf;
}

std::string signed_off(int64_t off) { return off < 0 ? std::to_string(off) : "+" + std::to_string(off); }

std::string bytes_words(uint32_t n) { return std::to_string(n) + (n == 1 ? " byte" : " bytes"); }

const char* class_name(uint8_t opcode) {
    static const char* const kNames[] = {"ld", "ldx", "st", "stx", "alu32", "jmp", "jmp32", "alu64"};
    return kNames[cls(opcode)];
}

// The ALU result as the interpreter computes it (RFC 9669 section 4): division by zero gives
// 0, modulo by zero leaves dst; shifts take their amount modulo the width; 32-bit results are
// zero-extended.
uint64_t alu_result(uint8_t c, bool is64, int16_t off, uint64_t d, uint64_t s) {
    if (!is64) {
        const uint32_t a = uint32_t(d), b = uint32_t(s);
        const int32_t sa = int32_t(a), sb = int32_t(b);
        switch (c) {
        case kAdd: return uint32_t(a + b);
        case kSub: return uint32_t(a - b);
        case kMul: return uint32_t(a * b);
        case kDiv:
            if (b == 0) return 0;
            if (off == 1) return uint32_t(sb == -1 ? uint32_t(0) - a : uint32_t(sa / sb));
            return a / b;
        case kMod:
            if (b == 0) return a;
            if (off == 1) return uint32_t(sb == -1 ? 0 : sa % sb);
            return a % b;
        case kOr: return a | b;
        case kAnd: return a & b;
        case kXor: return a ^ b;
        case kLsh: return uint32_t(a << (b & 31));
        case kRsh: return a >> (b & 31);
        case kArsh: return uint32_t(sa >> (b & 31));
        case kMov: return b;
        case kNeg: return uint32_t(0) - a;
        }
        return a;
    }
    const int64_t sd = int64_t(d), ss = int64_t(s);
    switch (c) {
    case kAdd: return d + s;
    case kSub: return d - s;
    case kMul: return d * s;
    case kDiv:
        if (s == 0) return 0;
        if (off == 1) return ss == -1 ? uint64_t(0) - d : uint64_t(sd / ss);
        return d / s;
    case kMod:
        if (s == 0) return d;
        if (off == 1) return ss == -1 ? 0 : uint64_t(sd % ss);
        return d % s;
    case kOr: return d | s;
    case kAnd: return d & s;
    case kXor: return d ^ s;
    case kLsh: return d << (s & 63);
    case kRsh: return d >> (s & 63);
    case kArsh: return uint64_t(sd >> (s & 63));
    case kMov: return s;
    case kNeg: return uint64_t(0) - d;
    }
    return d;
}

uint64_t swap_bytes(uint64_t v, int bits) {
    uint64_t out = 0;
    for (int i = 0; i < bits / 8; ++i) out = (out << 8) | ((v >> (8 * i)) & 0xff);
    return out;
}

uint64_t sign_extend(uint64_t v, uint32_t bits) {
    const uint64_t m = uint64_t(1) << (bits - 1);
    v &= bits == 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
    return (v ^ m) - m;
}

class Explainer {
public:
    Explainer(std::span<const Insn> insns, size_t index, const ExplainNames& names, const ExplainValues* v)
        : insns_(insns), pc_(index), a_(insns[index]), names_(names), v_(v) {}

    void run(InsnExplanation& out) {
        out_ = &out;
        auto op = classify(a_, /*legacy_packet=*/true);
        if (a_.opcode == (kJmp | kCall) && a_.src == kPseudoKfuncCall && a_.dst == 0 && a_.off == 0) return kfunc();
        if (!op) {
            out.valid = false;
            out.summary = "not a valid instruction: " + op.error().what;
            return;
        }
        switch (op_family(*op)) {
        case OpFamily::Alu: return alu(*op);
        case OpFamily::Jump: return jump(*op);
        case OpFamily::Call: return call(*op);
        case OpFamily::Exit: return exit();
        case OpFamily::Lddw: return lddw();
        case OpFamily::LddwTail:
            out.summary = "the second half of the lddw before it (its upper 32 bits); it does not run on its own";
            return;
        case OpFamily::LegacyLoad: return legacy_load(*op);
        case OpFamily::Load: return load(*op);
        case OpFamily::Store: return store(*op);
        case OpFamily::Atomic:
        case OpFamily::AtomicFetch:
        case OpFamily::Cmpxchg: return atomic();
        }
    }

private:
    uint64_t reg(uint8_t r) const { return v_->regs[r]; }
    std::string val(uint64_t x) const { return value_words(x, v_); }
    std::string target_words(int64_t target) const {
        std::string s = "instruction " + std::to_string(target);
        if (names_.function_name && target >= 0) {
            const std::string f = names_.function_name(uint32_t(target));
            if (!f.empty()) s = "function " + f + " (" + s + ")";
        }
        return s;
    }

    void alu(Op op) {
        const bool is64 = cls(a_.opcode) == kAlu64;
        const bool x = src_bit(a_.opcode) == kX;
        const uint8_t c = code(a_.opcode);
        const std::string d = reg_name(a_.dst, !is64);
        const std::string s = x ? reg_name(a_.src, !is64) : std::to_string(is64 ? int64_t(a_.imm) : int64_t(uint32_t(a_.imm)));
        const uint64_t src_value = x ? (v_ ? reg(a_.src) : 0) : uint64_t(int64_t(a_.imm));
        std::string& sum = out_->summary;
        uint64_t result = 0;
        if (c == kEnd) return byte_swap(op);
        if (op >= Op::Movsx32_8 && op <= Op::Movsx64_32) {
            const uint32_t bits = uint32_t(a_.off);
            sum = "copy the low " + std::to_string(bits) + " bits of " + reg_name(a_.src) + " into " + d +
                  ", sign-extended (the top bit of those " + std::to_string(bits) + " fills the rest)";
            if (v_) result = is64 ? sign_extend(reg(a_.src), bits) : uint32_t(sign_extend(reg(a_.src), bits));
        } else {
            switch (c) {
            case kAdd: sum = "add " + s + " to " + d; break;
            case kSub: sum = "subtract " + s + " from " + d; break;
            case kMul: sum = "multiply " + d + " by " + s; break;
            case kDiv:
                sum = "divide " + d + " by " + s + (a_.off == 1 ? " as signed numbers" : " (unsigned)") +
                      "; dividing by 0 gives 0";
                break;
            case kMod:
                sum = d + " becomes the remainder of " + d + " divided by " + s +
                      (a_.off == 1 ? " as signed numbers" : " (unsigned)") + "; modulo 0 leaves " + d + " as it is";
                break;
            case kOr: sum = "set in " + d + " the bits set in " + s + " (bitwise or)"; break;
            case kAnd: sum = "keep in " + d + " only the bits also set in " + s + " (bitwise and)"; break;
            case kXor: sum = "flip in " + d + " the bits set in " + s + " (bitwise xor)"; break;
            case kLsh: sum = "shift " + d + " left by " + s + " bits"; break;
            case kRsh: sum = "shift " + d + " right by " + s + " bits, filling with zeros (unsigned)"; break;
            case kArsh: sum = "shift " + d + " right by " + s + " bits, copying the sign bit (signed)"; break;
            case kNeg: sum = "negate " + d + " (" + d + " = -" + d + ")"; break;
            case kMov: sum = (x ? "copy " + s + " into " : "set " + d + " to " + s) + (x ? d : ""); break;
            }
            if ((c == kLsh || c == kRsh || c == kArsh) && x)
                out_->details.push_back(std::string("only the low ") + (is64 ? "6" : "5") + " bits of " + s +
                                        " count: the shift is modulo " + (is64 ? "64" : "32"));
            if (v_) result = alu_result(c, is64, a_.off, reg(a_.dst), src_value);
        }
        if (!is64)
            out_->details.push_back("32-bit operation: it uses the low 32 bits of its registers, and the upper 32 bits of " +
                                    reg_name(a_.dst) + " become 0 (zero extension)");
        else if (!x && c == kMov && a_.imm < 0)
            out_->details.push_back("the 32-bit immediate is sign-extended to 64 bits");
        if (!v_) return;
        const bool writes_only = c == kMov || (op >= Op::Movsx32_8 && op <= Op::Movsx64_32);
        std::string& vals = out_->values;
        if (x) vals = reg_name(a_.src) + " is " + val(reg(a_.src)) + "; ";
        vals += reg_name(a_.dst) + (writes_only ? " becomes " : " was " + val(reg(a_.dst)) + ", becomes ") + val(result);
    }

    void byte_swap(Op op) {
        const int bits = a_.imm;
        const std::string d = reg_name(a_.dst);
        uint64_t result = 0;
        const uint64_t low = bits == 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
        if (op >= Op::Le16 && op <= Op::Le64) {
            out_->summary = "convert the low " + std::to_string(bits) + " bits of " + d +
                            " to little-endian: this machine already is, so the bytes stay as they are";
            if (bits < 64) out_->details.push_back("the upper " + std::to_string(64 - bits) + " bits of " + d + " become 0");
            if (v_) result = reg(a_.dst) & low;
        } else {
            const bool to_be = cls(a_.opcode) == kAlu;
            out_->summary = "reverse the order of the low " + std::to_string(bits / 8) + " bytes of " + d +
                            (to_be ? " (host order to big-endian network order, as htons/htonl do)"
                                   : " (an unconditional byte swap)");
            if (bits < 64) out_->details.push_back("the upper " + std::to_string(64 - bits) + " bits of " + d + " become 0");
            if (v_) result = swap_bytes(reg(a_.dst), bits);
        }
        if (v_) out_->values = d + " was " + val(reg(a_.dst)) + ", becomes " + val(result);
    }

    void jump(Op op) {
        if (op == Op::Ja) {
            const int64_t rel = cls(a_.opcode) == kJmp32 ? a_.imm : a_.off;  // gotol keeps its offset in imm
            out_->summary = "jump to " + target_words(int64_t(pc_) + 1 + rel) + " always";
            if (cls(a_.opcode) == kJmp32) out_->details.push_back("gotol: the long jump, its offset is in imm");
            return;
        }
        const bool is32 = cls(a_.opcode) == kJmp32;
        const bool x = src_bit(a_.opcode) == kX;
        const uint8_t c = code(a_.opcode);
        const std::string d = reg_name(a_.dst, is32);
        const std::string s = x ? reg_name(a_.src, is32) : std::to_string(a_.imm);
        const bool is_signed = c == kJsgt || c == kJsge || c == kJslt || c == kJsle;
        std::string cond;
        switch (c) {
        case kJeq: cond = d + " equals " + s; break;
        case kJne: cond = d + " is not equal to " + s; break;
        case kJgt: case kJsgt: cond = d + " is greater than " + s; break;
        case kJge: case kJsge: cond = d + " is greater than or equal to " + s; break;
        case kJlt: case kJslt: cond = d + " is less than " + s; break;
        case kJle: case kJsle: cond = d + " is less than or equal to " + s; break;
        case kJset: cond = d + " & " + s + " is not 0 (they share a set bit)"; break;
        }
        if (c != kJeq && c != kJne && c != kJset) cond += is_signed ? " (signed)" : " (unsigned)";
        const int64_t target = int64_t(pc_) + 1 + a_.off;
        out_->summary = "jump to " + target_words(target) + " if " + cond + "; otherwise go on to instruction " +
                        std::to_string(pc_ + 1);
        if (is32) out_->details.push_back("32-bit comparison: only the low 32 bits of the registers count");
        if (!x && !is32 && a_.imm < 0) out_->details.push_back("the 32-bit immediate is sign-extended to 64 bits");
        if (!v_) return;
        uint64_t l = reg(a_.dst), r = x ? reg(a_.src) : uint64_t(int64_t(a_.imm));
        if (is32) {
            l = uint32_t(l);
            r = uint32_t(r);
        }
        const int64_t sl = is32 ? int32_t(l) : int64_t(l), sr = is32 ? int32_t(r) : int64_t(r);
        bool taken = false;
        switch (c) {
        case kJeq: taken = l == r; break;
        case kJne: taken = l != r; break;
        case kJgt: taken = l > r; break;
        case kJge: taken = l >= r; break;
        case kJlt: taken = l < r; break;
        case kJle: taken = l <= r; break;
        case kJsgt: taken = sl > sr; break;
        case kJsge: taken = sl >= sr; break;
        case kJslt: taken = sl < sr; break;
        case kJsle: taken = sl <= sr; break;
        case kJset: taken = (l & r) != 0; break;
        }
        auto shown = [&](uint64_t u, int64_t sv) { return is_signed && sv < 0 ? std::to_string(sv) : val(u); };
        std::string& vals = out_->values;
        vals = d + " is " + shown(l, sl);
        if (x) vals += ", " + s + " is " + shown(r, sr);
        vals += taken ? ": taken, next is instruction " + std::to_string(target)
                      : ": not taken, next is instruction " + std::to_string(pc_ + 1);
    }

    void call(Op op) {
        if (op == Op::CallHelper) {
            const HelperProto* p = helper_proto(a_.imm);
            const HelperDoc& doc = helper_doc(a_.imm);
            out_->helper_id = a_.imm;
            const std::string name = p ? p->name : "helper #" + std::to_string(a_.imm);
            std::string first = plain_doc(doc.description);
            if (const size_t dot = first.find(". "); dot != std::string::npos) first.resize(dot + 1);
            if (const size_t nl = first.find('\n'); nl != std::string::npos) first.resize(nl);
            if (!first.empty() && first.back() == '.') first.pop_back();  // the summary is part of a sentence
            out_->summary = "call the kernel helper " + name + " (#" + std::to_string(a_.imm) + ")" +
                            (first.empty() ? "" : ": " + first);
            const int nargs = p ? p->nargs : 5;
            out_->details.push_back(nargs == 0 ? "it takes no arguments"
                                               : "its arguments are r1" + (nargs > 1 ? "..r" + std::to_string(nargs) : std::string()));
            out_->details.push_back("its result comes back in r0; r1-r5 are not kept across the call, r6-r9 are");
            if (v_ && nargs > 0) {
                std::string& vals = out_->values;
                for (int i = 1; i <= nargs; ++i) vals += (i > 1 ? ", r" : "r") + std::to_string(i) + " = " + val(reg(uint8_t(i)));
            }
            return;
        }
        if (op == Op::CallLocal) {
            const int64_t target = int64_t(pc_) + 1 + a_.imm;
            out_->summary = "call " + target_words(target) + " (a bpf-to-bpf call): it runs in a new frame with its own stack";
            out_->details.push_back("r1-r5 are its arguments; it returns with its result in r0; r6-r9 and the caller's stack are kept");
            if (v_) out_->values = "the new frame is frame " + std::to_string(v_->depth + 1);
            return;
        }
        const uint8_t r = a_.dst != 0 ? a_.dst : uint8_t(a_.imm);  // older LLVM kept the register in imm
        out_->summary = "call the function whose address is in " + reg_name(r) + " (an indirect call)";
        out_->details.push_back("r1-r5 are its arguments; it returns with its result in r0");
        if (v_) out_->values = reg_name(r) + " is " + val(reg(r));
    }

    void kfunc() {
        const std::string name = names_.kfunc_name ? names_.kfunc_name(a_.imm) : std::string();
        const KfuncProto* proto = kfunc_proto(name);
        if (!proto) {
            out_->summary = "call the kernel function (kfunc) whose BTF id is " + std::to_string(a_.imm);
            out_->details.push_back("kfuncs are kernel functions a program calls by name: an extern declared __ksym, "
                                    "which the loader resolves against the kernel's BTF");
            return;
        }
        out_->summary = "call the kernel function (kfunc) " + name + ": " + proto->decl;
        out_->details.push_back("a kfunc is called like a helper (arguments in r1-r5, result in r0, r1-r5 "
                                "clobbered), but by name: the loader finds it in the kernel's BTF, and the "
                                "program's type decides whether it may call it");
        char flags[160];
        if (const std::string_view f = kfunc_flags_text(proto->flags, flags); !f.empty())
            out_->details.push_back("its flags: " + std::string(f) + kfunc_flag_words(proto->flags));
        if (v_)
            for (int i = 1; i <= proto->nargs; ++i)
                out_->values += (i > 1 ? ", " : "") + reg_name(uint8_t(i)) + " = " + val(reg(uint8_t(i)));
    }

    static std::string kfunc_flag_words(uint32_t flags) {
        std::string out;
        if (flags & KF_ACQUIRE) out += "; it returns a reference the program must release before it exits";
        if (flags & KF_RELEASE) out += "; it releases the reference it is given";
        if (flags & KF_RET_NULL) out += "; it may return NULL, which the program must check";
        if (flags & KF_SLEEPABLE) out += "; only sleepable programs may call it";
        if (flags & (KF_ITER_NEW | KF_ITER_NEXT | KF_ITER_DESTROY))
            out += "; it is part of an open-coded iterator (new, next until NULL, destroy)";
        return out;
    }

    void exit() {
        out_->summary = "return from the current function with r0 as its result: to the caller after its call, "
                        "or, in the program's own function, end the program with r0 as its return value";
        if (!v_) return;
        if (v_->depth > 0) {
            out_->values = "return " + val(reg(0)) + " to the caller (frame " + std::to_string(v_->depth - 1) + ")";
        } else {
            const std::string name = v_->return_name ? v_->return_name(reg(0)) : "";
            out_->values = "the program returns " + val(reg(0)) + (name.empty() ? "" : " (" + name + ")");
        }
    }

    std::string map_words(uint32_t id) const {
        const std::string name = names_.map_name ? names_.map_name(id) : "";
        return name.empty() ? "map #" + std::to_string(id) : "map " + name;
    }

    void lddw() {
        if (pc_ + 1 >= insns_.size()) {
            out_->valid = false;
            out_->summary = "an lddw without its second half";
            return;
        }
        const Insn& b = insns_[pc_ + 1];
        const std::string d = reg_name(a_.dst);
        const uint64_t imm64 = uint64_t(uint32_t(a_.imm)) | (uint64_t(uint32_t(b.imm)) << 32);
        out_->details.push_back("this lddw takes two instruction slots: the second holds the upper 32 bits");
        switch (a_.src) {
        case 0: out_->summary = "load the 64-bit constant " + val(imm64) + " into " + d; break;
        case kPseudoMapFd:
        case kPseudoMapIdx:
            out_->summary = "load the address of " + map_words(uint32_t(a_.imm)) + " into " + d +
                            ": the handle helpers take as their map argument";
            if (a_.src == kPseudoMapIdx) out_->details.push_back("the map is entry " + std::to_string(a_.imm) + " of the fd array");
            break;
        case kPseudoMapValue:
        case kPseudoMapIdxValue:
            out_->summary = "load the address of byte " + std::to_string(b.imm) + " of " + map_words(uint32_t(a_.imm)) +
                            "'s value into " + d;
            out_->details.push_back("this is how a program reaches global variables (.data, .rodata, .bss) and "
                                    "single-element array maps without a lookup");
            break;
        case kPseudoBtfId:
            out_->summary = "load the address of the kernel variable with BTF id " + std::to_string(a_.imm) + " into " + d +
                            " (a __ksym)";
            break;
        case kPseudoFunc:
            out_->summary = "load the address of " + target_words(int64_t(pc_) + 1 + a_.imm) + " into " + d +
                            " (a callback for a helper such as bpf_loop)";
            break;
        }
    }

    std::string address_words(uint8_t base, int16_t off) const {
        const std::string base_name = reg_name(base) + (off == 0 ? "" : signed_off(off));
        return base_name;
    }

    // "address packet+12 holds 8" style facts for a memory operand now.
    std::string operand_values(uint8_t base, int16_t off, uint32_t size, uint64_t* now, bool* readable) const {
        const uint64_t addr = reg(base) + uint64_t(int64_t(off));
        const std::string where = val(addr);
        auto x = v_->read ? v_->read(addr, size) : std::nullopt;
        *readable = x.has_value();
        if (x) *now = *x;
        if (v_->context_field)
            if (std::string field = v_->context_field(addr); !field.empty()) out_->details.push_back("the context field " + field);
        return address_words(base, off) + " is " + where;
    }

    void load(Op op) {
        const uint32_t size = size_bytes(a_.opcode);
        const bool sx = mode(a_.opcode) == kMemsx;
        const std::string d = reg_name(a_.dst);
        out_->summary = "load " + bytes_words(size) + " from memory at " + address_words(a_.src, a_.off) + " into " + d +
                        (size == 8 ? "" : sx ? ", sign-extended to 64 bits" : ", zero-extended to 64 bits");
        (void)op;
        if (!v_) return;
        uint64_t now = 0;
        bool readable = false;
        out_->values = operand_values(a_.src, a_.off, size, &now, &readable);
        if (readable) {
            const uint64_t result = sx ? sign_extend(now, size * 8) : now;
            out_->values += "; " + d + " becomes " + val(result);
        } else if ((reg(a_.src) >> 32) == 0) {
            out_->values += ": not readable memory, this load faults";
        }
    }

    void store(Op op) {
        const uint32_t size = size_bytes(a_.opcode);
        const bool x = cls(a_.opcode) == kStx;
        const std::string what = x ? "the low " + bytes_words(size) + " of " + reg_name(a_.src)
                                   : std::to_string(a_.imm) + " (" + bytes_words(size) + ")";
        out_->summary = "store " + (x && size == 8 ? reg_name(a_.src) + " (8 bytes)" : what) + " to memory at " +
                        address_words(a_.dst, a_.off);
        (void)op;
        if (!v_) return;
        uint64_t now = 0;
        bool readable = false;
        out_->values = operand_values(a_.dst, a_.off, size, &now, &readable);
        const uint64_t mask = size == 8 ? ~uint64_t(0) : (uint64_t(1) << (8 * size)) - 1;
        const uint64_t stored = (x ? reg(a_.src) : uint64_t(int64_t(a_.imm))) & mask;
        if (readable) out_->values += "; it holds " + val(now) + ", becomes " + val(stored);
    }

    void atomic() {
        const bool is64 = size(a_.opcode) == kDW;
        const uint32_t n = is64 ? 8 : 4;
        const std::string s = reg_name(a_.src, !is64);
        const std::string at = "the " + bytes_words(n) + " at " + address_words(a_.dst, a_.off);
        const int32_t k = a_.imm;
        const bool fetch = k & kFetch;
        const uint8_t c = uint8_t(k & 0xf0);
        uint64_t result = 0, now = 0;
        bool readable = false;
        if (v_) out_->values = operand_values(a_.dst, a_.off, n, &now, &readable);
        const uint64_t src = v_ ? (is64 ? reg(a_.src) : uint32_t(reg(a_.src))) : 0;
        if (k == kXchg) {
            out_->summary = "atomically swap " + s + " with " + at + ": memory gets " + s + ", " + s + " gets the old value";
            result = src;
        } else if (k == kCmpxchg) {
            const std::string r0 = reg_name(0, !is64);
            out_->summary = "atomically compare " + at + " with " + r0 + "; if they are equal, store " + s +
                            " there. Either way " + r0 + " gets the old value";
            const uint64_t expect = v_ ? (is64 ? reg(0) : uint32_t(reg(0))) : 0;
            result = now == expect ? src : now;
            if (v_ && readable)
                out_->values += std::string("; it holds ") + val(now) + (now == expect ? ", equal to " : ", not equal to ") +
                                r0 + ": " + (now == expect ? "memory becomes " + val(src) : "memory stays") +
                                ", r0 becomes " + val(now);
            if (!is64) out_->details.push_back("32-bit: r0's upper 32 bits become 0");
            return;
        } else {
            const char* verb = c == kAdd ? "add " : c == kOr ? "or " : c == kAnd ? "and " : "xor ";
            out_->summary = std::string("atomically ") + verb + s + (c == kAdd ? " to " : " into ") + at +
                            (fetch ? "; " + s + " gets the old value (fetch)" : "");
            result = alu_result(c, true, 0, now, src);
            if (!is64) result = uint32_t(result);
        }
        out_->details.push_back("atomic: no other CPU sees the memory between the read and the write");
        if (fetch && !is64) out_->details.push_back("32-bit: " + reg_name(a_.src) + "'s upper 32 bits become 0");
        if (v_ && readable) {
            out_->values += "; it holds " + val(now) + ", becomes " + val(result);
            if (fetch) out_->values += "; " + reg_name(a_.src) + " becomes " + val(now);
        }
    }

    void legacy_load(Op op) {
        const uint32_t size = size_bytes(a_.opcode);
        const bool ind = op >= Op::LdIndB;
        out_->summary = "load " + bytes_words(size) + " of the packet at offset " +
                        (ind ? reg_name(a_.src) + " + " + std::to_string(a_.imm) : std::to_string(a_.imm)) +
                        " into r0, converted from network byte order";
        out_->details.push_back("a classic socket-filter load: the packet comes from the context in r6; out of range, the program ends returning 0");
        out_->details.push_back("like a call, it leaves r1-r5 unreadable");
    }

    std::span<const Insn> insns_;
    size_t pc_;
    const Insn& a_;
    const ExplainNames& names_;
    const ExplainValues* v_;
    InsnExplanation* out_ = nullptr;
};

}  // namespace

std::string InsnExplanation::sentence() const {
    std::string s = text + ": " + summary;
    if (!values.empty()) s += "; " + values;
    return s;
}

std::string value_words(uint64_t v, const ExplainValues* values) {
    if (values && values->points_to) {
        const std::string p = values->points_to(v);
        if (!p.empty()) return p;
    }
    if (v < 10) return std::to_string(v);
    if (v < 1'000'000) return std::to_string(v) + " (" + hex64(v) + ")";
    if (int64_t(v) < 0 && int64_t(v) > -1'000'000) return std::to_string(int64_t(v)) + " (" + hex64(v) + ")";
    return hex64(v);
}

InsnExplanation explain_insn(std::span<const Insn> insns, size_t index, const ExplainNames& names,
                             const ExplainValues* values) {
    InsnExplanation out;
    out.pc = uint32_t(index);
    if (index >= insns.size()) {
        out.valid = false;
        out.text = "<no instruction>";
        out.summary = "there is no instruction " + std::to_string(index);
        return out;
    }
    out.cls = class_name(insns[index].opcode);
    // The second slot of an lddw (opcode 0, which alone is no instruction): the pc never stops
    // there, but a listing shows it.
    if (index > 0 && insns[index - 1].opcode == kLddw && insns[index].opcode == 0 &&
        !(index > 1 && insns[index - 2].opcode == kLddw)) {
        out.text = "(second half of instruction " + std::to_string(index - 1) + ")";
        out.summary = "the upper 32 bits (" + std::to_string(insns[index].imm) + ") of the 64-bit value the lddw at instruction " +
                      std::to_string(index - 1) + " loads; this slot never runs on its own";
        return out;
    }
    out.text = disassemble_one(insns, index);
    Explainer(insns, index, names, values).run(out);
    return out;
}

}  // namespace bpfplay
