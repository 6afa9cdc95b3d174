// Helpers on socket pointers (sock_pointer_helpers.hpp), as net/core/filter.c has them.
#include "core/run/sock_pointer_helpers.hpp"

#include <optional>
#include <string>

#include "core/helpers/helper_env.hpp"
#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/host/socket_objects.hpp"
#include "core/maps/map_abi.hpp"
#include "core/journal.hpp"
#include "core/run/cgroup_helpers.hpp"
#include "core/run/sk_lookup_context.hpp"
#include "core/run/socket_helpers.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

// init_net is the first network namespace the kernel makes, and namespace cookies count from 1.
constexpr uint64_t kInitNetCookie = 1;

// The socket behind `sk`, or nullopt after stopping the run: the verifier only passes socket
// pointers (ARG_PTR_TO_SOCK_COMMON), so anything else is a program the kernel refuses.
std::optional<uint32_t> socket_arg(Vm& vm, const Host& h, const char* helper, uint64_t sk, const char* reg = "r1") {
    const auto index = socket_of_pointer(sk, uint32_t(h.net.sockets.size()));
    if (!index)
        vm.helper_fail(make_error(ErrorKind::Helper,
                                  std::string(helper) + ": " + reg + " = " + hex(sk) +
                                      " is not a socket pointer, so the kernel's verifier refuses the call "
                                      "(\"type=scalar expected=sock_common, sock, tcp_sock, xdp_sock, ptr_\")",
                                  vm.current_pc(),
                                  "Pass a socket from bpf_sk_lookup_tcp/udp, bpf_skc_lookup_tcp or a context's sk, "
                                  "checked against NULL."));
    return index;
}

// sk_fullsock(): every state but TIME_WAIT and NEW_SYN_RECV (UDP sockets are TCP_CLOSE).
bool full(const HostSocket& s) {
    return s.protocol != kIpprotoTcp || (s.state != TcpState::TimeWait && s.state != TcpState::NewSynRecv);
}

// A request socket's listener (inet_reqsk(sk)->rsk_listener): the listener it arrived on, bound
// to its address or to any address, of its family.
std::optional<uint32_t> listener_of(const Network& net, const HostSocket& req) {
    std::optional<uint32_t> any;
    for (uint32_t i = 0; i < net.sockets.size(); ++i) {
        const HostSocket& l = net.sockets[i];
        if (!l.listening() || l.family != req.family || l.local_port != req.local_port) continue;
        if (l.local_addr == req.local_addr) return i;
        if (l.local_addr == Ipv6{} && !any) any = i;
    }
    return any;
}

// sk_to_full_sk(): a request socket stands for its listener; others for themselves.
std::optional<uint32_t> to_full_sk(const Network& net, uint32_t index) {
    const HostSocket& s = net.sockets[index];
    if (s.protocol == kIpprotoTcp && s.state == TcpState::NewSynRecv) return listener_of(net, s);
    return index;
}

uint64_t sk_fullsock(Vm& vm, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_sk_fullsock";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    const auto i = socket_arg(vm, *h, kName, sk);
    if (!i) return 0;
    const HostSocket& s = h->net.sockets[*i];
    if (full(s)) return socket_address(*i);
    log_host_event(vm, *h, kName, describe_socket(s) + " is not a full socket: returns NULL");
    return 0;
}

uint64_t tcp_sock(Vm& vm, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_tcp_sock";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    const auto i = socket_arg(vm, *h, kName, sk);
    if (!i) return 0;
    const HostSocket& s = h->net.sockets[*i];
    if (full(s) && s.protocol == kIpprotoTcp) return tcp_sock_address(*i, uint32_t(h->net.sockets.size()));
    log_host_event(vm, *h, kName,
                   describe_socket(s) + (s.protocol == kIpprotoTcp ? " is not a full socket" : " is not a TCP socket") +
                       ": returns NULL");
    return 0;
}

// The bpf_skc_to_* casts (filter.c): the same socket typed as a kernel struct (its object,
// socket_objects.hpp) when its protocol, family and state make it one, else NULL. `why_not`
// says what the socket is not.
struct SkcCast {
    const char* name;
    bool (*is)(const HostSocket&);
    const char* why_not;
};

uint64_t skc_cast(Vm& vm, const SkcCast& cast, uint64_t sk) {
    Host* h = host_for(vm, cast.name);
    if (!h) return 0;
    if (sk == 0) {  // a BTF socket pointer (a tracing program's argument) may be NULL
        log_host_event(vm, *h, cast.name, "the socket is NULL: returns NULL");
        return 0;
    }
    const auto i = socket_arg(vm, *h, cast.name, sk);
    if (!i) return 0;
    const HostSocket& s = h->net.sockets[*i];
    const uint32_t n = uint32_t(h->net.sockets.size());
    if (cast.is(s)) return socket_object_address(*i, n);
    log_host_event(vm, *h, cast.name, describe_socket(s) + " " + cast.why_not + ": returns NULL");
    return 0;
}

bool is_tcp(const HostSocket& s) { return s.protocol == kIpprotoTcp; }

constexpr SkcCast kToTcp6 = {"bpf_skc_to_tcp6_sock",
                             [](const HostSocket& s) { return full(s) && is_tcp(s) && s.family == kAfInet6; },
                             "is not a full IPv6 TCP socket (struct tcp6_sock)"};
constexpr SkcCast kToTcp = {"bpf_skc_to_tcp_sock", [](const HostSocket& s) { return full(s) && is_tcp(s); },
                            "is not a full TCP socket (struct tcp_sock)"};
constexpr SkcCast kToTimewait = {"bpf_skc_to_tcp_timewait_sock",
                                 [](const HostSocket& s) { return is_tcp(s) && s.state == TcpState::TimeWait; },
                                 "is not a TCP socket in TIME_WAIT (struct tcp_timewait_sock)"};
constexpr SkcCast kToRequest = {"bpf_skc_to_tcp_request_sock",
                                [](const HostSocket& s) { return is_tcp(s) && s.state == TcpState::NewSynRecv; },
                                "is not a TCP request socket, NEW_SYN_RECV (struct tcp_request_sock)"};
// Every UDP socket of the host is SOCK_DGRAM (no UDP-Lite, no SOCK_RAW).
constexpr SkcCast kToUdp6 = {"bpf_skc_to_udp6_sock",
                             [](const HostSocket& s) { return s.protocol == kIpprotoUdp && s.family == kAfInet6; },
                             "is not an IPv6 UDP socket (struct udp6_sock)"};
// The emulated host's sockets are all AF_INET or AF_INET6, none MPTCP: these casts always fail.
constexpr SkcCast kToUnix = {"bpf_skc_to_unix_sock", [](const HostSocket&) { return false; },
                             "is not an AF_UNIX socket (the emulated host has only AF_INET and AF_INET6 sockets)"};
constexpr SkcCast kToMptcp = {"bpf_skc_to_mptcp_sock", [](const HostSocket&) { return false; },
                              "is not an MPTCP subflow (the emulated host has no MPTCP sockets)"};

template <const SkcCast& Cast>
uint64_t skc_to(Vm& vm, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
    return skc_cast(vm, Cast, sk);
}

// A TCP listener is freed after an RCU grace period (SOCK_RCU_FREE), so the program may use
// it without a reference.
uint64_t get_listener_sock(Vm& vm, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_get_listener_sock";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    const auto i = socket_arg(vm, *h, kName, sk);
    if (!i) return 0;
    const auto l = to_full_sk(h->net, *i);
    if (l && h->net.sockets[*l].listening()) return socket_address(*l);
    log_host_event(vm, *h, kName,
                   describe_socket(h->net.sockets[*i]) +
                       (l ? " is not a TCP listener" : " is a request socket whose listener is gone") + ": returns NULL");
    return 0;
}

// __bpf_sk_cgroup_id / __bpf_sk_ancestor_cgroup_id: the full socket's cgroup, 0 for a
// TIME_WAIT socket (or a request socket without a listener).
std::optional<uint64_t> socket_cgroup(Vm& vm, const Host& h, const char* helper, uint64_t sk) {
    const auto i = socket_arg(vm, h, helper, sk);
    if (!i) return std::nullopt;
    const auto f = to_full_sk(h.net, *i);
    if (!f || !full(h.net.sockets[*f])) return 0;
    return h.net.sockets[*f].cgroup_id;
}

uint64_t sk_cgroup_id(Vm& vm, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_sk_cgroup_id";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    return socket_cgroup(vm, *h, kName, sk).value_or(0);
}

uint64_t sk_ancestor_cgroup_id(Vm& vm, uint64_t sk, uint64_t level, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_sk_ancestor_cgroup_id";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    const auto cgroup = socket_cgroup(vm, *h, kName, sk);
    if (!cgroup || *cgroup == 0) return 0;
    // ancestor_level is an int: a negative one names no ancestor.
    return cgroup_ancestor_id(*h, *cgroup, uint64_t(int64_t(int32_t(level))));
}

// Every socket and context of the emulated host is in its one namespace, init_net; NULL asks
// for init_net itself.
uint64_t get_netns_cookie(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    if (!host_for(vm, "bpf_get_netns_cookie")) return 0;
    return kInitNetCookie;
}

// Puts back what bpf_sk_assign changed in an sk_lookup run's context (the selection).
class RestoreSkLookupSelection final : public UndoAction {
  public:
    explicit RestoreSkLookupSelection(SkLookupContext& c)
        : ctx_(c), bytes_(c.bytes()), selected_(c.selected), no_reuseport_(c.no_reuseport) {}
    void undo() override {
        ctx_.bytes() = bytes_;
        ctx_.selected = selected_;
        ctx_.no_reuseport = no_reuseport_;
    }
    size_t bytes() const override { return sizeof *this + bytes_.size(); }

  private:
    SkLookupContext& ctx_;
    std::vector<uint8_t> bytes_;
    std::optional<uint32_t> selected_;
    bool no_reuseport_;
};

// bpf_sk_lookup_assign: the socket the lookup of an incoming connection answers with, checked
// against the run's struct bpf_sk_lookup (sk_lookup_context.hpp) in the kernel's order; its sk
// field shows the selection, as the kernel's ctx->selected_sk.
uint64_t sk_lookup_assign(Vm& vm, Host& h, uint64_t ctx, uint64_t sk, uint64_t flags) {
    constexpr const char* kName = "bpf_sk_assign";
    constexpr uint64_t kReplace = 1, kNoReuseport = 2;  // BPF_SK_LOOKUP_F_*
    constexpr int64_t kESOCKTNOSUPPORT = 94, kEPROTOTYPE = 91, kEAFNOSUPPORT = 97, kEEXIST = 17;
    auto* c = dynamic_cast<SkLookupContext*>(vm.memory().context_at(ctx));
    if (ctx != window_base(window::kContext) || !c) {
        vm.helper_fail(make_error(ErrorKind::Helper,
                                  std::string(kName) + ": r1 = " + hex(ctx) +
                                      " is not the program's context, so the kernel's verifier refuses the call",
                                  vm.current_pc(), "Pass the program's ctx (r1 at entry) as the first argument."));
        return 0;
    }
    std::optional<uint32_t> i;
    if (sk) {
        i = socket_arg(vm, h, kName, sk, "r2");
        if (!i) return 0;
    }
    auto refuse = [&](int64_t err, const std::string& why) {
        log_host_event(vm, h, kName, why + ": returns " + std::to_string(-err));
        return helper_errno(err);
    };
    if (flags & ~(kReplace | kNoReuseport)) return refuse(kEINVAL, "flags " + hex(flags) + " has bits other than BPF_SK_LOOKUP_F_REPLACE and BPF_SK_LOOKUP_F_NO_REUSEPORT");
    if (i) {
        const HostSocket& s = h.net.sockets[*i];
        const uint32_t protocol = c->get_u32(bpf_sk_lookup::kProtocol), family = c->get_u32(bpf_sk_lookup::kFamily);
        // Only sockets freed after an RCU grace period (listeners, unconnected UDP sockets) can
        // be selected without a reference.
        if (s.protocol == kIpprotoTcp ? !s.listening() : s.remote_port != 0)
            return refuse(kESOCKTNOSUPPORT, describe_socket(s) + " is not a TCP listener (or an unconnected UDP socket)");
        if (s.protocol != protocol)
            return refuse(kEPROTOTYPE, describe_socket(s) + " is not of the connection's protocol " + std::to_string(protocol));
        // An IPv6 socket takes IPv4 connections too (the host sets no IPV6_V6ONLY).
        if (s.family != family && s.family == kAfInet)
            return refuse(kEAFNOSUPPORT, describe_socket(s) + " is IPv4 and the connection is not");
    }
    if (c->selected && !(flags & kReplace))
        return refuse(kEEXIST, "a socket is already selected (pass BPF_SK_LOOKUP_F_REPLACE to replace it)");
    if (Journal* j = vm.journal()) j->external(std::make_unique<RestoreSkLookupSelection>(*c));
    store_le<uint64_t>(&c->bytes()[bpf_sk_lookup::kSk], i ? socket_address(*i) : 0);
    c->selected = i;
    c->no_reuseport = (flags & kNoReuseport) != 0;
    h.net.run.assigned_socket = i;
    log_host_event(vm, h, kName,
                   i ? "the lookup's answer is " + describe_socket(h.net.sockets[*i]) +
                           ": the connection goes to it if the program returns SK_PASS" +
                           (flags & kNoReuseport ? " (its reuseport group is not consulted)" : "")
                     : std::string("no socket is selected now: with SK_PASS the kernel's own lookup decides"));
    return 0;
}

// bpf_sk_assign (tc): the packet's socket becomes `sk`, so the stack delivers it there.
uint64_t sk_assign(Vm& vm, uint64_t ctx, uint64_t sk, uint64_t flags, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_sk_assign";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    if (vm.env && vm.env->prog_type == ProgType::SkLookup) return sk_lookup_assign(vm, *h, ctx, sk, flags);
    if (h->net.run.hook != PacketHook::Tc) {
        vm.helper_fail(make_error(ErrorKind::Helper,
                                  std::string(kName) + ": a tc or sk_lookup program's helper, called with no tc hook",
                                  vm.current_pc()));
        return 0;
    }
    if (sk == 0 || flags != 0) {
        log_host_event(vm, *h, kName,
                       sk == 0 ? std::string("the socket is NULL: returns -EINVAL")
                               : "flags " + hex(flags) + " must be 0: returns -EINVAL");
        return helper_errno(kEINVAL);
    }
    const auto i = socket_arg(vm, *h, kName, sk, "r2");
    if (!i) return 0;
    if (!h->net.tc_ingress) {
        log_host_event(vm, *h, kName,
                       "the packet is not at tc ingress (BPF_PROG_TEST_RUN's skb never is; set the host's "
                       "tc_ingress to run as a clsact ingress program): returns -EOPNOTSUPP");
        return helper_errno(kerrno::kEOPNOTSUPP);
    }
    // Same namespace (-ENETUNREACH otherwise): the host has one. A socket the host lists is
    // alive, so taking a reference (-ENOENT when its count is 0) succeeds.
    h->net.run.assigned_socket = *i;
    log_host_event(vm, *h, kName,
                   "the packet now belongs to " + describe_socket(h->net.sockets[*i]) +
                       ": if it goes on up the stack, the transport layer delivers it there without a lookup");
    return 0;
}

constexpr HelperImpl kSockPointerHelperImpls[] = {
    {95, sk_fullsock},             // bpf_sk_fullsock
    {96, tcp_sock},                // bpf_tcp_sock
    {98, get_listener_sock},       // bpf_get_listener_sock
    {122, get_netns_cookie},       // bpf_get_netns_cookie
    {124, sk_assign},              // bpf_sk_assign
    {128, sk_cgroup_id},           // bpf_sk_cgroup_id
    {129, sk_ancestor_cgroup_id},  // bpf_sk_ancestor_cgroup_id
    {136, skc_to<kToTcp6>},        // bpf_skc_to_tcp6_sock
    {137, skc_to<kToTcp>},         // bpf_skc_to_tcp_sock
    {138, skc_to<kToTimewait>},    // bpf_skc_to_tcp_timewait_sock
    {139, skc_to<kToRequest>},     // bpf_skc_to_tcp_request_sock
    {140, skc_to<kToUdp6>},        // bpf_skc_to_udp6_sock
    {178, skc_to<kToUnix>},        // bpf_skc_to_unix_sock
    {196, skc_to<kToMptcp>},       // bpf_skc_to_mptcp_sock
};

} // namespace

std::span<const HelperImpl> sock_pointer_helper_impls() { return kSockPointerHelperImpls; }

} // namespace bpfplay
