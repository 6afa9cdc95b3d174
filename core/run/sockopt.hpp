#pragma once
// bpf_setsockopt / bpf_getsockopt on a host socket, as net/core/filter.c's __bpf_setsockopt and
// __bpf_getsockopt (Linux 6.18) decide: which level / option pairs a BPF program may use, the
// option lengths and value ranges sk_setsockopt, do_tcp_setsockopt, do_ip_setsockopt and
// do_ipv6_setsockopt accept, and what each leaves on the socket. Program-type independent: the
// caller (sock_ops, cgroup sock_addr, cgroup sockopt) says which socket the program acts on.
#include <cstdint>
#include <span>
#include <string>

namespace bpfplay {

struct HostSocket;
struct Network;

// 0 or the kernel's -errno; `said` is what happened, in words ("SO_RCVBUF = 65536: sk_rcvbuf
// becomes 131072", or why it was refused).
int64_t socket_setsockopt(const Network& net, HostSocket& s, int32_t level, int32_t optname,
                          std::span<const uint8_t> optval, std::string& said);
// Fills optval (zeros past the value; all zeros on an error). 0 or -errno.
int64_t socket_getsockopt(const HostSocket& s, int32_t level, int32_t optname, std::span<uint8_t> optval,
                          std::string& said);

// "SOL_SOCKET", "SOL_TCP", ... or the number.
std::string sockopt_level_name(int32_t level);

}  // namespace bpfplay
