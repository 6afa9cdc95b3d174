#pragma once
// The pre-decoded program the interpreter runs from. Built once by decode(); immutable after.
#include <cstdint>
#include <string>
#include <vector>

#include "core/insn.hpp"

namespace bpfplay {

class Vm;
using HelperFn = uint64_t (*)(Vm& vm, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5);

// One operation per distinct behaviour: class, source and width are resolved at decode time
// so the interpreter's dispatch is a single jump-table lookup. The order is irrelevant to the
// interpreter (it switches on every member) but the X-macro lists keep families together.
#define BPF_ALU_BINOPS(X) X(Add) X(Sub) X(Mul) X(Div) X(Sdiv) X(Mod) X(Smod) X(Or) X(And) X(Xor) X(Lsh) X(Rsh) X(Arsh) X(Mov)
#define BPF_JMP_CONDS(X) X(Jeq) X(Jne) X(Jgt) X(Jge) X(Jlt) X(Jle) X(Jsgt) X(Jsge) X(Jslt) X(Jsle) X(Jset)
#define BPF_ATOMIC_OPS(X) X(Add) X(Or) X(And) X(Xor)

enum class Op : uint8_t {
#define ALU_VARIANTS(name) name##32Imm, name##32Reg, name##64Imm, name##64Reg,
    BPF_ALU_BINOPS(ALU_VARIANTS)
#undef ALU_VARIANTS
    Neg32, Neg64,
    Movsx32_8, Movsx32_16, Movsx64_8, Movsx64_16, Movsx64_32,
    Le16, Le32, Le64, Bswap16, Bswap32, Bswap64,  // Be* decode to Bswap* (hosts are little-endian)
    Ja,
#define JMP_VARIANTS(name) name##Imm, name##Reg, name##32Imm, name##32Reg,
    BPF_JMP_CONDS(JMP_VARIANTS)
#undef JMP_VARIANTS
    CallHelper, CallLocal, Callx, Exit,
    Lddw, LddwTail, LdLegacy,
    Ldxb, Ldxh, Ldxw, Ldxdw, Ldxsb, Ldxsh, Ldxsw,
    Stb, Sth, Stw, Stdw,
    Stxb, Stxh, Stxw, Stxdw,
#define ATOMIC_VARIANTS(name) Atomic##name##32, Atomic##name##64, AtomicFetch##name##32, AtomicFetch##name##64,
    BPF_ATOMIC_OPS(ATOMIC_VARIANTS)
#undef ATOMIC_VARIANTS
    Xchg32, Xchg64, Cmpxchg32, Cmpxchg64,
    Count_
};

struct DecodedInsn {
    Op op = Op::Exit;
    uint8_t dst = 0, src = 0;
    int16_t off = 0;        // memory offset
    uint32_t target = 0;    // jumps/local calls: absolute insn index; helper calls: index in Program::helpers
    int64_t imm = 0;        // sign-extended imm; lddw: the full 64-bit value
};
static_assert(sizeof(DecodedInsn) == 16, "keep the hot loop's stride small");

struct HelperBinding {
    int32_t id = 0;
    const char* name = "";
    HelperFn fn = nullptr;
    uint8_t nargs = 5;
};

// Code addresses (lddw src=4 and callx) live in their own window of the virtual address
// space: kCodeBase + insn_index * 8.
constexpr uint64_t kCodeBase = 0x000000f000000000ull;

struct Program {
    std::vector<Insn> raw;               // the wire instructions, one per slot
    std::vector<DecodedInsn> insns;      // same length as raw
    std::vector<HelperBinding> helpers;  // helpers referenced by CallHelper insns
    std::vector<uint32_t> functions;     // sorted entry points: 0 and every local-call/func target
    // True when some instruction may read a register that is unwritten on some (not every)
    // path: the interpreter then runs its checked variant, which tracks writes at run time.
    bool needs_init_checks = false;

    bool is_function_entry(uint32_t pc) const;
};

}  // namespace bpfplay
