#pragma once
// A map entry set from C values, as the page's map editor and a user's tools give it: the key
// and the value(s) as the BTF printer's JSON (a hex string for a part without BTF), encoded by
// core, a per-CPU map's one value replicated to every CPU, then bpf_map_update_elem; the
// kernel's error in words. One command, so the page keeps no map knowledge of its own.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/debugger/debug_session.hpp"

namespace bpfplay {

struct MapEntryEdit {
    std::string map;
    std::string key_json;
    // One value; for a per-CPU map one value for every CPU, or one per CPU (ncpus of them).
    std::vector<std::string> values_json;
    uint64_t flags = 0;  // BPF_ANY, BPF_NOEXIST, BPF_EXIST
};

// The key's bytes when the entry is set. Errors: the encoder's (naming the field: "value.sport:
// 70000 does not fit in __u16 (0 to 65535)"), a count of values that fits no CPU count, or
// bpf_map_update_elem's errno in words ("bpf_map_update_elem failed with -E2BIG: the map is
// full"). The edit clears the journal as DebugSession::update_map does.
Result<std::vector<uint8_t>> set_map_entry(DebugSession& session, const MapEntryEdit& edit);

// MapEntryEdit::values_json from the page's JSON array of value texts (["{...}"], or one per
// CPU); a parse error, or a Parse error when it is not an array of one or more strings.
Result<std::vector<std::string>> map_edit_values(std::string_view values_json);

}  // namespace bpfplay
