#include "core/run/sockopt.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>

#include "core/hex.hpp"
#include "core/host/net_model.hpp"
#include "core/host/sockopt_table.hpp"
#include "core/maps/map_abi.hpp"
#include "core/memory.hpp"
#include "core/run/uapi_consts.hpp"

namespace bpfplay {

namespace {


// Linux 6.18 defaults: net.core.{r,w}mem_max, tcp_rmem[2], SOCK_MIN_{RCV,SND}BUF on x86-64.
constexpr int64_t kRmemMax = 4194304, kWmemMax = 4194304, kTcpRmemMax = 33554432;
constexpr int32_t kSockMinRcvbuf = 2304, kSockMinSndbuf = 4608;
constexpr int32_t kHz = 250;  // Debian's CONFIG_HZ: the TCP_BPF_* timeouts are whole jiffies
constexpr int32_t kTcpTimeoutMinJiffies = 2, kTcpDelackMaxJiffies = kHz / 5, kTcpRtoMinJiffies = kHz / 5;
using uapi::kAllCbFlags;
constexpr uint32_t kSkBpfCbMask = 1;
constexpr uint8_t kInetEcnMask = 3;
constexpr size_t kTcpCaNameMax = 16;
// The congestion controls a default kernel has loaded (tcp_available_congestion_control); a
// BPF program cannot make the kernel load a module (tcp_set_congestion_control(load = false)).
constexpr std::array<const char*, 2> kLoadedCongestion = {"reno", "cubic"};

// rt_tos2priority: ip_tos2prio[IPTOS_TOS(tos) >> 1] (TC_PRIO_* of include/net/route.h).
constexpr std::array<uint8_t, 16> kTos2Prio = {0, 0, 0, 0, 2, 2, 2, 2, 6, 6, 6, 6, 4, 4, 4, 4};

int32_t option_or_default(const HostSocket& s, const char* name) {
    const auto it = s.options.find(name);
    if (it != s.options.end()) return it->second;
    const std::optional<SockoptInfo> info = sockopt_by_name(name);
    return info ? info->default_value : 0;
}

std::string opt_name(int32_t level, int32_t optname) {
    if (level == sol::kSocket && optname == 25) return "SO_BINDTODEVICE";
    if (level == sol::kSocket && optname == 12) return "SO_PRIORITY";
    if (level == sol::kSocket && optname == 15) return "SO_REUSEPORT";
    if (level == sol::kSocket && optname == 36) return "SO_MARK";
    if (level == sol::kSocket && optname == 62) return "SO_BINDTOIFINDEX";
    if (level == sol::kTcp && optname == 13) return "TCP_CONGESTION";
    if (level == sol::kTcp && optname == 28) return "TCP_SAVED_SYN";
    if (level == sol::kTcp && optname == 1008) return "TCP_BPF_SOCK_OPS_CB_FLAGS";
    if (level == sol::kTcp && optname >= 1005 && optname <= 1007)
        return optname == 1005 ? "TCP_BPF_SYN" : optname == 1006 ? "TCP_BPF_SYN_IP" : "TCP_BPF_SYN_MAC";
    if (auto info = sockopt_info(level, optname)) return info->name;
    return "option " + std::to_string(optname);
}


int64_t refuse(std::string& said, int64_t err, std::string why) {
    said = std::move(why);
    return -err;
}

// The options sol_socket_sockopt accepts, each an int but SO_BINDTODEVICE.
bool sol_socket_int(int32_t optname) {
    switch (optname) {
    case 2: case 7: case 8: case 9: case 12: case 15: case 18: case 36: case 47: case 62: case 74: case 1009:
        return true;
    }
    return false;
}

// The options sol_tcp_sockopt passes to do_tcp_{set,get}sockopt, each an int.
bool sol_tcp_int(int32_t optname) {
    switch (optname) {
    case 1: case 2: case 4: case 5: case 6: case 7: case 10: case 16: case 18: case 25: case 27: case 44:
        return true;
    }
    return false;
}

// usecs_to_jiffies, rounding up as the kernel does.
uint64_t usecs_to_jiffies(uint32_t us) { return (uint64_t(us) * kHz + 999999) / 1000000; }

int64_t set_socket_level(const Network& net, HostSocket& s, int32_t optname, std::span<const uint8_t> optval,
                         int32_t val, std::string& said) {
    const bool valbool = val != 0;
    const std::string name = opt_name(sol::kSocket, optname);
    switch (optname) {
    case 2: case 9:
        s.options[name] = valbool;
        said = name + " = " + std::to_string(val) + ": " + (valbool ? "on" : "off");
        return 0;
    case 7: case 8: {
        const bool snd = optname == 7;
        int64_t v = std::min<int64_t>(uint32_t(val), snd ? kWmemMax : kRmemMax);
        v = std::min<int64_t>(v, INT_MAX / 2);
        const int32_t buf = int32_t(std::max<int64_t>(v * 2, snd ? kSockMinSndbuf : kSockMinRcvbuf));
        s.options[name] = buf;
        said = name + " = " + std::to_string(val) + ": " + (snd ? "sk_sndbuf" : "sk_rcvbuf") + " becomes " +
               std::to_string(buf) + " (the kernel doubles the value, capped by net.core." +
               (snd ? "wmem_max" : "rmem_max") + ")";
        return 0;
    }
    case 12:
        s.priority = uint32_t(val);
        said = "SO_PRIORITY = " + std::to_string(val) + ": the socket's packets get priority " + std::to_string(val);
        return 0;
    case 15:
        s.reuseport = valbool;
        said = "SO_REUSEPORT = " + std::to_string(val);
        return 0;
    case 18: {
        int64_t v = val < 0 ? INT_MAX : val;
        const auto rcvbuf = s.options.find("SO_RCVBUF");
        const int64_t cap = rcvbuf != s.options.end() ? rcvbuf->second >> 1 : kTcpRmemMax >> 1;  // tcp_set_rcvlowat
        v = std::min(v, cap);
        s.options[name] = int32_t(v ? v : 1);
        said = "SO_RCVLOWAT = " + std::to_string(val) + ": sk_rcvlowat becomes " + std::to_string(v ? v : 1);
        return 0;
    }
    case 36:
        s.mark = uint32_t(val);
        said = "SO_MARK = " + std::to_string(val) + ": the socket's packets carry mark " + hex(uint32_t(val));
        return 0;
    case 47:
        s.options[name] = val;
        said = "SO_MAX_PACING_RATE = " + std::to_string(uint32_t(val)) +
               (uint32_t(val) == UINT32_MAX ? " (no limit)" : " bytes per second");
        return 0;
    case 74:
        if (val < -1 || val > 1) return refuse(said, kerrno::kEINVAL, "SO_TXREHASH takes -1, 0 or 1");
        s.options[name] = val == -1 ? 1 : val;  // -1: net.core.txrehash
        said = "SO_TXREHASH = " + std::to_string(val);
        return 0;
    case 1009:
        if (uint32_t(val) & ~kSkBpfCbMask)
            return refuse(said, kerrno::kEINVAL, "SK_BPF_CB_FLAGS has only SK_BPF_CB_TX_TIMESTAMPING (1)");
        s.options[name] = val;
        said = "SK_BPF_CB_FLAGS = " + std::to_string(val) +
               (val ? ": the timestamping callbacks (16 to 20) follow" : ": no timestamping callbacks");
        return 0;
    case 25: case 62: {
        int32_t ifindex = val;
        std::string dev_text;
        if (optname == 25) {
            // sock_setbindtodevice: at most IFNAMSIZ - 1 bytes of name, up to a NUL.
            const size_t n = std::min<size_t>(optval.size(), 15);
            const std::string devname(reinterpret_cast<const char*>(optval.data()),
                                      std::find(optval.begin(), optval.begin() + ptrdiff_t(n), 0) - optval.begin());
            ifindex = 0;
            if (!devname.empty()) {
                auto dev = std::find_if(net.devices.begin(), net.devices.end(),
                                        [&](const NetDevice& d) { return d.name == devname; });
                if (dev == net.devices.end())
                    return refuse(said, kerrno::kENODEV, "the host has no device \"" + devname + "\"");
                ifindex = int32_t(dev->ifindex);
            }
        }
        if (ifindex < 0) return refuse(said, kerrno::kEINVAL, "an ifindex is not negative");
        if (ifindex != 0 && !net.device(uint32_t(ifindex)))
            return refuse(said, kerrno::kENODEV, "the host has no device with ifindex " + std::to_string(ifindex));
        s.bound_dev_if = uint32_t(ifindex);
        said = name + ": the socket is " +
               (ifindex ? "bound to " + net.device_label(uint32_t(ifindex)) : std::string("bound to no device"));
        return 0;
    }
    }
    return refuse(said, kerrno::kEINVAL, name + " is not an option bpf_setsockopt sets");
}

int32_t get_socket_level(const HostSocket& s, int32_t optname) {
    switch (optname) {
    case 12: return int32_t(s.priority);
    case 15: return s.reuseport;
    case 36: return int32_t(s.mark);
    case 62: return int32_t(s.bound_dev_if);
    }
    return option_or_default(s, opt_name(sol::kSocket, optname).c_str());
}

int64_t set_tcp_level(HostSocket& s, int32_t optname, int32_t val, std::string& said) {
    const std::string name = opt_name(sol::kTcp, optname);
    auto range = [&](int64_t lo, int64_t hi) -> int64_t {
        if (val < lo || val > hi)
            return refuse(said, kerrno::kEINVAL, name + " takes " + std::to_string(lo) + " to " + std::to_string(hi));
        s.options[name] = val;
        said = name + " = " + std::to_string(val);
        return 0;
    };
    switch (optname) {
    case 1: case 16:
        if (optname == 16 && (val < 0 || val > 1)) return refuse(said, kerrno::kEINVAL, name + " takes 0 or 1");
        s.options[name] = val != 0;
        said = name + " = " + std::to_string(val);
        return 0;
    case 2:
        if (val && (val < 88 || val > 65535 / 2))  // TCP_MIN_MSS, MAX_TCP_WINDOW
            return refuse(said, kerrno::kEINVAL, "TCP_MAXSEG takes 0 or 88 (TCP_MIN_MSS) to 32767");
        s.options[name] = val;
        said = "TCP_MAXSEG = " + std::to_string(val) + ": the MSS the socket announces and uses is at most that";
        return 0;
    case 4: return range(1, 32767);  // MAX_TCP_KEEPIDLE
    case 5: return range(1, 32767);  // MAX_TCP_KEEPINTVL
    case 6: return range(1, 127);    // MAX_TCP_KEEPCNT
    case 7: return range(1, 127);    // MAX_TCP_SYNCNT
    case 10:
        if (val == 0 && s.state != TcpState::Close)
            return refuse(said, kerrno::kEINVAL, "TCP_WINDOW_CLAMP 0 (no clamp) is only for a closed socket");
        s.options[name] = val == 0 ? 0 : std::max(val, kSockMinRcvbuf / 2);
        said = "TCP_WINDOW_CLAMP = " + std::to_string(val) + ": the window is clamped at " +
               std::to_string(s.options[name]);
        return 0;
    case 18:
        if (val < 0) return refuse(said, kerrno::kEINVAL, "TCP_USER_TIMEOUT is not negative");
        s.options[name] = val;
        said = "TCP_USER_TIMEOUT = " + std::to_string(val) + " ms";
        return 0;
    case 25:
        s.options[name] = val;
        said = "TCP_NOTSENT_LOWAT = " + std::to_string(uint32_t(val));
        return 0;
    case 27: return range(0, 2);
    case 44: return range(1000, 120000);  // MSEC_PER_SEC .. TCP_RTO_MAX_SEC * MSEC_PER_SEC
    // bpf_sol_tcp_setsockopt: the options only BPF programs set.
    case 1001: case 1002:
        if (val <= 0) return refuse(said, kerrno::kEINVAL, name + " takes a positive number of segments");
        s.options[name] = val;
        said = name + " = " + std::to_string(val) + (optname == 1001 ? ": the initial congestion window" :
                                                                         ": snd_cwnd_clamp and snd_ssthresh");
        return 0;
    case 1003: case 1004: {
        const uint64_t j = usecs_to_jiffies(uint32_t(val));
        const int32_t max = optname == 1003 ? kTcpDelackMaxJiffies : kTcpRtoMinJiffies;
        if (j > uint64_t(max) || j < uint64_t(kTcpTimeoutMinJiffies))
            return refuse(said, kerrno::kEINVAL, name + " is " + std::to_string(kTcpTimeoutMinJiffies) + " to " +
                                             std::to_string(max) + " jiffies (4001 to 200000 us at HZ 250)");
        s.options[name] = int32_t(j * (1000000 / kHz));
        said = name + " = " + std::to_string(val) + " us (" + std::to_string(j) + " jiffies)";
        return 0;
    }
    case 1008:
        if (uint32_t(val) & ~kAllCbFlags) return refuse(said, kerrno::kEINVAL, "cb flags are bits of 0x7f");
        s.sock_ops_cb_flags = uint32_t(val);
        said = "TCP_BPF_SOCK_OPS_CB_FLAGS = " + hex(uint32_t(val));
        return 0;
    }
    return refuse(said, kerrno::kEINVAL, name + " is not an option bpf_setsockopt sets at SOL_TCP");
}

int64_t set_congestion(HostSocket& s, std::span<const uint8_t> optval, std::string& said) {
    const std::string name(reinterpret_cast<const char*>(optval.data()),
                           std::find(optval.begin(), optval.begin() + ptrdiff_t(std::min(optval.size(), kTcpCaNameMax - 1)),
                                     0) - optval.begin());
    // "cdg" keeps a pointer in the socket's congestion area that a BPF congestion control may overwrite.
    if (optval.size() >= 3 && name == "cdg") return refuse(said, kerrno::kENOTSUPP, "bpf_setsockopt may not select cdg");
    if (std::find_if(kLoadedCongestion.begin(), kLoadedCongestion.end(), [&](const char* n) { return name == n; }) ==
        kLoadedCongestion.end())
        return refuse(said, kerrno::kENOENT, "no congestion control \"" + name + "\" is loaded (reno, cubic)");
    s.congestion = name;
    said = "TCP_CONGESTION = \"" + name + "\"";
    return 0;
}

}  // namespace

std::string sockopt_level_name(int32_t level) {
    switch (level) {
    case sol::kSocket: return "SOL_SOCKET";
    case sol::kTcp: return "SOL_TCP";
    case sol::kIp: return "SOL_IP";
    case sol::kIpv6: return "SOL_IPV6";
    }
    return "level " + std::to_string(level);
}

int64_t socket_setsockopt(const Network& net, HostSocket& s, int32_t level, int32_t optname,
                          std::span<const uint8_t> optval, std::string& said) {
    if (!full_socket(s)) return refuse(said, kerrno::kEINVAL, "the socket is not a full socket (a request or timewait socket)");
    const bool is_int = optval.size() == 4;
    const int32_t val = is_int ? int32_t(load_le<uint32_t>(optval.data())) : 0;
    const std::string name = opt_name(level, optname);
    const std::string bad_len = name + " takes a 4-byte int, optlen is " + std::to_string(optval.size());
    switch (level) {
    case sol::kSocket:
        if (!sol_socket_int(optname) && optname != 25)
            return refuse(said, kerrno::kEINVAL, name + " is not a SOL_SOCKET option bpf_setsockopt sets");
        if (optname != 25 && !is_int) return refuse(said, kerrno::kEINVAL, bad_len);
        return set_socket_level(net, s, optname, optval, val, said);
    case sol::kIp: {
        if (s.family != kAfInet) return refuse(said, kerrno::kEINVAL, "SOL_IP options are for IPv4 sockets");
        if (optname != 1) return refuse(said, kerrno::kEINVAL, name + " is not IP_TOS, the one SOL_IP option allowed");
        if (!is_int) return refuse(said, kerrno::kEINVAL, bad_len);
        // __ip_sock_set_tos: a TCP socket keeps its ECN bits; the priority follows the TOS.
        const int32_t old = option_or_default(s, "IP_TOS");
        const uint8_t tos = uint8_t((val & ~kInetEcnMask) | (old & kInetEcnMask));
        s.options["IP_TOS"] = tos;
        if (tos != old) s.priority = kTos2Prio[(tos & 0x1e) >> 1];
        said = "IP_TOS = " + hex(uint32_t(val)) + ": the socket's packets carry TOS " + hex(uint32_t(tos)) +
               ", priority " + std::to_string(s.priority);
        return 0;
    }
    case sol::kIpv6: {
        if (s.family != kAfInet6) return refuse(said, kerrno::kEINVAL, "SOL_IPV6 options are for IPv6 sockets");
        if (optname != 67 && optname != 70)
            return refuse(said, kerrno::kEINVAL, name + " is not IPV6_TCLASS or IPV6_AUTOFLOWLABEL");
        if (!is_int) return refuse(said, kerrno::kEINVAL, bad_len);
        if (optname == 70) {
            s.options[name] = val != 0;
            said = name + " = " + std::to_string(val);
            return 0;
        }
        if (val < -1 || val > 0xff) return refuse(said, kerrno::kEINVAL, "IPV6_TCLASS takes -1 to 255");
        const int32_t old = option_or_default(s, "IPV6_TCLASS");
        const int32_t tclass = ((val == -1 ? 0 : val) & ~kInetEcnMask) | (old & kInetEcnMask);
        s.options[name] = tclass;
        said = "IPV6_TCLASS = " + std::to_string(val) + ": the socket's packets carry traffic class " + hex(uint32_t(tclass));
        return 0;
    }
    case sol::kTcp:
        if (s.protocol != kIpprotoTcp) return refuse(said, kerrno::kEINVAL, "SOL_TCP options are for TCP sockets");
        if (optname == 13) {
            if (optval.size() < 2) return refuse(said, kerrno::kEINVAL, "TCP_CONGESTION takes at least 2 bytes");
            return set_congestion(s, optval, said);
        }
        if (optname == 28) {
            if (optval.empty()) return refuse(said, kerrno::kEINVAL, "optlen is 0");
            return refuse(said, kerrno::kENOPROTOOPT, "TCP_SAVED_SYN can only be read");
        }
        if (!is_int) return refuse(said, kerrno::kEINVAL, bad_len);
        return set_tcp_level(s, optname, val, said);
    }
    return refuse(said, kerrno::kEINVAL, sockopt_level_name(level) + " is not SOL_SOCKET, SOL_TCP, SOL_IP or SOL_IPV6");
}

int64_t socket_getsockopt(const HostSocket& s, int32_t level, int32_t optname, std::span<uint8_t> optval,
                          std::string& said) {
    std::fill(optval.begin(), optval.end(), 0);
    const bool is_int = optval.size() == 4;
    const std::string name = opt_name(level, optname);
    auto give = [&](int32_t v) -> int64_t {
        store_le<uint32_t>(optval.data(), uint32_t(v));
        said = name + " is " + std::to_string(v);
        return 0;
    };
    if (!full_socket(s)) return refuse(said, kerrno::kEINVAL, "the socket is not a full socket");
    switch (level) {
    case sol::kSocket:
        if (!sol_socket_int(optname) && optname != 25)
            return refuse(said, kerrno::kEINVAL, name + " is not a SOL_SOCKET option bpf_getsockopt reads");
        if (optname == 25) return refuse(said, kerrno::kEINVAL, "SO_BINDTODEVICE cannot be read (read SO_BINDTOIFINDEX)");
        if (!is_int) return refuse(said, kerrno::kEINVAL, name + " takes a 4-byte int");
        return give(get_socket_level(s, optname));
    case sol::kIp:
        if (s.family != kAfInet || optname != 1 || !is_int)
            return refuse(said, kerrno::kEINVAL, "SOL_IP has only IP_TOS, an int, on IPv4 sockets");
        return give(option_or_default(s, "IP_TOS"));
    case sol::kIpv6:
        if (s.family != kAfInet6 || (optname != 67 && optname != 70) || !is_int)
            return refuse(said, kerrno::kEINVAL, "SOL_IPV6 has IPV6_TCLASS and IPV6_AUTOFLOWLABEL, ints, on IPv6 sockets");
        return give(option_or_default(s, name.c_str()));
    case sol::kTcp:
        if (s.protocol != kIpprotoTcp) return refuse(said, kerrno::kEINVAL, "SOL_TCP options are for TCP sockets");
        if (optname == 13) {
            if (optval.size() < 2) return refuse(said, kerrno::kEINVAL, "TCP_CONGESTION takes at least 2 bytes");
            // The last byte stays NUL; at most TCP_CA_NAME_MAX bytes of the name's array.
            const size_t n = std::min(optval.size() - 1, kTcpCaNameMax);
            std::memcpy(optval.data(), s.congestion.data(), std::min(n, s.congestion.size()));
            said = "TCP_CONGESTION is \"" + s.congestion + "\"";
            return 0;
        }
        if (optname == 28) return refuse(said, kerrno::kEINVAL, "the socket has no saved SYN");
        if (sol_tcp_int(optname)) {
            if (!is_int) return refuse(said, kerrno::kEINVAL, name + " takes a 4-byte int");
            return give(option_or_default(s, name.c_str()));
        }
        // bpf_sol_tcp_getsockopt
        if (!is_int) return refuse(said, kerrno::kEINVAL, name + " takes a 4-byte int");
        if (optname == 1008) return give(int32_t(s.sock_ops_cb_flags));
        if (optname == 1003 || optname == 1004) return give(option_or_default(s, name.c_str()));
        return refuse(said, kerrno::kEINVAL, name + " is not an option bpf_getsockopt reads at SOL_TCP");
    }
    return refuse(said, kerrno::kEINVAL, sockopt_level_name(level) + " is not SOL_SOCKET, SOL_TCP, SOL_IP or SOL_IPV6");
}

}  // namespace bpfplay
