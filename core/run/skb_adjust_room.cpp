#include "core/run/skb_adjust_room.hpp"

#include "core/host/helper_support.hpp"
#include "core/run/skb_ops.hpp"
#include "core/run/uapi_consts.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

using namespace skb_ops;

namespace flag {
constexpr uint64_t kFixedGso = 1 << 0, kEncapL3Ipv4 = 1 << 1, kEncapL3Ipv6 = 1 << 2, kEncapL4Gre = 1 << 3,
                   kEncapL4Udp = 1 << 4, kNoCsumReset = 1 << 5, kEncapL2Eth = 1 << 6, kDecapL3Ipv4 = 1 << 7,
                   kDecapL3Ipv6 = 1 << 8;
constexpr uint64_t kEncapL3Mask = kEncapL3Ipv4 | kEncapL3Ipv6, kDecapL3Mask = kDecapL3Ipv4 | kDecapL3Ipv6;
constexpr uint32_t kEncapL2Shift = 56;
constexpr uint64_t kEncapL2Mask = uint64_t(0xff) << kEncapL2Shift;
constexpr uint64_t kAllowed = kFixedGso | kEncapL3Mask | kEncapL4Gre | kEncapL4Udp | kEncapL2Eth | kEncapL2Mask |
                              kDecapL3Mask | kNoCsumReset;
}  // namespace flag

constexpr uint32_t kModeNet = 0, kModeMac = 1;
constexpr uint32_t kMaxDiff = 0xfff;
using uapi::kIpv4HeaderLen, uapi::kIpv6HeaderLen;

// bpf_skb_net_base_len: the fixed header of the packet's network protocol.
uint32_t net_base_len(uint16_t proto) {
    return proto == kEthPIp ? kIpv4HeaderLen : proto == kEthPIpv6 ? kIpv6HeaderLen : 0;
}

int64_t net_grow(Vm& vm, PacketBuffer& p, uint32_t off, uint32_t len, uint64_t flags) {
    const bool encap = flags & flag::kEncapL3Mask;
    const uint32_t inner_mac_len = uint32_t(flags >> flag::kEncapL2Shift);
    SkbState& s = p.skb();
    if (encap) {
        if ((flags & flag::kEncapL3Ipv4) && (flags & flag::kEncapL3Ipv6)) return -kEINVAL;
        if ((flags & flag::kEncapL4Gre) && (flags & flag::kEncapL4Udp)) return -kEINVAL;
        if ((flags & flag::kEncapL2Eth) && inner_mac_len < kEthHeaderLen) return -kEINVAL;
        if (s.encapsulation) return -kEalready;
        if (inner_mac_len > len) return -kEINVAL;
    }
    const uint32_t mac_len = mac_header_len(p);
    if (int64_t r = net_hdr_push(vm, p, off, len); r < 0) return r;
    if (encap) {
        // The inner headers (kept by the kernel for GSO) are not visible to programs; the outer
        // network header is right after the MAC header, where the program writes it.
        s.encapsulation = true;
        s.network_header = p.geometry().data + mac_len;
        if (flags & (flag::kEncapL4Gre | flag::kEncapL4Udp)) {
            const uint32_t nh_len = (flags & flag::kEncapL3Ipv6) ? kIpv6HeaderLen : kIpv4HeaderLen;
            s.transport_header = p.geometry().data + mac_len + nh_len;
        }
        const uint16_t proto = protocol(p);
        if (proto == kEthPIp && (flags & flag::kEncapL3Ipv6)) set_protocol(p, kEthPIpv6);
        else if (proto == kEthPIpv6 && (flags & flag::kEncapL3Ipv4)) set_protocol(p, kEthPIp);
    }
    return 0;
}

int64_t net_shrink(Vm& vm, PacketBuffer& p, uint32_t off, uint32_t len, uint64_t flags) {
    if (flags & ~(flag::kFixedGso | flag::kDecapL3Mask | flag::kNoCsumReset)) return -kEINVAL;
    if (int64_t r = net_hdr_pop(vm, p, off, len); r < 0) return r;
    const uint16_t proto = protocol(p);
    if (proto == kEthPIp && (flags & flag::kDecapL3Ipv6)) set_protocol(p, kEthPIpv6);
    else if (proto == kEthPIpv6 && (flags & flag::kDecapL3Ipv4)) set_protocol(p, kEthPIp);
    return 0;
}

uint64_t skb_adjust_room(Vm& vm, uint64_t, uint64_t len_diff_arg, uint64_t mode_arg, uint64_t flags, uint64_t) {
    PacketBuffer* p = packet_of(vm);
    if (!p) return no_packet_hook(vm, "bpf_skb_adjust_room");
    const int32_t len_diff = int32_t(uint32_t(len_diff_arg));
    const uint32_t mode = uint32_t(mode_arg);
    const uint32_t abs = len_diff < 0 ? uint32_t(-int64_t(len_diff)) : uint32_t(len_diff);
    const bool shrink = len_diff < 0;
    const uint16_t proto = protocol(*p);
    uint32_t len_min = net_base_len(proto);
    if (flags & ~flag::kAllowed) return helper_errno(kEINVAL);
    if (abs > kMaxDiff) return helper_errno(kEfault);
    if (proto != kEthPIp && proto != kEthPIpv6) return helper_errno(kEnotsupp);
    uint32_t off = mac_header_len(*p);
    if (mode == kModeNet) off += net_base_len(proto);
    else if (mode != kModeMac) return helper_errno(kEnotsupp);
    if (flags & flag::kDecapL3Mask) {
        if (!shrink) return helper_errno(kEINVAL);
        switch (flags & flag::kDecapL3Mask) {
        case flag::kDecapL3Ipv4: len_min = kIpv4HeaderLen; break;
        case flag::kDecapL3Ipv6: len_min = kIpv6HeaderLen; break;
        default: return helper_errno(kEINVAL);
        }
    }
    const int64_t len_cur = int64_t(p->len()) - network_offset(*p);
    if ((shrink && (abs >= len_cur || len_cur - abs < len_min)) ||
        (!shrink && uint64_t(p->len()) + abs > skb_buff::kMaxLen))
        return helper_errno(kEnotsupp);
    p->record(vm);
    const int64_t r = shrink ? net_shrink(vm, *p, off, abs, flags) : net_grow(vm, *p, off, abs, flags);
    // __skb_reset_checksum_unnecessary, unless the program keeps the checksum state.
    if (r == 0 && !(flags & flag::kNoCsumReset) && p->skb().ip_summed == 1) {
        p->skb().ip_summed = 0;
        p->skb().csum_level = 0;
    }
    return uint64_t(r);
}

constexpr HelperImpl kSkbAdjustRoomHelperImpls[] = {
    {50, skb_adjust_room},  // bpf_skb_adjust_room
};

}  // namespace

std::span<const HelperImpl> skb_adjust_room_helper_impls() { return kSkbAdjustRoomHelperImpls; }

}  // namespace bpfplay
