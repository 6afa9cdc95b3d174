#pragma once
// bpf_check_mtu (163): whether a packet, grown or shrunk by len_diff, fits a device's MTU.
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

std::span<const HelperImpl> mtu_helper_impls();

}  // namespace bpfplay
