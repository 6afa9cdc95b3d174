// The walk (the kernel's do_check): depth-first over every path, the fall-through side of a
// branch first, the other side pushed for later. At jump targets the state is compared with
// the states seen there before: one that covers it ends the path (pruning); one equal to it
// on the current path is a loop that never ends.
#include "core/verifier/checker.hpp"

#include <unordered_map>

#include "core/verifier/cfg.hpp"
#include "core/verifier/explain.hpp"
#include "core/verifier/steps.hpp"

namespace bpfplay::verifier {

namespace {

struct Seen {
    State state;
    uint32_t hits = 0, misses = 0;
    uint64_t serial = 0;  // identifies it on the current path
    size_t path_pos = 0;  // its index in the walker's ancestors when it was recorded
};

// States kept per instruction: beyond this the oldest go (a long loop records a state every
// few iterations; comparing each new one with all of them would be quadratic).
constexpr size_t kMaxStatesPerInsn = 64;

struct PendingBranch {
    uint32_t pc = 0;
    State state;
    size_t path_len = 0;      // the path up to the branch
    size_t ancestors_len = 0; // states seen on the path up to the branch
    uint32_t insns_since_state = 0;
};

State entry_state(const CheckInput& in) {
    State st;
    Frame f;
    f.regs[1].type = RegType::Ctx;
    f.regs[1].var = Scalar::constant(0);
    f.regs[10].type = RegType::Stack;
    f.regs[10].var = Scalar::constant(0);
    (void)in;
    st.frames.push_back(std::move(f));
    return st;
}

bool is_cond_jump(const Insn& i) {
    const uint8_t c = op::cls(i.opcode), code = op::code(i.opcode);
    return (c == op::kJmp || c == op::kJmp32) && code != op::kJa && code != op::kCall && code != op::kExit;
}

class Walker {
public:
    Walker(const CheckInput& in, Env& env, const Shape& shape) : in_(in), env_(env), shape_(shape) {}

    // Runs to the end; env.failure says how it ended. Fills processed and path.
    void run(uint64_t& processed, std::vector<uint32_t>& path) {
        State st = entry_state(in_);
        uint32_t pc = 0;
        uint32_t since_state = 0;
        std::vector<PendingBranch> pending;
        for (;;) {
            // Pruning at prune points.
            if (shape_.prune_point[pc]) {
                const int v = visit(pc, st, since_state);
                if (v < 0) {
                    path.push_back(pc);
                    break;
                }
                if (v > 0) {  // covered: this path is done
                    if (!next_branch(pending, st, pc, path, since_state)) break;
                    continue;
                }
            }
            path.push_back(pc);
            if (++processed > in_.budget) {
                env_.pc = pc;
                env_.refuse(Rule::TooComplex, fmt("BPF program is too large. Processed %llu insn", (unsigned long long)processed));
                break;
            }
            ++since_state;
            env_.pc = pc;
            env_.branches_out.clear();
            uint32_t next = pc + 1;
            bool done = false;
            if (!step(st, pc, next, done)) break;
            for (Branch& b : env_.branches_out)
                pending.push_back(PendingBranch{b.pc, std::move(b.state), path.size(), ancestors_.size(), since_state});
            if (done) {
                if (!next_branch(pending, st, pc, path, since_state)) break;
                continue;
            }
            pc = next;
        }
    }

private:
    bool step(State& st, uint32_t pc, uint32_t& next, bool& done) {
        const Insn& insn = in_.insns[pc];
        const uint8_t cls = op::cls(insn.opcode);
        switch (cls) {
        case op::kAlu:
        case op::kAlu64: return step_alu(env_, st, insn);
        case op::kLdx: return step_load(env_, st, insn);
        case op::kSt: return step_store(env_, st, insn);
        case op::kStx:
            if (op::mode(insn.opcode) == op::kAtomic) return step_atomic(env_, st, insn);
            return step_store(env_, st, insn);
        case op::kLd:
            if (insn.opcode == op::kLddw) {
                next = pc + 2;
                return step_lddw(env_, st, insn, in_.insns[pc + 1]);
            }
            return step_legacy_packet_load(env_, st, insn);
        case op::kJmp:
        case op::kJmp32: {
            const uint8_t code = op::code(insn.opcode);
            if (code == op::kJa) {
                next = uint32_t(int64_t(pc) + (cls == op::kJmp32 ? insn.imm : insn.off) + 1);
                return true;
            }
            if (code == op::kCall) {
                if (insn.src == op::kPseudoCall) return step_local_call(env_, st, insn, next);
                return step_helper_call(env_, st, insn);
            }
            if (code == op::kExit) return step_exit(env_, st, next, done);
            return step_cond_jump(env_, st, insn, next);
        }
        }
        return env_.refuse(Rule::Structure, fmt("unknown opcode %02x", insn.opcode));
    }

    // -1: failure recorded; 1: `st` is covered; 0: go on (and `st` may have been recorded).
    int visit(uint32_t pc, const State& st, uint32_t& since_state) {
        auto& list = seen_[pc];
        const uint16_t live = shape_.live_in[pc];
        for (size_t k = 0; k < list.size(); ++k) {
            Seen& s = list[k];
            if (on_path(s)) {
                // Still being explored (it is where this path came from): it proves nothing
                // yet, and pruning against it would accept a loop that never ends. The same
                // state again is one.
                if (s.state == st) {
                    env_.pc = pc;
                    env_.refuse(Rule::TooComplex, fmt("infinite loop detected at insn %u", pc));
                    return -1;
                }
                continue;
            }
            // Explored to the end without a failure (a failure ends the walk).
            if (state_covers(s.state, st, live)) {
                s.hits++;
                return 1;
            }
            s.misses++;
        }
        // Forget states that keep missing (the kernel's miss_cnt heuristic), unless on the path.
        std::erase_if(list, [&](const Seen& s) { return s.misses > s.hits * 3 + 3 && !on_path(s); });
        if (list.size() >= kMaxStatesPerInsn) list.erase(list.begin());
        // Record a new state only every few instructions, as the kernel does, so that long
        // straight loops do not keep one per iteration.
        if (since_state >= 8 || list.empty() || is_cond_jump(in_.insns[pc])) {
            list.push_back(Seen{st, 0, 0, ++serial_, ancestors_.size()});
            ancestors_.push_back(serial_);
            since_state = 0;
        }
        return 0;
    }

    bool on_path(const Seen& s) const { return s.path_pos < ancestors_.size() && ancestors_[s.path_pos] == s.serial; }

    bool next_branch(std::vector<PendingBranch>& pending, State& st, uint32_t& pc, std::vector<uint32_t>& path, uint32_t& since_state) {
        if (pending.empty()) return false;
        PendingBranch b = std::move(pending.back());
        pending.pop_back();
        st = std::move(b.state);
        pc = b.pc;
        path.resize(b.path_len);
        ancestors_.resize(b.ancestors_len);
        since_state = b.insns_since_state;
        return true;
    }

    const CheckInput& in_;
    Env& env_;
    const Shape& shape_;
    std::unordered_map<uint32_t, std::vector<Seen>> seen_;
    std::vector<uint64_t> ancestors_;
    uint64_t serial_ = 0;
};

}  // namespace

Verdict check(const CheckInput& input) {
    Env env(input);
    Verdict v;
    const std::optional<Shape> shape = check_shape(env);
    if (shape) {
        Walker walker(input, env, *shape);
        walker.run(v.processed, v.path);
    }
    if (!env.failure) {
        v.kind = VerdictKind::Accept;
        v.path.clear();
        return v;
    }
    v.insn = env.pc;
    v.message = env.failure->message;
    if (env.failure->cannot_tell) {
        v.kind = VerdictKind::CannotTell;
        return v;
    }
    v.kind = VerdictKind::Refuse;
    v.rule = env.failure->rule;
    const Explanation e = explain(v.rule);
    v.why = e.why;
    v.fix = e.fix;
    return v;
}

}  // namespace bpfplay::verifier
