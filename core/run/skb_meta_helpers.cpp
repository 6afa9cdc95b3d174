#include "core/run/skb_meta_helpers.hpp"

#include "core/context/contexts.hpp"
#include "core/host/helper_support.hpp"
#include "core/run/skb_ops.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

using namespace skb_ops;

constexpr uint32_t kPacketOtherhost = 3;  // the last pkt_type programs may set

uint64_t skb_change_type(Vm& vm, uint64_t, uint64_t type, uint64_t, uint64_t, uint64_t) {
    PacketBuffer* p = packet_of(vm);
    if (!p || !p->ctx()) return no_packet_hook(vm, "bpf_skb_change_type");
    if (p->ctx()->get_u32(sk_buff::kPktType) > kPacketOtherhost || uint32_t(type) > kPacketOtherhost)
        return helper_errno(kEINVAL);
    p->record(vm);
    p->ctx()->set_u32(sk_buff::kPktType, uint32_t(type));
    return 0;
}

uint64_t set_hash(Vm& vm, uint64_t, uint64_t hash, uint64_t, uint64_t, uint64_t) {
    PacketBuffer* p = packet_of(vm);
    if (!p || !p->ctx()) return no_packet_hook(vm, "bpf_set_hash");
    p->record(vm);
    p->skb().sw_hash = p->skb().l4_hash = true;  // __skb_set_sw_hash(skb, hash, true)
    p->ctx()->set_u32(sk_buff::kHash, uint32_t(hash));
    return 0;
}

uint64_t set_hash_invalid(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    PacketBuffer* p = packet_of(vm);
    if (!p || !p->ctx()) return no_packet_hook(vm, "bpf_set_hash_invalid");
    p->record(vm);
    clear_hash(*p);
    return 0;
}

// A flow hash of the IPv4/IPv6 addresses, protocol and ports (FNV-1a), never 0.
uint32_t packet_flow_hash(const PacketBuffer& p) {
    const auto d = p.data();
    const int64_t nh = network_offset(p);
    uint32_t h = 2166136261u;
    auto mix = [&](size_t at, size_t n) {
        for (size_t k = at; k < at + n && k < d.size(); ++k) h = (h ^ d[k]) * 16777619u;
    };
    const uint16_t proto = protocol(p);
    if (nh >= 0 && proto == kEthPIp && size_t(nh) + 20 <= d.size()) {
        const size_t ihl = size_t(d[size_t(nh)] & 0xf) * 4;
        mix(size_t(nh) + 9, 1);
        mix(size_t(nh) + 12, 8);
        mix(size_t(nh) + ihl, 4);
    } else if (nh >= 0 && proto == kEthPIpv6 && size_t(nh) + 40 <= d.size()) {
        mix(size_t(nh) + 6, 1);
        mix(size_t(nh) + 8, 32);
        mix(size_t(nh) + 40, 4);
    } else {
        mix(0, d.size());
    }
    return h ? h : 1;
}

uint64_t get_hash_recalc(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    PacketBuffer* p = packet_of(vm);
    if (!p || !p->ctx()) return no_packet_hook(vm, "bpf_get_hash_recalc");
    const SkbState& s = p->skb();
    if (s.sw_hash || s.l4_hash) return p->ctx()->get_u32(sk_buff::kHash);
    p->record(vm);
    const uint32_t h = packet_flow_hash(*p);
    p->skb().l4_hash = true;
    p->ctx()->set_u32(sk_buff::kHash, h);
    return h;
}

uint64_t get_route_realm(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    // The realm of the skb's route (dst->tclassid): a test run's skb has no route, so 0.
    if (!packet_of(vm)) return no_packet_hook(vm, "bpf_get_route_realm");
    return 0;
}

constexpr HelperImpl kSkbMetaHelperImpls[] = {
    {24, get_route_realm},   // bpf_get_route_realm
    {32, skb_change_type},   // bpf_skb_change_type
    {34, get_hash_recalc},   // bpf_get_hash_recalc
    {41, set_hash_invalid},  // bpf_set_hash_invalid
    {48, set_hash},          // bpf_set_hash
};

}  // namespace

std::span<const HelperImpl> skb_meta_helper_impls() { return kSkbMetaHelperImpls; }

}  // namespace bpfplay
