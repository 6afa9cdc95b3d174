#pragma once
// The context of an sk_reuseport program (struct sk_reuseport_md): the kernel runs it when a
// packet's socket lookup lands on a socket of an SO_REUSEPORT group, to pick which member gets
// the packet (reuseport_select_sock -> bpf_run_sk_reuseport). The run's input is the packet as
// an Ethernet frame (IPv4 or IPv6, then TCP or UDP); the group is the host's sockets the lookup
// finds for its destination, by the kernel's lookups as socket_helpers.hpp has them: an
// established TCP socket of the segment's four-tuple takes it first (no program runs); else the
// TCP listener or the UDP socket the lookup finds (an IPv6 socket does not take IPv4 here). That
// socket must have SO_REUSEPORT; its group is every such socket of the same protocol, family,
// address, port, device and owner, in the host's order (the order they joined).
//
// What the program sees, as net/core/filter.c builds it (sk_reuseport_convert_ctx_access):
//   data, data_end: the skb's linear bytes from the transport header on (the lookup runs with
//     skb->data at the TCP / UDP header), up to the IP header's total length (ip_rcv trims
//     the skb to it);
//   len: skb->len, the same bytes' count; eth_protocol: skb->protocol (network byte order);
//   ip_protocol: the group socket's sk_protocol; bind_inany: whether the group is bound to
//     the any address; hash: the four-tuple's hash (below);
//   sk: the group's socket the lookup found (its struct bpf_sock); migrating_sk: NULL, but for a
//     migration: sk_reuseport/migrate programs (BPF_SK_REUSEPORT_SELECT_OR_MIGRATE) with the
//     host's program_socket set run as the kernel runs them when a listener closes, to move
//     that connection (ESTABLISHED, or a NEW_SYN_RECV request) to another listener of the group:
//     sk the closing listener, migrating_sk the connection, hash its four-tuple's, and an empty
//     skb (the ACK of a request migrated on arrival is not modelled).
// Everything is read-only (sk_reuseport_is_valid_access): data, data_end, sk and migrating_sk
// as whole 8-byte loads, hash as 4 bytes, len / eth_protocol / ip_protocol / bind_inany
// narrowed to 1, 2 or 4 aligned bytes (eth_protocol at least 2). The packet too is read-only
// (may_access_direct_pkt_data refuses writes for this type).
//
// The hash: the kernel's inet_ehashfn / udp_ehashfn mix in a secret drawn at boot; bpfplay takes
// that secret as 0 (the result is jhash_3words(daddr, saddr, dport << 16 | sport, 0) for IPv4),
// and a non-zero hash field in the run's context input replaces it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/context/field_context.hpp"
#include "core/error.hpp"

namespace bpfplay {

class Vm;
struct HostSocket;
struct LoadedProgram;
struct Network;
struct RunInput;
struct RunState;

namespace sk_reuseport_md {
constexpr uint32_t kData = 0, kDataEnd = 8, kLen = 16, kEthProtocol = 20, kIpProtocol = 24, kBindInany = 28,
                   kHash = 32, kSk = 40, kMigratingSk = 48, kSize = 56;
}

// struct sk_reuseport_md with the kernel's access rules, and the run's reuseport group.
class SkReuseportContext final : public FieldContext {
public:
    SkReuseportContext();
    bool load(uint32_t off, uint32_t size, uint64_t& value, std::string& why) override;
    bool store(uint32_t off, uint32_t size, uint64_t value, std::string& why) override;

    uint32_t sk = 0;              // reuse_kern->sk: the socket the lookup found (Network::sockets)
    std::vector<uint32_t> group;  // its reuseport group, in the order the sockets joined it
    bool tcp = false;             // the packet's protocol (a SYN's listener, or a datagram's socket)
    // sk_reuseport/migrate: the connection being moved off the closing listener `sk` (which is
    // then not in `group`).
    std::optional<uint32_t> migrating;
};

// A socket is in a reuseport group (has sk_reuseport_cb) when it set SO_REUSEPORT and is in the
// lookup tables: a listening TCP socket or a bound UDP one.
bool in_reuseport_group(const HostSocket& s);
// Two such sockets share a group (reuseport_id): same protocol, family, port, bound address,
// bound device and owner (udp_reuseport_add_sock / inet_reuseport_add_sock).
bool same_reuseport_group(const HostSocket& a, const HostSocket& b);

// "socket 1 (cookie 101, IPv4 TCP port 8080)": a host socket as the reuseport reports name it.
std::string reuseport_socket_text(const Network& net, uint32_t index);

// Builds the context for `in`'s packet, or says why the kernel would run no sk_reuseport
// program for it.
// With BPF_SK_REUSEPORT_SELECT_OR_MIGRATE (SEC("sk_reuseport/migrate")) and an explicit
// Network::program_socket, the run is a migration instead (see setup_migration).
Result<Unit> setup_sk_reuseport_context(const LoadedProgram& prog, const RunInput& in, RunState& mem, Vm& vm,
                                        const Network& net);

// What the kernel does with the program's verdict: the socket the packet goes to (the one
// bpf_sk_select_reuseport picked, or the hash's pick when none was), or the refusal. Empty for
// other programs.
std::vector<std::string> sk_reuseport_exit_report(const RunState& run, const Network& net, uint64_t r0);

}  // namespace bpfplay
