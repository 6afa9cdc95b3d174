#pragma once
// The XDP helpers that move the packet's edges inside its page (core/run/xdp_adjust_helpers.cpp),
// with net/core/filter.c's bounds and error codes:
//
//   id  name                  moves                 fails with
//   44  bpf_xdp_adjust_head   data (and data_meta)  -EINVAL: data would enter the xdp_frame area
//                                                   (40 bytes + metadata) or leave < 14 bytes
//   54  bpf_xdp_adjust_meta   data_meta             -EINVAL: outside [40, data]; -EACCES: the
//                                                   metadata would not be a multiple of 4 or > 255
//   65  bpf_xdp_adjust_tail   data_end (fragments)  -EINVAL: past the tailroom (data_end at most
//                                                   4096 - 320) or < 14 bytes left
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

std::span<const HelperImpl> xdp_adjust_helper_impls();

}  // namespace bpfplay
