#include "core/verifier/kfunc_compat.hpp"

#include <cctype>
#include <string>
#include <vector>

namespace bpfplay::verifier {

namespace {

// The kinds libbpf compares (btf_kind_core_compat: equal kinds, any enum with any enum).
enum class CompatKind : uint8_t { Void, Int, Enum, Struct, Union, Fwd, Ptr, Other };

struct CompatType {
    CompatKind kind = CompatKind::Other;
    CompatKind pointee = CompatKind::Other;  // Ptr: what it points at
    bool known = true;                       // false: a type the comparison does not model
};

CompatKind btf_compat_kind(const Btf& btf, uint32_t id) {
    const uint32_t t = btf.skip_modifiers(id);
    switch (btf.kind(t)) {
    case BtfKind::Void: return CompatKind::Void;
    case BtfKind::Int: return CompatKind::Int;
    case BtfKind::Enum:
    case BtfKind::Enum64: return CompatKind::Enum;
    case BtfKind::Struct: return CompatKind::Struct;
    case BtfKind::Union: return CompatKind::Union;
    case BtfKind::Fwd: return CompatKind::Fwd;
    case BtfKind::Ptr: return CompatKind::Ptr;
    case BtfKind::Array:
    case BtfKind::Typedef:
    case BtfKind::Volatile:
    case BtfKind::Const:
    case BtfKind::Restrict:
    case BtfKind::Func:
    case BtfKind::FuncProto:
    case BtfKind::Var:
    case BtfKind::Datasec:
    case BtfKind::Float:
    case BtfKind::DeclTag:
    case BtfKind::TypeTag: return CompatKind::Other;
    }
    return CompatKind::Other;
}

CompatType btf_compat_type(const Btf& btf, uint32_t id) {
    CompatType c;
    c.kind = btf_compat_kind(btf, id);
    if (c.kind == CompatKind::Ptr) c.pointee = btf_compat_kind(btf, btf.type(btf.skip_modifiers(id))->ref);
    c.known = c.kind != CompatKind::Other && (c.kind != CompatKind::Ptr || c.pointee != CompatKind::Other);
    if (c.kind == CompatKind::Ptr && c.pointee == CompatKind::Ptr) c.known = false;  // deeper than modelled
    return c;
}

std::string_view compat_trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

// A kernel C type as the catalog spells it: "enum tcp_ca_event", "u32", "const struct sock *".
CompatKind decl_base_kind(std::string_view base) {
    while (base.substr(0, 6) == "const " || base.substr(0, 9) == "volatile ") base = compat_trim(base.substr(base.find(' ') + 1));
    if (base == "void") return CompatKind::Void;
    if (base.substr(0, 5) == "enum ") return CompatKind::Enum;
    if (base.substr(0, 7) == "struct ") return CompatKind::Struct;
    if (base.substr(0, 6) == "union ") return CompatKind::Union;
    return CompatKind::Int;  // the kernel's integer types and their typedefs
}

CompatType decl_compat_type(std::string_view type) {
    CompatType c;
    if (type.find('(') != std::string_view::npos || type.find('[') != std::string_view::npos) {
        c.known = false;
        return c;
    }
    const size_t star = type.find('*');
    const CompatKind base = decl_base_kind(compat_trim(type.substr(0, star)));
    if (star == std::string_view::npos) {
        c.kind = base;
        return c;
    }
    c.kind = CompatKind::Ptr;
    c.pointee = type.find('*', star + 1) == std::string_view::npos ? base : CompatKind::Ptr;
    c.known = c.pointee != CompatKind::Ptr;
    return c;
}

bool compat_kinds(CompatKind a, CompatKind b) { return a == b; }

const char* compat_kind_name(CompatKind k) {
    switch (k) {
    case CompatKind::Void: return "void";
    case CompatKind::Int: return "an integer";
    case CompatKind::Enum: return "an enum";
    case CompatKind::Struct: return "a struct";
    case CompatKind::Union: return "a union";
    case CompatKind::Fwd: return "a forward-declared struct";
    case CompatKind::Ptr: return "a pointer";
    case CompatKind::Other: return "another type";
    }
    return "another type";
}

std::string compat_describe(const CompatType& t) {
    return t.kind == CompatKind::Ptr ? std::string("a pointer to ") + compat_kind_name(t.pointee) : compat_kind_name(t.kind);
}

// "" when compatible (or not modelled), else what differs.
std::string compat_compare(const CompatType& object, const CompatType& kernel, const std::string& what) {
    if (!object.known || !kernel.known) return "";
    if (compat_kinds(object.kind, kernel.kind) && (object.kind != CompatKind::Ptr || compat_kinds(object.pointee, kernel.pointee)))
        return "";
    return what + " is " + compat_describe(object) + " where the kernel's is " + compat_describe(kernel);
}

}  // namespace

std::string kfunc_proto_mismatch(const Btf& object_btf, uint32_t func_id, std::string_view name, std::string_view kernel_decl) {
    if (object_btf.kind(func_id) != BtfKind::Func) return "";
    const uint32_t proto = object_btf.type(func_id)->ref;
    if (object_btf.kind(proto) != BtfKind::FuncProto) return "";
    // The kernel's declaration: "<ret> <name>(<params>)".
    const std::string call = std::string(name) + "(";
    const size_t at = kernel_decl.find(call);
    if (at == std::string_view::npos || kernel_decl.back() != ')') return "";
    std::vector<std::string_view> params;
    const std::string_view rest = kernel_decl.substr(at + call.size(), kernel_decl.size() - at - call.size() - 1);
    if (!compat_trim(rest).empty() && compat_trim(rest) != "void") {
        int depth = 0;
        size_t start = 0;
        for (size_t i = 0; i <= rest.size(); ++i) {
            if (i < rest.size() && rest[i] == '(') ++depth;
            if (i < rest.size() && rest[i] == ')') --depth;
            if (i < rest.size() && (rest[i] != ',' || depth != 0)) continue;
            std::string_view param = compat_trim(rest.substr(start, i - start));
            start = i + 1;
            size_t n = param.size();  // drop the parameter's name
            while (n > 0 && (std::isalnum(static_cast<unsigned char>(param[n - 1])) || param[n - 1] == '_')) --n;
            params.push_back(compat_trim(param.substr(0, n)));
        }
    }
    const auto object_params = object_btf.params(proto);
    if (object_params.size() != params.size())
        return std::to_string(object_params.size()) + " parameters where the kernel's has " + std::to_string(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
        const std::string d = compat_compare(btf_compat_type(object_btf, object_params[i].type), decl_compat_type(params[i]),
                                             "parameter " + std::to_string(i + 1));
        if (!d.empty()) return d;
    }
    const CompatType ret = object_btf.type(proto)->ref == 0 ? CompatType{CompatKind::Void, CompatKind::Other, true}
                                                            : btf_compat_type(object_btf, object_btf.type(proto)->ref);
    return compat_compare(ret, decl_compat_type(compat_trim(kernel_decl.substr(0, at))), "the return type");
}

}  // namespace bpfplay::verifier
