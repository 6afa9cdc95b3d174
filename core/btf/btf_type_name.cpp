// C spelling of BTF types. C declarators read inside-out ("int (*)[4]" is a pointer to
// an array of int), so the declarator is built while walking from the outermost type to
// the base type, then the base type's name is put in front. The walk is a loop; only
// function parameter lists recurse, with a depth cap, and output length is capped too,
// so hostile BTF (a prototype whose parameter points back to itself) stays bounded.
#include <string>

#include "core/btf/btf.hpp"

namespace bpfplay {

namespace {

constexpr int kMaxParamDepth = 4;       // nested function-pointer parameter lists
constexpr size_t kMaxParamText = 512;   // characters of one parameter list
constexpr size_t kMaxDeclText = 1024;   // characters of one declarator (long pointer chains)

class TypeNamer {
public:
    explicit TypeNamer(const Btf& btf) : btf_(btf) {}

    // `decl` is the declarator so far: a variable or function name, or empty.
    std::string spell(uint32_t id, std::string decl, int depth) const {
        std::string quals;  // qualifiers waiting for the pointer or base type they apply to
        for (uint32_t steps = 0; steps <= btf_.type_count(); ++steps) {
            if (decl.size() > kMaxDeclText) return join(quals, "...", decl);
            const BtfType* t = btf_.type(id);
            if (!t) return join(quals, "<bad type id " + std::to_string(id) + ">", decl);
            switch (t->kind) {
            case BtfKind::Const: add_qual(quals, "const"); id = t->ref; continue;
            case BtfKind::Volatile: add_qual(quals, "volatile"); id = t->ref; continue;
            case BtfKind::Restrict: add_qual(quals, "restrict"); id = t->ref; continue;
            case BtfKind::TypeTag:
            case BtfKind::DeclTag: id = t->ref; continue;  // annotations, not C types
            case BtfKind::Ptr:
                // "char *const p": qualifiers above a pointer go after its star.
                decl = "*" + quals + (quals.empty() || decl.empty() ? "" : " ") + decl;
                quals.clear();
                id = t->ref;
                continue;
            case BtfKind::Array:
                // Array binds tighter than "*", so a pointer declarator needs parentheses.
                if (!decl.empty() && decl[0] == '*') decl = "(" + decl + ")";
                decl += "[" + std::to_string(t->array.nelems) + "]";
                id = t->array.elem_type;
                continue;
            case BtfKind::FuncProto:
                if (!decl.empty() && decl[0] == '*') decl = "(" + decl + ")";
                decl += "(" + param_list(id, depth) + ")";
                quals.clear();
                id = t->ref;
                continue;
            case BtfKind::Func:
            case BtfKind::Var:
                decl = std::string(btf_.name(id)) + (decl.empty() ? "" : " " + decl);
                id = t->ref;
                continue;
            case BtfKind::Void: case BtfKind::Int: case BtfKind::Struct: case BtfKind::Union:
            case BtfKind::Enum: case BtfKind::Fwd: case BtfKind::Typedef: case BtfKind::Datasec:
            case BtfKind::Float:
            case BtfKind::Enum64: return join(quals, base_name(id), decl);
            }
        }
        return join(quals, "<type loop>", decl);
    }

private:
    static void add_qual(std::string& quals, const char* q) {
        if (!quals.empty()) quals += ' ';
        quals += q;
    }

    static std::string join(const std::string& quals, const std::string& base, const std::string& decl) {
        std::string out = quals.empty() ? base : quals + " " + base;
        if (decl.empty()) return out;
        return decl[0] == '[' ? out + decl : out + " " + decl;
    }

    std::string base_name(uint32_t id) const {
        const BtfType* t = btf_.type(id);
        std::string n(btf_.name(id));
        switch (t->kind) {
        case BtfKind::Void: return "void";
        case BtfKind::Struct: return n.empty() ? "struct { ... }" : "struct " + n;
        case BtfKind::Union: return n.empty() ? "union { ... }" : "union " + n;
        case BtfKind::Enum:
        case BtfKind::Enum64: return n.empty() ? "enum { ... }" : "enum " + n;
        case BtfKind::Fwd: return (t->kind_flag ? "union " : "struct ") + n;
        case BtfKind::Datasec: return "SEC(\"" + n + "\")";
        case BtfKind::Int: case BtfKind::Ptr: case BtfKind::Array: case BtfKind::Typedef:
        case BtfKind::Volatile: case BtfKind::Const: case BtfKind::Restrict: case BtfKind::Func:
        case BtfKind::FuncProto: case BtfKind::Var: case BtfKind::Float: case BtfKind::DeclTag:
        case BtfKind::TypeTag: break;
        }
        return n;  // int, float, typedef: their own names
    }

    std::string param_list(uint32_t proto_id, int depth) const {
        auto params = btf_.params(proto_id);
        if (params.empty()) return "void";
        if (depth >= kMaxParamDepth) return "...";
        std::string out;
        for (size_t i = 0; i < params.size(); ++i) {
            if (i) out += ", ";
            if (out.size() > kMaxParamText) return out + "...";
            const BtfParam& p = params[i];
            if (p.type == 0 && p.name_off == 0) out += "...";  // variadic marker
            else out += spell(p.type, std::string(btf_.string_at(p.name_off)), depth + 1);
        }
        return out;
    }

    const Btf& btf_;
};

}  // namespace

std::string Btf::type_to_string(uint32_t id) const { return TypeNamer(*this).spell(id, {}, 0); }

}  // namespace bpfplay
