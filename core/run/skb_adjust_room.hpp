#pragma once
// bpf_skb_adjust_room (50), core/run/skb_adjust_room.cpp: room made or taken away after the MAC
// header (BPF_ADJ_ROOM_MAC) or after the IPv4/IPv6 header (BPF_ADJ_ROOM_NET), with the
// encapsulation flags (BPF_F_ADJ_ROOM_ENCAP_L3_*, _L4_GRE/UDP, _L2(len), _L2_ETH) and the
// decapsulation ones (BPF_F_ADJ_ROOM_DECAP_L3_*), as net/core/filter.c checks them:
// -EINVAL for flags that do not go together, -EFAULT for more than 4095 bytes, -ENOTSUPP for a
// packet that is not IP, an unknown mode, or a size out of bounds, -EALREADY for a second
// encapsulation.
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

std::span<const HelperImpl> skb_adjust_room_helper_impls();

}  // namespace bpfplay
