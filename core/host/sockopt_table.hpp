#pragma once
// The socket options bpf_setsockopt / bpf_getsockopt reach (net/core/filter.c: sol_socket_sockopt,
// sol_tcp_sockopt, sol_ip_sockopt, sol_ipv6_sockopt), by level and number, with the name a host
// socket stores them under (HostSocket::options) and the value a socket has before anyone sets
// it: a Linux 6.18 TCP socket's default (sysctls at their defaults, HZ = 250).
#include <cstdint>
#include <optional>
#include <string_view>

namespace bpfplay {

namespace sol {
constexpr int32_t kIp = 0, kSocket = 1, kTcp = 6, kIpv6 = 41;  // SOL_IP, SOL_SOCKET, SOL_TCP, SOL_IPV6
}

struct SockoptInfo {
    int32_t level;
    int32_t optname;
    const char* name;       // "SO_RCVBUF"
    int32_t default_value;  // what bpf_getsockopt reads while the socket has no value set
};

// The option of that level and number, or nullopt.
std::optional<SockoptInfo> sockopt_info(int32_t level, int32_t optname);
// By name ("TCP_NODELAY"): host JSON's options members.
std::optional<SockoptInfo> sockopt_by_name(std::string_view name);

}  // namespace bpfplay
