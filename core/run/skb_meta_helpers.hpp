#pragma once
// __sk_buff fields helpers set (core/run/skb_meta_helpers.cpp):
//
//   id  name                   what
//   24  bpf_get_route_realm    the route's realm: 0, as a test run's skb has no route
//   32  bpf_skb_change_type    pkt_type, only among host, broadcast, multicast and other host
//                              (-EINVAL otherwise)
//   48  bpf_set_hash           a software L4 hash (__sk_buff.hash)
//   41  bpf_set_hash_invalid   hash 0, to be computed again
//   34  bpf_get_hash_recalc    the hash, computed when none is set. The kernel's flow hash is
//                              keyed by a per-boot random secret: bpfplay's is a fixed FNV-1a of
//                              the addresses, protocol and ports, so it never equals the kernel's.
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

std::span<const HelperImpl> skb_meta_helper_impls();

}  // namespace bpfplay
