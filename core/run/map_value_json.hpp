#pragma once
// A map key or value written as the C value the page shows (the BTF printer's JSON) -> the
// bytes bpf_map_update_elem takes. Maps without BTF for that part show it as a hex string
// ("0a000000"), and take one back the same way.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/loader/loader.hpp"

namespace bpfplay {

enum class MapPart : uint8_t { Key, Value };

// `json_text` for one key, or one value (one CPU's value of a per-CPU map); empty text (or only
// whitespace) is all zero bytes, as `= {}` in C. Errors name the map
// and the path inside the value: map "flows": value.sport: 70000 does not fit in __u16 (0 to 65535).
Result<std::vector<uint8_t>> encode_map_json(const LoadedObject& object, std::string_view map, MapPart part,
                                             std::string_view json_text);

} // namespace bpfplay
