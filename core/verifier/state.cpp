#include "core/verifier/state.hpp"

#include <algorithm>

namespace bpfplay::verifier {

std::string reg_type_name(RegType t, bool maybe_null) {
    std::string name;
    switch (t) {
    case RegType::NotInit: return "?";
    case RegType::Scalar: return "scalar";
    case RegType::Ctx: name = "ctx"; break;
    case RegType::Packet: name = "pkt"; break;
    case RegType::PacketEnd: name = "pkt_end"; break;
    case RegType::PacketMeta: name = "pkt_meta"; break;
    case RegType::Stack: name = "fp"; break;
    case RegType::MapPtr: name = "map_ptr"; break;
    case RegType::MapValue: name = "map_value"; break;
    case RegType::Mem: name = "ringbuf_mem"; break;
    case RegType::Sock: name = "sock"; break;
    case RegType::BtfId: return maybe_null ? "ptr_or_null_" : "ptr_";
    case RegType::Func: name = "func"; break;
    case RegType::MapKey: name = "map_key"; break;
    case RegType::ConstDynptr: name = "dynptr_ptr"; break;
    }
    return maybe_null ? name + "_or_null" : name;
}

std::string reg_type_name(const Reg& r, bool maybe_null) {
    if (r.type == RegType::Mem && r.plain_mem) {
        const std::string name = r.rdonly ? "rdonly_mem" : "mem";
        return maybe_null ? name + "_or_null" : name;
    }
    return reg_type_name(r.type, maybe_null);
}

std::string reg_type_name(const Reg& r) {
    if (r.type == RegType::BtfId && r.untrusted) return "untrusted_" + reg_type_name(r.type, r.maybe_null);
    if (r.type == RegType::BtfId && r.rcu) return "rcu_" + reg_type_name(r.type, r.maybe_null);
    // PTR_TRUSTED shows; a reference the program holds is trusted without the flag.
    if (r.type == RegType::BtfId && r.trusted && r.ref_obj_id == 0) return "trusted_" + reg_type_name(r.type, r.maybe_null);
    return reg_type_name(r, r.maybe_null);
}

namespace {

// Ids name objects only within one path (each lookup or copy draws a fresh one), so two paths
// hold the same object under different numbers. `old` covers `cur` when one renaming maps
// old's ids onto cur's consistently both ways (the kernel's check_ids and bpf_idmap).
class IdMap {
public:
    bool same(uint32_t old_id, uint32_t cur_id) {
        if (old_id == 0 || cur_id == 0) return old_id == cur_id;
        for (const auto& [o, c] : pairs_)
            if (o == old_id || c == cur_id) return o == old_id && c == cur_id;
        pairs_.push_back({old_id, cur_id});
        return true;
    }
    // A number's id links copies that learn together from a comparison. Old linked copies
    // only if cur links them the same way; old's unlinked numbers allow anything (cur's copies
    // learning together makes cur only narrower).
    bool scalar_link(uint32_t old_id, uint32_t cur_id) { return old_id == 0 || (cur_id != 0 && same(old_id, cur_id)); }

private:
    std::vector<std::pair<uint32_t, uint32_t>> pairs_;
};

// Exact: the same values (ids renamed), for telling a loop that came back to where it was
// (the kernel's EXACT states_equal); otherwise old's values contain cur's (RANGE_WITHIN).
enum class Match : uint8_t { Covers, Exact };

bool reg_matches(const Reg& old, const Reg& cur, IdMap& ids, Match how) {
    if (how == Match::Exact) {
        Reg renamed = cur;
        renamed.id = old.id;
        renamed.ref_obj_id = old.ref_obj_id;
        return old == renamed && ids.same(old.id, cur.id) && ids.same(old.ref_obj_id, cur.ref_obj_id);
    }
    if (old.type == RegType::NotInit) return true;
    if (old.type != cur.type) return false;
    if (old.type == RegType::Scalar) return old.var.covers(cur.var) && ids.scalar_link(old.id, cur.id);
    // Pointers: the same object at the same place. All fields but the variable offset, the ids
    // and a packet pointer's proven range must be equal (whole copies are compared so that a
    // field added to Reg later is compared too, until someone decides it may differ).
    const bool packet = old.type == RegType::Packet || old.type == RegType::PacketMeta;
    Reg o = old, c = cur;
    o.var = c.var = Scalar::unknown();
    o.id = c.id = o.ref_obj_id = c.ref_obj_id = 0;
    if (packet) o.range = c.range = 0;
    if (!(o == c)) return false;
    if (!old.var.covers(cur.var) || !ids.same(old.id, cur.id) || !ids.same(old.ref_obj_id, cur.ref_obj_id)) return false;
    // Packet pointers: bytes proven readable; old proving fewer covers cur proving more.
    return !packet || old.range <= cur.range;
}

bool dynptr_matches(const Reg& old, const Reg& cur, IdMap& ids) {
    return old.map == cur.map && old.off == cur.off && ids.same(old.id, cur.id) && ids.same(old.ref_obj_id, cur.ref_obj_id);
}

// What a stack byte that holds no spilled register reads as, for comparing it with a spill.
Reg unspilled_value(Slot s) { return Reg::scalar(s == Slot::Zero ? Scalar::constant(0) : Scalar::unknown()); }

bool frame_matches(const Frame& old, const Frame& cur, uint16_t live, uint64_t stack_live, IdMap& ids, Match how) {
    if (old.callsite != cur.callsite || old.subprog != cur.subprog || old.callback_of != cur.callback_of) return false;
    for (int i = 0; i < 11; ++i)
        if ((live >> i) & 1 && !reg_matches(old.regs[i], cur.regs[i], ids, how)) return false;
    const uint32_t depth = uint32_t(std::max(old.slot.size(), cur.slot.size()));
    for (uint32_t b = 0; b < depth; ++b) {
        if (how == Match::Covers && !((stack_live >> (b / 8)) & 1)) {
            b |= 7;  // a slot old's exploration never read: what it holds does not matter
            continue;
        }
        const Slot o = old.slot_at(b), c = cur.slot_at(b);
        if (o == Slot::Iter || c == Slot::Iter) {
            // The same iterator in the same state, its reference renamed consistently; the
            // iterations walked do not matter to covering (stacksafe ignores iter.depth).
            if (o != c) return false;
            if (b % 8 != 0) continue;
            const IterSlot& io = old.iters[b / 8];
            const IterSlot& ic = cur.iters[b / 8];
            if (io.kind != ic.kind || io.index != ic.index || io.drained != ic.drained || !ids.same(io.ref, ic.ref)) return false;
            // A loop is a path back to the same state, but an active iterator one iteration on
            // is progress, not that (iter_active_depths_differ).
            if (how == Match::Exact && !io.drained && io.depth != ic.depth) return false;
            continue;
        }
        if (how == Match::Exact) {
            if (o != c) return false;
            if (o == Slot::Spill && b % 8 == 0 && !reg_matches(old.spilled[b / 8], cur.spilled[b / 8], ids, how)) return false;
            if (o == Slot::Dynptr && b % 8 == 0 && !dynptr_matches(old.spilled[b / 8], cur.spilled[b / 8], ids)) return false;
            continue;
        }
        // A dynptr: the same kind, the same ids (and reference) in cur (the kernel's stacksafe
        // for STACK_DYNPTR).
        if (o == Slot::Dynptr) {
            if (c != Slot::Dynptr) return false;
            if (b % 8 == 0 && !dynptr_matches(old.spilled[b / 8], cur.spilled[b / 8], ids)) return false;
            continue;
        }
        if (c == Slot::Dynptr && o != Slot::Invalid && o != Slot::Misc) return false;
        // As root, uninitialised stack reads as an unknown number (allow_uninit_stack), so
        // unknown bytes cover any bytes that are not a spilled pointer.
        if (o == Slot::Invalid || o == Slot::Misc) {
            if (c == Slot::Spill && cur.spilled[b / 8].is_pointer()) return false;
            continue;
        }
        if (o == Slot::Zero) {
            // (A spilled zero is no match: a narrower read of it is an unknown number.)
            if (c != Slot::Zero) return false;
            continue;
        }
        // A spill fills its whole 8-byte slot (byte b % 8 == 0 is the one nearest fp): the
        // slot is compared at its first byte.
        if (b % 8 != 0) continue;
        const Reg& spill = old.spilled[b / 8];
        if (c == Slot::Spill) {
            if (!reg_matches(spill, cur.spilled[b / 8], ids, how)) return false;
            continue;
        }
        // Old spilled a number; cur has plain bytes there: they must read as something old's
        // number covers, the whole slot alike (a partial slot is not one number).
        if (spill.type != RegType::Scalar) return false;
        for (uint32_t k = 1; k < 8; ++k)
            if (cur.slot_at(b + k) != c) return false;
        if (!reg_matches(spill, unspilled_value(c), ids, how)) return false;
    }
    return true;
}

}  // namespace

bool operator==(const Frame& a, const Frame& b) {
    if (a.regs != b.regs || a.callsite != b.callsite || a.subprog != b.subprog || a.callback_of != b.callback_of) return false;
    const uint32_t depth = uint32_t(std::max(a.slot.size(), b.slot.size()));
    for (uint32_t d = 0; d < depth; ++d) {
        if (a.slot_at(d) != b.slot_at(d)) return false;
        if ((a.slot_at(d) == Slot::Spill || a.slot_at(d) == Slot::Dynptr) && d % 8 == 0 && !(a.spilled[d / 8] == b.spilled[d / 8]))
            return false;
        if (a.slot_at(d) == Slot::Iter && d % 8 == 0 && !(a.iters[d / 8] == b.iters[d / 8])) return false;
    }
    return true;
}

namespace {

bool state_matches(const State& old, const State& cur, uint16_t live, std::span<const uint64_t> stack_live, Match how) {
    if (old.frames.size() != cur.frames.size() || old.refs.size() != cur.refs.size()) return false;
    IdMap ids;
    // The same references, held in the same order (refsafe).
    for (size_t k = 0; k < old.refs.size(); ++k)
        if (!ids.same(old.refs[k].id, cur.refs[k].id)) return false;
    // The same lock held, or none (refsafe compares lock states like references).
    if (old.lock.has_value() != cur.lock.has_value()) return false;
    if (old.lock && (old.lock->map != cur.lock->map || !ids.same(old.lock->id, cur.lock->id))) return false;
    for (size_t f = 0; f < cur.frames.size(); ++f)
        if (!frame_matches(old.frames[f], cur.frames[f], f + 1 == cur.frames.size() ? live : uint16_t(0x7ff),
                           f < stack_live.size() ? stack_live[f] : ~0ull, ids, how))
            return false;
    return true;
}

}  // namespace

bool state_covers(const State& old, const State& cur, uint16_t live, std::span<const uint64_t> stack_live) {
    return state_matches(old, cur, live, stack_live, Match::Covers);
}

bool state_same(const State& old, const State& cur, uint16_t live) { return state_matches(old, cur, live, {}, Match::Exact); }

}  // namespace bpfplay::verifier
