#pragma once
// What several __sk_buff helpers do to the packet (net/core/filter.c's bpf_skb_generic_push /
// _pop, bpf_skb_net_hdr_push / _pop, skb_clear_hash...), on the run's PacketBuffer. Each saves
// what it changes for reverse execution; callers record() the buffer's state first.
#include <cstdint>

#include "core/run/packet_buffer.hpp"
#include "core/run/uapi_consts.hpp"

namespace bpfplay::skb_ops {

constexpr int64_t kEfault = 14, kEnomem = 12, kEnotsupp = 524, kEalready = 114;
constexpr uint16_t kEthPIp = 0x0800, kEthPIpv6 = 0x86dd, kEthP8021Q = 0x8100, kEthP8021AD = 0x88a8;
using uapi::kEthHeaderLen;
constexpr uint32_t kVlanHeaderLen = 4;

// skb->protocol in host order (the context holds it as the kernel's __be16).
uint16_t protocol(const PacketBuffer& p);
void set_protocol(PacketBuffer& p, uint16_t proto);
// skb_network_offset / skb_mac_header_len.
int64_t network_offset(const PacketBuffer& p);
uint32_t mac_header_len(const PacketBuffer& p);
// skb_clear_hash: hash 0, neither software nor L4.
void clear_hash(PacketBuffer& p);

// Inserts `len` zero bytes `off` bytes after data (the first `off` bytes move toward the head);
// the MAC and network headers move with them. -ENOMEM without headroom.
int64_t net_hdr_push(Vm& vm, PacketBuffer& p, uint32_t off, uint32_t len);
// Removes `len` bytes `off` bytes after data. -ENOMEM when the packet is shorter than off + len.
int64_t net_hdr_pop(Vm& vm, PacketBuffer& p, uint32_t off, uint32_t len);

}  // namespace bpfplay::skb_ops
