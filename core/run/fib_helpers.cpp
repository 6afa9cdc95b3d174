#include "core/run/fib_helpers.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/ip_format.hpp"
#include "core/maps/map_abi.hpp"
#include "core/run/packet_buffer.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

constexpr int32_t kFibLookupId = 69;

// struct bpf_fib_lookup of <linux/bpf.h>.
namespace fib {
constexpr uint32_t kFamily = 0, kTotLen = 6, kIfindex = 8, kRtMetric = 12, kSrc = 16, kDst = 32,
                   kVlanProto = 48, kTbid = 48, kSmac = 52, kDmac = 58, kSize = 64;
}

constexpr uint32_t kLookupDirect = 1, kLookupOutput = 2, kLookupSkipNeigh = 4, kLookupTbid = 8,
                   kLookupSrc = 16;
// BPF_FIB_LOOKUP_MARK (Linux 6.10; newer than the uapi header here): the lookup uses
// params->mark for policy routing, which the host does not have, so it changes nothing.
constexpr uint32_t kLookupMark = 32;
constexpr uint32_t kKnownFlags =
    kLookupDirect | kLookupOutput | kLookupSkipNeigh | kLookupTbid | kLookupSrc | kLookupMark;
constexpr uint32_t kRtTableMain = 254;

enum Ret : uint64_t {
    kSuccess = 0,
    kBlackhole = 1,
    kUnreachable = 2,
    kProhibit = 3,
    kNotFwded = 4,
    kFwdDisabled = 5,
    kUnsuppLwt = 6,
    kNoNeigh = 7,
    kFragNeeded = 8,
    kNoSrcAddr = 9,
};
const char* ret_name(uint64_t r) {
    static const char* const kNames[] = {"BPF_FIB_LKUP_RET_SUCCESS",     "BPF_FIB_LKUP_RET_BLACKHOLE",
                                         "BPF_FIB_LKUP_RET_UNREACHABLE", "BPF_FIB_LKUP_RET_PROHIBIT",
                                         "BPF_FIB_LKUP_RET_NOT_FWDED",   "BPF_FIB_LKUP_RET_FWD_DISABLED",
                                         "BPF_FIB_LKUP_RET_UNSUPP_LWT",  "BPF_FIB_LKUP_RET_NO_NEIGH",
                                         "BPF_FIB_LKUP_RET_FRAG_NEEDED", "BPF_FIB_LKUP_RET_NO_SRC_ADDR"};
    return r < std::size(kNames) ? kNames[r] : "?";
}

uint32_t addr_len(uint32_t family) {
    return family == kAfInet ? 4 : 16;
}

bool in_prefix(const Ipv6& addr, const Ipv6& prefix, uint32_t len) {
    for (uint32_t bit = 0; bit < len; ++bit) {
        const uint8_t mask = uint8_t(0x80 >> (bit % 8));
        if ((addr[bit / 8] & mask) != (prefix[bit / 8] & mask)) return false;
    }
    return true;
}

std::string route_addr_text(const Ipv6& a, uint32_t family) {
    return family == kAfInet ? format_ipv4(a.data(), false) : format_ipv6(a.data(), true);
}

// A local (RTN_LOCAL) destination: one of the host's addresses, or inside lo's prefixes.
bool is_local(const Network& net, const Ipv6& dst, uint32_t family) {
    for (const NetDevice& d : net.devices) {
        const bool loopback = d.name == "lo";
        if (family == kAfInet) {
            for (const Ipv4Net& a : d.ipv4) {
                const Ipv6 p{a.addr[0], a.addr[1], a.addr[2], a.addr[3]};
                if (in_prefix(dst, p, loopback ? a.prefix_len : 32)) return true;
            }
        } else {
            for (const Ipv6Net& a : d.ipv6)
                if (in_prefix(dst, a.addr, loopback ? a.prefix_len : 128)) return true;
        }
    }
    return false;
}

// The main table's best route: the longest prefix, then the lowest metric. Connected routes
// (each up device's address prefixes) count with IPv4 metric 0 and IPv6 metric 256, as Linux
// adds them; routes through a device that is down are dead.
std::optional<Route> best_route(const Network& net, const Ipv6& dst, uint32_t family) {
    std::vector<Route> table = net.routes;
    for (const NetDevice& d : net.devices) {
        if (d.name == "lo") continue;
        if (family == kAfInet)
            for (const Ipv4Net& a : d.ipv4)
                table.push_back({kAfInet,
                                 {a.addr[0], a.addr[1], a.addr[2], a.addr[3]},
                                 a.prefix_len,
                                 {},
                                 d.ifindex,
                                 0,
                                 RouteType::Unicast});
        else
            for (const Ipv6Net& a : d.ipv6)
                table.push_back({kAfInet6, a.addr, a.prefix_len, {}, d.ifindex, 256, RouteType::Unicast});
    }
    std::optional<Route> best;
    for (const Route& r : table) {
        if (r.family != family || !in_prefix(dst, r.dst, r.prefix_len)) continue;
        if (r.type == RouteType::Unicast) {
            const NetDevice* dev = net.device(r.ifindex);
            if (!dev || !dev->up) continue;
        }
        if (!best || r.prefix_len > best->prefix_len ||
            (r.prefix_len == best->prefix_len && r.metric < best->metric))
            best = r;
    }
    return best;
}

const Neighbour* neighbour(const Network& net, uint32_t ifindex, const Ipv6& addr, uint32_t family) {
    for (const Neighbour& n : net.neighbours)
        if (n.ifindex == ifindex && n.family == family &&
            std::equal(addr.begin(), addr.begin() + addr_len(family), n.addr.begin()))
            return &n;
    return nullptr;
}

struct Lookup {
    uint64_t ret = kSuccess;
    std::string why;
};

// bpf_ipv4_fib_lookup / bpf_ipv6_fib_lookup on the params bytes `p`.
Lookup fib_lookup(const Network& net, uint8_t* p, uint32_t family, uint32_t flags, bool check_mtu) {
    const uint32_t alen = addr_len(family);
    const uint32_t in_ifindex = load_le<uint32_t>(p + fib::kIfindex);
    const NetDevice* in = net.device(in_ifindex);
    if (!in) return {helper_errno(kerrno::kENODEV), "there is no device with ifindex " + std::to_string(in_ifindex)};
    if (!in->forwarding)
        return {kFwdDisabled, "forwarding is disabled on " + net.device_label(in_ifindex) + " (net." +
                                  (family == kAfInet ? "ipv4" : "ipv6") + ".conf." + in->name +
                                  ".forwarding = 0)"};
    Ipv6 dst{};
    std::memcpy(dst.data(), p + fib::kDst, alen);
    const std::string dst_text = route_addr_text(dst, family);
    if ((flags & kLookupDirect) && (flags & kLookupTbid) && load_le<uint32_t>(p + fib::kTbid) != kRtTableMain)
        return {kNotFwded, "the host has no routing table " +
                               std::to_string(load_le<uint32_t>(p + fib::kTbid)) + " (only main, 254)"};
    // Without BPF_FIB_LOOKUP_DIRECT the rules consult the local table first.
    if (!(flags & kLookupDirect) && is_local(net, dst, family))
        return {kNotFwded,
                dst_text + " is this host's own address: the packet is delivered locally, not forwarded"};
    const std::optional<Route> route = best_route(net, dst, family);
    if (!route) return {kNotFwded, "no route to " + dst_text};
    switch (route->type) {
    case RouteType::Blackhole: return {kBlackhole, "the route to " + dst_text + " is a blackhole"};
    case RouteType::Unreachable: return {kUnreachable, "the route to " + dst_text + " is unreachable"};
    case RouteType::Prohibit: return {kProhibit, "the route to " + dst_text + " is prohibit"};
    case RouteType::Unicast: break;
    }
    const NetDevice& out = *net.device(route->ifindex);
    const uint32_t mtu = check_mtu ? out.mtu : 0;
    const uint16_t tot_len = load_le<uint16_t>(p + fib::kTotLen);
    if (check_mtu && tot_len > mtu) {
        store_le<uint16_t>(p + fib::kTotLen, uint16_t(mtu));
        return {kFragNeeded, "tot_len " + std::to_string(tot_len) + " is more than the MTU " +
                                 std::to_string(mtu) + " of " + net.device_label(out.ifindex) +
                                 " (mtu_result)"};
    }
    store_le<uint32_t>(p + fib::kRtMetric, route->metric);
    store_le<uint32_t>(p + fib::kIfindex, out.ifindex);
    std::string how = dst_text + " goes out of " + net.device_label(out.ifindex);
    if (flags & kLookupSrc) {
        Ipv6 src{};
        bool have = false;
        if (family == kAfInet && !out.ipv4.empty()) {
            std::memcpy(src.data(), out.ipv4[0].addr.data(), 4);
            have = true;
        } else if (family == kAfInet6 && !out.ipv6.empty()) {
            src = out.ipv6[0].addr;
            have = true;
        }
        if (!have) return {kNoSrcAddr, how + ", which has no address to use as the source"};
        std::memcpy(p + fib::kSrc, src.data(), alen);
    }
    const bool via =
        std::any_of(route->gateway.begin(), route->gateway.begin() + alen, [](uint8_t b) { return b; });
    if (via) {
        std::memcpy(p + fib::kDst, route->gateway.data(), alen);
        dst = route->gateway;
        how += " via " + route_addr_text(dst, family);
    }
    if (!(flags & kLookupSkipNeigh)) {
        const Neighbour* n = neighbour(net, out.ifindex, dst, family);
        if (!n)
            return {kNoNeigh, how + ", but the host knows no neighbour (MAC address) for " +
                                  route_addr_text(dst, family) + " there"};
        std::memcpy(p + fib::kDmac, n->mac.data(), 6);
        std::memcpy(p + fib::kSmac, out.mac.data(), 6);
        how += ", to " + format_mac(n->mac) + " from " + format_mac(out.mac);
    }
    // bpf_fib_set_fwd_params.
    store_le<uint32_t>(p + fib::kVlanProto, 0);
    if (mtu) store_le<uint16_t>(p + fib::kTotLen, uint16_t(mtu));
    return {kSuccess, how};
}

uint64_t fib_lookup_helper(Vm& vm, uint64_t, uint64_t params, uint64_t plen_arg, uint64_t flags_arg,
                           uint64_t) {
    constexpr const char* kName = "bpf_fib_lookup";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    const PacketHook hook = h->net.run.hook;
    // The kernel offers it to XDP and TC programs only (the catalog's rules refuse the rest at
    // load); a program of no known type has no packet hook to look up for.
    if (hook != PacketHook::Xdp && hook != PacketHook::Tc) return no_packet_hook(vm, kName);
    const int32_t plen = int32_t(plen_arg); // the helper's argument is an int
    const uint32_t flags = uint32_t(flags_arg);
    const uint32_t span = plen > 0 ? uint32_t(plen) : 0;
    uint8_t* p = vm.memory().helper_ptr(params, span, /*write=*/true);
    if (!p && span > 0) {
        fail_helper_access(vm, kName, params, span, Access::HelperWrite);
        return 0;
    }
    if (plen < int32_t(fib::kSize)) {
        log_host_event(vm, *h, kName,
                       "plen " + std::to_string(plen) +
                           " is less than sizeof(struct bpf_fib_lookup) (64): returns -EINVAL");
        return helper_errno(kEINVAL);
    }
    if (flags & ~kKnownFlags) {
        log_host_event(vm, *h, kName, "flags " + hex(flags) + " have unknown bits: returns -EINVAL");
        return helper_errno(kEINVAL);
    }
    const uint32_t family = p[fib::kFamily];
    if (family != kAfInet && family != kAfInet6) {
        log_host_event(vm, *h, kName,
                       "family " + std::to_string(family) +
                           " is neither AF_INET (2) nor AF_INET6 (10): returns -EAFNOSUPPORT");
        return helper_errno(kerrno::kEAFNOSUPPORT);
    }
    // XDP always checks tot_len against the MTU; TC only when the program set tot_len, and
    // otherwise checks the packet itself against the chosen device's MTU.
    const bool tc_skb_check = hook == PacketHook::Tc && load_le<uint16_t>(p + fib::kTotLen) == 0;
    Lookup r = fib_lookup(h->net, p, family, flags, !tc_skb_check);
    if (r.ret == kSuccess && tc_skb_check) {
        const NetDevice& out = *h->net.device(load_le<uint32_t>(p + fib::kIfindex));
        const PacketBuffer* pkt = packet_of(vm);
        const uint32_t pkt_len = pkt ? pkt->len() : 0;
        store_le<uint16_t>(p + fib::kTotLen, uint16_t(out.mtu));
        // is_skb_forwardable: the frame may be MTU + Ethernet header + one VLAN tag long.
        if (pkt_len > out.mtu + 14 + 4) {
            r = {kFragNeeded, "the " + std::to_string(pkt_len) + "-byte packet does not fit the MTU " +
                                  std::to_string(out.mtu) + " of " + h->net.device_label(out.ifindex)};
        }
    }
    const bool errno_ret = int64_t(r.ret) < 0;
    log_host_event(
        vm, *h, kName,
        r.why + ": returns " +
            (errno_ret ? "-ENODEV" : std::string(ret_name(r.ret)) + " (" + std::to_string(r.ret) + ")"));
    return r.ret;
}

} // namespace

namespace {

constexpr HelperImpl kFibHelperImpls[] = {
    {kFibLookupId, fib_lookup_helper},  // bpf_fib_lookup
};

}  // namespace

bool fib_is_local(const Network& net, const Ipv6& dst, uint32_t family) { return is_local(net, dst, family); }

std::optional<Route> fib_best_route(const Network& net, const Ipv6& dst, uint32_t family) {
    return best_route(net, dst, family);
}

std::span<const HelperImpl> fib_helper_impls() { return kFibHelperImpls; }

} // namespace bpfplay
