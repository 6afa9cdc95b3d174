#include "core/run/lwt_helpers.hpp"

#include <cstring>
#include <string>

#include "core/context/contexts.hpp"
#include "core/helpers/helper_env.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/host_events.hpp"
#include "core/run/seg6_helpers.hpp"
#include "core/run/skb_ops.hpp"
#include "core/run/uapi_consts.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

using namespace skb_ops;

// enum bpf_lwt_encap_mode.
constexpr uint32_t kEncapSeg6 = 0, kEncapSeg6Inline = 1, kEncapIp = 2;
using uapi::kIpv4HeaderLen, uapi::kIpv6HeaderLen;
constexpr uint32_t kMaxHeadroom = 256;  // LWT_BPF_MAX_HEADROOM

// ip_fast_csum: the one's complement of the header's one's-complement sum.
uint16_t ip_header_checksum(const uint8_t* h, uint32_t len) {
    uint32_t sum = 0;
    for (uint32_t i = 0; i + 1 < len; i += 2) sum += uint32_t(h[i]) << 8 | h[i + 1];
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return uint16_t(~sum);
}

// bpf_lwt_push_ip_encap.
uint64_t push_ip_encap(Vm& vm, PacketBuffer& p, const uint8_t* hdr, uint32_t len) {
    if (len < kIpv4HeaderLen || len > kMaxHeadroom) return helper_errno(kEINVAL);
    const uint8_t version = hdr[0] >> 4;
    const bool ipv4 = version == 4;
    if (ipv4 ? len < uint32_t(hdr[0] & 0xf) * 4 : version != 6 || len < kIpv6HeaderLen) return helper_errno(kEINVAL);
    p.record(vm);
    if (int64_t r = net_hdr_push(vm, p, 0, len); r < 0) return uint64_t(r);
    SkbState& s = p.skb();
    s.encapsulation = true;
    s.network_header = p.geometry().data;  // skb_reset_network_header: the new outer header
    std::memcpy(p.frame() + p.geometry().data, hdr, len);
    clear_hash(p);
    set_protocol(p, ipv4 ? kEthPIp : kEthPIpv6);
    if (ipv4) {
        uint8_t* iph = p.frame() + p.geometry().data;
        if (iph[10] == 0 && iph[11] == 0) {
            const uint16_t check = ip_header_checksum(iph, uint32_t(iph[0] & 0xf) * 4);
            iph[10] = uint8_t(check >> 8);
            iph[11] = uint8_t(check);
        }
    }
    return 0;
}

uint64_t lwt_push_encap(Vm& vm, uint64_t, uint64_t type, uint64_t hdr_addr, uint64_t len_arg, uint64_t) {
    constexpr const char* kName = "bpf_lwt_push_encap";
    PacketBuffer* p = packet_of(vm);
    if (!p || !p->ctx() || p->kind() != PacketBuffer::Kind::Skb) return no_packet_hook(vm, kName);
    const uint32_t len = uint32_t(len_arg);
    const uint8_t* hdr = helper_read(vm, kName, hdr_addr, len);
    if (!hdr && len) return 0;
    const uint32_t mode = uint32_t(type);  // the kernel's u32 argument
    // lwt_in's proto takes the SRv6 modes; lwt_xmit's switch has only BPF_LWT_ENCAP_IP.
    Host* host = vm.env ? vm.env->host : nullptr;
    if ((mode == kEncapSeg6 || mode == kEncapSeg6Inline) && host && host->net.run.hook == PacketHook::LwtIn) {
        std::string what;
        const int64_t r = push_seg6_encap(vm, *p, mode == kEncapSeg6Inline, hdr, len, what);
        log_host_event(vm, *host, kName, what);
        return uint64_t(r);
    }
    if (mode != kEncapIp) return helper_errno(kEINVAL);  // the kernel's switch: any other mode
    const uint64_t r = push_ip_encap(vm, *p, hdr, len);
    if (Host* h = vm.env ? vm.env->host : nullptr)
        log_host_event(vm, *h, kName,
                       r == 0 ? "an outer IPv" + std::string((hdr[0] >> 4) == 4 ? "4" : "6") + " header of " +
                                    std::to_string(len) + " bytes is pushed in front of the packet (" +
                                    std::to_string(p->len()) + " bytes now)"
                              : "the outer header of " + std::to_string(len) +
                                    " bytes is not an IPv4 header (20 bytes or more, as its IHL says) nor an IPv6 "
                                    "one (40 or more), or is longer than 256: returns -EINVAL");
    return r;
}

constexpr HelperImpl kLwtHelperImpls[] = {
    {73, lwt_push_encap},  // bpf_lwt_push_encap
};

}  // namespace

std::span<const HelperImpl> lwt_helper_impls() { return kLwtHelperImpls; }

}  // namespace bpfplay
