// The special fields of a map value, as the kernel finds them in the value's BTF when the map
// is created (btf_parse_fields, then map_check_btf): a struct bpf_spin_lock, a struct bpf_timer, and kptrs
// (pointers tagged "kptr", "kptr_untrusted" or "percpu_kptr"). Only top-level members are
// looked at (the kernel also looks into nested structs and arrays of them); a global data map's
// value is a DATASEC, whose variables are its members (btf_find_datasec_var).
//
// When the kernel refuses the value's BTF (two locks, a misaligned lock, an unknown pointer
// tag, a lock in a map type that cannot hold one), libbpf creates the map again without BTF;
// the map then has no fields, which is what spec.kernel_btf = false records.
#include "core/btf/special_fields.hpp"
#include "core/loader/object_state.hpp"

namespace bpfplay::loader {

namespace {

bool spin_lock_allowed(MapType t) {
    return t == MapType::Hash || t == MapType::Array;
}

// map_check_btf: only these map types may hold a struct bpf_timer (-EOPNOTSUPP otherwise).
bool timer_allowed(MapType t) {
    return t == MapType::Hash || t == MapType::LruHash || t == MapType::Array;
}

bool kptr_allowed(MapType t) {
    return t == MapType::Hash || t == MapType::PercpuHash || t == MapType::LruHash ||
           t == MapType::LruPercpuHash || t == MapType::Array || t == MapType::PercpuArray;
}

} // namespace

void find_value_fields(const Btf& btf, MapSpec& spec) {
    spec.spin_lock_off = -1;
    spec.timer_off = -1;
    spec.kptrs.clear();
    spec.kernel_btf = false;
    if (spec.btf_value_type_id == 0) return;
    auto refuse = [&] {
        spec.spin_lock_off = -1;
        spec.timer_off = -1;
        spec.kptrs.clear();
    };
    const uint32_t value = btf.skip_modifiers(spec.btf_value_type_id);
    spec.kernel_btf = true;
    // (type, bit offset) of each member, or of each variable of a DATASEC.
    std::vector<BtfMember> members;
    if (btf.kind(value) == BtfKind::Struct) {
        members.assign(btf.members(value).begin(), btf.members(value).end());
    } else if (btf.kind(value) == BtfKind::Datasec) {
        for (const BtfVarSecinfo& v : btf.datasec_entries(value)) {
            const BtfType* var = btf.type(v.type);
            if (!var || var->kind != BtfKind::Var) continue;
            BtfMember m;
            m.type = var->ref;
            m.bit_offset = v.offset * 8;
            members.push_back(m);
        }
    } else {
        return;
    }
    for (const BtfMember& m : members) {
        const uint32_t type = btf.skip_modifiers(m.type);
        const uint32_t off = m.bit_offset / 8;
        const SpecialFieldRow* special =
            btf.kind(type) == BtfKind::Struct ? special_field_named(btf.name(type)) : nullptr;
        if (special && special->field == SpecialField::SpinLock) {
            if (spec.spin_lock_off >= 0 || off % 4 || m.bit_offset % 8 || !spin_lock_allowed(spec.type)) {
                refuse();
                spec.kernel_btf = false;
                return;
            }
            spec.spin_lock_off = int32_t(off);
            continue;
        }
        if (special && special->field == SpecialField::Timer) {
            if (spec.timer_off >= 0 || off % 8 || m.bit_offset % 8 || !timer_allowed(spec.type)) {
                refuse();
                spec.kernel_btf = false;
                return;
            }
            spec.timer_off = int32_t(off);
            continue;
        }
        // A kptr: PTR -> TYPE_TAG("kptr"...) -> the struct (typedefs and qualifiers around it).
        const uint32_t ptr = btf.skip_qualifiers(m.type);
        if (btf.kind(ptr) != BtfKind::Ptr) continue;
        const BtfType* p = btf.type(ptr);
        if (btf.kind(p->ref) != BtfKind::TypeTag) continue;
        const std::string_view tag = btf.name(p->ref);
        KptrField field;
        if (tag == "kptr_untrusted")
            field.kind = KptrKind::Unreferenced;
        else if (tag == "kptr")
            field.kind = KptrKind::Referenced;
        else if (tag == "percpu_kptr")
            field.kind = KptrKind::Percpu;
        else if (tag == "uptr")
            continue;
        else {
            refuse(); // btf_find_kptr: an unknown tag (libbpf 1.1's "kptr_ref" among them)
            spec.kernel_btf = false;
            return;
        }
        if (m.bit_offset % 64 || !kptr_allowed(spec.type)) {
            refuse();
            spec.kernel_btf = false;
            return;
        }
        // A kptr to a struct the object only declares (BTF FWD: clang emits no body for a struct
        // the program never reads): Linux 6.18 creates the map without that kptr (a
        // bpf_kptr_xchg into it: "R1 has no valid kptr"; tests/verifier/corpus).
        const uint32_t target = btf.skip_modifiers(btf.type(p->ref)->ref);
        if (btf.kind(target) != BtfKind::Struct) continue;
        field.offset = off;
        field.type_name = std::string(btf.name(target));
        spec.kptrs.push_back(std::move(field));
    }
}

} // namespace bpfplay::loader
