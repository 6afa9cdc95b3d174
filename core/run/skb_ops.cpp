#include "core/run/skb_ops.hpp"

#include <cstring>

#include "core/context/contexts.hpp"

namespace bpfplay::skb_ops {

uint16_t protocol(const PacketBuffer& p) {
    const uint32_t be = p.ctx() ? p.ctx()->get_u32(sk_buff::kProtocol) : 0;
    return uint16_t(((be & 0xff) << 8) | ((be >> 8) & 0xff));
}

void set_protocol(PacketBuffer& p, uint16_t proto) {
    if (p.ctx()) p.ctx()->set_u32(sk_buff::kProtocol, uint32_t(proto >> 8) | (uint32_t(proto & 0xff) << 8));
}

int64_t network_offset(const PacketBuffer& p) { return int64_t(p.skb().network_header) - p.geometry().data; }

uint32_t mac_header_len(const PacketBuffer& p) { return p.skb().network_header - p.skb().mac_header; }

void clear_hash(PacketBuffer& p) {
    p.skb().sw_hash = p.skb().l4_hash = false;
    if (p.ctx()) p.ctx()->set_u32(sk_buff::kHash, 0);
}

int64_t net_hdr_push(Vm& vm, PacketBuffer& p, uint32_t off, uint32_t len) {
    PacketGeometry g = p.geometry();
    if (len > g.data) return -kEnomem;  // no headroom left (only a long loop of VLAN pushes gets here)
    SkbState& s = p.skb();
    const bool trans_same = s.transport_header == s.network_header;
    const uint32_t data = g.data - len;
    p.save_bytes(vm, data, off + len);
    std::memmove(p.frame() + data, p.frame() + g.data, off);
    std::memset(p.frame() + data + off, 0, len);
    s.mac_header -= len;
    s.network_header -= len;
    if (trans_same) s.transport_header = s.network_header;
    g.meta = g.data = data;
    p.set_geometry(g);
    return 0;
}

int64_t net_hdr_pop(Vm& vm, PacketBuffer& p, uint32_t off, uint32_t len) {
    PacketGeometry g = p.geometry();
    if (uint64_t(off) + len > p.len()) return -kEnomem;  // pskb_may_pull
    SkbState& s = p.skb();
    const bool trans_same = s.transport_header == s.network_header;
    const uint32_t data = g.data + len;
    p.save_bytes(vm, data, off);
    std::memmove(p.frame() + data, p.frame() + g.data, off);
    s.mac_header += len;
    s.network_header += len;
    if (trans_same) s.transport_header = s.network_header;
    g.meta = g.data = data;
    p.set_geometry(g);
    return 0;
}

}  // namespace bpfplay::skb_ops
