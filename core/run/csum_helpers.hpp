#pragma once
// The checksum helpers (core/run/csum_helpers.cpp), exact to the x86-64 kernel's bits:
//
//   id   name                  what
//   28   bpf_csum_diff         csum_partial of `to` minus that of `from`, plus a seed, folded to
//                              16 bits (6.13+: csum_from32to16, the same on every arch)
//   10   bpf_l3_csum_replace   updates a 16-bit checksum in the packet for a 2- or 4-byte change
//                              (flags' low 4 bits) or a csum_diff (size 0)
//   11   bpf_l4_csum_replace   the same for TCP/UDP; BPF_F_MARK_MANGLED_0 keeps a UDP checksum
//                              of 0 ("none") and turns a computed 0 into 0xffff
//   40   bpf_csum_update       adds to skb->csum: -ENOTSUPP unless CHECKSUM_COMPLETE (never in a
//                              test run)
//  135   bpf_csum_level        CHECKSUM_UNNECESSARY's level: query, inc, dec, reset
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

std::span<const HelperImpl> csum_helper_impls();

}  // namespace bpfplay
