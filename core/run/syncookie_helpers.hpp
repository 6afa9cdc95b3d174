#pragma once
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

// SYN cookies, as net/core/filter.c and net/ipv4/syncookies.c / net/ipv6/syncookies.c make and
// check them:
//  110 bpf_tcp_gen_syncookie, 100 bpf_tcp_check_syncookie: for a listener (the kernel's
//      argument checks, net.ipv4.tcp_syncookies as Network::tcp_syncookies, a full SYN queue as
//      HostSocket::syn_flood)
//  204/205 bpf_tcp_raw_gen_syncookie_ipv4/ipv6, 206/207 bpf_tcp_raw_check_syncookie_ipv4/ipv6:
//      without a socket
// A cookie is the kernel's: SipHash-2-4 of the four-tuple, plus the client's sequence number,
// the minute counter (jiffies / (60 * HZ)) in the top 8 bits and the MSS table index in the
// low 24. The kernel's SipHash keys are random per boot; here they are the host's
// syncookie_secret, so cookies are reproducible (and differ from a real kernel's).
std::span<const HelperImpl> syncookie_helper_impls();

} // namespace bpfplay
