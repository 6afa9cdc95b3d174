#include "core/run/sk_reuseport_context.hpp"

#include <cstring>

#include "core/host/kernel_objects.hpp"
#include "core/host/net_model.hpp"
#include "core/maps/jhash.hpp"
#include "core/memory.hpp"
#include "core/run/object_session.hpp"
#include "core/run/socket_helpers.hpp"
#include "core/run/uapi_consts.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

using uapi::kEthHeaderLen, uapi::kIpv6HeaderLen, uapi::kUdpHeaderLen, uapi::kTcpHeaderLen;
using uapi::kSkPass;

namespace md = sk_reuseport_md;

// The packet's addresses and ports as the lookup reads them (ports in host order).
struct Flow {
    uint32_t family = kAfInet, protocol = 0;
    Ipv6 saddr{}, daddr{};
    uint16_t sport = 0, dport = 0;
    uint32_t transport = 0, end = 0;  // frame offsets; end: the IP packet's end
};

Error bad_packet(const std::string& why) {
    return make_error(ErrorKind::Load, "an sk_reuseport program runs on a TCP or UDP packet's socket lookup, but " + why,
                      std::nullopt,
                      "Give an Ethernet frame carrying IPv4 or IPv6 (no extension headers), then a TCP or UDP header.");
}

Result<Flow> parse_flow(const std::vector<uint8_t>& f) {
    Flow flow;
    if (f.size() < kEthHeaderLen) return bad_packet("the packet is shorter than an Ethernet header (14 bytes)");
    const uint16_t ethertype = uint16_t(f[12] << 8 | f[13]);
    uint32_t ip_len = 0;
    if (ethertype == 0x0800) {
        if (f.size() < kEthHeaderLen + 20u || (f[14] >> 4) != 4 || (f[14] & 0xf) < 5)
            return bad_packet("its IPv4 header is cut short or malformed");
        const uint32_t ihl = (f[14] & 0xfu) * 4;
        ip_len = uint32_t(f[16] << 8 | f[17]);
        if (ip_len < ihl) return bad_packet("its IPv4 total length is shorter than its header");
        flow.protocol = f[23];
        std::memcpy(flow.saddr.data(), &f[26], 4);
        std::memcpy(flow.daddr.data(), &f[30], 4);
        flow.transport = kEthHeaderLen + ihl;
    } else if (ethertype == 0x86dd) {
        if (f.size() < kEthHeaderLen + kIpv6HeaderLen) return bad_packet("its IPv6 header is cut short");
        flow.family = kAfInet6;
        ip_len = kIpv6HeaderLen + uint32_t(f[18] << 8 | f[19]);
        flow.protocol = f[20];
        std::memcpy(flow.saddr.data(), &f[22], 16);
        std::memcpy(flow.daddr.data(), &f[38], 16);
        flow.transport = kEthHeaderLen + kIpv6HeaderLen;
    } else {
        return bad_packet("its EtherType is not IPv4 (0x0800) or IPv6 (0x86dd)");
    }
    // ip_rcv_core drops a packet longer than its frame, and trims the frame's padding off.
    if (kEthHeaderLen + uint64_t(ip_len) > f.size())
        return bad_packet("its IP header says " + std::to_string(ip_len) + " bytes and the frame holds fewer");
    flow.end = kEthHeaderLen + ip_len;
    if (flow.protocol != kIpprotoTcp && flow.protocol != kIpprotoUdp)
        return bad_packet("its IP protocol is " + std::to_string(flow.protocol) + ", not TCP (6) or UDP (17)");
    const uint32_t need = flow.protocol == kIpprotoTcp ? kTcpHeaderLen : kUdpHeaderLen;
    if (flow.end < flow.transport + need) return bad_packet("its transport header is cut short");
    if (flow.protocol == kIpprotoTcp && (f[flow.transport + 12] >> 4) * 4u < kTcpHeaderLen)
        return bad_packet("its TCP data offset is below 5 words");
    if (flow.protocol == kIpprotoUdp) {
        // __udp4_lib_rcv / __udp6_lib_rcv: a UDP length past the packet drops it, a shorter one
        // trims the skb to it.
        const uint32_t ulen = uint32_t(f[flow.transport + 4] << 8 | f[flow.transport + 5]);
        if (ulen < kUdpHeaderLen || flow.transport + ulen > flow.end)
            return bad_packet("its UDP length (" + std::to_string(ulen) + ") does not fit the packet");
        flow.end = flow.transport + ulen;
    }
    flow.sport = uint16_t(f[flow.transport] << 8 | f[flow.transport + 1]);
    flow.dport = uint16_t(f[flow.transport + 2] << 8 | f[flow.transport + 3]);
    return flow;
}

// The lookup's view of the packet: the sender is the remote side, the destination the socket's.
SocketTuple tuple_of(const Flow& flow) {
    return SocketTuple{flow.family, {flow.saddr, flow.sport}, {flow.daddr, flow.dport}};
}

// inet_ehashfn / udp_ehashfn (inet6_ehashfn for IPv6) with the per-boot secrets taken as 0.
uint32_t flow_hash(const Flow& flow) {
    auto jhash_3words = [](uint32_t a, uint32_t b, uint32_t c) {
        uint8_t w[12];
        std::memcpy(w, &a, 4);
        std::memcpy(w + 4, &b, 4);
        std::memcpy(w + 8, &c, 4);
        return jhash2(w, 3, 0);
    };
    auto word = [](const Ipv6& a, uint32_t i) {
        uint32_t v;
        std::memcpy(&v, a.data() + 4 * i, 4);
        return v;
    };
    const uint32_t be_sport = uint32_t(flow.sport >> 8 | (flow.sport & 0xff) << 8);
    const uint32_t ports = uint32_t(flow.dport) << 16 | be_sport;
    if (flow.family == kAfInet) return jhash_3words(word(flow.daddr, 0), word(flow.saddr, 0), ports);
    // lhash: the local address's last word; fhash: __ipv6_addr_jhash of the remote one.
    const uint32_t fhash =
        jhash_3words(word(flow.saddr, 0) ^ word(flow.saddr, 1), word(flow.saddr, 2), word(flow.saddr, 3));
    return jhash_3words(word(flow.daddr, 3), fhash, ports);
}

// The context input's hash field when non-zero, else the flow's.
uint32_t run_hash(const RunInput& in, const Flow& flow) {
    const uint32_t given = in.ctx.size() >= md::kHash + 4 ? load_le<uint32_t>(&in.ctx[md::kHash]) : 0;
    return given ? given : flow_hash(flow);
}


}  // namespace

std::string reuseport_socket_text(const Network& net, uint32_t index) {
    const HostSocket& s = net.sockets[index];
    return "socket " + std::to_string(index) + " (cookie " + std::to_string(s.cookie) + ", " +
           (s.family == kAfInet ? "IPv4 " : "IPv6 ") + (s.protocol == kIpprotoTcp ? "TCP" : "UDP") + " port " +
           std::to_string(s.local_port) + ")";
}

SkReuseportContext::SkReuseportContext()
    : FieldContext("sk_reuseport_md",
                   {
                       {"data", md::kData, 8, "the packet from its TCP/UDP header on (an 8-byte load gives the address)", FieldKind::PacketStart},
                       {"data_end", md::kDataEnd, 8, "one past the packet's last directly readable byte (an 8-byte load gives the address)", FieldKind::PacketEnd},
                       {"len", md::kLen, 4, "the packet's whole length from the TCP/UDP header on (more than data_end - data may show)"},
                       {"eth_protocol", md::kEthProtocol, 4, "the link-layer protocol in network byte order: 0x0800 IPv4, 0x86dd IPv6"},
                       {"ip_protocol", md::kIpProtocol, 4, "the IP protocol: 6 TCP, 17 UDP"},
                       {"bind_inany", md::kBindInany, 4, "1 when the sockets are bound to the any address (0.0.0.0 or ::)"},
                       {"hash", md::kHash, 4, "a hash of the packet's addresses and ports, the same for every packet of a flow", FieldKind::Value, false, 4},
                       {"sk", md::kSk, 8, "one socket of the reuseport group (a struct bpf_sock pointer)", FieldKind::Value, false, 8},
                       {"migrating_sk", md::kMigratingSk, 8, "the socket being moved to another listener when one closes (NULL for a new connection)", FieldKind::Value, false, 8},
                   },
                   md::kSize) {}

// sk_reuseport_is_valid_access: aligned reads only; the pointers whole; the narrowable fields
// in 1, 2 or 4 bytes (eth_protocol, a __be16 in the skb, at least 2).
bool SkReuseportContext::load(uint32_t off, uint32_t size, uint64_t& value, std::string& why) {
    if (off >= md::kSize || off % size != 0) {
        why = "the kernel allows only aligned loads inside struct sk_reuseport_md (56 bytes)";
        return false;
    }
    if (off >= md::kLen && off < md::kHash && size > 4) {
        why = "len, eth_protocol, ip_protocol and bind_inany are 4-byte fields";
        return false;
    }
    if (off >= md::kEthProtocol && off < md::kIpProtocol && size < 2) {
        why = "eth_protocol is read 2 or 4 bytes at a time (skb->protocol is a 2-byte field)";
        return false;
    }
    return FieldContext::load(off, size, value, why);
}

bool SkReuseportContext::store(uint32_t, uint32_t, uint64_t, std::string& why) {
    why = "struct sk_reuseport_md is read-only";
    return false;
}

bool in_reuseport_group(const HostSocket& s) {
    return s.reuseport && (s.protocol == kIpprotoTcp ? s.listening() : s.local_port != 0);
}

bool same_reuseport_group(const HostSocket& a, const HostSocket& b) {
    return a.protocol == b.protocol && a.family == b.family && a.local_port == b.local_port &&
           a.local_addr == b.local_addr && a.bound_dev_if == b.bound_dev_if && a.uid == b.uid;
}

namespace {

// The rest of the context (the group of socket `sk`, its fields) and the mappings, once the
// caller filled eth_protocol and hash and laid out the skb in mem.packet.
void map_reuseport_run(std::unique_ptr<SkReuseportContext> ctx, uint32_t sk_index, const Network& net, RunState& mem,
                       Vm& vm) {
    SkReuseportContext& c = *ctx;
    c.sk = sk_index;
    const HostSocket& sk = net.sockets[sk_index];
    for (uint32_t i = 0; i < net.sockets.size(); ++i)
        if (in_reuseport_group(net.sockets[i]) && same_reuseport_group(net.sockets[i], sk) &&
            !(c.migrating && i == sk_index))  // a closing listener has left the group's sockets
            c.group.push_back(i);
    c.set_u32(md::kIpProtocol, sk.protocol);
    c.set_u32(md::kBindInany, is_any(sk.local_addr, sk.family) ? 1 : 0);
    store_le<uint64_t>(&c.bytes()[md::kSk], socket_address(sk_index));
    if (c.migrating) store_le<uint64_t>(&c.bytes()[md::kMigratingSk], socket_address(*c.migrating));
    mem.packet.attach(vm.memory(), nullptr);
    const PacketGeometry& g = mem.packet.geometry();
    vm.memory().map(window::kPacket, RegionKind::Packet, kRead, mem.packet.frame() + g.meta, g.end - g.meta, "packet");
    c.set_packet(mem.packet.vaddr(g.data), mem.packet.vaddr(g.end));
    c.set_u32(md::kLen, g.end - g.data);
    mem.ctx = std::move(ctx);
    vm.memory().map_context(window::kContext, md::kSize, "sk_reuseport_md context", mem.ctx.get());
}

// reuseport_migrate_sock for Network::program_socket, a connection (ESTABLISHED child or
// NEW_SYN_RECV request) whose listener closes: sk is that listener (the first of the group on
// the connection's address and port), migrating_sk the connection, hash its sk_hash, and the skb
// the empty one the kernel allocates when it has none (inet_csk_listen_stop, the request timer).
Result<Unit> setup_migration(const RunInput& in, RunState& mem, Vm& vm, const Network& net) {
    const uint32_t m = net.program_socket;
    const HostSocket* conn = m < net.sockets.size() ? &net.sockets[m] : nullptr;
    if (!conn || conn->protocol != kIpprotoTcp ||
        (conn->state != TcpState::Established && conn->state != TcpState::NewSynRecv))
        return make_error(ErrorKind::Load,
                          "an sk_reuseport/migrate program migrates program_socket " + std::to_string(m) +
                              " when its listener closes, but that is not an ESTABLISHED or NEW_SYN_RECV TCP socket",
                          std::nullopt, "Pick a connection of a SO_REUSEPORT listener, or leave program_socket unset.");
    Flow flow;
    flow.family = conn->family;
    flow.protocol = kIpprotoTcp;
    flow.daddr = conn->local_addr, flow.saddr = conn->remote_addr;
    flow.dport = conn->local_port, flow.sport = conn->remote_port;
    const std::optional<uint32_t> listener = find_tcp_listener(net, tuple_of(flow));
    if (!listener || !in_reuseport_group(net.sockets[*listener]))
        return make_error(ErrorKind::Load, reuseport_socket_text(net, m) + " has no SO_REUSEPORT listener to migrate from",
                          std::nullopt, "Add listening sockets with \"reuseport\": true on its port.");
    auto ctx = std::make_unique<SkReuseportContext>();
    ctx->tcp = true;
    ctx->migrating = m;
    ctx->set_u32(md::kHash, run_hash(in, flow));
    mem.packet.init_skb({}, /*l2=*/false);
    map_reuseport_run(std::move(ctx), *listener, net, mem, vm);
    if (static_cast<SkReuseportContext&>(*mem.ctx).group.empty())
        return make_error(ErrorKind::Load, "the closing listener " + reuseport_socket_text(net, *listener) +
                                               " is its group's last socket: there is nothing to migrate to, and "
                                               "the kernel runs no program (reuseport_migrate_sock)");
    return Unit{};
}

}  // namespace

Result<Unit> setup_sk_reuseport_context(const LoadedProgram& prog, const RunInput& in, RunState& mem, Vm& vm,
                                        const Network& net) {
    if (prog.attach == AttachType::SkReuseportSelectOrMigrate && net.program_socket != Network::kAutoSocket)
        return setup_migration(in, mem, vm, net);
    auto parsed = parse_flow(in.packet);
    if (!parsed.ok()) return parsed.error();
    const Flow& flow = parsed.value();
    // The lookup: an established TCP socket of the four-tuple takes the segment before any
    // listener; else the listener or bound UDP socket the kernel's lookup finds.
    const SocketTuple tuple = tuple_of(flow);
    const bool tcp = flow.protocol == kIpprotoTcp;
    if (const auto conn = tcp ? find_established_tcp(net, tuple) : std::nullopt)
        return make_error(ErrorKind::Load, "the segment belongs to the established " + reuseport_socket_text(net, *conn) +
                                               ": the kernel finds it before any listener, and runs no "
                                               "sk_reuseport program");
    const std::optional<uint32_t> hit = tcp ? find_tcp_listener(net, tuple) : find_udp_socket(net, tuple);
    if (!hit)
        return make_error(ErrorKind::Load,
                          std::string("no socket of the host ") + (tcp ? "listens" : "is bound") + " on " +
                              (tcp ? "TCP" : "UDP") + " port " + std::to_string(flow.dport) +
                              " for the packet's destination address, so no sk_reuseport program runs",
                          std::nullopt,
                          "Add sockets with \"reuseport\": true on that port (listening TCP or bound UDP ones).");
    const uint32_t found = *hit;
    if (!in_reuseport_group(net.sockets[found]))
        return make_error(ErrorKind::Load, "the packet goes to " + reuseport_socket_text(net, found) +
                                               ", which has no SO_REUSEPORT: no sk_reuseport program runs",
                          std::nullopt, "Set \"reuseport\": true on the sockets of that port.");

    auto ctx = std::make_unique<SkReuseportContext>();
    SkReuseportContext& c = *ctx;
    c.tcp = tcp;
    // skb->protocol is the frame's EtherType as it is on the wire.
    c.bytes()[md::kEthProtocol] = in.packet[12];
    c.bytes()[md::kEthProtocol + 1] = in.packet[13];
    c.set_u32(md::kHash, run_hash(in, flow));
    // The skb as the lookup has it: data at the transport header, trimmed to the IP length.
    mem.packet.init_skb(in.packet, /*l2=*/false);
    const uint32_t start = mem.packet.geometry().data - kEthHeaderLen;  // the frame's first byte
    mem.packet.skb().transport_header = start + flow.transport;
    mem.packet.set_geometry({start + flow.transport, start + flow.transport, start + flow.end});
    map_reuseport_run(std::move(ctx), found, net, mem, vm);
    return Unit{};
}

std::vector<std::string> sk_reuseport_exit_report(const RunState& run, const Network& net, uint64_t r0) {
    const auto* c = dynamic_cast<const SkReuseportContext*>(run.ctx.get());
    if (!c) return {};
    const std::string what = c->migrating ? reuseport_socket_text(net, *c->migrating)
                             : c->tcp     ? "the connection request (SYN)"
                                          : "the datagram";
    const std::string goes = c->migrating ? " migrates to " : " goes to ";
    // bpf_run_sk_reuseport: anything but SK_PASS is ERR_PTR(-ECONNREFUSED).
    if (r0 != kSkPass)
        return {c->migrating ? "SK_DROP: the migration fails (-ECONNREFUSED): " + what +
                                   " is closed with its listener, as without migration"
                             : "SK_DROP: the lookup fails with -ECONNREFUSED: " + what +
                                   " finds no socket in the group and is refused"};
    if (net.run.reuseport_socket && *net.run.reuseport_socket < net.sockets.size())
        return {"SK_PASS: " + what + goes + reuseport_socket_text(net, *net.run.reuseport_socket) +
                ", which bpf_sk_select_reuseport picked"};
    // reuseport_select_sock_by_hash: reciprocal_scale(hash, n), skipping connected sockets.
    const uint32_t n = uint32_t(c->group.size()), hash = c->get_u32(md::kHash);
    const uint32_t first = uint32_t((uint64_t(hash) * n) >> 32);
    for (uint32_t k = 0; k < n; ++k) {
        const uint32_t i = (first + k) % n;
        const HostSocket& s = net.sockets[c->group[i]];
        if (s.protocol == kIpprotoUdp && s.remote_port) continue;  // TCP_ESTABLISHED
        return {"SK_PASS without a selection: the kernel picks by the hash, member " + std::to_string(i) + " of " +
                std::to_string(n) + " (reciprocal_scale(" + std::to_string(hash) + ", " + std::to_string(n) +
                ") = " + std::to_string(first) + "): " + what + goes + reuseport_socket_text(net, c->group[i])};
    }
    // No socket by the hash either: the lookup keeps the socket it found.
    return {"SK_PASS without a selection: every socket of the group is connected, so " + what +
            " goes to the socket the lookup found, " + reuseport_socket_text(net, c->sk)};
}

}  // namespace bpfplay
