// struct bpf_dynptr on the stack, as the kernel tracks it (process_dynptr_func,
// mark_stack_slots_dynptr, unmark_stack_slots_dynptr): 16 bytes at a constant, 8-aligned stack
// offset become a dynptr when a helper or kfunc initialises it (bpf_dynptr_from_mem: local;
// bpf_ringbuf_reserve_dynptr: ringbuf, holding a reference until submitted or discarded;
// bpf_dynptr_from_skb / _from_xdp / _from_skb_meta: the packet; bpf_dynptr_clone: its parent's
// kind and reference); the other helpers and kfuncs need an initialised one, some of a given
// kind. The slots' information lives in Frame::spilled of both 8-byte slots: map = the kind,
// id = the dynptr's id, ref_obj_id = its reference, off = 1 on the lower slot (the kernel's
// first_slot).
#include "core/verifier/steps.hpp"

namespace bpfplay::verifier {

namespace {

constexpr int32_t kHelperRingbufReserveDynptr = 198;

// dynptr_type_str
const char* dynptr_kind_name(uint32_t kind) {
    switch (kind) {
    case kDynptrLocal: return "local";
    case kDynptrRingbuf: return "ringbuf";
    case kDynptrSkb: return "skb";
    case kDynptrXdp: return "xdp";
    case kDynptrSkbMeta: return "skb_meta";
    }
    return "<invalid>";
}

// The dynptr's lower 8-byte slot (depth index: bytes [8 * slot, 8 * slot + 8) below fp), from a
// stack pointer; -1 with a refusal recorded (dynptr_get_spi), -2 outside the stack.
int64_t dynptr_slot(Env& env, const Reg& r) {
    if (!r.var.is_const()) {
        env.refuse(Rule::HelperArg, "dynptr has to be at a constant offset");
        return -1;
    }
    const int64_t off = int64_t(r.off) + int64_t(r.var.value());
    if (off % 8) {
        env.refuse(Rule::HelperArg, fmt("cannot pass in dynptr at an offset=%lld", (long long)off));
        return -1;
    }
    // The lower slot holds bytes off .. off+7; as a depth index it is (-off - 1) / 8.
    if (off >= 0 || off < -int64_t(kStackSize) || off + 16 > 0) return -2;
    return (-off - 1) / 8;
}

bool is_dynptr_at(const Frame& fr, int64_t slot) {
    for (uint32_t k = 0; k < 8; ++k)
        if (fr.slot_at(uint32_t(slot * 8 + k)) != Slot::Dynptr || fr.slot_at(uint32_t((slot - 1) * 8 + k)) != Slot::Dynptr)
            return false;
    return fr.spilled[size_t(slot)].off == 1;
}

// MEM_UNINIT: the 16 bytes at register `regno` become a dynptr of `kind`; an unreferenced one
// there is destroyed. A refcounted kind holds `clone_ref` (a clone shares its parent's) or a
// new reference.
bool dynptr_make(Env& env, State& st, int regno, uint32_t kind, uint32_t clone_ref) {
    const Reg r = st.top().regs[regno];
    Frame& fr = st.frames[r.frame];
    const int64_t slot = dynptr_slot(env, r);
    if (slot == -1) return false;
    if (slot >= 0)
        for (int64_t s : {slot, slot - 1})
            if (fr.slot_at(uint32_t(s * 8)) == Slot::Dynptr && fr.spilled[size_t(s)].ref_obj_id != 0)
                return env.refuse(Rule::Reference, "cannot overwrite referenced dynptr");
    if (slot >= 0)
        for (uint32_t d = uint32_t((slot - 1) * 8); d < uint32_t((slot + 1) * 8); ++d)
            if (fr.slot_at(d) == Slot::Dynptr) fr.slot[d] = Slot::Invalid;
    for (int32_t i = 0; i < 16; i += 8)
        if (!check_mem_access(env, st, regno, i, 8, true, nullptr, nullptr, false)) return false;
    Frame& f2 = st.frames[r.frame];
    Reg info;
    info.map = kind;
    info.id = env.new_id();
    if (kind == kDynptrRingbuf) {
        info.ref_obj_id = clone_ref;
        if (!info.ref_obj_id) {
            info.ref_obj_id = env.new_id();
            st.refs.push_back(Reference{info.ref_obj_id, env.pc});
        }
    }
    for (uint32_t d = uint32_t((slot - 1) * 8); d < uint32_t((slot + 1) * 8); ++d) f2.slot[d] = Slot::Dynptr;
    f2.spilled[size_t(slot)] = info;
    f2.spilled[size_t(slot)].off = 1;
    f2.spilled[size_t(slot - 1)] = info;
    if (env.stack_use) {
        env.stack_use->stack_overwritten(r.frame, uint32_t(slot));
        env.stack_use->stack_overwritten(r.frame, uint32_t(slot - 1));
    }
    return true;
}

// An initialised dynptr at register `regno` (a stack pointer), of `want` kind unless 0.
bool dynptr_read(Env& env, State& st, int regno, uint32_t want, int64_t& slot, DynptrInfo& out) {
    const Reg r = st.top().regs[regno];
    Frame& fr = st.frames[r.frame];
    slot = dynptr_slot(env, r);
    if (slot == -1) return false;
    if (slot < 0 || !is_dynptr_at(fr, slot))
        return env.refuse(Rule::HelperArg, fmt("Expected an initialized dynptr as arg #%d", regno - 1));
    const Reg& info = fr.spilled[size_t(slot)];
    if (want && info.map != want)
        return env.refuse(Rule::HelperArg, fmt("Expected a dynptr of type %s as arg #%d", dynptr_kind_name(want), regno - 1));
    if (env.stack_use) env.stack_use->stack_read(r.frame, uint32_t((slot - 1) * 8), uint32_t(slot * 8 + 7));
    out = DynptrInfo{info.id, info.map, info.ref_obj_id};
    return true;
}

}  // namespace

bool is_dynptr_helper_init(int32_t helper) { return helper == 197 || helper == kHelperRingbufReserveDynptr; }

bool dynptr_arg(Env& env, State& st, int regno, int32_t helper, const HelperArg& arg, uint32_t& release_ref, DynptrInfo& info) {
    const Reg r = st.top().regs[regno];
    if (r.type == RegType::ConstDynptr) {
        // A callback's read-only dynptr (a user ring buffer record): never set up or released. The
        // helpers that write through one take it too (their proto says MEM_RDONLY: the dynptr
        // itself is not changed; they fail at run time), and bpf_dynptr_data's slice of it is
        // writable to the verifier (NULL at run time).
        if (arg.release) return env.refuse(Rule::Reference, "cannot release unowned const bpf_dynptr");
        if (arg.access == ArgAccess::Write) return env.refuse(Rule::HelperArg, "Dynptr has to be an uninitialized dynptr");
        info = DynptrInfo{r.id, kDynptrLocal, 0};
        return true;
    }
    if (r.type != RegType::Stack)
        return env.refuse(Rule::HelperArg, fmt("R%d type=%s expected=fp, dynptr_ptr", regno, reg_type_name(r, r.maybe_null).c_str()));
    Frame& fr = st.frames[r.frame];
    if (arg.release) {
        const int64_t slot = dynptr_slot(env, r);
        if (slot == -1) return false;
        if (slot < 0 || fr.slot_at(uint32_t(slot * 8)) != Slot::Dynptr || fr.spilled[size_t(slot)].ref_obj_id == 0)
            return env.refuse(Rule::Reference, fmt("arg %d is an unacquired reference", regno));
    }
    if (arg.access == ArgAccess::Write)
        return dynptr_make(env, st, regno, helper == kHelperRingbufReserveDynptr ? kDynptrRingbuf : kDynptrLocal, 0);
    int64_t slot = 0;
    if (!dynptr_read(env, st, regno, arg.release ? kDynptrRingbuf : 0, slot, info)) return false;
    if (arg.release) {
        release_ref = info.ref;
        Frame& f2 = st.frames[r.frame];
        for (uint32_t d = uint32_t((slot - 1) * 8); d < uint32_t((slot + 1) * 8); ++d) f2.slot[d] = Slot::Invalid;
        f2.spilled[size_t(slot)] = Reg{};
        f2.spilled[size_t(slot - 1)] = Reg{};
    }
    return true;
}

bool dynptr_kfunc_arg(Env& env, State& st, int regno, size_t argno, bool uninit, uint32_t new_kind, uint32_t clone_ref,
                      DynptrInfo& info) {
    const Reg r = st.top().regs[regno];
    if (r.type != RegType::Stack && r.type != RegType::ConstDynptr)
        return env.refuse(Rule::HelperArg, fmt("arg#%zu expected pointer to stack or const struct bpf_dynptr", argno));
    if (r.type == RegType::ConstDynptr) {
        // check_kfunc_args makes a const dynptr MEM_RDONLY: never an uninitialised one.
        if (uninit) return env.cannot_tell("a callback's const dynptr as a kfunc's uninitialised dynptr (a verifier internal error)");
        info = DynptrInfo{r.id, kDynptrLocal, 0};
        return true;
    }
    if (uninit) {
        if (new_kind == 0) return env.cannot_tell("a kfunc that sets up a dynptr of a kind the checker does not know");
        return dynptr_make(env, st, regno, new_kind, clone_ref);
    }
    int64_t slot = 0;
    return dynptr_read(env, st, regno, 0, slot, info);
}

bool destroy_dynptr_slot(Env& env, State& st, uint8_t frame, uint32_t slot) {
    Frame& fr = st.frames[frame];
    if (fr.slot_at(slot * 8) != Slot::Dynptr) return true;
    // The dynptr's lower (first) slot, and the other one.
    const uint32_t first = fr.spilled[slot].off == 1 ? slot : slot + 1;
    if (fr.spilled[first].ref_obj_id != 0) return env.refuse(Rule::Reference, "cannot overwrite referenced dynptr");
    const uint32_t id = fr.spilled[first].id;
    for (uint32_t d = (first - 1) * 8; d < (first + 1) * 8; ++d) fr.slot[d] = Slot::Invalid;
    fr.spilled[first] = Reg{};
    fr.spilled[first - 1] = Reg{};
    // Its slices: the kernel invalidates those whose type is exactly PTR_TO_MEM (not a
    // read-only or a packet dynptr's slice, whose types carry more flags).
    for_each_reg(st, [&](Reg& x) {
        if (x.type == RegType::Mem && x.plain_mem && !x.rdonly && !x.pkt_slice && x.dynptr_id == id)
            x = Reg::scalar(Scalar::unknown());
    });
    return true;
}

bool is_packet_dynptr(uint32_t kind) { return kind == kDynptrSkb || kind == kDynptrXdp || kind == kDynptrSkbMeta; }

void clear_packet_pointers(State& st) {
    for_each_reg(st, [](Reg& x) {
        const bool packet = x.type == RegType::Packet || x.type == RegType::PacketEnd || x.type == RegType::PacketMeta;
        if (packet || (x.type == RegType::Mem && x.pkt_slice)) x = Reg::scalar(Scalar::unknown());
    });
}

bool dynptr_from_mem_data(Env& env, const State& st) {
    const Reg& data = st.top().regs[1];
    if (data.type != RegType::MapValue)
        return env.refuse(Rule::HelperArg, fmt("Unsupported reg type %s for bpf_dynptr_from_mem data", reg_type_name(data, data.maybe_null).c_str()));
    return true;
}

}  // namespace bpfplay::verifier
