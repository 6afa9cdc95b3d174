#include "core/fastrun/translate.hpp"

#include <optional>
#include <string>

#include "core/decode_ops.hpp"

namespace bpfplay {

bool fastrun_takes_over(Op op) {
    switch (op_family(op)) {
    case OpFamily::Call: return op != Op::CallLocal;  // helpers and callx; a local call is translated
    case OpFamily::LddwTail:
    case OpFamily::LegacyLoad: return true;
    case OpFamily::Alu: case OpFamily::Jump: case OpFamily::Exit: case OpFamily::Lddw: case OpFamily::Load:
    case OpFamily::Store: case OpFamily::Atomic: case OpFamily::AtomicFetch:
    case OpFamily::Cmpxchg: return false;
    }
    return false;
}

namespace {

using wasm::Code;
using wasm::Opc;
using wasm::ValType;

// ALU ops come in groups of four (32Imm, 32Reg, 64Imm, 64Reg) in BPF_ALU_BINOPS order, and
// conditional jumps likewise (Imm, Reg, 32Imm, 32Reg): the translator indexes them so.
enum class Binop : uint8_t { Add, Sub, Mul, Div, Sdiv, Mod, Smod, Or, And, Xor, Lsh, Rsh, Arsh, Mov };
enum class Cond : uint8_t { Jeq, Jne, Jgt, Jge, Jlt, Jle, Jsgt, Jsge, Jslt, Jsle, Jset };
static_assert(uint8_t(Op::Sub32Imm) == uint8_t(Op::Add32Imm) + 4);
static_assert(uint8_t(Op::Mov64Reg) == uint8_t(Op::Add32Imm) + 4 * 13 + 3);
static_assert(uint8_t(Op::JneImm) == uint8_t(Op::JeqImm) + 4);
static_assert(uint8_t(Op::Jset32Reg) == uint8_t(Op::JeqImm) + 4 * 10 + 3);

bool is_alu(Op op) { return op >= Op::Add32Imm && op <= Op::Mov64Reg; }
bool is_cond_jump(Op op) { return op >= Op::JeqImm && op <= Op::Jset32Reg; }
bool ends_block(Op op) {
    return op == Op::Ja || is_cond_jump(op) || op == Op::CallLocal || op == Op::Exit || fastrun_takes_over(op);
}
uint32_t slots(Op op) { return op == Op::Lddw ? 2 : 1; }

// Locals of the run function: the two parameters, then these.
constexpr uint32_t kState = 0, kBlock = 1, kReg0 = 2, kLeftLocal = 13, kAddr = 14, kTmp = 15, kEntry = 16,
                   kExitPc = 17, kDepthLocal = 18;

class FastrunTranslator {
public:
    explicit FastrunTranslator(const Program& prog) : prog_(prog) {}

    FastModule run() {
        find_blocks();
        if (out_.block_starts.size() > kFastRunMaxBlocks) {
            too_many_blocks_ = true;
            return {};
        }
        const uint32_t n = uint32_t(out_.block_starts.size());
        for (uint32_t i = 0; i < 11; ++i)
            c_.local_get(kState).mem(Opc::I64Load, fastrun_layout::kRegs + 8 * i, 3).local_set(kReg0 + i);
        c_.local_get(kState).mem(Opc::I64Load, fastrun_layout::kLeft, 3).local_set(kLeftLocal);
        c_.local_get(kState).mem(Opc::I32Load, fastrun_layout::kDepth, 2).local_set(kDepthLocal);
        c_.i32_const(int32_t(kFastRunBadBlock)).local_set(kExitPc);
        c_.block();  // out: the way back to the host
        c_.loop();   // the dispatcher: a branch here enters block `kBlock`
        for (uint32_t i = 0; i < n; ++i) c_.block();
        std::vector<uint32_t> table(n);
        for (uint32_t j = 0; j < n; ++j) table[j] = rel(label_of_block(j));
        c_.local_get(kBlock).br_table(table, rel(kOutLabel));
        for (cur_ = 0; cur_ < n; ++cur_) {
            c_.end();  // the end of block cur_'s label: a branch to it lands here
            emit_block();
        }
        c_.op(Opc::Unreachable);  // decode() refuses a program that runs off its end
        c_.end().end();
        for (uint32_t i = 0; i < 11; ++i)
            c_.local_get(kState).local_get(kReg0 + i).mem(Opc::I64Store, fastrun_layout::kRegs + 8 * i, 3);
        c_.local_get(kState).local_get(kLeftLocal).mem(Opc::I64Store, fastrun_layout::kLeft, 3);
        c_.local_get(kState).local_get(kDepthLocal).mem(Opc::I32Store, fastrun_layout::kDepth, 2);
        c_.local_get(kExitPc);

        wasm::ModuleWriter m;
        m.import_memory("env", "memory", 0);
        const wasm::FuncType run_type{{ValType::I32, ValType::I32}, {ValType::I32}};
        // r0-r10, left, then two i64 and three i32 scratch locals. Written out whole: GCC 12's
        // -Warray-bounds misreads a vector insert of an initializer list at -O3.
        const std::vector<ValType> locals{ValType::I64, ValType::I64, ValType::I64, ValType::I64, ValType::I64,
                                          ValType::I64, ValType::I64, ValType::I64, ValType::I64, ValType::I64,
                                          ValType::I64, ValType::I64, ValType::I64, ValType::I64, ValType::I32,
                                          ValType::I32, ValType::I32};
        m.export_function("run", m.function(run_type, locals, c_));
        out_.bytes = m.bytes();
        return std::move(out_);
    }

private:
    // Labels by the nesting depth at which they were opened: out is 1, the loop 2, block j's
    // label N + 2 - j (block 0's innermost). A branch's relative depth is the distance.
    static constexpr uint32_t kOutLabel = 1, kLoopLabel = 2;
    uint32_t label_of_block(uint32_t j) const { return uint32_t(out_.block_starts.size()) + 2 - j; }
    uint32_t rel(uint32_t label) const { return c_.depth() - label; }

    static bool is_access(Op op) { return op >= Op::Ldxb && op <= Op::Cmpxchg64; }

    // Blocks start at 0, function entries, jump and call targets, and after jumps, calls,
    // exits and hand-overs;
    // each checks and charges the budget for itself up to the next one. After a load or store
    // a resume point starts too: when the access took the interpreter's path (a context
    // field), the run comes back right after it. A resume point has no check of its own: the
    // runner charges the rest of its block when it enters there (FastModule::entry_charge).
    void find_blocks() {
        const uint32_t len = uint32_t(prog_.insns.size());
        leader_.assign(len + 1, false);
        std::vector<bool> resume(len + 1, false);
        leader_[0] = true;
        // Every function's entry: a callback (bpf_loop's) is entered there by the interpreter.
        for (uint32_t f : prog_.functions)
            if (f < len) leader_[f] = true;
        for (uint32_t pc = 0; pc < len; pc += slots(prog_.insns[pc].op)) {
            const DecodedInsn& d = prog_.insns[pc];
            if (d.op == Op::Ja || is_cond_jump(d.op) || d.op == Op::CallLocal) leader_[d.target] = true;
            if (ends_block(d.op)) leader_[pc + 1] = true;
            if (is_access(d.op)) resume[pc + 1] = true;
        }
        out_.block_of_pc.assign(len, -1);
        uint32_t charge_left = 0;  // of the current checked block, from pc on
        for (uint32_t pc = 0; pc < len; pc += slots(prog_.insns[pc].op)) {
            if (leader_[pc]) charge_left = charge_from(pc);
            if (leader_[pc] || resume[pc]) {
                out_.block_of_pc[pc] = int32_t(out_.block_starts.size());
                out_.block_starts.push_back(pc);
                out_.entry_charge.push_back(leader_[pc] ? 0 : charge_left);
            }
            if (fastrun_takes_over(prog_.insns[pc].op)) {
                ++out_.taken_over;
            } else {
                ++out_.translated;
                --charge_left;
            }
        }
    }

    // The instructions the module runs from `pc` to the next checked block start.
    uint32_t charge_from(uint32_t pc) const {
        uint32_t n = 0;
        for (uint32_t i = pc; i < prog_.insns.size(); i += slots(prog_.insns[i].op)) {
            if (i != pc && leader_[i]) break;
            if (!fastrun_takes_over(prog_.insns[i].op)) ++n;
        }
        return n;
    }

    uint32_t block_end(uint32_t i) const {
        return i + 1 < out_.block_starts.size() ? out_.block_starts[i + 1] : uint32_t(prog_.insns.size());
    }

    // Hands the run to the interpreter at `pc`, giving back the budget of the block's
    // instructions from there on (the interpreter counts them as it runs them).
    void take_over(uint32_t pc, uint32_t refund) {
        if (refund) c_.local_get(kLeftLocal).i64_const(refund).op(Opc::I64Add).local_set(kLeftLocal);
        c_.i32_const(int32_t(pc)).local_set(kExitPc).br(rel(kOutLabel));
    }

    void emit_block() {
        const uint32_t start = out_.block_starts[cur_], end = block_end(cur_);
        if (leader_[start]) {
            charge_ = charge_from(start);
            done_ = 0;
            if (charge_) {
                // Not enough budget for the whole block: the interpreter runs it one instruction
                // at a time and faults exactly where the interpreter alone would.
                c_.local_get(kLeftLocal).i64_const(charge_).op(Opc::I64LtU).if_();
                take_over(start, 0);
                c_.end();
                c_.local_get(kLeftLocal).i64_const(charge_).op(Opc::I64Sub).local_set(kLeftLocal);
            }
        }
        for (uint32_t pc = start; pc < end; pc += slots(prog_.insns[pc].op)) {
            emit_insn(pc, charge_ - done_);
            if (!fastrun_takes_over(prog_.insns[pc].op)) ++done_;
        }
    }

    void get(uint8_t r) { c_.local_get(kReg0 + r); }
    void set(uint8_t r) { c_.local_set(kReg0 + r); }

    void goto_pc(uint32_t target) {
        const uint32_t j = uint32_t(out_.block_of_pc[target]);
        if (j > cur_) {
            c_.br(rel(label_of_block(j)));
        } else {
            c_.i32_const(int32_t(j)).local_set(kBlock).br(rel(kLoopLabel));
        }
    }

    // `refund`: budget charged for this instruction and the rest of its block.
    void emit_insn(uint32_t pc, uint32_t refund) {
        const DecodedInsn& d = prog_.insns[pc];
        if (fastrun_takes_over(d.op)) return take_over(pc, 0);  // always last in its block, never charged
        if (is_alu(d.op)) return emit_alu(d);
        if (is_cond_jump(d.op)) return emit_cond_jump(d);
        switch (d.op) {
        case Op::Neg32:
            c_.i32_const(0);
            get(d.dst);
            c_.op(Opc::I32WrapI64).op(Opc::I32Sub).op(Opc::I64ExtendI32U);
            set(d.dst);
            break;
        case Op::Neg64: c_.i64_const(0); get(d.dst); c_.op(Opc::I64Sub).local_set(kReg0 + d.dst); break;
        case Op::Movsx32_8: sext32(d, Opc::I32Extend8S); break;
        case Op::Movsx32_16: sext32(d, Opc::I32Extend16S); break;
        case Op::Movsx64_8: get(d.src); c_.op(Opc::I64Extend8S); set(d.dst); break;
        case Op::Movsx64_16: get(d.src); c_.op(Opc::I64Extend16S); set(d.dst); break;
        case Op::Movsx64_32: get(d.src); c_.op(Opc::I64Extend32S); set(d.dst); break;
        case Op::Le16: get(d.dst); c_.i64_const(0xffff).op(Opc::I64And); set(d.dst); break;
        case Op::Le32: get(d.dst); c_.i64_const(0xffffffff).op(Opc::I64And); set(d.dst); break;
        case Op::Le64: break;
        case Op::Bswap16:
            get(d.dst);
            c_.i64_const(0xff).op(Opc::I64And).i64_const(8).op(Opc::I64Shl);
            get(d.dst);
            c_.i64_const(8).op(Opc::I64ShrU).i64_const(0xff).op(Opc::I64And).op(Opc::I64Or);
            set(d.dst);
            break;
        case Op::Bswap32:
            // (x & 0xff00ff00) rotl 8 | (x & 0x00ff00ff) rotr 8 reverses the four bytes.
            get(d.dst);
            c_.op(Opc::I32WrapI64).i32_const(int32_t(0xff00ff00u)).op(Opc::I32And).i32_const(8).op(Opc::I32Rotl);
            get(d.dst);
            c_.op(Opc::I32WrapI64).i32_const(0x00ff00ff).op(Opc::I32And).i32_const(8).op(Opc::I32Rotr);
            c_.op(Opc::I32Or).op(Opc::I64ExtendI32U);
            set(d.dst);
            break;
        case Op::Bswap64:
            // Swap neighbouring bytes, then 16-bit halves, then 32-bit halves.
            get(d.dst);
            c_.local_set(kTmp);
            swap_lanes(8, int64_t(0x00ff00ff00ff00ffull));
            swap_lanes(16, int64_t(0x0000ffff0000ffffull));
            c_.local_get(kTmp).i64_const(32).op(Opc::I64Rotl);
            set(d.dst);
            break;
        case Op::Ja: goto_pc(d.target); break;
        case Op::CallLocal: call_local(pc, d); break;
        case Op::Exit: exit_frame(pc); break;
        case Op::Lddw: c_.i64_const(d.imm); set(d.dst); break;
        case Op::Ldxb: load(pc, d, 1, Opc::I64Load8U, refund); break;
        case Op::Ldxh: load(pc, d, 2, Opc::I64Load16U, refund); break;
        case Op::Ldxw: load(pc, d, 4, Opc::I64Load32U, refund); break;
        case Op::Ldxdw: load(pc, d, 8, Opc::I64Load, refund); break;
        case Op::Ldxsb: load(pc, d, 1, Opc::I64Load8S, refund); break;
        case Op::Ldxsh: load(pc, d, 2, Opc::I64Load16S, refund); break;
        case Op::Ldxsw: load(pc, d, 4, Opc::I64Load32S, refund); break;
        case Op::Stb: store(pc, d, 1, Opc::I64Store8, false, refund); break;
        case Op::Sth: store(pc, d, 2, Opc::I64Store16, false, refund); break;
        case Op::Stw: store(pc, d, 4, Opc::I64Store32, false, refund); break;
        case Op::Stdw: store(pc, d, 8, Opc::I64Store, false, refund); break;
        case Op::Stxb: store(pc, d, 1, Opc::I64Store8, true, refund); break;
        case Op::Stxh: store(pc, d, 2, Opc::I64Store16, true, refund); break;
        case Op::Stxw: store(pc, d, 4, Opc::I64Store32, true, refund); break;
        case Op::Stxdw: store(pc, d, 8, Opc::I64Store, true, refund); break;
#define BPF_FASTRUN_ATOMIC_FOUR_(name)                                                                       \
    case Op::Atomic##name##32: atomic(pc, d, false, Atomic::name, false, refund); break;                     \
    case Op::Atomic##name##64: atomic(pc, d, true, Atomic::name, false, refund); break;                      \
    case Op::AtomicFetch##name##32: atomic(pc, d, false, Atomic::name, true, refund); break;                 \
    case Op::AtomicFetch##name##64: atomic(pc, d, true, Atomic::name, true, refund); break;
        BPF_FASTRUN_ATOMIC_FOUR_(Add)
        BPF_FASTRUN_ATOMIC_FOUR_(Or)
        BPF_FASTRUN_ATOMIC_FOUR_(And)
        BPF_FASTRUN_ATOMIC_FOUR_(Xor)
#undef BPF_FASTRUN_ATOMIC_FOUR_
        case Op::Xchg32: atomic(pc, d, false, Atomic::Xchg, true, refund); break;
        case Op::Xchg64: atomic(pc, d, true, Atomic::Xchg, true, refund); break;
        case Op::Cmpxchg32: atomic(pc, d, false, Atomic::Cmpxchg, false, refund); break;
        case Op::Cmpxchg64: atomic(pc, d, true, Atomic::Cmpxchg, false, refund); break;
        // ALU ops and conditional jumps are emitted above, and the interpreter takes over the
        // others: listed so that -Wswitch names an op added later and not handled here.
#define BPF_FASTRUN_CASE_(name) case Op::name:
#define BPF_FASTRUN_ALU_CASES_(name) BPF_OP_ALU_VARIANTS_(BPF_FASTRUN_CASE_, name)
#define BPF_FASTRUN_JMP_CASES_(name) BPF_OP_JMP_VARIANTS_(BPF_FASTRUN_CASE_, name)
        BPF_ALU_BINOPS(BPF_FASTRUN_ALU_CASES_)
        BPF_JMP_CONDS(BPF_FASTRUN_JMP_CASES_)
#undef BPF_FASTRUN_JMP_CASES_
#undef BPF_FASTRUN_ALU_CASES_
#undef BPF_FASTRUN_CASE_
        case Op::CallHelper: case Op::Callx: case Op::LddwTail:
        case Op::LdAbsB: case Op::LdAbsH: case Op::LdAbsW: case Op::LdIndB: case Op::LdIndH: case Op::LdIndW:
        case Op::Count_:
            // Not reached for a decoded program; should one get here, refuse the program (the
            // caller runs the interpreter) rather than guess.
            if (!unsupported_) unsupported_ = pc;
            break;
        }
    }

    void sext32(const DecodedInsn& d, Opc ext) {
        get(d.src);
        c_.op(Opc::I32WrapI64).op(ext).op(Opc::I64ExtendI32U);
        set(d.dst);
    }
    void swap_lanes(int64_t shift, int64_t mask) {
        c_.local_get(kTmp).i64_const(shift).op(Opc::I64ShrU).i64_const(mask).op(Opc::I64And);
        c_.local_get(kTmp).i64_const(mask).op(Opc::I64And).i64_const(shift).op(Opc::I64Shl);
        c_.op(Opc::I64Or).local_set(kTmp);
    }

    void emit_alu(const DecodedInsn& d) {
        const uint32_t k = uint8_t(d.op) - uint8_t(Op::Add32Imm);
        const Binop b = Binop(k / 4);
        const bool wide = (k % 4) >= 2, imm = (k % 4) % 2 == 0;
        // The operands, already cut to the width.
        auto a = [&] {
            get(d.dst);
            if (!wide) c_.op(Opc::I32WrapI64);
        };
        auto operand = [&] {
            if (imm) {
                if (wide) c_.i64_const(d.imm);
                else c_.i32_const(int32_t(d.imm));
            } else {
                get(d.src);
                if (!wide) c_.op(Opc::I32WrapI64);
            }
        };
        auto zero = [&] {
            if (wide) c_.i64_const(0);
            else c_.i32_const(0);
        };
        auto pick = [&](Opc o32, Opc o64) { c_.op(wide ? o64 : o32); };
        const uint8_t result = uint8_t(wide ? ValType::I64 : ValType::I32);
        const uint64_t imm_value = wide ? uint64_t(d.imm) : uint64_t(uint32_t(d.imm));
        const bool imm_minus_one = wide ? d.imm == -1 : int32_t(d.imm) == -1;

        switch (b) {
        case Binop::Add: a(); operand(); pick(Opc::I32Add, Opc::I64Add); break;
        case Binop::Sub: a(); operand(); pick(Opc::I32Sub, Opc::I64Sub); break;
        case Binop::Mul: a(); operand(); pick(Opc::I32Mul, Opc::I64Mul); break;
        case Binop::Or: a(); operand(); pick(Opc::I32Or, Opc::I64Or); break;
        case Binop::And: a(); operand(); pick(Opc::I32And, Opc::I64And); break;
        case Binop::Xor: a(); operand(); pick(Opc::I32Xor, Opc::I64Xor); break;
        // Wasm shifts take the count modulo the width: the kernel's masking.
        case Binop::Lsh: a(); operand(); pick(Opc::I32Shl, Opc::I64Shl); break;
        case Binop::Rsh: a(); operand(); pick(Opc::I32ShrU, Opc::I64ShrU); break;
        case Binop::Arsh: a(); operand(); pick(Opc::I32ShrS, Opc::I64ShrS); break;
        case Binop::Mov: operand(); break;
        // Division by zero gives 0 and modulo by zero the dividend (the kernel's rule); wasm
        // would trap, so the divisor is tested first. For a constant divisor at translation.
        case Binop::Div:
        case Binop::Mod: {
            const bool div = b == Binop::Div;
            const Opc o = div ? (wide ? Opc::I64DivU : Opc::I32DivU) : (wide ? Opc::I64RemU : Opc::I32RemU);
            if (imm) {
                if (imm_value == 0) {
                    if (div) zero();
                    else a();
                } else {
                    a();
                    operand();
                    c_.op(o);
                }
                break;
            }
            operand();
            pick(Opc::I32Eqz, Opc::I64Eqz);
            c_.if_(result);
            if (div) zero();
            else a();
            c_.else_();
            a();
            operand();
            c_.op(o);
            c_.end();
            break;
        }
        // Signed: by 0 as above; by -1, INT_MIN / -1 wraps to INT_MIN and the remainder is 0
        // (RFC 9669), where wasm's div_s would trap.
        case Binop::Sdiv:
        case Binop::Smod: {
            const bool div = b == Binop::Sdiv;
            const Opc o = div ? (wide ? Opc::I64DivS : Opc::I32DivS) : (wide ? Opc::I64RemS : Opc::I32RemS);
            auto by_zero = [&] {
                if (div) zero();
                else a();
            };
            auto by_minus_one = [&] {
                if (div) {
                    zero();
                    a();
                    pick(Opc::I32Sub, Opc::I64Sub);
                } else {
                    zero();
                }
            };
            if (imm) {
                if (imm_value == 0) by_zero();
                else if (imm_minus_one) by_minus_one();
                else {
                    a();
                    operand();
                    c_.op(o);
                }
                break;
            }
            operand();
            pick(Opc::I32Eqz, Opc::I64Eqz);
            c_.if_(result);
            by_zero();
            c_.else_();
            operand();
            if (wide) c_.i64_const(-1).op(Opc::I64Eq);
            else c_.i32_const(-1).op(Opc::I32Eq);
            c_.if_(result);
            by_minus_one();
            c_.else_();
            a();
            operand();
            c_.op(o);
            c_.end().end();
            break;
        }
        }
        if (!wide) c_.op(Opc::I64ExtendI32U);  // 32-bit results zero-extend
        set(d.dst);
    }

    // r10 of frame `kDepthLocal`: the top of its stack window (Vm::frame_pointer below 8 frames).
    void set_frame_pointer() {
        c_.local_get(kDepthLocal).op(Opc::I64ExtendI32U).i64_const(window::kStack0).op(Opc::I64Add);
        c_.i64_const(32).op(Opc::I64Shl).i64_const(kStackSize).op(Opc::I64Add);
        set(10);
    }
    // The frame record of depth kDepthLocal, as an address (in kEntry).
    void frame_address() {
        c_.local_get(kState).local_get(kDepthLocal).i32_const(fastrun_layout::kFrameBytes).op(Opc::I32Mul);
        c_.op(Opc::I32Add).local_set(kEntry);
    }

    // As the interpreter's call: past the verifier's frame limit, or under a bpf_spin_lock (a
    // global function's call faults there), the interpreter takes the call over.
    void call_local(uint32_t pc, const DecodedInsn& d) {
        c_.local_get(kState).mem(Opc::I32Load, fastrun_layout::kCallsOk, 2).op(Opc::I32Eqz);
        c_.local_get(kDepthLocal).i32_const(1).op(Opc::I32Add).i32_const(kMaxCallFrames).op(Opc::I32GeU);
        c_.op(Opc::I32Or).if_();
        take_over(pc, 1);  // the call was charged with its block
        c_.end();
        c_.local_get(kDepthLocal).i32_const(1).op(Opc::I32Add).local_set(kDepthLocal);
        frame_address();
        c_.local_get(kEntry).i32_const(int32_t(pc + 1)).mem(Opc::I32Store, fastrun_layout::kFrames + fastrun_layout::kFrameReturnPc, 2);
        c_.local_get(kEntry).i32_const(out_.block_of_pc[pc + 1]);
        c_.mem(Opc::I32Store, fastrun_layout::kFrames + fastrun_layout::kFrameReturnBlock, 2);
        c_.local_get(kEntry).i32_const(0).mem(Opc::I32Store, fastrun_layout::kFrames + fastrun_layout::kFrameHandOver, 2);
        for (uint8_t i = 0; i < 4; ++i) {
            c_.local_get(kEntry);
            get(uint8_t(6 + i));
            c_.mem(Opc::I64Store, fastrun_layout::kFrames + fastrun_layout::kFrameSaved + 8 * i, 3);
        }
        set_frame_pointer();
        goto_pc(d.target);
    }

    // Frame 0's exit ends the run (the interpreter checks what must hold there), and a
    // callback frame's goes back to its helper (bpf_loop's next call): the interpreter's. A
    // callee's returns to its caller with r6-r9 restored.
    void exit_frame(uint32_t pc) {
        c_.local_get(kDepthLocal).op(Opc::I32Eqz).if_();
        take_over(pc, 1);
        c_.end();
        frame_address();
        c_.local_get(kEntry).mem(Opc::I32Load, fastrun_layout::kFrames + fastrun_layout::kFrameHandOver, 2).if_();
        take_over(pc, 1);
        c_.end();
        for (uint8_t i = 0; i < 4; ++i) {
            c_.local_get(kEntry).mem(Opc::I64Load, fastrun_layout::kFrames + fastrun_layout::kFrameSaved + 8 * i, 3);
            set(uint8_t(6 + i));
        }
        c_.local_get(kEntry).mem(Opc::I32Load, fastrun_layout::kFrames + fastrun_layout::kFrameReturnBlock, 2);
        c_.local_set(kBlock);
        c_.local_get(kDepthLocal).i32_const(1).op(Opc::I32Sub).local_set(kDepthLocal);
        set_frame_pointer();
        c_.br(rel(kLoopLabel));
    }

    void emit_cond_jump(const DecodedInsn& d) {
        const uint32_t k = uint8_t(d.op) - uint8_t(Op::JeqImm);
        const Cond cond = Cond(k / 4);
        const bool narrow = (k % 4) >= 2, imm = (k % 4) % 2 == 0;
        get(d.dst);
        if (narrow) c_.op(Opc::I32WrapI64);
        if (imm) {
            if (narrow) c_.i32_const(int32_t(d.imm));
            else c_.i64_const(d.imm);
        } else {
            get(d.src);
            if (narrow) c_.op(Opc::I32WrapI64);
        }
        static constexpr Opc k64[] = {Opc::I64Eq,  Opc::I64Ne,  Opc::I64GtU, Opc::I64GeU, Opc::I64LtU, Opc::I64LeU,
                                      Opc::I64GtS, Opc::I64GeS, Opc::I64LtS, Opc::I64LeS, Opc::I64And};
        static constexpr Opc k32[] = {Opc::I32Eq,  Opc::I32Ne,  Opc::I32GtU, Opc::I32GeU, Opc::I32LtU, Opc::I32LeU,
                                      Opc::I32GtS, Opc::I32GeS, Opc::I32LtS, Opc::I32LeS, Opc::I32And};
        c_.op(narrow ? k32[uint8_t(cond)] : k64[uint8_t(cond)]);
        if (cond == Cond::Jset) {
            // (a & b) != 0 as an i32 condition.
            if (narrow) c_.i32_const(0).op(Opc::I32Ne);
            else c_.i64_const(0).op(Opc::I64Ne);
        }
        const uint32_t j = uint32_t(out_.block_of_pc[d.target]);
        if (j > cur_) {
            c_.br_if(rel(label_of_block(j)));
        } else {
            c_.if_();
            goto_pc(d.target);
            c_.end();
        }
    }

    // The inline check: the window has a plain region and [off, off + size) is inside the
    // bytes the access may touch; then the host bytes are at entry.host + off. Otherwise the
    // interpreter runs the access (context fields, chunked regions, faults and their messages).
    void address_check(const DecodedInsn& d, uint8_t base, uint32_t size, uint32_t limit_field) {
        get(base);
        if (d.off) c_.i64_const(d.off).op(Opc::I64Add);
        c_.local_set(kAddr);
        c_.block();  // ok
        c_.block();  // slow
        c_.local_get(kAddr).i64_const(32).op(Opc::I64ShrU).local_tee(kTmp);
        c_.i64_const(window::kCount).op(Opc::I64GeU).br_if(0);
        c_.local_get(kState).local_get(kTmp).op(Opc::I32WrapI64).i32_const(4).op(Opc::I32Shl).op(Opc::I32Add);
        c_.local_set(kEntry);
        static_assert(fastrun_layout::kEntryBytes == 16, "the entry address is the window shifted by 4");
        c_.local_get(kAddr).i64_const(0xffffffff).op(Opc::I64And).i64_const(size).op(Opc::I64Add);
        c_.local_get(kEntry).mem(Opc::I64Load32U, fastrun_layout::kTable + limit_field, 2);
        c_.op(Opc::I64GtU).br_if(0);
        c_.local_get(kEntry).mem(Opc::I32Load, fastrun_layout::kTable + fastrun_layout::kEntryHost, 2);
        c_.local_get(kAddr).op(Opc::I32WrapI64).op(Opc::I32Add);
    }
    void access_end(uint32_t pc, uint32_t refund) {
        c_.br(1);
        c_.end();  // slow
        take_over(pc, refund);
        c_.end();  // ok
    }
    void load(uint32_t pc, const DecodedInsn& d, uint32_t size, Opc o, uint32_t refund) {
        address_check(d, d.src, size, fastrun_layout::kEntryRead);
        c_.mem(o, 0, 0);
        set(d.dst);
        access_end(pc, refund);
    }
    // One thread runs a program, so a plain read-modify-write is atomic (as the interpreter's).
    // `old` is the value before, zero-extended; fetch forms return it in src, cmpxchg in r0.
    enum class Atomic : uint8_t { Add, Or, And, Xor, Xchg, Cmpxchg };
    void atomic(uint32_t pc, const DecodedInsn& d, bool wide, Atomic a, bool fetch, uint32_t refund) {
        address_check(d, d.dst, wide ? 8 : 4, fastrun_layout::kEntryWrite);
        c_.local_tee(kEntry).mem(wide ? Opc::I64Load : Opc::I64Load32U, 0, 0).local_set(kTmp);
        c_.local_get(kEntry);
        switch (a) {
        case Atomic::Add: c_.local_get(kTmp); get(d.src); c_.op(Opc::I64Add); break;
        case Atomic::Or: c_.local_get(kTmp); get(d.src); c_.op(Opc::I64Or); break;
        case Atomic::And: c_.local_get(kTmp); get(d.src); c_.op(Opc::I64And); break;
        case Atomic::Xor: c_.local_get(kTmp); get(d.src); c_.op(Opc::I64Xor); break;
        case Atomic::Xchg: get(d.src); break;
        case Atomic::Cmpxchg:
            // old == r0 (cut to the width) ? src : old
            get(d.src);
            c_.local_get(kTmp);
            get(0);
            if (!wide) c_.i64_const(0xffffffff).op(Opc::I64And);
            c_.local_get(kTmp).op(Opc::I64Eq).op(Opc::Select);
            break;
        }
        c_.mem(wide ? Opc::I64Store : Opc::I64Store32, 0, 0);  // a 32-bit store keeps the low half
        if (fetch) {
            c_.local_get(kTmp);
            set(d.src);
        }
        if (a == Atomic::Cmpxchg) {
            c_.local_get(kTmp);
            set(0);
        }
        access_end(pc, refund);
    }

    void store(uint32_t pc, const DecodedInsn& d, uint32_t size, Opc o, bool from_reg, uint32_t refund) {
        address_check(d, d.dst, size, fastrun_layout::kEntryWrite);
        if (from_reg) get(d.src);
        else c_.i64_const(d.imm);
        c_.mem(o, 0, 0);
        access_end(pc, refund);
    }

    const Program& prog_;
    FastModule out_;
    Code c_;
    uint32_t cur_ = 0;
    std::vector<bool> leader_;  // per instruction: a checked block starts there
    uint32_t charge_ = 0, done_ = 0;  // the current checked block's charge, and what ran of it

public:
    std::optional<uint32_t> unsupported_;  // the first instruction the translator has no rule for
    bool too_many_blocks_ = false;
};

}  // namespace

Result<FastModule> translate_to_wasm(const Program& prog) {
    if (prog.needs_init_checks)
        return make_error(ErrorKind::Runtime,
                          "the fast run cannot run this program: some instruction may read a register that is "
                          "unwritten on some path, which only the interpreter's checked variant detects");
    if (prog.insns.empty()) return make_error(ErrorKind::Runtime, "the fast run cannot run an empty program");
    FastrunTranslator t(prog);
    FastModule m = t.run();
    if (t.too_many_blocks_)
        return make_error(ErrorKind::Runtime, "the fast run cannot run this program: it has more than " +
                                                  std::to_string(kFastRunMaxBlocks) +
                                                  " blocks, the most a WebAssembly engine's dispatch table may have");
    if (t.unsupported_)
        return make_error(ErrorKind::Runtime, "the fast run has no translation for this instruction", *t.unsupported_);
    return m;
}

}  // namespace bpfplay
