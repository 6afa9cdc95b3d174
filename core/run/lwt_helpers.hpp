#pragma once
// Lightweight-tunnel encapsulation (core/run/lwt_helpers.cpp), as net/core/filter.c gives it:
//
//   id  name                 what
//   73  bpf_lwt_push_encap   BPF_LWT_ENCAP_IP: an outer IPv4 or IPv6 header pushed in front of
//                            the packet (lwt_in, lwt_xmit), its checksum filled in when 0; the
//                            header's version and length checked as bpf_lwt_push_ip_encap does
//                            (-EINVAL). BPF_LWT_ENCAP_SEG6 / _SEG6_INLINE (an SRv6 header) stop
//                            the run: bpfplay does not model segment routing.
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

std::span<const HelperImpl> lwt_helper_impls();

}  // namespace bpfplay
