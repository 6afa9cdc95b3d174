#pragma once
// The packet of a run of an fentry / fexit program tracing an XDP or __sk_buff program
// (core/loader/traced_program.hpp), as the kernel object the traced program's context is in
// the kernel: a struct xdp_buff (data, data_end, data_meta, data_hard_start, rxq -> dev ->
// ifindex, rxq->queue_index, frame_sz) or a struct sk_buff (head, data, len, protocol, dev,
// skb_iif, mac/network header offsets, tail, end), laid out by the built-in vmlinux BTF after
// the emulated kernel's other objects in window::kKernel. Their data pointers point at the
// packet, mapped at window::kPacket as the traced program would see it. bpf_xdp_output and
// bpf_skb_output read the packet through these objects, as the kernel's do.
#include <span>

#include "core/error.hpp"
#include "core/loader/prog_types.hpp"

namespace bpfplay {

class Memory;
class PacketBuffer;
struct KernelObjects;
struct Network;

// Fills `packet` from `bytes` (as the traced type's test run would), maps it, appends the
// kernel object to `kernel` (remapping window::kKernel) and sets kernel.addresses.xdp_buff or
// .sk_buff. An error for a packet the traced type's test run refuses, or an ingress device the
// host lacks.
Result<Unit> lay_out_traced_packet(Memory& memory, KernelObjects& kernel, PacketBuffer& packet, const Network& net,
                                   ProgType traced, std::span<const uint8_t> bytes);

}  // namespace bpfplay
