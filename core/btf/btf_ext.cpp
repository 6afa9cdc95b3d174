// .BTF.ext parsing. The section is a header followed by up to three info blocks
// (func_info, line_info, core_relo), each laid out as
//     u32 rec_size; { u32 sec_name_off; u32 num_info; u8 records[num_info * rec_size]; }...
// with offsets relative to the end of the header. Every count is checked against the
// bytes that remain before any record is stored.
#include <map>
#include <string>

#include "core/btf/btf_bytes.hpp"
#include "core/btf/btf_ext.hpp"

namespace bpfplay {

using btf_detail::btf_ext_error;
using btf_detail::ByteReader;
using btf_detail::hex;
using btf_detail::HeaderField;
using btf_detail::kBtfMagic;

const char* btf_core_relo_kind_name(BtfCoreReloKind kind) {
    switch (kind) {
    case BtfCoreReloKind::FieldByteOffset: return "byte_off";
    case BtfCoreReloKind::FieldByteSize: return "byte_sz";
    case BtfCoreReloKind::FieldExists: return "field_exists";
    case BtfCoreReloKind::FieldSigned: return "signed";
    case BtfCoreReloKind::FieldLshiftU64: return "lshift_u64";
    case BtfCoreReloKind::FieldRshiftU64: return "rshift_u64";
    case BtfCoreReloKind::TypeIdLocal: return "local_type_id";
    case BtfCoreReloKind::TypeIdTarget: return "target_type_id";
    case BtfCoreReloKind::TypeExists: return "type_exists";
    case BtfCoreReloKind::TypeSize: return "type_size";
    case BtfCoreReloKind::EnumvalExists: return "enumval_exists";
    case BtfCoreReloKind::EnumvalValue: return "enumval_value";
    case BtfCoreReloKind::TypeMatches: return "type_matches";
    }
    return "unknown";
}

const BtfExtSection* BtfExt::section(std::string_view wanted) const {
    for (const BtfExtSection& s : sections)
        if (s.name == wanted) return &s;
    return nullptr;
}

const BtfLineInfo* BtfExt::line_for(std::string_view section_name, uint32_t insn_idx) const {
    const BtfExtSection* s = section(section_name);
    if (!s) return nullptr;
    const BtfLineInfo* best = nullptr;
    for (const BtfLineInfo& l : s->lines)
        if (l.insn_idx <= insn_idx && (!best || l.insn_idx >= best->insn_idx)) best = &l;
    return best;
}

namespace {

constexpr uint32_t kMinHeaderSize = 24;   // up to line_info_len
constexpr uint32_t kCoreHeaderSize = 32;  // up to core_relo_len

constexpr HeaderField kExtHeaderFields[] = {
    {"magic", 0, 2},          {"version", 2, 1},         {"flags", 3, 1},
    {"hdr_len", 4, 4},        {"func_info_off", 8, 4},   {"func_info_len", 12, 4},
    {"line_info_off", 16, 4}, {"line_info_len", 20, 4},
};

Result<Unit> need_field(const ByteReader& r, const HeaderField& f) {
    if (r.has(f.offset, f.size)) return Unit{};
    return btf_ext_error("truncated header: the section is " + std::to_string(r.size()) +
                         " bytes, but btf_ext_header." + f.name + " is at offset " + hex(f.offset) + " (" +
                         std::to_string(f.size) + " bytes)");
}

enum class Block { Func, Line, Core };

struct BlockSpec {
    Block block;
    const char* name;
    uint32_t min_rec_size;  // sizeof the record struct this parser knows
    const char* record;
};
constexpr BlockSpec kBlocks[] = {
    {Block::Func, "func_info", 8, "bpf_func_info"},
    {Block::Line, "line_info", 16, "bpf_line_info"},
    {Block::Core, "core_relo", 16, "bpf_core_relo"},
};

class ExtParser {
public:
    ExtParser(ByteReader r, const Btf& btf, BtfExt& out) : r_(r), btf_(btf), out_(out) {}

    Result<Unit> parse_block(const BlockSpec& spec, uint32_t hdr_len, uint32_t off, uint32_t len) {
        if (len == 0) return Unit{};
        std::string what = spec.name;
        if (off % 4 != 0) return btf_ext_error(what + " offset " + hex(off) + " is not 4-byte aligned");
        uint64_t start = uint64_t{hdr_len} + off;
        if (!r_.has(start, len))
            return btf_ext_error(what + " block [" + hex(off) + ", " + hex(uint64_t{off} + len) +
                                 ") (relative to the header end) runs past the " + std::to_string(r_.size()) +
                                 "-byte section");
        if (len < 4)
            return btf_ext_error(what + " block is " + std::to_string(len) +
                                 " bytes, too short for its record size");
        uint32_t rec_size = r_.u32(start);
        if (rec_size < spec.min_rec_size)
            return btf_ext_error(what + " record size " + std::to_string(rec_size) + " is smaller than " +
                                 spec.record + " (" + std::to_string(spec.min_rec_size) + " bytes)");
        if (rec_size % 4 != 0)
            return btf_ext_error(what + " record size " + std::to_string(rec_size) +
                                 " is not a multiple of 4");
        uint64_t pos = start + 4;
        uint64_t end = start + len;
        while (pos < end) {
            if (end - pos < 8)
                return btf_ext_error(what + ": section header at offset " + hex(pos) + " is truncated (" +
                                     std::to_string(end - pos) + " bytes left, 8 needed)");
            uint32_t name_off = r_.u32(pos);
            uint32_t count = r_.u32(pos + 4);
            pos += 8;
            if (!btf_.string_offset_valid(name_off))
                return btf_ext_error(what + ": section name offset " + hex(name_off) +
                                     " is past the end of the .BTF string section");
            std::string_view sec_name = btf_.string_at(name_off);
            if (count == 0)
                return btf_ext_error(what + " for section '" + std::string(sec_name) + "' has 0 records");
            uint64_t bytes = uint64_t{count} * rec_size;
            if (bytes > end - pos)
                return btf_ext_error(what + " for section '" + std::string(sec_name) + "' claims " +
                                     std::to_string(count) + " records of " + std::to_string(rec_size) +
                                     " bytes, but only " + std::to_string(end - pos) + " bytes remain in the block");
            BtfExtSection& sec = section_for(sec_name);
            for (uint32_t i = 0; i < count; ++i, pos += rec_size)
                if (auto ok = parse_record(spec, sec, pos); !ok) return ok;
        }
        return Unit{};
    }

private:
    BtfExtSection& section_for(std::string_view name) {
        auto [it, inserted] = index_.try_emplace(name, out_.sections.size());
        if (inserted) out_.sections.push_back(BtfExtSection{name, {}, {}, {}});
        return out_.sections[it->second];
    }

    Result<uint32_t> insn_index(const BlockSpec& spec, const BtfExtSection& sec, uint64_t pos) const {
        uint32_t insn_off = r_.u32(pos);
        if (insn_off % 8 != 0)
            return btf_ext_error(std::string(spec.name) + " record at offset " + hex(pos) + " (section '" +
                                 std::string(sec.name) + "'): insn_off " + std::to_string(insn_off) +
                                 " is not a multiple of the 8-byte instruction size");
        return insn_off / 8;
    }

    Result<std::string_view> string(const BlockSpec& spec, uint64_t pos, uint32_t str_off, const char* field) const {
        if (!btf_.string_offset_valid(str_off))
            return btf_ext_error(std::string(spec.name) + " record at offset " + hex(pos) + ": " + field + " " +
                                 hex(str_off) + " is past the end of the .BTF string section");
        return btf_.string_at(str_off);
    }

    Result<Unit> parse_record(const BlockSpec& spec, BtfExtSection& sec, uint64_t pos) {
        auto idx = insn_index(spec, sec, pos);
        if (!idx) return idx.error();
        switch (spec.block) {
        case Block::Func: {
            uint32_t type_id = r_.u32(pos + 4);
            if (btf_.kind(type_id) != BtfKind::Func || type_id == 0)
                return btf_ext_error("func_info record at offset " + hex(pos) + " (section '" +
                                     std::string(sec.name) + "'): type id " + std::to_string(type_id) +
                                     " is not a FUNC");
            sec.funcs.push_back(BtfFuncInfo{*idx, type_id, btf_.name(type_id)});
            return Unit{};
        }
        case Block::Line: {
            auto file = string(spec, pos, r_.u32(pos + 4), "file_name_off");
            if (!file) return file.error();
            auto text = string(spec, pos, r_.u32(pos + 8), "line_off");
            if (!text) return text.error();
            uint32_t line_col = r_.u32(pos + 12);
            // BPF_LINE_INFO_LINE_NUM / _LINE_COL: line in the top 22 bits, column in the low 10.
            sec.lines.push_back(BtfLineInfo{*idx, *file, line_col >> 10, line_col & 0x3ff, *text});
            return Unit{};
        }
        case Block::Core: {
            uint32_t type_id = r_.u32(pos + 4);
            if (type_id >= btf_.type_count())
                return btf_ext_error("core_relo record at offset " + hex(pos) + ": type id " +
                                     std::to_string(type_id) + " does not exist");
            auto access = string(spec, pos, r_.u32(pos + 8), "access_str_off");
            if (!access) return access.error();
            uint32_t kind = r_.u32(pos + 12);
            if (kind > kBtfCoreReloKindMax)
                return btf_ext_error("core_relo record at offset " + hex(pos) + ": unknown relocation kind " +
                                     std::to_string(kind));
            sec.core_relos.push_back(BtfCoreRelo{*idx, type_id, *access, static_cast<BtfCoreReloKind>(kind)});
            return Unit{};
        }
        }
        return Unit{};
    }

    ByteReader r_;
    const Btf& btf_;
    BtfExt& out_;
    std::map<std::string_view, size_t> index_;  // section name -> out_.sections index
};

}  // namespace

Result<BtfExt> parse_btf_ext(std::span<const uint8_t> section, const Btf& btf) {
    ByteReader r(section);
    for (size_t i = 0; i < 4; ++i) {  // magic, version, flags, hdr_len
        if (auto ok = need_field(r, kExtHeaderFields[i]); !ok) return ok.error();
        if (i == 0 && r.u16(0) != kBtfMagic)
            return btf_ext_error("bad magic " + hex(r.u16(0)) + " at offset 0x0 (expected 0xeb9f)");
        if (i == 1 && r.u8(2) != 1)
            return btf_ext_error("unsupported .BTF.ext version " + std::to_string(r.u8(2)) + " (only version 1 exists)");
        if (i == 2 && r.u8(3) != 0)
            return btf_ext_error("unsupported .BTF.ext header flags " + hex(r.u8(3)) + " (must be 0)");
    }
    uint32_t hdr_len = r.u32(4);
    if (hdr_len < kMinHeaderSize)
        return btf_ext_error("hdr_len " + std::to_string(hdr_len) +
                             " is smaller than the 24 bytes that reach line_info_len");
    if (hdr_len > r.size()) {
        for (size_t i = 4; i < std::size(kExtHeaderFields); ++i)
            if (auto ok = need_field(r, kExtHeaderFields[i]); !ok) return ok.error();
        return btf_ext_error("hdr_len " + std::to_string(hdr_len) + " runs past the end of the " +
                             std::to_string(r.size()) + "-byte section");
    }

    BtfExt ext;
    ext.strings = btf.string_table();
    ExtParser parser(r, btf, ext);
    if (auto ok = parser.parse_block(kBlocks[0], hdr_len, r.u32(8), r.u32(12)); !ok) return ok.error();
    if (auto ok = parser.parse_block(kBlocks[1], hdr_len, r.u32(16), r.u32(20)); !ok) return ok.error();
    // Older headers stop before the CO-RE fields; they simply have no relocations.
    if (hdr_len >= kCoreHeaderSize)
        if (auto ok = parser.parse_block(kBlocks[2], hdr_len, r.u32(24), r.u32(28)); !ok) return ok.error();
    return ext;
}

}  // namespace bpfplay
