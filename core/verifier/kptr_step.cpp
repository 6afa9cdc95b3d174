// bpf_kptr_xchg (check_func_arg's ARG_KPTR_XCHG_DEST, process_kptr_func, map_kptr_match_type):
// its destination is a map value's referenced kptr field (a member tagged __kptr) at that
// field's exact offset; the pointer moved in is NULL or a referenced kernel object of the
// field's struct, which the map owns afterwards; the old value comes back referenced, or NULL.
#include "core/verifier/btf_walk.hpp"
#include "core/verifier/steps.hpp"

namespace bpfplay::verifier {

bool kptr_xchg_dest(Env& env, const Reg& r, int regno, const KptrField*& field) {
    if (r.type != RegType::MapValue || r.maybe_null)
        return env.refuse(Rule::HelperArg, fmt("R%d type=%s expected=map_value, ptr_", regno, reg_type_name(r, r.maybe_null).c_str()));
    const MapSpec* m = env.any_map(r.map);
    if (!m) return env.cannot_tell("bpf_kptr_xchg into a map value of an unknown map");
    if (!m->kernel_btf)
        return env.refuse(Rule::HelperArg, fmt("map '%s' has to have BTF in order to use bpf_kptr_xchg", kernel_map_name(*m).c_str()));
    if (!r.var.is_const())
        return env.refuse(Rule::HelperArg, fmt("R%d doesn't have constant offset. kptr has to be at the constant offset", regno));
    if (m->kptrs.empty()) return env.refuse(Rule::HelperArg, fmt("R%d has no valid kptr", regno));
    const int64_t off = int64_t(r.off) + int64_t(r.var.value());
    field = nullptr;
    for (const KptrField& f : m->kptrs)
        if (int64_t(f.offset) == off) field = &f;
    if (!field) return env.refuse(Rule::HelperArg, fmt("off=%d doesn't point to kptr", int(off)));
    switch (field->kind) {
    case KptrKind::Unreferenced: return env.refuse(Rule::HelperArg, fmt("off=%d kptr isn't referenced kptr", int(off)));
    case KptrKind::Percpu: return env.cannot_tell("bpf_kptr_xchg of a percpu kptr (a bpf_percpu_obj_new object)");
    case KptrKind::Referenced: break;
    }
    if (btf_struct_id(field->type_name.c_str()) == 0)
        return env.cannot_tell("a kptr to struct " + field->type_name + ", which the built-in BTF lacks (a program's own type?)");
    return true;
}

bool kptr_xchg_value(Env& env, const Reg& r, int regno, const KptrField& field, uint32_t& release_ref) {
    if (r.type == RegType::Scalar && r.var.is_const() && r.var.value() == 0) return true;  // NULL: nothing moves in
    if (r.type != RegType::BtfId || r.untrusted)
        return env.refuse(Rule::HelperArg, fmt("R%d type=%s expected=ptr_, trusted_ptr_, rcu_ptr_", regno, reg_type_name(r).c_str()));
    if (r.maybe_null) return env.refuse(Rule::NullPointer, fmt("Possibly NULL pointer passed to helper arg%d", regno));
    if (r.off != 0 || !r.var.is_const() || r.var.value() != 0)
        return env.cannot_tell(fmt("a kernel object pointer at an offset into its object as bpf_kptr_xchg's R%d", regno));
    // A referenced kptr takes exactly its struct (btf_struct_ids_match, strict).
    if (!btf_struct_ids_match(r.map, btf_struct_id(field.type_name.c_str()), true))
        return env.refuse(Rule::HelperArg, fmt("invalid kptr access, R%d type=%s%s expected=ptr_%s", regno, reg_type_name(r).c_str(),
                                               btf_object_name(r.map).c_str(), field.type_name.c_str()));
    if (r.ref_obj_id == 0) return env.refuse(Rule::Reference, fmt("R%d must be referenced when passed to release function", regno));
    release_ref = r.ref_obj_id;
    return true;
}

Reg kptr_xchg_result(Env& env, const KptrField& field) {
    Reg r0;
    r0.type = RegType::BtfId;
    r0.map = btf_struct_id(field.type_name.c_str());
    r0.var = Scalar::constant(0);
    // RET_PTR_TO_BTF_ID_OR_NULL: an id for the NULL check, then the caller acquires its
    // reference (is_acquire_function), which takes the next id.
    r0.maybe_null = true;
    r0.id = env.new_id();
    return r0;
}

}  // namespace bpfplay::verifier
