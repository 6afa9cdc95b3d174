// struct bpf_dynptr on the stack, as the kernel tracks it (process_dynptr_func,
// mark_stack_slots_dynptr, unmark_stack_slots_dynptr): 16 bytes at a constant, 8-aligned stack
// offset become a dynptr when a helper initialises it (bpf_dynptr_from_mem: local;
// bpf_ringbuf_reserve_dynptr: ringbuf, holding a reference until submitted or discarded);
// the other helpers need an initialised one of the kind they take. The slots' information lives
// in Frame::spilled of both 8-byte slots: map = the kind, id = the dynptr's id, ref_obj_id =
// its reference, off = 1 on the lower slot (the kernel's first_slot).
#include "core/verifier/steps.hpp"

namespace bpfplay::verifier {

namespace {

constexpr int32_t kHelperDynptrFromMem = 197;
constexpr int32_t kHelperRingbufReserveDynptr = 198;
constexpr uint32_t kDynptrLocal = 1, kDynptrRingbuf = 2;

const char* dynptr_kind_name(uint32_t kind) { return kind == kDynptrRingbuf ? "ringbuf" : "local"; }

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

}  // namespace

bool is_dynptr_helper_init(int32_t helper) { return helper == kHelperDynptrFromMem || helper == kHelperRingbufReserveDynptr; }

bool dynptr_arg(Env& env, State& st, int regno, int32_t helper, const HelperArg& arg, uint32_t& release_ref, uint32_t& data_ref) {
    const Reg r = st.top().regs[regno];
    if (r.type == RegType::ConstDynptr) {
        // A callback's read-only dynptr (a user ring buffer record): never set up or released. The
        // helpers that write through one take it too (their proto says MEM_RDONLY: the dynptr
        // itself is not changed; they fail at run time), and bpf_dynptr_data's slice of it is
        // writable to the verifier (NULL at run time).
        if (arg.release) return env.refuse(Rule::Reference, "cannot release unowned const bpf_dynptr");
        if (arg.access == ArgAccess::Write) return env.refuse(Rule::HelperArg, "Dynptr has to be an uninitialized dynptr");
        data_ref = 0;
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
    if (arg.access == ArgAccess::Write) {
        // An uninitialised dynptr for the helper to set up: an unreferenced one there is destroyed.
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
        const uint32_t kind = helper == kHelperRingbufReserveDynptr ? kDynptrRingbuf : kDynptrLocal;
        Reg info;
        info.map = kind;
        info.id = env.new_id();
        if (kind == kDynptrRingbuf) {
            info.ref_obj_id = env.new_id();
            st.refs.push_back(Reference{info.ref_obj_id, env.pc});
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
    const int64_t slot = dynptr_slot(env, r);
    if (slot == -1) return false;
    if (slot < 0 || !is_dynptr_at(fr, slot))
        return env.refuse(Rule::HelperArg, fmt("Expected an initialized dynptr as arg #%d", regno - 1));
    if (env.stack_use) env.stack_use->stack_read(r.frame, uint32_t((slot - 1) * 8), uint32_t(slot * 8 + 7));
    const Reg info = fr.spilled[size_t(slot)];
    if (arg.release) {
        if (info.map != kDynptrRingbuf)
            return env.refuse(Rule::HelperArg, fmt("Expected a dynptr of type %s as arg #%d", dynptr_kind_name(kDynptrRingbuf), regno - 1));
        release_ref = info.ref_obj_id;
        for (uint32_t d = uint32_t((slot - 1) * 8); d < uint32_t((slot + 1) * 8); ++d) fr.slot[d] = Slot::Invalid;
        fr.spilled[size_t(slot)] = Reg{};
        fr.spilled[size_t(slot - 1)] = Reg{};
        return true;
    }
    data_ref = info.ref_obj_id;
    return true;
}

bool dynptr_from_mem_data(Env& env, const State& st) {
    const Reg& data = st.top().regs[1];
    if (data.type != RegType::MapValue)
        return env.refuse(Rule::HelperArg, fmt("Unsupported reg type %s for bpf_dynptr_from_mem data", reg_type_name(data, data.maybe_null).c_str()));
    return true;
}

}  // namespace bpfplay::verifier
