#pragma once
// The rules for maps stored inside array_of_maps / hash_of_maps (kernel/bpf/map_in_map.c).
#include <cstdint>
#include <optional>

#include "core/maps/map.hpp"

namespace bpfplay {

// bpf_map_meta_alloc: may a map made from `inner` serve as the template of an outer map?
// Maps of maps cannot nest (-EINVAL) and prog_array cannot be an inner map (-ENOTSUPP).
std::optional<MapCreateError> check_inner_template(const MapSpec& outer, const MapSpec& inner);

// bpf_map_meta_equal (array_map_meta_equal for arrays): same type, key_size, value_size and
// map_flags; arrays also the same max_entries unless the template has BPF_F_INNER_MAP.
bool inner_map_matches(const MapSpec& templ, const MapSpec& candidate);

// bpf_map_fd_get_ptr for an update of `outer` from userspace with map id `inner_id`:
// 0, -EBADF when the outer map's set has no such map, -EINVAL when it does not match.
int64_t check_inner_map(const Map& outer, uint32_t inner_id);

}  // namespace bpfplay
