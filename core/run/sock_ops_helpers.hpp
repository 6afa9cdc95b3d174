#pragma once
#include <cstdint>
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

class Vm;

// The helpers of sock_ops programs (net/core/filter.c), on the host's program socket:
//   59 bpf_sock_ops_cb_flags_set: the socket's bpf_sock_ops_cb_flags (which optional callbacks
//      follow); returns the bits this kernel does not know, -EINVAL on a request or timewait socket
//   49 bpf_setsockopt, 57 bpf_getsockopt: the options filter.c allows (core/run/sockopt.hpp), on
//      the host socket; from sock_ops only in the callbacks made with the socket locked (ops 0 to
//      15), else -EOPNOTSUPP. Also the implementation for other program types' contexts: the
//      socket is the one the context is for (setsockopt_on / getsockopt_on).
//   142 bpf_load_hdr_opt, 143 bpf_store_hdr_opt, 144 bpf_reserve_hdr_opt: find a TCP option in
//      the segment's header, write one into the space HDR_OPT_LEN_CB reserved, reserve space.
// Changes to the socket are undone by reverse stepping and logged as host events.
std::span<const HelperImpl> sock_ops_helper_impls();

// bpf_setsockopt / bpf_getsockopt on host socket `socket` (an index in Network::sockets), for
// the program types whose context names a socket (cgroup sock_addr, cgroup sockopt).
uint64_t setsockopt_on(Vm& vm, uint32_t socket, uint64_t level, uint64_t optname, uint64_t optval, uint64_t optlen);
uint64_t getsockopt_on(Vm& vm, uint32_t socket, uint64_t level, uint64_t optname, uint64_t optval, uint64_t optlen);

}  // namespace bpfplay
