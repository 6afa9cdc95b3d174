#pragma once
// VLAN tags of an __sk_buff (core/run/skb_vlan_helpers.cpp), as skb_vlan_push / skb_vlan_pop do
// them. The kernel keeps the outermost tag out of the packet ("hardware accelerated": the
// vlan_present, vlan_tci and vlan_proto fields); tags inside the packet are bytes after the MAC
// addresses.
//
//   id  name               what
//   18  bpf_skb_vlan_push  a tag already in the fields goes into the packet; the new one into the
//                          fields (a protocol other than 802.1ad counts as 802.1Q)
//   19  bpf_skb_vlan_pop   the fields' tag goes, else the packet's outer tag; the next tag in the
//                          packet (QinQ) moves to the fields
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

std::span<const HelperImpl> skb_vlan_helper_impls();

}  // namespace bpfplay
