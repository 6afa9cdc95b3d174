// Helpers that copy packet bytes. The packet is the run's PacketBuffer (packet_of), which the
// object session sets up for XDP and __sk_buff programs; the ctx argument is not needed to find it.
#include "core/run/packet_helpers.hpp"

#include <cstring>
#include <string>

#include "core/run/packet_buffer.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

constexpr int64_t kEfault = -14, kEinval = -22;

// The program-side buffer, or a helper fault (the verifier would have refused a bad pointer).
uint8_t* program_buffer(Vm& vm, const char* helper, uint64_t addr, uint64_t len, bool write) {
    uint8_t* p = vm.memory().helper_ptr(addr, len, write);
    if (!p && len > 0) {
        Error e = vm.memory().describe_fault(addr, uint32_t(std::min<uint64_t>(len, UINT32_MAX)),
                                             write ? Access::HelperWrite : Access::HelperRead, vm.current_pc());
        e.what = std::string(helper) + ": " + e.what;
        vm.helper_fail(std::move(e));
    }
    return p;
}

uint64_t skb_load_bytes(Vm& vm, uint64_t, uint64_t offset, uint64_t to, uint64_t len, uint64_t) {
    uint8_t* dst = program_buffer(vm, "bpf_skb_load_bytes", to, len, true);
    if (!dst) return 0;
    const PacketBuffer* p = packet_of(vm);
    // The kernel zeroes the buffer when the bytes are not there (skb_header_pointer fails).
    if (!p) {
        std::memset(dst, 0, len);
        return uint64_t(kEfault);
    }
    return uint64_t(skb_load_bytes_at(*p, offset, dst, uint32_t(len)));
}

// Offsets from the MAC or the network header (BPF_HDR_START_MAC / _NET), wherever data is:
// socket filters see the packet from the network header on, yet may read the MAC header.
uint64_t skb_load_bytes_relative(Vm& vm, uint64_t, uint64_t offset, uint64_t to, uint64_t len, uint64_t start) {
    uint8_t* dst = program_buffer(vm, "bpf_skb_load_bytes_relative", to, len, true);
    if (!dst) return 0;
    PacketBuffer* p = packet_of(vm);
    enum : uint32_t { kStartMac, kStartNet };
    const uint32_t header = !p                            ? skb_buff::kUnset
                            : uint32_t(start) == kStartMac ? p->skb().mac_header
                            : uint32_t(start) == kStartNet ? p->skb().network_header
                                                           : skb_buff::kUnset;
    if (offset > 0xffff || header == skb_buff::kUnset || uint64_t(header) + offset + len > p->geometry().end) {
        std::memset(dst, 0, len);
        return uint64_t(kEfault);
    }
    std::memcpy(dst, p->frame() + header + offset, len);
    return 0;
}

uint64_t xdp_get_buff_len(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    const PacketBuffer* p = packet_of(vm);
    return p ? p->total_len() : 0;
}

uint64_t xdp_load_bytes(Vm& vm, uint64_t, uint64_t offset, uint64_t buf, uint64_t len, uint64_t) {
    uint8_t* dst = program_buffer(vm, "bpf_xdp_load_bytes", buf, len, true);
    if (!dst) return 0;
    const PacketBuffer* p = packet_of(vm);
    if (!p) return uint64_t(kEinval);
    return uint64_t(xdp_load_bytes_at(*p, offset, dst, len));
}

uint64_t xdp_store_bytes(Vm& vm, uint64_t, uint64_t offset, uint64_t buf, uint64_t len, uint64_t) {
    const uint8_t* src = program_buffer(vm, "bpf_xdp_store_bytes", buf, len, false);
    if (!src) return 0;
    PacketBuffer* p = packet_of(vm);
    if (!p) return uint64_t(kEinval);
    return uint64_t(xdp_store_bytes_at(vm, *p, offset, src, len));
}

constexpr HelperImpl kImpls[] = {
    {26, skb_load_bytes},  // bpf_skb_load_bytes
    {68, skb_load_bytes_relative},  // bpf_skb_load_bytes_relative
    {188, xdp_get_buff_len},  // bpf_xdp_get_buff_len
    {189, xdp_load_bytes},  // bpf_xdp_load_bytes
    {190, xdp_store_bytes},  // bpf_xdp_store_bytes
};

}  // namespace

int64_t skb_load_bytes_at(const PacketBuffer& p, uint64_t offset, uint8_t* to, uint32_t len) {
    if (offset > 0xffff || len > p.len() || offset > p.len() - len) {
        std::memset(to, 0, len);
        return kEfault;
    }
    p.copy_out(uint32_t(offset), to, len);
    return 0;
}

int64_t xdp_range_error(const PacketBuffer& p, uint64_t offset, uint64_t len) {
    if (offset > 0xffff || len > 0xffff) return kEfault;
    if (offset + len > p.total_len()) return kEinval;
    return 0;
}

int64_t xdp_load_bytes_at(const PacketBuffer& p, uint64_t offset, uint8_t* buf, uint64_t len) {
    if (int64_t err = xdp_range_error(p, offset, len)) return err;
    p.copy_out(uint32_t(offset), buf, uint32_t(len));
    return 0;
}

int64_t xdp_store_bytes_at(Vm& vm, PacketBuffer& p, uint64_t offset, const uint8_t* src, uint64_t len) {
    if (int64_t err = xdp_range_error(p, offset, len)) return err;
    // Linear bytes are saved for undo like any write; fragments with the buffer's state.
    const uint32_t linear = p.len();
    if (offset < linear)
        p.save_bytes(vm, p.geometry().data + uint32_t(offset), uint32_t(std::min<uint64_t>(len, linear - offset)));
    if (offset + len > linear) p.record(vm);
    p.copy_in(uint32_t(offset), src, uint32_t(len));
    return 0;
}

std::span<const HelperImpl> packet_helper_impls() { return kImpls; }

}  // namespace bpfplay
