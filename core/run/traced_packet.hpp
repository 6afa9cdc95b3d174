#pragma once
// The packet of a run of an fentry / fexit program tracing an XDP or __sk_buff program
// (core/loader/traced_program.hpp), as the kernel object the traced program's context is in
// the kernel: a struct xdp_buff (data, data_end, data_meta, data_hard_start, rxq -> dev ->
// ifindex, rxq->queue_index, frame_sz) or a struct sk_buff (head, data, len, protocol, dev,
// skb_iif, mac/network header offsets, tail, end), laid out by the built-in vmlinux BTF after
// the emulated kernel's other objects in window::kKernel. Their data pointers point at the
// packet, mapped at window::kPacket as the traced program would see it. bpf_xdp_output and
// bpf_skb_output read the packet through these objects, as the kernel's do.
#include <cstdint>
#include <span>
#include <string_view>

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

// A netfilter program's kernel objects (bpf_prog_test_run_nf): the packet, already in `packet`
// as the hook has it, as a struct sk_buff; the loopback device; the struct nf_hook_state.
struct NfHookInput {
    uint8_t hook = 0, pf = 0;
    uint32_t protocol = 0;    // skb->protocol's two bytes, loaded little-endian
    bool from_frame = false;  // an Ethernet frame went through eth_type_trans (skb->dev is lo)
    bool in_dev = false, out_dev = false;  // state->in / state->out point at lo
};
struct NfHookObjects {
    uint64_t state = 0, skb = 0;  // their addresses
};
Result<NfHookObjects> lay_out_nf_hook(Memory& memory, KernelObjects& kernel, PacketBuffer& packet, const Network& net,
                                      const NfHookInput& in);

// A tracing program on a kernel function taking a struct sk_buff * (fentry/ip_rcv,
// kprobe/ip_rcv, fexit/dev_queue_xmit, pwru-style tools) gets the run's packet as that sk_buff,
// laid out as the function has it: the device layer's transmit functions see the frame from its
// Ethernet header (as a TC program does: SchedCls), every other function as the IP layers have it
// after eth_type_trans, data at the network header and the Ethernet header before it
// (mac_header; as a socket filter sees it: SocketFilter).
ProgType sk_buff_view_of(std::string_view function);

}  // namespace bpfplay
