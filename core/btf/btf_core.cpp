// CO-RE relocation resolution, following libbpf's relo_core.c: parse the access string into
// a "spec" against the local BTF, match it against each candidate target type, and compute
// the relocated value from the local spec (orig) and the matched target spec (new).
#include "core/btf/btf_core.hpp"

#include <charconv>
#include <vector>

#include "core/btf/btf_bytes.hpp"

namespace bpfplay {

namespace {

using btf_detail::hex;

constexpr size_t kMaxSpecLen = 64;  // BPF_CORE_SPEC_MAX_LEN
constexpr int kMaxMatchDepth = 32;  // libbpf's recursion limit for type matching

enum class Family { Field, Type, Enumval };

Family family_of(BtfCoreReloKind k) {
    switch (k) {
    case BtfCoreReloKind::FieldByteOffset:
    case BtfCoreReloKind::FieldByteSize:
    case BtfCoreReloKind::FieldExists:
    case BtfCoreReloKind::FieldSigned:
    case BtfCoreReloKind::FieldLshiftU64:
    case BtfCoreReloKind::FieldRshiftU64: return Family::Field;
    case BtfCoreReloKind::EnumvalExists:
    case BtfCoreReloKind::EnumvalValue: return Family::Enumval;
    case BtfCoreReloKind::TypeIdLocal:
    case BtfCoreReloKind::TypeIdTarget:
    case BtfCoreReloKind::TypeExists:
    case BtfCoreReloKind::TypeSize:
    case BtfCoreReloKind::TypeMatches: return Family::Type;
    }
    return Family::Type;
}

// One step of a spec (libbpf's bpf_core_accessor). A named member: type_id is the struct or
// union holding it, idx its member index. An array element (or the root): type_id is the
// element's type, name empty. An enumerator (spec of length 1): type_id the enum.
struct Accessor {
    uint32_t type_id = 0;
    uint32_t idx = 0;
    std::string_view name;
};

struct Spec {
    const Btf* btf = nullptr;
    uint32_t root_type_id = 0;
    std::vector<uint32_t> raw;  // the access string's numbers (for the target: its own indexes)
    std::vector<Accessor> acc;
    uint64_t bit_offset = 0;
};

Error err(std::string what) { return make_error(ErrorKind::Load, std::move(what)); }

bool kinds_core_compat(BtfKind a, BtfKind b) {
    auto is_enum = [](BtfKind k) { return k == BtfKind::Enum || k == BtfKind::Enum64; };
    return a == b || (is_enum(a) && is_enum(b));
}

bool essential_names_equal(std::string_view a, std::string_view b) {
    return a.substr(0, core_essential_name_len(a)) == b.substr(0, core_essential_name_len(b));
}

// "[7] struct task_struct.real_parent.pid (0:8:3 @ offset 12)" -- libbpf's bpf_core_format_spec.
std::string format_spec(const Spec& s, Family fam) {
    const Btf& btf = *s.btf;
    std::string out = "[" + std::to_string(s.root_type_id) + "] " + btf.type_to_string(s.root_type_id);
    if (fam == Family::Enumval && !s.acc.empty()) {
        out += "::" + std::string(s.acc[0].name) + " = " +
               std::to_string(int64_t(btf.enum_values(s.acc[0].type_id)[s.acc[0].idx].value));
    } else if (fam == Family::Field) {
        for (size_t i = 1; i < s.acc.size(); ++i)
            out += s.acc[i].name.empty() ? "[" + std::to_string(s.acc[i].idx) + "]" : "." + std::string(s.acc[i].name);
    }
    std::string raw;
    for (uint32_t r : s.raw) raw += (raw.empty() ? "" : ":") + std::to_string(r);
    out += " (" + raw;
    if (fam == Family::Field) out += " @ offset " + std::to_string(s.bit_offset / 8);
    if (fam == Family::Field && s.bit_offset % 8) out += "." + std::to_string(s.bit_offset % 8);
    return out + ")";
}

Result<std::vector<uint32_t>> parse_access(std::string_view s) {
    std::vector<uint32_t> access;
    while (true) {
        const size_t colon = s.find(':');
        std::string_view part = s.substr(0, colon);
        uint32_t idx = 0;
        auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), idx);
        if (part.empty() || ec != std::errc() || end != part.data() + part.size())
            return err("the access string is not a list of numbers separated by ':'");
        access.push_back(idx);
        if (access.size() > kMaxSpecLen) return err("the access string has more than 64 steps");
        if (colon == std::string_view::npos) break;
        s.remove_prefix(colon + 1);
        if (s.empty()) return err("the access string ends with ':'");
    }
    return access;
}

bool add_bits(Spec& s, uint64_t bytes) {
    // Offsets beyond 4 GiB cannot be patched into any instruction; stop before overflowing.
    if (bytes > UINT32_MAX || s.bit_offset / 8 + bytes > UINT32_MAX) return false;
    s.bit_offset += bytes * 8;
    return true;
}

// libbpf's bpf_core_parse_spec, on the local BTF.
Result<Spec> parse_local_spec(const Btf& btf, const BtfCoreRelo& relo, Family fam) {
    Spec spec;
    spec.btf = &btf;
    spec.root_type_id = relo.type_id;
    if (!btf.type(relo.type_id) || relo.type_id == 0) return err("the root type does not exist");
    if (relo.access.empty()) return err("the access string is empty");
    auto access = parse_access(relo.access);
    if (!access) return access.error();
    spec.raw = *access;
    if (fam == Family::Type) {
        if (relo.access != "0") return err("a type-based relocation's access string must be \"0\"");
        return spec;
    }
    uint32_t id = btf.skip_modifiers(relo.type_id);
    if (fam == Family::Enumval) {
        const BtfType* t = btf.type(id);
        if (!t || !t->is_enum() || spec.raw.size() != 1 || spec.raw[0] >= t->vlen)
            return err("an enum-value relocation must name one enumerator of an enum");
        spec.acc.push_back({id, spec.raw[0], btf.string_at(btf.enum_values(id)[spec.raw[0]].name_off)});
        return spec;
    }
    auto root_size = btf.resolve_size(id);
    if (!root_size) return err("the root type has no size: " + root_size.error().what);
    if (!add_bits(spec, uint64_t(spec.raw[0]) * *root_size)) return err("the access reaches past 4 GiB");
    spec.acc.push_back({id, spec.raw[0], {}});
    for (size_t i = 1; i < spec.raw.size(); ++i) {
        id = btf.skip_modifiers(id);
        const BtfType* t = btf.type(id);
        if (!t) return err("type [" + std::to_string(id) + "] does not exist");
        const uint32_t idx = spec.raw[i];
        if (t->is_struct_or_union()) {
            auto members = btf.members(id);
            if (idx >= members.size())
                return err("step " + std::to_string(i) + " selects member " + std::to_string(idx) + " of " +
                           btf.type_to_string(id) + ", which has " + std::to_string(members.size()));
            spec.bit_offset += members[idx].bit_offset;
            const std::string_view name = btf.string_at(members[idx].name_off);
            if (!name.empty()) spec.acc.push_back({id, idx, name});  // anonymous members are only a path
            id = members[idx].type;
        } else if (t->kind == BtfKind::Array) {
            // A flexible array (no elements) may be indexed past its size.
            if (t->array.nelems != 0 && idx >= t->array.nelems)
                return err("step " + std::to_string(i) + " indexes element " + std::to_string(idx) + " of a " +
                           std::to_string(t->array.nelems) + "-element array");
            const uint32_t elem = btf.skip_modifiers(t->array.elem_type);
            auto elem_size = btf.resolve_size(elem);
            if (!elem_size) return err("an array element has no size: " + elem_size.error().what);
            if (!add_bits(spec, uint64_t(idx) * *elem_size)) return err("the access reaches past 4 GiB");
            spec.acc.push_back({elem, idx, {}});
            id = elem;
        } else {
            return err("step " + std::to_string(i) + " goes into " + btf.type_to_string(id) + ", a " +
                       btf_kind_name(t->kind) + ", which has neither members nor elements");
        }
    }
    return spec;
}

// libbpf's bpf_core_fields_are_compat: could a field of local type `a` be read as target `b`?
bool fields_compat(const Btf& lb, uint32_t a, const Btf& tb, uint32_t b) {
    for (int depth = 0; depth < kMaxMatchDepth; ++depth) {
        a = lb.skip_modifiers(a);
        b = tb.skip_modifiers(b);
        const BtfType* la = lb.type(a);
        const BtfType* tt = tb.type(b);
        if (!la || !tt) return false;
        if (la->is_struct_or_union() && tt->is_struct_or_union()) return true;
        if (!kinds_core_compat(la->kind, tt->kind)) return false;
        switch (la->kind) {
        case BtfKind::Ptr:
        case BtfKind::Float: return true;
        case BtfKind::Fwd:
        case BtfKind::Enum:
        case BtfKind::Enum64: return essential_names_equal(lb.name(a), tb.name(b));
        case BtfKind::Int: return la->int_info.bit_offset == 0 && tt->int_info.bit_offset == 0;
        case BtfKind::Array:
            a = la->array.elem_type;
            b = tt->array.elem_type;
            continue;
        case BtfKind::Void: case BtfKind::Struct: case BtfKind::Union: case BtfKind::Typedef:
        case BtfKind::Volatile: case BtfKind::Const: case BtfKind::Restrict: case BtfKind::Func:
        case BtfKind::FuncProto: case BtfKind::Var: case BtfKind::Datasec: case BtfKind::DeclTag:
        case BtfKind::TypeTag: return false;
        }
    }
    return false;
}

// libbpf's bpf_core_match_member: finds `name` in target struct/union `id`, looking inside
// anonymous struct/union members too. Appends the accessors of the path and adds offsets.
// Returns the matched member's type, 0 if there is no compatible member of that name.
uint32_t match_member(const Btf& lb, uint32_t local_member_type, std::string_view name, const Btf& tb, uint32_t id,
                      Spec& ts, int depth) {
    if (depth > kMaxMatchDepth) return 0;
    id = tb.skip_modifiers(id);
    const BtfType* t = tb.type(id);
    if (!t || !t->is_struct_or_union()) return 0;
    auto members = tb.members(id);
    for (uint32_t i = 0; i < members.size(); ++i) {
        const std::string_view mname = tb.string_at(members[i].name_off);
        const uint64_t saved = ts.bit_offset;
        ts.bit_offset += members[i].bit_offset;
        if (mname.empty()) {
            const BtfType* mt = tb.type(tb.skip_modifiers(members[i].type));
            if (mt && mt->is_struct_or_union()) {
                ts.raw.push_back(i);  // an anonymous member: part of the path, no accessor
                if (uint32_t found = match_member(lb, local_member_type, name, tb, members[i].type, ts, depth + 1))
                    return found;
                ts.raw.pop_back();
            }
        } else if (mname == name) {
            if (!fields_compat(lb, local_member_type, tb, members[i].type)) break;
            ts.raw.push_back(i);
            ts.acc.push_back({id, i, mname});
            return members[i].type;
        }
        ts.bit_offset = saved;
    }
    return 0;
}

// libbpf's bpf_core_spec_match for field-based relocations. False: the target has no
// field the access could mean.
bool match_field_spec(const Spec& ls, const Btf& tb, uint32_t cand, Spec& ts) {
    ts = Spec{};
    ts.btf = &tb;
    ts.root_type_id = cand;
    uint32_t id = tb.skip_modifiers(cand);
    auto size = tb.resolve_size(id);
    if (!size) return false;
    ts.raw.push_back(ls.acc[0].idx);
    ts.acc.push_back({id, ls.acc[0].idx, {}});
    if (!add_bits(ts, uint64_t(ls.acc[0].idx) * *size)) return false;
    for (size_t i = 1; i < ls.acc.size(); ++i) {
        const Accessor& la = ls.acc[i];
        if (!la.name.empty()) {
            const uint32_t local_member_type = ls.btf->members(la.type_id)[la.idx].type;
            const uint32_t found = match_member(*ls.btf, local_member_type, la.name, tb, id, ts, 0);
            if (!found) return false;
            id = found;
        } else {
            const uint32_t arr = tb.skip_modifiers(id);
            const BtfType* t = tb.type(arr);
            if (!t || t->kind != BtfKind::Array) return false;
            if (t->array.nelems != 0 && la.idx >= t->array.nelems) return false;
            const uint32_t elem = tb.skip_modifiers(t->array.elem_type);
            auto elem_size = tb.resolve_size(elem);
            if (!elem_size || !add_bits(ts, uint64_t(la.idx) * *elem_size)) return false;
            ts.raw.push_back(la.idx);
            ts.acc.push_back({elem, la.idx, {}});
            id = elem;
        }
    }
    return true;
}

// libbpf's bpf_core_types_are_compat (TYPE_EXISTS, TYPE_SIZE, TYPE_ID_TARGET).
bool types_compat(const Btf& lb, uint32_t a, const Btf& tb, uint32_t b) {
    for (int depth = 0; depth < kMaxMatchDepth; ++depth) {
        a = lb.skip_modifiers(a);
        b = tb.skip_modifiers(b);
        const BtfType* la = lb.type(a);
        const BtfType* tt = tb.type(b);
        if (!la || !tt || !kinds_core_compat(la->kind, tt->kind)) return false;
        switch (la->kind) {
        case BtfKind::Void:
        case BtfKind::Struct:
        case BtfKind::Union:
        case BtfKind::Enum:
        case BtfKind::Enum64:
        case BtfKind::Fwd: return true;
        case BtfKind::Int: return la->int_info.bit_offset == 0 && tt->int_info.bit_offset == 0;
        case BtfKind::Ptr:
            a = la->ref;
            b = tt->ref;
            continue;
        case BtfKind::Array:
            a = la->array.elem_type;
            b = tt->array.elem_type;
            continue;
        case BtfKind::FuncProto: {
            auto lp = lb.params(a);
            auto tp = tb.params(b);
            if (lp.size() != tp.size()) return false;
            for (size_t i = 0; i < lp.size(); ++i)
                if (!types_compat(lb, lp[i].type, tb, tp[i].type)) return false;
            a = la->ref;
            b = tt->ref;
            continue;
        }
        case BtfKind::Typedef: case BtfKind::Volatile: case BtfKind::Const: case BtfKind::Restrict:
        case BtfKind::Func: case BtfKind::Var: case BtfKind::Datasec: case BtfKind::Float:
        case BtfKind::DeclTag:
        case BtfKind::TypeTag: return false;
        }
    }
    return false;
}

// A simplified bpf_core_types_match (TYPE_MATCHES): the kinds agree (typedefs and qualifiers
// skipped); named structs/unions/enums/forwards have equal essential names; ints have the same size and signedness;
// every local enumerator name exists in the target enum; every local struct/union member has
// a same-named target member whose type matches (offsets may differ); behind a pointer,
// structs/unions/forward declarations match by name alone; arrays need the same length;
// function prototypes the same number of matching parameters. libbpf additionally checks
// enum sizes and forward-declaration kinds; this does not.
bool types_match(const Btf& lb, uint32_t a, const Btf& tb, uint32_t b, bool behind_ptr, int depth) {
    if (depth > kMaxMatchDepth) return false;
    a = lb.skip_modifiers(a);
    b = tb.skip_modifiers(b);
    const BtfType* la = lb.type(a);
    const BtfType* tt = tb.type(b);
    if (!la || !tt) return false;
    // Named structs, unions, enums and forward declarations must agree on the name; ints and
    // floats need not ("unsigned long" from clang is "long unsigned int" in a gcc-built vmlinux).
    const std::string_view ln = lb.name(a), tn = tb.name(b);
    const bool composite_or_fwd_l = la->is_struct_or_union() || la->kind == BtfKind::Fwd;
    const bool composite_or_fwd_t = tt->is_struct_or_union() || tt->kind == BtfKind::Fwd;
    if ((composite_or_fwd_l || la->is_enum()) && !ln.empty() && !essential_names_equal(ln, tn)) return false;
    if (behind_ptr && composite_or_fwd_l && composite_or_fwd_t) return true;
    if (!kinds_core_compat(la->kind, tt->kind)) return false;
    switch (la->kind) {
    case BtfKind::Void:
    case BtfKind::Fwd:
    case BtfKind::Float: return la->kind != BtfKind::Float || la->size == tt->size;
    case BtfKind::Int:
        return la->size == tt->size && (la->int_info.encoding & kBtfIntSigned) == (tt->int_info.encoding & kBtfIntSigned);
    case BtfKind::Enum:
    case BtfKind::Enum64:
        for (const BtfEnumValue& lv : lb.enum_values(a)) {
            bool found = false;
            for (const BtfEnumValue& tv : tb.enum_values(b))
                found |= essential_names_equal(lb.string_at(lv.name_off), tb.string_at(tv.name_off));
            if (!found) return false;
        }
        return true;
    case BtfKind::Struct:
    case BtfKind::Union:
        for (const BtfMember& lm : lb.members(a)) {
            const std::string_view name = lb.string_at(lm.name_off);
            bool found = false;
            for (const BtfMember& tm : tb.members(b)) {
                if (tb.string_at(tm.name_off) != name) continue;
                found = types_match(lb, lm.type, tb, tm.type, false, depth + 1);
                break;
            }
            if (!found) return false;
        }
        return true;
    case BtfKind::Ptr: return types_match(lb, la->ref, tb, tt->ref, true, depth + 1);
    case BtfKind::Array:
        return la->array.nelems == tt->array.nelems &&
               types_match(lb, la->array.elem_type, tb, tt->array.elem_type, behind_ptr, depth + 1);
    case BtfKind::FuncProto: {
        auto lp = lb.params(a);
        auto tp = tb.params(b);
        if (lp.size() != tp.size()) return false;
        for (size_t i = 0; i < lp.size(); ++i)
            if (!types_match(lb, lp[i].type, tb, tp[i].type, behind_ptr, depth + 1)) return false;
        return types_match(lb, la->ref, tb, tt->ref, behind_ptr, depth + 1);
    }
    case BtfKind::Typedef: case BtfKind::Volatile: case BtfKind::Const: case BtfKind::Restrict:
    case BtfKind::Func: case BtfKind::Var: case BtfKind::Datasec: case BtfKind::DeclTag:
    case BtfKind::TypeTag: break;
    }
    return false;
}

// libbpf's bpf_core_spec_match for enum-value relocations.
bool match_enumval_spec(const Spec& ls, const Btf& tb, uint32_t cand, Spec& ts) {
    ts = Spec{};
    ts.btf = &tb;
    ts.root_type_id = cand;
    const uint32_t id = tb.skip_modifiers(cand);
    const BtfType* t = tb.type(id);
    if (!t || !t->is_enum()) return false;
    auto values = tb.enum_values(id);
    for (uint32_t i = 0; i < values.size(); ++i) {
        const std::string_view n = tb.string_at(values[i].name_off);
        if (n.empty() || !essential_names_equal(n, ls.acc[0].name)) continue;
        ts.raw.push_back(i);
        ts.acc.push_back({id, i, n});
        return true;
    }
    return false;
}

struct FieldValue {
    uint64_t val = 0;
    uint32_t field_sz = 0;   // byte offset of a non-bitfield field: its size
    uint32_t field_type = 0;
    bool validate = true;
};

// libbpf's bpf_core_calc_field_relo (spec matched; FIELD_EXISTS handled by the caller).
Result<FieldValue> calc_field(const Spec& s, BtfCoreReloKind kind) {
    const Btf& btf = *s.btf;
    const Accessor& acc = s.acc.back();
    FieldValue out;
    if (acc.name.empty()) {  // an array element, or the root itself
        auto sz = btf.resolve_size(acc.type_id);
        if (!sz) return err("the accessed element has no size: " + sz.error().what);
        if (kind == BtfCoreReloKind::FieldByteOffset) {
            out.val = s.bit_offset / 8;
            out.field_sz = *sz;
            out.field_type = acc.type_id;
        } else if (kind == BtfCoreReloKind::FieldByteSize) {
            out.val = *sz;
        } else {
            return err(std::string("a ") + btf_core_relo_kind_name(kind) +
                       " relocation cannot be applied to an array element");
        }
        return out;
    }
    const BtfMember& m = btf.members(acc.type_id)[acc.idx];
    const uint32_t field_type = btf.skip_modifiers(m.type);
    const BtfType* mt = btf.type(field_type);
    const uint64_t bit_off = s.bit_offset;
    uint64_t bit_sz = m.bitfield_size;
    uint64_t byte_off = 0, byte_sz = 0;
    const bool bitfield = bit_sz > 0;
    if (bitfield) {
        // A bitfield is read with the smallest aligned load that covers it.
        byte_sz = mt ? mt->size : 0;
        if (byte_sz == 0 || byte_sz > 8) return err("the bitfield's type is not an integer of 1 to 8 bytes");
        byte_off = bit_off / 8 / byte_sz * byte_sz;
        while (bit_off + bit_sz - byte_off * 8 > byte_sz * 8) {
            if (byte_sz >= 8) return err("the bitfield cannot be read with one 64-bit load");
            byte_sz *= 2;
            byte_off = bit_off / 8 / byte_sz * byte_sz;
        }
    } else {
        auto sz = btf.resolve_size(field_type);
        if (!sz) return err("the field has no size: " + sz.error().what);
        byte_sz = *sz;
        byte_off = bit_off / 8;
        bit_sz = byte_sz * 8;
    }
    // For bitfields, clang's choices are ambiguous: only signedness and the right shift are
    // held against the instruction (libbpf does the same).
    out.validate = !bitfield;
    switch (kind) {
    case BtfCoreReloKind::FieldByteOffset:
        out.val = byte_off;
        if (!bitfield) {
            out.field_sz = uint32_t(byte_sz);
            out.field_type = field_type;
        }
        break;
    case BtfCoreReloKind::FieldByteSize: out.val = byte_sz; break;
    case BtfCoreReloKind::FieldSigned:
        out.val = mt && ((mt->is_enum() && mt->enum_signed()) ||
                         (mt->kind == BtfKind::Int && (mt->int_info.encoding & kBtfIntSigned)));
        out.validate = true;
        break;
    case BtfCoreReloKind::FieldLshiftU64: out.val = 64 - (bit_off + bit_sz - byte_off * 8); break;  // little-endian
    case BtfCoreReloKind::FieldRshiftU64:
        out.val = 64 - bit_sz;
        out.validate = true;
        break;
    case BtfCoreReloKind::FieldExists: case BtfCoreReloKind::TypeIdLocal: case BtfCoreReloKind::TypeIdTarget:
    case BtfCoreReloKind::TypeExists: case BtfCoreReloKind::TypeSize: case BtfCoreReloKind::EnumvalExists:
    case BtfCoreReloKind::EnumvalValue:
    case BtfCoreReloKind::TypeMatches: return err("not a field relocation");
    }
    return out;
}

// libbpf's bpf_core_calc_type_relo.
Result<uint64_t> calc_type(const Spec* s, BtfCoreReloKind kind) {
    if (!s) return uint64_t(0);  // type-based relocations give 0 when the target lacks the type
    switch (kind) {
    case BtfCoreReloKind::TypeIdTarget: return uint64_t(s->root_type_id);
    case BtfCoreReloKind::TypeExists:
    case BtfCoreReloKind::TypeMatches: return uint64_t(1);
    case BtfCoreReloKind::TypeSize: {
        auto sz = s->btf->resolve_size(s->root_type_id);
        if (!sz) return err("the type has no size: " + sz.error().what);
        return uint64_t(*sz);
    }
    case BtfCoreReloKind::FieldByteOffset: case BtfCoreReloKind::FieldByteSize:
    case BtfCoreReloKind::FieldExists: case BtfCoreReloKind::FieldSigned:
    case BtfCoreReloKind::FieldLshiftU64: case BtfCoreReloKind::FieldRshiftU64:
    case BtfCoreReloKind::TypeIdLocal: case BtfCoreReloKind::EnumvalExists:
    case BtfCoreReloKind::EnumvalValue: break;
    }
    return err("not a type relocation");
}

// libbpf's bpf_core_calc_enumval_relo; nullopt asks for poisoning.
std::optional<uint64_t> calc_enumval(const Spec* s, BtfCoreReloKind kind) {
    if (kind == BtfCoreReloKind::EnumvalExists) return uint64_t(s ? 1 : 0);
    if (!s) return std::nullopt;
    const BtfType* t = s->btf->type(s->acc[0].type_id);
    const uint64_t v = s->btf->enum_values(s->acc[0].type_id)[s->acc[0].idx].value;
    // libbpf reads a 32-bit enumerator as __s32, so it is sign-extended whatever the enum's sign.
    return t->kind == BtfKind::Enum ? uint64_t(int64_t(int32_t(uint32_t(v)))) : v;
}

// The target types CO-RE considers for a local type: same essential name, compatible kind.
std::vector<uint32_t> find_candidates(const Btf& local, uint32_t local_id, const Btf& target) {
    std::vector<uint32_t> out;
    const BtfType* lt = local.type(local_id);
    const std::string_view name = local.name(local_id);
    if (!lt || name.empty()) return out;
    for (uint32_t id = 1; id < target.type_count(); ++id)
        if (kinds_core_compat(target.kind(id), lt->kind) && essential_names_equal(target.name(id), name))
            out.push_back(id);
    return out;
}

}  // namespace

size_t core_essential_name_len(std::string_view name) {
    // The last "X___Y" in the name, X and Y not underscores, ends the essential part.
    for (int64_t i = int64_t(name.size()) - 5; i >= 0; --i) {
        const char* s = name.data() + i;
        if (s[0] != '_' && s[1] == '_' && s[2] == '_' && s[3] == '_' && s[4] != '_') return size_t(i + 1);
    }
    return name.size();
}

Result<CoreReloResult> resolve_core_relo(const Btf& local, const BtfCoreRelo& relo, const Btf& kernel) {
    const BtfCoreReloKind kind = relo.kind;
    if (uint32_t(kind) > kBtfCoreReloKindMax) return err("unknown CO-RE relocation kind " + std::to_string(uint32_t(kind)));
    const Family fam = family_of(kind);
    auto parsed = parse_local_spec(local, relo, fam);
    if (!parsed) return parsed.error();
    const Spec& ls = *parsed;
    CoreReloResult res;
    res.local_spec = format_spec(ls, fam);

    if (kind == BtfCoreReloKind::TypeIdLocal) {
        // The id may change when objects are linked: libbpf never validates it.
        res.orig_val = res.new_val = relo.type_id;
        res.validate = false;
        return res;
    }

    // Against the kernel when it has types of this name; otherwise against the type itself.
    std::vector<uint32_t> cands = find_candidates(local, relo.type_id, kernel);
    const Btf& target = cands.empty() ? local : kernel;
    res.against_kernel = !cands.empty();
    if (cands.empty()) cands.push_back(relo.type_id);

    // Match every candidate; libbpf requires all matches to agree, so does this.
    std::optional<Spec> matched;
    for (uint32_t cand : cands) {
        Spec ts;
        bool ok = false;
        if (&target == &local && cand == relo.type_id) {
            ts = ls;  // the local type itself: the spec is its own match
            ok = true;
        } else if (fam == Family::Field) {
            ok = match_field_spec(ls, target, cand, ts);
        } else if (fam == Family::Enumval) {
            ok = match_enumval_spec(ls, target, cand, ts);
        } else {
            ts.btf = &target;
            ts.root_type_id = cand;
            ts.raw = {0};
            ok = kind == BtfCoreReloKind::TypeMatches ? types_match(local, relo.type_id, target, cand, false, 0)
                                                      : types_compat(local, relo.type_id, target, cand);
        }
        if (!ok) continue;
        if (!matched) {
            matched = std::move(ts);
            continue;
        }
        // Another match: it must relocate to the same place.
        if (fam == Family::Field && ts.bit_offset != matched->bit_offset)
            return err("the access matches " + format_spec(*matched, fam) + " and " + format_spec(ts, fam) +
                       " in the target BTF, at different offsets");
    }
    const Spec* ts = matched ? &*matched : nullptr;
    if (ts) {
        res.target_type_id = ts->root_type_id;
        res.target_spec = format_spec(*ts, fam);
    }
    const std::string where = res.against_kernel ? "the emulated kernel's BTF" : "the object's BTF";

    switch (fam) {
    case Family::Field: {
        if (kind == BtfCoreReloKind::FieldExists) {
            res.orig_val = 1;
            res.new_val = ts ? 1 : 0;
            return res;
        }
        auto orig = calc_field(ls, kind);
        if (!orig) return orig.error();
        res.orig_val = orig->val;
        res.orig_sz = orig->field_sz;
        res.validate = orig->validate;
        if (!ts) {
            res.poison = true;
            res.new_val = res.orig_val;
            res.poison_reason = "no field of " + where + " matches " + res.local_spec;
            return res;
        }
        auto now = calc_field(*ts, kind);
        if (!now) return now.error();
        res.new_val = now->val;
        res.new_sz = now->field_sz;
        if (res.orig_sz != res.new_sz) {
            // Resizing a load/store keeps the value only for pointers and unsigned integers.
            const BtfType* ot = local.type(orig->field_type);
            const BtfType* nt = target.type(now->field_type);
            const bool ptrs = ot && nt && ot->kind == BtfKind::Ptr && nt->kind == BtfKind::Ptr;
            const bool uints = ot && nt && ot->kind == BtfKind::Int && nt->kind == BtfKind::Int &&
                               !(ot->int_info.encoding & kBtfIntSigned) && !(nt->int_info.encoding & kBtfIntSigned);
            res.fail_memsz_adjust = !ptrs && !uints;
        }
        return res;
    }
    case Family::Type: {
        auto orig = calc_type(&ls, kind);
        if (!orig) return orig.error();
        auto now = calc_type(ts, kind);
        if (!now) return now.error();
        res.orig_val = *orig;
        res.new_val = *now;
        // A type id may change when objects are linked: never validated.
        res.validate = kind != BtfCoreReloKind::TypeIdTarget;
        return res;
    }
    case Family::Enumval: {
        res.orig_val = *calc_enumval(&ls, kind);
        auto now = calc_enumval(ts, kind);
        if (!now) {
            res.poison = true;
            res.new_val = res.orig_val;
            res.poison_reason = "no enumerator of " + where + " matches " + res.local_spec;
            return res;
        }
        res.new_val = *now;
        return res;
    }
    }
    return res;
}

}  // namespace bpfplay
