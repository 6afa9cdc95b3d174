#pragma once
// The emulated host's connection tracking table (net/netfilter/nf_conntrack_core.c): the
// entries the conntrack kfuncs look up (bpf_xdp_ct_lookup, bpf_skb_ct_lookup) and add to
// (bpf_ct_insert_entry), each with its two tuples, status bits, mark, timeout and zone.
//
// Host JSON "conntrack" (host_json_conntrack.hpp) lists them; an entry is kept as the kernel
// keeps it, so the struct nf_conn a program reads (conntrack_objects.hpp) holds these values:
// `timeout` is the jiffy (32 bits, nfct_time_stamp) at which the entry expires.
#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace bpfplay {

// enum ip_conntrack_status (include/uapi/linux/netfilter/nf_conntrack_common.h).
namespace ips {
constexpr uint32_t kExpected = 1u << 0, kSeenReply = 1u << 1, kAssured = 1u << 2, kConfirmed = 1u << 3,
                   kSrcNat = 1u << 4, kDstNat = 1u << 5, kSeqAdjust = 1u << 6, kSrcNatDone = 1u << 7,
                   kDstNatDone = 1u << 8, kDying = 1u << 9, kFixedTimeout = 1u << 10, kTemplate = 1u << 11,
                   kUntracked = 1u << 12, kHelper = 1u << 13, kOffload = 1u << 14, kHwOffload = 1u << 15;
constexpr uint32_t kNatMask = kSrcNat | kDstNat, kNatDoneMask = kSrcNatDone | kDstNatDone;
// IPS_UNCHANGEABLE_MASK: the bits nf_ct_change_status_common never changes.
constexpr uint32_t kUnchangeable = kNatDoneMask | kNatMask | kExpected | kConfirmed | kDying | kSeqAdjust |
                                   kTemplate | kUntracked | kOffload | kHwOffload;
constexpr uint32_t kMaxBit = 16; // __IPS_MAX_BIT
}  // namespace ips

// NF_CT_ZONE_DIR_ORIG | NF_CT_ZONE_DIR_REPL: a zone that applies to both directions.
constexpr uint8_t kCtDefaultZoneDir = 3;

// One direction of a connection (struct nf_conntrack_tuple): addresses in network byte order
// (IPv4 in the first 4 bytes), ports in host order.
struct CtTuple {
    uint16_t family = 2; // AF_INET or AF_INET6 (the tuple's src.l3num)
    std::array<uint8_t, 16> src{}, dst{};
    uint16_t sport = 0, dport = 0;
    uint8_t protonum = 6; // IPPROTO_TCP or IPPROTO_UDP
    friend bool operator==(const CtTuple&, const CtTuple&) = default;
};

// The tuple of the other direction (nf_ct_invert_tuple).
CtTuple ct_invert(const CtTuple& t);
// "tcp 10.0.0.1:40000 -> 10.0.0.2:80", "udp [fd00::1]:53 -> [fd00::2]:5353".
std::string ct_tuple_text(const CtTuple& t);

struct ConntrackEntry {
    CtTuple orig;  // tuplehash[IP_CT_DIR_ORIGINAL]
    CtTuple reply; // tuplehash[IP_CT_DIR_REPLY]: ct_invert(orig) unless NAT changed it
    uint32_t status = ips::kConfirmed | ips::kSeenReply | ips::kAssured;
    uint32_t mark = 0;
    uint32_t timeout = 0; // the jiffy it expires at (u32), for a confirmed entry
    uint16_t zone = 0;    // struct nf_conntrack_zone: id, dir
    uint8_t zone_dir = kCtDefaultZoneDir;
    friend bool operator==(const ConntrackEntry&, const ConntrackEntry&) = default;
};

// nf_ct_zone_id(zone, dir): the zone's id in direction `dir` (0 original, 1 reply), or the
// default zone 0 when the zone does not apply to that direction.
constexpr uint16_t ct_zone_id(uint16_t id, uint8_t zone_dir, uint8_t dir) {
    return (zone_dir & (1u << dir)) ? id : 0;
}

// The entry and the direction whose tuple equals `t` in zone {zone, zone_dir}, as
// nf_ct_key_equal compares them (the tuple without its dir, then the zone ids of that
// direction). With `now` (nfct_time_stamp), expired entries are skipped as
// ____nf_conntrack_find skips them (a lookup); without it they count (the duplicate check of
// nf_conntrack_hash_check_insert). nullopt: none.
struct CtMatch {
    size_t index = 0;
    uint8_t dir = 0;
};
constexpr bool ct_expired(const ConntrackEntry& e, uint32_t now) { return int32_t(e.timeout - now) <= 0; }
template <class Entries>
std::optional<CtMatch> ct_find(const Entries& entries, const CtTuple& t, uint16_t zone, uint8_t zone_dir,
                               std::optional<uint32_t> now) {
    for (size_t i = 0; i < entries.size(); ++i) {
        const ConntrackEntry& e = entries[i];
        if (now && ct_expired(e, *now)) continue;
        for (uint8_t dir = 0; dir < 2; ++dir)
            if ((dir == 0 ? e.orig : e.reply) == t &&
                ct_zone_id(e.zone, e.zone_dir, dir) == ct_zone_id(zone, zone_dir, dir))
                return CtMatch{i, dir};
    }
    return std::nullopt;
}

}  // namespace bpfplay
