// The walk (the kernel's do_check): depth-first over every path, the fall-through side of a
// branch first, the other side pushed for later. At prune points the state is compared with
// the states recorded there before: one whose exploration finished and that covers it ends the
// path (pruning); one still being explored on the current path and equal to it is a loop that
// never ends.
#include "core/verifier/checker.hpp"

#include <array>
#include <utility>
#include <unordered_map>

#include "core/verifier/cfg.hpp"
#include "core/verifier/explain.hpp"
#include "core/verifier/reg_text.hpp"
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

// bpf_loop, and the loop counts up to which its calls are explored one by one without widening.
constexpr int32_t kHelperLoopId = 181;
constexpr uint64_t kExactLoopCalls = 64;

// Per call frame, a bit per 8-byte stack slot.
using SlotMasks = std::array<uint64_t, kMaxCallFrames>;

struct PendingBranch {
    uint32_t pc = 0;
    State state;
    size_t path_len = 0;      // the path up to the branch
    size_t ancestors_len = 0; // states seen on the path up to the branch
    uint32_t jmp_history = 0;
    SlotMasks overwritten{};  // slots overwritten since the last of those states, up to the branch
};

// Numbers in `cur` that differ from `old`'s become unknown (and marked widened): registers and
// 8-byte stack slots holding numbers, in every frame both have.
void widen_scalars(const State& old, State& cur) {
    for (size_t f = 0; f < cur.frames.size() && f < old.frames.size(); ++f) {
        const Frame& o = old.frames[f];
        Frame& c = cur.frames[f];
        for (int i = 0; i < 10; ++i)
            if (c.regs[i].type == RegType::Scalar && !(o.regs[i] == c.regs[i])) {
                c.regs[i] = Reg::scalar(Scalar::unknown());
                c.regs[i].widened = true;
            }
        for (uint32_t slot = 0; slot * 8 < c.slot.size(); ++slot) {
            const uint32_t b = slot * 8;
            bool same = true, pointer = false, any_set = false;
            if (c.slot_at(b) == Slot::Dynptr || o.slot_at(b) == Slot::Dynptr) continue;
            for (uint32_t k = 0; k < 8; ++k) {
                same = same && o.slot_at(b + k) == c.slot_at(b + k);
                any_set = any_set || c.slot_at(b + k) != Slot::Invalid;
            }
            if (c.slot_at(b) == Slot::Spill) {
                pointer = c.spilled[slot].is_pointer();
                same = same && o.spilled[slot] == c.spilled[slot];
            }
            if (same || pointer || !any_set) continue;
            for (uint32_t k = 0; k < 8; ++k) c.slot[b + k] = Slot::Spill;
            c.spilled[slot] = Reg::scalar(Scalar::unknown());
            c.spilled[slot].widened = true;
        }
    }
}

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

class Walker final : private StackUse {
public:
    // keep_states: remember the state before each path entry (the ring below), for a refusal.
    Walker(const CheckInput& in, Env& env, const Shape& shape, bool keep_states)
        : in_(in), env_(env), shape_(shape), keep_states_(keep_states) {
        env_.stack_use = this;
    }
    ~Walker() { env_.stack_use = nullptr; }
    Walker(const Walker&) = delete;
    Walker& operator=(const Walker&) = delete;

    // Runs from `pc` in `st` to the end; env.failure says how it ended. Fills processed and path.
    void run(State st, uint32_t pc, uint64_t& processed, std::vector<uint32_t>& path) {
        uint32_t jmp_history = 0;
        std::vector<PendingBranch> pending;
        for (;;) {
            ++visits_;
            // Pruning at prune points.
            if (shape_.prune_point[pc]) {
                const int v = visit(pc, st, jmp_history);
                if (v < 0) {
                    path.push_back(pc);
                    remember_state(path.size() - 1, st);
                    break;
                }
                if (v > 0) {  // covered: this path is done
                    if (!next_branch(pending, st, pc, path, jmp_history)) break;
                    continue;
                }
            }
            if (shape_.jmp_point[pc]) ++jmp_history;
            path.push_back(pc);
            remember_state(path.size() - 1, st);
            if (++processed > in_.budget) {
                env_.pc = pc;
                env_.refuse(Rule::TooComplex, fmt("BPF program is too large. Processed %llu insn", (unsigned long long)processed));
                break;
            }
            const uint8_t cls = op::cls(in_.insns[pc].opcode);
            if (cls == op::kJmp || cls == op::kJmp32) ++jmps_;
            env_.pc = pc;
            env_.branches_out.clear();
            env_.loop_prev = shape_.iter_next[pc] ? previous_iteration(pc) : nullptr;
            uint32_t next = pc + 1;
            bool done = false;
            if (!step(st, pc, next, done)) break;
            for (Branch& b : env_.branches_out)
                pending.push_back(PendingBranch{b.pc, std::move(b.state), path.size(), ancestors_.size(), jmp_history,
                                                overwritten_.empty() ? SlotMasks{} : overwritten_.back()});
            if (done) {
                if (!next_branch(pending, st, pc, path, jmp_history)) break;
                continue;
            }
            pc = next;
        }
    }

    // The states before the last kPathStatesKept entries of `v.path` (the walk's path when it failed).
    void fill_path_states(Verdict& v) const {
        const size_t len = v.path.size();
        v.path_states_from = len > kPathStatesKept ? len - kPathStatesKept : 0;
        v.path_states.assign(len - v.path_states_from, PathState{});
        for (size_t pos = v.path_states_from; pos < len; ++pos) {
            const size_t slot = pos % kPathStatesKept;
            if (slot >= ring_.size() || ring_[slot].pos != pos) continue;
            PathState& out = v.path_states[pos - v.path_states_from];
            out.kept = true;
            out.frame = ring_[slot].frame;
            for (size_t i = 0; i < out.regs.size(); ++i) {
                const Reg& r = ring_[slot].regs[i];
                if (r.type != RegType::NotInit) out.regs[i] = reg_state_text(r, out.frame, env_);
            }
        }
    }

private:
    // Path entry `pos` (the state before its instruction): slot pos % kPathStatesKept of the
    // ring, tagged with `pos`. A path cut back to a branch keeps its earlier entries; a slot
    // the abandoned side reused is tagged with that side's position, so it reads as not kept.
    void remember_state(size_t pos, const State& st) {
        if (!keep_states_) return;
        const size_t slot = pos % kPathStatesKept;
        if (slot >= ring_.size()) ring_.resize(slot + 1);
        ring_[slot].pos = pos;
        ring_[slot].frame = uint8_t(st.frames.size() - 1);
        ring_[slot].regs = st.top().regs;
    }

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
                if (insn.src == op::kPseudoCall) {
                    if (!step_local_call(env_, st, insn, next)) return false;
                    // The callee's stack is new: nothing recorded before holds what it reads.
                    if (!overwritten_.empty()) overwritten_.back()[st.frames.size() - 1] = ~0ull;
                    return true;
                }
                return step_helper_call(env_, st, insn);
            }
            if (code == op::kExit) return step_exit(env_, st, next, done);
            return step_cond_jump(env_, st, insn, next);
        }
        }
        return env_.refuse(Rule::Structure, fmt("unknown opcode %02x", insn.opcode));
    }

    // The kernel's is_state_visited. -1: failure recorded; 1: `st` is covered by a state
    // explored to the end, so this path is done; 0: go on (`st` may have been recorded).
    int visit(uint32_t pc, State& st, uint32_t& jmp_history) {
        auto& list = seen_[pc];
        const uint16_t live = shape_.live_in[pc];
        // A helper calling a callback: each state here after a call of the callback is checked
        // against the ones before it on the path (calls_callback in is_state_visited).
        const bool callback_site = calls_sync_callback(in_, in_.insns[pc]);
        // Widening is for the callback's calls converging; a loop around the call (a for loop
        // of rbtree adds) comes back with numbers the kernel keeps exact, as it does any loop's.
        const bool after_callback = std::exchange(env_.after_callback_exit, false);
        if (callback_site) {
            for (size_t k = list.size(); k-- > 0;) {
                Seen& s = list[k];
                if (!on_path(s)) continue;
                if (state_covers(s.state, st, live)) {
                    s.hits++;
                    return 1;
                }
                // The kernel's imprecise scalars match whatever they hold; the checker, which does
                // not track precision, forgets the numbers that changed since (widening), so the
                // calls converge. A bpf_loop of a few calls is explored call by call, as the
                // kernel does when the numbers are precise.
                const Insn& call = in_.insns[pc];
                if (after_callback && (call.imm != kHelperLoopId || st.top().regs[1].var.umax > kExactLoopCalls))
                    widen_scalars(s.state, st);
                break;
            }
        }
        // Recording a state at every prune point costs more than it saves: the kernel records
        // one only after two jumps and eight instructions since the last, or when the path's
        // jump history grows long.
        // An iterator's next call and a callback-calling helper always record one (mark_force_checkpoint).
        const bool force = jmp_history > 40 || shape_.iter_next[pc] || callback_site;
        bool record = force || (jmps_ - prev_jmps_ >= 2 && visits_ - prev_visits_ >= 8);
        // Newest first, as the kernel keeps its list.
        for (size_t k = list.size(); k-- > 0;) {
            Seen& s = list[k];
            if (on_path(s) && shape_.iter_next[pc]) {
                // An iterator's loop: coming back, still active, to a state this path has been
                // in (whatever the iterations walked) has converged: what follows was or will be
                // walked from there (is_state_visited's is_iter_next_insn case). Its stack
                // reads are not all known yet: every slot is compared.
                if (iter_active_at_r1(st) && state_covers(s.state, st, live)) {
                    s.hits++;
                    return 1;
                }
            } else if (on_path(s) && callback_site) {
                // Compared above.
            } else if (on_path(s)) {
                // Still being explored (this path came from it): it proves nothing yet, and
                // pruning against it would accept a loop that never ends. The same state
                // again is one.
                if (state_same(s.state, st, live)) {
                    env_.pc = pc;
                    env_.refuse(Rule::TooComplex, fmt("infinite loop detected at insn %u", pc));
                    return -1;
                }
                // Inside a loop, do not record every iteration (they differ and rarely help).
                if (!force && jmps_ - prev_jmps_ < 20 && visits_ - prev_visits_ < 100) record = false;
            } else if (in_.prune && state_covers(s.state, st, live, stack_read_[s.serial])) {
                // Explored to the end without a failure (a failure ends the walk). What it
                // read of the stack, this path would have read.
                s.hits++;
                for (uint32_t f = 0; f < st.frames.size(); ++f) mark_read(f, stack_read_[s.serial][f]);
                return 1;
            }
            if (record) s.misses++;
            // Forget states that keep missing (the kernel's miss_cnt heuristic), but not one a
            // callback pushed from this path will come back to (a call in a loop misses it on
            // every later iteration before the callback's branch is walked).
            if (s.misses > s.hits * 3 + 3 && !(callback_site && on_path(s))) list.erase(list.begin() + std::ptrdiff_t(k));
        }
        if (!record) return 0;
        if (list.size() >= kMaxStatesPerInsn) list.erase(list.begin());
        list.push_back(Seen{st, 0, 0, ++serial_, ancestors_.size()});
        ancestors_.push_back(serial_);
        overwritten_.push_back(SlotMasks{});
        stack_read_.resize(serial_ + 1);
        prev_jmps_ = jmps_;
        prev_visits_ = visits_;
        jmp_history = 0;
        return 0;
    }

    // The state recorded at `pc` one iteration before on this path: the newest on-path one
    // but the state this visit just recorded (find_prev_entry on the current state's parent).
    const State* previous_iteration(uint32_t pc) const {
        const auto it = seen_.find(pc);
        if (it == seen_.end()) return nullptr;
        const uint64_t just_recorded = ancestors_.empty() ? 0 : ancestors_.back();
        for (size_t k = it->second.size(); k-- > 0;) {
            const Seen& s = it->second[k];
            if (on_path(s) && s.serial != just_recorded) return &s.state;
        }
        return nullptr;
    }
    bool on_path(const Seen& s) const { return s.path_pos < ancestors_.size() && ancestors_[s.path_pos] == s.serial; }

    bool next_branch(std::vector<PendingBranch>& pending, State& st, uint32_t& pc, std::vector<uint32_t>& path, uint32_t& jmp_history) {
        if (pending.empty()) return false;
        PendingBranch b = std::move(pending.back());
        pending.pop_back();
        st = std::move(b.state);
        pc = b.pc;
        path.resize(b.path_len);
        ancestors_.resize(b.ancestors_len);
        overwritten_.resize(b.ancestors_len);
        if (!overwritten_.empty()) overwritten_.back() = b.overwritten;
        jmp_history = b.jmp_history;
        return true;
    }

    // Stack liveness, as the kernel's read marks: a read marks the slots in every state recorded
    // on the current path back to where the path overwrote them. A state whose exploration has
    // finished thus knows every slot it depended on; only those are compared with it.
    static uint64_t slot_bits(uint32_t top, uint32_t bottom) {
        const uint32_t first = top / 8, last = bottom / 8;
        const uint64_t upto_last = last >= 63 ? ~0ull : (2ull << last) - 1;
        return upto_last & ~((1ull << first) - 1);
    }
    void stack_read(uint32_t frame, uint32_t top, uint32_t bottom) override {
        if (frame < kMaxCallFrames && top <= bottom && bottom < kStackSize) mark_read(frame, slot_bits(top, bottom));
    }
    void stack_overwritten(uint32_t frame, uint32_t slot) override {
        if (frame < kMaxCallFrames && slot < 64 && !overwritten_.empty()) overwritten_.back()[frame] |= 1ull << slot;
    }
    void mark_read(uint32_t frame, uint64_t slots) {
        for (size_t k = ancestors_.size(); k-- > 0 && slots;) {
            slots &= ~overwritten_[k][frame];
            uint64_t& read = stack_read_[ancestors_[k]][frame];
            slots &= ~read;  // already marked here, and so above too
            read |= slots;
        }
    }

    struct PathStateSlot {
        size_t pos = SIZE_MAX;
        uint8_t frame = 0;
        std::array<Reg, 11> regs{};
    };

    const CheckInput& in_;
    Env& env_;
    const Shape& shape_;
    const bool keep_states_;
    std::vector<PathStateSlot> ring_;  // the states before the path's last entries
    std::unordered_map<uint32_t, std::vector<Seen>> seen_;
    std::vector<uint64_t> ancestors_;
    std::vector<SlotMasks> overwritten_;  // per ancestor: slots overwritten after it (until the next)
    std::vector<SlotMasks> stack_read_;   // per serial: slots read after it before being overwritten
    uint64_t serial_ = 0;
    // The kernel's insn_processed (every instruction reached, a pruned one too) and
    // jmps_processed, and their values when the last state was recorded.
    uint64_t visits_ = 0, jmps_ = 0, prev_visits_ = 0, prev_jmps_ = 0;
};

}  // namespace

namespace {

// One walk of every path; keep_states: fill a refusal's path_states.
Verdict check_walk(const CheckInput& input, bool keep_states) {
    Env env(input);
    Verdict v;
    // libbpf resolves kfuncs, then the kernel checks the maps the program uses, then its shape.
    const std::optional<Shape> shape = kfuncs_resolve(env) && ksyms_resolve(env) && lock_maps_allowed(env) ? check_shape(env) : std::nullopt;
    if (shape) {
        Walker walker(input, env, *shape, keep_states);
        walker.run(entry_state(input), 0, v.processed, v.path);
        if (keep_states && env.failure) walker.fill_path_states(v);
    }
    // Then each global function a path called, on its own from its signature (do_check_subprogs:
    // by address, again while the ones verified call more).
    std::vector<bool> verified(input.global_sigs.size(), false);
    while (shape && !env.failure) {
        size_t next = input.global_sigs.size();
        for (size_t k : env.called_globals)
            if (!verified[k] && (next == input.global_sigs.size() || input.global_sigs[k].insn < input.global_sigs[next].insn)) next = k;
        if (next == input.global_sigs.size()) break;
        verified[next] = true;
        env.global_walk = true;
        v.path.clear();
        Walker walker(input, env, *shape, keep_states);
        walker.run(global_function_entry(env, input.global_sigs[next]), input.global_sigs[next].insn, v.processed, v.path);
        if (keep_states && env.failure) walker.fill_path_states(v);
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
        v.path_states.clear();
        return v;
    }
    v.kind = VerdictKind::Refuse;
    v.rule = env.failure->rule;
    const Explanation e = explain(v.rule);
    v.why = e.why;
    v.fix = e.fix;
    return v;
}

}  // namespace

// Keeping the states costs a copy of the registers per instruction walked (more than twice the
// time of a walk that only compares): an accepted program never needs them, so they come from
// walking a refused one again. The walk is deterministic, so the second finds the same path.
Verdict check(const CheckInput& input) {
    Verdict v = check_walk(input, false);
    if (v.kind != VerdictKind::Refuse) return v;
    return check_walk(input, true);
}

}  // namespace bpfplay::verifier
