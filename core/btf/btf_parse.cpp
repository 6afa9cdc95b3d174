// Decoding of a raw .BTF section: header, string section, and one pass over the type
// records. Each record is bounds-checked (including its vlen items) before anything is
// stored, so a huge vlen can only fail, never allocate. Cross-type checks are in
// btf_validate.cpp.
#include <string>

#include "core/btf/btf.hpp"
#include "core/btf/btf_bytes.hpp"
#include "core/btf/btf_validate.hpp"

namespace bpfplay {

using btf_detail::btf_error;
using btf_detail::ByteReader;
using btf_detail::hex;
using btf_detail::HeaderField;
using btf_detail::kBtfMagic;

namespace {

constexpr uint16_t kBtfMagicSwapped = 0x9FeB;
constexpr uint32_t kBtfHeaderSize = 24;
constexpr uint32_t kTypeRecordSize = 12;  // struct btf_type

// Bytes that follow the 12-byte btf_type, before the vlen items.
uint32_t fixed_extra_bytes(BtfKind kind) {
    switch (kind) {
    case BtfKind::Int: return 4;      // u32 encoding
    case BtfKind::Array: return 12;   // struct btf_array
    case BtfKind::Var: return 4;      // struct btf_var
    case BtfKind::DeclTag: return 4;  // struct btf_decl_tag
    case BtfKind::Void: case BtfKind::Ptr: case BtfKind::Struct: case BtfKind::Union: case BtfKind::Enum:
    case BtfKind::Fwd: case BtfKind::Typedef: case BtfKind::Volatile: case BtfKind::Const:
    case BtfKind::Restrict: case BtfKind::Func: case BtfKind::FuncProto: case BtfKind::Datasec:
    case BtfKind::Float: case BtfKind::TypeTag: case BtfKind::Enum64: break;
    }
    return 0;
}

// Bytes per vlen item (0: vlen is not an item count for this kind).
uint32_t item_bytes(BtfKind kind) {
    switch (kind) {
    case BtfKind::Struct:
    case BtfKind::Union: return 12;     // struct btf_member
    case BtfKind::Enum: return 8;       // struct btf_enum
    case BtfKind::FuncProto: return 8;  // struct btf_param
    case BtfKind::Datasec: return 12;   // struct btf_var_secinfo
    case BtfKind::Enum64: return 12;    // struct btf_enum64
    case BtfKind::Void: case BtfKind::Int: case BtfKind::Ptr: case BtfKind::Array: case BtfKind::Fwd:
    case BtfKind::Typedef: case BtfKind::Volatile: case BtfKind::Const: case BtfKind::Restrict:
    case BtfKind::Func: case BtfKind::Var: case BtfKind::Float: case BtfKind::DeclTag:
    case BtfKind::TypeTag: break;
    }
    return 0;
}

constexpr HeaderField kBtfHeaderFields[] = {
    {"magic", 0, 2},    {"version", 2, 1},  {"flags", 3, 1},    {"hdr_len", 4, 4},
    {"type_off", 8, 4}, {"type_len", 12, 4}, {"str_off", 16, 4}, {"str_len", 20, 4},
};

// The header is read field by field so a truncated section names the missing field.
Result<Unit> check_header_field(const ByteReader& r, size_t index) {
    const HeaderField& f = kBtfHeaderFields[index];
    if (r.has(f.offset, f.size)) return Unit{};
    return btf_error("truncated header: the section is " + std::to_string(r.size()) +
                     " bytes, but btf_header." + f.name + " is at offset " + hex(f.offset) +
                     " (" + std::to_string(f.size) + " bytes); the header is 24 bytes");
}

struct Header {
    uint32_t hdr_len = 0;
    uint32_t type_off = 0, type_len = 0, str_off = 0, str_len = 0;
};

Result<Header> parse_header(const ByteReader& r) {
    for (size_t i = 0; i < 4; ++i) {  // magic, version, flags, hdr_len
        if (auto ok = check_header_field(r, i); !ok) return ok.error();
        if (i == 0) {
            uint16_t magic = r.u16(0);
            if (magic == kBtfMagicSwapped)
                return btf_error("BTF is big-endian (magic bytes eb 9f); only little-endian BTF "
                                 "(clang -target bpf or bpfel) is supported");
            if (magic != kBtfMagic)
                return btf_error("bad magic " + hex(magic) + " at offset 0x0 (expected 0xeb9f)");
        } else if (i == 1 && r.u8(2) != 1) {
            return btf_error("unsupported BTF version " + std::to_string(r.u8(2)) +
                             " at offset 0x2 (only version 1 exists)");
        } else if (i == 2 && r.u8(3) != 0) {
            return btf_error("unsupported BTF header flags " + hex(r.u8(3)) +
                             " at offset 0x3 (must be 0)");
        }
    }
    Header h;
    h.hdr_len = r.u32(4);
    if (h.hdr_len < kBtfHeaderSize)
        return btf_error("hdr_len " + std::to_string(h.hdr_len) +
                         " is smaller than the 24-byte btf_header");
    if (h.hdr_len > r.size()) {
        // Name the first field that is missing, which is what a truncated section shows.
        for (size_t i = 4; i < std::size(kBtfHeaderFields); ++i)
            if (auto ok = check_header_field(r, i); !ok) return ok.error();
        return btf_error("hdr_len " + std::to_string(h.hdr_len) + " runs past the end of the " +
                         std::to_string(r.size()) + "-byte section");
    }
    // A longer header is a newer format: accept it only if the parts we don't know are
    // zero, as the kernel does, so nothing meaningful is silently ignored.
    for (uint32_t off = kBtfHeaderSize; off < h.hdr_len; ++off)
        if (r.u8(off) != 0)
            return btf_error("header has unknown non-zero byte at offset " + hex(off) + " (hdr_len " +
                             std::to_string(h.hdr_len) + ")");
    h.type_off = r.u32(8);
    h.type_len = r.u32(12);
    h.str_off = r.u32(16);
    h.str_len = r.u32(20);

    uint64_t data_len = r.size() - h.hdr_len;
    auto range = [](uint32_t off, uint32_t len) {
        return "[" + hex(off) + ", " + hex(uint64_t{off} + len) + ")";
    };
    if (uint64_t{h.type_off} + h.type_len > data_len)
        return btf_error("type section " + range(h.type_off, h.type_len) +
                         " (type_off/type_len, relative to the header end) runs past the " +
                         std::to_string(data_len) + " bytes after the header");
    if (uint64_t{h.str_off} + h.str_len > data_len)
        return btf_error("string section " + range(h.str_off, h.str_len) +
                         " (str_off/str_len, relative to the header end) runs past the " +
                         std::to_string(data_len) + " bytes after the header");
    if (h.type_off % 4 != 0)
        return btf_error("type section offset " + hex(h.type_off) + " is not 4-byte aligned");
    bool overlap = h.type_len != 0 && h.str_len != 0 &&
                   uint64_t{h.type_off} < uint64_t{h.str_off} + h.str_len &&
                   uint64_t{h.str_off} < uint64_t{h.type_off} + h.type_len;
    if (overlap)
        return btf_error("type section " + range(h.type_off, h.type_len) + " and string section " +
                         range(h.str_off, h.str_len) + " overlap");
    if (h.str_len == 0) return btf_error("string section is empty (it must hold at least \"\")");
    uint64_t str_start = uint64_t{h.hdr_len} + h.str_off;
    if (r.u8(str_start) != 0)
        return btf_error("string section does not start with NUL (offset 0 must be the empty name)");
    if (r.u8(str_start + h.str_len - 1) != 0)
        return btf_error("string section does not end in NUL (last byte at " +
                         hex(str_start + h.str_len - 1) + " is " + hex(r.u8(str_start + h.str_len - 1)) +
                         ")");
    return h;
}

class TypeDecoder {
public:
    TypeDecoder(ByteReader types, BtfData& data) : r_(types), d_(data) {}

    Result<Unit> run() {
        uint64_t off = 0;
        while (off < r_.size()) {
            auto next = decode_one(off);
            if (!next) return next.error();
            off = *next;
        }
        return Unit{};
    }

private:
    uint32_t next_id() const { return static_cast<uint32_t>(d_.types.size()); }

    std::string at(uint64_t off) const {
        return "type id " + std::to_string(next_id()) + " at type-section offset " + hex(off);
    }

    Result<Unit> check_name(uint32_t name_off, uint64_t rec_off, const char* what) const {
        if (name_off < d_.strings->size()) return Unit{};
        return btf_error(at(rec_off) + ": " + what + " name offset " + hex(name_off) +
                         " is past the end of the " + std::to_string(d_.strings->size()) +
                         "-byte string section");
    }

    // Returns the offset of the next record.
    Result<uint64_t> decode_one(uint64_t off) {
        if (!r_.has(off, kTypeRecordSize))
            return btf_error(at(off) + ": record truncated (" + std::to_string(r_.size() - off) +
                             " bytes left in the type section, btf_type needs 12)");
        BtfType t;
        t.record_offset = static_cast<uint32_t>(off);
        t.name_off = r_.u32(off);
        uint32_t info = r_.u32(off + 4);
        uint32_t size_or_type = r_.u32(off + 8);
        uint32_t raw_kind = (info >> 24) & 0x1f;
        t.vlen = static_cast<uint16_t>(info & 0xffff);
        t.kind_flag = (info >> 31) != 0;
        if (raw_kind == 0 || raw_kind > kBtfKindMax)
            return btf_error(at(off) + ": unknown BTF kind " + std::to_string(raw_kind) +
                             " (known kinds are 1..19)");
        if (info & 0x60ff0000u)
            return btf_error(at(off) + ": reserved bits set in info word " + hex(info));
        t.kind = static_cast<BtfKind>(raw_kind);
        if (auto ok = check_name(t.name_off, off, btf_kind_name(t.kind)); !ok) return ok.error();

        uint32_t per_item = item_bytes(t.kind);
        uint64_t extra = fixed_extra_bytes(t.kind) + uint64_t{per_item} * t.vlen;
        uint64_t body = off + kTypeRecordSize;
        if (!r_.has(body, extra))
            return btf_error(at(off) + " (" + btf_kind_name(t.kind) + "): needs " + std::to_string(extra) +
                             " more bytes" + (per_item ? " for vlen " + std::to_string(t.vlen) : std::string()) +
                             ", but only " + std::to_string(r_.size() - body) +
                             " are left in the type section");

        if (per_item == 0 && t.vlen != 0 && t.kind != BtfKind::Func)
            return btf_error(at(off) + " (" + btf_kind_name(t.kind) + "): vlen must be 0, is " +
                             std::to_string(t.vlen));
        bool sized = t.kind == BtfKind::Int || t.kind == BtfKind::Struct || t.kind == BtfKind::Union ||
                     t.kind == BtfKind::Enum || t.kind == BtfKind::Enum64 ||
                     t.kind == BtfKind::Datasec || t.kind == BtfKind::Float;
        if (sized) t.size = size_or_type;
        else t.ref = size_or_type;

        if (auto ok = decode_body(t, off, body); !ok) return ok.error();
        d_.types.push_back(t);
        return body + extra;
    }

    Result<Unit> decode_body(BtfType& t, uint64_t off, uint64_t body) {
        auto fail = [&](const std::string& what) {
            return btf_error(at(off) + " (" + btf_kind_name(t.kind) + "): " + what);
        };
        switch (t.kind) {
        case BtfKind::Int: {
            uint32_t enc = r_.u32(body);
            if (t.size != 1 && t.size != 2 && t.size != 4 && t.size != 8 && t.size != 16)
                return fail("size " + std::to_string(t.size) + " is not 1, 2, 4, 8 or 16");
            if (enc & 0xf000ff00u) return fail("reserved bits set in int encoding " + hex(enc));
            t.int_info.encoding = static_cast<uint8_t>((enc >> 24) & 0x0f);
            t.int_info.bit_offset = static_cast<uint8_t>((enc >> 16) & 0xff);
            t.int_info.bits = static_cast<uint8_t>(enc & 0xff);
            uint8_t e = t.int_info.encoding;
            if (e != 0 && e != kBtfIntSigned && e != kBtfIntChar && e != kBtfIntBool)
                return fail("int encoding " + std::to_string(e) + " is not one of signed, char, bool");
            if (t.int_info.bits == 0 || t.int_info.bits > 128)
                return fail("int bits " + std::to_string(t.int_info.bits) + " not in 1..128");
            if (uint32_t{t.int_info.bit_offset} + t.int_info.bits > t.size * 8)
                return fail("int bit offset " + std::to_string(t.int_info.bit_offset) + " + bits " +
                            std::to_string(t.int_info.bits) + " exceed its " + std::to_string(t.size) +
                            " bytes");
            return Unit{};
        }
        case BtfKind::Array:
            t.array.elem_type = r_.u32(body);
            t.array.index_type = r_.u32(body + 4);
            t.array.nelems = r_.u32(body + 8);
            return Unit{};
        case BtfKind::Struct:
        case BtfKind::Union: {
            t.first_item = static_cast<uint32_t>(d_.members.size());
            for (uint32_t i = 0; i < t.vlen; ++i) {
                uint64_t m = body + uint64_t{i} * 12;
                BtfMember mem;
                mem.name_off = r_.u32(m);
                mem.type = r_.u32(m + 4);
                uint32_t raw = r_.u32(m + 8);
                // With kind_flag set, the top 8 bits carry the bitfield size.
                mem.bit_offset = t.kind_flag ? (raw & 0xffffff) : raw;
                mem.bitfield_size = t.kind_flag ? (raw >> 24) : 0;
                if (auto ok = check_name(mem.name_off, off, "member"); !ok) return ok.error();
                d_.members.push_back(mem);
            }
            return Unit{};
        }
        case BtfKind::Enum:
        case BtfKind::Enum64: {
            if (t.size != 1 && t.size != 2 && t.size != 4 && t.size != 8)
                return fail("size " + std::to_string(t.size) + " is not 1, 2, 4 or 8");
            t.first_item = static_cast<uint32_t>(d_.enum_values.size());
            uint32_t stride = t.kind == BtfKind::Enum ? 8 : 12;
            for (uint32_t i = 0; i < t.vlen; ++i) {
                uint64_t e = body + uint64_t{i} * stride;
                BtfEnumValue v;
                v.name_off = r_.u32(e);
                uint32_t lo = r_.u32(e + 4);
                if (t.kind == BtfKind::Enum64) {
                    v.value = lo | (uint64_t{r_.u32(e + 8)} << 32);
                } else if (t.enum_signed()) {
                    v.value = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(lo)));
                } else {
                    v.value = lo;
                }
                if (auto ok = check_name(v.name_off, off, "enumerator"); !ok) return ok.error();
                d_.enum_values.push_back(v);
            }
            return Unit{};
        }
        case BtfKind::FuncProto: {
            t.first_item = static_cast<uint32_t>(d_.params.size());
            for (uint32_t i = 0; i < t.vlen; ++i) {
                uint64_t p = body + uint64_t{i} * 8;
                BtfParam param{r_.u32(p), r_.u32(p + 4)};
                if (auto ok = check_name(param.name_off, off, "parameter"); !ok) return ok.error();
                d_.params.push_back(param);
            }
            return Unit{};
        }
        case BtfKind::Datasec: {
            t.first_item = static_cast<uint32_t>(d_.secinfos.size());
            for (uint32_t i = 0; i < t.vlen; ++i) {
                uint64_t s = body + uint64_t{i} * 12;
                d_.secinfos.push_back(BtfVarSecinfo{r_.u32(s), r_.u32(s + 4), r_.u32(s + 8)});
            }
            return Unit{};
        }
        case BtfKind::Func:
            t.linkage = t.vlen;
            if (t.linkage > kBtfLinkageExtern)
                return fail("function linkage " + std::to_string(t.linkage) + " is not static, global or extern");
            return Unit{};
        case BtfKind::Var:
            t.linkage = r_.u32(body);
            if (t.linkage > kBtfLinkageExtern)
                return fail("variable linkage " + std::to_string(t.linkage) + " is not static, global or extern");
            return Unit{};
        case BtfKind::Float:
            if (t.size != 2 && t.size != 4 && t.size != 8 && t.size != 12 && t.size != 16)
                return fail("size " + std::to_string(t.size) + " is not 2, 4, 8, 12 or 16");
            return Unit{};
        case BtfKind::DeclTag:
            t.component_idx = static_cast<int32_t>(r_.u32(body));
            if (t.component_idx < -1)
                return fail("component_idx " + std::to_string(t.component_idx) + " is below -1");
            if (t.name_off == 0) return fail("a decl tag needs a name");
            return Unit{};
        case BtfKind::TypeTag:
            if (t.name_off == 0) return fail("a type tag needs a name");
            return Unit{};
        case BtfKind::Void: case BtfKind::Ptr: case BtfKind::Fwd: case BtfKind::Typedef:
        case BtfKind::Volatile: case BtfKind::Const: case BtfKind::Restrict: break;
        }
        return Unit{};
    }

    ByteReader r_;
    BtfData& d_;
};

}  // namespace

Result<Btf> parse_btf(std::span<const uint8_t> section) {
    ByteReader r(section);
    auto header = parse_header(r);
    if (!header) return header.error();
    const Header& h = *header;

    BtfData data;
    auto str_bytes = r.slice(uint64_t{h.hdr_len} + h.str_off, h.str_len);
    data.strings = std::make_shared<const std::string>(str_bytes.begin(), str_bytes.end());
    data.types.push_back(BtfType{});  // id 0: void

    ByteReader types(r.slice(uint64_t{h.hdr_len} + h.type_off, h.type_len));
    if (auto ok = TypeDecoder(types, data).run(); !ok) return ok.error();
    if (auto ok = btf_detail::validate_btf(data); !ok) return ok.error();
    return Btf(std::move(data));
}

}  // namespace bpfplay
