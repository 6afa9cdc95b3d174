// kernel/bpf/btf.c's show operations, one function per kernel function of the same name
// (btf_show_name, btf_show_obj_safe, btf_int_show, btf_struct_show, ...), with its state
// struct: the port keeps the kernel's order of reads and writes so that the text, the
// zero-suppression and the error of a failed read come out the same.
#include "core/run/btf_show.hpp"

#include <array>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>

#include "core/host/kernel_ctype.hpp"
#include "core/maps/map_abi.hpp"

namespace bpfplay {

namespace {

constexpr int64_t kSafeSize = 32;      // BTF_SHOW_OBJ_SAFE_SIZE
constexpr int64_t kBaseTypeSize = 16;  // BTF_SHOW_OBJ_BASE_TYPE_SIZE
constexpr size_t kNameSize = 80;       // BTF_SHOW_NAME_SIZE (the name is snprintf'd into it)
constexpr int kMaxIter = 10;           // BTF_SHOW_MAX_ITER
// Not the kernel's: a bound on the walk (the shipped BTF's types are far below it).
constexpr uint64_t kMaxSteps = 4'000'000;

const char* kind_str(BtfKind k) {
    static constexpr const char* kNames[] = {"UNKNOWN",  "INT",      "PTR",      "ARRAY",      "STRUCT",
                                             "UNION",    "ENUM",     "FWD",      "TYPEDEF",    "VOLATILE",
                                             "CONST",    "RESTRICT", "FUNC",     "FUNC_PROTO", "VAR",
                                             "DATASEC",  "FLOAT",    "DECL_TAG", "TYPE_TAG",   "ENUM64"};
    const auto i = static_cast<uint32_t>(k);
    return i < std::size(kNames) ? kNames[i] : "UNKNOWN";
}

template <typename... Args>
std::string format(const char* fmt, Args... args) {
    char buf[64];
    const int n = std::snprintf(buf, sizeof buf, fmt, args...);
    return std::string(buf, n < 0 ? 0 : std::min<size_t>(size_t(n), sizeof buf - 1));
}

// x86-64 shifts take the count mod 64, which the kernel's 128-bit shifts rely on at 64.
uint64_t shl(uint64_t v, unsigned n) { return v << (n & 63); }
uint64_t shr(uint64_t v, unsigned n) { return v >> (n & 63); }

class Shower {
public:
    Shower(const Btf& btf, uint64_t flags, const KernelCopy& copy, const ShowSink& sink)
        : btf_(btf), flags_(flags), copy_(copy), sink_(sink) {}

    int64_t run(uint32_t type_id, uint64_t obj) {
        const BtfType* t = btf_.type(type_id);
        if (t) show(t, type_id, obj, 0);
        return status_;
    }

private:
    // --- output (btf_show, btf_show_indent/_delim/_newline, btf_show_type_value[s]) ---
    void emit(const std::string& text) {
        if (!depth_check_) sink_(text);
    }
    std::string indent() const {
        if (flags_ & btf_show_flag::kCompact) return "";
        return std::string(std::min<unsigned>(depth_, 32), ' ');
    }
    const char* newline() const { return (flags_ & btf_show_flag::kCompact) ? "" : "\n"; }
    const char* delim() const {
        if (depth_ == 0) return "";
        if ((flags_ & btf_show_flag::kCompact) && type_ && type_->kind == BtfKind::Union) return "|";
        return ",";
    }
    void type_value(const std::string& value, bool is_zero) {
        if (!is_zero || (flags_ & btf_show_flag::kZero) || depth_ == 0) type_values(value);
    }
    void type_values(const std::string& value) {
        emit(indent() + name() + value + delim() + newline());
        if (depth_ > depth_to_show_) depth_to_show_ = depth_;
    }

    // btf_show_name: "[.member = ](type name)" with '*' and "[]" suffixes and the opening
    // "{" or "[" of an aggregate.
    std::string name() const {
        if (array_member_) return "";
        uint32_t id = type_id_;
        std::string_view member;
        bool show_member = false;
        if (member_) {
            member = btf_.string_at(member_->name_off);
            show_member = !member.empty();
            id = member_->type;
        }
        const BtfType* t = btf_.type(id);
        if (!t) return "";
        const BtfType* final_t = t;
        std::string_view type_name;
        bool have_name = false, seen_typedef = false, seen_array = false, seen_ptr = false;
        int arrays = 0, ptrs = 0;
        const char* parens = "";
        int i = 0;
        for (; i < kMaxIter; ++i) {
            switch (final_t->kind) {
            case BtfKind::Typedef:
                if (!have_name) type_name = btf_.string_at(final_t->name_off), have_name = true;
                seen_typedef = true;
                id = final_t->ref;
                break;
            case BtfKind::Array:
                seen_array = true;
                parens = "[";
                arrays = std::min(arrays + 1, kMaxIter);
                id = final_t->array.elem_type;
                break;
            case BtfKind::Ptr:
                seen_ptr = true;
                ptrs = std::min(ptrs + 1, kMaxIter);
                id = final_t->ref;
                break;
            case BtfKind::Void: case BtfKind::Int: case BtfKind::Struct: case BtfKind::Union:
            case BtfKind::Enum: case BtfKind::Fwd: case BtfKind::Volatile: case BtfKind::Const:
            case BtfKind::Restrict: case BtfKind::Func: case BtfKind::FuncProto: case BtfKind::Var:
            case BtfKind::Datasec: case BtfKind::Float: case BtfKind::DeclTag: case BtfKind::TypeTag:
            case BtfKind::Enum64: id = 0; break;
            }
            if (!id) break;
            final_t = btf_.type(btf_.skip_qualifiers(id));
            if (!final_t) return "";
        }
        if (i == kMaxIter) return "";
        if (!have_name) type_name = btf_.string_at(final_t->name_off);
        const char* prefix = "";
        switch (final_t->kind) {
        case BtfKind::Struct:
        case BtfKind::Union:
            prefix = final_t->kind == BtfKind::Struct ? "struct" : "union";
            if (!seen_array) parens = "{";
            break;
        case BtfKind::Enum:
        case BtfKind::Enum64: prefix = "enum"; break;
        case BtfKind::Void: case BtfKind::Int: case BtfKind::Ptr: case BtfKind::Array: case BtfKind::Fwd:
        case BtfKind::Typedef: case BtfKind::Volatile: case BtfKind::Const: case BtfKind::Restrict:
        case BtfKind::Func: case BtfKind::FuncProto: case BtfKind::Var: case BtfKind::Datasec:
        case BtfKind::Float: case BtfKind::DeclTag: case BtfKind::TypeTag: break;
        }
        if (seen_ptr) parens = "";
        if (seen_typedef) prefix = "";
        std::string out;
        if (flags_ & btf_show_flag::kNoName) {
            out = parens;
        } else {
            if (show_member) out += "." + std::string(member) + " = ";
            out += "(";
            out += prefix;
            if (*prefix && !type_name.empty()) out += " ";
            out += type_name;
            if (ptrs) out += " " + std::string(size_t(ptrs), '*');
            for (int a = 0; a < arrays; ++a) out += "[]";
            out += ")";
            out += parens;
        }
        if (out.size() > kNameSize - 1) out.resize(kNameSize - 1);
        return out;
    }

    // --- the safe copy (btf_show_obj_safe): `data` is shown from safe_ at the returned offset ---
    std::optional<int64_t> obj_safe(uint32_t type_id, uint64_t data) {
        auto size_or = btf_.resolve_size(type_id);
        if (!size_or) {
            status_ = -kerrno::kEINVAL;
            return std::nullopt;
        }
        const int64_t size = *size_or;
        std::optional<int64_t> safe;
        if (depth_ == 0) {
            obj_size_ = size;
            obj_head_ = data;
        } else {
            const int64_t need = std::min(size, kBaseTypeSize);
            if (have_copy_ && data >= obj_data_ && int64_t(data - obj_data_) + need < kSafeSize)
                safe = int64_t(data - obj_data_);
        }
        if (!safe) {
            int64_t left = int64_t(obj_head_ + uint64_t(obj_size_) - data);
            left = std::clamp<int64_t>(left, 0, kSafeSize);
            status_ = left ? copy_(safe_.data(), uint64_t(left), data) : 0;
            if (!status_) {
                obj_data_ = data;
                have_copy_ = true;
                safe = 0;
            }
        }
        return safe;
    }
    uint64_t safe_le(int64_t off, unsigned bytes) const {
        uint64_t v = 0;
        for (unsigned k = 0; k < bytes && size_t(off) + k < safe_.size(); ++k) v |= uint64_t(safe_[size_t(off) + k]) << (8 * k);
        return v;
    }

    std::optional<int64_t> start_type(const BtfType* t, uint32_t type_id, uint64_t data) {
        type_ = t;
        type_id_ = type_id;
        return obj_safe(type_id, data);
    }
    void end_type() {
        type_ = nullptr;
        type_id_ = 0;
    }
    std::optional<int64_t> start_aggr_type(const BtfType* t, uint32_t type_id, uint64_t data) {
        auto safe = start_type(t, type_id, data);
        if (!safe) return safe;
        emit(indent() + name() + newline());
        ++depth_;
        return safe;
    }
    void end_aggr_type(const char* suffix) {
        --depth_;
        emit(indent() + suffix + delim() + newline());
        end_type();
    }

    // --- per kind ---
    void show(const BtfType* t, uint32_t type_id, uint64_t data, uint8_t bits_offset) {
        if (++steps_ > kMaxSteps) {
            status_ = -kerrno::kE2BIG;
            return;
        }
        switch (t->kind) {
        case BtfKind::Int: return int_show(t, type_id, data, bits_offset);
        case BtfKind::Ptr: return ptr_show(t, type_id, data);
        case BtfKind::Array:
        case BtfKind::Struct:
        case BtfKind::Union: return aggregate_show(t, type_id, data, bits_offset);
        case BtfKind::Enum:
        case BtfKind::Enum64: return enum_show(t, type_id, data);
        case BtfKind::Typedef:
        case BtfKind::Volatile:
        case BtfKind::Const:
        case BtfKind::Restrict:
        case BtfKind::TypeTag:
        case BtfKind::Var: {  // btf_modifier_show / btf_var_show: on through to the resolved type
            const uint32_t resolved = btf_.skip_modifiers(t->kind == BtfKind::Var ? t->ref : type_id);
            if (const BtfType* r = btf_.type(resolved)) show(r, resolved, data, bits_offset);
            return;
        }
        case BtfKind::Void:
        case BtfKind::Fwd:
        case BtfKind::Func:
        case BtfKind::FuncProto:
        case BtfKind::Datasec:  // the shipped vmlinux BTF has none (trim.py drops them)
        case BtfKind::Float:
        case BtfKind::DeclTag: return emit(std::string("<unsupported kind:") + kind_str(t->kind) + ">");
        }
    }

    void int128_print(uint64_t upper, uint64_t lower) {
        if (upper == 0)
            type_value(format("0x%" PRIx64, lower), lower == 0);
        else
            type_values(format("0x%" PRIx64 "%016" PRIx64, upper, lower));
    }

    // btf_bitfield_show: nr_bits at bits_offset of the bytes at safe offset `off`, as hex.
    void bitfield_show(int64_t off, uint8_t bits_offset, uint8_t nr_bits) {
        const uint8_t nr_copy_bits = uint8_t(nr_bits + bits_offset);
        const unsigned nr_copy_bytes = (nr_copy_bits + 7u) / 8u;
        uint64_t lower = safe_le(off, std::min(nr_copy_bytes, 8u));
        uint64_t upper = nr_copy_bytes > 8 ? safe_le(off + 8, nr_copy_bytes - 8) : 0;
        const unsigned left = 128u - nr_copy_bits, right = 128u - nr_bits;
        if (left >= 64) {
            upper = shl(lower, left - 64);
            lower = 0;
        } else {
            upper = shl(upper, left) | shr(lower, 64 - left);
            lower = shl(lower, left);
        }
        if (right >= 64) {
            lower = shr(upper, right - 64);
            upper = 0;
        } else {
            lower = shr(lower, right) | shl(upper, 64 - right);
            upper = shr(upper, right);
        }
        int128_print(upper, lower);
    }

    void int_show(const BtfType* t, uint32_t type_id, uint64_t data, uint8_t bits_offset) {
        auto safe = start_type(t, type_id, data);
        if (!safe) return;
        const BtfIntInfo& in = t->int_info;
        const bool sign = in.encoding & kBtfIntSigned;
        auto bits_show = [&] {
            const unsigned total = bits_offset + in.bit_offset;
            bitfield_show(*safe + total / 8, uint8_t(total % 8), in.bits);
        };
        if (bits_offset || in.bit_offset || in.bits % 8) {
            bits_show();
        } else {
            switch (in.bits) {
            case 128: int128_print(safe_le(*safe + 8, 8), safe_le(*safe, 8)); break;
            case 64: {
                const uint64_t v = safe_le(*safe, 8);
                type_value(sign ? format("%" PRId64, int64_t(v)) : format("%" PRIu64, v), v == 0);
                break;
            }
            case 32: {
                const uint32_t v = uint32_t(safe_le(*safe, 4));
                type_value(sign ? format("%d", int32_t(v)) : format("%u", v), v == 0);
                break;
            }
            case 16: {
                const uint16_t v = uint16_t(safe_le(*safe, 2));
                type_value(sign ? format("%d", int(int16_t(v))) : format("%u", unsigned(v)), v == 0);
                break;
            }
            case 8: {
                const uint8_t v = uint8_t(safe_le(*safe, 1));
                if (array_encoding_ == kBtfIntChar) {
                    if (array_terminated_) break;
                    if (v == 0) {
                        array_terminated_ = true;
                        break;
                    }
                    if (kctype::is_print(v)) {
                        type_value(std::string("'") + char(v) + "'", false);
                        break;
                    }
                }
                type_value(sign ? format("%d", int(int8_t(v))) : format("%u", unsigned(v)), v == 0);
                break;
            }
            default: bits_show(); break;
            }
        }
        end_type();
    }

    void ptr_show(const BtfType* t, uint32_t type_id, uint64_t data) {
        auto safe = start_type(t, type_id, data);
        if (!safe) return;
        const uint64_t v = safe_le(*safe, 8);
        type_value(format("0x%016" PRIx64, v), v == 0);
        end_type();
    }

    void enum_show(const BtfType* t, uint32_t type_id, uint64_t data) {
        auto safe = start_type(t, type_id, data);
        if (!safe) return;
        if (t->kind == BtfKind::Enum) {
            // The kernel reads an int whatever the enum's size.
            const int32_t v = int32_t(uint32_t(safe_le(*safe, 4)));
            for (const BtfEnumValue& e : btf_.enum_values(type_id_of(t, type_id))) {
                if (v != int32_t(uint32_t(e.value))) continue;
                type_value(std::string(btf_.string_at(e.name_off)), false);  // a name is never "zero"
                return end_type();
            }
            type_value(t->kind_flag ? format("%d", v) : format("%u", uint32_t(v)), v == 0);
        } else {
            const uint64_t v = safe_le(*safe, 8);
            for (const BtfEnumValue& e : btf_.enum_values(type_id_of(t, type_id))) {
                if (v != e.value) continue;
                type_value(std::string(btf_.string_at(e.name_off)), false);
                return end_type();
            }
            type_value(t->kind_flag ? format("%" PRId64, int64_t(v)) : format("%" PRIu64, v), v == 0);
        }
        end_type();
    }
    // The id of `t` itself (show() passes the id a member or element was declared with, which
    // may be a typedef of it).
    uint32_t type_id_of(const BtfType* t, uint32_t type_id) const {
        return btf_.type(type_id) == t ? type_id : btf_.skip_modifiers(type_id);
    }

    // btf_struct_show / btf_array_show: without BTF_F_ZERO, below the top, a silent walk
    // first (depth_check) finds whether anything inside would be shown.
    void aggregate_show(const BtfType* t, uint32_t type_id, uint64_t data, uint8_t bits_offset) {
        const BtfMember* m = member_;
        if (depth_ > 0 && !(flags_ & btf_show_flag::kZero)) {
            if (!depth_check_) {
                depth_check_ = depth_ + 1;
                depth_to_show_ = 0;
            }
            aggregate_walk(t, type_id, data, bits_offset);
            member_ = m;
            if (depth_check_ != depth_ + 1) return;
            depth_check_ = 0;
            if (depth_to_show_ <= depth_) return;
        }
        aggregate_walk(t, type_id, data, bits_offset);
    }
    void aggregate_walk(const BtfType* t, uint32_t type_id, uint64_t data, uint8_t bits_offset) {
        if (t->kind == BtfKind::Array)
            array_walk(t, type_id, data, bits_offset);
        else
            struct_walk(t, type_id, data);
    }

    void array_walk(const BtfType* t, uint32_t type_id, uint64_t data, uint8_t bits_offset) {
        const uint32_t elem_id = t->array.elem_type;
        const BtfType* elem = btf_.type(btf_.skip_modifiers(elem_id));
        uint32_t elem_size = 0;
        const bool has_size = elem && (elem->kind == BtfKind::Int || elem->is_struct_or_union() ||
                                       elem->is_enum() || elem->kind == BtfKind::Datasec ||
                                       elem->kind == BtfKind::Float);
        if (has_size) elem_size = elem->size;
        uint8_t encoding = 0;
        if (elem && elem->kind == BtfKind::Int) {
            encoding = elem->int_info.encoding;
            if (elem_size == 1) encoding = kBtfIntChar;  // "BTF_INT_CHAR never seems to be set"
        }
        array_encoding_ = encoding;
        array_terminated_ = false;
        if (!start_aggr_type(t, type_id, data)) return;
        if (elem) {
            for (uint32_t i = 0; i < t->array.nelems && steps_ <= kMaxSteps; ++i) {
                array_member_ = true;
                member_ = nullptr;
                show(elem, elem_id, data, bits_offset);
                data += elem_size;
                array_member_ = false;
                member_ = nullptr;
                if (array_terminated_) break;
            }
        }
        array_encoding_ = 0;
        array_terminated_ = false;
        end_aggr_type("]");
    }

    void struct_walk(const BtfType* t, uint32_t type_id, uint64_t data) {
        if (!start_aggr_type(t, type_id, data)) return;
        for (const BtfMember& m : btf_.members(type_id_of(t, type_id))) {
            member_ = &m;
            const BtfType* mt = btf_.type(m.type);
            const uint64_t at = data + m.bit_offset / 8;
            const uint8_t bits8 = uint8_t(m.bit_offset % 8);
            if (mt && m.bitfield_size) {
                if (auto safe = start_type(mt, m.type, at)) bitfield_show(*safe, bits8, uint8_t(m.bitfield_size));
                end_type();
            } else if (mt) {
                show(mt, m.type, at, bits8);
            }
            member_ = nullptr;
        }
        end_aggr_type("}");
    }

    const Btf& btf_;
    const uint64_t flags_;
    const KernelCopy& copy_;
    const ShowSink& sink_;

    // struct btf_show's state
    const BtfType* type_ = nullptr;
    uint32_t type_id_ = 0;
    const BtfMember* member_ = nullptr;
    bool array_member_ = false;
    uint8_t array_encoding_ = 0;
    bool array_terminated_ = false;
    uint8_t depth_ = 0, depth_check_ = 0, depth_to_show_ = 0;  // u8 in the kernel too
    int64_t status_ = 0;
    // ... and its obj: the object's extent and the 32 bytes last copied (with room for the
    // widest read past a copy's end, which sees stale bytes as the kernel's stack buffer does)
    uint64_t obj_head_ = 0, obj_data_ = 0;
    int64_t obj_size_ = 0;
    bool have_copy_ = false;
    std::array<uint8_t, kSafeSize + kBaseTypeSize> safe_{};
    uint64_t steps_ = 0;
};

}  // namespace

int64_t btf_type_show(const Btf& btf, uint32_t type_id, uint64_t obj, uint64_t flags, const KernelCopy& copy,
                      const ShowSink& sink) {
    return Shower(btf, flags, copy, sink).run(type_id, obj);
}

}  // namespace bpfplay
