#pragma once
#include <optional>
#include <span>

#include "core/helpers/registry.hpp"
#include "core/host/net_model.hpp"

namespace bpfplay {

// bpf_fib_lookup (69) over the host's routes, connected and local addresses and neighbours
// (Host::net), for XDP and TC, with the kernel's checks and BPF_FIB_LKUP_RET_* codes
// (net/core/filter.c bpf_ipv4_fib_lookup / bpf_ipv6_fib_lookup). One table: policy rules,
// lightweight tunnels, VLANs and multipath routes are not modelled.
std::span<const HelperImpl> fib_helper_impls();

// The lookups bpf_fib_lookup makes, for other helpers that route a packet (seg6's actions):
// whether `dst` is the host's own (a local-table route), and the main table's best route.
bool fib_is_local(const Network& net, const Ipv6& dst, uint32_t family);
std::optional<Route> fib_best_route(const Network& net, const Ipv6& dst, uint32_t family);

} // namespace bpfplay
