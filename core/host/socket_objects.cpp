// The host's sockets as kernel objects (socket_objects.hpp).
#include "core/host/socket_objects.hpp"

#include <string_view>

#include "core/btf/builtin_target_btf.hpp"
#include "core/host/kernel_object_writer.hpp"
#include "core/host/kernel_objects.hpp"
#include "core/host/net_model.hpp"

namespace bpfplay {

namespace {

constexpr uint64_t kSockStream = 1, kSockDgram = 2;

uint64_t htons(uint16_t v) { return uint64_t(uint16_t((v >> 8) | (v << 8))); }

std::string_view addr_bytes(const Ipv6& a, bool v4) {
    return std::string_view(reinterpret_cast<const char*>(a.data()), v4 ? 4 : 16);
}

// struct sock_common begins every socket object, full or not.
void write_common(KernelObjectWriter& w, uint64_t at, const HostSocket& s) {
    const bool v4 = s.family == kAfInet;
    constexpr const char* kCommon = "sock_common";
    w.set(at, kCommon, "skc_family", s.family);
    w.set(at, kCommon, "skc_state", kernel_sk_state(s));
    w.set(at, kCommon, "skc_num", s.local_port);
    w.set(at, kCommon, "skc_dport", htons(s.remote_port));
    w.set_bytes(at, kCommon, v4 ? "skc_rcv_saddr" : "skc_v6_rcv_saddr", addr_bytes(s.local_addr, v4));
    w.set_bytes(at, kCommon, v4 ? "skc_daddr" : "skc_v6_daddr", addr_bytes(s.remote_addr, v4));
    w.set(at, kCommon, "skc_bound_dev_if", s.bound_dev_if);
    w.set(at, kCommon, "skc_cookie.counter", s.cookie);
}

// struct sock and struct inet_sock of a full socket; `pinfo` is its struct ipv6_pinfo (0: IPv4).
void write_full(KernelObjectWriter& w, uint64_t at, const HostSocket& s, uint64_t pinfo) {
    const bool tcp = s.protocol == kIpprotoTcp;
    w.set(at, "sock", "sk_protocol", s.protocol);
    w.set(at, "sock", "sk_type", tcp ? kSockStream : kSockDgram);
    w.set(at, "sock", "sk_mark", s.mark);
    w.set(at, "sock", "sk_priority", s.priority);
    w.set(at, "sock", "sk_uid.val", s.uid);
    w.set(at, "inet_sock", "inet_sport", htons(s.local_port));
    if (pinfo) {
        w.set(at, "inet_sock", "pinet6", pinfo);
        w.set_bytes(pinfo, "ipv6_pinfo", "saddr", addr_bytes(s.local_addr, false));
    } else {
        w.set_bytes(at, "inet_sock", "inet_saddr", addr_bytes(s.local_addr, true));
    }
}

// tcp_sock's members that struct bpf_tcp_sock mirrors (bpf_tcp_sock_convert_ctx_access).
void write_tcp(KernelObjectWriter& w, uint64_t at, const HostSocket& s) {
    const TcpInfo& t = s.tcp;
    constexpr const char* kTcp = "tcp_sock";
    const struct {
        const char* path;
        uint64_t value;
    } fields[] = {
        {"snd_cwnd", t.snd_cwnd},         {"srtt_us", t.srtt_us},
        {"rtt_min.s[0].v", t.rtt_min},    {"snd_ssthresh", t.snd_ssthresh},
        {"rcv_nxt", t.rcv_nxt},           {"snd_nxt", t.snd_nxt},
        {"snd_una", t.snd_una},           {"mss_cache", t.mss_cache},
        {"ecn_flags", t.ecn_flags},       {"rate_delivered", t.rate_delivered},
        {"rate_interval_us", t.rate_interval_us}, {"packets_out", t.packets_out},
        {"retrans_out", t.retrans_out},   {"total_retrans", t.total_retrans},
        {"segs_in", t.segs_in},           {"data_segs_in", t.data_segs_in},
        {"segs_out", t.segs_out},         {"data_segs_out", t.data_segs_out},
        {"lost_out", t.lost_out},         {"sacked_out", t.sacked_out},
        {"bytes_received", t.bytes_received}, {"bytes_acked", t.bytes_acked},
        {"dsack_dups", t.dsack_dups},     {"delivered", t.delivered},
        {"delivered_ce", t.delivered_ce}, {"inet_conn.icsk_retransmits", t.icsk_retransmits},
        {"bpf_sock_ops_cb_flags", s.sock_ops_cb_flags},
        // For a congestion control's view (the tcp_reno kfuncs): tcp_init_sock's clamp (none),
        // and the most packets in flight so far taken as those in flight now.
        {"snd_cwnd_clamp", UINT32_MAX},   {"max_packets_out", t.packets_out},
    };
    for (const auto& f : fields) w.set(at, kTcp, f.path, f.value);
}

void write_socket(KernelObjectWriter& w, uint64_t at, const HostSocket& s) {
    write_common(w, at, s);
    const std::string_view type = socket_object_type(s);
    if (type == "tcp_timewait_sock") {
        w.set(at, "inet_timewait_sock", "tw_substate", static_cast<uint64_t>(TcpState::TimeWait));
        return;
    }
    if (type == "tcp_request_sock") return;  // inet_request_sock's ir_* are sock_common's
    const bool v6 = s.family == kAfInet6;
    const uint64_t pinfo = v6 ? w.field_address(at, type, "inet6").value_or(0) : 0;
    write_full(w, at, s, pinfo);
    if (s.protocol == kIpprotoTcp) write_tcp(w, at, s);
}

}  // namespace

uint8_t kernel_sk_state(const HostSocket& s) {
    if (s.protocol == kIpprotoTcp) return uint8_t(s.state);
    return uint8_t(s.remote_port ? TcpState::Established : TcpState::Close);
}

const char* socket_object_type(const HostSocket& s) {
    const bool v6 = s.family == kAfInet6;
    if (s.protocol != kIpprotoTcp) return v6 ? "udp6_sock" : "udp_sock";
    if (s.state == TcpState::TimeWait) return "tcp_timewait_sock";
    if (s.state == TcpState::NewSynRecv) return "tcp_request_sock";
    return v6 ? "tcp6_sock" : "tcp_sock";
}

uint32_t socket_object_stride() {
    static const uint32_t stride = [] {
        const Btf& btf = builtin_target_btf();
        const uint64_t size = btf.resolve_size(*btf.find_by_name("tcp6_sock", BtfKind::Struct)).value();
        return uint32_t((size + 7) & ~uint64_t(7));
    }();
    return stride;
}

uint64_t socket_object_address(uint32_t index, uint32_t count) {
    return tcp_sock_address(count, count) + uint64_t(index) * socket_object_stride();
}

std::optional<uint32_t> socket_object_index(uint64_t addr, uint32_t count) {
    const uint64_t base = socket_object_address(0, count);
    if (addr < base || (addr - base) % socket_object_stride() != 0) return std::nullopt;
    const uint64_t i = (addr - base) / socket_object_stride();
    return i < count ? std::optional<uint32_t>(uint32_t(i)) : std::nullopt;
}

namespace {

uint32_t struct_size8(std::string_view name) {
    const Btf& btf = builtin_target_btf();
    return uint32_t((btf.resolve_size(*btf.find_by_name(name, BtfKind::Struct)).value() + 7) & ~uint64_t(7));
}


// SS_UNCONNECTED and SS_CONNECTED (include/uapi/linux/net.h); FMODE_READ | FMODE_WRITE.
constexpr uint64_t kSsUnconnected = 1, kSsConnected = 3, kFmodeReadWrite = 0x3;

void write_socket_file(KernelObjectWriter& w, uint32_t i, uint32_t n, const HostSocket& s) {
    const uint64_t sock = socket_struct_address(i, n), file = socket_file_address(i, n);
    const uint64_t sk = socket_object_address(i, n);
    const bool tcp = s.protocol == kIpprotoTcp;
    const bool connected = tcp ? s.state == TcpState::Established : s.remote_port != 0;
    w.set(sock, "socket", "state", connected ? kSsConnected : kSsUnconnected);
    w.set(sock, "socket", "type", tcp ? kSockStream : kSockDgram);
    w.set(sock, "socket", "sk", sk);
    w.set(sock, "socket", "file", file);
    w.set(file, "file", "f_op", kSocketFileOps);
    w.set(file, "file", "private_data", sock);
    w.set(file, "file", "f_mode", kFmodeReadWrite);
    // Only full sockets are attached to a struct socket (a time-wait or request sock is not).
    if (full_socket(s)) w.set(sk, "sock", "sk_socket", sock);
}

}  // namespace

// One struct socket then one struct file per socket, after the socket objects.
uint32_t socket_file_pair_stride() {
    static const uint32_t stride = struct_size8("socket") + struct_size8("file");
    return stride;
}

uint64_t socket_struct_address(uint32_t index, uint32_t count) {
    return socket_object_address(count, count) + uint64_t(index) * socket_file_pair_stride();
}

uint64_t socket_file_address(uint32_t index, uint32_t count) {
    return socket_struct_address(index, count) + struct_size8("socket");
}

std::vector<uint8_t> build_socket_objects(const std::vector<HostSocket>& sockets, std::vector<std::string>* errors) {
    const uint32_t n = uint32_t(sockets.size());
    KernelObjectWriter w(builtin_target_btf(), socket_object_address(0, n));
    // All slots first, so that what a pointer path allocates comes after them.
    w.allocate_bytes(uint64_t(n) * socket_object_stride());
    w.allocate_bytes(uint64_t(n) * socket_file_pair_stride());
    for (uint32_t i = 0; i < n; ++i) write_socket(w, socket_object_address(i, n), sockets[i]);
    for (uint32_t i = 0; i < n; ++i) write_socket_file(w, i, n, sockets[i]);
    if (errors) *errors = w.errors();
    return w.take_bytes();
}

}  // namespace bpfplay
