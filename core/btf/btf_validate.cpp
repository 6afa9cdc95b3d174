// Cross-type validation of decoded BTF, in three passes:
//   1. every referenced type id exists and has a kind that fits where it is used;
//   2. single-successor reference chains (typedef, qualifiers, ptr, array element, var,
//      func, decl tag) never loop -- so any later walk along them terminates;
//   3. an iterative depth-first walk over "contains by value" edges (struct/union members,
//      array elements, typedefs, qualifiers, vars) that rejects a struct containing
//      itself, computes every type's size in post-order (children first) and checks that
//      members lie inside their aggregate.
// Nothing here recurses, so hostile nesting depth cannot overflow the stack.
#include <string>
#include <vector>

#include "core/btf/btf_bytes.hpp"
#include "core/btf/btf_validate.hpp"

namespace bpfplay::btf_detail {

namespace {

std::string_view str_at(const BtfData& d, uint32_t off) {
    if (off >= d.strings->size()) return {};
    return std::string_view(d.strings->c_str() + off);
}

bool is_chain_kind(BtfKind k) {
    switch (k) {
    case BtfKind::Ptr:
    case BtfKind::Typedef:
    case BtfKind::Volatile:
    case BtfKind::Const:
    case BtfKind::Restrict:
    case BtfKind::TypeTag:
    case BtfKind::Func:
    case BtfKind::Var:
    case BtfKind::DeclTag:
    case BtfKind::Array: return true;
    case BtfKind::Void: case BtfKind::Int: case BtfKind::Struct: case BtfKind::Union: case BtfKind::Enum:
    case BtfKind::Fwd: case BtfKind::FuncProto: case BtfKind::Datasec: case BtfKind::Float:
    case BtfKind::Enum64: return false;
    }
    return false;
}

uint32_t chain_next(const BtfType& t) { return t.kind == BtfKind::Array ? t.array.elem_type : t.ref; }

// Kinds whose size is that of the type they refer to.
bool is_size_passthrough(BtfKind k) {
    return k == BtfKind::Typedef || k == BtfKind::Volatile || k == BtfKind::Const ||
           k == BtfKind::Restrict || k == BtfKind::TypeTag || k == BtfKind::Var;
}

class Validator {
public:
    explicit Validator(BtfData& d) : d_(d), n_(static_cast<uint32_t>(d.types.size())) {}

    Result<Unit> run() {
        for (uint32_t id = 1; id < n_; ++id)
            if (auto ok = check_references(id); !ok) return ok;
        if (auto ok = check_chains(); !ok) return ok;
        return walk_containment();
    }

private:
    std::string desc(uint32_t id) const { return describe_type(d_, id); }

    Result<Unit> check_ref(uint32_t id, uint32_t ref, const char* role, bool void_ok) const {
        if (ref >= n_)
            return btf_error(desc(id) + ": " + role + " refers to type id " + std::to_string(ref) +
                             ", but the section has only " + std::to_string(n_) + " types (ids 0.." +
                             std::to_string(n_ - 1) + ")");
        if (ref == 0 && !void_ok) return btf_error(desc(id) + ": " + role + " is void");
        return Unit{};
    }

    Result<Unit> check_references(uint32_t id) const {
        const BtfType& t = d_.types[id];
        switch (t.kind) {
        case BtfKind::Ptr:
        case BtfKind::Typedef:
        case BtfKind::Volatile:
        case BtfKind::Const:
        case BtfKind::Restrict:
        case BtfKind::TypeTag: return check_ref(id, t.ref, "referenced type", true);
        case BtfKind::FuncProto: {
            if (auto ok = check_ref(id, t.ref, "return type", true); !ok) return ok;
            for (uint32_t i = 0; i < t.vlen; ++i) {
                const BtfParam& p = d_.params[t.first_item + i];
                bool varargs = i + 1 == t.vlen && p.type == 0 && p.name_off == 0;
                if (varargs) continue;
                if (auto ok = check_ref(id, p.type, "parameter type", false); !ok) return ok;
            }
            return Unit{};
        }
        case BtfKind::Func: {
            if (auto ok = check_ref(id, t.ref, "prototype", false); !ok) return ok;
            if (d_.types[t.ref].kind != BtfKind::FuncProto)
                return btf_error(desc(id) + ": prototype is " + desc(t.ref) + ", not a func_proto");
            return Unit{};
        }
        case BtfKind::Var: return check_ref(id, t.ref, "variable type", false);
        case BtfKind::DeclTag: {
            if (auto ok = check_ref(id, t.ref, "tagged type", false); !ok) return ok;
            const BtfType& target = d_.types[t.ref];
            if (t.component_idx >= 0) {
                uint32_t limit = target.is_struct_or_union() ? target.vlen
                                 : target.kind == BtfKind::Func && target.ref < n_
                                     ? d_.types[target.ref].vlen
                                     : 0;
                if (static_cast<uint32_t>(t.component_idx) >= limit)
                    return btf_error(desc(id) + ": component_idx " + std::to_string(t.component_idx) +
                                     " is out of range for " + desc(t.ref));
            }
            return Unit{};
        }
        case BtfKind::Array:
            if (auto ok = check_ref(id, t.array.elem_type, "element type", false); !ok) return ok;
            return check_ref(id, t.array.index_type, "index type", true);
        case BtfKind::Struct:
        case BtfKind::Union:
            for (uint32_t i = 0; i < t.vlen; ++i)
                if (auto ok = check_ref(id, d_.members[t.first_item + i].type, "member type", false); !ok)
                    return ok;
            return Unit{};
        case BtfKind::Datasec:
            for (uint32_t i = 0; i < t.vlen; ++i) {
                uint32_t ref = d_.secinfos[t.first_item + i].type;
                if (auto ok = check_ref(id, ref, "section entry", false); !ok) return ok;
                BtfKind k = d_.types[ref].kind;
                if (k != BtfKind::Var && k != BtfKind::Func)
                    return btf_error(desc(id) + ": entry " + std::to_string(i) + " is " + desc(ref) +
                                     ", not a var or func");
            }
            return Unit{};
        case BtfKind::Void: case BtfKind::Int: case BtfKind::Enum: case BtfKind::Fwd: case BtfKind::Float:
        case BtfKind::Enum64: break;  // refer to nothing
        }
        return Unit{};
    }

    // Each chain-kind type has exactly one successor, so the chain graph is functional:
    // colour nodes as we walk and a node met again while still "on the path" closes a loop.
    Result<Unit> check_chains() const {
        enum : uint8_t { Unseen, OnPath, Done };
        std::vector<uint8_t> state(n_, Unseen);
        std::vector<uint32_t> path;
        for (uint32_t start = 1; start < n_; ++start) {
            path.clear();
            uint32_t cur = start;
            while (cur != 0 && state[cur] == Unseen && is_chain_kind(d_.types[cur].kind)) {
                state[cur] = OnPath;
                path.push_back(cur);
                cur = chain_next(d_.types[cur]);
            }
            if (cur != 0 && state[cur] == OnPath) {
                std::string loop;
                size_t first = 0;
                while (path[first] != cur) ++first;
                for (size_t i = first; i < path.size() && i < first + 8; ++i) loop += desc(path[i]) + " -> ";
                if (path.size() - first > 8) loop += "... -> ";
                return btf_error("reference loop: " + loop + desc(cur));
            }
            for (uint32_t id : path) state[id] = Done;
        }
        return Unit{};
    }

    // Children in the "contains by value" graph: the types whose size this one needs.
    uint32_t child_count(const BtfType& t) const {
        if (t.is_struct_or_union()) return t.vlen;
        if (t.kind == BtfKind::Array) return 1;
        return is_size_passthrough(t.kind) ? 1 : 0;
    }
    uint32_t child(const BtfType& t, uint32_t i) const {
        if (t.is_struct_or_union()) return d_.members[t.first_item + i].type;
        return chain_next(t);
    }

    Result<Unit> walk_containment() {
        enum : uint8_t { Unseen, Open, Closed };
        std::vector<uint8_t> state(n_, Unseen);
        d_.sizes.assign(n_, 0);
        d_.has_size.assign(n_, 0);
        struct Frame {
            uint32_t id;
            uint32_t next_child;
        };
        std::vector<Frame> stack;
        for (uint32_t root = 0; root < n_; ++root) {
            if (state[root] != Unseen) continue;
            state[root] = Open;
            stack.push_back({root, 0});
            while (!stack.empty()) {
                Frame& f = stack.back();
                const BtfType& t = d_.types[f.id];
                if (f.next_child < child_count(t)) {
                    uint32_t c = child(t, f.next_child++);
                    if (state[c] == Open)
                        return btf_error(desc(c) + " contains itself by value (through " + desc(f.id) + ")");
                    if (state[c] == Unseen) {
                        state[c] = Open;
                        stack.push_back({c, 0});
                    }
                    continue;
                }
                uint32_t done = f.id;
                stack.pop_back();
                state[done] = Closed;
                if (auto ok = finish(done); !ok) return ok;
            }
        }
        return Unit{};
    }

    // Called once every child of `id` is finished: compute its size, check its members.
    Result<Unit> finish(uint32_t id) {
        const BtfType& t = d_.types[id];
        switch (t.kind) {
        case BtfKind::Int:
        case BtfKind::Enum:
        case BtfKind::Enum64:
        case BtfKind::Float: set_size(id, t.size); return Unit{};
        case BtfKind::Ptr: set_size(id, 8); return Unit{};  // BPF pointers are 64-bit
        case BtfKind::Struct:
        case BtfKind::Union:
            set_size(id, t.size);
            return check_members(id);
        case BtfKind::Datasec:
            set_size(id, t.size);
            return check_datasec(id);
        case BtfKind::Array: {
            uint32_t elem = t.array.elem_type;
            if (!d_.has_size[elem])
                return btf_error(desc(id) + ": element " + desc(elem) + " has no size");
            uint64_t total = uint64_t{t.array.nelems} * d_.sizes[elem];
            if (total > UINT32_MAX)
                return btf_error(desc(id) + ": " + std::to_string(t.array.nelems) + " elements of " +
                                 std::to_string(d_.sizes[elem]) + " bytes = " + std::to_string(total) +
                                 " bytes, which overflows the 32-bit size");
            set_size(id, static_cast<uint32_t>(total));
            return Unit{};
        }
        case BtfKind::Void: case BtfKind::Fwd: case BtfKind::Typedef: case BtfKind::Volatile:
        case BtfKind::Const: case BtfKind::Restrict: case BtfKind::Func: case BtfKind::FuncProto:
        case BtfKind::Var: case BtfKind::DeclTag: case BtfKind::TypeTag:
            if (is_size_passthrough(t.kind) && d_.has_size[t.ref]) set_size(id, d_.sizes[t.ref]);
            break;
        }
        return Unit{};
    }

    void set_size(uint32_t id, uint32_t size) {
        d_.sizes[id] = size;
        d_.has_size[id] = 1;
    }

    // Underlying type id, past typedefs and qualifiers (chains are known loop-free here).
    uint32_t underlying(uint32_t id) const {
        for (uint32_t steps = 0; steps < n_; ++steps) {
            BtfKind k = d_.types[id].kind;
            if (k != BtfKind::Typedef && k != BtfKind::Volatile && k != BtfKind::Const &&
                k != BtfKind::Restrict && k != BtfKind::TypeTag)
                break;
            id = d_.types[id].ref;
        }
        return id;
    }

    Result<Unit> check_members(uint32_t id) const {
        const BtfType& t = d_.types[id];
        uint64_t limit_bits = uint64_t{t.size} * 8;
        for (uint32_t i = 0; i < t.vlen; ++i) {
            const BtfMember& m = d_.members[t.first_item + i];
            std::string who = "member '" + std::string(str_at(d_, m.name_off)) + "' (#" + std::to_string(i) +
                              ") of " + desc(id);
            const BtfType& base = d_.types[underlying(m.type)];
            uint64_t end = 0;
            if (m.bitfield_size != 0) {
                if (base.kind != BtfKind::Int && !base.is_enum())
                    return btf_error(who + ": a bitfield must be an int or enum, not " +
                                     std::string(btf_kind_name(base.kind)));
                if (m.bitfield_size > 128)
                    return btf_error(who + ": bitfield size " + std::to_string(m.bitfield_size) + " exceeds 128");
                end = uint64_t{m.bit_offset} + m.bitfield_size;
            } else {
                if (!d_.has_size[m.type])
                    return btf_error(who + ": type " + desc(m.type) + " has no size");
                if (m.bit_offset % 8 != 0) {
                    // Old-style bitfields put the width in the int type itself.
                    if (base.kind != BtfKind::Int)
                        return btf_error(who + ": bit offset " + std::to_string(m.bit_offset) +
                                         " is not byte-aligned and the member is not an int");
                    end = uint64_t{m.bit_offset} + base.int_info.bit_offset + base.int_info.bits;
                } else {
                    end = uint64_t{m.bit_offset} + uint64_t{d_.sizes[m.type]} * 8;
                }
            }
            if (end > limit_bits)
                return btf_error(who + ": ends at bit " + std::to_string(end) + ", past the end of its " +
                                 std::to_string(t.size) + "-byte " + btf_kind_name(t.kind) +
                                 " (bit offset " + std::to_string(m.bit_offset) + ")");
        }
        return Unit{};
    }

    Result<Unit> check_datasec(uint32_t id) const {
        const BtfType& t = d_.types[id];
        if (t.size == 0) return Unit{};  // clang leaves it 0; the loader fills it in
        for (uint32_t i = 0; i < t.vlen; ++i) {
            const BtfVarSecinfo& v = d_.secinfos[t.first_item + i];
            if (uint64_t{v.offset} + v.size > t.size)
                return btf_error(desc(id) + ": entry " + std::to_string(i) + " [" + hex(v.offset) + ", " +
                                 hex(uint64_t{v.offset} + v.size) + ") runs past the section size " +
                                 std::to_string(t.size));
        }
        return Unit{};
    }

    BtfData& d_;
    uint32_t n_;
};

}  // namespace

std::string describe_type(const BtfData& data, uint32_t id) {
    std::string s = "type id " + std::to_string(id);
    if (id >= data.types.size()) return s;
    const BtfType& t = data.types[id];
    s += " (";
    s += btf_kind_name(t.kind);
    std::string_view name = str_at(data, t.name_off);
    if (!name.empty()) {
        s += " '";
        s += name;
        s += "'";
    }
    s += ")";
    return s;
}

Result<Unit> validate_btf(BtfData& data) { return Validator(data).run(); }

}  // namespace bpfplay::btf_detail
