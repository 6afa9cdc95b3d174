#include "core/host/sockopt_table.hpp"

#include <array>

namespace bpfplay {

namespace {

// Options stored in HostSocket::options. SO_MARK, SO_PRIORITY, SO_REUSEPORT and SO_BINDTOIFINDEX
// are HostSocket members; TCP_CONGESTION is HostSocket::congestion; the cb flags are
// HostSocket::sock_ops_cb_flags.
constexpr std::array kOptions = {
    SockoptInfo{sol::kSocket, 2, "SO_REUSEADDR", 0},
    SockoptInfo{sol::kSocket, 7, "SO_SNDBUF", 16384},        // tcp_wmem[1]
    SockoptInfo{sol::kSocket, 8, "SO_RCVBUF", 131072},       // tcp_rmem[1]
    SockoptInfo{sol::kSocket, 9, "SO_KEEPALIVE", 0},
    SockoptInfo{sol::kSocket, 18, "SO_RCVLOWAT", 1},
    SockoptInfo{sol::kSocket, 47, "SO_MAX_PACING_RATE", -1},  // ~0U: no limit
    SockoptInfo{sol::kSocket, 74, "SO_TXREHASH", 1},          // net.core.txrehash
    SockoptInfo{sol::kSocket, 1009, "SK_BPF_CB_FLAGS", 0},
    SockoptInfo{sol::kTcp, 1, "TCP_NODELAY", 0},
    SockoptInfo{sol::kTcp, 2, "TCP_MAXSEG", 536},  // TCP_MSS_DEFAULT until the route gives an MSS
    SockoptInfo{sol::kTcp, 4, "TCP_KEEPIDLE", 7200},
    SockoptInfo{sol::kTcp, 5, "TCP_KEEPINTVL", 75},
    SockoptInfo{sol::kTcp, 6, "TCP_KEEPCNT", 9},
    SockoptInfo{sol::kTcp, 7, "TCP_SYNCNT", 6},
    SockoptInfo{sol::kTcp, 10, "TCP_WINDOW_CLAMP", 0},
    SockoptInfo{sol::kTcp, 16, "TCP_THIN_LINEAR_TIMEOUTS", 0},
    SockoptInfo{sol::kTcp, 18, "TCP_USER_TIMEOUT", 0},
    SockoptInfo{sol::kTcp, 25, "TCP_NOTSENT_LOWAT", 0},
    SockoptInfo{sol::kTcp, 27, "TCP_SAVE_SYN", 0},
    SockoptInfo{sol::kTcp, 44, "TCP_RTO_MAX_MS", 120000},
    SockoptInfo{sol::kTcp, 1001, "TCP_BPF_IW", 10},             // TCP_INIT_CWND
    SockoptInfo{sol::kTcp, 1002, "TCP_BPF_SNDCWND_CLAMP", 0},
    SockoptInfo{sol::kTcp, 1003, "TCP_BPF_DELACK_MAX", 200000},  // TCP_DELACK_MAX, in us
    SockoptInfo{sol::kTcp, 1004, "TCP_BPF_RTO_MIN", 200000},     // TCP_RTO_MIN, in us
    SockoptInfo{sol::kIp, 1, "IP_TOS", 0},
    SockoptInfo{sol::kIpv6, 67, "IPV6_TCLASS", 0},
    SockoptInfo{sol::kIpv6, 70, "IPV6_AUTOFLOWLABEL", 1},
};

}  // namespace

std::optional<SockoptInfo> sockopt_info(int32_t level, int32_t optname) {
    for (const SockoptInfo& o : kOptions)
        if (o.level == level && o.optname == optname) return o;
    return std::nullopt;
}

std::optional<SockoptInfo> sockopt_by_name(std::string_view name) {
    for (const SockoptInfo& o : kOptions)
        if (name == o.name) return o;
    return std::nullopt;
}

}  // namespace bpfplay
