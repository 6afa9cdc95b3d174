// Helpers that copy packet bytes. The packet is the region at window::kPacket, which the
// object session maps for XDP and __sk_buff programs; the ctx argument is not needed to find it.
#include "core/run/packet_helpers.hpp"

#include <cstring>
#include <string>

#include "core/vm.hpp"

namespace bpfplay {

namespace {

constexpr int64_t kEfault = -14, kEinval = -22;

const Region& packet(const Vm& vm) { return vm.memory().region(window::kPacket); }

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

bool in_packet(const Vm& vm, uint64_t offset, uint64_t len) {
    const Region& p = packet(vm);
    return p.kind == RegionKind::Packet && len <= p.size && offset <= p.size - len;
}

uint64_t skb_load_bytes(Vm& vm, uint64_t, uint64_t offset, uint64_t to, uint64_t len, uint64_t) {
    uint8_t* dst = program_buffer(vm, "bpf_skb_load_bytes", to, len, true);
    if (!dst) return 0;
    // The kernel zeroes the buffer when the bytes are not there (skb_header_pointer fails).
    if (offset > 0xffff || !in_packet(vm, offset, len)) {
        std::memset(dst, 0, len);
        return uint64_t(kEfault);
    }
    std::memcpy(dst, packet(vm).host + offset, len);
    return 0;
}

uint64_t xdp_get_buff_len(Vm& vm, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return packet(vm).size; }

uint64_t xdp_load_bytes(Vm& vm, uint64_t, uint64_t offset, uint64_t buf, uint64_t len, uint64_t) {
    uint8_t* dst = program_buffer(vm, "bpf_xdp_load_bytes", buf, len, true);
    if (!dst) return 0;
    if (!in_packet(vm, offset, len)) return uint64_t(kEinval);
    std::memcpy(dst, packet(vm).host + offset, len);
    return 0;
}

uint64_t xdp_store_bytes(Vm& vm, uint64_t, uint64_t offset, uint64_t buf, uint64_t len, uint64_t) {
    const uint8_t* src = program_buffer(vm, "bpf_xdp_store_bytes", buf, len, false);
    if (!src) return 0;
    if (!in_packet(vm, offset, len)) return uint64_t(kEinval);
    std::memmove(packet(vm).host + offset, src, len);
    return 0;
}

constexpr HelperImpl kImpls[] = {
    {26, skb_load_bytes},  // bpf_skb_load_bytes
    {188, xdp_get_buff_len},  // bpf_xdp_get_buff_len
    {189, xdp_load_bytes},  // bpf_xdp_load_bytes
    {190, xdp_store_bytes},  // bpf_xdp_store_bytes
};

}  // namespace

std::span<const HelperImpl> packet_helper_impls() { return kImpls; }

}  // namespace bpfplay
