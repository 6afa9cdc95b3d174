#include "core/run/skb_change_helpers.hpp"

#include <cstring>

#include "core/host/helper_support.hpp"
#include "core/run/skb_ops.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

using namespace skb_ops;

constexpr uint64_t kRecomputeCsum = 1, kInvalidateHash = 2;
constexpr uint32_t kIpv6GrowsBy = 40 - 20;  // sizeof(struct ipv6hdr) - sizeof(struct iphdr)

uint64_t ret(int64_t v) { return uint64_t(v); }

uint64_t skb_store_bytes(Vm& vm, uint64_t, uint64_t offset, uint64_t from, uint64_t len_arg, uint64_t flags) {
    PacketBuffer* p = packet_of(vm);
    if (!p) return no_packet_hook(vm, "bpf_skb_store_bytes");
    const uint32_t len = uint32_t(len_arg);
    const uint8_t* src = len ? vm.memory().helper_ptr(from, len, false) : nullptr;
    if (len && !src) {
        fail_helper_access(vm, "bpf_skb_store_bytes", from, len, Access::HelperRead);
        return 0;
    }
    return ret(skb_store_bytes_at(vm, *p, uint32_t(offset), src, len, flags));
}

uint64_t skb_pull_data(Vm& vm, uint64_t, uint64_t len, uint64_t, uint64_t, uint64_t) {
    PacketBuffer* p = packet_of(vm);
    if (!p) return no_packet_hook(vm, "bpf_skb_pull_data");
    // The whole packet is linear here: pulling fails only past its end (pskb_may_pull).
    return uint32_t(len) > p->len() ? helper_errno(kEnomem) : 0;
}

// __bpf_skb_min_len: the headers before the network (or transport) header must stay.
uint32_t min_len(const PacketBuffer& p) {
    int64_t min = 0;
    if (network_offset(p) > 0) min = network_offset(p);
    if (p.skb().transport_header != skb_buff::kUnset) {
        const int64_t t = int64_t(p.skb().transport_header) - p.geometry().data;
        if (t > 0) min = t;
    }
    return uint32_t(min);
}

uint64_t skb_change_tail(Vm& vm, uint64_t, uint64_t new_len_arg, uint64_t flags, uint64_t, uint64_t) {
    PacketBuffer* p = packet_of(vm);
    if (!p) return no_packet_hook(vm, "bpf_skb_change_tail");
    const uint32_t new_len = uint32_t(new_len_arg);
    if (flags || new_len > skb_buff::kMaxLen || new_len < min_len(*p)) return helper_errno(kEINVAL);
    if (p->skb().encapsulation) return helper_errno(kEnotsupp);
    PacketGeometry g = p->geometry();
    p->record(vm);
    if (new_len > p->len()) {
        // The test run's buffer past the data is zeroed (kzalloc).
        p->save_bytes(vm, g.end, new_len - p->len());
        std::memset(p->frame() + g.end, 0, new_len - p->len());
    }
    g.end = g.data + new_len;
    p->set_geometry(g);
    return 0;
}

uint64_t skb_change_head(Vm& vm, uint64_t, uint64_t head_room_arg, uint64_t flags, uint64_t, uint64_t) {
    PacketBuffer* p = packet_of(vm);
    if (!p) return no_packet_hook(vm, "bpf_skb_change_head");
    const uint32_t head_room = uint32_t(head_room_arg), new_len = p->len() + head_room;
    if (flags || new_len > skb_buff::kMaxLen || new_len < p->len()) return helper_errno(kEINVAL);
    PacketGeometry g = p->geometry();
    if (head_room > g.data) return helper_errno(kEnomem);
    p->record(vm);
    g.meta = g.data = g.data - head_room;
    p->save_bytes(vm, g.data, head_room);
    std::memset(p->frame() + g.data, 0, head_room);
    // Only a MAC header may be pushed: the network header stays where it was.
    p->skb().mac_header = g.data;
    p->set_geometry(g);
    return 0;
}

uint64_t skb_change_proto(Vm& vm, uint64_t, uint64_t proto_arg, uint64_t flags, uint64_t, uint64_t) {
    PacketBuffer* p = packet_of(vm);
    if (!p) return no_packet_hook(vm, "bpf_skb_change_proto");
    if (flags) return helper_errno(kEINVAL);
    const uint16_t be = uint16_t(proto_arg), to = uint16_t(be << 8 | be >> 8), from = protocol(*p);
    const bool four_to_six = from == kEthPIp && to == kEthPIpv6, six_to_four = from == kEthPIpv6 && to == kEthPIp;
    if (!four_to_six && !six_to_four) return helper_errno(kEnotsupp);
    // bpf_skb_proto_4_to_6 / _6_to_4: room for the bigger header right after the MAC header;
    // the program writes the new header itself.
    p->record(vm);
    const int64_t r = four_to_six ? net_hdr_push(vm, *p, mac_header_len(*p), kIpv6GrowsBy)
                                  : net_hdr_pop(vm, *p, mac_header_len(*p), kIpv6GrowsBy);
    if (r < 0) return ret(r);
    set_protocol(*p, to);
    clear_hash(*p);
    return 0;
}

constexpr HelperImpl kImpls[] = {
    {9, skb_store_bytes},    // bpf_skb_store_bytes
    {31, skb_change_proto},  // bpf_skb_change_proto
    {38, skb_change_tail},   // bpf_skb_change_tail
    {39, skb_pull_data},     // bpf_skb_pull_data
    {43, skb_change_head},   // bpf_skb_change_head
};

}  // namespace

int64_t skb_store_bytes_at(Vm& vm, PacketBuffer& p, uint32_t off, const uint8_t* src, uint32_t len, uint64_t flags) {
    if (flags & ~(kRecomputeCsum | kInvalidateHash)) return -kEINVAL;
    if (off > uint32_t(INT32_MAX) || uint64_t(off) + len > p.len()) return -skb_ops::kEfault;
    // BPF_F_RECOMPUTE_CSUM updates skb->csum only under CHECKSUM_COMPLETE, which a test run
    // never has.
    if (flags & kInvalidateHash) {
        p.record(vm);
        skb_ops::clear_hash(p);
    }
    p.save_bytes(vm, p.geometry().data + off, len);
    std::memmove(p.data().data() + off, src, len);
    return 0;
}

std::span<const HelperImpl> skb_change_helper_impls() { return kImpls; }

}  // namespace bpfplay
