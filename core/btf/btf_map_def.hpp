#pragma once
// Map definitions declared the libbpf way, in SEC(".maps"):
//
//   struct {
//       __uint(type, BPF_MAP_TYPE_HASH);   // int (*type)[BPF_MAP_TYPE_HASH]: the number is
//       __uint(max_entries, 16);           //   the array length, so it lives only in BTF
//       __type(key, __u32);                // typeof(__u32) *key: size and type from BTF
//       __type(value, struct stats);
//   } counts SEC(".maps");
//
// Decoding follows libbpf's parse_btf_map_def (strict mode): same attribute names, same
// encodings, same conflicts rejected.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/btf/btf.hpp"
#include "core/error.hpp"

namespace bpfplay {

inline constexpr uint32_t kBpfMapTypeProgArray = 3;
inline constexpr uint32_t kBpfMapTypeArrayOfMaps = 12;
inline constexpr uint32_t kBpfMapTypeHashOfMaps = 13;

// The attributes of one map (outer or inner).
struct BtfMapAttrs {
    uint32_t type = 0;           // BPF_MAP_TYPE_*
    uint32_t key_size = 0;
    uint32_t value_size = 0;
    uint32_t key_type_id = 0;    // 0 when the size came from key_size (no type known)
    uint32_t value_type_id = 0;  // 0 when the size came from value_size or `values`
    uint32_t max_entries = 0;
    uint32_t map_flags = 0;
    uint32_t numa_node = 0;
    uint32_t pinning = 0;        // 0 = none, 1 = LIBBPF_PIN_BY_NAME
    uint64_t map_extra = 0;
};

// What a `values` member (map-in-map, prog array) holds.
enum class BtfMapValues { None, Maps, Programs };

struct BtfMapDef : BtfMapAttrs {
    std::string_view name;        // the variable's name (view into the Btf's strings)
    uint32_t var_type_id = 0;     // the VAR in the .maps DATASEC (0 if parsed from a struct)
    uint32_t def_type_id = 0;     // the definition struct
    uint32_t section_offset = 0;  // the variable's place in the .maps ELF section, from the
    uint32_t section_size = 0;    //   DATASEC (offsets are 0 until fix_datasec_layout runs)
    // Inner map template of an array/hash of maps, from __array(values, struct inner_def).
    std::optional<BtfMapAttrs> inner;
    // `values` member: initial contents for map-in-map or prog-array slots. The loader finds
    // the R_BPF_64_ABS64 relocations at section_offset + values_offset + 8 * slot.
    BtfMapValues values = BtfMapValues::None;
    uint32_t values_offset = 0;   // byte offset of `values` inside the definition struct
};

// Decodes one definition struct (def_type_id: the struct, or a typedef/qualifier of it).
Result<BtfMapDef> parse_btf_map_def(const Btf& btf, uint32_t def_type_id, std::string_view map_name);

// Decodes every variable of the ".maps" DATASEC, in DATASEC order. No ".maps" section
// gives an empty list. Errors are ErrorKind::Load, where.section ".maps", where.map set.
Result<std::vector<BtfMapDef>> parse_btf_map_defs(const Btf& btf);

}  // namespace bpfplay
