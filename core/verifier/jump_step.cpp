// Conditional jumps: numbers are narrowed on each side (branch.hpp), a NULL check turns a
// maybe-NULL pointer into a pointer on one side and 0 on the other (mark_ptr_or_null_regs),
// and comparing a packet pointer with data_end proves bytes readable
// (find_good_pkt_pointers).
#include "core/verifier/branch.hpp"
#include "core/verifier/steps.hpp"

namespace bpfplay::verifier {

namespace {

Cond cond_of(op::JmpCode code) {
    switch (code) {
    case op::JmpCode::Jeq: return Cond::Eq;
    case op::JmpCode::Jne: return Cond::Ne;
    case op::JmpCode::Jgt: return Cond::Gt;
    case op::JmpCode::Jge: return Cond::Ge;
    case op::JmpCode::Jlt: return Cond::Lt;
    case op::JmpCode::Jle: return Cond::Le;
    case op::JmpCode::Jsgt: return Cond::Sgt;
    case op::JmpCode::Jsge: return Cond::Sge;
    case op::JmpCode::Jslt: return Cond::Slt;
    case op::JmpCode::Jsle: return Cond::Sle;
    case op::JmpCode::Jset: return Cond::Set;
    case op::JmpCode::Ja:
    case op::JmpCode::Call:
    case op::JmpCode::Exit: break;  // not conditional: step_cond_jump never sees them
    }
    return Cond::Set;
}

// A lookup in a socket map gives map_value_or_null, a socket once checked (mark_ptr_or_null_reg).
bool socket_map_value(const Env& env, const Reg& r) {
    if (r.type != RegType::MapValue) return false;
    const MapSpec* m = env.any_map(r.map);
    return m && (m->type == MapType::Sockmap || m->type == MapType::Sockhash);
}

// Every copy of the maybe-NULL pointer `id`: NULL on one side, valid on the other.
void mark_null_checked(const Env& env, State& st, uint32_t id, bool is_null) {
    uint32_t released_ref = 0;
    for_each_reg(st, [&](Reg& r) {
        if (!r.is_pointer() || !r.maybe_null || r.id != id) return;
        if (is_null) {
            // Only an acquired pointer's own NULL (id == ref_obj_id) drops the reference: a NULL
            // from a cast of it (bpf_tcp_sock) leaves the socket held.
            if (r.ref_obj_id == r.id) released_ref = r.ref_obj_id;
            r = Reg::scalar(Scalar::constant(0));
        } else {
            if (socket_map_value(env, r)) {
                r.type = RegType::Sock;
                r.map = 0;
            }
            r.maybe_null = false;
        }
    });
    // A NULL record was never acquired: its reference goes away (release_reference_state).
    if (released_ref)
        std::erase_if(st.refs, [&](const Reference& ref) { return ref.id == released_ref; });
}

void find_good_pkt_pointers(State& st, const Reg& pkt, bool right_open) {
    if (pkt.off < 0 || (pkt.off == 0 && right_open)) return;
    if (pkt.var.umax > 0xffff || pkt.var.umax + uint64_t(pkt.off) > 0xffff) return;
    const int32_t range = pkt.off + (right_open ? 1 : 0);
    const RegType type = pkt.type;
    const uint32_t id = pkt.id;
    for_each_reg(st, [&](Reg& r) {
        if (r.type == type && r.id == id) r.range = std::max(r.range, range);
    });
}

// `a c b` where one side is a packet pointer and the other its end: on which side of the
// jump (taken or not) the packet pointer is proven below the end, and whether strictly.
// Returns false when the pair is not such a comparison.
bool pkt_comparison(const Reg& a, const Reg& b, Cond c, bool& on_taken, bool& right_open, bool& a_is_pkt) {
    const bool a_pkt = a.type == RegType::Packet && b.type == RegType::PacketEnd;
    const bool meta = a.type == RegType::PacketMeta && b.type == RegType::Packet;
    const bool b_pkt = b.type == RegType::Packet && a.type == RegType::PacketEnd;
    const bool b_meta = b.type == RegType::PacketMeta && a.type == RegType::Packet;
    if (!(a_pkt || meta || b_pkt || b_meta)) return false;
    a_is_pkt = a_pkt || meta;
    if (!a_is_pkt) c = swap_sides(c);
    // Now: pkt c end.
    switch (c) {
    case Cond::Gt: on_taken = false; right_open = false; return true;  // else: pkt <= end
    case Cond::Lt: on_taken = true; right_open = true; return true;
    case Cond::Ge: on_taken = false; right_open = true; return true;   // else: pkt < end
    case Cond::Le: on_taken = true; right_open = false; return true;
    // Equality, signed order and bit tests prove no range (find_good_pkt_pointers ignores them).
    case Cond::Eq: case Cond::Ne: case Cond::Sgt: case Cond::Sge: case Cond::Slt: case Cond::Sle:
    case Cond::Set:
    case Cond::NotSet: return false;
    }
    return false;
}

}  // namespace

bool step_cond_jump(Env& env, State& st, const Insn& insn, uint32_t& next) {
    const uint32_t pc = env.pc;
    const uint32_t target = uint32_t(int64_t(pc) + insn.off + 1);
    const bool is32 = op::cls(insn.opcode) == op::kJmp32;
    const bool use_src = op::src_bit(insn.opcode) == op::kX;
    if (!check_readable(env, st, insn.dst)) return false;
    if (use_src && !check_readable(env, st, insn.src)) return false;
    Cond c = cond_of(op::jmp_code(insn.opcode));
    Frame& fr = st.top();
    const Reg a = fr.regs[insn.dst];
    const Reg b = use_src ? fr.regs[insn.src] : Reg::scalar(Scalar::constant(uint64_t(int64_t(insn.imm))));
    if (a.widened || b.widened)
        return env.cannot_tell("a branch on a number a callback changes (the kernel's precision tracking decides whether its calls converge)");

    auto go_both = [&](State taken_state) {
        env.branches_out.push_back(Branch{target, std::move(taken_state)});
        next = pc + 1;
        return true;
    };
    auto go_only = [&](bool taken) {
        next = taken ? target : pc + 1;
        return true;
    };

    if (a.type == RegType::Scalar && b.type == RegType::Scalar) {
        const Taken t = branch_taken(c, a.var, b.var, is32);
        if (t == Taken::Always) return go_only(true);
        if (t == Taken::Never) return go_only(false);
        State taken = st;
        Reg& ta = taken.top().regs[insn.dst];
        Reg tb = b;
        const bool taken_ok = refine(c, ta.var, tb.var, is32);
        if (use_src) taken.top().regs[insn.src].var = tb.var;
        Reg& fa = fr.regs[insn.dst];
        Reg fb = b;
        const bool fall_ok = refine(negate(c), fa.var, fb.var, is32);
        if (use_src) fr.regs[insn.src].var = fb.var;
        // Copies of a number (same id, from a mov) learn what it learned (sync_linked_regs).
        auto sync_copies = [](State& s, const Reg& r) {
            if (r.type != RegType::Scalar || r.id == 0) return;
            for_each_reg(s, [&](Reg& x) {
                if (x.type == RegType::Scalar && x.id == r.id) x.var = r.var;
            });
        };
        sync_copies(taken, taken.top().regs[insn.dst]);
        if (use_src) sync_copies(taken, taken.top().regs[insn.src]);
        sync_copies(st, fr.regs[insn.dst]);
        if (use_src) sync_copies(st, fr.regs[insn.src]);
        if (!taken_ok) return go_only(false);
        if (!fall_ok) {
            st = std::move(taken);
            return go_only(true);
        }
        return go_both(std::move(taken));
    }
    // A pointer compared with 0.
    const Reg* ptr = a.is_pointer() ? &a : b.is_pointer() ? &b : nullptr;
    const Reg* other = ptr == &a ? &b : &a;
    if (ptr && other->type == RegType::Scalar && other->var.is_const() && other->var.value() == 0 &&
        (c == Cond::Eq || c == Cond::Ne) && !is32) {
        // A kernel object pointer may be NULL unless the kernel trusts it (reg_not_null's
        // is_trusted_reg: a reference the program holds, or PTR_TRUSTED without unsafe flags).
        const bool trusted = ptr->ref_obj_id != 0 || (ptr->trusted && !ptr->untrusted);
        if (!ptr->maybe_null && ptr->type == RegType::BtfId && !trusted) return go_both(State(st));
        if (!ptr->maybe_null) return go_only(c == Cond::Ne);  // a valid pointer is never NULL
        State taken = st;
        const uint32_t id = ptr->id;
        mark_null_checked(env, taken, id, c == Cond::Eq);
        mark_null_checked(env, st, id, c != Cond::Eq);
        return go_both(std::move(taken));
    }
    bool on_taken = false, right_open = false, a_is_pkt = false;
    if (!is32 && pkt_comparison(a, b, c, on_taken, right_open, a_is_pkt)) {
        State taken = st;
        const Reg pkt = a_is_pkt ? a : b;
        find_good_pkt_pointers(on_taken ? taken : st, pkt, right_open);
        return go_both(std::move(taken));
    }
    // Other comparisons involving pointers: both sides, nothing learned (root may compare).
    return go_both(State(st));
}

}  // namespace bpfplay::verifier
