#pragma once
// The skb's tunnel, IPsec and timestamp metadata (core/run/tunnel_helpers.cpp), as
// net/core/filter.c (Linux 6.18) gives it to tc programs:
//
//   id   name                     what
//   20   bpf_skb_get_tunnel_key   the tunnel key the packet carries (host "rx_tunnel", or what
//                                 bpf_skb_set_tunnel_key set): -EINVAL without one (a test run's
//                                 skb), -EPROTO for the other family, the old struct sizes (8,
//                                 22, 24, 28 bytes) accepted as the kernel does
//   21   bpf_skb_set_tunnel_key   TX metadata for a collect_md tunnel device to encapsulate with
//   29   bpf_skb_get_tunnel_opt   the tunnel's option bytes (geneve TLVs...): -ENOENT, -ENOMEM
//   30   bpf_skb_set_tunnel_opt   options for the TX metadata set by bpf_skb_set_tunnel_key
//   66   bpf_skb_get_xfrm_state   an IPsec state of the packet's security path (host "rx_sec_path")
//   192  bpf_skb_set_tstamp       __sk_buff tstamp and tstamp_type (REALTIME, MONOTONIC, TAI)
//
// The metadata lives in Network (rx_tunnel, rx_sec_path) and NetRun (tx_tunnel), so stepping
// back over a call restores it with the rest of the run's network state.
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

std::span<const HelperImpl> tunnel_helper_impls();

}  // namespace bpfplay
