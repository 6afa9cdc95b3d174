#include "core/verifier/cfg.hpp"
#include "core/verifier/steps.hpp"

#include "core/verifier/steps.hpp"

#include <cstdarg>
#include <cstdio>

namespace bpfplay::verifier {

std::string fmt(const char* format, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, format);
    std::vsnprintf(buf, sizeof buf, format, ap);
    va_end(ap);
    return buf;
}

namespace {

bool is_lddw(const Insn& i) { return i.opcode == op::kLddw; }
bool is_jump_class(const Insn& i) { return op::cls(i.opcode) == op::kJmp || op::cls(i.opcode) == op::kJmp32; }
bool is_exit(const Insn& i) { return i.opcode == (op::kJmp | op::kExit); }
bool is_call(const Insn& i) { return i.opcode == (op::kJmp | op::kCall); }
bool is_ja(const Insn& i) { return i.opcode == (op::kJmp | op::kJa) || i.opcode == (op::kJmp32 | op::kJa); }

int64_t jump_target(uint32_t pc, const Insn& i) {
    // gotol (JMP32 | JA) carries its offset in imm.
    if (i.opcode == (op::kJmp32 | op::kJa)) return int64_t(pc) + i.imm + 1;
    if (is_call(i)) return int64_t(pc) + i.imm + 1;
    return int64_t(pc) + i.off + 1;
}

// Registers an instruction reads and writes, for liveness (over-approximating reads is safe).
void uses_defs(const Insn& i, uint16_t& use, uint16_t& def) {
    use = def = 0;
    const uint8_t c = op::cls(i.opcode);
    const uint16_t dst = uint16_t(1u << i.dst), src = uint16_t(1u << i.src);
    switch (c) {
    case op::kAlu:
    case op::kAlu64:
        if (op::code(i.opcode) != op::kMov) use |= dst;
        if (op::src_bit(i.opcode) == op::kX && op::code(i.opcode) != op::kNeg && op::code(i.opcode) != op::kEnd) use |= src;
        def |= dst;
        break;
    case op::kJmp:
    case op::kJmp32:
        if (is_call(i)) {
            use |= 0x3e;  // r1-r5
            def |= 0x3f;
        } else if (is_exit(i)) {
            use |= 1;
        } else if (!is_ja(i)) {
            use |= dst;
            if (op::src_bit(i.opcode) == op::kX) use |= src;
        }
        break;
    case op::kLdx: use |= src; def |= dst; break;
    case op::kSt: use |= dst; break;
    case op::kStx:
        use |= dst | src;
        if (op::mode(i.opcode) == op::kAtomic) {
            if (i.imm == op::kCmpxchg) { use |= 1; def |= 1; }
            else if (i.imm & op::kFetch) def |= src;
        }
        break;
    case op::kLd:
        if (is_lddw(i)) def |= dst;
        else {  // ld abs / ind
            use |= uint16_t(1u << 6);
            if (op::mode(i.opcode) == op::kInd) use |= src;
            def |= 0x3f;
        }
        break;
    }
}

}  // namespace

std::optional<Shape> check_shape(Env& env) {
    const auto& insns = env.in.insns;
    const uint32_t n = uint32_t(insns.size());
    if (n == 0) {
        env.refuse(Rule::Structure, "empty program");
        return std::nullopt;
    }
    std::vector<std::vector<uint32_t>> succ(n);
    std::vector<bool> second_half(n, false);
    Shape shape;
    shape.prune_point.assign(n, false);
    shape.jmp_point.assign(n, false);
    shape.iter_next.assign(n, false);
    // Where the kernel compares states (mark_prune_point) and which of those a path can arrive
    // at other than from the instruction before (mark_jmp_point), as its visit_insn marks them.
    auto mark = [&](uint32_t at, bool jmp_point) {
        shape.prune_point[at] = true;
        if (jmp_point) shape.jmp_point[at] = true;
    };
    for (uint32_t pc = 0; pc < n; ++pc) {
        if (second_half[pc]) continue;
        const Insn& i = insns[pc];
        env.pc = pc;
        if (is_lddw(i)) {
            if (pc + 1 >= n || insns[pc + 1].opcode != 0) {
                env.refuse(Rule::Structure, "invalid bpf_ld_imm64 insn");
                return std::nullopt;
            }
            second_half[pc + 1] = true;
            if (pc + 2 < n) succ[pc].push_back(pc + 2);
            if (i.src == op::kPseudoFunc) {  // a callback's address: its code is reachable
                const int64_t t = int64_t(pc) + i.imm + 1;
                if (t < 0 || t >= int64_t(n)) {
                    env.refuse(Rule::Structure, fmt("jump out of range from insn %u to %lld", pc, (long long)t));
                    return std::nullopt;
                }
                succ[pc].push_back(uint32_t(t));
                // The kernel treats it as a call (visit_func_call_insn).
                mark(pc, false);
                mark(uint32_t(t), true);
                if (pc + 2 < n) mark(pc + 2, true);
            }
            continue;
        }
        if (is_jump_class(i) && !is_exit(i) && !(is_call(i) && i.src != op::kPseudoCall)) {
            const int64_t t = jump_target(pc, i);
            if (t < 0 || t >= int64_t(n)) {
                env.refuse(Rule::Structure, fmt(is_call(i) ? "function offset %d is out of range" : "jump out of range from insn %u to %lld",
                                                 is_call(i) ? i.imm : 0, (long long)t));
                if (!is_call(i)) env.failure->message = fmt("jump out of range from insn %u to %lld", pc, (long long)t);
                return std::nullopt;
            }
            if (is_call(i)) {
                mark(pc, false);
                mark(uint32_t(t), true);  // a function entry
                if (pc + 1 < n) succ[pc].push_back(pc + 1);
                succ[pc].push_back(uint32_t(t));
                if (pc + 1 < n) mark(pc + 1, true);
                continue;
            }
            mark(uint32_t(t), true);
            if (!is_ja(i)) {
                mark(pc, false);  // a conditional jump: the jump itself, not what follows it
                if (pc + 1 < n) succ[pc].push_back(pc + 1);
            }
            succ[pc].push_back(uint32_t(t));
            continue;
        }
        if (is_exit(i)) continue;
        if (is_call(i) && i.src == op::kPseudoKfuncCall && env.in.kfunc_name && is_iter_next_kfunc(env.in.kfunc_name(i.imm))) {
            mark(pc, false);  // visit_insn: mark_prune_point and mark_force_checkpoint
            shape.iter_next[pc] = true;
        }
        if (is_call(i) && pc + 1 < n) mark(pc + 1, true);  // after a helper or kfunc call
        // A helper calling a callback comes back to itself after each call (mark_force_checkpoint).
        if (is_call(i) && calls_sync_callback(env.in, i)) mark(pc, true);
        if (pc + 1 < n) succ[pc].push_back(pc + 1);
    }
    for (uint32_t pc = 0; pc < n; ++pc)
        if (second_half[pc] && (shape.prune_point[pc])) {
            env.pc = pc;
            env.refuse(Rule::Structure, "jump into the middle of ldimm64 insn " + std::to_string(pc - 1));
            return std::nullopt;
        }
    {
        const Insn& last = insns[n - 1];
        const uint32_t last_pc = (n >= 2 && is_lddw(insns[n - 2]) && second_half[n - 1]) ? n - 2 : n - 1;
        if (!is_exit(insns[last_pc]) && !is_ja(insns[last_pc])) {
            env.pc = last_pc;
            env.refuse(Rule::Structure, "last insn is not an exit or jmp");
            return std::nullopt;
        }
        (void)last;
    }
    // Reachability from the entry (calls reach their callee and the next instruction).
    std::vector<bool> seen(n, false);
    std::vector<uint32_t> work{0};
    seen[0] = true;
    while (!work.empty()) {
        const uint32_t pc = work.back();
        work.pop_back();
        for (uint32_t s : succ[pc])
            if (!seen[s]) {
                seen[s] = true;
                work.push_back(s);
            }
    }
    for (uint32_t pc = 0; pc < n; ++pc)
        if (!seen[pc] && !second_half[pc]) {
            env.pc = pc;
            env.refuse(Rule::Structure, fmt("unreachable insn %u", pc));
            return std::nullopt;
        }
    // Liveness: registers read before written, backwards to a fixpoint. A call's successor in
    // its caller is the next instruction (the callee's frame is compared on its own).
    shape.live_in.assign(n, 0);
    std::vector<uint16_t> use(n), def(n);
    for (uint32_t pc = 0; pc < n; ++pc) uses_defs(insns[pc], use[pc], def[pc]);
    for (bool changed = true; changed;) {
        changed = false;
        for (uint32_t k = n; k-- > 0;) {
            if (second_half[k]) continue;
            uint16_t out = 0;
            const Insn& i = insns[k];
            if (is_call(i) && i.src == op::kPseudoCall) {
                if (k + 1 < n) out = shape.live_in[k + 1];
            } else {
                for (uint32_t s : succ[k]) out |= shape.live_in[s];
            }
            const uint16_t in = uint16_t(use[k] | (out & ~def[k]) | (1u << 10));
            if (in != shape.live_in[k]) {
                shape.live_in[k] = in;
                changed = true;
            }
        }
    }
    return shape;
}

}  // namespace bpfplay::verifier
