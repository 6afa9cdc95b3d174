// BTF-defined map decoding, following libbpf's parse_btf_map_def rules:
//   - integer attributes are `int (*name)[N]`: a PTR to an ARRAY whose length is N;
//   - `key` / `value` are `T *name`: a PTR whose target's resolved size is the size;
//   - sizes given both ways must agree;
//   - `values` must be last, only for map-in-map (PTR to an inner definition struct) or
//     prog arrays (PTR to a FUNC_PROTO), and forces value_size 4;
//   - an inner definition may not itself have `values` or `pinning`;
//   - unknown attributes are errors (libbpf's default strict mode);
//   - a definition without `type` is an error.
#include <string>

#include "core/btf/btf_map_def.hpp"

namespace bpfplay {

namespace {

constexpr uint32_t kPinByName = 1;

// `shown` names the definition being parsed ("outer.inner" for an inner one, as libbpf
// says); where.map is always the map variable the learner declared.
Error map_error(std::string_view map, std::string what, std::string_view shown = {}) {
    Error e = make_error(ErrorKind::Load,
                         "map '" + std::string(shown.empty() ? map : shown) + "': " + std::move(what));
    e.where.section = ".maps";
    e.where.map = std::string(map);
    return e;
}

class MapDefParser {
public:
    MapDefParser(const Btf& btf, std::string_view map_name, std::string shown_name = {})
        : btf_(btf), map_(map_name), shown_(std::move(shown_name)) {}

    // `outer` is null while parsing an inner definition.
    Result<Unit> parse(uint32_t struct_id, BtfMapAttrs& attrs, BtfMapDef* outer) {
        const BtfType* t = btf_.type(struct_id);
        if (!t || t->kind != BtfKind::Struct)
            return fail("the definition is " + kind_of(struct_id) + ", not a struct");
        auto members = btf_.members(struct_id);
        for (size_t i = 0; i < members.size(); ++i) {
            const BtfMember& m = members[i];
            std::string_view name = btf_.string_at(m.name_off);
            if (auto ok = parse_member(name, m, i + 1 == members.size(), attrs, outer); !ok) return ok;
        }
        if (attrs.type == 0) return fail("map type isn't specified (add __uint(type, BPF_MAP_TYPE_...))");
        return Unit{};
    }

private:
    Error fail(std::string what) const { return map_error(map_, std::move(what), shown_); }

    std::string kind_of(uint32_t id) const {
        const BtfType* t = btf_.type(id);
        return t ? btf_kind_name(t->kind) : "a missing type";
    }

    // __uint(name, N) is `int (*name)[N]`.
    Result<uint32_t> int_attr(std::string_view name, const BtfMember& m) const {
        uint32_t ptr = btf_.skip_modifiers(m.type);
        if (btf_.kind(ptr) != BtfKind::Ptr)
            return fail("attribute '" + std::string(name) + "': expected a pointer to an array (__uint), got " +
                        kind_of(ptr));
        uint32_t arr = btf_.type(ptr)->ref;
        if (btf_.kind(arr) != BtfKind::Array)
            return fail("attribute '" + std::string(name) + "': expected a pointer to an array (__uint), got a pointer to " +
                        kind_of(arr));
        return btf_.type(arr)->array.nelems;
    }

    // __ulong(name, N) is an anonymous enum with one enumerator of value N; __uint also works.
    Result<uint64_t> long_attr(std::string_view name, const BtfMember& m) const {
        uint32_t id = btf_.skip_modifiers(m.type);
        if (btf_.kind(id) == BtfKind::Ptr) {
            auto v = int_attr(name, m);
            if (!v) return v.error();
            return uint64_t{*v};
        }
        if (!btf_.type(id) || !btf_.type(id)->is_enum())
            return fail("attribute '" + std::string(name) + "': expected __uint or __ulong, got " + kind_of(id));
        auto values = btf_.enum_values(id);
        if (values.size() != 1)
            return fail("attribute '" + std::string(name) + "': __ulong enum must have exactly one value");
        return values[0].value;
    }

    // __type(name, T) is `T *name`: the pointer's target gives size and type id.
    Result<uint32_t> typed_attr(std::string_view name, const BtfMember& m, uint32_t& type_id) const {
        if (btf_.kind(m.type) != BtfKind::Ptr)
            return fail("'" + std::string(name) + "' must be declared with __type(" + std::string(name) +
                        ", T) (a pointer), got " + kind_of(m.type));
        type_id = btf_.type(m.type)->ref;
        auto size = btf_.resolve_size(type_id);
        if (!size)
            return fail("can't determine " + std::string(name) + " size for type id " + std::to_string(type_id) +
                        ": " + size.error().what);
        return *size;
    }

    Result<Unit> set_size(const char* what, uint32_t& field, uint32_t size) const {
        if (field != 0 && field != size)
            return fail(std::string("conflicting ") + what + " size " + std::to_string(field) +
                        " != " + std::to_string(size));
        field = size;
        return Unit{};
    }

    Result<Unit> parse_member(std::string_view name, const BtfMember& m, bool is_last, BtfMapAttrs& a,
                              BtfMapDef* outer) {
        auto into = [&](uint32_t& field) -> Result<Unit> {
            auto v = int_attr(name, m);
            if (!v) return v.error();
            field = *v;
            return Unit{};
        };
        if (name == "type") return into(a.type);
        if (name == "max_entries") return into(a.max_entries);
        if (name == "map_flags") return into(a.map_flags);
        if (name == "numa_node") return into(a.numa_node);
        if (name == "key_size" || name == "value_size") {
            auto v = int_attr(name, m);
            if (!v) return v.error();
            return name == "key_size" ? set_size("key", a.key_size, *v) : set_size("value", a.value_size, *v);
        }
        if (name == "key" || name == "value") {
            uint32_t type_id = 0;
            auto size = typed_attr(name, m, type_id);
            if (!size) return size.error();
            bool key = name == "key";
            if (auto ok = set_size(key ? "key" : "value", key ? a.key_size : a.value_size, *size); !ok) return ok;
            (key ? a.key_type_id : a.value_type_id) = type_id;
            return Unit{};
        }
        if (name == "pinning") {
            if (!outer) return fail("an inner map definition can't be pinned");
            uint32_t v = 0;
            if (auto ok = into(v); !ok) return ok;
            if (v != 0 && v != kPinByName)
                return fail("invalid pinning value " + std::to_string(v) + " (0 = none, 1 = LIBBPF_PIN_BY_NAME)");
            a.pinning = v;
            return Unit{};
        }
        if (name == "map_extra") {
            auto v = long_attr(name, m);
            if (!v) return v.error();
            a.map_extra = *v;
            return Unit{};
        }
        if (name == "values") return parse_values(m, is_last, a, outer);
        return fail("unknown attribute '" + std::string(name) + "'");
    }

    Result<Unit> parse_values(const BtfMember& m, bool is_last, BtfMapAttrs& a, BtfMapDef* outer) {
        if (!outer) return fail("multi-level inner maps are not supported");
        if (!is_last) return fail("'values' must be the last member of the definition");
        bool map_in_map = a.type == kBpfMapTypeArrayOfMaps || a.type == kBpfMapTypeHashOfMaps;
        bool prog_array = a.type == kBpfMapTypeProgArray;
        if (!map_in_map && !prog_array)
            return fail("'values' needs an array/hash of maps or a prog array (declare __uint(type, ...) first)");
        const char* desc = map_in_map ? "map-in-map inner" : "prog-array value";
        if (auto ok = set_size("value", a.value_size, 4); !ok) return ok;
        const BtfType* arr = btf_.type(m.type);
        if (!arr || arr->kind != BtfKind::Array || arr->array.nelems != 0)
            return fail(std::string(desc) + " spec is not a zero-sized array (use __array(values, ...))");
        uint32_t ptr = btf_.skip_modifiers(arr->array.elem_type);
        if (btf_.kind(ptr) != BtfKind::Ptr)
            return fail(std::string(desc) + " def is of unexpected kind " + kind_of(ptr));
        uint32_t target = btf_.skip_modifiers(btf_.type(ptr)->ref);
        outer->values_offset = m.bit_offset / 8;
        if (prog_array) {
            if (btf_.kind(target) != BtfKind::FuncProto)
                return fail("prog-array value def is of unexpected kind " + kind_of(target) +
                            " (use __array(values, int (void *)))");
            outer->values = BtfMapValues::Programs;
            return Unit{};
        }
        if (btf_.kind(target) != BtfKind::Struct)
            return fail("map-in-map inner def is of unexpected kind " + kind_of(target));
        BtfMapAttrs inner;
        MapDefParser inner_parser(btf_, map_, map_ + ".inner");
        if (auto ok = inner_parser.parse_inner(target, inner); !ok) return ok;
        outer->inner = inner;
        outer->values = BtfMapValues::Maps;
        return Unit{};
    }

    Result<Unit> parse_inner(uint32_t struct_id, BtfMapAttrs& attrs) { return parse(struct_id, attrs, nullptr); }

    const Btf& btf_;
    std::string map_;    // the declared map variable
    std::string shown_;  // name used in messages when it differs (inner definitions)
};

}  // namespace

Result<BtfMapDef> parse_btf_map_def(const Btf& btf, uint32_t def_type_id, std::string_view map_name) {
    BtfMapDef def;
    def.name = map_name;
    def.def_type_id = btf.skip_modifiers(def_type_id);
    MapDefParser parser(btf, map_name);
    if (auto ok = parser.parse(def.def_type_id, def, &def); !ok) return ok.error();
    return def;
}

Result<std::vector<BtfMapDef>> parse_btf_map_defs(const Btf& btf) {
    std::vector<BtfMapDef> defs;
    std::optional<BtfDatasec> maps = btf.datasec(".maps");
    if (!maps) return defs;
    for (size_t i = 0; i < maps->vars.size(); ++i) {
        const BtfDatasecVar& v = maps->vars[i];
        if (v.name.empty()) return map_error("#" + std::to_string(i), "empty name");
        if (btf.kind(v.var_type_id) != BtfKind::Var)
            return map_error(v.name, std::string("unexpected ") + btf_kind_name(btf.kind(v.var_type_id)) +
                                         " in .maps (expected a variable)");
        if (v.linkage != kBtfLinkageGlobal)
            return map_error(v.name, std::string("unsupported map linkage ") +
                                         (v.linkage == kBtfLinkageStatic ? "static" : "extern") +
                                         " (maps must be non-static globals)");
        uint32_t def_id = btf.skip_modifiers(v.type_id);
        if (btf.kind(def_id) != BtfKind::Struct)
            return map_error(v.name, std::string("unexpected definition kind ") + btf_kind_name(btf.kind(def_id)) +
                                         " (expected a struct)");
        if (btf.type(def_id)->size > v.size)
            return map_error(v.name, "invalid definition size: struct is " + std::to_string(btf.type(def_id)->size) +
                                         " bytes, the variable " + std::to_string(v.size));
        auto def = parse_btf_map_def(btf, def_id, v.name);
        if (!def) return def.error();
        def->var_type_id = v.var_type_id;
        def->section_offset = v.offset;
        def->section_size = v.size;
        defs.push_back(std::move(*def));
    }
    return defs;
}

}  // namespace bpfplay
