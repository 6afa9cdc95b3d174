#pragma once
// --map-init FILE.json: map contents to write before the first run, as a user-space loader
// would with bpf_map_update_elem() between loading and attaching.
//
//   {
//     "counts":          [{"key": "06000000", "value": "0a00000000000000"}],
//     "percpu_stats":    [{"key": "00000000", "values": ["01000000", "02000000", "00000000", "00000000"]}],
//     "jump_table":      [{"key": "00000000", "program": "handle_tcp"}],
//     "outer":           [{"key": "00000000", "map": "inner_a"}],
//     "global_v.rodata": [{"key": "00000000", "value": "00000000ea050000"}],
//     "commands":        [{"key": "", "value": "0100501f"}]
//   }
//
// Keys and values are hex (whitespace ignored) of exactly key_size / value_size bytes; per-CPU
// maps take "values", one per emulated CPU. A user ring buffer takes records of any length,
// written in order as user space would (user_ring_buffer__reserve + submit). A prog_array slot may name a program and a map of
// maps slot an inner map instead of giving the index / id as hex.
//
// Frozen global data (.rodata: libbpf freezes it at load) cannot be updated afterwards, so its
// contents are written into the object's section bytes before loading -- what a libbpf
// skeleton does when it sets skel->rodata->x between open and load.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/run/object_session.hpp"

namespace bpfplay::cli {

struct MapInitEntry {
    size_t index = 0; // in the file, for messages
    std::string key_hex;
    std::optional<std::string> value_hex;
    std::vector<std::string> values_hex;  // per-CPU
    std::optional<std::string> program;   // prog_array: the program to put in the slot
    std::optional<std::string> inner_map; // maps of maps: the map to put in the slot
};

struct MapInitMap {
    std::string name;
    std::vector<MapInitEntry> entries;
};

struct MapInit {
    std::string file; // names the input in messages
    std::vector<MapInitMap> maps;
};

// Reads the document's structure (not yet checked against any object's maps).
Result<MapInit> parse_map_init(std::string_view json_text, const std::string& file);

// Writes the entries of frozen global-data maps into `elf` (a copy of the object's bytes),
// using `probe` (the object loaded from the unpatched bytes) to find the maps. Returns the
// names of the maps it wrote; they must be skipped by apply_map_init. A map named nowhere in
// the object is left for apply_map_init to report.
Result<std::vector<std::string>> patch_frozen_maps(std::vector<uint8_t>& elf, const LoadedObject& probe,
                                                   const MapInit& init);

// Writes every entry with the maps' user-space update (Map::update_user), skipping the maps
// named in `skip`. Errors name the file, the map and the entry.
Result<Unit> apply_map_init(ObjectSession& session, const MapInit& init,
                            const std::vector<std::string>& skip);

} // namespace bpfplay::cli
