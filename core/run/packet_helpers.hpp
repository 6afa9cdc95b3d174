#pragma once
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

// bpf_skb_load_bytes (26), bpf_skb_load_bytes_relative (68), bpf_xdp_get_buff_len (188),
// bpf_xdp_load_bytes (189), bpf_xdp_store_bytes (190): copies between the packet and program
// memory.
std::span<const HelperImpl> packet_helper_impls();

}  // namespace bpfplay
