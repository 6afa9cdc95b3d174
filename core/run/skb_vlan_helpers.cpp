#include "core/run/skb_vlan_helpers.hpp"

#include <cstring>

#include "core/context/contexts.hpp"
#include "core/host/helper_support.hpp"
#include "core/run/skb_ops.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

using namespace skb_ops;

constexpr uint32_t kMacAddressesLen = 12;  // 2 * ETH_ALEN
constexpr uint16_t kEthP8023Min = 0x0600, kEthP8023 = 0x0001, kEthP8022 = 0x0004;

uint16_t swap16(uint16_t v) { return uint16_t(v << 8 | v >> 8); }
bool is_vlan(uint16_t proto) { return proto == kEthP8021Q || proto == kEthP8021AD; }

struct Tag {
    uint16_t proto_be;  // as the kernel's __be16 vlan_proto
    uint16_t tci;
};

bool tag_present(const FieldContext& c) { return c.get_u32(sk_buff::kVlanPresent) != 0; }
Tag tag_of(const FieldContext& c) {
    return {uint16_t(c.get_u32(sk_buff::kVlanProto)), uint16_t(c.get_u32(sk_buff::kVlanTci))};
}
void put_tag(FieldContext& c, Tag t) {
    c.set_u32(sk_buff::kVlanPresent, 1);
    c.set_u32(sk_buff::kVlanProto, t.proto_be);
    c.set_u32(sk_buff::kVlanTci, t.tci);
}
void clear_tag(FieldContext& c) {
    c.set_u32(sk_buff::kVlanPresent, 0);
    c.set_u32(sk_buff::kVlanProto, 0);
    c.set_u32(sk_buff::kVlanTci, 0);
}

// __vlan_insert_tag: 4 bytes pushed in front, the MAC addresses moved into them, the tag after.
int64_t insert_tag(Vm& vm, PacketBuffer& p, Tag t) {
    PacketGeometry g = p.geometry();
    if (g.data < kVlanHeaderLen) return -kEnomem;
    g.meta = g.data = g.data - kVlanHeaderLen;
    p.save_bytes(vm, g.data, kMacAddressesLen + kVlanHeaderLen);
    uint8_t* d = p.frame() + g.data;
    std::memmove(d, d + kVlanHeaderLen, kMacAddressesLen);
    store_le<uint16_t>(d + kMacAddressesLen, t.proto_be);
    store_le<uint16_t>(d + kMacAddressesLen + 2, swap16(t.tci));
    p.skb().mac_header -= kVlanHeaderLen;
    p.set_geometry(g);
    return 0;
}

// __skb_vlan_pop: the packet's outer tag out, its TCI returned; skb->protocol becomes the
// encapsulated one.
int64_t pop_tag(Vm& vm, PacketBuffer& p, uint16_t& tci) {
    PacketGeometry g = p.geometry();
    if (g.data != p.skb().mac_header) return -kEINVAL;  // the kernel warns: data must be at the MAC header
    if (p.len() < kEthHeaderLen + kVlanHeaderLen) return -kEnomem;
    uint8_t* d = p.frame() + g.data;
    tci = swap16(load_le<uint16_t>(d + kEthHeaderLen));
    // vlan_set_encap_proto: an EtherType, else 802.3 (raw IPX) or 802.2 frames.
    const uint16_t inner = swap16(load_le<uint16_t>(d + kEthHeaderLen + 2));
    uint16_t proto = inner;
    if (inner < kEthP8023Min) {
        const bool raw = p.len() >= kEthHeaderLen + kVlanHeaderLen + 2 &&
                         load_le<uint16_t>(d + kEthHeaderLen + kVlanHeaderLen) == 0xffff;
        proto = raw ? kEthP8023 : kEthP8022;
    }
    p.save_bytes(vm, g.data + kVlanHeaderLen, kMacAddressesLen);
    std::memmove(d + kVlanHeaderLen, d, kMacAddressesLen);
    set_protocol(p, proto);
    g.meta = g.data = g.data + kVlanHeaderLen;
    SkbState& s = p.skb();
    s.mac_header += kVlanHeaderLen;
    if (int64_t(s.network_header) - g.data < int64_t(kEthHeaderLen)) s.network_header = g.data + kEthHeaderLen;
    p.set_geometry(g);
    return 0;
}

uint64_t skb_vlan_push(Vm& vm, uint64_t, uint64_t proto_arg, uint64_t tci_arg, uint64_t, uint64_t) {
    PacketBuffer* p = packet_of(vm);
    if (!p || !p->ctx()) return no_packet_hook(vm, "bpf_skb_vlan_push");
    FieldContext& c = *p->ctx();
    uint16_t proto_be = uint16_t(proto_arg);
    if (!is_vlan(swap16(proto_be))) proto_be = swap16(kEthP8021Q);
    p->record(vm);
    if (tag_present(c)) {
        if (p->geometry().data != p->skb().mac_header) return helper_errno(kEINVAL);
        const Tag old = tag_of(c);
        if (int64_t r = insert_tag(vm, *p, old); r < 0) return uint64_t(r);
        c.set_u32(sk_buff::kProtocol, old.proto_be);
        p->skb().network_header -= kVlanHeaderLen;
    }
    put_tag(c, {proto_be, uint16_t(tci_arg)});
    return 0;
}

uint64_t skb_vlan_pop(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    PacketBuffer* p = packet_of(vm);
    if (!p || !p->ctx()) return no_packet_hook(vm, "bpf_skb_vlan_pop");
    FieldContext& c = *p->ctx();
    p->record(vm);
    uint16_t tci = 0;
    if (tag_present(c)) {
        clear_tag(c);
    } else {
        if (!is_vlan(protocol(*p))) return 0;
        if (int64_t r = pop_tag(vm, *p, tci); r < 0) return uint64_t(r);
    }
    // The next tag in the packet (QinQ) becomes the accelerated one.
    const uint16_t next = protocol(*p);
    if (!is_vlan(next)) return 0;
    if (int64_t r = pop_tag(vm, *p, tci); r < 0) return uint64_t(r);
    put_tag(c, {swap16(next), tci});
    return 0;
}

constexpr HelperImpl kSkbVlanHelperImpls[] = {
    {18, skb_vlan_push},  // bpf_skb_vlan_push
    {19, skb_vlan_pop},   // bpf_skb_vlan_pop
};

}  // namespace

std::span<const HelperImpl> skb_vlan_helper_impls() { return kSkbVlanHelperImpls; }

}  // namespace bpfplay
