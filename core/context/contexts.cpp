#include "core/context/contexts.hpp"

#include <algorithm>
#include <iterator>
#include <string_view>
#include <utility>

namespace bpfplay {

std::unique_ptr<FieldContext> make_xdp_md() {
    return std::make_unique<FieldContext>("xdp_md",
                                          std::vector<ContextField>{
                                              {"data", 0, 4, "the packet's first byte (a 4-byte load gives the address)", FieldKind::PacketStart},
                                              {"data_end", 4, 4, "one past the packet's last byte (a 4-byte load gives the address): compare before reading", FieldKind::PacketEnd},
                                              {"data_meta", 8, 4, "the metadata area before data (equal to data until bpf_xdp_adjust_meta makes room)", FieldKind::PacketMeta},
                                              {"ingress_ifindex", 12, 4, "the ifindex of the device the packet arrived on"},
                                              {"rx_queue_index", 16, 4, "the receive queue of that device the packet came from"},
                                              {"egress_ifindex", 20, 4, "the ifindex of the device the packet is redirected out of (programs in a devmap only)"},
                                          },
                                          xdp_md::kSize);
}

namespace {

std::vector<ContextField> sk_buff_fields(bool tc) {
    // Offsets and sizes from struct __sk_buff in <linux/bpf.h> (Linux 6.1).
    const FieldKind start = tc ? FieldKind::PacketStart : FieldKind::Value;
    const FieldKind end = tc ? FieldKind::PacketEnd : FieldKind::Value;
    std::vector<ContextField> fields = {
        {"len", 0, 4, "the packet's whole length in bytes (skb->len), headers included"},
        {"pkt_type", 4, 4, "who the packet is for (skb->pkt_type): 0 this host, 1 broadcast, 2 multicast, 3 another host, 4 outgoing"},
        {"mark", 8, 4, "the packet's mark (skb->mark), writable from tc", FieldKind::Value, tc},
        {"queue_mapping", 12, 4, "the device transmit queue chosen for the packet (skb->queue_mapping), writable from tc", FieldKind::Value, tc},
        {"protocol", 16, 4, "the link-layer protocol (skb->protocol) in network byte order: 0x0800 IPv4, 0x86dd IPv6"},
        {"vlan_present", 20, 4, "1 when the packet carries an offloaded VLAN tag, 0 otherwise"},
        {"vlan_tci", 24, 4, "the VLAN tag's priority and id (skb->vlan_tci), host byte order"},
        {"vlan_proto", 28, 4, "the VLAN tag's protocol (0x8100 or 0x88a8) in network byte order"},
        {"priority", 32, 4, "the packet's queueing priority (skb->priority), writable from tc", FieldKind::Value, tc},
        {"ingress_ifindex", 36, 4, "the ifindex of the device the packet arrived on (0 for locally sent packets)"},
        {"ifindex", 40, 4, "the ifindex of the device the packet is on now"},
        {"tc_index", 44, 4, "the traffic-control index (skb->tc_index), writable from tc", FieldKind::Value, tc},
        {"cb", 48, 20, "five u32s of scratch space the program may read and write (skb->cb), shared with other programs on the same packet", FieldKind::Value, true},
        {"hash", 68, 4, "the packet's flow hash (skb->hash), 0 until something computed it"},
        {"tc_classid", 72, 4, "the tc class to put the packet in (a direct-action classifier's result), writable from tc", FieldKind::Value, tc},
        {"data", 76, 4, "the packet's first byte (a 4-byte load gives the address); direct packet access", start},
        {"data_end", 80, 4, "one past the packet's last byte (a 4-byte load gives the address): compare before reading", end},
        {"napi_id", 84, 4, "the id of the NAPI context that received the packet (0 when none)"},
        {"family", 88, 4, "the socket's address family: 2 AF_INET, 10 AF_INET6"},
        {"remote_ip4", 92, 4, "the socket's remote IPv4 address, network byte order"},
        {"local_ip4", 96, 4, "the socket's local IPv4 address, network byte order"},
        {"remote_ip6", 100, 16, "the socket's remote IPv6 address, four u32s in network byte order"},
        {"local_ip6", 116, 16, "the socket's local IPv6 address, four u32s in network byte order"},
        {"remote_port", 132, 4, "the socket's remote port, network byte order"},
        {"local_port", 136, 4, "the socket's local port, host byte order"},
        {"data_meta", 140, 4, "the metadata area before data (an XDP program may have filled it with bpf_xdp_adjust_meta)", tc ? FieldKind::PacketMeta : FieldKind::Value},
        {"flow_keys", 144, 8, "the flow dissector's output struct (flow_dissector programs only)"},
        {"tstamp", 152, 8, "the packet's timestamp in ns (skb->tstamp), writable from tc (for pacing with the fq qdisc)", FieldKind::Value, tc},
        {"wire_len", 160, 4, "the packet's length on the wire, GSO segments included"},
        {"gso_segs", 164, 4, "how many segments a GSO packet will be cut into"},
        {"sk", 168, 8, "the socket the packet belongs to (a struct bpf_sock pointer, possibly NULL)"},
        {"gso_size", 176, 4, "the size of each segment of a GSO packet (0 for a plain packet)"},
        {"tstamp_type", 180, 1, "which clock tstamp is on: 0 unspecified (realtime), 1 monotonic (delivery time)"},
        {"hwtstamp", 184, 8, "the timestamp the network card put on the packet in ns (0 when none)"},
    };
    return fields;
}

}  // namespace

std::unique_ptr<FieldContext> make_sk_buff(bool tc) {
    return std::make_unique<FieldContext>("__sk_buff", sk_buff_fields(tc), sk_buff::kSize);
}

std::unique_ptr<FieldContext> make_sk_skb() {
    // sk_skb_is_valid_access: tc's view (data/data_end are packet pointers) without mark,
    // tc_classid, data_meta, tstamp, wire_len and hwtstamp; writes only to tc_index and priority.
    constexpr std::string_view kHidden[] = {"mark", "tc_classid", "data_meta", "tstamp", "wire_len", "hwtstamp"};
    std::vector<ContextField> fields;
    for (ContextField f : sk_buff_fields(true)) {
        const std::string_view name = f.name;
        if (std::find(std::begin(kHidden), std::end(kHidden), name) != std::end(kHidden)) continue;
        f.writable = name == "priority" || name == "tc_index";
        fields.push_back(f);
    }
    return std::make_unique<FieldContext>("__sk_buff", std::move(fields), sk_buff::kSize);
}

std::unique_ptr<FieldContext> make_lwt_sk_buff() {
    constexpr std::string_view kHidden[] = {"tc_classid", "family",   "remote_ip4", "local_ip4",  "remote_ip6",
                                            "local_ip6",  "remote_port", "local_port", "data_meta", "tstamp",
                                            "wire_len",   "hwtstamp", "flow_keys",  "tstamp_type"};
    std::vector<ContextField> fields;
    for (ContextField f : sk_buff_fields(true)) {
        const std::string_view name = f.name;
        if (std::find(std::begin(kHidden), std::end(kHidden), name) != std::end(kHidden)) continue;
        f.writable = name == "mark" || name == "priority" || name == "cb";
        fields.push_back(f);
    }
    return std::make_unique<FieldContext>("__sk_buff", std::move(fields), sk_buff::kSize);
}

std::unique_ptr<FieldContext> make_sk_msg_md() {
    // struct sk_msg_md of <linux/bpf.h> as sk_msg_is_valid_access allows it: everything
    // read-only, the pointers and sk as whole 8-byte loads, the other fields 4 bytes at a time.
    return std::make_unique<FieldContext>("sk_msg_md",
                                          std::vector<ContextField>{
                                              {"data", 0, 8, "the message's first byte (an 8-byte load gives the address); direct access", FieldKind::PacketStart},
                                              {"data_end", 8, 8, "one past the message's last readable byte (an 8-byte load gives the address)", FieldKind::PacketEnd},
                                              {"family", 16, 4, "the socket's address family: 2 AF_INET, 10 AF_INET6", FieldKind::Value, false, 4},
                                              {"remote_ip4", 20, 4, "the socket's remote IPv4 address, network byte order", FieldKind::Value, false, 4},
                                              {"local_ip4", 24, 4, "the socket's local IPv4 address, network byte order", FieldKind::Value, false, 4},
                                              {"remote_ip6", 28, 16, "the socket's remote IPv6 address, four u32s in network byte order", FieldKind::Value, false, 4},
                                              {"local_ip6", 44, 16, "the socket's local IPv6 address, four u32s in network byte order", FieldKind::Value, false, 4},
                                              {"remote_port", 60, 4, "the socket's remote port, network byte order", FieldKind::Value, false, 4},
                                              {"local_port", 64, 4, "the socket's local port, host byte order", FieldKind::Value, false, 4},
                                              {"size", 68, 4, "the whole message's size in bytes (data..data_end may show only part of it)", FieldKind::Value, false, 4},
                                              {"sk", 72, 8, "the socket sending the message (a struct bpf_sock pointer)", FieldKind::Value, false, 8},
                                          },
                                          sk_msg_md::kStructSize);
}

std::unique_ptr<FieldContext> make_sock_ops() {
    // Offsets from struct bpf_sock_ops in <linux/bpf.h>, with skb_hwtstamp (Linux 6.2 on). reply,
    // args[0] and replylong[0] share offset 4, the only one of the union the program may write.
    constexpr uint8_t W = 4, D = 8;  // loads of exactly 4 / 8 bytes
    using K = FieldKind;
    std::vector<ContextField> fields = {
        {"op", 0, 4, "which event called the program (BPF_SOCK_OPS_*: timeout init, connection established, RTT, ...)", K::Value, false, W},
        {"reply", 4, 4, "args[0] on the way in; the program's answer to the op on the way out (writable)", K::Value, true, W},
        {"args[1..3]", 8, 12, "the op's other arguments (args[1] to args[3]), what they mean depends on op", K::Value, false, W},
        {"family", 20, 4, "the socket's address family: 2 AF_INET, 10 AF_INET6", K::Value, false, W},
        {"remote_ip4", 24, 4, "the connection's remote IPv4 address, network byte order", K::Value, false, W},
        {"local_ip4", 28, 4, "the connection's local IPv4 address, network byte order", K::Value, false, W},
        {"remote_ip6", 32, 16, "the connection's remote IPv6 address, four u32s in network byte order", K::Value, false, W},
        {"local_ip6", 48, 16, "the connection's local IPv6 address, four u32s in network byte order", K::Value, false, W},
        {"remote_port", 64, 4, "the connection's remote port, network byte order", K::Value, false, W},
        {"local_port", 68, 4, "the connection's local port, host byte order", K::Value, false, W},
        {"is_fullsock", 72, 4, "1 when there is a full TCP socket; without one the TCP counters below read 0", K::Value, false, W},
    };
    // The tcp_sock counters, 4 bytes each, read-only, in struct order from offset 76.
    constexpr std::pair<const char*, const char*> kCounters[] = {
        {"snd_cwnd", "TCP's congestion window, in segments"},
        {"srtt_us", "the smoothed round-trip time in microseconds, shifted left by 3"},
        {"bpf_sock_ops_cb_flags", "which extra callbacks the program asked for (BPF_SOCK_OPS_*_CB_FLAG, set with bpf_sock_ops_cb_flags_set)"},
        {"state", "the TCP state (1 ESTABLISHED, 2 SYN_SENT, ... 10 LISTEN)"},
        {"rtt_min", "the lowest round-trip time seen recently, in microseconds"},
        {"snd_ssthresh", "the slow-start threshold, in segments"},
        {"rcv_nxt", "the next sequence number TCP expects to receive"},
        {"snd_nxt", "the next sequence number TCP will send"},
        {"snd_una", "the oldest sequence number sent and not yet acknowledged"},
        {"mss_cache", "the current maximum segment size in bytes"},
        {"ecn_flags", "the connection's ECN state bits"},
        {"rate_delivered", "segments delivered in the last delivery-rate sample"},
        {"rate_interval_us", "the length of that sample, in microseconds"},
        {"packets_out", "segments sent and not yet acknowledged"},
        {"retrans_out", "retransmitted segments not yet acknowledged"},
        {"total_retrans", "retransmissions over the connection's life"},
        {"segs_in", "segments received"},
        {"data_segs_in", "segments received that carried data"},
        {"segs_out", "segments sent"},
        {"data_segs_out", "segments sent that carried data"},
        {"lost_out", "segments TCP thinks were lost"},
        {"sacked_out", "segments the peer acknowledged selectively (SACK)"},
    };
    uint32_t off = 76;
    for (const auto& [name, about] : kCounters) {
        fields.push_back({name, off, 4, about, K::Value, false, W});
        off += 4;
    }
    fields.push_back({"sk_txhash", 164, 4, "the hash the socket puts on the packets it sends (writable: steers them to another path)", K::Value, true, W});
    fields.push_back({"bytes_received", 168, 8, "bytes received in order over the connection's life (rcv_nxt's advance)", K::Value, false, D});
    fields.push_back({"bytes_acked", 176, 8, "bytes sent that the peer acknowledged", K::Value, false, D});
    fields.push_back({"sk", 184, 8, "the socket (a struct bpf_sock pointer)", K::Value, false, D});
    fields.push_back({"skb_data", 192, 8, "the TCP header of the segment the op carries (an 8-byte load gives the address)", K::PacketStart});
    fields.push_back({"skb_data_end", 200, 8, "one past the end of that TCP header (an 8-byte load gives the address)", K::PacketEnd});
    fields.push_back({"skb_len", 208, 4, "the whole segment's length: header, options and payload", K::Value, false, W});
    fields.push_back({"skb_tcp_flags", 212, 4, "the segment's TCP flags (SYN, ACK, FIN, ...), without parsing skb_data"});  // narrow loads allowed
    fields.push_back({"skb_hwtstamp", 216, 8, "the timestamp the network card put on the segment in ns (0 when none)", K::Value, false, D});
    return std::make_unique<FieldContext>("bpf_sock_ops", std::move(fields), sock_ops::kSize);
}

std::unique_ptr<FieldContext> make_lirc_mode2_sample() {
    return std::make_unique<FieldContext>(
        "lirc_mode2 sample",
        std::vector<ContextField>{{"sample", 0, 4,
                                   "one infrared sample: LIRC_MODE2_* (pulse, space, timeout) in the top byte, its "
                                   "length in microseconds below",
                                   FieldKind::Value, false, 4}},
        4);
}

}  // namespace bpfplay
