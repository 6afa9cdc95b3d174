#include "core/verifier/btf_walk.hpp"

#include "core/btf/builtin_target_btf.hpp"
#include "core/verifier/env.hpp"

namespace bpfplay::verifier {

namespace {

BtfLoad walk_refused(std::string m) { return BtfLoad{BtfLoad::Kind::Refused, std::move(m), 0, ""}; }
BtfLoad walk_unknown(std::string m) { return BtfLoad{BtfLoad::Kind::CannotTell, std::move(m), 0, ""}; }

// A struct whose last member is an array of no elements (a flexible array member): the kernel
// lets reads past the struct's end land in it.
bool ends_in_flex_array(const Btf& btf, uint32_t struct_id) {
    const auto members = btf.members(struct_id);
    if (members.empty()) return false;
    const uint32_t last = btf.skip_modifiers(members.back().type);
    return btf.kind(last) == BtfKind::Array && btf.type(last)->array.nelems == 0;
}

}  // namespace

std::string btf_object_name(uint32_t type_id) {
    const Btf& btf = builtin_target_btf();
    return std::string(btf.name(btf.skip_modifiers(type_id)));
}

bool btf_struct_ids_match(uint32_t have, uint32_t want, bool strict) {
    const Btf& btf = builtin_target_btf();
    for (uint32_t t = btf.skip_modifiers(have), depth = 0; t != 0 && depth < 32; ++depth) {
        if (t == want) return true;
        if (strict || btf.kind(t) != BtfKind::Struct) return false;
        const auto members = btf.members(t);
        if (members.empty() || members.front().bit_offset != 0) return false;
        t = btf.skip_modifiers(members.front().type);
    }
    return false;
}

uint32_t btf_struct_id(const char* name) {
    return builtin_target_btf().find_by_name(name, BtfKind::Struct).value_or(0);
}

namespace {

bool scalar_struct_at(const Btf& btf, uint32_t t, int depth) {
    if (depth > 32) return false;  // MAX_RESOLVE_DEPTH
    for (const BtfMember& m : btf.members(t)) {
        uint32_t mt = btf.skip_modifiers(m.type);
        while (btf.kind(mt) == BtfKind::Array) mt = btf.skip_modifiers(btf.type(mt)->array.elem_type);
        const BtfKind k = btf.kind(mt);
        if (k == BtfKind::Struct) {
            if (!scalar_struct_at(btf, mt, depth + 1)) return false;
            continue;
        }
        if (k != BtfKind::Int && k != BtfKind::Enum && k != BtfKind::Enum64 && k != BtfKind::Float) return false;
    }
    return true;
}

}  // namespace

bool btf_struct_is_scalar(uint32_t type_id) {
    const Btf& btf = builtin_target_btf();
    const uint32_t t = btf.skip_modifiers(type_id);
    return btf.kind(t) == BtfKind::Struct && scalar_struct_at(btf, t, 0);
}

BtfLoad btf_object_read(uint32_t type_id, int64_t off, uint32_t size) {
    return btf_object_read(builtin_target_btf(), type_id, off, size);
}

BtfLoad btf_object_read(const Btf& btf, uint32_t type_id, int64_t off, uint32_t size) {
    uint32_t t = btf.skip_modifiers(type_id);
    // btf_struct_walk walks a union as a struct (its first member holding the bytes decides),
    // but what it finds past a union of several members is PTR_UNTRUSTED: a number may then
    // run past its member's end, and a pointer is untrusted (not tracked by the checker).
    bool untrusted = false;
    for (;;) {
        const BtfType* st = btf.type(t);
        const std::string_view name = btf.name(t);
        const std::string tname = name.empty() ? "(anon)" : std::string(name);
        if (!st || st->kind == BtfKind::Fwd || t == 0) return walk_unknown("a read of a kernel struct the built-in BTF has no layout of");
        if (st->kind != BtfKind::Struct && st->kind != BtfKind::Union) return walk_unknown("a read of a kernel object that is not a struct");
        if (st->kind == BtfKind::Union && btf.members(t).size() != 1) untrusted = true;
        if (off + size > st->size) {
            if (ends_in_flex_array(btf, t)) return walk_unknown("a read past a kernel struct into its flexible array");
            return walk_refused(fmt("access beyond struct %s at off %u size %u", tname.c_str(), unsigned(off), size));
        }
        bool descended = false;
        for (const BtfMember& m : btf.members(t)) {
            const int64_t moff = m.bit_offset / 8;
            if (off + size <= moff) break;  // past the bytes read: nothing further can hold them
            if (m.bitfield_size) {
                // A read covering a bitfield's bytes whole reads it; any other overlap looks on.
                const uint32_t end_bit = m.bit_offset + m.bitfield_size;
                if (off <= moff && (end_bit + 7) / 8 <= uint64_t(off) + size) return BtfLoad{BtfLoad::Kind::Number, "", 0, ""};
                continue;
            }
            if (off < moff) break;  // a hole between members
            const auto msize = btf.resolve_size(m.type);
            if (!msize) return walk_unknown("a kernel struct field without a size");
            const int64_t mtrue_end = moff + *msize;
            if (off >= mtrue_end) continue;
            uint32_t mt = btf.skip_modifiers(m.type);
            int64_t elem_off = moff;
            if (btf.kind(mt) == BtfKind::Array) {
                if (moff == mtrue_end) continue;  // an empty array
                // Arrays (nested ones flattened) as a run of their innermost elements.
                uint64_t count = 1;
                while (btf.kind(mt) == BtfKind::Array) {
                    count *= btf.type(mt)->array.nelems;
                    mt = btf.skip_modifiers(btf.type(mt)->array.elem_type);
                }
                if (count == 0) continue;
                const int64_t elem_size = int64_t(*msize / count);
                if (elem_size == 0) return walk_unknown("a kernel struct field of empty elements");
                elem_off = moff + (off - moff) / elem_size * elem_size;
            }
            const BtfKind k = btf.kind(mt);
            if (k == BtfKind::Struct || k == BtfKind::Union) {
                off -= elem_off;
                t = mt;
                descended = true;
                break;
            }
            const std::string mname(btf.string_at(m.name_off));
            if (k == BtfKind::Ptr) {
                // btf_struct_walk: a pointer member is read whole; a pointer to a struct is a
                // kernel object pointer (WALK_PTR), any other pointer a number.
                if (off != moff || int64_t(size) != mtrue_end - moff)
                    return walk_refused(fmt("cannot access ptr member %s with moff %u in struct %s with off %u size %u",
                                            mname.c_str(), unsigned(moff), tname.c_str(), unsigned(off), size));
                const uint32_t pointee = btf.skip_modifiers(btf.type(mt)->ref);
                const BtfKind pk = btf.kind(pointee);
                if (pk == BtfKind::Struct && untrusted)
                    return walk_unknown(fmt("a pointer field (%s) read through a kernel union (untrusted)", mname.c_str()));
                if (pk == BtfKind::Struct) return BtfLoad{BtfLoad::Kind::Object, "", pointee, mname};
                if (pk == BtfKind::Union || pk == BtfKind::Fwd)
                    return walk_unknown(fmt("a pointer field (%s of struct %s) to a kernel type the built-in BTF has no "
                                            "layout of", mname.c_str(), tname.c_str()));
                return BtfLoad{BtfLoad::Kind::Number, "", 0, ""};
            }
            if (k != BtfKind::Int && k != BtfKind::Enum && k != BtfKind::Enum64)
                return walk_unknown(fmt("a kernel struct field of this kind (%s of struct %s)", mname.c_str(), tname.c_str()));
            if (off + size > mtrue_end && !untrusted)
                return walk_refused(fmt("access beyond the end of member %s (mend:%u) in struct %s with off %u size %u", mname.c_str(),
                                        unsigned(mtrue_end), tname.c_str(), unsigned(off), size));
            return BtfLoad{BtfLoad::Kind::Number, "", 0, ""};
        }
        if (!descended) return walk_refused(fmt("struct %s doesn't have field at offset %d", tname.c_str(), int(off)));
    }
}

}  // namespace bpfplay::verifier
