// Read-only queries over a validated Btf. Validation guarantees that ids inside records
// exist and chains do not loop; the step caps below are belt and braces, so a bug
// elsewhere can make an answer wrong but never make a query spin.
#include <algorithm>
#include <string>

#include "core/btf/btf.hpp"
#include "core/btf/btf_bytes.hpp"
#include "core/btf/btf_validate.hpp"

namespace bpfplay {

const char* btf_kind_name(BtfKind kind) {
    switch (kind) {
    case BtfKind::Void: return "void";
    case BtfKind::Int: return "int";
    case BtfKind::Ptr: return "ptr";
    case BtfKind::Array: return "array";
    case BtfKind::Struct: return "struct";
    case BtfKind::Union: return "union";
    case BtfKind::Enum: return "enum";
    case BtfKind::Fwd: return "fwd";
    case BtfKind::Typedef: return "typedef";
    case BtfKind::Volatile: return "volatile";
    case BtfKind::Const: return "const";
    case BtfKind::Restrict: return "restrict";
    case BtfKind::Func: return "func";
    case BtfKind::FuncProto: return "func_proto";
    case BtfKind::Var: return "var";
    case BtfKind::Datasec: return "datasec";
    case BtfKind::Float: return "float";
    case BtfKind::DeclTag: return "decl_tag";
    case BtfKind::TypeTag: return "type_tag";
    case BtfKind::Enum64: return "enum64";
    }
    return "unknown";
}

Btf::Btf(BtfData data) : d_(std::move(data)) {
    if (!d_.strings) d_.strings = std::make_shared<const std::string>(std::string(1, '\0'));
    if (d_.types.empty()) d_.types.push_back(BtfType{});
    if (d_.sizes.size() != d_.types.size()) {
        d_.sizes.resize(d_.types.size(), 0);
        d_.has_size.resize(d_.types.size(), 0);
    }
}

const BtfType* Btf::type(uint32_t id) const { return id < d_.types.size() ? &d_.types[id] : nullptr; }

BtfKind Btf::kind(uint32_t id) const { return id < d_.types.size() ? d_.types[id].kind : BtfKind::Void; }

std::string_view Btf::name(uint32_t id) const {
    const BtfType* t = type(id);
    return t ? string_at(t->name_off) : std::string_view{};
}

bool Btf::string_offset_valid(uint32_t offset) const { return offset < d_.strings->size(); }

std::string_view Btf::string_at(uint32_t offset) const {
    if (!string_offset_valid(offset)) return {};
    // The string section ends in NUL (checked at parse), so this stops inside it.
    return std::string_view(d_.strings->c_str() + offset);
}

std::span<const BtfMember> Btf::members(uint32_t id) const {
    const BtfType* t = type(id);
    if (!t || !t->is_struct_or_union()) return {};
    return std::span<const BtfMember>(d_.members).subspan(t->first_item, t->vlen);
}

std::span<const BtfEnumValue> Btf::enum_values(uint32_t id) const {
    const BtfType* t = type(id);
    if (!t || !t->is_enum()) return {};
    return std::span<const BtfEnumValue>(d_.enum_values).subspan(t->first_item, t->vlen);
}

std::span<const BtfParam> Btf::params(uint32_t id) const {
    const BtfType* t = type(id);
    if (!t || t->kind != BtfKind::FuncProto) return {};
    return std::span<const BtfParam>(d_.params).subspan(t->first_item, t->vlen);
}

std::span<const BtfVarSecinfo> Btf::datasec_entries(uint32_t id) const {
    const BtfType* t = type(id);
    if (!t || t->kind != BtfKind::Datasec) return {};
    return std::span<const BtfVarSecinfo>(d_.secinfos).subspan(t->first_item, t->vlen);
}

Result<uint32_t> Btf::resolve_size(uint32_t id) const {
    if (id >= d_.types.size())
        return btf_detail::btf_error("type id " + std::to_string(id) + " does not exist (the section has " +
                                     std::to_string(d_.types.size()) + " types)");
    if (!d_.has_size[id])
        return btf_detail::btf_error(btf_detail::describe_type(d_, id) + " has no size");
    return d_.sizes[id];
}

static bool is_qualifier(BtfKind k) {
    return k == BtfKind::Volatile || k == BtfKind::Const || k == BtfKind::Restrict || k == BtfKind::TypeTag;
}

uint32_t Btf::skip_modifiers(uint32_t id) const {
    for (size_t steps = 0; steps < d_.types.size() && id < d_.types.size(); ++steps) {
        BtfKind k = d_.types[id].kind;
        if (k != BtfKind::Typedef && !is_qualifier(k)) break;
        id = d_.types[id].ref;
    }
    return id;
}

uint32_t Btf::skip_to_layout(uint32_t id) const {
    for (size_t steps = 0; steps < d_.types.size() && id < d_.types.size(); ++steps) {
        BtfKind k = d_.types[id].kind;
        if (k != BtfKind::Typedef && k != BtfKind::Var && !is_qualifier(k)) break;
        id = d_.types[id].ref;
    }
    return id;
}

uint32_t Btf::skip_qualifiers(uint32_t id) const {
    for (size_t steps = 0; steps < d_.types.size() && id < d_.types.size(); ++steps) {
        if (!is_qualifier(d_.types[id].kind)) break;
        id = d_.types[id].ref;
    }
    return id;
}

const std::vector<uint32_t>& Btf::ids_by_name() const {
    if (!ids_by_name_) {
        std::vector<uint32_t> ids(d_.types.size() > 0 ? d_.types.size() - 1 : 0);
        for (uint32_t i = 0; i < ids.size(); ++i) ids[i] = i + 1;
        // Stable: ids of one name stay in increasing order, so the first of a kind is the one
        // a scan from id 1 would have found.
        std::stable_sort(ids.begin(), ids.end(), [this](uint32_t a, uint32_t b) {
            return string_at(d_.types[a].name_off) < string_at(d_.types[b].name_off);
        });
        ids_by_name_ = std::make_shared<const std::vector<uint32_t>>(std::move(ids));
    }
    return *ids_by_name_;
}

std::optional<uint32_t> Btf::find_by_name(std::string_view wanted, BtfKind k) const {
    const std::vector<uint32_t>& ids = ids_by_name();
    auto it = std::lower_bound(ids.begin(), ids.end(), wanted, [this](uint32_t id, std::string_view w) {
        return string_at(d_.types[id].name_off) < w;
    });
    for (; it != ids.end() && string_at(d_.types[*it].name_off) == wanted; ++it)
        if (d_.types[*it].kind == k) return *it;
    return std::nullopt;
}

std::optional<BtfDatasec> Btf::datasec(std::string_view wanted) const {
    std::optional<uint32_t> id = find_by_name(wanted, BtfKind::Datasec);
    if (!id) return std::nullopt;
    BtfDatasec sec;
    sec.type_id = *id;
    sec.name = name(*id);
    sec.size = d_.types[*id].size;
    for (const BtfVarSecinfo& e : datasec_entries(*id)) {
        const BtfType& var = d_.types[e.type];  // validated: exists, VAR or FUNC
        BtfDatasecVar v;
        v.name = string_at(var.name_off);
        v.var_type_id = e.type;
        v.type_id = var.kind == BtfKind::Var ? var.ref : 0;
        v.offset = e.offset;
        v.size = e.size;
        v.linkage = var.linkage;
        sec.vars.push_back(v);
    }
    return sec;
}

Result<Unit> Btf::fix_datasec_layout(std::string_view datasec_name, uint32_t section_size,
                                     const std::function<std::optional<uint32_t>(std::string_view)>& symbol_offset,
                                     bool externs_too) {
    std::optional<uint32_t> id = find_by_name(datasec_name, BtfKind::Datasec);
    if (!id) return btf_detail::btf_error("no DATASEC named '" + std::string(datasec_name) + "'");
    BtfType& sec = d_.types[*id];
    for (uint32_t i = 0; i < sec.vlen; ++i) {
        BtfVarSecinfo& e = d_.secinfos[sec.first_item + i];
        const BtfType& var = d_.types[e.type];
        std::string_view var_name = string_at(var.name_off);
        // Static and extern variables may have no symbol; libbpf leaves those alone too.
        if (var.kind == BtfKind::Var && var.linkage != kBtfLinkageStatic &&
            (externs_too || var.linkage != kBtfLinkageExtern)) {
            if (std::optional<uint32_t> off = symbol_offset(var_name)) e.offset = *off;
        }
        if (uint64_t{e.offset} + e.size > section_size)
            return btf_detail::btf_error("DATASEC '" + std::string(datasec_name) + "': variable '" +
                                         std::string(var_name) + "' at offset " + std::to_string(e.offset) +
                                         " with size " + std::to_string(e.size) + " does not fit in the " +
                                         std::to_string(section_size) + "-byte section");
    }
    // Keep entries in address order, as libbpf does after the same fixup.
    auto entries = std::span<BtfVarSecinfo>(d_.secinfos).subspan(sec.first_item, sec.vlen);
    std::stable_sort(entries.begin(), entries.end(),
                     [](const BtfVarSecinfo& a, const BtfVarSecinfo& b) { return a.offset < b.offset; });
    sec.size = section_size;
    d_.sizes[*id] = section_size;
    d_.has_size[*id] = 1;
    return Unit{};
}

}  // namespace bpfplay
