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
    }
    return maybe_null ? name + "_or_null" : name;
}

namespace {

bool reg_covers(const Reg& old, const Reg& cur) {
    if (old.type == RegType::NotInit) return true;
    if (old.type != cur.type) return false;
    if (old.type == RegType::Scalar) return old.var.covers(cur.var);
    // Pointers: the same object at the same place; a packet pointer that old proved fewer
    // bytes for covers one with more.
    if (old.maybe_null != cur.maybe_null || old.off != cur.off || old.id != cur.id || old.ref_obj_id != cur.ref_obj_id ||
        old.map != cur.map || old.mem_size != cur.mem_size || old.frame != cur.frame)
        return false;
    if (!old.var.covers(cur.var)) return false;
    return old.type != RegType::Packet || old.range <= cur.range;
}

bool frame_covers(const Frame& old, const Frame& cur, uint16_t live) {
    if (old.callsite != cur.callsite || old.subprog != cur.subprog) return false;
    for (int i = 0; i < 11; ++i)
        if ((live >> i) & 1 && !reg_covers(old.regs[i], cur.regs[i])) return false;
    const uint32_t depth = uint32_t(std::max(old.slot.size(), cur.slot.size()));
    for (uint32_t b = 0; b < depth; ++b) {
        const Slot o = old.slot_at(b), c = cur.slot_at(b);
        // As root, uninitialised stack reads as an unknown number (allow_uninit_stack), so
        // unknown bytes cover any bytes that are not a spilled pointer.
        if (o == Slot::Invalid || o == Slot::Misc) {
            if (c == Slot::Spill && cur.spilled[b / 8].is_pointer()) return false;
            continue;
        }
        if (o == Slot::Zero) {
            if (c != Slot::Zero) return false;
            continue;
        }
        if (c != Slot::Spill) return false;
        if (b % 8 == 0 && !reg_covers(old.spilled[b / 8], cur.spilled[b / 8])) return false;
    }
    return true;
}

}  // namespace

bool operator==(const Frame& a, const Frame& b) {
    if (a.regs != b.regs || a.callsite != b.callsite || a.subprog != b.subprog) return false;
    const uint32_t depth = uint32_t(std::max(a.slot.size(), b.slot.size()));
    for (uint32_t d = 0; d < depth; ++d) {
        if (a.slot_at(d) != b.slot_at(d)) return false;
        if (a.slot_at(d) == Slot::Spill && d % 8 == 0 && !(a.spilled[d / 8] == b.spilled[d / 8])) return false;
    }
    return true;
}

bool state_covers(const State& old, const State& cur, uint16_t live) {
    if (old.frames.size() != cur.frames.size() || old.refs != cur.refs) return false;
    for (size_t f = 0; f < cur.frames.size(); ++f)
        if (!frame_covers(old.frames[f], cur.frames[f], f + 1 == cur.frames.size() ? live : uint16_t(0x7ff))) return false;
    return true;
}

}  // namespace bpfplay::verifier
