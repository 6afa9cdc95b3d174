// JSON value -> bytes of a BTF type: the printer's conventions (btf_value.hpp) read backwards.
// Every write goes through put_bits(), which also records which bits have been written, so
// union members given together are checked to agree instead of silently overwriting each other.
#include "core/btf/btf_encode.hpp"
#include "core/btf/btf_value.hpp"
#include "core/hex.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

namespace bpfplay {

namespace {

// An integer as sign + 128-bit magnitude.
struct Integer {
    bool negative = false;
    uint64_t lo = 0, hi = 0;
    bool raw_bits = false; // written in hex: for types wider than 64 bits, the bit pattern
    bool too_big = false;  // a whole number beyond 64 bits: fits nothing but a 128-bit type's hex
};

std::string describe_json(const JsonValue& v) {
    switch (v.type()) {
    case JsonType::Null: return "null";
    case JsonType::Bool: return v.as_bool() ? "true" : "false";
    case JsonType::Number: return v.number_text();
    case JsonType::String: return json_quote(v.as_string());
    case JsonType::Array: return "an array";
    case JsonType::Object: return "an object";
    }
    return "a value";
}

std::optional<Integer> parse_hex(std::string_view digits) {
    if (digits.empty() || digits.size() > 32) return std::nullopt;
    Integer out;
    for (char c : digits) {
        const int digit = hex_digit(c);
        if (digit < 0) return std::nullopt;
        const auto d = unsigned(digit);
        out.hi = (out.hi << 4) | (out.lo >> 60);
        out.lo = (out.lo << 4) | d;
    }
    return out;
}

// A decimal or hex integer from a string, optionally negative.
std::optional<Integer> parse_integer_text(std::string_view s) {
    Integer out;
    if (!s.empty() && s[0] == '-') {
        out.negative = true;
        s.remove_prefix(1);
    }
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        auto hex = parse_hex(s.substr(2));
        if (!hex) return std::nullopt;
        hex->negative = out.negative;
        hex->raw_bits = !out.negative;
        return hex;
    }
    if (s.empty()) return std::nullopt;
    if (s.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    auto res = std::from_chars(s.data(), s.data() + s.size(), out.lo);
    if (res.ec == std::errc::result_out_of_range)
        out.too_big = true;
    else if (res.ec != std::errc() || res.ptr != s.data() + s.size())
        return std::nullopt;
    return out;
}

bool is_zero(const Integer& v) {
    return v.lo == 0 && v.hi == 0;
}

// v < 2^bits (bits <= 128)
bool magnitude_below_pow2(const Integer& v, uint32_t bits) {
    if (bits >= 128) return true;
    if (bits >= 64) return (v.hi >> (bits - 64)) == 0;
    return v.hi == 0 && (v.lo >> bits) == 0;
}

// v <= 2^bits (bits < 128)
bool magnitude_at_most_pow2(const Integer& v, uint32_t bits) {
    if (magnitude_below_pow2(v, bits)) return true;
    if (bits >= 64) return v.lo == 0 && v.hi == (uint64_t{1} << (bits - 64));
    return v.hi == 0 && v.lo == (uint64_t{1} << bits);
}

std::string range_text(bool is_signed, uint32_t bits) {
    if (bits > 64) return "";
    if (!is_signed) {
        uint64_t max = bits == 64 ? UINT64_MAX : (uint64_t{1} << bits) - 1;
        return " (0 to " + std::to_string(max) + ")";
    }
    int64_t max = bits == 64 ? INT64_MAX : int64_t((uint64_t{1} << (bits - 1)) - 1);
    return " (" + std::to_string(-max - 1) + " to " + std::to_string(max) + ")";
}

class Encoder {
  public:
    Encoder(const Btf& btf, size_t size) : btf_(btf), bytes_(size), written_(size) {}

    bool encode(uint32_t id, const JsonValue& v, uint64_t bit_off, const std::string& path, int depth) {
        const uint32_t named = id; // the type as the program spells it, for messages
        id = btf_.skip_to_layout(id);
        const BtfType* t = btf_.type(id);
        if (!t) return fail(path, "type id " + std::to_string(id) + " does not exist");
        if (depth > kBtfValueMaxDepth)
            return fail(path, "nesting deeper than " + std::to_string(kBtfValueMaxDepth) + " levels");
        switch (t->kind) {
        case BtfKind::Int: {
            std::string type = btf_.type_to_string(named);
            if (t->int_is_bitfield()) type += " : " + std::to_string(t->int_info.bits);
            return put_int(*t, type, v, bit_off + t->int_info.bit_offset, t->int_info.bits, path);
        }
        case BtfKind::Enum:
        case BtfKind::Enum64: return put_enum(id, btf_.type_to_string(named), v, bit_off, t->size * 8, path);
        case BtfKind::Float: return put_float(*t, named, v, bit_off, path);
        case BtfKind::Ptr: {
            Integer n;
            if (!integer_of(v, btf_.type_to_string(named), path, n)) return false;
            if (n.negative || n.too_big || !magnitude_below_pow2(n, 64))
                return fail(path, describe_json(v) + " is not an address (0 to 0xffffffffffffffff)");
            return put_bits(bit_off, 64, n.lo, 0, path);
        }
        case BtfKind::Array: return put_array(*t, named, v, bit_off, path, depth);
        case BtfKind::Struct:
        case BtfKind::Union: return put_members(id, named, v, bit_off, path, depth);
        case BtfKind::Datasec: return put_datasec(id, v, bit_off, path, depth);
        case BtfKind::Void: case BtfKind::Fwd: case BtfKind::Typedef: case BtfKind::Volatile:
        case BtfKind::Const: case BtfKind::Restrict: case BtfKind::Func: case BtfKind::FuncProto:
        case BtfKind::Var: case BtfKind::DeclTag: case BtfKind::TypeTag: break;
        }
        return fail(path, std::string(btf_kind_name(t->kind)) + " " + btf_.type_to_string(named) + " has no value to set");
    }

    std::vector<uint8_t> take() { return std::move(bytes_); }
    const std::optional<Error>& error() const { return error_; }

  private:
    bool fail(const std::string& path, std::string what) {
        if (!error_) error_ = make_error(ErrorKind::Parse, path + ": " + what);
        return false;
    }

    // Writes the low `nbits` of (hi:lo) at bit_off. Bits already written (by another member of
    // a union) must keep their value.
    bool put_bits(uint64_t bit_off, uint32_t nbits, uint64_t lo, uint64_t hi, const std::string& path) {
        if ((bit_off + nbits + 7) / 8 > bytes_.size()) return fail(path, "runs past the end of the value");
        for (uint32_t k = 0; k < nbits; ++k) {
            const uint64_t bit = bit_off + k;
            const uint8_t mask = uint8_t(1u << (bit % 8));
            const bool set = ((k < 64 ? lo >> k : hi >> (k - 64)) & 1u) != 0;
            uint8_t& b = bytes_[bit / 8];
            uint8_t& w = written_[bit / 8];
            if ((w & mask) && ((b & mask) != 0) != set)
                return fail(path, "gives byte " + std::to_string(bit / 8) +
                                      " a different value than a union member given before it; give only one "
                                      "member of a union");
            w |= mask;
            b = set ? uint8_t(b | mask) : uint8_t(b & ~mask);
        }
        return true;
    }

    bool integer_of(const JsonValue& v, const std::string& type, const std::string& path, Integer& out) {
        if (v.is_bool()) {
            out = Integer{};
            out.lo = v.as_bool() ? 1 : 0;
            return true;
        }
        if (v.is_number()) {
            if (auto u = v.as_uint64()) {
                out = Integer{};
                out.lo = *u;
                return true;
            }
            if (auto i = v.as_int64()) {
                out = Integer{};
                out.negative = true;
                out.lo = 0 - uint64_t(*i);
                return true;
            }
            const std::string& text = v.number_text();
            if (text.find_first_of(".eE") != std::string::npos)
                return fail(path, text + " is not an integer; " + type +
                                      " holds integers (write them without . or e)");
            if (auto n = parse_integer_text(text)) { // a whole number past 64 bits: say what fits
                out = *n;
                return true;
            }
            return fail(path, text + " does not fit in " + type);
        }
        if (v.is_string()) {
            if (auto n = parse_integer_text(v.as_string())) {
                out = *n;
                return true;
            }
            return fail(path, describe_json(v) + " is not a number (write 42, \"42\" or \"0x2a\")");
        }
        return fail(path, "expected a number for " + type + ", not " + describe_json(v));
    }

    // An int (or an int bitfield) `nbits` wide with the int type's encoding.
    // `type` names it in messages: "__u16", or "unsigned int : 3" for a bitfield.
    bool put_int(const BtfType& t, const std::string& type, const JsonValue& v, uint64_t bit_off,
                 uint32_t nbits, const std::string& path) {
        if (t.int_info.encoding & kBtfIntBool) {
            uint64_t b;
            if (v.is_bool())
                b = v.as_bool() ? 1 : 0;
            else if (v.is_number() && (v.number_text() == "0" || v.number_text() == "1"))
                b = v.number_text() == "1";
            else
                return fail(path, "expected true or false for " + type + ", not " + describe_json(v));
            return put_bits(bit_off, nbits, b, 0, path);
        }
        Integer n;
        if (!integer_of(v, type, path, n)) return false;
        return put_integer(n, (t.int_info.encoding & kBtfIntSigned) != 0, nbits, bit_off, v, type, path);
    }

    bool put_integer(Integer n, bool is_signed, uint32_t nbits, uint64_t bit_off, const JsonValue& v,
                     const std::string& type, const std::string& path) {
        const std::string shown = v.is_string() ? v.as_string() : describe_json(v);
        const bool raw = n.raw_bits && nbits > 64; // 128-bit hex: the bits as the printer wrote them
        bool fits;
        if (n.too_big)
            fits = false;
        else if (raw)
            fits = magnitude_below_pow2(n, nbits);
        else if (n.negative && !is_zero(n))
            fits = is_signed && magnitude_at_most_pow2(n, nbits - 1);
        else
            fits = magnitude_below_pow2(n, is_signed ? nbits - 1 : nbits);
        if (!fits) return fail(path, shown + " does not fit in " + type + range_text(is_signed, nbits));
        uint64_t lo = n.lo, hi = n.hi;
        if (n.negative) { // two's complement of the magnitude
            lo = ~lo + 1;
            hi = ~hi + (lo == 0 ? 1 : 0);
        }
        return put_bits(bit_off, nbits, lo, hi, path);
    }

    bool put_enum(uint32_t id, const std::string& type, const JsonValue& v, uint64_t bit_off, uint32_t nbits,
                  const std::string& path) {
        const BtfType* t = btf_.type(id);
        if (v.is_string()) {
            const std::string& name = v.as_string();
            for (const BtfEnumValue& e : btf_.enum_values(id))
                if (btf_.string_at(e.name_off) == name) return put_bits(bit_off, nbits, e.value, 0, path);
            if (!parse_integer_text(name)) {
                std::string names;
                size_t listed = 0;
                for (const BtfEnumValue& e : btf_.enum_values(id)) {
                    if (listed == 8) {
                        names += ", ...";
                        break;
                    }
                    names += (listed++ ? ", " : "") + std::string(btf_.string_at(e.name_off));
                }
                return fail(path, describe_json(v) + " is not an enumerator of " + type +
                                      (names.empty() ? "" : " (" + names + ")"));
            }
        }
        Integer n;
        if (!integer_of(v, type, path, n)) return false;
        return put_integer(n, t->enum_signed(), nbits, bit_off, v, type, path);
    }

    bool put_float(const BtfType& t, uint32_t named, const JsonValue& v, uint64_t bit_off,
                   const std::string& path) {
        const std::string type = btf_.type_to_string(named);
        if (t.size != 4 && t.size != 8) { // half, long double: the printer shows their bits
            Integer n;
            if (!integer_of(v, type, path, n)) return false;
            return put_integer(n, false, t.size * 8, bit_off, v, type, path);
        }
        double d;
        if (v.is_number()) {
            auto parsed = v.as_double();
            if (!parsed) return fail(path, v.number_text() + " does not fit in " + type);
            d = *parsed;
        } else if (v.is_string() && v.as_string() == "nan") {
            d = std::nan("");
        } else if (v.is_string() && (v.as_string() == "inf" || v.as_string() == "-inf")) {
            d = v.as_string() == "inf" ? HUGE_VAL : -HUGE_VAL;
        } else {
            return fail(path, "expected a number for " + type + ", not " + describe_json(v));
        }
        uint64_t bits = 0;
        if (t.size == 4) {
            // Checked before the cast: converting a double beyond float's range is undefined.
            if (std::isfinite(d) && std::fabs(d) > double(std::numeric_limits<float>::max()))
                return fail(path, v.number_text() + " does not fit in " + type);
            const float f = static_cast<float>(d);
            uint32_t b32;
            std::memcpy(&b32, &f, 4);
            bits = b32;
        } else {
            std::memcpy(&bits, &d, 8);
        }
        return put_bits(bit_off, t.size * 8, bits, 0, path);
    }

    // The printer's rule for char arrays: `char` elements (not typedefs of it).
    bool is_char_array(const BtfType& arr) const {
        const BtfType* elem = btf_.type(btf_.skip_qualifiers(arr.array.elem_type));
        return elem && elem->kind == BtfKind::Int && elem->size == 1 &&
               ((elem->int_info.encoding & kBtfIntChar) || btf_.string_at(elem->name_off) == "char");
    }

    bool put_array(const BtfType& t, uint32_t named, const JsonValue& v, uint64_t bit_off,
                   const std::string& path, int depth) {
        const uint32_t n = t.array.nelems;
        if (v.is_string() && is_char_array(t)) {
            const std::string& s = v.as_string();
            if (s.size() >= n)
                return fail(path, json_quote(s) + " is " + std::to_string(s.size()) + " characters; " +
                                      btf_.type_to_string(named) + " holds " + std::to_string(n ? n - 1 : 0) +
                                      " and the closing NUL");
            for (size_t i = 0; i < s.size(); ++i)
                if (!put_bits(bit_off + 8 * i, 8, uint8_t(s[i]), 0, path)) return false;
            return true;
        }
        if (!v.is_array())
            return fail(path,
                        "expected an array for " + btf_.type_to_string(named) + ", not " + describe_json(v));
        if (v.size() > n)
            return fail(path, std::to_string(v.size()) + " elements given; " + btf_.type_to_string(named) +
                                  " holds " + std::to_string(n));
        auto elem_size = btf_.resolve_size(t.array.elem_type);
        if (!elem_size) return fail(path, "its elements have no size");
        for (size_t i = 0; i < v.size(); ++i)
            if (!encode(t.array.elem_type, v.items()[i], bit_off + uint64_t{8} * *elem_size * i,
                        path + "[" + std::to_string(i) + "]", depth + 1))
                return false;
        return true;
    }

    struct NamedMember {
        std::string_view name;
        const BtfMember* member;
        uint64_t base_bit; // where the aggregate holding it starts
    };

    // Members by the names C lets you use: anonymous struct/union members' own members are
    // reached directly, as the printer shows them.
    void collect_members(uint32_t id, uint64_t base_bit, std::vector<NamedMember>& out, int depth) const {
        for (const BtfMember& m : btf_.members(id)) {
            std::string_view name = btf_.string_at(m.name_off);
            if (name.empty()) {
                const uint32_t mt = btf_.skip_to_layout(m.type);
                const BtfType* t = btf_.type(mt);
                if (t && t->is_struct_or_union() && m.bitfield_size == 0 && depth < kBtfValueMaxDepth)
                    collect_members(mt, base_bit + m.bit_offset, out, depth + 1);
                continue; // other unnamed members are padding
            }
            out.push_back({name, &m, base_bit});
        }
    }

    bool put_members(uint32_t id, uint32_t named, const JsonValue& v, uint64_t bit_off,
                     const std::string& path, int depth) {
        if (!v.is_object())
            return fail(path,
                        "expected an object for " + btf_.type_to_string(named) + ", not " + describe_json(v));
        std::vector<NamedMember> members;
        collect_members(id, bit_off, members, depth);
        for (size_t i = 0; i < v.size(); ++i) {
            const std::string& key = v.keys()[i];
            const NamedMember* found = nullptr;
            for (const NamedMember& m : members)
                if (m.name == key) found = &m;
            if (!found) {
                std::string names;
                for (size_t k = 0; k < members.size() && k < 12; ++k)
                    names += (k ? ", " : "") + std::string(members[k].name);
                if (members.size() > 12) names += ", ...";
                return fail(path, "unknown field " + json_quote(key) + " (" + btf_.type_to_string(named) +
                                      " has " + (names.empty() ? "no fields" : names) + ")");
            }
            if (!put_member(*found, v.items()[i], path + "." + key, depth)) return false;
        }
        return true;
    }

    bool put_member(const NamedMember& nm, const JsonValue& v, const std::string& path, int depth) {
        const BtfMember& m = *nm.member;
        const uint64_t at = nm.base_bit + m.bit_offset;
        const uint32_t mt_id = btf_.skip_to_layout(m.type);
        const BtfType* mt = btf_.type(mt_id);
        if (!mt) return fail(path, "type id " + std::to_string(m.type) + " does not exist");
        if (m.bitfield_size != 0) {
            const std::string type = btf_.type_to_string(m.type) + " : " + std::to_string(m.bitfield_size);
            if (mt->kind == BtfKind::Int) return put_int(*mt, type, v, at, m.bitfield_size, path);
            if (mt->is_enum()) return put_enum(mt_id, type, v, at, m.bitfield_size, path);
            return fail(path,
                        "a bitfield of kind " + std::string(btf_kind_name(mt->kind)) + " cannot be set");
        }
        if (m.bit_offset % 8 != 0) { // legacy bitfield: the width is in the int type
            if (mt->kind != BtfKind::Int) return fail(path, "member is not byte-aligned");
            const std::string type = btf_.type_to_string(m.type) + " : " + std::to_string(mt->int_info.bits);
            return put_int(*mt, type, v, at + mt->int_info.bit_offset, mt->int_info.bits, path);
        }
        return encode(m.type, v, at, path, depth + 1);
    }

    bool put_datasec(uint32_t id, const JsonValue& v, uint64_t bit_off, const std::string& path, int depth) {
        if (!v.is_object()) return fail(path, "expected an object of variables, not " + describe_json(v));
        const auto entries = btf_.datasec_entries(id);
        for (size_t i = 0; i < v.size(); ++i) {
            const std::string& key = v.keys()[i];
            const BtfVarSecinfo* found = nullptr;
            for (const BtfVarSecinfo& e : entries)
                if (btf_.name(e.type) == key) found = &e;
            if (!found) {
                if (auto range = parse_unnamed_bytes_key(key)) {
                    if (!put_unnamed_bytes(*range, v.items()[i], bit_off / 8, path + "." + key)) return false;
                    continue;
                }
                std::string names;
                for (size_t k = 0; k < entries.size() && k < 12; ++k)
                    names += (k ? ", " : "") + std::string(btf_.name(entries[k].type));
                return fail(path, "unknown variable " + json_quote(key) + " (this section has " +
                                      (names.empty() ? "none" : names) + ")");
            }
            if (!encode(found->type, v.items()[i], bit_off + uint64_t{8} * found->offset, path + "." + key,
                        depth + 1))
                return false;
        }
        return true;
    }

    // A section's bytes no variable covers, given as the hex string the printer shows.
    bool put_unnamed_bytes(std::pair<uint32_t, uint32_t> range, const JsonValue& v, uint64_t base,
                           const std::string& path) {
        const uint64_t count = uint64_t{range.second} - range.first + 1;
        auto hex = v.is_string() ? parse_hex_bytes(v.as_string()) : Result<std::vector<uint8_t>>(
                                                                        make_error(ErrorKind::Parse, ""));
        if (!hex || hex->size() != count)
            return fail(path, "expected a hex string of " + std::to_string(count) + " bytes, not " + describe_json(v));
        for (uint64_t k = 0; k < count; ++k)
            if (!put_bits((base + range.first + k) * 8, 8, (*hex)[k], 0, path)) return false;
        return true;
    }

    const Btf& btf_;
    std::vector<uint8_t> bytes_;
    std::vector<uint8_t> written_; // bit i set: bit i of bytes_ has been written
    std::optional<Error> error_;
};

uint32_t datasec_extent(const Btf& btf, uint32_t id) {
    uint32_t end = btf.type(id) ? btf.type(id)->size : 0;
    for (const BtfVarSecinfo& e : btf.datasec_entries(id))
        end = std::max(end, e.offset + e.size);
    return end;
}

} // namespace

Result<std::vector<uint8_t>> encode_value(const Btf& btf, uint32_t type_id, const JsonValue& value,
                                          std::string_view root) {
    const std::string path(root);
    uint32_t size;
    const uint32_t base = btf.skip_modifiers(type_id);
    if (btf.kind(base) == BtfKind::Datasec) {
        size = datasec_extent(btf, base);
    } else {
        auto s = btf.resolve_size(type_id);
        if (!s)
            return make_error(ErrorKind::Parse, path + ": " + btf.type_to_string(type_id) + " has no size");
        size = *s;
    }
    Encoder enc(btf, size);
    if (!enc.encode(type_id, value, 0, path, 0)) return *enc.error();
    return enc.take();
}

Result<std::vector<uint8_t>> encode_value_json(const Btf& btf, uint32_t type_id, std::string_view json_text,
                                               std::string_view root) {
    auto doc = parse_json(json_text);
    if (!doc) return make_error(ErrorKind::Parse, std::string(root) + ": " + doc.error().to_string());
    return encode_value(btf, type_id, *doc, root);
}

} // namespace bpfplay
