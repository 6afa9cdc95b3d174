#pragma once
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

// bpf_fib_lookup (69) over the host's routes, connected and local addresses and neighbours
// (Host::net), for XDP and TC, with the kernel's checks and BPF_FIB_LKUP_RET_* codes
// (net/core/filter.c bpf_ipv4_fib_lookup / bpf_ipv6_fib_lookup). One table: policy rules,
// lightweight tunnels, VLANs and multipath routes are not modelled.
std::span<const HelperImpl> fib_helper_impls();

} // namespace bpfplay
