#include "core/run/socket_helpers.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include "core/context/cgroup_contexts.hpp"
#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/ip_format.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

constexpr int32_t kGetSocketCookie = 46, kGetSocketUid = 47;
constexpr int32_t kSkLookupTcp = 84, kSkLookupUdp = 85, kSkRelease = 86, kSkcLookupTcp = 99;
constexpr uint32_t kTupleV4Size = 12, kTupleV6Size = 36; // sizeof bpf_sock_tuple.ipv4 / .ipv6

SocketTuple read_tuple(const uint8_t* p, uint32_t size) {
    SocketTuple t;
    const uint32_t alen = size == kTupleV4Size ? 4 : 16;
    t.family = size == kTupleV4Size ? kAfInet : kAfInet6;
    std::memcpy(t.src.addr.data(), p, alen);
    std::memcpy(t.dst.addr.data(), p + alen, alen);
    t.src.port = uint16_t(p[2 * alen] << 8 | p[2 * alen + 1]);
    t.dst.port = uint16_t(p[2 * alen + 2] << 8 | p[2 * alen + 3]);
    return t;
}

std::string addr_text(const Ipv6& a, uint32_t family) {
    if (is_any(a, family)) return family == kAfInet ? "*" : "[::]";
    return family == kAfInet ? format_ipv4(a.data(), false) : "[" + format_ipv6(a.data(), true) + "]";
}

std::string endpoint_text(const SocketEndpoint& e, uint32_t family) {
    return addr_text(e.addr, family) + ":" + std::to_string(e.port);
}

// A socket bound to a device (SO_BINDTODEVICE) only sees packets of that device.
bool device_ok(const HostSocket& s, uint32_t ifindex) {
    return s.bound_dev_if == 0 || s.bound_dev_if == ifindex;
}

} // namespace

std::optional<uint32_t> find_established_tcp(const Network& net, const SocketTuple& t) {
    const auto& socks = net.sockets;
    for (uint32_t i = 0; i < socks.size(); ++i) {
        const HostSocket& s = socks[i];
        if (s.protocol != kIpprotoTcp || s.family != t.family || s.listening() ||
            !device_ok(s, net.ingress_ifindex))
            continue;
        if (s.local_port == t.dst.port && s.remote_port == t.src.port &&
            same_addr(s.local_addr, t.dst.addr, t.family) && same_addr(s.remote_addr, t.src.addr, t.family))
            return i;
    }
    return std::nullopt;
}

std::optional<uint32_t> find_tcp_listener(const Network& net, const SocketTuple& t) {
    const auto& socks = net.sockets;
    for (const bool exact : {true, false}) {
        std::optional<uint32_t> best;
        int best_score = 0;
        for (uint32_t i = 0; i < socks.size(); ++i) {
            const HostSocket& s = socks[i];
            if (s.protocol != kIpprotoTcp || s.family != t.family || !s.listening() ||
                s.local_port != t.dst.port || !device_ok(s, net.ingress_ifindex))
                continue;
            if (exact ? !same_addr(s.local_addr, t.dst.addr, t.family) : !is_any(s.local_addr, t.family))
                continue;
            const int score = s.bound_dev_if ? 2 : 1;
            if (score > best_score) best = i, best_score = score;
        }
        if (best) return best;
    }
    return std::nullopt;
}

std::optional<uint32_t> find_udp_socket(const Network& net, const SocketTuple& t) {
    const auto& socks = net.sockets;
    for (const bool exact : {true, false}) {
        std::optional<uint32_t> best;
        int best_score = 0;
        for (uint32_t i = 0; i < socks.size(); ++i) {
            const HostSocket& s = socks[i];
            if (s.protocol != kIpprotoUdp || s.family != t.family || s.local_port != t.dst.port ||
                !device_ok(s, net.ingress_ifindex))
                continue;
            if (exact ? !same_addr(s.local_addr, t.dst.addr, t.family) : !is_any(s.local_addr, t.family))
                continue;
            int score = 4;
            if (!is_any(s.remote_addr, t.family)) {
                if (!same_addr(s.remote_addr, t.src.addr, t.family)) continue;
                score += 4;
            }
            if (s.remote_port) {
                if (s.remote_port != t.src.port) continue;
                score += 4;
            }
            if (s.bound_dev_if) score += 4;
            if (score > best_score) best = i, best_score = score;
        }
        if (best) return best;
    }
    return std::nullopt;
}

bool is_any(const Ipv6& a, uint32_t family) {
    return std::all_of(a.begin(), a.begin() + (family == kAfInet ? 4 : 16), [](uint8_t b) { return b == 0; });
}

bool same_addr(const Ipv6& a, const Ipv6& b, uint32_t family) {
    return std::equal(a.begin(), a.begin() + (family == kAfInet ? 4 : 16), b.begin());
}

std::optional<uint32_t> socket_with_cookie(const Network& net, uint64_t cookie) {
    for (uint32_t i = 0; i < net.sockets.size(); ++i)
        if (net.sockets[i].cookie == cookie) return i;
    return std::nullopt;
}

std::string describe_socket(const HostSocket& s) {
    const SocketEndpoint local{s.local_addr, s.local_port}, remote{s.remote_addr, s.remote_port};
    const char* proto = s.protocol == kIpprotoTcp ? "TCP" : "UDP";
    std::string what;
    if (s.listening())
        what = std::string("the ") + proto + " socket listening on " + endpoint_text(local, s.family);
    else if (s.protocol == kIpprotoTcp)
        what = std::string("the ") + tcp_state_name(s.state) + " TCP socket " +
               endpoint_text(local, s.family) + " <- " + endpoint_text(remote, s.family);
    else
        what = std::string("the UDP socket on ") + endpoint_text(local, s.family) +
               (s.remote_port ? " connected to " + endpoint_text(remote, s.family) : "");
    return what + " (cookie " + std::to_string(s.cookie) + ", uid " + std::to_string(s.uid) + ")";
}

namespace {

// __inet_lookup: the established table first, then the listeners.
std::optional<uint32_t> lookup_tcp(const Network& net, const SocketTuple& t) {
    if (auto e = find_established_tcp(net, t)) return e;
    return find_tcp_listener(net, t);
}

// __bpf_sk_lookup and __bpf_skc_lookup: r2 = tuple, r3 = its size, r4 = netns, r5 = flags.
uint64_t lookup(Vm& vm, const char* name, uint32_t protocol, bool full_sock, uint64_t tuple_addr,
                uint64_t size_arg, uint64_t netns, uint64_t flags) {
    Host* h = host_for(vm, name);
    if (!h) return 0;
    const uint32_t size = uint32_t(size_arg);
    const uint8_t* p = vm.memory().helper_ptr(tuple_addr, size, /*write=*/false);
    if (!p && size > 0) {
        fail_helper_access(vm, name, tuple_addr, size, Access::HelperRead);
        return 0;
    }
    if (size != kTupleV4Size && size != kTupleV6Size) {
        log_host_event(vm, *h, name,
                       "tuple_size " + std::to_string(size) +
                           " is neither 12 (IPv4) nor 36 (IPv6): returns NULL");
        return 0;
    }
    if (flags) {
        log_host_event(vm, *h, name, "flags " + hex(flags) + " must be 0: returns NULL");
        return 0;
    }
    // BPF_F_CURRENT_NETNS (any negative s32) is the host's namespace; ids 0..S32_MAX name
    // other namespaces, which the emulated host does not have; anything else is invalid.
    if (int32_t(netns) >= 0) {
        log_host_event(
            vm, *h, name,
            "netns " + std::to_string(netns) +
                " is not BPF_F_CURRENT_NETNS and the host has no other network namespace: returns NULL");
        return 0;
    }
    const SocketTuple t = read_tuple(p, size);
    const std::string conn = endpoint_text(t.src, t.family) + " -> " + endpoint_text(t.dst, t.family);
    const char* proto = protocol == kIpprotoTcp ? "TCP" : "UDP";
    const std::optional<uint32_t> found =
        protocol == kIpprotoTcp ? lookup_tcp(h->net, t) : find_udp_socket(h->net, t);
    if (!found) {
        log_host_event(vm, *h, name,
                       std::string("no ") + proto + " socket matches " + conn + ": returns NULL");
        return 0;
    }
    const HostSocket& s = h->net.sockets[*found];
    // sk_to_full_sk: TIME_WAIT and request sockets are not full sockets.
    if (full_sock && protocol == kIpprotoTcp &&
        (s.state == TcpState::TimeWait || s.state == TcpState::NewSynRecv)) {
        log_host_event(vm, *h, name,
                       conn + " matches " + describe_socket(s) +
                           ", which is not a full socket: returns NULL (bpf_skc_lookup_tcp would return it)");
        return 0;
    }
    h->net.run.held_sockets.push_back(*found);
    log_host_event(vm, *h, name,
                   conn + " matches " + describe_socket(s) +
                       ": the program now holds a reference and must give it back with bpf_sk_release");
    return socket_address(*found);
}

uint64_t sk_lookup_tcp(Vm& vm, uint64_t, uint64_t tuple, uint64_t size, uint64_t netns, uint64_t flags) {
    return lookup(vm, "bpf_sk_lookup_tcp", kIpprotoTcp, true, tuple, size, netns, flags);
}

uint64_t sk_lookup_udp(Vm& vm, uint64_t, uint64_t tuple, uint64_t size, uint64_t netns, uint64_t flags) {
    return lookup(vm, "bpf_sk_lookup_udp", kIpprotoUdp, true, tuple, size, netns, flags);
}

uint64_t skc_lookup_tcp(Vm& vm, uint64_t, uint64_t tuple, uint64_t size, uint64_t netns, uint64_t flags) {
    return lookup(vm, "bpf_skc_lookup_tcp", kIpprotoTcp, false, tuple, size, netns, flags);
}

// The verifier only lets a program release a reference it holds (a lookup's non-NULL result).
uint64_t sk_release(Vm& vm, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_sk_release";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    std::vector<uint32_t>& held = h->net.run.held_sockets;
    const std::optional<uint32_t> index = socket_of_pointer(sk, uint32_t(h->net.sockets.size()));
    const auto it = index ? std::find(held.rbegin(), held.rend(), *index) : held.rend();
    if (it == held.rend()) {
        vm.helper_fail(make_error(
            ErrorKind::Helper,
            std::string(kName) + ": r1 = " + hex(sk) +
                " is not a socket the program holds, so the kernel's verifier refuses the call (\"R1 must be "
                "referenced when passed to release function\")",
            vm.current_pc(), "Release only the non-NULL result of a bpf_sk_lookup_* call, once."));
        return 0;
    }
    held.erase(std::next(it).base());
    log_host_event(vm, *h, kName,
                   "the program gives back its reference to the socket with cookie " +
                       std::to_string(h->net.sockets[*index].cookie));
    return 0;
}

// Test-run skbs (the only ones here) carry BPF_PROG_TEST_RUN's own socket: the kernel's
// bpf_prog_test_run_skb allocates one (sock_init_data(NULL, sk): uid 0) and gives it a cookie
// from the global counter when first asked, so two runs see two cookies.
uint64_t get_socket_cookie(Vm& vm, uint64_t ctx, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_get_socket_cookie";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    Network& net = h->net;
    // bpf_get_socket_cookie_sock_addr: the cookie of the socket the system call works on (ctx->sk).
    if (const CgroupContext* c = cgroup_context_at(vm.memory(), ctx); c && c->struct_name() == "bpf_sock_addr")
        if (auto index = socket_index(load_le<uint64_t>(&c->bytes()[bpf_sock_addr::kSk]), uint32_t(net.sockets.size())))
            return net.sockets[*index].cookie;
    // bpf_get_socket_ptr_cookie (sk_reuseport, tracing): r1 is a socket itself, e.g. ctx->sk.
    if (auto index = socket_index(ctx, uint32_t(net.sockets.size()))) return net.sockets[*index].cookie;
    if (net.run.skb_cookie == 0) {
        auto taken = [&](uint64_t c) {
            return std::any_of(net.sockets.begin(), net.sockets.end(), [&](const HostSocket& s) { return s.cookie == c; });
        };
        do ++net.last_cookie;
        while (net.last_cookie == 0 || taken(net.last_cookie));
        net.run.skb_cookie = net.last_cookie;
        log_host_event(vm, *h, kName,
                       "the packet belongs to the test run's own socket, which gets cookie " +
                           std::to_string(net.run.skb_cookie) + " now (cookies are made when first asked for)");
    }
    return net.run.skb_cookie;
}

uint64_t get_socket_uid(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_get_socket_uid";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    return 0;  // the test run's socket belongs to root
}

constexpr HelperImpl kSocketHelperImpls[] = {
    {kGetSocketCookie, get_socket_cookie},  // bpf_get_socket_cookie
    {kGetSocketUid, get_socket_uid},  // bpf_get_socket_uid
    {kSkLookupTcp, sk_lookup_tcp},  // bpf_sk_lookup_tcp
    {kSkLookupUdp, sk_lookup_udp},  // bpf_sk_lookup_udp
    {kSkRelease, sk_release},  // bpf_sk_release
    {kSkcLookupTcp, skc_lookup_tcp},  // bpf_skc_lookup_tcp
};

} // namespace

std::span<const HelperImpl> socket_helper_impls() { return kSocketHelperImpls; }

} // namespace bpfplay
