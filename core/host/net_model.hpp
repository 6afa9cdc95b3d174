#pragma once
// The emulated host's network: its devices, its sockets, the device a packet arrives on, and
// what the running program asked the kernel to do with the packet (a redirect target, socket
// references it holds). Plain settings, like the rest of Host, so runs are reproducible.
//
// The defaults give a machine with three devices:
//
//   ifindex  name  MAC                 MTU    IPv4           IPv6
//   1        lo    00:00:00:00:00:00   65536  127.0.0.1/8    ::1/128
//   2        eth0  02:00:00:00:00:02   1500   10.0.0.2/24    fd00::2/64
//   3        eth1  02:00:00:00:01:02   1500   10.0.1.2/24    fd00:1::2/64
//
// Packets arrive on lo (ifindex 1), as they do under the kernel's BPF_PROG_TEST_RUN. The
// bundled examples' packets go from 10.0.0.1 (02:00:00:00:00:01) to 10.0.0.2, eth0's address.
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <optional>
#include <string>
#include <vector>

#include "core/host/conntrack.hpp"

namespace bpfplay {

using Mac = std::array<uint8_t, 6>;
using Ipv4 = std::array<uint8_t, 4>; // network byte order, as on the wire
using Ipv6 = std::array<uint8_t, 16>;

struct Ipv4Net {
    Ipv4 addr{};
    uint8_t prefix_len = 32;
    friend bool operator==(const Ipv4Net&, const Ipv4Net&) = default;
};
struct Ipv6Net {
    Ipv6 addr{};
    uint8_t prefix_len = 128;
    friend bool operator==(const Ipv6Net&, const Ipv6Net&) = default;
};

// What a device's driver tells a device-bound XDP program about the frame it received (the
// bpf_xdp_metadata_rx_* kfuncs its xdp_metadata_ops implement, as veth's and mlx5's do). A value
// left unset is one the driver has not for this frame: the kfunc answers -ENODATA.
struct XdpRxMetadata {
    std::optional<uint64_t> timestamp; // rx hardware timestamp, ns
    std::optional<uint32_t> hash;      // the RSS hash...
    uint32_t rss_type = 0;             // ...and its enum xdp_rss_hash_type
    std::optional<uint16_t> vlan_tci;  // the stripped VLAN tag's TCI...
    uint16_t vlan_proto = 0x8100;      // ...and its protocol (host order; the kfunc gives __be16)
    friend bool operator==(const XdpRxMetadata&, const XdpRxMetadata&) = default;
};

struct NetDevice {
    uint32_t ifindex = 0;
    std::string name;
    Mac mac{};
    uint32_t mtu = 1500;
    bool up = true;
    uint32_t rx_queues = 1; // real_num_rx_queues: rx_queue_index must be below it
    // net.ipv4.conf.<dev>.forwarding (and IPv6's): bpf_fib_lookup answers
    // BPF_FIB_LKUP_RET_FWD_DISABLED for packets arriving on a device without it. Linux's
    // default is off (as on lo here); eth0 and eth1 of the default host forward.
    bool forwarding = false;
    std::vector<Ipv4Net> ipv4;
    std::vector<Ipv6Net> ipv6;
    // Its driver's rx metadata for a device-bound XDP program; nullopt: the driver implements
    // none (no xdp_metadata_ops: the kernel's generic kfuncs answer -EOPNOTSUPP), as for lo.
    std::optional<XdpRxMetadata> rx_metadata;
    friend bool operator==(const NetDevice&, const NetDevice&) = default;
};

// TCP states as the kernel numbers them (include/net/tcp_states.h; bpf_sock.state).
enum class TcpState : uint8_t {
    Established = 1,
    SynSent = 2,
    SynRecv = 3,
    FinWait1 = 4,
    FinWait2 = 5,
    TimeWait = 6,
    Close = 7,
    CloseWait = 8,
    LastAck = 9,
    Listen = 10,
    Closing = 11,
    NewSynRecv = 12,
};
const char* tcp_state_name(TcpState s); // "ESTABLISHED", "LISTEN", ...

constexpr uint32_t kAfInet = 2, kAfInet6 = 10;        // AF_INET, AF_INET6
constexpr uint32_t kIpprotoTcp = 6, kIpprotoUdp = 17; // IPPROTO_TCP, IPPROTO_UDP

// What a TCP socket's struct tcp_sock holds that struct bpf_tcp_sock shows (bpf_tcp_sock()),
// under the same names. The defaults are a fresh socket's (tcp_init_sock): an initial window of
// TCP_INIT_CWND segments, no slow-start threshold yet (TCP_INFINITE_SSTHRESH), the default MSS,
// no RTT sample (rtt_min ~0), nothing sent or received. The host JSON's "tcp" member edits them.
struct TcpInfo {
    uint32_t snd_cwnd = 10, srtt_us = 0, rtt_min = UINT32_MAX, snd_ssthresh = 0x7fffffff;
    uint32_t rcv_nxt = 0, snd_nxt = 0, snd_una = 0, mss_cache = 536, ecn_flags = 0;
    uint32_t rate_delivered = 0, rate_interval_us = 0, packets_out = 0, retrans_out = 0, total_retrans = 0;
    uint32_t segs_in = 0, data_segs_in = 0, segs_out = 0, data_segs_out = 0, lost_out = 0, sacked_out = 0;
    uint64_t bytes_received = 0, bytes_acked = 0;
    uint32_t dsack_dups = 0, delivered = 0, delivered_ce = 0, icsk_retransmits = 0;
    friend bool operator==(const TcpInfo&, const TcpInfo&) = default;
};

// TcpInfo is laid out as struct bpf_tcp_sock (<linux/bpf.h>): the view is a copy of it.
static_assert(sizeof(TcpInfo) == 112 && offsetof(TcpInfo, bytes_received) == 80 &&
              offsetof(TcpInfo, icsk_retransmits) == 108);

// The fields by name, offset and size, in the struct's order (the host JSON's "tcp" members).
struct TcpInfoField {
    const char* name;
    uint32_t offset, size;
};
std::span<const TcpInfoField> tcp_info_fields();

// A socket of the host's network namespace. Addresses of an IPv4 socket are in the first 4
// bytes of the Ipv6 arrays. A listening TCP socket or an unconnected UDP socket has no remote
// side (remote port 0); a local address of all zeros is bound to every address (INADDR_ANY).
struct HostSocket {
    uint64_t cookie = 0;       // bpf_get_socket_cookie's value; unique, never 0
    uint32_t family = kAfInet; // kAfInet or kAfInet6
    uint32_t protocol = kIpprotoTcp;
    Ipv6 local_addr{};
    uint16_t local_port = 0; // host byte order
    Ipv6 remote_addr{};
    uint16_t remote_port = 0;
    TcpState state = TcpState::Listen; // TCP only; UDP sockets report 7 (TCP_CLOSE) as the kernel does
    uint32_t uid = 1000;
    uint32_t bound_dev_if = 0; // SO_BINDTODEVICE ifindex, 0 for none
    uint32_t mark = 0, priority = 0;
    bool reuseport = false; // SO_REUSEPORT: the socket may be put in a reuseport_sockarray
    // tcp_sock.bpf_sock_ops_cb_flags (BPF_SOCK_OPS_*_CB_FLAG): which optional sock_ops callbacks
    // (RTO, retransmit, state change, RTT, header options) the kernel makes for this socket.
    uint32_t sock_ops_cb_flags = 0;
    // Socket options set on it (bpf_setsockopt, or the host JSON), by name ("SO_RCVBUF",
    // "TCP_NODELAY", "IP_TOS"); an option not here has the kernel's default (sockopt_table.hpp).
    // SO_MARK, SO_PRIORITY, SO_REUSEPORT and SO_BINDTODEVICE are the members above.
    std::map<std::string, int32_t> options;
    std::string congestion = "cubic"; // TCP_CONGESTION
    // The cgroup (Host::cgroups id) the socket was created in (sk->sk_cgrp_data):
    // bpf_sk_cgroup_id. A request socket reports its listener's.
    uint64_t cgroup_id = 1;
    TcpInfo tcp; // TCP only
    // A listener whose SYN queue is full (a SYN flood): the kernel answers SYNs with syncookies,
    // and its queue overflowed recently, so an ACK may carry a cookie (bpf_tcp_check_syncookie).
    bool syn_flood = false;

    bool listening() const { return protocol == kIpprotoTcp && state == TcpState::Listen; }
    friend bool operator==(const HostSocket&, const HostSocket&) = default;
};
// sk_fullsock(): not a timewait or request (NEW_SYN_RECV) mini socket.
inline bool full_socket(const HostSocket& s) { return s.state != TcpState::TimeWait && s.state != TcpState::NewSynRecv; }

// A route of the main table (ip route). The kernel's connected routes (each device address's
// prefix) and local routes (the host's own addresses) need no entry: the lookup adds them.
enum class RouteType : uint8_t { Unicast, Blackhole, Unreachable, Prohibit };
struct Route {
    uint32_t family = kAfInet;
    Ipv6 dst{};             // the prefix (IPv4 in the first 4 bytes)
    uint8_t prefix_len = 0; // 0: the default route
    Ipv6 gateway{};         // all zeros: on-link (no gateway)
    uint32_t ifindex = 0;   // the device it leaves by (unicast routes)
    uint32_t metric = 0;
    RouteType type = RouteType::Unicast;
    friend bool operator==(const Route&, const Route&) = default;
};

// A neighbour table entry (ip neigh) in a valid state (REACHABLE, STALE, PERMANENT, ...).
struct Neighbour {
    uint32_t ifindex = 0;
    uint32_t family = kAfInet;
    Ipv6 addr{};
    Mac mac{};
    friend bool operator==(const Neighbour&, const Neighbour&) = default;
};

// A packet's tunnel metadata: the part of the kernel's struct ip_tunnel_info that bpf programs
// see (bpf_skb_get/set_tunnel_key, _opt). A packet received through a collect_md tunnel device
// (gre, vxlan, geneve in "external" mode) carries it as its metadata dst, for RX; a tc program's
// bpf_skb_set_tunnel_key gives it one for TX, which such a device the packet is then sent to
// encapsulates the packet with. Addresses are kept as the kernel keeps them: `src` is the outer
// header's source (for a received packet, the remote end), IPv4 in the first 4 bytes.
struct TunnelInfo {
    bool tx = false;    // IP_TUNNEL_INFO_TX: set by bpf_skb_set_tunnel_key (else: received)
    bool ipv6 = false;  // IP_TUNNEL_INFO_IPV6
    uint64_t id = 0;    // tun_id: the VNI, GRE key... (host order)
    Ipv6 src{}, dst{};
    uint8_t tos = 0, ttl = 0;
    uint32_t label = 0;  // IPv6 flow label (20 bits)
    // tun_flags as the kernel's (pre-6.9) __be16 layout in host order, which
    // BPF_F_TUNINFO_FLAGS hands out: TUNNEL_CSUM 0x01, TUNNEL_KEY 0x04, TUNNEL_SEQ 0x08,
    // TUNNEL_DONT_FRAGMENT 0x100, TUNNEL_OAM 0x200, TUNNEL_GENEVE_OPT 0x800, TUNNEL_VXLAN_OPT 0x1000,
    // TUNNEL_NOCACHE 0x2000, TUNNEL_ERSPAN_OPT 0x4000, TUNNEL_GTP_OPT 0x8000.
    uint16_t flags = 0;
    std::vector<uint8_t> options;  // geneve TLVs, the vxlan GBP word, the erspan metadata
    friend bool operator==(const TunnelInfo&, const TunnelInfo&) = default;
};
constexpr uint16_t kTunnelCsum = 0x01, kTunnelKey = 0x04, kTunnelSeq = 0x08, kTunnelDontFragment = 0x100,
                   kTunnelGeneveOpt = 0x800, kTunnelVxlanOpt = 0x1000, kTunnelNocache = 0x2000,
                   kTunnelErspanOpt = 0x4000, kTunnelGtpOpt = 0x8000;
constexpr uint16_t kTunnelOptionsPresent = kTunnelGeneveOpt | kTunnelVxlanOpt | kTunnelErspanOpt | kTunnelGtpOpt;
constexpr uint32_t kTunnelOptsMax = 255;  // IP_TUNNEL_OPTS_MAX: options_len is a u8

// "key 42 from 10.0.0.2 to 192.0.2.1, tos 0, ttl 64" (the outer header's source and
// destination), then the flow label, flags and options when set: for the event log.
std::string describe_tunnel(const TunnelInfo& t);
// A tunnel's outer address as inet_ntop writes it ("192.0.2.1", "2001:db8::1").
std::string inet_address_text(const Ipv6& a, bool ipv6);

// One IPsec state of a packet's security path (skb->sp->xvec[i]): the state the packet was
// decrypted by, for bpf_skb_get_xfrm_state.
struct XfrmState {
    uint32_t reqid = 0;
    uint32_t spi = 0;          // host order (the kernel keeps it as __be32)
    uint32_t family = kAfInet; // of the remote (outer source) address
    Ipv6 remote{};             // x->props.saddr, IPv4 in the first 4 bytes
    friend bool operator==(const XfrmState&, const XfrmState&) = default;
};

// SkMsg: a message sent on a socket (sk_msg); SkSkb: an skb received on one (sk_skb verdict);
// SkSkbParser: the same skb given to a stream parser (which returns a message length).
// LwtIn / LwtOut / LwtXmit: a packet on a route with a BPF lightweight tunnel (ip route ... encap bpf
// in / out / xmit): routed input, output, and transmit, seen from its IP header on.
// LwtSeg6local: an IPv6 packet with a Segment Routing Header at a seg6local End.BPF route.
enum class PacketHook : uint8_t { None, Xdp, Tc, SocketFilter, SkMsg, SkSkb, SkSkbParser, LwtIn, LwtOut, LwtXmit,
                                  LwtSeg6local };

// Where bpf_msg_redirect_map/hash (sk_msg->sk_redir) or bpf_sk_redirect_map/hash (the skb's
// redirect) send the message or skb if the program returns SK_PASS.
struct SockRedirect {
    bool set = false;
    uint32_t socket = 0;   // index in Network::sockets
    bool ingress = false;  // BPF_F_INGRESS: onto the socket's receive queue; else sent out of it
    std::string map;       // "sockhash \"by_port\""
    friend bool operator==(const SockRedirect&, const SockRedirect&) = default;
};

// Where bpf_redirect_map sends a packet: a device (devmap, or bpf_redirect), a CPU (cpumap) or an
// AF_XDP socket (xskmap).
enum class RedirectKind : uint8_t { Device, Cpu, XdpSocket };

// What bpf_redirect / bpf_redirect_map left in the CPU's bpf_redirect_info for this run.
struct RedirectTarget {
    bool set = false;
    uint32_t ifindex = 0;            // the device (for a devmap: the device its entry names)
    uint64_t flags = 0;              // BPF_F_INGRESS (TC), BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS (devmap)
    std::string map;                 // the devmap's name, empty for bpf_redirect
    std::vector<uint32_t> broadcast; // BPF_F_BROADCAST: every device of the devmap, in key order
    RedirectKind kind = RedirectKind::Device;
    uint32_t index = 0;              // cpumap: the CPU; xskmap: the key
    uint32_t socket = 0;             // xskmap: the socket (the fd user space stored)
    friend bool operator==(const RedirectTarget&, const RedirectTarget&) = default;
};

// lwt_seg6local (End.BPF): the kernel's per-CPU struct seg6_bpf_srh_state (the SRH as an
// offset from data, its length as the helpers left it, whether it must be validated again) and
// where bpf_lwt_seg6_action last routed the packet (the event log's words; empty: not routed).
struct Seg6SrhState {
    bool srh = false;
    uint32_t off = 0;
    uint16_t hdrlen = 0;
    bool valid = false;
    std::string route;
    friend bool operator==(const Seg6SrhState&, const Seg6SrhState&) = default;
};

// One struct nf_conn of a run: an entry of the table (Network::conntrack[table_index]) or one
// the program allocated (bpf_xdp_ct_alloc) and has not inserted yet (`entry` holds it), or one
// it allocated and gave back (a failed bpf_ct_insert_entry frees it: nf_conntrack_free), or an
// entry a lookup's garbage collection took out of the table while the program still held it
// (Removed: `entry` holds what it was).
struct CtObject {
    enum class State : uint8_t { InTable, Allocated, Freed, Removed };
    State state = State::InTable;
    int32_t table_index = -1;
    ConntrackEntry entry;
    uint32_t use = 1; // ct_general.use: the table's reference plus the program's
    friend bool operator==(const CtObject&, const CtObject&) = default;
};

// What one run changed in the network's state. Helpers write it; the runner resets it at the
// start of each run; the debugger saves it before each helper call to step back over it.
struct NetRun {
    PacketHook hook = PacketHook::None;
    RedirectTarget redirect;
    // Sockets the program acquired (bpf_sk_lookup_*, bpf_skc_lookup_tcp) and has not released:
    // the socket's index in Network::sockets, in acquisition order.
    std::vector<uint32_t> held_sockets;
    // BPF_PROG_TEST_RUN gives its skb a socket of its own (owned by root); its cookie is
    // generated the first time a program asks for it (0 until then).
    uint64_t skb_cookie = 0;
    SockRedirect sock_redirect;
    // bpf_sk_assign at tc ingress: the socket (index in Network::sockets) the packet is
    // delivered to if it goes on up the stack.
    std::optional<uint32_t> assigned_socket;
    // sk_reuseport: the socket bpf_sk_select_reuseport picked (index in Network::sockets), which
    // the packet goes to if the program returns SK_PASS.
    std::optional<uint32_t> reuseport_socket;
    // Listeners bpf_tcp_gen_syncookie marked as having answered with a cookie just now
    // (tcp_synq_overflow): a later bpf_tcp_check_syncookie in the same run accepts cookies there.
    std::vector<uint32_t> cookie_listeners;
    // sk_msg: bpf_msg_apply_bytes (the verdict covers that many bytes) and bpf_msg_cork_bytes
    // (the program runs again once that many bytes are queued); 0: not set.
    uint32_t apply_bytes = 0, cork_bytes = 0;
    // sock_ops header options (bpf_sock_ops_kern.remaining_opt_len): the TCP option bytes the
    // program may still reserve (HDR_OPT_LEN_CB) or write (WRITE_HDR_OPT_CB); how many it
    // reserved or wrote.
    uint32_t hdr_opt_left = 0, hdr_opt_used = 0;
    // The TX tunnel metadata bpf_skb_set_tunnel_key attached (the kernel's per-CPU md_dst), which
    // replaces the received packet's (Network::rx_tunnel) for the rest of the run.
    std::optional<TunnelInfo> tx_tunnel;
    Seg6SrhState seg6;
    // The run's struct nf_conn objects (conntrack_objects.hpp), object i at conntrack_address(i):
    // the table's entries as the run started, then the ones the program allocated. Filled by
    // the first conntrack kfunc of the run (ct_started).
    std::vector<CtObject> ct_objects;
    bool ct_started = false;
    friend bool operator==(const NetRun&, const NetRun&) = default;
};

struct Network {
    std::vector<NetDevice> devices = default_devices();
    std::vector<HostSocket> sockets = default_sockets();
    std::vector<Route> routes = default_routes();
    std::vector<Neighbour> neighbours = default_neighbours();
    uint32_t ingress_ifindex = 1; // xdp_md.ingress_ifindex, __sk_buff.ifindex
    uint32_t rx_queue_index = 0;  // xdp_md.rx_queue_index
    // The socket sk_msg, sk_skb and sock_ops programs run on (a message sent on it, an skb
    // received on it): an index into `sockets`; kAutoSocket: the first established TCP socket.
    static constexpr uint32_t kAutoSocket = UINT32_MAX;
    uint32_t program_socket = kAutoSocket;
    // program_socket resolved: nullopt when the host has no such socket.
    std::optional<uint32_t> program_socket_index() const;
    // The last socket cookie the host generated (the kernel's cookie counter; cookies of
    // Network::sockets are skipped).
    uint64_t last_cookie = 0;
    // The program runs at tc ingress (skb->tc_at_ingress), as one attached to a clsact ingress
    // hook does. Off by default: BPF_PROG_TEST_RUN's skb is not at tc ingress, so
    // bpf_sk_assign answers -EOPNOTSUPP there.
    bool tc_ingress = false;
    // net.ipv4.tcp_syncookies: 0 never, 1 when a listener's SYN queue is full (the default),
    // 2 always.
    uint32_t tcp_syncookies = 1;
    // The kernel draws its syncookie keys (syncookie_secret[2], SipHash keys) at random once
    // per boot; the emulated host takes them from here (first 16 bytes: the key hashing the
    // four-tuple, last 16: the one mixing in the minute counter), so cookies are reproducible.
    std::array<uint8_t, 32> syncookie_secret = default_syncookie_secret();
    static std::array<uint8_t, 32> default_syncookie_secret();
    // The metadata of the packet tc programs see when it arrived through a collect_md tunnel
    // device (host JSON "rx_tunnel"); none by default, as a test run's skb has no dst.
    std::optional<TunnelInfo> rx_tunnel;
    // The IPsec states that decrypted the packet, outermost first (host JSON "rx_sec_path");
    // empty by default: the packet came in the clear.
    std::vector<XfrmState> rx_sec_path;
    // The connection tracking table (conntrack.hpp, host JSON "conntrack"): empty by default.
    // bpf_ct_insert_entry adds to it, and the entries stay for the next runs.
    std::vector<ConntrackEntry> conntrack;
    NetRun run;

    // The tunnel metadata the run's skb carries now: what the program set, else what it arrived with.
    const TunnelInfo* skb_tunnel() const { return run.tx_tunnel ? &*run.tx_tunnel : rx_tunnel ? &*rx_tunnel : nullptr; }

    const NetDevice* device(uint32_t ifindex) const;
    // "eth1 (ifindex 3)", or "ifindex 9" when there is no such device.
    std::string device_label(uint32_t ifindex) const;

    static std::vector<NetDevice> default_devices();
    // Two sockets of a small web server on eth0: a listener on *:80 and one connection from
    // 10.0.0.1:40000, plus a DNS resolver's UDP socket on 10.0.0.2:53 (see net_model.cpp).
    static std::vector<HostSocket> default_sockets();
    // default via 10.0.0.1 dev eth0, default via fd00::1 dev eth0 (metric 1024, as Linux gives
    // IPv6 routes); neighbours 10.0.0.1 / fd00::1 = 02:00:00:00:00:01 on eth0 (the examples'
    // sender) and 10.0.1.1 = 02:00:00:00:01:01 on eth1.
    static std::vector<Route> default_routes();
    static std::vector<Neighbour> default_neighbours();
};

std::string format_mac(const Mac& mac); // "02:00:00:00:00:02"

} // namespace bpfplay
