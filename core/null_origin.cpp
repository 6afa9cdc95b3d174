#include "core/null_origin.hpp"

#include <algorithm>

#include "core/helpers/helper_catalog.hpp"

namespace bpfplay {

namespace {

// A fault is rare; the pass is bounded anyway so a huge function cannot stall one.
constexpr uint32_t kMaxAnalyzedInsns = 1u << 16;
constexpr uint32_t kMaxSlots = 32; // distinct 8-byte stack slots followed (spills of r10 - off)

enum : uint8_t {
    kFromCall = 1,   // r0 of a nullable helper call (Val::calls says which)
    kComputed = 2,   // a constant, arithmetic, a pointer the program did not get from such a call
    kFromMemory = 4, // loaded from memory
    kFromCallee = 8, // a bpf-to-bpf call's return value
    kFromArg = 16,   // r1..r5 at the function's entry (Val::args says which)
};

// What may have defined a value, over every path: a set of origins.
struct Val {
    uint8_t flags = 0;
    uint8_t args = 0;   // bit k: rk at the function's entry
    uint64_t calls = 0; // bit i: the function's i-th nullable helper call (the 64th stands for the rest)

    bool operator==(const Val&) const = default;
    Val& operator|=(const Val& o) {
        flags |= o.flags;
        args |= o.args;
        calls |= o.calls;
        return *this;
    }
};

constexpr Val kComputedVal{kComputed, 0, 0};

bool nullable_helper(const HelperBinding& h) {
    const HelperProto* proto = helper_proto(h.id);
    return proto && proto->ret_maybe_null;
}

bool is_alu(Op op) {
    return op < Op::Ja;
}
bool is_cond_jump(Op op) {
    return op >= Op::JeqImm && op <= Op::Jset32Reg;
}
bool is_ldx(Op op) {
    return op >= Op::Ldxb && op <= Op::Ldxsw;
}
bool is_store(Op op) {
    return op >= Op::Stb && op <= Op::Stxdw;
}
bool is_atomic(Op op) {
    return op >= Op::AtomicAdd32 && op <= Op::Cmpxchg64;
}
bool is_ld_packet(Op op) {
    return op >= Op::LdAbsB && op <= Op::LdIndW;
}
// Atomics that write their src register with the old value (the FETCH forms and xchg).
bool atomic_writes_src(Op op) {
    return op == Op::AtomicFetchAdd32 || op == Op::AtomicFetchAdd64 || op == Op::AtomicFetchOr32 ||
           op == Op::AtomicFetchOr64 || op == Op::AtomicFetchAnd32 || op == Op::AtomicFetchAnd64 ||
           op == Op::AtomicFetchXor32 || op == Op::AtomicFetchXor64 || op == Op::Xchg32 || op == Op::Xchg64;
}
uint32_t store_size(Op op) {
    if (op == Op::Stb || op == Op::Stxb) return 1;
    if (op == Op::Sth || op == Op::Stxh) return 2;
    if (op == Op::Stw || op == Op::Stxw) return 4;
    return 8;
}

class Pass {
  public:
    Pass(const Program& prog, uint32_t pc) : prog_(prog) {
        auto it = std::upper_bound(prog.functions.begin(), prog.functions.end(), pc);
        begin_ = it == prog.functions.begin() ? 0 : *(it - 1);
        end_ = it == prog.functions.end() ? uint32_t(prog.insns.size()) : *it;
        too_large_ = end_ - begin_ > kMaxAnalyzedInsns;
    }

    bool too_large() const { return too_large_; }

    // The value `reg` has when the instruction at `pc` starts.
    Val value_at(uint32_t pc, uint8_t reg) {
        run();
        const State& s = states_[pc - begin_];
        return s.reached ? s.regs[reg] : Val{};
    }

    // The pc of the function's i-th nullable call.
    uint32_t call_pc(uint32_t i) const { return i < call_pcs_.size() ? call_pcs_[i] : UINT32_MAX; }
    size_t call_count() const { return call_pcs_.size(); }

  private:
    struct State {
        bool reached = false;
        Val regs[11];
        std::vector<Val> slots; // by index in slot_offsets_
    };

    // The slot of an 8-byte access at r10 + off, or -1 when it is not one the pass follows.
    int slot_of(int32_t off) const {
        auto it = std::find(slot_offsets_.begin(), slot_offsets_.end(), off);
        return it == slot_offsets_.end() ? -1 : int(it - slot_offsets_.begin());
    }

    void prepare() {
        for (uint32_t pc = begin_; pc < end_; ++pc) {
            const DecodedInsn& i = prog_.insns[pc];
            if (i.op == Op::CallHelper && i.target < prog_.helpers.size() &&
                nullable_helper(prog_.helpers[i.target]))
                call_pcs_.push_back(pc);
            const bool spill = i.op == Op::Stxdw && i.dst == 10;
            const bool fill = i.op == Op::Ldxdw && i.src == 10;
            if ((spill || fill) && i.off % 8 == 0 && i.off < 0 && slot_of(i.off) < 0 &&
                slot_offsets_.size() < kMaxSlots)
                slot_offsets_.push_back(i.off);
        }
    }

    State entry_state() const {
        State s;
        s.reached = true;
        for (uint8_t r = 0; r <= 10; ++r)
            s.regs[r] = kComputedVal;
        for (uint8_t r = 1; r <= 5; ++r)
            s.regs[r] = Val{kFromArg, uint8_t(1u << r), 0};
        s.slots.assign(slot_offsets_.size(), kComputedVal);
        return s;
    }

    Val call_val(uint32_t pc) const {
        auto it = std::find(call_pcs_.begin(), call_pcs_.end(), pc);
        const size_t i = std::min<size_t>(size_t(it - call_pcs_.begin()), 63);
        return Val{kFromCall, 0, uint64_t(1) << i};
    }

    // The state after the instruction at pc runs (a copy of `in`, changed).
    State transfer(uint32_t pc, const State& in) const {
        State out = in;
        const DecodedInsn& i = prog_.insns[pc];
        Val* r = out.regs;
        const Op op = i.op;
        // Stores into the stack change what its slots hold.
        auto store_to_stack = [&](int32_t off, uint32_t size, const Val& v) {
            for (size_t k = 0; k < slot_offsets_.size(); ++k) {
                const int32_t lo = slot_offsets_[k];
                if (off < lo + 8 && lo < off + int32_t(size))
                    out.slots[k] = size == 8 && off == lo ? v : kComputedVal;
            }
        };
        if (is_alu(op)) {
            if (op == Op::Mov64Reg)
                r[i.dst] = r[i.src];
            else if (op == Op::Add64Imm || op == Op::Sub64Imm) {
                // pointer arithmetic keeps where the pointer came from
            } else if (op == Op::Add64Reg || op == Op::Sub64Reg) {
                // A pointer plus a number is still that pointer; which side is the pointer is
                // the side that came from a nullable call, if either did.
                if (!(r[i.dst].flags & kFromCall) && (r[i.src].flags & kFromCall))
                    r[i.dst] = r[i.src];
                else if (!(r[i.dst].flags & kFromCall))
                    r[i.dst] |= r[i.src];
            } else {
                r[i.dst] = kComputedVal;
            }
        } else if (op == Op::Lddw) {
            r[i.dst] = kComputedVal;
        } else if (is_ldx(op)) {
            const int slot = op == Op::Ldxdw && i.src == 10 ? slot_of(i.off) : -1;
            r[i.dst] = slot >= 0 ? out.slots[size_t(slot)] : Val{kFromMemory, 0, 0};
        } else if (is_store(op)) {
            if (i.dst == 10) store_to_stack(i.off, store_size(op), op >= Op::Stxb ? r[i.src] : kComputedVal);
        } else if (is_atomic(op)) {
            if (i.dst == 10)
                store_to_stack(i.off, op == Op::Xchg32 || op == Op::Cmpxchg32 ? 4 : 8, kComputedVal);
            if (atomic_writes_src(op)) r[i.src] = Val{kFromMemory, 0, 0};
            if (op == Op::Cmpxchg32 || op == Op::Cmpxchg64) r[0] = Val{kFromMemory, 0, 0};
        } else if (op == Op::CallHelper) {
            const bool nullable = i.target < prog_.helpers.size() && nullable_helper(prog_.helpers[i.target]);
            r[0] = nullable ? call_val(pc) : kComputedVal;
            for (int k = 1; k <= 5; ++k)
                r[k] = kComputedVal; // helpers clobber r1..r5
        } else if (op == Op::CallLocal || op == Op::Callx) {
            r[0] = Val{kFromCallee, 0, 0};
            for (int k = 1; k <= 5; ++k)
                r[k] = kComputedVal;
        } else if (is_ld_packet(op)) {
            r[0] = kComputedVal;
            for (int k = 1; k <= 5; ++k)
                r[k] = kComputedVal;
        }
        return out;
    }

    void successors(uint32_t pc, uint32_t out[2], int& n) const {
        const DecodedInsn& i = prog_.insns[pc];
        n = 0;
        if (i.op == Op::Exit || i.op == Op::LddwTail) return;
        if (i.op == Op::Ja) {
            out[n++] = i.target;
            return;
        }
        if (is_cond_jump(i.op)) out[n++] = i.target;
        out[n++] = pc + (i.op == Op::Lddw ? 2 : 1);
    }

    void run() {
        if (ran_) return;
        ran_ = true;
        prepare();
        states_.assign(end_ - begin_, State{});
        states_[0] = entry_state();
        std::vector<uint32_t> work{begin_};
        std::vector<bool> queued(end_ - begin_, false);
        queued[0] = true;
        while (!work.empty()) {
            const uint32_t pc = work.back();
            work.pop_back();
            queued[pc - begin_] = false;
            const State after = transfer(pc, states_[pc - begin_]);
            uint32_t next[2];
            int n = 0;
            successors(pc, next, n);
            for (int k = 0; k < n; ++k) {
                if (next[k] < begin_ || next[k] >= end_) continue;
                State& s = states_[next[k] - begin_];
                bool changed = !s.reached;
                if (!s.reached) {
                    s = after;
                } else {
                    for (int r = 0; r <= 10; ++r) {
                        const Val old = s.regs[r];
                        s.regs[r] |= after.regs[r];
                        changed |= !(old == s.regs[r]);
                    }
                    for (size_t k2 = 0; k2 < s.slots.size(); ++k2) {
                        const Val old = s.slots[k2];
                        s.slots[k2] |= after.slots[k2];
                        changed |= !(old == s.slots[k2]);
                    }
                }
                if (changed && !queued[next[k] - begin_]) {
                    queued[next[k] - begin_] = true;
                    work.push_back(next[k]);
                }
            }
        }
    }

    const Program& prog_;
    uint32_t begin_ = 0, end_ = 0;
    bool too_large_ = false;
    bool ran_ = false;
    std::vector<uint32_t> call_pcs_;
    std::vector<int32_t> slot_offsets_;
    std::vector<State> states_;
};

void add_origin(NullOrigin& out, const Program& prog, uint32_t pc, uint8_t reg,
                std::span<const uint32_t> call_sites) {
    if (pc >= prog.insns.size() || reg > 10) {
        out.not_analyzed = true;
        return;
    }
    Pass pass(prog, pc);
    if (pass.too_large()) {
        out.not_analyzed = true;
        return;
    }
    const Val v = pass.value_at(pc, reg);
    for (uint32_t i = 0; i < 64; ++i)
        if (v.calls >> i & 1) {
            if (i == 63 && pass.call_count() > 64) {
                for (uint32_t k = 63; k < pass.call_count(); ++k)
                    out.nullable_calls.push_back(pass.call_pc(k));
            } else {
                out.nullable_calls.push_back(pass.call_pc(i));
            }
        }
    out.computed |= (v.flags & kComputed) != 0;
    out.from_memory |= (v.flags & kFromMemory) != 0;
    out.from_callee |= (v.flags & kFromCallee) != 0;
    // Arguments: what the caller on the run's stack passed in that register.
    for (uint8_t k = 1; k <= 5; ++k) {
        if (!(v.args >> k & 1)) continue;
        if (call_sites.empty())
            out.computed = true; // the program's own r1 (ctx) .. r5
        else
            add_origin(out, prog, call_sites.front(), k, call_sites.subspan(1));
    }
}

std::string pcs_text(const std::vector<uint32_t>& pcs) {
    std::string out = pcs.size() == 1 ? "insn " : "insns ";
    for (size_t i = 0; i < pcs.size(); ++i)
        out += (i == 0 ? "" : i + 1 == pcs.size() ? " and " : ", ") + std::to_string(pcs[i]);
    return out;
}

// "bpf_map_lookup_elem" (or "bpf_map_lookup_elem and bpf_sk_storage_get") for the calls.
std::string helpers_text(const Program& prog, const std::vector<uint32_t>& pcs) {
    std::vector<std::string> names;
    for (uint32_t pc : pcs) {
        const DecodedInsn& i = prog.insns[pc];
        if (i.op != Op::CallHelper || i.target >= prog.helpers.size()) continue;
        const std::string name = prog.helpers[i.target].name;
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
    std::string out;
    for (size_t i = 0; i < names.size(); ++i)
        out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
    return out;
}

// True when every call is to a helper returning a map value or NULL (bpf_map_lookup_elem,
// bpf_sk_storage_get, ...): the verifier's register type is then map_value_or_null.
bool all_map_values(const Program& prog, const std::vector<uint32_t>& pcs) {
    bool all = true;
    for (uint32_t pc : pcs) {
        const DecodedInsn& i = prog.insns[pc];
        const HelperProto* proto =
            i.target < prog.helpers.size() ? helper_proto(prog.helpers[i.target].id) : nullptr;
        all &= proto && proto->ret == RetKind::MapValue;
    }
    return all;
}

} // namespace

NullOrigin null_origin(const Program& prog, uint32_t pc, uint8_t reg, std::span<const uint32_t> call_sites) {
    NullOrigin out;
    add_origin(out, prog, pc, reg, call_sites);
    std::sort(out.nullable_calls.begin(), out.nullable_calls.end());
    out.nullable_calls.erase(std::unique(out.nullable_calls.begin(), out.nullable_calls.end()),
                             out.nullable_calls.end());
    return out;
}

std::string null_pointer_hint(const Program& prog, uint32_t pc, uint8_t reg,
                              std::span<const uint32_t> call_sites) {
    const NullOrigin o = null_origin(prog, pc, reg, call_sites);
    const std::string r = "r" + std::to_string(reg);
    const bool other = o.computed || o.from_memory || o.from_callee || o.not_analyzed;
    if (!o.nullable_calls.empty()) {
        const std::string helpers = helpers_text(prog, o.nullable_calls);
        const std::string returned = helpers + " returned at " + pcs_text(o.nullable_calls);
        const bool map_values = all_map_values(prog, o.nullable_calls);
        const std::string when =
            map_values ? "NULL when the map has no entry for the key" : "NULL when it fails";
        if (!other) {
            // The verifier's own words for this access (its register type for the value).
            const std::string verifier = map_values ? "the kernel's verifier refuses this access (\"R" +
                                                          std::to_string(reg) +
                                                          " invalid mem access 'map_value_or_null'\")"
                                                    : "the kernel's verifier refuses an unchecked access";
            return r + " holds what " + returned + ", which is " + when +
                   ". Check it before using it (if (!p) return ...;): " + verifier + ".";
        }
        return "On some paths to here " + r + " holds what " + returned +
               ", on others a value from elsewhere. If "
               "the NULL came from " +
               helpers + " (" + when + "), check it before using it (if (!p) return ...;).";
    }
    if (o.not_analyzed)
        return "If " + r +
               " holds what a helper such as bpf_map_lookup_elem returned, check it for NULL before using "
               "it: the kernel's verifier demands it.";
    if (o.from_memory || o.from_callee) {
        const std::string where = o.from_memory && o.from_callee
                                      ? "was loaded from memory or returned by a called function"
                                  : o.from_memory ? "was loaded from memory"
                                                  : "was returned by a called function";
        return r + " " + where +
               ", so where the NULL came from is not known here. If it is what a helper such as "
               "bpf_map_lookup_elem returned, check it for NULL before using it: the kernel's verifier "
               "demands it.";
    }
    return {}; // a constant or computed value: no helper returned it
}

} // namespace bpfplay
