#include "core/run/tc_helpers.hpp"

#include <cstring>
#include <string>

#include "core/context/contexts.hpp"
#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/run/inet_csum.hpp"
#include "core/run/skb_ops.hpp"
#include "core/run/uapi_consts.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

using namespace skb_ops;

using uapi::kTcActShot, uapi::kTcActRedirect, uapi::kBpfFIngress;
// The kernel's internal bpf_redirect_info flags (filter.c), kept in the redirect target so the
// report tells bpf_redirect_neigh and bpf_redirect_peer from bpf_redirect.
constexpr uint64_t kBpfFNeigh = 1 << 1, kBpfFPeer = 1 << 2, kBpfFNexthop = 1 << 3;
constexpr int64_t kEbadmsg = 74, kErange = 34;
constexpr uint32_t kGsoSizeOff = 176;  // struct __sk_buff's gso_size
constexpr uint32_t kIpv4HdrLen = 20, kIpv6HdrLen = 40;
constexpr uint32_t kRedirNeighSize = 20;  // sizeof(struct bpf_redir_neigh)
constexpr uint64_t kNetXmitSuccess = 0, kNetXmitCn = 2, kNetRxSuccess = 0, kNetRxDrop = 1;

uint16_t be16_at(std::span<const uint8_t> d, size_t at) { return uint16_t(d[at] << 8 | d[at + 1]); }

// skb_protocol(skb, true) -> vlan_get_protocol: skb->protocol, or the protocol inside VLAN
// tags read from the bytes after the Ethernet header (the test run's skb has mac_len 0).
uint16_t protocol_past_vlans(const PacketBuffer& p) {
    uint16_t type = protocol(p);
    const auto d = p.data();
    size_t at = kEthHeaderLen;
    for (int depth = 8; type == kEthP8021Q || type == kEthP8021AD; at += kVlanHeaderLen) {  // VLAN_MAX_DEPTH
        if (at + kVlanHeaderLen > d.size() || --depth == 0) return 0;
        type = be16_at(d, at + 2);
    }
    return type;
}

// IP_ECN_set_ce: the low two bits of tos, plus the incremental checksum update the kernel
// makes (csum16_add on the little-endian loads of the big-endian fields).
uint64_t ipv4_set_ce(Vm& vm, PacketBuffer& p, uint32_t nh) {
    uint8_t* ip = p.frame() + nh;
    const uint32_t ecn = (ip[1] + 1u) & 3u;
    if (!(ecn & 2)) return ecn == 0 ? 1 : 0;  // CE already: 1; Not-ECT: 0
    p.save_bytes(vm, nh, kIpv4HdrLen);
    const auto check_add = uint16_t(0xfbffu + (ecn << 8));  // htons(0xFFFB) + htons(ecn) on x86
    uint16_t check = uint16_t(ip[10] | ip[11] << 8);
    const auto sum = uint16_t(check + check_add);
    check = uint16_t(sum + (sum < check_add));
    ip[10] = uint8_t(check);
    ip[11] = uint8_t(check >> 8);
    ip[1] |= 3;
    return 1;
}

// IP6_ECN_set_ce: the traffic class's ECN bits; skb->csum follows a CHECKSUM_COMPLETE packet.
uint64_t ipv6_set_ce(Vm& vm, PacketBuffer& p, uint32_t nh) {
    uint8_t* ip = p.frame() + nh;
    const uint8_t dsfield = uint8_t((ip[0] << 4) | (ip[1] >> 4));
    if ((dsfield & 3) == 0) return 0;  // Not-ECT
    uint32_t from = 0;
    std::memcpy(&from, ip, 4);
    p.record(vm);
    p.save_bytes(vm, nh, 4);
    ip[1] |= 0x30;  // htonl(INET_ECN_CE << 20)
    uint32_t to = 0;
    std::memcpy(&to, ip, 4);
    if (p.skb().ip_summed == 2) p.skb().csum = inet_csum::add(inet_csum::sub(p.skb().csum, from), to);
    return 1;
}

// bpf_skb_ecn_set_ce: 1 when the packet is (now) marked Congestion Experienced, 0 for a packet
// that is not ECN-capable, not IP, or too short for its IP header. The header is where the skb's
// network header is, even for a VLAN-tagged frame (whose protocol is read past the tags).
uint64_t skb_ecn_set_ce(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    PacketBuffer* p = packet_of(vm);
    if (!p || !p->ctx()) return no_packet_hook(vm, "bpf_skb_ecn_set_ce");
    const uint16_t proto = protocol_past_vlans(*p);
    const uint32_t hdr_len = proto == kEthPIp ? kIpv4HdrLen : proto == kEthPIpv6 ? kIpv6HdrLen : 0;
    if (hdr_len == 0 || p->len() < hdr_len) return 0;  // skb_headlen(skb) < iphdr_len
    const int64_t nh = network_offset(*p);
    if (nh < 0 || uint64_t(nh) + hdr_len > p->len()) return 0;  // the header passes the tail
    const uint32_t at = p->geometry().data + uint32_t(nh);
    return proto == kEthPIp ? ipv4_set_ce(vm, *p, at) : ipv6_set_ce(vm, *p, at);
}

// bpf_clone_redirect: a copy of the packet is sent now (dev_queue_xmit, or netif_rx with
// BPF_F_INGRESS); the program's packet goes on. Returns the device layer's answer: a device that
// is down queues into noop_qdisc (NET_XMIT_CN) or refuses to receive (NET_RX_DROP).
uint64_t clone_redirect(Vm& vm, uint64_t, uint64_t ifindex_arg, uint64_t flags, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_clone_redirect";
    PacketBuffer* p = packet_of(vm);
    if (!p || !p->ctx()) return no_packet_hook(vm, kName);
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    if (flags & ~kBpfFIngress) return helper_errno(kEINVAL);
    // A test run's ctx_in may give gso_size without a gso_type: the kernel refuses to clone it.
    if (p->ctx()->get_u32(kGsoSizeOff) != 0) return helper_errno(kEbadmsg);
    const auto ifindex = uint32_t(ifindex_arg);
    const NetDevice* dev = h->net.device(ifindex);
    if (!dev) return helper_errno(kEINVAL);
    const SkbState& s = p->skb();
    if (s.mac_header >= s.network_header || p->ctx()->get_u32(sk_buff::kLen) == 0) return helper_errno(kErange);
    const std::string where = h->net.device_label(ifindex);
    if (flags & kBpfFIngress) {
        log_host_event(vm, *h, kName,
                       dev->up ? "a copy of the packet is received as incoming on " + where
                               : "the copy is dropped: " + where + " is down (returns NET_RX_DROP)");
        return dev->up ? kNetRxSuccess : kNetRxDrop;
    }
    log_host_event(vm, *h, kName,
                   dev->up ? "a copy of the packet is sent out of " + where
                           : "the copy is dropped: " + where + " is down, its qdisc is noop (returns NET_XMIT_CN)");
    return dev->up ? kNetXmitSuccess : kNetXmitCn;
}

// bpf_redirect_neigh: like bpf_redirect to egress, the L2 header then filled in from the
// neighbour table (of params' next hop when given). Bad arguments: TC_ACT_SHOT, target unchanged.
uint64_t redirect_neigh(Vm& vm, uint64_t ifindex_arg, uint64_t params, uint64_t plen_arg, uint64_t flags, uint64_t) {
    constexpr const char* kName = "bpf_redirect_neigh";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    const auto plen = int32_t(uint32_t(plen_arg));
    if ((plen != 0 && plen < int32_t(kRedirNeighSize)) || flags) {
        log_host_event(vm, *h, kName,
                       flags ? "flags " + hex(flags) + " must be 0: returns TC_ACT_SHOT and the target is unchanged"
                             : "plen " + std::to_string(plen) + " is below sizeof(struct bpf_redir_neigh) (20) and not 0"
                               ": returns TC_ACT_SHOT and the target is unchanged");
        return kTcActShot;
    }
    (void)params;  // the verifier checked [params, params + plen); the report keeps only the device
    const auto ifindex = uint32_t(ifindex_arg);
    h->net.run.redirect = RedirectTarget{true, ifindex, kBpfFNeigh | (plen ? kBpfFNexthop : 0), "", {}};
    log_host_event(vm, *h, kName,
                   "the packet goes out of " + h->net.device_label(ifindex) +
                       " with its Ethernet header from the neighbour table if the program returns TC_ACT_REDIRECT");
    return kTcActRedirect;
}

// bpf_redirect_peer: the packet moves to the peer of a veth/netkit device, at ingress.
uint64_t redirect_peer(Vm& vm, uint64_t ifindex_arg, uint64_t flags, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_redirect_peer";
    Host* h = host_for(vm, kName);
    if (!h) return 0;
    if (flags) {
        log_host_event(vm, *h, kName,
                       "flags " + hex(flags) + " must be 0: returns TC_ACT_SHOT and the target is unchanged");
        return kTcActShot;
    }
    const auto ifindex = uint32_t(ifindex_arg);
    h->net.run.redirect = RedirectTarget{true, ifindex, kBpfFPeer, "", {}};
    log_host_event(vm, *h, kName,
                   "the packet goes to the peer of " + h->net.device_label(ifindex) +
                       " if the program returns TC_ACT_REDIRECT at tc ingress");
    return kTcActRedirect;
}

constexpr HelperImpl kTcHelperImpls[] = {
    {13, clone_redirect},   // bpf_clone_redirect
    {97, skb_ecn_set_ce},   // bpf_skb_ecn_set_ce
    {152, redirect_neigh},  // bpf_redirect_neigh
    {155, redirect_peer},   // bpf_redirect_peer
};

}  // namespace

std::span<const HelperImpl> tc_helper_impls() { return kTcHelperImpls; }

}  // namespace bpfplay
