#include "core/run/mtu_helpers.hpp"

#include <cstring>

#include "core/context/contexts.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/maps/map_abi.hpp"
#include "core/run/packet_buffer.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

constexpr const char* kCheckMtuName = "bpf_check_mtu";
constexpr uint64_t kMtuChkSegs = 1;       // BPF_MTU_CHK_SEGS
constexpr uint64_t kRetFragNeeded = 1;    // BPF_MTU_CHK_RET_FRAG_NEEDED
// dev->hard_header_len of every device the host models (Ethernet and loopback: ETH_HLEN).
constexpr int64_t kHardHeaderLen = 14;

// net/core/filter.c's bpf_skb_check_mtu and bpf_xdp_check_mtu. The device is the packet's
// (ifindex 0: skb->dev, xdp->rxq->dev) or the one named; its MTU is an L3 size, so the L2
// header is added before comparing with the packet's length (or with *mtu_len + the header,
// when the program passes an L3 length in). *mtu_len receives the MTU unless the flags or the
// device are refused. A test run's skb is never GSO, so BPF_MTU_CHK_SEGS has nothing to check.
uint64_t check_mtu(Vm& vm, uint64_t, uint64_t ifindex, uint64_t mtu_len_ptr, uint64_t len_diff, uint64_t flags) {
    PacketBuffer* p = packet_of(vm);
    if (!p || !p->ctx()) return no_packet_hook(vm, kCheckMtuName);
    Host* host = host_for(vm, kCheckMtuName);
    if (!host) return 0;
    uint8_t* mtu_len = vm.memory().helper_ptr(mtu_len_ptr, 4, /*write=*/true);
    if (!mtu_len) {
        fail_helper_access(vm, kCheckMtuName, mtu_len_ptr, 4, Access::HelperWrite);
        return 0;
    }
    uint32_t in_len = 0;
    std::memcpy(&in_len, mtu_len, 4);
    const bool xdp = p->kind() == PacketBuffer::Kind::Xdp;
    if (xdp ? flags != 0 : (flags & ~kMtuChkSegs) != 0) return helper_errno(kEINVAL);
    const auto diff = int32_t(uint32_t(len_diff));
    if (!xdp && (flags & kMtuChkSegs) && (diff != 0 || in_len != 0)) return helper_errno(kEINVAL);

    const uint32_t own = p->ctx()->get_u32(xdp ? xdp_md::kIngressIfindex : sk_buff::kIfindex);
    const NetDevice* dev = host->net.device(uint32_t(ifindex) != 0 ? uint32_t(ifindex) : own);
    if (!dev) return helper_errno(kerrno::kENODEV);

    // The kernel computes in int: an MTU is far below 2^31, and len_diff may be negative.
    const int64_t mtu = int32_t(dev->mtu);
    const int64_t dev_len = mtu + kHardHeaderLen;
    int64_t pkt_len = in_len != 0 ? int64_t(int32_t(in_len)) + kHardHeaderLen
                                  : int64_t(xdp ? p->len() : p->ctx()->get_u32(sk_buff::kLen));
    pkt_len = int32_t(pkt_len + diff);
    const uint64_t ret = pkt_len > dev_len ? kRetFragNeeded : 0;
    const auto out = uint32_t(mtu);
    std::memcpy(mtu_len, &out, 4);
    return ret;
}

constexpr HelperImpl kMtuHelperImpls[] = {
    {163, check_mtu},  // bpf_check_mtu
};

}  // namespace

std::span<const HelperImpl> mtu_helper_impls() { return kMtuHelperImpls; }

}  // namespace bpfplay
