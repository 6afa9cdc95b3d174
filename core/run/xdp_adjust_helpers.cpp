#include "core/run/xdp_adjust_helpers.hpp"

#include <algorithm>
#include <cstring>

#include "core/host/helper_support.hpp"
#include "core/maps/map_abi.hpp"
#include "core/run/packet_buffer.hpp"
#include "core/run/uapi_consts.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

using uapi::kEthHeaderLen;

// xdp_metalen_invalid: the metadata length is a u8 in skb_shared_info, in 4-byte units.
bool metalen_invalid(int64_t metalen) { return (metalen & 3) != 0 || metalen > 255; }

uint64_t xdp_adjust_head(Vm& vm, uint64_t, uint64_t offset_arg, uint64_t, uint64_t, uint64_t) {
    PacketBuffer* p = packet_of(vm);
    if (!p) return no_packet_hook(vm, "bpf_xdp_adjust_head");
    const int64_t offset = int32_t(uint32_t(offset_arg));
    const PacketGeometry g = p->geometry();
    const int64_t metalen = int64_t(g.data) - g.meta;
    const int64_t data = int64_t(g.data) + offset;
    // The struct xdp_frame the kernel may build at the page's start, then the metadata, stay
    // before data; an Ethernet header's worth stays after it.
    if (data < int64_t(xdp_buff::kFrameStruct) + metalen || data > int64_t(g.end) - kEthHeaderLen)
        return helper_errno(kEINVAL);
    p->record(vm);
    const uint32_t meta = uint32_t(int64_t(g.meta) + offset);
    if (metalen) {
        p->save_bytes(vm, meta, uint32_t(metalen));
        std::memmove(p->frame() + meta, p->frame() + g.meta, size_t(metalen));
    }
    p->set_geometry({meta, uint32_t(data), g.end});
    return 0;
}

uint64_t xdp_adjust_meta(Vm& vm, uint64_t, uint64_t offset_arg, uint64_t, uint64_t, uint64_t) {
    PacketBuffer* p = packet_of(vm);
    if (!p) return no_packet_hook(vm, "bpf_xdp_adjust_meta");
    const int64_t offset = int32_t(uint32_t(offset_arg));
    const PacketGeometry g = p->geometry();
    const int64_t meta = int64_t(g.meta) + offset;
    if (meta < int64_t(xdp_buff::kFrameStruct) || meta > int64_t(g.data)) return helper_errno(kEINVAL);
    if (metalen_invalid(int64_t(g.data) - meta)) return helper_errno(kerrno::kEACCES);
    p->record(vm);
    // The bytes that become metadata are whatever the headroom holds (zeros, or old headers
    // after bpf_xdp_adjust_head), as in the kernel.
    p->set_geometry({uint32_t(meta), g.data, g.end});
    return 0;
}

// bpf_xdp_frags_shrink_tail / bpf_xdp_frags_increase_tail: a multi-buffer packet's tail is in
// its last fragment; shrinking releases whole fragments from the end, then the linear part.
uint64_t adjust_frags_tail(Vm& vm, PacketBuffer& p, int64_t offset) {
    auto& frags = p.frags();
    if (offset >= 0) {
        std::vector<uint8_t>& last = frags.back();
        if (offset > int64_t(xdp_buff::kFragSize) - int64_t(last.size())) return helper_errno(kEINVAL);
        p.record(vm);
        last.resize(last.size() + size_t(offset), 0);
        return 0;
    }
    int64_t shrink = -offset;
    if (shrink > int64_t(p.total_len()) - kEthHeaderLen) return helper_errno(kEINVAL);
    p.record(vm);
    while (!frags.empty() && shrink > 0) {
        std::vector<uint8_t>& last = frags.back();
        const int64_t n = std::min<int64_t>(shrink, int64_t(last.size()));
        shrink -= n;
        if (n == int64_t(last.size())) {
            frags.pop_back();
        } else {
            last.resize(last.size() - size_t(n));
            break;
        }
    }
    if (frags.empty() && shrink > 0) {
        PacketGeometry g = p.geometry();
        g.end -= uint32_t(shrink);
        p.set_geometry(g);
    }
    return 0;
}

uint64_t xdp_adjust_tail(Vm& vm, uint64_t, uint64_t offset_arg, uint64_t, uint64_t, uint64_t) {
    PacketBuffer* p = packet_of(vm);
    if (!p) return no_packet_hook(vm, "bpf_xdp_adjust_tail");
    const int64_t offset = int32_t(uint32_t(offset_arg));
    if (!p->frags().empty()) return adjust_frags_tail(vm, *p, offset);
    const PacketGeometry g = p->geometry();
    const int64_t end = int64_t(g.end) + offset;
    // The page's last 320 bytes are reserved for struct skb_shared_info.
    if (end > int64_t(xdp_buff::kHardEnd) || end < int64_t(g.data) + kEthHeaderLen) return helper_errno(kEINVAL);
    p->record(vm);
    if (offset > 0) {
        // The kernel clears the grown bytes: they may hold old kernel memory.
        p->save_bytes(vm, g.end, uint32_t(offset));
        std::memset(p->frame() + g.end, 0, size_t(offset));
    }
    p->set_geometry({g.meta, g.data, uint32_t(end)});
    return 0;
}

constexpr HelperImpl kXdpAdjustHelperImpls[] = {
    {44, xdp_adjust_head},  // bpf_xdp_adjust_head
    {54, xdp_adjust_meta},  // bpf_xdp_adjust_meta
    {65, xdp_adjust_tail},  // bpf_xdp_adjust_tail
};

}  // namespace

std::span<const HelperImpl> xdp_adjust_helper_impls() { return kXdpAdjustHelperImpls; }

}  // namespace bpfplay
