#pragma once
#include <cstdint>
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

// bpf_skb_load_bytes (26), bpf_skb_load_bytes_relative (68), bpf_xdp_get_buff_len (188),
// bpf_xdp_load_bytes (189), bpf_xdp_store_bytes (190): copies between the packet and program
// memory.
std::span<const HelperImpl> packet_helper_impls();

class PacketBuffer;
class Vm;

// The copies these helpers and bpf_dynptr_read/write (skb and xdp dynptrs) share:
// __bpf_skb_load_bytes (0 or -EFAULT, the buffer zeroed), __bpf_xdp_load_bytes and
// __bpf_xdp_store_bytes (bpf_xdp_pointer's checks: -EFAULT for an offset or length past 16 bits,
// -EINVAL past the end of the packet, fragments included).
int64_t skb_load_bytes_at(const PacketBuffer& p, uint64_t offset, uint8_t* to, uint32_t len);
int64_t xdp_range_error(const PacketBuffer& p, uint64_t offset, uint64_t len);
int64_t xdp_load_bytes_at(const PacketBuffer& p, uint64_t offset, uint8_t* buf, uint64_t len);
int64_t xdp_store_bytes_at(Vm& vm, PacketBuffer& p, uint64_t offset, const uint8_t* src, uint64_t len);

}  // namespace bpfplay
