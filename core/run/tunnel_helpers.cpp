#include "core/run/tunnel_helpers.hpp"

#include <cstring>

#include "core/context/contexts.hpp"
#include "core/hex.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
#include "core/host/host_events.hpp"
#include "core/maps/map_abi.hpp"
#include "core/run/packet_buffer.hpp"
#include "core/run/uapi_consts.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {


// struct bpf_tunnel_key (uapi/linux/bpf.h): its offsets, and the sizes of its older layouts the
// helpers still take (offsetof remote_ipv6[1], tunnel_ext, tunnel_label, local_ipv6[0]).
namespace tunnel_key {
constexpr uint32_t kTunnelId = 0, kRemote = 4, kTos = 20, kTtl = 21, kFlags = 22, kLabel = 24, kLocal = 28,
                   kSize = 44;
constexpr uint32_t kSizeIpv4Only = 8, kSizeNoExt = 22, kSizeNoLabel = 24, kSizeNoLocal = 28;
}  // namespace tunnel_key

// bpf_skb_get/set_tunnel_key flags.
constexpr uint64_t kTuninfoIpv6 = 1 << 0, kZeroCsumTx = 1 << 1, kDontFragment = 1 << 2, kSeqNumber = 1 << 3,
                   kNoTunnelKey = 1 << 4, kTuninfoFlags = 1 << 4;

// struct bpf_xfrm_state: reqid, spi, family, ext, remote address.
constexpr uint32_t kXfrmStateSize = 28;

// enum bpf_tstamp_type (6.11+): REALTIME 0 (was UNSPEC), MONOTONIC 1 (was DELIVERY_MONO), TAI 2.
using uapi::kClockRealtime, uapi::kClockMonotonic, uapi::kClockTai;

void put_u32(uint8_t* at, uint32_t v) { std::memcpy(at, &v, 4); }
uint32_t get_u32(const uint8_t* at) {
    uint32_t v;
    std::memcpy(&v, at, 4);
    return v;
}
uint32_t be32_bytes(const uint8_t* b) {  // be32_to_cpu of the bytes b[0..3]
    return uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3];
}
void put_be32_bytes(uint8_t* b, uint32_t v) {  // cpu_to_be32 into b[0..3]
    b[0] = uint8_t(v >> 24), b[1] = uint8_t(v >> 16), b[2] = uint8_t(v >> 8), b[3] = uint8_t(v);
}

// The helper's output buffer (ARG_PTR_TO_UNINIT_MEM): nullptr after stopping the run when it
// is not writable memory (the kernel's verifier refuses such a call).
uint8_t* out_buffer(Vm& vm, const char* helper, uint64_t addr, uint64_t size) {
    uint8_t* p = vm.memory().helper_ptr(addr, size, /*write=*/true);
    if (!p && size) fail_helper_access(vm, helper, addr, size, Access::HelperWrite);
    return p;
}

Host* skb_host(Vm& vm, const char* helper) {
    PacketBuffer* p = packet_of(vm);
    if (!p || p->kind() != PacketBuffer::Kind::Skb) {
        no_packet_hook(vm, helper);
        return nullptr;
    }
    return host_for(vm, helper);
}

uint64_t skb_get_tunnel_key(Vm& vm, uint64_t, uint64_t to_addr, uint64_t size_arg, uint64_t flags, uint64_t) {
    constexpr const char* kName = "bpf_skb_get_tunnel_key";
    namespace k = tunnel_key;
    Host* h = skb_host(vm, kName);
    if (!h) return 0;
    const uint32_t size = uint32_t(size_arg);
    uint8_t* to = out_buffer(vm, kName, to_addr, size);
    if (!to && size) return 0;
    auto clear = [&](int64_t err, const std::string& why) {
        if (size) std::memset(to, 0, size);
        log_host_event(vm, *h, kName, why + ": the key is zeroed and it returns " + (err == kerrno::kEPROTO ? "-EPROTO" : "-EINVAL"));
        return helper_errno(err);
    };
    const TunnelInfo* info = h->net.skb_tunnel();
    if (!info)
        return clear(kEINVAL, "the packet carries no tunnel metadata (it did not arrive through a collect_md tunnel "
                              "device: the host's \"rx_tunnel\" is null)");
    if (flags & ~(kTuninfoIpv6 | kTuninfoFlags))
        return clear(kEINVAL, "flags " + hex(flags) + " has bits other than BPF_F_TUNINFO_IPV6 and BPF_F_TUNINFO_FLAGS");
    const bool want_ipv6 = flags & kTuninfoIpv6;
    if (info->ipv6 != want_ipv6)
        return clear(kerrno::kEPROTO, std::string("the tunnel is IPv") + (info->ipv6 ? "6" : "4") + " but the flags ask for IPv" +
                                  (want_ipv6 ? "6" : "4") + (info->ipv6 ? " (pass BPF_F_TUNINFO_IPV6)" : ""));
    switch (size) {
    case k::kSize:
    case k::kSizeNoLocal:
    case k::kSizeNoLabel:
    case k::kSizeNoExt: break;
    case k::kSizeIpv4Only:
        if (info->ipv6) return clear(kEINVAL, "size 8 (the oldest layout) holds IPv4 addresses only");
        break;
    default:
        return clear(kEINVAL, "size " + std::to_string(size) +
                                  " is not sizeof(struct bpf_tunnel_key) (44) nor one of its older layouts (8, 22, 24, 28)");
    }
    uint8_t key[k::kSize] = {};
    put_u32(key + k::kTunnelId, uint32_t(info->id));  // tunnel_id is a __u32: the tun_id's low 32 bits
    key[k::kTos] = info->tos;
    key[k::kTtl] = info->ttl;
    if (flags & kTuninfoFlags) {  // __be16 tunnel_flags
        key[k::kFlags] = uint8_t(info->flags >> 8);
        key[k::kFlags + 1] = uint8_t(info->flags);
    }
    // The remote end of a received packet is the outer source, the local end its destination.
    if (info->ipv6) {
        std::memcpy(key + k::kRemote, info->src.data(), 16);
        std::memcpy(key + k::kLocal, info->dst.data(), 16);
        put_u32(key + k::kLabel, info->label);
    } else {
        put_u32(key + k::kRemote, be32_bytes(info->src.data()));
        put_u32(key + k::kLocal, be32_bytes(info->dst.data()));
    }
    if (size) std::memcpy(to, key, size);
    return 0;
}

uint64_t skb_set_tunnel_key(Vm& vm, uint64_t, uint64_t from_addr, uint64_t size_arg, uint64_t flags, uint64_t) {
    constexpr const char* kName = "bpf_skb_set_tunnel_key";
    namespace k = tunnel_key;
    Host* h = skb_host(vm, kName);
    if (!h) return 0;
    const uint32_t size = uint32_t(size_arg);
    const uint8_t* from = helper_read(vm, kName, from_addr, size);
    if (!from && size) return 0;
    auto refuse = [&](const std::string& why) {
        log_host_event(vm, *h, kName, why + ": returns -EINVAL");
        return helper_errno(kEINVAL);
    };
    if (flags & ~(kTuninfoIpv6 | kZeroCsumTx | kDontFragment | kSeqNumber | kNoTunnelKey))
        return refuse("flags " + hex(flags) +
                      " has bits other than BPF_F_TUNINFO_IPV6, BPF_F_ZERO_CSUM_TX, BPF_F_DONT_FRAGMENT, "
                      "BPF_F_SEQ_NUMBER and BPF_F_NO_TUNNEL_KEY");
    switch (size) {
    case k::kSize:
    case k::kSizeNoLocal:
    case k::kSizeNoLabel:
    case k::kSizeNoExt:
    case k::kSizeIpv4Only: break;
    default:
        return refuse("size " + std::to_string(size) +
                      " is not sizeof(struct bpf_tunnel_key) (44) nor one of its older layouts (8, 22, 24, 28)");
    }
    uint8_t key[k::kSize] = {};  // an older layout's missing fields read as zero
    if (size) std::memcpy(key, from, size);
    const bool ipv6 = flags & kTuninfoIpv6;
    const uint32_t label = get_u32(key + k::kLabel);
    if (!ipv6 && label) return refuse("tunnel_label " + hex(label) + " is set but the tunnel is IPv4 (no BPF_F_TUNINFO_IPV6)");
    if (key[k::kFlags] || key[k::kFlags + 1]) return refuse("tunnel_ext (tunnel_flags) is not 0");

    TunnelInfo info;
    info.tx = true;
    info.ipv6 = ipv6;
    info.flags = kTunnelKey | kTunnelCsum | kTunnelNocache;
    if (flags & kDontFragment) info.flags |= kTunnelDontFragment;
    if (flags & kZeroCsumTx) info.flags &= uint16_t(~kTunnelCsum);
    if (flags & kSeqNumber) info.flags |= kTunnelSeq;
    if (flags & kNoTunnelKey) info.flags &= uint16_t(~kTunnelKey);
    info.id = get_u32(key + k::kTunnelId);
    info.tos = key[k::kTos];
    info.ttl = key[k::kTtl];
    // Sent out: the remote end is the outer destination.
    if (ipv6) {
        std::memcpy(info.dst.data(), key + k::kRemote, 16);
        std::memcpy(info.src.data(), key + k::kLocal, 16);
        info.label = label & 0xfffff;  // IPV6_FLOWLABEL_MASK
    } else {
        put_be32_bytes(info.dst.data(), get_u32(key + k::kRemote));
        put_be32_bytes(info.src.data(), get_u32(key + k::kLocal));
    }
    log_host_event(vm, *h, kName,
                   "the skb now carries tunnel metadata for sending (" + describe_tunnel(info) +
                       "): a collect_md tunnel device (gre, vxlan, geneve in external mode) the packet is sent to "
                       "encapsulates it with these outer headers");
    h->net.run.tx_tunnel = std::move(info);
    return 0;
}

uint64_t skb_get_tunnel_opt(Vm& vm, uint64_t, uint64_t to_addr, uint64_t size_arg, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_skb_get_tunnel_opt";
    Host* h = skb_host(vm, kName);
    if (!h) return 0;
    const uint32_t size = uint32_t(size_arg);
    uint8_t* to = out_buffer(vm, kName, to_addr, size);
    if (!to && size) return 0;
    if (size) std::memset(to, 0, size);
    const TunnelInfo* info = h->net.skb_tunnel();
    if (!info || !(info->flags & kTunnelOptionsPresent)) {
        log_host_event(vm, *h, kName,
                       std::string(info ? "the packet's tunnel metadata has no options (no TUNNEL_*_OPT flag)"
                                        : "the packet carries no tunnel metadata") +
                           ": returns -ENOENT");
        return helper_errno(kerrno::kENOENT);
    }
    if (size < info->options.size()) {
        log_host_event(vm, *h, kName,
                       "the tunnel has " + std::to_string(info->options.size()) + " bytes of options, more than the " +
                           std::to_string(size) + " given: returns -ENOMEM");
        return helper_errno(kerrno::kENOMEM);
    }
    if (!info->options.empty()) std::memcpy(to, info->options.data(), info->options.size());
    return info->options.size();
}

uint64_t skb_set_tunnel_opt(Vm& vm, uint64_t, uint64_t from_addr, uint64_t size_arg, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_skb_set_tunnel_opt";
    Host* h = skb_host(vm, kName);
    if (!h) return 0;
    const uint32_t size = uint32_t(size_arg);
    const uint8_t* from = helper_read(vm, kName, from_addr, size);
    if (!from && size) return 0;
    std::optional<TunnelInfo>& tx = h->net.run.tx_tunnel;
    if (!tx || size % 4) {
        log_host_event(vm, *h, kName,
                       std::string(!tx ? "the skb has no tunnel metadata of the program's own (call "
                                         "bpf_skb_set_tunnel_key first)"
                                       : "size " + std::to_string(size) + " is not a multiple of 4") +
                           ": returns -EINVAL");
        return helper_errno(kEINVAL);
    }
    if (size > kTunnelOptsMax) {
        log_host_event(vm, *h, kName,
                       "size " + std::to_string(size) + " is more than the 255 bytes of options a tunnel holds: returns -ENOMEM");
        return helper_errno(kerrno::kENOMEM);
    }
    tx->options.assign(from, from + size);
    if (size) tx->flags |= kTunnelOptionsPresent;  // ip_tunnel_info_opts_set: every kind, the device picks its own
    log_host_event(vm, *h, kName, "the skb's tunnel metadata now carries " + std::to_string(size) + " bytes of options");
    return 0;
}

uint64_t skb_get_xfrm_state(Vm& vm, uint64_t, uint64_t index, uint64_t to_addr, uint64_t size_arg, uint64_t flags) {
    constexpr const char* kName = "bpf_skb_get_xfrm_state";
    Host* h = skb_host(vm, kName);
    if (!h) return 0;
    const uint32_t size = uint32_t(size_arg);
    uint8_t* to = out_buffer(vm, kName, to_addr, size);
    if (!to && size) return 0;
    if (size) std::memset(to, 0, size);
    const std::vector<XfrmState>& sp = h->net.rx_sec_path;
    std::string why;
    if (sp.empty())
        why = "the packet has no IPsec security path (the host's \"rx_sec_path\" is empty)";
    else if (uint32_t(index) >= sp.size())
        why = "index " + std::to_string(uint32_t(index)) + " is past the security path's " + std::to_string(sp.size()) +
              " state(s)";
    else if (flags)
        why = "flags must be 0";
    else if (size != kXfrmStateSize)
        why = "size " + std::to_string(size) + " is not sizeof(struct bpf_xfrm_state) (28)";
    if (!why.empty()) {
        log_host_event(vm, *h, kName, why + ": the state is zeroed and it returns -EINVAL");
        return helper_errno(kEINVAL);
    }
    const XfrmState& x = sp[uint32_t(index)];
    put_u32(to + 0, x.reqid);
    put_be32_bytes(to + 4, x.spi);  // x->id.spi is a __be32
    const uint16_t family = uint16_t(x.family);
    std::memcpy(to + 8, &family, 2);
    std::memcpy(to + 12, x.remote.data(), x.family == kAfInet6 ? 16 : 4);
    return 0;
}

uint64_t skb_set_tstamp(Vm& vm, uint64_t, uint64_t tstamp, uint64_t type_arg, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_skb_set_tstamp";
    PacketBuffer* p = packet_of(vm);
    if (!p || !p->ctx() || p->kind() != PacketBuffer::Kind::Skb) return no_packet_hook(vm, kName);
    FieldContext& c = *p->ctx();
    const uint32_t proto = c.get_u32(sk_buff::kProtocol);
    if (proto != 0x0008 && proto != 0xdd86) return helper_errno(kerrno::kEOPNOTSUPP);  // only htons(ETH_P_IP / _IPV6)
    const uint32_t type = uint32_t(type_arg);
    // MONOTONIC and TAI need a time; REALTIME takes any (0 clears it); nothing else exists.
    if ((type != kClockRealtime && type != kClockMonotonic && type != kClockTai) ||
        (type != kClockRealtime && tstamp == 0))
        return helper_errno(kEINVAL);
    p->record(vm);
    std::memcpy(c.bytes().data() + sk_buff::kTstamp, &tstamp, 8);
    c.bytes()[sk_buff::kTstampType] = uint8_t(type);
    return 0;
}

constexpr HelperImpl kTunnelHelperImpls[] = {
    {20, skb_get_tunnel_key},   // bpf_skb_get_tunnel_key
    {21, skb_set_tunnel_key},   // bpf_skb_set_tunnel_key
    {29, skb_get_tunnel_opt},   // bpf_skb_get_tunnel_opt
    {30, skb_set_tunnel_opt},   // bpf_skb_set_tunnel_opt
    {66, skb_get_xfrm_state},   // bpf_skb_get_xfrm_state
    {192, skb_set_tstamp},      // bpf_skb_set_tstamp
};

}  // namespace

std::span<const HelperImpl> tunnel_helper_impls() { return kTunnelHelperImpls; }

}  // namespace bpfplay
