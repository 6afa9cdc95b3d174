#pragma once
// A parsed .BTF.ext section: per ELF code section, the function boundaries (func_info),
// source line mapping (line_info) and CO-RE relocations (core_relo) that clang emits.
// Instruction offsets, bytes in the file, are converted to instruction indexes (/8)
// relative to the start of their ELF section.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/btf/btf.hpp"
#include "core/error.hpp"

namespace bpfplay {

struct BtfFuncInfo {
    uint32_t insn_idx = 0;
    uint32_t type_id = 0;     // a FUNC in the .BTF
    std::string_view name;    // the function's name
};

struct BtfLineInfo {
    uint32_t insn_idx = 0;
    std::string_view file;    // as clang recorded it (may be relative, e.g. "./prog.c")
    uint32_t line = 0;        // 1-based; 0 when clang had no line for the instruction
    uint32_t column = 0;      // 1-based; 0 when unknown
    std::string_view text;    // the source line itself, which clang stores in the .BTF strings
};

// enum bpf_core_relo_kind from the uapi <linux/bpf.h>.
enum class BtfCoreReloKind : uint32_t {
    FieldByteOffset = 0,
    FieldByteSize = 1,
    FieldExists = 2,
    FieldSigned = 3,
    FieldLshiftU64 = 4,
    FieldRshiftU64 = 5,
    TypeIdLocal = 6,
    TypeIdTarget = 7,
    TypeExists = 8,
    TypeSize = 9,
    EnumvalExists = 10,
    EnumvalValue = 11,
    TypeMatches = 12,
};
inline constexpr uint32_t kBtfCoreReloKindMax = 12;
// "byte_off", "byte_sz", "field_exists", ... (libbpf's short names).
const char* btf_core_relo_kind_name(BtfCoreReloKind kind);

struct BtfCoreRelo {
    uint32_t insn_idx = 0;
    uint32_t type_id = 0;     // the root type of the access
    std::string_view access;  // e.g. "0:1:2": member/array indexes from the root
    BtfCoreReloKind kind = BtfCoreReloKind::FieldByteOffset;
};

struct BtfExtSection {
    std::string_view name;  // ELF section name: "xdp", ".text", "tp/test"...
    std::vector<BtfFuncInfo> funcs;
    std::vector<BtfLineInfo> lines;
    std::vector<BtfCoreRelo> core_relos;
};

struct BtfExt {
    std::vector<BtfExtSection> sections;
    // Keeps the .BTF string table alive: every string_view above points into it, so a
    // BtfExt stays valid even if the Btf it was parsed with is gone.
    std::shared_ptr<const std::string> strings;

    const BtfExtSection* section(std::string_view name) const;
    // The line entry covering an instruction: the last one at or before insn_idx (line
    // entries mark where a source line's code starts). nullptr if none.
    const BtfLineInfo* line_for(std::string_view section_name, uint32_t insn_idx) const;
};

// Parses the raw bytes of a .BTF.ext section; names and strings resolve against `btf`.
// Records larger than the structs known here are accepted and their extra bytes skipped,
// as libbpf does. Errors are ErrorKind::Load with where.section = ".BTF.ext".
Result<BtfExt> parse_btf_ext(std::span<const uint8_t> section, const Btf& btf);

}  // namespace bpfplay
