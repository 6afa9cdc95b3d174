#include "core/host/net_model.hpp"

#include <cstdio>

#include "core/host/socket_cookie.hpp"

namespace bpfplay {

namespace {

Ipv6 v4_in_v6(Ipv4 a) {
    return {a[0], a[1], a[2], a[3]};
}

} // namespace

const char* tcp_state_name(TcpState s) {
    static const char* const kNames[] = {"?",         "ESTABLISHED", "SYN_SENT",    "SYN_RECV",   "FIN_WAIT1",
                                         "FIN_WAIT2", "TIME_WAIT",   "CLOSE",       "CLOSE_WAIT", "LAST_ACK",
                                         "LISTEN",    "CLOSING",     "NEW_SYN_RECV"};
    const auto i = static_cast<uint32_t>(s);
    return i < std::size(kNames) ? kNames[i] : "?";
}

std::string format_mac(const Mac& mac) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
                  mac[5]);
    return buf;
}

const NetDevice* Network::device(uint32_t ifindex) const {
    for (const NetDevice& d : devices)
        if (d.ifindex == ifindex) return &d;
    return nullptr;
}

std::string Network::device_label(uint32_t ifindex) const {
    const NetDevice* d = device(ifindex);
    const std::string index = "ifindex " + std::to_string(ifindex);
    return d ? d->name + " (" + index + ")" : index;
}

std::vector<NetDevice> Network::default_devices() {
    NetDevice lo{1, "lo", {}, 65536, true, 1, false, {{{127, 0, 0, 1}, 8}}, {}, std::nullopt};
    lo.ipv6.push_back({{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128});
    NetDevice eth0{2, "eth0", {2, 0, 0, 0, 0, 2}, 1500, true, 1, true, {{{10, 0, 0, 2}, 24}}, {}, std::nullopt};
    eth0.ipv6.push_back({{0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}, 64});
    NetDevice eth1{3, "eth1", {2, 0, 0, 0, 1, 2}, 1500, true, 1, true, {{{10, 0, 1, 2}, 24}}, {}, std::nullopt};
    eth1.ipv6.push_back({{0xfd, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}, 64});
    return {lo, eth0, eth1};
}

std::span<const TcpInfoField> tcp_info_fields() {
    static constexpr TcpInfoField kFields[] = {
        {"snd_cwnd", offsetof(TcpInfo, snd_cwnd), sizeof(TcpInfo::snd_cwnd)},
        {"srtt_us", offsetof(TcpInfo, srtt_us), sizeof(TcpInfo::srtt_us)},
        {"rtt_min", offsetof(TcpInfo, rtt_min), sizeof(TcpInfo::rtt_min)},
        {"snd_ssthresh", offsetof(TcpInfo, snd_ssthresh), sizeof(TcpInfo::snd_ssthresh)},
        {"rcv_nxt", offsetof(TcpInfo, rcv_nxt), sizeof(TcpInfo::rcv_nxt)},
        {"snd_nxt", offsetof(TcpInfo, snd_nxt), sizeof(TcpInfo::snd_nxt)},
        {"snd_una", offsetof(TcpInfo, snd_una), sizeof(TcpInfo::snd_una)},
        {"mss_cache", offsetof(TcpInfo, mss_cache), sizeof(TcpInfo::mss_cache)},
        {"ecn_flags", offsetof(TcpInfo, ecn_flags), sizeof(TcpInfo::ecn_flags)},
        {"rate_delivered", offsetof(TcpInfo, rate_delivered), sizeof(TcpInfo::rate_delivered)},
        {"rate_interval_us", offsetof(TcpInfo, rate_interval_us), sizeof(TcpInfo::rate_interval_us)},
        {"packets_out", offsetof(TcpInfo, packets_out), sizeof(TcpInfo::packets_out)},
        {"retrans_out", offsetof(TcpInfo, retrans_out), sizeof(TcpInfo::retrans_out)},
        {"total_retrans", offsetof(TcpInfo, total_retrans), sizeof(TcpInfo::total_retrans)},
        {"segs_in", offsetof(TcpInfo, segs_in), sizeof(TcpInfo::segs_in)},
        {"data_segs_in", offsetof(TcpInfo, data_segs_in), sizeof(TcpInfo::data_segs_in)},
        {"segs_out", offsetof(TcpInfo, segs_out), sizeof(TcpInfo::segs_out)},
        {"data_segs_out", offsetof(TcpInfo, data_segs_out), sizeof(TcpInfo::data_segs_out)},
        {"lost_out", offsetof(TcpInfo, lost_out), sizeof(TcpInfo::lost_out)},
        {"sacked_out", offsetof(TcpInfo, sacked_out), sizeof(TcpInfo::sacked_out)},
        {"bytes_received", offsetof(TcpInfo, bytes_received), sizeof(TcpInfo::bytes_received)},
        {"bytes_acked", offsetof(TcpInfo, bytes_acked), sizeof(TcpInfo::bytes_acked)},
        {"dsack_dups", offsetof(TcpInfo, dsack_dups), sizeof(TcpInfo::dsack_dups)},
        {"delivered", offsetof(TcpInfo, delivered), sizeof(TcpInfo::delivered)},
        {"delivered_ce", offsetof(TcpInfo, delivered_ce), sizeof(TcpInfo::delivered_ce)},
        {"icsk_retransmits", offsetof(TcpInfo, icsk_retransmits), sizeof(TcpInfo::icsk_retransmits)},
    };
    return kFields;
}

std::array<uint8_t, 32> Network::default_syncookie_secret() {
    std::array<uint8_t, 32> k{};
    for (uint32_t i = 0; i < k.size(); ++i) k[i] = uint8_t(0x11 * (i % 16) + i / 16);
    return k;
}

std::optional<uint32_t> Network::program_socket_index() const {
    if (program_socket != kAutoSocket)
        return program_socket < sockets.size() ? std::optional<uint32_t>(program_socket) : std::nullopt;
    for (uint32_t i = 0; i < sockets.size(); ++i)
        if (sockets[i].protocol == kIpprotoTcp && sockets[i].state == TcpState::Established) return i;
    return std::nullopt;
}

std::vector<HostSocket> Network::default_sockets() {
    HostSocket listener;
    listener.cookie = kFirstSocketCookie;
    listener.local_port = 80;
    listener.uid = 33; // www-data
    HostSocket conn;
    conn.cookie = kFirstSocketCookie + 1;
    conn.local_addr = v4_in_v6({10, 0, 0, 2});
    conn.local_port = 8080;
    conn.remote_addr = v4_in_v6({10, 0, 0, 1});
    conn.remote_port = 40000;
    conn.state = TcpState::Established;
    HostSocket dns;
    dns.cookie = kFirstSocketCookie + 2;
    dns.protocol = kIpprotoUdp;
    dns.local_addr = v4_in_v6({10, 0, 0, 2});
    dns.local_port = 53;
    dns.state = TcpState::Close;
    dns.uid = 101;
    return {listener, conn, dns};
}

std::vector<Route> Network::default_routes() {
    Route v4;
    v4.gateway = v4_in_v6({10, 0, 0, 1});
    v4.ifindex = 2;
    Route v6;
    v6.family = kAfInet6;
    v6.gateway = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    v6.ifindex = 2;
    v6.metric = 1024;
    return {v4, v6};
}

std::vector<Neighbour> Network::default_neighbours() {
    return {
        {2, kAfInet, v4_in_v6({10, 0, 0, 1}), {2, 0, 0, 0, 0, 1}},
        {2, kAfInet6, {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, {2, 0, 0, 0, 0, 1}},
        {3, kAfInet, v4_in_v6({10, 0, 1, 1}), {2, 0, 0, 0, 1, 1}},
    };
}

} // namespace bpfplay
