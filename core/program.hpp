#pragma once
// The pre-decoded program the interpreter runs from. Built once by decode(); immutable after.
#include <cstdint>
#include <string>
#include <vector>

#include "core/insn.hpp"
#include "core/loader/prog_types.hpp"

namespace bpfplay {

class Vm;
using HelperFn = uint64_t (*)(Vm& vm, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5);

// One operation per distinct behaviour: class, source and width are resolved at decode time
// so the interpreter's dispatch is a single jump-table lookup. BPF_OPS lists them once; the
// enum and the interpreter's label table are both generated from it, so they cannot disagree.
#define BPF_ALU_BINOPS(X) X(Add) X(Sub) X(Mul) X(Div) X(Sdiv) X(Mod) X(Smod) X(Or) X(And) X(Xor) X(Lsh) X(Rsh) X(Arsh) X(Mov)
#define BPF_JMP_CONDS(X) X(Jeq) X(Jne) X(Jgt) X(Jge) X(Jlt) X(Jle) X(Jsgt) X(Jsge) X(Jslt) X(Jsle) X(Jset)
#define BPF_ATOMIC_OPS(X) X(Add) X(Or) X(And) X(Xor)

#define BPF_OP_ALU_VARIANTS_(X, name) X(name##32Imm) X(name##32Reg) X(name##64Imm) X(name##64Reg)
#define BPF_OP_JMP_VARIANTS_(X, name) X(name##Imm) X(name##Reg) X(name##32Imm) X(name##32Reg)
#define BPF_OP_ATOMIC_VARIANTS_(X, name) X(Atomic##name##32) X(Atomic##name##64) X(AtomicFetch##name##32) X(AtomicFetch##name##64)

#define BPF_OPS(X) \
    BPF_OP_ALU_VARIANTS_(X, Add) BPF_OP_ALU_VARIANTS_(X, Sub) BPF_OP_ALU_VARIANTS_(X, Mul) \
    BPF_OP_ALU_VARIANTS_(X, Div) BPF_OP_ALU_VARIANTS_(X, Sdiv) BPF_OP_ALU_VARIANTS_(X, Mod) \
    BPF_OP_ALU_VARIANTS_(X, Smod) BPF_OP_ALU_VARIANTS_(X, Or) BPF_OP_ALU_VARIANTS_(X, And) \
    BPF_OP_ALU_VARIANTS_(X, Xor) BPF_OP_ALU_VARIANTS_(X, Lsh) BPF_OP_ALU_VARIANTS_(X, Rsh) \
    BPF_OP_ALU_VARIANTS_(X, Arsh) BPF_OP_ALU_VARIANTS_(X, Mov) \
    X(Neg32) X(Neg64) \
    X(Movsx32_8) X(Movsx32_16) X(Movsx64_8) X(Movsx64_16) X(Movsx64_32) \
    X(Le16) X(Le32) X(Le64) X(Bswap16) X(Bswap32) X(Bswap64) \
    X(Ja) \
    BPF_OP_JMP_VARIANTS_(X, Jeq) BPF_OP_JMP_VARIANTS_(X, Jne) BPF_OP_JMP_VARIANTS_(X, Jgt) \
    BPF_OP_JMP_VARIANTS_(X, Jge) BPF_OP_JMP_VARIANTS_(X, Jlt) BPF_OP_JMP_VARIANTS_(X, Jle) \
    BPF_OP_JMP_VARIANTS_(X, Jsgt) BPF_OP_JMP_VARIANTS_(X, Jsge) BPF_OP_JMP_VARIANTS_(X, Jslt) \
    BPF_OP_JMP_VARIANTS_(X, Jsle) BPF_OP_JMP_VARIANTS_(X, Jset) \
    X(CallHelper) X(CallLocal) X(Callx) X(Exit) \
    X(Lddw) X(LddwTail) \
    X(LdAbsB) X(LdAbsH) X(LdAbsW) X(LdIndB) X(LdIndH) X(LdIndW) \
    X(Ldxb) X(Ldxh) X(Ldxw) X(Ldxdw) X(Ldxsb) X(Ldxsh) X(Ldxsw) \
    X(Stb) X(Sth) X(Stw) X(Stdw) \
    X(Stxb) X(Stxh) X(Stxw) X(Stxdw) \
    BPF_OP_ATOMIC_VARIANTS_(X, Add) BPF_OP_ATOMIC_VARIANTS_(X, Or) \
    BPF_OP_ATOMIC_VARIANTS_(X, And) BPF_OP_ATOMIC_VARIANTS_(X, Xor) \
    X(Xchg32) X(Xchg64) X(Cmpxchg32) X(Cmpxchg64)

enum class Op : uint8_t {
#define BPF_OP_ENUM_(name) name,
    BPF_OPS(BPF_OP_ENUM_)
#undef BPF_OP_ENUM_
    Count_
};

struct DecodedInsn {
    Op op = Op::Exit;
    uint8_t dst = 0, src = 0;
    uint8_t reserved_ = 0;
    union {
        int32_t off = 0;   // memory ops: the offset
        uint32_t target;   // jumps/local calls: absolute insn index; helper calls: index in Program::helpers
    };
    int64_t imm = 0;       // sign-extended imm; lddw: the full 64-bit value
};
static_assert(sizeof(DecodedInsn) == 16, "keep the hot loop's stride small");

struct HelperBinding {
    int32_t id = 0;
    const char* name = "";
    HelperFn fn = nullptr;
    uint8_t nargs = 5;
};

// A kfunc call binds like a helper call; its binding id is this plus the kfunc's index in
// kfunc_protos(), so helper ids and kfunc ids never meet.
constexpr int32_t kKfuncBindingBase = 0x40000000;
constexpr bool is_kfunc_binding(int32_t id) { return id >= kKfuncBindingBase; }

// Code addresses (lddw src=4 and callx) live in their own window of the virtual address
// space: kCodeBase + insn_index * 8.
constexpr uint64_t kCodeBase = 0x000000f000000000ull;

// Program types whose loads may go through BTF pointers (see Program::probe_mem_loads).
constexpr bool probe_mem_prog_type(ProgType t) {
    return t == ProgType::Kprobe || t == ProgType::Tracepoint || t == ProgType::PerfEvent ||
           t == ProgType::RawTracepoint || t == ProgType::RawTracepointWritable || t == ProgType::Tracing ||
           t == ProgType::Lsm || t == ProgType::StructOps;
}

struct Program {
    std::vector<Insn> raw;               // the wire instructions, one per slot
    std::vector<DecodedInsn> insns;      // same length as raw
    std::vector<HelperBinding> helpers;  // helpers referenced by CallHelper insns (+ callx_helpers)
    std::vector<uint32_t> functions;     // sorted entry points: 0 and every local-call/func target
    // True when the program has a callx and `helpers` holds every helper of the registry it was
    // decoded with: a callx whose register is not a function's address calls helper <value>.
    bool callx_helpers = false;
    // PROBE_MEM: in the kernel, a load through a BTF pointer (tp_btf/fentry/fexit/lsm/iter/
    // struct_ops arguments, bpf_get_current_task_btf() and what it points to) that hits a bad
    // address reads 0 -- the JIT's exception table -- instead of faulting. bpfplay has no
    // verifier types yet (issue 16 will give pointer types), so it approximates: in a program
    // of a tracing-style type (probe_mem_prog_type), a load that faults at an address inside
    // the kernel window or below 4096 (NULL plus a field offset) gives 0. Decided only on the
    // interpreter's fault path, so ordinary loads cost nothing more.
    bool probe_mem_loads = false;
    // Entry points of global subprograms (the loader fills it; sorted): the kernel verifies them
    // on their own, so it refuses calling one while holding a bpf_spin_lock.
    std::vector<uint32_t> global_functions;
    // True when some instruction may read a register that is unwritten on some (not every)
    // path: the interpreter then runs its checked variant, which tracks writes at run time.
    bool needs_init_checks = false;
    // For that checked variant: per insn, registers read (low 16 bits) and written (high 16).
    std::vector<uint32_t> reg_use;

    bool is_function_entry(uint32_t pc) const;
    // The helper a callx reaches with `value` in its register, or nullptr.
    const HelperBinding* callx_helper(uint64_t value) const;
};

}  // namespace bpfplay
