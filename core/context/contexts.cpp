#include "core/context/contexts.hpp"

#include <algorithm>
#include <iterator>
#include <string_view>

namespace bpfplay {

std::unique_ptr<FieldContext> make_xdp_md() {
    return std::make_unique<FieldContext>("xdp_md",
                                          std::vector<ContextField>{
                                              {"data", 0, 4, FieldKind::PacketStart},
                                              {"data_end", 4, 4, FieldKind::PacketEnd},
                                              {"data_meta", 8, 4, FieldKind::PacketMeta},
                                              {"ingress_ifindex", 12, 4},
                                              {"rx_queue_index", 16, 4},
                                              {"egress_ifindex", 20, 4},
                                          },
                                          xdp_md::kSize);
}

namespace {

std::vector<ContextField> sk_buff_fields(bool tc) {
    // Offsets and sizes from struct __sk_buff in <linux/bpf.h> (Linux 6.1).
    const FieldKind start = tc ? FieldKind::PacketStart : FieldKind::Value;
    const FieldKind end = tc ? FieldKind::PacketEnd : FieldKind::Value;
    std::vector<ContextField> fields = {
        {"len", 0, 4},
        {"pkt_type", 4, 4},
        {"mark", 8, 4, FieldKind::Value, tc},
        {"queue_mapping", 12, 4, FieldKind::Value, tc},
        {"protocol", 16, 4},
        {"vlan_present", 20, 4},
        {"vlan_tci", 24, 4},
        {"vlan_proto", 28, 4},
        {"priority", 32, 4, FieldKind::Value, tc},
        {"ingress_ifindex", 36, 4},
        {"ifindex", 40, 4},
        {"tc_index", 44, 4, FieldKind::Value, tc},
        {"cb", 48, 20, FieldKind::Value, true},
        {"hash", 68, 4},
        {"tc_classid", 72, 4, FieldKind::Value, tc},
        {"data", 76, 4, start},
        {"data_end", 80, 4, end},
        {"napi_id", 84, 4},
        {"family", 88, 4},
        {"remote_ip4", 92, 4},
        {"local_ip4", 96, 4},
        {"remote_ip6", 100, 16},
        {"local_ip6", 116, 16},
        {"remote_port", 132, 4},
        {"local_port", 136, 4},
        {"data_meta", 140, 4, tc ? FieldKind::PacketMeta : FieldKind::Value},
        {"flow_keys", 144, 8},
        {"tstamp", 152, 8, FieldKind::Value, tc},
        {"wire_len", 160, 4},
        {"gso_segs", 164, 4},
        {"sk", 168, 8},
        {"gso_size", 176, 4},
        {"tstamp_type", 180, 1},
        {"hwtstamp", 184, 8},
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
                                              {"data", 0, 8, FieldKind::PacketStart},
                                              {"data_end", 8, 8, FieldKind::PacketEnd},
                                              {"family", 16, 4, FieldKind::Value, false, 4},
                                              {"remote_ip4", 20, 4, FieldKind::Value, false, 4},
                                              {"local_ip4", 24, 4, FieldKind::Value, false, 4},
                                              {"remote_ip6", 28, 16, FieldKind::Value, false, 4},
                                              {"local_ip6", 44, 16, FieldKind::Value, false, 4},
                                              {"remote_port", 60, 4, FieldKind::Value, false, 4},
                                              {"local_port", 64, 4, FieldKind::Value, false, 4},
                                              {"size", 68, 4, FieldKind::Value, false, 4},
                                              {"sk", 72, 8, FieldKind::Value, false, 8},
                                          },
                                          sk_msg_md::kStructSize);
}

std::unique_ptr<FieldContext> make_sock_ops() {
    // Offsets from struct bpf_sock_ops in <linux/bpf.h>, with skb_hwtstamp (Linux 6.2 on). reply,
    // args[0] and replylong[0] share offset 4, the only one of the union the program may write.
    constexpr uint8_t W = 4, D = 8;  // loads of exactly 4 / 8 bytes
    using K = FieldKind;
    std::vector<ContextField> fields = {
        {"op", 0, 4, K::Value, false, W},
        {"reply", 4, 4, K::Value, true, W},
        {"args[1..3]", 8, 12, K::Value, false, W},
        {"family", 20, 4, K::Value, false, W},
        {"remote_ip4", 24, 4, K::Value, false, W},
        {"local_ip4", 28, 4, K::Value, false, W},
        {"remote_ip6", 32, 16, K::Value, false, W},
        {"local_ip6", 48, 16, K::Value, false, W},
        {"remote_port", 64, 4, K::Value, false, W},
        {"local_port", 68, 4, K::Value, false, W},
        {"is_fullsock", 72, 4, K::Value, false, W},
    };
    // The tcp_sock counters, 4 bytes each, read-only.
    constexpr const char* kCounters[] = {
        "snd_cwnd",      "srtt_us",       "bpf_sock_ops_cb_flags", "state",         "rtt_min",
        "snd_ssthresh",  "rcv_nxt",       "snd_nxt",               "snd_una",       "mss_cache",
        "ecn_flags",     "rate_delivered", "rate_interval_us",     "packets_out",   "retrans_out",
        "total_retrans", "segs_in",       "data_segs_in",          "segs_out",      "data_segs_out",
        "lost_out",      "sacked_out"};
    uint32_t off = 76;
    for (const char* name : kCounters) {
        fields.push_back({name, off, 4, K::Value, false, W});
        off += 4;
    }
    fields.push_back({"sk_txhash", 164, 4, K::Value, true, W});
    fields.push_back({"bytes_received", 168, 8, K::Value, false, D});
    fields.push_back({"bytes_acked", 176, 8, K::Value, false, D});
    fields.push_back({"sk", 184, 8, K::Value, false, D});
    fields.push_back({"skb_data", 192, 8, K::PacketStart});
    fields.push_back({"skb_data_end", 200, 8, K::PacketEnd});
    fields.push_back({"skb_len", 208, 4, K::Value, false, W});
    fields.push_back({"skb_tcp_flags", 212, 4});  // narrow loads allowed
    fields.push_back({"skb_hwtstamp", 216, 8, K::Value, false, D});
    return std::make_unique<FieldContext>("bpf_sock_ops", std::move(fields), sock_ops::kSize);
}

}  // namespace bpfplay
