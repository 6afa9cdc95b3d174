#include "core/run/seg6_helpers.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <optional>
#include <string>

#include "core/helpers/helper_env.hpp"
#include "core/host/helper_support.hpp"
#include "core/host/host_events.hpp"
#include "core/maps/map_abi.hpp"
#include "core/run/fib_helpers.hpp"
#include "core/run/skb_ops.hpp"
#include "core/run/uapi_consts.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

using uapi::kIpv6HeaderLen;

// IPv6 next-header values (include/net/ipv6.h NEXTHDR_*).
constexpr uint8_t kSeg6NhHop = 0, kSeg6NhIpv6 = 41, kSeg6NhRouting = 43, kSeg6NhFragment = 44, kSeg6NhAuth = 51,
                  kSeg6NhNone = 59, kSeg6NhDest = 60;
// struct ipv6_sr_hdr: nexthdr, hdrlen (8-byte units past the first 8), type (4 for an SRH),
// segments_left, first_segment (the last entry's index), flags, tag, then the segments.
namespace srh {
constexpr uint32_t kNexthdr = 0, kHdrlen = 1, kType = 2, kSegmentsLeft = 3, kFirstSegment = 4, kFlags = 5,
                   kSegments = 8, kSize = 8;
constexpr uint8_t kTypeSrh = 4;  // IPV6_SRCRT_TYPE_4
}  // namespace srh
constexpr uint32_t kSeg6DaddrOff = 24, kSeg6PayloadLenOff = 4;  // in struct ipv6hdr
constexpr uint32_t kSeg6RtMain = 254, kSeg6RtLocal = 255;        // RT_TABLE_MAIN / RT_TABLE_LOCAL
// enum seg6_local_action_attr values the helper takes.
constexpr uint32_t kSeg6EndX = 2, kSeg6EndT = 3, kSeg6EndDt6 = 7, kSeg6EndB6 = 9, kSeg6EndB6Encap = 10;
// The lwt_seg6local program's return values (enum bpf_ret_code).
constexpr uint64_t kSeg6BpfOk = 0, kSeg6BpfDrop = 2, kSeg6BpfRedirect = 7;

Seg6SrhState& seg6_state(Vm& vm) { return vm.env->host->net.run.seg6; }

std::string seg6_addr_text(const uint8_t* a) {
    Ipv6 v{};
    std::memcpy(v.data(), a, 16);
    return inet_address_text(v, true);
}

// seg6_validate_srh(srh, len, reduced) over `len` bytes at `s`.
bool seg6_validate(const uint8_t* s, int64_t len, bool reduced) {
    if (len < srh::kSize || s[srh::kType] != srh::kTypeSrh) return false;
    if ((int64_t(s[srh::kHdrlen]) + 1) * 8 != len) return false;
    if (!reduced && s[srh::kSegmentsLeft] > s[srh::kFirstSegment]) return false;
    if (s[srh::kFirstSegment] > s[srh::kHdrlen] / 2 - 1) return false;
    if (s[srh::kSegmentsLeft] > s[srh::kFirstSegment] + 1) return false;
    int64_t tlv = srh::kSize + (int64_t(s[srh::kFirstSegment]) + 1) * 16;
    int64_t trailing = len - tlv;
    if (trailing < 0) return false;
    while (trailing) {  // struct sr6_tlv: type, len, then len bytes
        if (trailing < 2) return false;
        const int64_t tlv_len = 2 + s[tlv + 1];
        trailing -= tlv_len;
        if (trailing < 0) return false;
        tlv += tlv_len;
    }
    return true;
}

// ipv6_find_hdr from the network header: the offset (from data) of the first header of type
// `target` and its type, or -ENOENT / -EBADMSG. `skip_rh` (IP6_FH_F_SKIP_RH) passes over routing
// headers with no segments left.
int64_t seg6_find_hdr(const PacketBuffer& p, uint32_t& offset, uint8_t target, bool skip_rh) {
    const int64_t net = skb_ops::network_offset(p);
    const std::span<const uint8_t> d = p.data();
    if (net < 0 || net + int64_t(kIpv6HeaderLen) > int64_t(d.size())) return -kerrno::kEBADMSG;
    uint8_t nexthdr = d[size_t(net) + 6];
    uint64_t start = uint64_t(net) + kIpv6HeaderLen;
    for (;;) {
        bool found = nexthdr == target;
        const bool ext = nexthdr == kSeg6NhHop || nexthdr == kSeg6NhRouting || nexthdr == kSeg6NhFragment ||
                         nexthdr == kSeg6NhAuth || nexthdr == kSeg6NhNone || nexthdr == kSeg6NhDest;
        if (!ext || nexthdr == kSeg6NhNone) {
            if (found) break;
            return -kerrno::kENOENT;
        }
        if (start + 2 > d.size()) return -kerrno::kEBADMSG;
        if (nexthdr == kSeg6NhRouting) {
            if (start + 4 > d.size()) return -kerrno::kEBADMSG;
            if (skip_rh && d[start + 3] == 0) found = false;
        }
        uint64_t len = (uint64_t(d[start + 1]) + 1) * 8;
        if (nexthdr == kSeg6NhFragment) {
            if (start + 4 > d.size()) return -kerrno::kEBADMSG;
            if (((d[start + 2] << 8 | d[start + 3]) & ~7) != 0) {  // a later fragment
                if (!found) return -kerrno::kENOENT;
                break;
            }
            len = 8;
        } else if (nexthdr == kSeg6NhAuth) {
            len = (uint64_t(d[start + 1]) + 2) * 4;
        }
        if (found) break;
        nexthdr = d[start];
        start += len;
    }
    offset = uint32_t(start);
    return nexthdr;
}

// seg6_get_srh(skb, IP6_FH_F_SKIP_RH): the offset of a valid SRH with segments left.
std::optional<uint32_t> seg6_get_srh(const PacketBuffer& p) {
    uint32_t off = 0;
    if (seg6_find_hdr(p, off, kSeg6NhRouting, true) < 0) return std::nullopt;
    const std::span<const uint8_t> d = p.data();
    if (uint64_t(off) + srh::kSize > d.size()) return std::nullopt;
    const uint32_t len = (uint32_t(d[off + srh::kHdrlen]) + 1) * 8;
    if (uint64_t(off) + len > d.size()) return std::nullopt;
    if (!seg6_validate(d.data() + off, len, true)) return std::nullopt;
    return off;
}

// bpf_update_srh_state: the state follows the packet's (new) first routing header.
void seg6_update_state(const PacketBuffer& p, Seg6SrhState& st) {
    uint32_t off = 0;
    if (seg6_find_hdr(p, off, kSeg6NhRouting, false) < 0 || off + srh::kSize > p.len()) {
        st.srh = false;
        return;
    }
    st.srh = true;
    st.off = off;
    st.hdrlen = uint16_t(p.data()[off + srh::kHdrlen] << 3);
    st.valid = true;
}

// The SRH's bytes as seg6_bpf_has_valid_srh would validate them: a copy with hdrlen set from
// the state's length. Empty when hdrlen is not a multiple of 8 or the SRH would not fit in the
// packet (the kernel would read past it).
std::vector<uint8_t> seg6_srh_as_validated(const PacketBuffer& p, const Seg6SrhState& st) {
    if (st.hdrlen & 7) return {};
    const uint32_t len = (uint32_t(uint8_t(st.hdrlen >> 3)) + 1) * 8;
    if (uint64_t(st.off) + len > p.len()) return {};
    std::vector<uint8_t> s(p.data().begin() + st.off, p.data().begin() + st.off + len);
    s[srh::kHdrlen] = uint8_t(st.hdrlen >> 3);
    return s;
}

// seg6_bpf_has_valid_srh: an SRH changed by the helpers gets its hdrlen from the state, then
// must pass seg6_validate_srh (reduced).
bool seg6_has_valid_srh(Vm& vm, PacketBuffer& p, Seg6SrhState& st) {
    if (!st.srh) return false;
    if (st.valid) return true;
    const std::vector<uint8_t> s = seg6_srh_as_validated(p, st);
    if (s.empty()) return false;
    const uint32_t at = p.geometry().data + st.off + srh::kHdrlen;
    p.save_bytes(vm, at, 1);
    p.frame()[at] = s[srh::kHdrlen];
    if (!seg6_validate(s.data(), int64_t(s.size()), true)) return false;
    st.valid = true;
    return true;
}

// The address the host sends from (set_tun_src with no seg6 tunnel source set: source address
// selection, simplified): the first global IPv6 address of the device the packet came in on,
// else of any device; :: when the host has none.
Ipv6 seg6_source_address(const Network& net) {
    auto global = [](const NetDevice& d) -> const Ipv6* {
        for (const Ipv6Net& a : d.ipv6)
            if (!(a.addr[0] == 0xfe && (a.addr[1] & 0xc0) == 0x80) && d.name != "lo") return &a.addr;
        return nullptr;
    };
    if (const NetDevice* in = net.device(net.ingress_ifindex))
        if (const Ipv6* a = global(*in)) return *a;
    for (const NetDevice& d : net.devices)
        if (const Ipv6* a = global(d)) return *a;
    return {};
}

// seg6_lookup_nexthop: routes the packet to `nh` (else its destination address) in `table` (0:
// the input lookup, local table first, then main), without local delivery; returns the dst's
// error (0, -EINVAL for the blackhole seg6 falls back to, -ENETUNREACH, -EHOSTUNREACH,
// -EACCES) and says where the packet goes in `where`.
int64_t seg6_lookup_nexthop(const Network& net, const PacketBuffer& p, const uint8_t* nh, uint32_t table,
                            std::string& where) {
    Ipv6 dst{};
    std::memcpy(dst.data(), nh ? nh : p.data().data() + kSeg6DaddrOff, 16);
    const std::string text = seg6_addr_text(dst.data());
    const std::string in_table = table ? " in table " + std::to_string(table) : "";
    if (table != 0 && table != kSeg6RtMain && table != kSeg6RtLocal) {
        where = "the host has no routing table " + std::to_string(table) +
                " (only main, 254, and local, 255): the packet gets seg6's blackhole route and is dropped";
        return -kerrno::kEINVAL;
    }
    if (table != kSeg6RtMain && fib_is_local(net, dst, kAfInet6)) {
        where = text + " is this host's own address: seg6 does not deliver locally, so the packet gets the "
                       "blackhole route and is dropped";
        return -kerrno::kEINVAL;
    }
    const std::optional<Route> route = table == kSeg6RtLocal ? std::nullopt : fib_best_route(net, dst, kAfInet6);
    if (!route) {
        where = "no route to " + text + in_table + ": the packet is dropped (network unreachable)";
        return -kerrno::kENETUNREACH;
    }
    switch (route->type) {
    case RouteType::Blackhole: where = "the route to " + text + in_table + " is a blackhole"; return -kerrno::kEINVAL;
    case RouteType::Unreachable:
        where = "the route to " + text + in_table + " is unreachable";
        return -kerrno::kEHOSTUNREACH;
    case RouteType::Prohibit: where = "the route to " + text + in_table + " is prohibit"; return -kerrno::kEACCES;
    case RouteType::Unicast: break;
    }
    const bool gateway = std::any_of(route->gateway.begin(), route->gateway.end(), [](uint8_t b) { return b; });
    where = "the packet is routed to " + text + in_table + ": next hop " +
            seg6_addr_text(gateway ? route->gateway.data() : dst.data()) + " on " + net.device_label(route->ifindex);
    return 0;
}

void seg6_set_payload_len(Vm& vm, PacketBuffer& p) {
    const uint32_t at = p.geometry().data + kSeg6PayloadLenOff;
    const uint32_t payload = p.len() - kIpv6HeaderLen;
    p.save_bytes(vm, at, 2);
    p.frame()[at] = uint8_t(payload >> 8);
    p.frame()[at + 1] = uint8_t(payload);
}

// seg6_do_srh_inline: the SRH goes between the IPv6 header and its payload; its first segment
// (segments[0]) becomes the old destination, and the destination its segments[first_segment].
void seg6_do_inline(Vm& vm, PacketBuffer& p, const uint8_t* s, uint32_t hdrlen) {
    skb_ops::net_hdr_push(vm, p, kIpv6HeaderLen, hdrlen);  // moves the IPv6 header toward the head
    uint8_t* h = p.frame() + p.geometry().data;
    uint8_t* isrh = h + kIpv6HeaderLen;
    std::memcpy(isrh, s, hdrlen);
    isrh[srh::kNexthdr] = h[6];
    h[6] = kSeg6NhRouting;
    std::memcpy(isrh + srh::kSegments, h + kSeg6DaddrOff, 16);
    std::memcpy(h + kSeg6DaddrOff, isrh + srh::kSegments + 16 * isrh[srh::kFirstSegment], 16);
    seg6_set_payload_len(vm, p);
}

// seg6_do_srh_encap(skb, srh, IPPROTO_IPV6): an outer IPv6 header (traffic class, flow label and
// hop limit from an inner IPv6 header; an IPv4 one's TOS and the route's default hop limit 64)
// and the SRH in front; the destination is the SRH's segments[first_segment].
void seg6_do_encap(Vm& vm, PacketBuffer& p, const uint8_t* s, uint32_t hdrlen, const Network& net) {
    const uint16_t proto = skb_ops::protocol(p);
    const uint8_t* inner = p.frame() + p.geometry().data;
    uint8_t tos = 0, hop_limit = 64;
    uint32_t flowlabel = 0;  // net.ipv6.seg6_flowlabel = 0: the inner IPv6 header's label
    if (proto == skb_ops::kEthPIpv6 && p.len() >= kIpv6HeaderLen) {
        tos = uint8_t((inner[0] & 0x0f) << 4 | inner[1] >> 4);
        flowlabel = uint32_t(inner[1] & 0x0f) << 16 | uint32_t(inner[2]) << 8 | inner[3];
        hop_limit = inner[7];
    } else if (proto == skb_ops::kEthPIp && p.len() >= uapi::kIpv4HeaderLen) {
        tos = inner[1];
    }
    skb_ops::net_hdr_push(vm, p, 0, kIpv6HeaderLen + hdrlen);
    uint8_t* h = p.frame() + p.geometry().data;
    h[0] = uint8_t(0x60 | tos >> 4);
    h[1] = uint8_t((tos & 0x0f) << 4 | flowlabel >> 16);
    h[2] = uint8_t(flowlabel >> 8);
    h[3] = uint8_t(flowlabel);
    h[6] = kSeg6NhRouting;
    h[7] = hop_limit;
    uint8_t* isrh = h + kIpv6HeaderLen;
    std::memcpy(isrh, s, hdrlen);
    isrh[srh::kNexthdr] = kSeg6NhIpv6;
    std::memcpy(h + kSeg6DaddrOff, isrh + srh::kSegments + 16 * isrh[srh::kFirstSegment], 16);
    const Ipv6 src = seg6_source_address(net);
    std::memcpy(h + 8, src.data(), 16);
    seg6_set_payload_len(vm, p);
}

// bpf_push_seg6_encap. `changed`: the packet was encapsulated (an error after that is the
// route lookup's).
int64_t seg6_push_encap(Vm& vm, PacketBuffer& p, bool inline_mode, const uint8_t* s, uint32_t len,
                        std::string& what, bool& changed) {
    changed = false;
    if (!seg6_validate(s, len, false)) {
        what = "the " + std::to_string(len) +
               "-byte SRH is not valid (type 4, (hdrlen + 1) * 8 bytes long, segments_left <= first_segment, "
               "the segments and TLVs filling it): returns -EINVAL";
        return -kerrno::kEINVAL;
    }
    const Network& net = vm.env->host->net;
    p.record(vm);
    SkbState& skb = p.skb();
    if (inline_mode) {
        if (skb_ops::protocol(p) != skb_ops::kEthPIpv6) {
            what = "BPF_LWT_ENCAP_SEG6_INLINE needs an IPv6 packet: returns -EBADMSG";
            return -kerrno::kEBADMSG;
        }
        seg6_do_inline(vm, p, s, len);
        what = "an SRH of " + std::to_string(len) + " bytes is inserted after the IPv6 header";
    } else {
        skb.encapsulation = true;
        seg6_do_encap(vm, p, s, len, net);
        skb.network_header = p.geometry().data;  // skb->protocol stays: bpf_push_seg6_encap leaves it
        what = "an outer IPv6 header from " + seg6_addr_text(p.data().data() + 8) + " and an SRH of " +
               std::to_string(len) + " bytes are pushed in front of the packet";
    }
    changed = true;
    skb.transport_header = p.geometry().data + kIpv6HeaderLen;
    std::string where;
    const int64_t r = seg6_lookup_nexthop(net, p, nullptr, 0, where);
    what += " (" + std::to_string(p.len()) + " bytes now, to " + seg6_addr_text(p.data().data() + kSeg6DaddrOff) + "); " +
            where + (r ? ": returns " + errno_name(r) : "");
    return r;
}

PacketBuffer* seg6_packet(Vm& vm, const char* name) {
    PacketBuffer* p = packet_of(vm);
    if (!p || !p->ctx() || p->kind() != PacketBuffer::Kind::Skb || !vm.env || !vm.env->host ||
        vm.env->host->net.run.hook != PacketHook::LwtSeg6local) {
        no_packet_hook(vm, name);
        return nullptr;
    }
    return p;
}

// The packet and the `len` bytes at `addr` (the helper's buffer argument); nullptr after
// stopping the run.
PacketBuffer* seg6_packet_and_bytes(Vm& vm, const char* name, uint64_t addr, uint32_t len, const uint8_t*& bytes) {
    PacketBuffer* p = seg6_packet(vm, name);
    if (!p) return nullptr;
    bytes = helper_read(vm, name, addr, len);
    return bytes || !len ? p : nullptr;
}

void seg6_log(Vm& vm, const char* name, std::string text) { log_host_event(vm, *vm.env->host, name, std::move(text)); }

// store_bytes and adjust_srh on a packet without a valid SRH (bpf_update_srh_state found none).
uint64_t no_srh(Vm& vm, const char* name) {
    seg6_log(vm, name, "the packet has no SRH: returns -EINVAL");
    return helper_errno(kerrno::kEINVAL);
}

uint64_t seg6_store_bytes(Vm& vm, uint64_t, uint64_t offset_arg, uint64_t from_addr, uint64_t len_arg, uint64_t) {
    constexpr const char* kName = "bpf_lwt_seg6_store_bytes";
    const uint32_t offset = uint32_t(offset_arg), len = uint32_t(len_arg);
    const uint8_t* from = nullptr;
    PacketBuffer* p = seg6_packet_and_bytes(vm, kName, from_addr, len, from);
    if (!p) return 0;
    Seg6SrhState& st = seg6_state(vm);
    if (!st.srh) return no_srh(vm, kName);
    // The kernel's bounds: the TLV area as this helper computes it (srh + (first_segment + 1) * 16,
    // 8 bytes short of the real one: the last segment's second half counts as TLV space) to the
    // SRH's end, or the flags and tag (bytes 5..7).
    const uint64_t base = st.off, end = base + srh::kSize + st.hdrlen, ptr = offset, stop = ptr + len;
    const uint64_t tlvs = base + (uint64_t(p->data()[st.off + srh::kFirstSegment]) + 1) * 16;
    p->record(vm);
    const char* what = "the flags and tag";
    if (ptr >= tlvs && stop <= end) {
        st.valid = false;
        what = "the TLV area (the SRH is validated again before it is used)";
    } else if (ptr < base + srh::kFlags || stop > base + srh::kSegments) {
        seg6_log(vm, kName,
                 std::to_string(len) + " bytes at offset " + std::to_string(offset) +
                     " are neither in the SRH's flags and tag (offsets " + std::to_string(base + srh::kFlags) + ".." +
                     std::to_string(base + srh::kSegments - 1) + ") nor in its TLV area (" + std::to_string(tlvs) +
                     ".." + std::to_string(end - 1) + "): returns -EFAULT");
        return helper_errno(kerrno::kEFAULT);
    }
    if (stop > p->len()) return helper_errno(kerrno::kEFAULT);  // bpf_try_make_writable
    uint32_t off = 0;
    if (seg6_find_hdr(*p, off, kSeg6NhRouting, false) < 0) return helper_errno(kerrno::kEINVAL);
    st.off = off;
    const uint32_t at = p->geometry().data + offset;
    p->save_bytes(vm, at, len);
    std::memcpy(p->frame() + at, from, len);
    seg6_log(vm, kName,
             std::to_string(len) + " bytes are written at offset " + std::to_string(offset) + ", in " + what);
    return 0;
}

uint64_t seg6_adjust_srh(Vm& vm, uint64_t, uint64_t offset_arg, uint64_t delta_arg, uint64_t, uint64_t) {
    constexpr const char* kName = "bpf_lwt_seg6_adjust_srh";
    PacketBuffer* p = seg6_packet(vm, kName);
    if (!p) return 0;
    const uint32_t offset = uint32_t(offset_arg);
    const int32_t delta = int32_t(delta_arg);
    Seg6SrhState& st = seg6_state(vm);
    if (!st.srh) return no_srh(vm, kName);
    const int64_t tlvs = int64_t(st.off) + srh::kSize + (int64_t(p->data()[st.off + srh::kFirstSegment]) + 1) * 16;
    const int64_t end = int64_t(st.off) + srh::kSize + st.hdrlen, ptr = offset;
    if (ptr < tlvs || ptr > end || (delta < 0 && ptr - delta > end)) {
        seg6_log(vm, kName,
                 "offset " + std::to_string(offset) + (delta < 0 ? " and the " + std::to_string(-int64_t(delta)) + " bytes after it" : "") +
                     " must lie in the SRH's TLV area (" + std::to_string(tlvs) + ".." + std::to_string(end) +
                     "): returns -EFAULT");
        return helper_errno(kerrno::kEFAULT);
    }
    p->record(vm);
    const int64_t r = delta > 0 ? skb_ops::net_hdr_push(vm, *p, offset, uint32_t(delta))
                                : skb_ops::net_hdr_pop(vm, *p, offset, uint32_t(-int64_t(delta)));
    if (r < 0) return uint64_t(r);
    seg6_set_payload_len(vm, *p);
    uint32_t off = 0;
    if (seg6_find_hdr(*p, off, kSeg6NhRouting, false) < 0) return helper_errno(kerrno::kEINVAL);
    st.off = off;
    st.hdrlen = uint16_t(st.hdrlen + delta);
    st.valid = false;
    seg6_log(vm, kName,
             std::string(delta >= 0 ? std::to_string(delta) + " zero bytes are inserted"
                                    : std::to_string(-int64_t(delta)) + " bytes are removed") +
                 " at offset " + std::to_string(offset) + " in the SRH's TLV area (the packet is " +
                 std::to_string(p->len()) + " bytes now; the SRH's hdrlen is set to match when it is validated)");
    return 0;
}

uint64_t seg6_action(Vm& vm, uint64_t, uint64_t action_arg, uint64_t param_addr, uint64_t len_arg, uint64_t) {
    constexpr const char* kName = "bpf_lwt_seg6_action";
    const uint32_t action = uint32_t(action_arg), len = uint32_t(len_arg);
    const uint8_t* param = nullptr;
    PacketBuffer* p = seg6_packet_and_bytes(vm, kName, param_addr, len, param);
    if (!p) return 0;
    Seg6SrhState& st = seg6_state(vm);
    const Network& net = vm.env->host->net;
    auto fail_with = [&](int64_t err, const std::string& why) {
        seg6_log(vm, kName, why + ": returns " + errno_name(err));
        return helper_errno(-err);
    };
    auto routed = [&](const char* name, int64_t r, const std::string& where) {
        st.route = std::string(name) + ": " + where;
        seg6_log(vm, kName, st.route + (r ? ": returns " + errno_name(r) : ""));
        return uint64_t(r);
    };
    const char* const names[] = {"", "End", "End.X", "End.T", "", "", "", "End.DT6", "", "End.B6", "End.B6.Encap"};
    const char* name = action < std::size(names) ? names[action] : "";
    switch (action) {
    case kSeg6EndX:
    case kSeg6EndT:
    case kSeg6EndDt6: {
        p->record(vm);
        if (!seg6_has_valid_srh(vm, *p, st))
            return fail_with(-kerrno::kEBADMSG, std::string(name) + " needs the packet's SRH to be valid, and " +
                                                    (st.srh ? "the program left it invalid" : "the packet has none"));
        const uint32_t want = action == kSeg6EndX ? 16 : 4;
        if (len != want)
            return fail_with(-kerrno::kEINVAL, std::string(name) + " takes a " +
                                                   (action == kSeg6EndX ? "struct in6_addr (16 bytes)" : "table id (int, 4 bytes)") +
                                                   ", not " + std::to_string(len) + " bytes");
        std::string where;
        if (action == kSeg6EndX) return routed(name, seg6_lookup_nexthop(net, *p, param, 0, where), where);
        const uint32_t table = load_le<uint32_t>(param);
        if (action == kSeg6EndT) return routed(name, seg6_lookup_nexthop(net, *p, nullptr, table, where), where);
        uint32_t inner = 0;
        if (seg6_find_hdr(*p, inner, kSeg6NhIpv6, false) < 0)
            return fail_with(-kerrno::kEBADMSG, "End.DT6 decapsulates an inner IPv6 packet, and this one has none");
        // pskb_pull to the inner header, which becomes the network (and transport) header.
        PacketGeometry g = p->geometry();
        g.meta = g.data = g.data + inner;
        p->set_geometry(g);
        SkbState& skb = p->skb();
        skb.network_header = skb.transport_header = g.data;
        skb.encapsulation = false;
        seg6_update_state(*p, st);
        const int64_t r = seg6_lookup_nexthop(net, *p, nullptr, table, where);
        return routed(name, r, "the outer IPv6 header and SRH (" + std::to_string(inner) +
                                   " bytes) are removed; " + where);
    }
    case kSeg6EndB6:
    case kSeg6EndB6Encap: {
        p->record(vm);
        if (st.srh && !seg6_has_valid_srh(vm, *p, st))
            return fail_with(-kerrno::kEBADMSG, std::string(name) + " needs the packet's SRH to be valid, and the "
                                                                    "program left it invalid");
        std::string what;
        bool changed = false;
        const int64_t r = seg6_push_encap(vm, *p, action == kSeg6EndB6, param, len, what, changed);
        if (r == 0) seg6_update_state(*p, st);
        if (!changed) {
            seg6_log(vm, kName, std::string(name) + ": " + what);
            return uint64_t(r);
        }
        st.route = std::string(name) + ": " + what;
        seg6_log(vm, kName, st.route);
        return uint64_t(r);
    }
    default:
        return fail_with(-kerrno::kEINVAL, "action " + std::to_string(action) +
                                               " is not one this helper takes (End.X 2, End.T 3, End.DT6 7, End.B6 9, "
                                               "End.B6.Encap 10)");
    }
}

constexpr HelperImpl kSeg6HelperImpls[] = {
    {74, seg6_store_bytes},  // bpf_lwt_seg6_store_bytes
    {75, seg6_adjust_srh},   // bpf_lwt_seg6_adjust_srh
    {76, seg6_action},       // bpf_lwt_seg6_action
};

}  // namespace

std::span<const HelperImpl> seg6_helper_impls() { return kSeg6HelperImpls; }

int64_t push_seg6_encap(Vm& vm, PacketBuffer& p, bool inline_mode, const uint8_t* srh, uint32_t len,
                        std::string& what) {
    bool changed = false;
    return seg6_push_encap(vm, p, inline_mode, srh, len, what, changed);
}

Result<Unit> start_seg6local_run(PacketBuffer& p, Host& host) {
    const std::span<uint8_t> d = p.data();
    const std::optional<uint32_t> off =
        skb_ops::protocol(p) == skb_ops::kEthPIpv6 && d.size() >= kIpv6HeaderLen && d[0] >> 4 == 6 ? seg6_get_srh(p)
                                                                                                   : std::nullopt;
    if (!off)
        return make_error(ErrorKind::Load,
                          "-EINVAL: End.BPF (seg6local) runs its program only on an IPv6 packet whose Segment Routing "
                          "Header is valid and has segments left; it drops this one before the program runs",
                          std::nullopt,
                          "Give an Ethernet frame with an IPv6 header, next header 43, then an SRH (type 4) whose "
                          "segments_left is 1 or more.");
    uint8_t* s = d.data() + *off;
    const uint8_t left = uint8_t(s[srh::kSegmentsLeft] - 1);  // advance_nextseg
    s[srh::kSegmentsLeft] = left;
    std::memcpy(d.data() + kSeg6DaddrOff, s + srh::kSegments + 16 * left, 16);
    host.net.run.seg6 = Seg6SrhState{true, *off, uint16_t(s[srh::kHdrlen] << 3), true, {}};
    host.events.push_back({0, 0, "End.BPF",
                           "the SRH (at offset " + std::to_string(*off) + ", " +
                               std::to_string((s[srh::kHdrlen] + 1) * 8) + " bytes) is advanced before the program "
                               "runs: segments_left is " + std::to_string(left) + " now and the destination is the "
                               "next segment, " + seg6_addr_text(d.data() + kSeg6DaddrOff)});
    return Unit{};
}

std::vector<std::string> seg6_exit_report(const PacketBuffer& p, const Network& net, uint64_t r0,
                                          std::vector<uint8_t>& packet_out) {
    const Seg6SrhState& st = net.run.seg6;
    if (r0 == kSeg6BpfDrop) return {"BPF_DROP: the packet is dropped"};
    if (r0 != kSeg6BpfOk && r0 != kSeg6BpfRedirect)
        return {"return value " + std::to_string(r0) +
                " is not BPF_OK, BPF_DROP or BPF_REDIRECT: the kernel warns (\"bpf-seg6local: Illegal return value\") "
                "and drops the packet"};
    const char* ret = r0 == kSeg6BpfOk ? "BPF_OK" : "BPF_REDIRECT";
    if (st.srh && !st.valid) {
        const std::vector<uint8_t> s = seg6_srh_as_validated(p, st);
        if (!s.empty() && packet_out.size() >= p.len())
            packet_out[packet_out.size() - p.len() + st.off + srh::kHdrlen] = s[srh::kHdrlen];
        if (s.empty() || !seg6_validate(s.data(), int64_t(s.size()), true))
            return {std::string(ret) + ", but the program left the Segment Routing Header invalid (" +
                    (s.empty() ? "its length, " + std::to_string(st.hdrlen + srh::kSize) +
                                     " bytes, is not a multiple of 8"
                               : "its segments and TLVs do not fill its " + std::to_string(s.size()) + " bytes") +
                    "): End.BPF drops the packet"};
    }
    if (r0 == kSeg6BpfRedirect)
        return {st.route.empty() ? "BPF_REDIRECT with no bpf_lwt_seg6_action: the packet keeps the route of its "
                                   "segment and goes to that route's input"
                                 : "BPF_REDIRECT: the packet goes where bpf_lwt_seg6_action sent it (" + st.route + ")"};
    std::string where;
    const int64_t r = seg6_lookup_nexthop(net, p, nullptr, 0, where);
    return {"BPF_OK: End.BPF routes the packet by its destination address; " + where +
            (r ? " (" + errno_name(r) + ")" : "")};
}

}  // namespace bpfplay
