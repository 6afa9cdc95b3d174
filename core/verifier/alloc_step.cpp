// Objects the program allocates (bpf_obj_new_impl / bpf_obj_drop_impl: the kernel's
// check_kfunc_call special case for KF_bpf_obj_new_impl, KF_ARG_PTR_TO_ALLOC_BTF_ID, and
// check_ptr_to_btf_access on a PTR_TO_BTF_ID | MEM_ALLOC). The object is a struct of the
// PROGRAM's BTF; bpf_obj_new gives an owning reference to it or NULL, which the program must
// drop before it exits. Modelled: structs whose special fields are graph nodes, refcounts, a
// bpf_spin_lock and list heads (loads and stores may not touch them); the lists and
// trees they go into are in list_step.cpp (trees stay "cannot tell"). bpf_refcount_acquire_impl
// takes a second reference to a refcounted one.
#include <string_view>

#include "core/btf/btf.hpp"
#include "core/btf/special_fields.hpp"
#include "core/verifier/btf_walk.hpp"
#include "core/verifier/steps.hpp"

namespace bpfplay::verifier {

namespace {

// The special fields the checker models inside an allocated object; the others make it
// "cannot tell".
bool alloc_models(SpecialField f) {
    switch (f) {
    case SpecialField::ListNode:
    case SpecialField::RbNode:
    case SpecialField::Refcount:
    case SpecialField::SpinLock:
    case SpecialField::ListHead: return true;
    case SpecialField::ResSpinLock:
    case SpecialField::Timer:
    case SpecialField::Wq:
    case SpecialField::TaskWork:
    case SpecialField::RbRoot: return false;
    }
    return false;
}

const SpecialFieldRow* alloc_special_field(const Btf& btf, uint32_t type) {
    const uint32_t t = btf.skip_modifiers(type);
    return btf.kind(t) == BtfKind::Struct ? special_field_named(btf.name(t)) : nullptr;
}

// Why an allocated struct is beyond the model ("" when it is not): a special field the checker
// does not model, one nested in a member struct or an array, or a pointer member (a kptr, or
// not: the kernel tells them by type tags).
std::string alloc_struct_unmodelled(const Btf& btf, uint32_t struct_id, int depth) {
    if (depth > 8) return "a deeply nested allocated struct";
    for (const BtfMember& m : btf.members(struct_id)) {
        uint32_t t = btf.skip_modifiers(m.type);
        bool array = false;
        while (btf.kind(t) == BtfKind::Array) {
            array = true;
            t = btf.skip_modifiers(btf.type(t)->array.elem_type);
        }
        if (const SpecialFieldRow* f = alloc_special_field(btf, t)) {
            if (!alloc_models(f->field) || depth > 0 || array)
                return std::string("an allocated struct holding a ") + std::string(f->name);
            continue;
        }
        const BtfKind k = btf.kind(t);
        if (k == BtfKind::Ptr) return "an allocated struct with a pointer member (maybe a kptr)";
        if (k == BtfKind::Struct || k == BtfKind::Union) {
            std::string why = alloc_struct_unmodelled(btf, t, depth + 1);
            if (!why.empty()) return why;
        }
    }
    return "";
}

}  // namespace

int32_t alloc_spin_lock_off(const Btf& btf, uint32_t type) {
    for (const BtfMember& m : btf.members(type)) {
        const SpecialFieldRow* f = alloc_special_field(btf, m.type);
        if (f && f->field == SpecialField::SpinLock) return int32_t(m.bit_offset / 8);
    }
    return -1;
}

bool step_obj_new(Env& env, State& st) {
    Frame& fr = st.top();
    const Reg& id = fr.regs[1];
    if (id.type == RegType::NotInit) return env.cannot_tell("an unwritten R1 passed to a kfunc");
    // local_type_id__k: a scalar argument, a constant one (check_kfunc_args).
    if (id.type != RegType::Scalar) return env.refuse(Rule::HelperArg, "R1 is not a scalar");
    if (!id.var.is_const()) return env.refuse(Rule::HelperArg, "R1 must be a known constant");
    const uint64_t value = id.var.value();
    if (value > 0xffffffffull) return env.refuse(Rule::HelperArg, "local type ID argument must be in range [0, U32_MAX]");
    const Btf* btf = env.in.object_btf.get();
    // No BTF, or one the kernel refused: the program is loaded without it.
    if (!btf || graph_tags_refused(*btf)) return env.refuse(Rule::HelperArg, "bpf_obj_new/bpf_percpu_obj_new requires prog BTF");
    const uint32_t type = uint32_t(value);
    // btf_type_by_id, no modifiers skipped; __btf_type_is_struct: a STRUCT, not a union.
    if (type == 0 || type >= btf->type_count() || btf->kind(type) != BtfKind::Struct)
        return env.refuse(Rule::HelperArg, "bpf_obj_new/bpf_percpu_obj_new type ID argument must be of a struct");
    // This project's reference kernel (Linux 6.18.44-fc) refuses a struct bpf_mem_alloc cannot
    // serve: its largest size class is 4096 bytes, 8 of them the object's header (recorded:
    // 4088 bytes accepted, 4089 refused).
    const uint32_t size = btf->type(type)->size;
    if (size > kMemAllocMaxObject)
        return env.refuse(Rule::HelperArg, fmt("bpf_obj_new type size (%u) is more than the allocator serves", size));
    const std::string why = alloc_struct_unmodelled(*btf, type, 0);
    if (!why.empty()) return env.cannot_tell(why);

    // KF_ACQUIRE | KF_RET_NULL: the NULL check's id first, then the reference's (check_kfunc_call).
    Reg r0;
    r0.type = RegType::BtfId;
    r0.var = Scalar::constant(0);
    r0.local_type = type;
    r0.maybe_null = true;
    r0.id = env.new_id();
    const uint32_t ref = env.new_id();
    r0.id = r0.ref_obj_id = ref;
    st.refs.push_back(Reference{ref, env.pc});
    for (int r = 1; r <= 5; ++r) fr.regs[r] = Reg{};
    fr.regs[0] = r0;
    return true;
}

bool step_obj_drop(Env& env, State& st) {
    Frame& fr = st.top();
    const Reg& p = fr.regs[1];
    if (p.type == RegType::NotInit) return env.cannot_tell("an unwritten R1 passed to a kfunc");
    const bool is_null = p.type == RegType::Scalar && p.var.is_const() && p.var.value() == 0;
    // KF_RELEASE makes the arguments trusted: NULL first, then trust, then the offset.
    if (is_null || (p.is_pointer() && p.maybe_null))
        return env.refuse(Rule::NullPointer, "Possibly NULL pointer passed to trusted arg0");
    if (p.type == RegType::Scalar) return env.refuse(Rule::HelperArg, "R1 must be referenced or trusted");
    if (p.type != RegType::BtfId || !p.local_type)
        return env.cannot_tell(fmt("a %s pointer passed to bpf_obj_drop_impl", reg_type_name(p).c_str()));
    if (!p.ref_obj_id) return env.cannot_tell("an allocated object without a reference passed to bpf_obj_drop_impl");
    if (!p.var.is_const()) return env.cannot_tell("an allocated object pointer with a variable offset in R1");
    if (p.off != 0 || p.var.value() != 0)
        return env.refuse(Rule::HelperArg, "R1 must have zero offset when passed to release func or trusted arg to kfunc");
    const uint32_t ref = p.ref_obj_id;
    std::erase_if(st.refs, [&](const Reference& r) { return r.id == ref; });
    for_each_reg(st, [&](Reg& x) {
        if (x.is_pointer() && x.ref_obj_id == ref) x = Reg::scalar(Scalar::unknown());
    });
    Frame& f = st.top();
    for (int r = 1; r <= 5; ++r) f.regs[r] = Reg{};
    f.regs[0] = Reg{};
    return true;
}

bool step_refcount_acquire(Env& env, State& st) {
    Frame& fr = st.top();
    const Reg& p = fr.regs[1];
    if (p.type == RegType::NotInit) return env.cannot_tell("an unwritten R1 passed to a kfunc");
    const bool is_null = p.type == RegType::Scalar && p.var.is_const() && p.var.value() == 0;
    // KF_RCU: a NULL argument is refused first.
    if (is_null || (p.is_pointer() && p.maybe_null))
        return env.refuse(Rule::NullPointer, "Possibly NULL pointer passed to trusted arg0");
    if (p.type == RegType::Scalar) return env.cannot_tell("a number passed to bpf_refcount_acquire_impl");
    // KF_ARG_PTR_TO_REFCOUNTED_KPTR: an owning or a non-owning pointer to an allocated object.
    if (p.type != RegType::BtfId || !p.local_type) return env.refuse(Rule::HelperArg, "arg#0 is neither owning or non-owning ref");
    if (!p.non_owning && !p.ref_obj_id) return env.cannot_tell("an allocated object neither owned nor in a list");
    if (p.off != 0 || !p.var.is_const() || p.var.value() != 0)
        return env.cannot_tell("a pointer into an allocated object passed to bpf_refcount_acquire_impl");
    const Btf& btf = *env.in.object_btf;
    bool refcounted = false, special = false;
    for (const BtfMember& m : btf.members(p.local_type)) {
        const SpecialFieldRow* f = alloc_special_field(btf, m.type);
        special |= f != nullptr;
        if (f && f->field == SpecialField::Refcount) refcounted = true;
    }
    // A struct without special fields has no btf_record at all, which 6.18 reports as its own bug.
    if (!special) return env.refuse(Rule::HelperArg, "verifier bug: Couldn't find btf_record");
    if (!refcounted) return env.refuse(Rule::HelperArg, "arg#0 doesn't point to a type with bpf_refcount field");
    // A new owning reference. From an owning pointer it cannot be NULL (the object is alive);
    // from a non-owning one it can (KF_RET_NULL: the NULL check's id, then the reference's).
    Reg r0;
    r0.type = RegType::BtfId;
    r0.var = Scalar::constant(0);
    r0.local_type = p.local_type;
    if (p.non_owning) {
        r0.maybe_null = true;
        r0.id = env.new_id();
    }
    const uint32_t ref = env.new_id();
    r0.id = r0.ref_obj_id = ref;
    st.refs.push_back(Reference{ref, env.pc});
    for (int r = 1; r <= 5; ++r) fr.regs[r] = Reg{};
    fr.regs[0] = r0;
    return true;
}

bool alloc_object_access(Env& env, const Reg& ptr, int regno, int32_t off, uint32_t size, bool write, Reg* out,
                         const Reg* stored, bool from_helper) {
    if (from_helper) return env.cannot_tell(fmt("an allocated object as helper memory in R%d", regno));
    const Btf* btf = env.in.object_btf.get();
    if (!btf) return env.cannot_tell("an allocated object without the program's BTF");
    const std::string tname(btf->name(ptr.local_type));
    const int64_t total = int64_t(ptr.off) + off;
    if (total < 0)
        return env.refuse(Rule::Other, fmt("R%d is ptr_%s invalid negative access: off=%lld", regno, tname.c_str(), (long long)total));
    if (!ptr.var.is_const() || ptr.var.value() != 0)
        return env.refuse(Rule::Other, fmt("R%d is ptr_%s invalid variable offset: off=%lld, var_off=%s", regno, tname.c_str(),
                                           (long long)total, tnum_text(ptr.var.var).c_str()));
    // btf_struct_access: no load or store may touch a special field.
    for (const BtfMember& m : btf->members(ptr.local_type)) {
        const SpecialFieldRow* f = alloc_special_field(*btf, m.type);
        if (!f) continue;
        const int64_t foff = m.bit_offset / 8;
        const int64_t fsize = btf->type(btf->skip_modifiers(m.type))->size;
        if (total < foff + fsize && foff < total + int64_t(size))
            return env.refuse(Rule::Other, fmt("direct access to %s is disallowed", std::string(f->name).c_str()));
    }
    if (write && stored && stored->is_pointer()) return env.cannot_tell("a pointer stored into an allocated object");
    const BtfLoad load = btf_object_read(*btf, ptr.local_type, total, size);
    switch (load.kind) {
    case BtfLoad::Kind::Refused: return env.refuse(Rule::Other, load.message);
    case BtfLoad::Kind::CannotTell: return env.cannot_tell(load.message);
    case BtfLoad::Kind::Number:
    case BtfLoad::Kind::Object: break;  // a local type's pointer field reads as a number (WALK_PTR)
    }
    if (out && !write) *out = Reg::scalar(loaded_number(size));
    return true;
}

}  // namespace bpfplay::verifier
