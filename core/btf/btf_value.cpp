// The BTF-driven value printer: raw bytes + a type id -> Value tree. Conventions are
// listed in btf_value.hpp. Every read goes through a span whose length was checked
// against the size the type needs; aggregate nesting is capped (validation already
// rules out a struct containing itself, the cap keeps the C++ stack bounded anyway)
// and so is the number of nodes.
#include <cstring>
#include <string>

#include "core/btf/btf_value.hpp"
#include "core/hex.hpp"

namespace bpfplay {

Value Value::boolean(bool b) {
    Value v;
    v.kind = Kind::Bool;
    v.bool_value = b;
    return v;
}
Value Value::integer(int64_t i) {
    Value v;
    v.kind = Kind::Int;
    v.int_value = i;
    return v;
}
Value Value::unsigned_integer(uint64_t u, Style style) {
    Value v;
    v.kind = Kind::Uint;
    v.uint_value = u;
    v.style = style;
    return v;
}
Value Value::floating(double d, Style style) {
    Value v;
    v.kind = Kind::Double;
    v.double_value = d;
    v.style = style;
    return v;
}
Value Value::string(std::string s, Style style) {
    Value v;
    v.kind = Kind::String;
    v.text = std::move(s);
    v.style = style;
    return v;
}
Value Value::array() {
    Value v;
    v.kind = Kind::Array;
    return v;
}
Value Value::object() {
    Value v;
    v.kind = Kind::Object;
    return v;
}
Value Value::error(std::string message) {
    Value v;
    v.kind = Kind::Error;
    v.text = std::move(message);
    return v;
}
void Value::add(std::string key, Value v) {
    keys.push_back(std::move(key));
    items.push_back(std::move(v));
}
void Value::push(Value v) { items.push_back(std::move(v)); }
const Value* Value::get(std::string_view key) const {
    if (kind != Kind::Object) return nullptr;
    for (size_t i = 0; i < keys.size(); ++i)
        if (keys[i] == key) return &items[i];
    return nullptr;
}

namespace {

// Up to 128 bits of an integer, little-endian halves.
struct Bits128 {
    uint64_t lo = 0;
    uint64_t hi = 0;
};

// Bits [bit_offset, bit_offset + nbits) of little-endian storage (BPF is little-endian
// here, and BTF bit offsets count from the least significant bit of the first byte).
// Callers guarantee the bits lie inside `bytes`.
Bits128 extract_bits(std::span<const uint8_t> bytes, uint64_t bit_offset, uint32_t nbits) {
    Bits128 out;
    for (uint32_t k = 0; k < nbits; ++k) {
        uint64_t bit = bit_offset + k;
        uint64_t set = (bytes[bit / 8] >> (bit % 8)) & 1u;
        if (k < 64) out.lo |= set << k;
        else out.hi |= set << (k - 64);
    }
    return out;
}

bool bits_fit(std::span<const uint8_t> bytes, uint64_t bit_offset, uint32_t nbits) {
    return (bit_offset + nbits + 7) / 8 <= bytes.size();
}

int64_t sign_extend(uint64_t v, uint32_t nbits) {
    if (nbits >= 64) return static_cast<int64_t>(v);
    uint64_t sign = uint64_t{1} << (nbits - 1);
    return static_cast<int64_t>((v ^ sign) - sign);  // two's complement, no UB
}

std::string hex128(Bits128 v) {
    static const char digits[] = "0123456789abcdef";
    std::string s;
    uint64_t parts[2] = {v.hi, v.lo};
    bool started = false;
    for (uint64_t part : parts)
        for (int shift = 60; shift >= 0; shift -= 4) {
            unsigned d = (part >> shift) & 0xf;
            if (d || started) {
                s += digits[d];
                started = true;
            }
        }
    return "0x" + (started ? s : std::string("0"));
}

uint64_t read_le(std::span<const uint8_t> bytes, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n && i < 8; ++i) v |= uint64_t{bytes[i]} << (8 * i);
    return v;
}

class Formatter {
public:
    Formatter(const Btf& btf, const FormatOptions& options) : btf_(btf), opts_(options) {}

    Value format(uint32_t id, std::span<const uint8_t> bytes, int depth) {
        if (!take_node()) return truncated();
        id = btf_.skip_to_layout(id);
        const BtfType* t = btf_.type(id);
        if (!t) return Value::error("type id " + std::to_string(id) + " does not exist");
        if (depth > kBtfValueMaxDepth) return Value::error("nesting deeper than " + std::to_string(kBtfValueMaxDepth) + " levels");
        // A DATASEC's size may still be 0 (clang leaves it so); its entries say where to read.
        if (t->kind == BtfKind::Datasec) return format_datasec(id, bytes, depth);
        auto size = btf_.resolve_size(id);
        if (!size) return Value::error(std::string(btf_kind_name(t->kind)) + " has no value to show");
        if (bytes.size() < *size)
            return Value::error(btf_.type_to_string(id) + " needs " + std::to_string(*size) + " bytes, only " +
                                std::to_string(bytes.size()) + " available");
        bytes = bytes.first(*size);
        switch (t->kind) {
        case BtfKind::Int: return format_int(*t, bytes, 0);
        case BtfKind::Enum:
        case BtfKind::Enum64: return enum_value(id, read_le(bytes, t->size), t->size * 8);
        case BtfKind::Float: return format_float(*t, bytes);
        case BtfKind::Ptr: return Value::unsigned_integer(read_le(bytes, 8), Value::Style::Hex);
        case BtfKind::Array: return format_array(*t, bytes, depth);
        case BtfKind::Struct:
        case BtfKind::Union: {
            Value obj = Value::object();
            add_members(obj, id, bytes, depth);
            return obj;
        }
        case BtfKind::Void: case BtfKind::Fwd: case BtfKind::Typedef: case BtfKind::Volatile:
        case BtfKind::Const: case BtfKind::Restrict: case BtfKind::Func: case BtfKind::FuncProto:
        case BtfKind::Var: case BtfKind::Datasec: case BtfKind::DeclTag: case BtfKind::TypeTag: break;
        }
        return Value::error(std::string(btf_kind_name(t->kind)) + " has no value to show");
    }

private:
    bool take_node() {
        if (truncated_) return false;
        if (++nodes_ <= opts_.max_nodes) return true;
        truncated_ = true;
        return false;
    }
    Value truncated() const {
        return Value::error("output truncated after " + std::to_string(opts_.max_nodes) + " values");
    }

    // An int value `nbits` wide starting `bit_offset` bits into `bytes`, per the int's
    // encoding. Used for whole ints, legacy int bitfields and kind_flag bitfields.
    static Value int_bits(const BtfType& t, std::span<const uint8_t> bytes, uint64_t bit_offset, uint32_t nbits) {
        if (!bits_fit(bytes, bit_offset, nbits)) return Value::error("bitfield runs past the value");
        Bits128 v = extract_bits(bytes, bit_offset, nbits);
        if (t.int_info.encoding & kBtfIntBool) return Value::boolean(v.lo != 0 || v.hi != 0);
        if (nbits > 64) return Value::string(hex128(v), Value::Style::Symbol);
        if (t.int_info.encoding & kBtfIntSigned) return Value::integer(sign_extend(v.lo, nbits));
        return Value::unsigned_integer(v.lo);
    }

    static Value format_int(const BtfType& t, std::span<const uint8_t> bytes, uint64_t extra_bit_offset) {
        return int_bits(t, bytes, extra_bit_offset + t.int_info.bit_offset, t.int_info.bits);
    }

    // `raw` holds the enum's bits (zero-extended from `nbits`).
    Value enum_value(uint32_t enum_id, uint64_t raw, uint32_t nbits) const {
        const BtfType* t = btf_.type(enum_id);
        uint64_t mask = nbits >= 64 ? ~uint64_t{0} : (uint64_t{1} << nbits) - 1;
        // Compare as bit patterns of the stored width: pre-signedness BTF (clang < 15)
        // marks negative enumerators unsigned, yet their bits still match memory.
        for (const BtfEnumValue& e : btf_.enum_values(enum_id))
            if ((e.value & mask) == (raw & mask)) return Value::string(std::string(btf_.string_at(e.name_off)), Value::Style::Symbol);
        if (t->enum_signed()) return Value::integer(sign_extend(raw & mask, nbits));
        return Value::unsigned_integer(raw & mask);
    }

    static Value format_float(const BtfType& t, std::span<const uint8_t> bytes) {
        if (t.size == 4) {
            float f;
            std::memcpy(&f, bytes.data(), 4);
            return Value::floating(f, Value::Style::Float32);
        }
        if (t.size == 8) {
            double d;
            std::memcpy(&d, bytes.data(), 8);
            return Value::floating(d);
        }
        // Half and long double have no portable host type: show their bits.
        return Value::string(hex128(extract_bits(bytes, 0, t.size * 8)), Value::Style::Symbol);
    }

    // bpftool's rule: `char` elements (not typedefs of it), printable up to a NUL. Stricter
    // than bpftool in one way: every byte after the NUL must be zero too, because the page
    // writes an edited value back from what it shows, and "hi" for the bytes "hi\0x" would
    // silently lose the x (bpftool, which only prints, shows "hi").
    bool as_string(const BtfType& arr, std::span<const uint8_t> bytes, std::string& out) const {
        if (arr.array.nelems == 0) return false;
        const BtfType* elem = btf_.type(btf_.skip_qualifiers(arr.array.elem_type));
        if (!elem || elem->kind != BtfKind::Int || elem->size != 1) return false;
        if (!(elem->int_info.encoding & kBtfIntChar) && btf_.string_at(elem->name_off) != "char") return false;
        for (size_t i = 0; i < bytes.size(); ++i) {
            uint8_t c = bytes[i];
            if (c == 0) {
                for (size_t j = i + 1; j < bytes.size(); ++j)
                    if (bytes[j] != 0) return false;
                out.assign(reinterpret_cast<const char*>(bytes.data()), i);
                return true;
            }
            if (c < 0x20 || c >= 0x7f) return false;
        }
        return false;  // no NUL inside the array
    }

    Value format_array(const BtfType& t, std::span<const uint8_t> bytes, int depth) {
        std::string s;
        if (as_string(t, bytes, s)) return Value::string(std::move(s));
        uint32_t elem = t.array.elem_type;
        auto elem_size_or = btf_.resolve_size(elem);  // an array's size implies its element's
        uint32_t elem_size = elem_size_or.ok() ? *elem_size_or : 0;
        Value arr = Value::array();
        for (uint32_t i = 0; i < t.array.nelems; ++i) {
            // bytes holds nelems * elem_size bytes (checked by the caller), so this fits.
            Value item = format(elem, bytes.subspan(uint64_t{i} * elem_size, elem_size), depth + 1);
            arr.push(std::move(item));
            if (truncated_) break;
        }
        return arr;
    }

    void add_members(Value& obj, uint32_t id, std::span<const uint8_t> bytes, int depth) {
        for (const BtfMember& m : btf_.members(id)) {
            if (truncated_) {
                obj.add("$truncated", truncated());
                return;
            }
            std::string name(btf_.string_at(m.name_off));
            uint32_t member_type = btf_.skip_to_layout(m.type);
            const BtfType* mt = btf_.type(member_type);
            if (name.empty()) {
                // Anonymous struct/union: its members are reachable by name in C, so show
                // them in place. Other unnamed members are padding.
                if (mt && mt->is_struct_or_union() && m.bitfield_size == 0 && m.bit_offset % 8 == 0 &&
                    m.bit_offset / 8 <= bytes.size() && depth < kBtfValueMaxDepth) {
                    auto sub = bytes.subspan(m.bit_offset / 8);
                    if (sub.size() >= mt->size) {
                        if (!take_node()) continue;
                        add_members(obj, member_type, sub.first(mt->size), depth + 1);
                        continue;
                    }
                }
                if (!mt || !mt->is_struct_or_union()) continue;
            }
            obj.add(std::move(name), member_value(m, member_type, bytes, depth));
        }
    }

    Value member_value(const BtfMember& m, uint32_t member_type, std::span<const uint8_t> bytes, int depth) {
        const BtfType* mt = btf_.type(member_type);
        if (m.bitfield_size != 0) {
            if (!take_node()) return truncated();
            if (!bits_fit(bytes, m.bit_offset, m.bitfield_size)) return Value::error("bitfield runs past the value");
            if (mt->kind == BtfKind::Int) return int_bits(*mt, bytes, m.bit_offset, m.bitfield_size);
            if (mt->is_enum()) {
                uint32_t n = m.bitfield_size > 64 ? 64 : m.bitfield_size;
                return enum_value(member_type, extract_bits(bytes, m.bit_offset, n).lo, n);
            }
            return Value::error("bitfield of kind " + std::string(btf_kind_name(mt->kind)));
        }
        if (m.bit_offset % 8 != 0) {
            // Legacy bitfield: kind_flag 0, the width is in the int type (validated).
            if (!take_node()) return truncated();
            if (mt->kind != BtfKind::Int) return Value::error("member is not byte-aligned");
            return format_int(*mt, bytes, m.bit_offset);
        }
        size_t offset = m.bit_offset / 8;
        if (offset > bytes.size()) return Value::error("member starts past the value");
        return format(m.type, bytes.subspan(offset), depth + 1);
    }

    Value format_datasec(uint32_t id, std::span<const uint8_t> bytes, int depth) {
        Value obj = Value::object();
        for (const BtfVarSecinfo& e : btf_.datasec_entries(id)) {
            std::string name(btf_.name(e.type));
            if (uint64_t{e.offset} + e.size > bytes.size()) {
                obj.add(std::move(name), Value::error("variable runs past the section data"));
                continue;
            }
            obj.add(std::move(name), format(e.type, bytes.subspan(e.offset, e.size), depth + 1));
            if (truncated_) return obj;
        }
        std::vector<bool> covered(bytes.size());
        for (const BtfVarSecinfo& e : btf_.datasec_entries(id))
            for (uint64_t i = e.offset; i < uint64_t{e.offset} + e.size && i < bytes.size(); ++i) covered[i] = true;
        for (size_t first = 0; first < bytes.size();) {
            if (covered[first]) {
                ++first;
                continue;
            }
            size_t end = first;
            while (end < bytes.size() && !covered[end]) ++end;
            // Zeros at either end of the run are left out: they are what a missing entry means.
            size_t lo = first, hi = end;
            while (lo < hi && bytes[lo] == 0) ++lo;
            while (hi > lo && bytes[hi - 1] == 0) --hi;
            if (lo < hi)
                obj.add(unnamed_bytes_key(uint32_t(lo), uint32_t(hi - 1)),
                        Value::string(hex_bytes(bytes.subspan(lo, hi - lo))));
            first = end;
        }
        return obj;
    }

    const Btf& btf_;
    FormatOptions opts_;
    size_t nodes_ = 0;
    bool truncated_ = false;
};

}  // namespace

std::string unnamed_bytes_key(uint32_t first, uint32_t last) {
    return "(bytes " + std::to_string(first) + "-" + std::to_string(last) + ")";
}

std::optional<std::pair<uint32_t, uint32_t>> parse_unnamed_bytes_key(std::string_view key) {
    constexpr std::string_view kOpen = "(bytes ";
    if (!key.starts_with(kOpen) || !key.ends_with(")")) return std::nullopt;
    key = key.substr(kOpen.size(), key.size() - kOpen.size() - 1);
    const size_t dash = key.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    auto number = [](std::string_view digits) -> std::optional<uint32_t> {
        if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string_view::npos)
            return std::nullopt;
        return uint32_t(std::stoul(std::string(digits)));
    };
    auto first = number(key.substr(0, dash)), last = number(key.substr(dash + 1));
    if (!first || !last || *last < *first) return std::nullopt;
    return std::pair{*first, *last};
}

Value format_value(const Btf& btf, uint32_t type_id, std::span<const uint8_t> bytes, const FormatOptions& options) {
    return Formatter(btf, options).format(type_id, bytes, 0);
}

}  // namespace bpfplay
