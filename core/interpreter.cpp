// The hot loop, and nothing else. Runs pre-decoded instructions: decode() has proved every
// opcode, register, jump target and lddw pair valid, so the loop checks only what depends on
// run-time values: memory bounds, divisors, call depth, the step budget and (in the checked
// variant) registers read before a write on this path.
#include <algorithm>
#include <array>
#include <bit>

#include "core/hex.hpp"
#include <cstdio>

#include "core/decode_ops.hpp"
#include "core/spin_lock_calls.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/vm.hpp"

// Computed goto (a GNU extension) gives each op its own indirect branch, which predicts far
// better than one shared switch jump. Wasm has no indirect branch, so Emscripten gets the switch.
#if defined(__GNUC__) && !defined(__EMSCRIPTEN__) && !defined(BPFPLAY_SWITCH_DISPATCH)
#define BPFPLAY_COMPUTED_GOTO 1
#else
#define BPFPLAY_COMPUTED_GOTO 0
#endif

namespace bpfplay {

namespace {

constexpr int32_t kSpinUnlockId = 94;  // bpf_spin_unlock: the one helper allowed under a lock

// LD_ABS/LD_IND below offset 0: the run layer finds the header bytes (null: out of range).
const uint8_t* ld_abs_negative(Vm& vm, int32_t offset, uint32_t size) {
    if (!vm.env || !vm.env->packet || !vm.env->ld_abs_negative) return nullptr;
    return vm.env->ld_abs_negative(*vm.env->packet, offset, size);
}

inline uint64_t sdiv64(uint64_t a, uint64_t b) {
    if (b == 0) return 0;
    if (int64_t(b) == -1) return 0 - a;  // INT64_MIN / -1 wraps to INT64_MIN, as RFC 9669 says
    return uint64_t(int64_t(a) / int64_t(b));
}
inline uint64_t smod64(uint64_t a, uint64_t b) {
    if (b == 0) return a;
    if (int64_t(b) == -1) return 0;
    return uint64_t(int64_t(a) % int64_t(b));
}
inline uint32_t sdiv32(uint32_t a, uint32_t b) {
    if (b == 0) return 0;
    if (int32_t(b) == -1) return 0 - a;
    return uint32_t(int32_t(a) / int32_t(b));
}
inline uint32_t smod32(uint32_t a, uint32_t b) {
    if (b == 0) return a;
    if (int32_t(b) == -1) return 0;
    return uint32_t(int32_t(a) % int32_t(b));
}

// The instructions whose step record keeps dst's old value: the ones that write dst. The rest
// write no register (jumps, stores, calls, exit) or add Reg/VmState records of their own
// (atomics, legacy packet loads, helper calls).
constexpr bool op_writes_dst(Op op) {
    return (op >= Op::Add32Imm && op <= Op::Bswap64) || op == Op::Lddw || (op >= Op::Ldxb && op <= Op::Ldxsw);
}
static_assert(uint8_t(Op::Add32Imm) == 0 && uint8_t(Op::Bswap64) + 1 == uint8_t(Op::Ja) &&
                  uint8_t(Op::Ldxsw) + 1 == uint8_t(Op::Stb) && uint8_t(Op::LdIndW) + 1 == uint8_t(Op::Ldxb),
              "op_writes_dst relies on BPF_OPS' order");
// Each op's step header bits (Journal::begin_step).
constexpr auto kOpHeader = [] {
    std::array<uint8_t, size_t(Op::Count_)> t{};
    for (size_t i = 0; i < t.size(); ++i)
        t[i] = uint8_t(Journal::kHeader | (op_writes_dst(Op(i)) ? Journal::kHasOld : 0));
    return t;
}();

// Copies four registers with 64-bit loads. r[] is written one 64-bit register at a time, and
// a wider load spanning two such stores cannot take its value from them (the CPU waits for
// the stores to retire: a dozen cycles). The compiler's vectorized copy of r6..r9 hit that on
// every call and return; the empty asm keeps the four values in scalar registers.
[[gnu::always_inline]] inline void copy_r6_to_r9(uint64_t* to, const uint64_t* from) {
    uint64_t a = from[0], b = from[1], c = from[2], d = from[3];
#if defined(__GNUC__) && !defined(__EMSCRIPTEN__)
    asm("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d));
#endif
    to[0] = a;
    to[1] = b;
    to[2] = c;
    to[3] = d;
}

// A local call's frame, as both loops push it: the caller's r6..r9, mask and return pc saved;
// r10 is the new frame's stack.
[[gnu::always_inline]] inline void push_frame(Frame& f, uint32_t return_pc, uint64_t* r, uint16_t init,
                                              uint32_t new_depth) {
    f.return_pc = return_pc;
    copy_r6_to_r9(f.saved.data(), &r[6]);
    f.saved_init = init;
    r[10] = Vm::frame_pointer(new_depth);
}
// A subprogram's exit into its caller's frame: r6..r9 back, r10 the caller's stack.
[[gnu::always_inline]] inline void pop_frame(const Frame& f, uint64_t* r, uint32_t new_depth) {
    copy_r6_to_r9(&r[6], f.saved.data());
    r[10] = Vm::frame_pointer(new_depth);
}

#if !BPFPLAY_COMPUTED_GOTO
// Where the plain loop stopped: the instruction it left to the full loop (not yet counted in
// `left`), or the one at which the step allowance ran out (left == 0).
struct PlainStop {
    const DecodedInsn* ip;
    uint64_t left;
};
// What the plain loop needs for a local call and its exit; depth is handed back updated.
struct PlainCalls {
    Frame* frames;
    uint32_t depth;
    uint32_t call_limit;  // a call to depth + 1 at or past this takes the full loop's path
    uint32_t base;        // this program's own frame 0: its exit is the full loop's
    uint16_t init;        // saved in each frame (constant in an unchecked run)
    bool locked;          // under a bpf_spin_lock a call may be refused: the full loop checks
};

// The plain loop: only the instructions that need nothing but the registers, the code and the
// memory's fast path (ALU, jumps, lddw, loads and stores that hit a mapped region), and local
// calls and exits between frames of this program that are mapped and not a callback's. It
// returns at any other instruction, and at one of those the fast path refuses, for interpret's
// full loop to run that one instruction (its fault, context access, helper...) as it always has.
// Why it exists: wasm has no computed goto, and V8 compiles interpret (the switch over every op
// and every slow path, a few hundred kilobytes of wasm) with each value in a stack slot: ip,
// `left` and the memory table were loaded and stored around every instruction, 3.5-5x native.
// In a function this small TurboFan keeps them in registers. Unchecked, unrecorded runs only:
// the checked and recorded variants do per-step work this loop leaves out.
// noinline (and run_plain_out_of_line below): kept out of interpret. flatten: clang for wasm
// left Memory::write_ptr a call in each store.
[[gnu::noinline, gnu::flatten]] PlainStop run_plain(const DecodedInsn* ip, uint64_t left, const DecodedInsn* const code,
                                      uint64_t* const r, const Memory& mem, PlainCalls& calls) {
    [[maybe_unused]] uint64_t fault_addr = 0;  // set by LOAD and STORE for the full loop's use
    [[maybe_unused]] uint32_t fault_size = 0;
    [[maybe_unused]] Access fault_access = Access::Load;
#define DST r[ip->dst]
#define SRC r[ip->src]
#define RECORD_MEM(host, vaddr, n)
#define CASE(name) case Op::name:
#define DISPATCH() goto plain_dispatch
#define NEXT()                                                                                               \
    do {                                                                                                     \
        ++ip;                                                                                                \
        DISPATCH();                                                                                          \
    } while (0)
#define PLAIN_ATOMIC_CASE_(name) case Op::name:
#define PLAIN_ATOMIC_VARIANTS_(name) BPF_OP_ATOMIC_VARIANTS_(PLAIN_ATOMIC_CASE_, name)
    for (;;) {
    plain_dispatch:
        if (left == 0) [[unlikely]] return {ip, 0};
        --left;
        switch (ip->op) {
#include "core/interpreter_plain_ops.inc"
        case Op::CallLocal: {
            const uint32_t depth = calls.depth + 1;
            if (depth >= calls.call_limit || calls.locked) [[unlikely]]
                return {ip, left + 1};
            push_frame(calls.frames[depth], uint32_t(ip - code) + 1, r, calls.init, depth);
            calls.depth = depth;
            ip = code + ip->target;
            DISPATCH();
        }
        case Op::Exit: {
            const Frame& f = calls.frames[calls.depth];
            if (calls.depth == calls.base || f.callback.kind != CallbackKind::None) [[unlikely]]
                return {ip, left + 1};
            --calls.depth;
            pop_frame(f, r, calls.depth);
            ip = code + f.return_pc;
            DISPATCH();
        }
        case Op::CallHelper:
        case Op::Callx:
        case Op::LddwTail:
        case Op::LdAbsB:
        case Op::LdAbsH:
        case Op::LdAbsW:
        case Op::LdIndB:
        case Op::LdIndH:
        case Op::LdIndW:
        BPF_ATOMIC_OPS(PLAIN_ATOMIC_VARIANTS_)
        case Op::Xchg32:
        case Op::Xchg64:
        case Op::Cmpxchg32:
        case Op::Cmpxchg64:
        case Op::Count_:
            return {ip, left + 1};
        }
        // Not reached for a decoded program. Without it a value past Op::Count_ would go round
        // the loop again, and LLVM builds that as a second loop whose header V8 gives a stack
        // check of its own: one more on every instruction.
        return {ip, left + 1};
    }
load_slow:
store_slow:
    return {ip, left + 1};
#undef PLAIN_ATOMIC_CASE_
#undef PLAIN_ATOMIC_VARIANTS_
#undef DST
#undef SRC
#undef RECORD_MEM
#undef CASE
#undef DISPATCH
#undef NEXT
}
// interpret calls run_plain through this pointer. The point of run_plain is to be a small
// function of its own, but Binaryen (emcc -O3) inlines a function with one caller whatever its
// size, back into interpret (the noinline attribute stops only LLVM), unless its address is in
// the table. `volatile`: a constant pointer LLVM would fold back into a direct call (and with
// `used` alone wasm-ld or Binaryen still dropped the table entry). One indirect call for each
// instruction the plain loop leaves to the full loop.
PlainStop (*volatile const run_plain_out_of_line)(const DecodedInsn*, uint64_t, const DecodedInsn*, uint64_t*,
                                                  const Memory&, PlainCalls&) = run_plain;
#endif

}  // namespace

// kRecord: append each instruction's undo information to vm.journal_ (reverse execution).
template <bool kCheckInit, bool kRecord>
RunStatus interpret(Vm& vm, uint64_t max_steps) {
    const Program& prog = *vm.program_;
    [[maybe_unused]] Journal* const jr = vm.journal_;
    // The journal's append position, in locals while we run (see Journal::Cursor).
    [[maybe_unused]] Journal::Appender jc;
    if constexpr (kRecord) jc = jr->cursor();
    const DecodedInsn* const code = prog.insns.data();
    const uint32_t* const use = prog.reg_use.data();
    const Memory& mem = vm.memory_;

    uint64_t r[11];
    std::copy(vm.regs_.begin(), vm.regs_.end(), r);
    uint16_t init = vm.init_;
    uint32_t depth = vm.depth_;
    // This program's own frame 0: not 0 only when a tail call from a subprogram started it.
    // Its exit from there returns into another program (exit_to_caller_program).
    const uint32_t base = vm.frame_base_;
    // A call at this depth takes the slow path: past the verifier's 8 frames of this program,
    // or into a frame whose stack is not mapped yet.
    uint32_t call_limit = std::min(base + uint32_t(kMaxCallFrames), vm.stack_frames_);
    const uint64_t budget_left = vm.budget_ > vm.executed_ ? vm.budget_ - vm.executed_ : 0;
    const uint64_t allowed = std::min(max_steps, budget_left);
    uint64_t left = allowed;  // decremented before each instruction runs
    const DecodedInsn* ip = code + vm.pc_;
    // Whatever changed the mask since the last recorded step (a tail call, set_reg), the next
    // step says what it is now.
    if constexpr (kRecord) {
        jc.next_ip = nullptr;  // the first step says its pc (this may be another program)
        if (init != jr->cursor().last_init) jc.force_full();
    }

    // Filled in before jumping to a fault label.
    uint64_t fault_addr = 0;
    uint32_t fault_size = 0;
    Access fault_access = Access::Load;
    uint16_t bad_regs = 0;
    uint32_t call_target = 0;
    const HelperBinding* helper = nullptr;

#define PC uint32_t(ip - code)
#define DST r[ip->dst]
#define SRC r[ip->src]

#define CHECK_INIT()                                                                                         \
    if constexpr (kCheckInit) {                                                                              \
        const uint32_t u = use[PC];                                                                          \
        if (uint16_t(u) & ~init) [[unlikely]] {                                                              \
            bad_regs = uint16_t(uint16_t(u) & ~init);                                                        \
            goto uninit_fault;                                                                               \
        }                                                                                                    \
        init = uint16_t(init | (u >> 16));                                                                   \
    }

    // The register an instruction writes is dst for all but a few ops, which add Reg, Frame
    // or VmState records of their own.
#define RECORD_STEP()                                                                                        \
    if constexpr (kRecord) {                                                                                 \
        jr->begin_step<kCheckInit>(jc, ip, code, init, kOpHeader[uint8_t(ip->op)], ip->dst, DST,             \
                                   allowed - left - 1);                                                      \
    }
    // Hands the cursor to the journal (for code that appends through it) and takes it back;
    // the local copy counts only steps before this run (see Journal::begin_step).
#define JC_OUT()                                                                                             \
    do {                                                                                                     \
        static_cast<Journal::Appender&>(jr->cursor()) = jc;                                                  \
        jr->cursor().steps += allowed - left;                                                                \
    } while (0)
#define JC_IN()                                                                                              \
    do {                                                                                                     \
        jc = jr->cursor();                                                                                   \
        jr->cursor().steps -= allowed - left;                                                                \
    } while (0)
#define RECORD_REG(i)                                                                                        \
    if constexpr (kRecord) jc.reg(uint8_t(i), r[i]);
#define RECORD_MEM(host, vaddr, n)                                                                           \
    if constexpr (kRecord) jc.mem_small(host, vaddr, uint32_t(std::countr_zero(n)));

#if BPFPLAY_COMPUTED_GOTO
    static const void* const kLabels[] = {
#define BPF_OP_LABEL_(name) &&L_##name,
        BPF_OPS(BPF_OP_LABEL_)
#undef BPF_OP_LABEL_
    };
    static_assert(sizeof kLabels / sizeof kLabels[0] == size_t(Op::Count_));
#define DISPATCH()                                                                                           \
    do {                                                                                                     \
        if (left-- == 0) [[unlikely]] goto out_of_steps;                                                     \
        RECORD_STEP()                                                                                        \
        CHECK_INIT()                                                                                         \
        goto* kLabels[uint8_t(ip->op)];                                                                      \
    } while (0)
#define CASE(name) L_##name:
    DISPATCH();
#else
    // A goto, not `continue`: inside NEXT()'s do { } while (0) a `continue` would only leave
    // the do-while and fall through into the next case.
#define DISPATCH() goto dispatch
#define CASE(name) case Op::name:
    for (;;) {
    dispatch:
        if constexpr (!kCheckInit && !kRecord) {
            PlainCalls calls{vm.frames_.data(), depth, call_limit, base, init, vm.held_lock_ != 0};
            const PlainStop stop = run_plain_out_of_line(ip, left, code, r, mem, calls);
            ip = stop.ip;
            left = stop.left;
            depth = calls.depth;
        }
        if (left-- == 0) [[unlikely]] goto out_of_steps;
        RECORD_STEP()
        CHECK_INIT()
        switch (ip->op) {
#endif
#define NEXT()                                                                                               \
    do {                                                                                                     \
        ++ip;                                                                                                \
        DISPATCH();                                                                                          \
    } while (0)

#include "core/interpreter_plain_ops.inc"


    CASE(CallHelper) {
        helper = &prog.helpers[ip->target];
        goto call_helper;
    }
    CASE(CallLocal) {
        call_target = ip->target;
        goto enter_function;
    }
    CASE(Callx) {
        // A function's address (clang's indirect calls), or else a helper id (uBPF's callx, as
        // the bpf_conformance suite uses it) when decode() bound the helpers a callx may reach.
        const uint64_t a = DST;
        const uint64_t idx = (a - kCodeBase) / 8;
        if (a < kCodeBase || (a - kCodeBase) % 8 != 0 || idx >= prog.insns.size() ||
            !prog.is_function_entry(uint32_t(idx))) [[unlikely]] {
            fault_addr = a;
            if (a < kCodeBase && (helper = prog.callx_helper(a))) goto callx_helper;
            goto callx_fault;
        }
        call_target = uint32_t(idx);
        goto enter_function;
    }
    CASE(Exit) {
        // Only the program's own frame 0 exits out of it: the run ends, or (base > 0) a
        // tail-called program returns into the program that called the subprogram it replaced.
        if (depth == base) [[unlikely]] {
            if (depth == 0) {
                if (vm.held_lock_) [[unlikely]]
                    goto locked_exit_fault;
                goto exited;
            }
            goto exit_to_caller_program;
        }
        const Frame& f = vm.frames_[depth];
        if (f.callback.kind != CallbackKind::None) [[unlikely]]
            goto callback_returned;
        if constexpr (kRecord) jc.exit(depth, f.saved_init, &r[6]);
        if constexpr (kCheckInit) init = uint16_t((f.saved_init & ~kArgRegs) | 1u | kFramePointer);
        --depth;
        pop_frame(f, r, depth);
        ip = code + f.return_pc;
        DISPATCH();
    }

    CASE(LddwTail) { goto internal_fault; }  // decode() makes this unreachable

    // Classic packet loads: big-endian, relative to the packet start (the network header for
    // socket filters), or below 0 to the headers (see HelperEnv::ld_abs_negative); out of
    // range ends the program with r0 = 0, as the kernel's do.
#define LD_PACKET(name, T, swap, offset)                                                                     \
    CASE(name) {                                                                                             \
        if (vm.held_lock_) [[unlikely]]                                                                      \
            goto locked_ld_abs_fault;                                                                        \
        const int64_t o = (offset);                                                                          \
        const uint8_t* p = o >= 0 ? mem.read_ptr(window_base(window::kPacket) + uint64_t(o), sizeof(T))      \
                                  : ld_abs_negative(vm, int32_t(o), sizeof(T));                              \
        if constexpr (kCheckInit) init = uint16_t((init & ~kArgRegs) | 1u);                                  \
        RECORD_REG(0)                                                                                        \
        if (!p) {                                                                                            \
            r[0] = 0;                                                                                        \
            goto exited;                                                                                     \
        }                                                                                                    \
        r[0] = swap(load_le<T>(p));                                                                          \
        NEXT();                                                                                              \
    }
    LD_PACKET(LdAbsB, uint8_t, uint8_t, int64_t(int32_t(ip->imm)))
    LD_PACKET(LdAbsH, uint16_t, __builtin_bswap16, int64_t(int32_t(ip->imm)))
    LD_PACKET(LdAbsW, uint32_t, __builtin_bswap32, int64_t(int32_t(ip->imm)))
    LD_PACKET(LdIndB, uint8_t, uint8_t, int64_t(int32_t(uint32_t(SRC) + uint32_t(ip->imm))))
    LD_PACKET(LdIndH, uint16_t, __builtin_bswap16, int64_t(int32_t(uint32_t(SRC) + uint32_t(ip->imm))))
    LD_PACKET(LdIndW, uint32_t, __builtin_bswap32, int64_t(int32_t(uint32_t(SRC) + uint32_t(ip->imm))))
#undef LD_PACKET


    // Atomics: one thread runs a program, so a plain read-modify-write is atomic here. `old`
    // is the value before; FETCH forms return it in src (zero-extended for 32 bits).
#define ATOMIC(name, T, expr, result_reg)                                                                    \
    CASE(name) {                                                                                             \
        const uint64_t a = DST + uint64_t(int64_t(ip->off));                                                 \
        uint8_t* p = mem.write_ptr(a, sizeof(T));                                                            \
        if (!p) [[unlikely]] {                                                                               \
            fault_addr = a, fault_size = sizeof(T), fault_access = Access::Atomic;                           \
            goto mem_fault;                                                                                  \
        }                                                                                                    \
        RECORD_MEM(p, a, sizeof(T))                                                                          \
        RECORD_REG(ip->src)                                                                                  \
        RECORD_REG(0)                                                                                        \
        const T old = load_le<T>(p);                                                                         \
        const T v = T(SRC);                                                                                  \
        store_le<T>(p, T(expr));                                                                             \
        result_reg;                                                                                          \
        NEXT();                                                                                              \
    }
#define ATOMIC_FOUR(name, expr)                                                                              \
    ATOMIC(Atomic##name##32, uint32_t, expr, (void)0)                                                        \
    ATOMIC(Atomic##name##64, uint64_t, expr, (void)0)                                                        \
    ATOMIC(AtomicFetch##name##32, uint32_t, expr, SRC = old)                                                 \
    ATOMIC(AtomicFetch##name##64, uint64_t, expr, SRC = old)
    ATOMIC_FOUR(Add, old + v)
    ATOMIC_FOUR(Or, old | v)
    ATOMIC_FOUR(And, old & v)
    ATOMIC_FOUR(Xor, old ^ v)
    ATOMIC(Xchg32, uint32_t, (void(old), v), SRC = old)
    ATOMIC(Xchg64, uint64_t, (void(old), v), SRC = old)
    // cmpxchg compares with r0 (cut to the width) and always returns the old value in r0.
    ATOMIC(Cmpxchg32, uint32_t, old == uint32_t(r[0]) ? v : old, r[0] = old)
    ATOMIC(Cmpxchg64, uint64_t, old == r[0] ? v : old, r[0] = old)
#undef ATOMIC_FOUR
#undef ATOMIC

#if !BPFPLAY_COMPUTED_GOTO
        case Op::Count_: goto internal_fault;
        }
    }
#endif

    // Context fields (struct xdp_md, struct __sk_buff) are served by the context's accessor.
load_slow:
    if (!mem.is_context(fault_addr)) {
        // PROBE_MEM (Program::probe_mem_loads): a tracing program's load through a NULL or
        // dangling kernel pointer reads 0, as the kernel's exception table makes it.
        if (prog.probe_mem_loads && (fault_addr < 4096 || fault_addr >> 32 == window::kKernel)) {
            DST = 0;
            NEXT();
        }
        goto mem_fault;
    }
    {
        uint64_t v = 0;
        if (auto err = mem.context_load(fault_addr, fault_size, v, PC)) [[unlikely]] {
            vm.fault_ = std::move(*err);
            goto faulted;
        }
        if (ip->op >= Op::Ldxsb && ip->op <= Op::Ldxsw) {  // sign-extend from the access width
            const int shift = 64 - int(fault_size) * 8;
            v = uint64_t(int64_t(v << shift) >> shift);
        }
        DST = v;
        NEXT();
    }
store_slow:
    if (!mem.is_context(fault_addr)) goto mem_fault;
    {
        const uint64_t v = ip->op >= Op::Stxb ? SRC : uint64_t(ip->imm);
        if constexpr (kRecord) {
            if (ContextAccess* c = mem.context_at(fault_addr)) {
                const std::span<uint8_t> bytes = c->state_bytes();
                JC_OUT();
                jr->mem(bytes.data(), 0, bytes.size());
                JC_IN();
            }
        }
        if (auto err = mem.context_store(fault_addr, fault_size, v, PC)) [[unlikely]] {
            vm.fault_ = std::move(*err);
            goto faulted;
        }
        NEXT();
    }

callx_helper:
    if constexpr (kCheckInit) {
        // The helper's arguments are known only now: check them as a helper call's are.
        const uint16_t args = uint16_t(((1u << (helper->nargs + 1)) - 1) & kArgRegs);
        if (args & ~init) {
            bad_regs = uint16_t(args & ~init);
            goto uninit_fault;
        }
    }
call_helper: {
        const HelperBinding& h = *helper;
        // Under a bpf_spin_lock only bpf_spin_unlock may be called (the verifier's rule).
        if (vm.held_lock_ && h.id != kSpinUnlockId) [[unlikely]]
            if (!is_kfunc_binding(h.id) || !kfunc_allowed_under_spin_lock(h.name)) goto locked_call_fault;
        vm.pc_ = PC;  // helpers report errors at this insn
        vm.depth_ = depth;
        vm.executed_at_call_ = vm.executed_ + (allowed - left);
        if constexpr (kRecord) {
            jc.vm_state(r, depth, init, vm.program_, vm.tail_calls_, vm.held_lock_);
            JC_OUT();  // the helper and its effects append through the journal
            if (vm.effects_) vm.effects_->before_helper(vm, h.id, &r[1]);
        }
        vm.in_helper_ = true;
        r[0] = h.fn(vm, r[1], r[2], r[3], r[4], r[5]);
        vm.in_helper_ = false;
        if constexpr (kRecord) {
            if (vm.effects_) vm.effects_->after_helper(vm);
            JC_IN();
        }
        if constexpr (kCheckInit) init = uint16_t((init & ~kArgRegs) | 1u);
        if (vm.helper_stopped_) [[unlikely]] {
            vm.helper_stopped_ = false;
            if (vm.status_ == RunStatus::Exited) {
                r[0] = vm.regs_[0];
                goto helper_exited;
            }
            if (vm.pending_tail_call_) goto tail_call;
            if (vm.pending_callback_.kind != CallbackKind::None) goto enter_callback;
            goto helper_faulted;
        }
        NEXT();
    }

    // bpf_loop / bpf_for_each_map_elem asked for a callback frame (core/vm_callback.cpp).
enter_callback:
    if (depth + 1 >= call_limit) [[unlikely]] {
        if (depth + 1 >= base + uint32_t(kMaxCallFrames) || depth + 1 >= uint32_t(kMaxRunFrames)) {
            vm.pending_callback_ = {};
            goto depth_fault;
        }
        vm.add_stack_frame();
        call_limit = std::min(base + uint32_t(kMaxCallFrames), vm.stack_frames_);
        goto enter_callback;
    }
    {
        if constexpr (kRecord) JC_OUT();
        const uint32_t next = vm.enter_callback(PC, r, init, depth);
        if constexpr (kRecord) {
            JC_IN();
            jc.force_full();  // the callback set the mask
        }
        ip = code + next;
        DISPATCH();
    }
callback_returned: {
        if constexpr (kRecord) JC_OUT();
        const uint32_t next = vm.callback_returned(PC, r, init, depth);
        if constexpr (kRecord) {
            JC_IN();
            jc.force_full();  // the callback set the mask
        }
        if (next == Vm::kCallbackFault) [[unlikely]]
            goto faulted;
        ip = code + next;
        DISPATCH();
    }

enter_function:
    if (depth + 1 >= call_limit) [[unlikely]] {
        if (depth + 1 >= base + uint32_t(kMaxCallFrames) || depth + 1 >= uint32_t(kMaxRunFrames))
            goto depth_fault;
        vm.add_stack_frame();
        call_limit = std::min(base + uint32_t(kMaxCallFrames), vm.stack_frames_);
        goto enter_function;
    }
    if (vm.held_lock_ && std::binary_search(prog.global_functions.begin(), prog.global_functions.end(), call_target))
        [[unlikely]] goto locked_global_call_fault;
    {
        Frame& f = vm.frames_[depth + 1];
        if constexpr (kRecord) jc.call(depth, r[10]);
        ++depth;
        push_frame(f, PC + 1, r, init, depth);
        if constexpr (kCheckInit) init = uint16_t(init & (kArgRegs | kFramePointer));
        ip = code + call_target;
        DISPATCH();
    }

    // A tail-called program's own frame returns into the program that called the subprogram
    // the tail call replaced (Vm::enter_tail_call): the interpreter hands over to Vm::run.
exit_to_caller_program: {
        const Frame& f = vm.frames_[depth];
        if constexpr (kRecord) {
            jc.exit(depth, f.saved_init, &r[6]);
            jc.program_switch(vm.program_, base);
            JC_OUT();
        }
        r[6] = f.saved[0];
        r[7] = f.saved[1];
        r[8] = f.saved[2];
        r[9] = f.saved[3];
        --depth;
        r[10] = Vm::frame_pointer(depth);
        std::copy(r, r + 11, vm.regs_.begin());
        // Whichever variant runs next: the caller's mask as a return leaves it.
        vm.init_ = uint16_t((f.saved_init & ~kArgRegs) | 1u | kFramePointer);
        vm.pc_ = f.return_pc;
        vm.depth_ = depth;
        vm.executed_ += allowed - left;
        vm.program_ = f.caller_program;
        vm.frame_base_ = f.caller_base;
        vm.switched_ = true;
        vm.status_ = RunStatus::Ready;
        return RunStatus::Ready;
    }

    // ---- the ways out; `left` was decremented for the instruction now at ip ----
    {
        RunStatus status;
        uint64_t done;
    out_of_steps:
        left = 0;  // it wrapped; now allowed - left counts the steps run (and recorded)
        done = allowed;
        if (max_steps > budget_left) {
            vm.fault_ = make_error(ErrorKind::Budget,
                                   "the program ran " + std::to_string(vm.budget_) +
                                       " instructions without exiting (the instruction budget)",
                                   PC, "Is there a loop that never ends? The budget can be raised.");
            status = RunStatus::Faulted;
        } else {
            status = RunStatus::Ready;
        }
        goto save;
    exited:
        if (vm.exit_check) [[unlikely]] {
            vm.pc_ = PC;
            std::copy(r, r + 11, vm.regs_.begin());  // the check may read r0
            if (std::optional<Error> refused = vm.exit_check(vm)) {
                vm.fault_ = std::move(*refused);
                goto faulted;
            }
        }
        done = allowed - left;
        status = RunStatus::Exited;
        goto save;
    helper_exited:
        done = allowed - left;
        status = RunStatus::Exited;
        goto save;
    tail_call:  // Vm::run switches programs; the call insn itself completed
        done = allowed - left;
        status = RunStatus::Ready;
        goto save;
    helper_faulted:
        done = allowed - left - 1;
        status = RunStatus::Faulted;
        goto save;
    mem_fault:
        vm.fault_ = mem.describe_fault(fault_addr, fault_size, fault_access, PC);
        if (fault_addr < kNullPageEnd) vm.explain_null_pointer(PC, fault_access == Access::Load ? ip->src : ip->dst, depth);
        goto faulted;
    callx_fault: {
        // Helper ids are small: a value in the code window was meant as a function's address.
        const char* what =
            prog.callx_helpers && fault_addr < kCodeBase
                ? " is neither the address of a function in this program nor the id of a helper it can call"
                : " is not the address of a function in this program";
        vm.fault_ = make_error(ErrorKind::Runtime,
                               "callx r" + std::to_string(ip->dst) + ": " + hex(fault_addr) + what, PC);
        goto faulted;
    }
    depth_fault:
        vm.fault_ = make_error(ErrorKind::Runtime,
                               "the call would nest more than " + std::to_string(kMaxCallFrames) +
                                   " frames deep (the kernel's limit)",
                               PC, "Is a function calling itself without end?");
        goto faulted;
    uninit_fault:
        __attribute__((unused));  // only the checked variant jumps here
        {
        const int reg = __builtin_ctz(bad_regs);
        vm.fault_ = make_error(ErrorKind::Verify,
                               "r" + std::to_string(reg) +
                                   " is read before it is written on this path (the kernel's verifier says \"R" +
                                   std::to_string(reg) + " !read_ok\")",
                               PC, "Give it a value on every path that reaches this instruction.");
        goto faulted;
    }
    locked_call_fault:
        vm.fault_ = make_error(ErrorKind::Verify,
                               "a helper is called while the program holds a bpf_spin_lock (the kernel's verifier "
                               "says \"function calls are not allowed while holding a lock\")",
                               PC, "Call bpf_spin_unlock first: under a lock only bpf_spin_unlock may be called.");
        goto faulted;
    locked_global_call_fault:
        vm.fault_ = make_error(ErrorKind::Verify,
                               "a global function is called while the program holds a bpf_spin_lock (the kernel's "
                               "verifier says \"global function calls are not allowed while holding a lock,\n"
                               "use static function instead\")",
                               PC, "Make the function static (static __noinline), or call it after bpf_spin_unlock.");
        goto faulted;
    locked_exit_fault:
        vm.fault_ = make_error(ErrorKind::Verify,
                               "the program exits while it holds a bpf_spin_lock (the kernel's verifier says "
                               "\"BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region\")",
                               PC, "Call bpf_spin_unlock on every path before returning.");
        goto faulted;
    locked_ld_abs_fault:
        vm.fault_ = make_error(ErrorKind::Verify,
                               "a legacy packet load (LD_ABS/LD_IND) runs while the program holds a bpf_spin_lock "
                               "(the kernel's verifier says \"BPF_LD_[ABS|IND] cannot be used inside "
                               "bpf_spin_lock-ed region\")",
                               PC, "Load the packet bytes before taking the lock.");
        goto faulted;
    internal_fault:
        vm.fault_ = make_error(ErrorKind::Runtime, "internal error: executed the second slot of an lddw", PC);
        goto faulted;
    faulted:
        done = allowed - left - 1;
        status = RunStatus::Faulted;
    save:
        if constexpr (kRecord) JC_OUT();
        std::copy(r, r + 11, vm.regs_.begin());
        vm.pc_ = PC;
        vm.depth_ = depth;
        vm.init_ = init;
        vm.executed_ += done;
        vm.status_ = status;
        return status;
    }
#undef PC
#undef DST
#undef SRC
#undef CHECK_INIT
#undef RECORD_STEP
#undef JC_OUT
#undef JC_IN
#undef RECORD_REG
#undef RECORD_MEM
#undef DISPATCH
#undef CASE
#undef NEXT
}

template RunStatus interpret<false, false>(Vm&, uint64_t);
template RunStatus interpret<true, false>(Vm&, uint64_t);
template RunStatus interpret<false, true>(Vm&, uint64_t);
template RunStatus interpret<true, true>(Vm&, uint64_t);

}  // namespace bpfplay
