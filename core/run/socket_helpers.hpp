#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "core/helpers/registry.hpp"
#include "core/host/net_model.hpp"

namespace bpfplay {

// Socket lookups over the host's sockets (Host::net.sockets), as net/core/filter.c does them:
//   84 bpf_sk_lookup_tcp, 85 bpf_sk_lookup_udp, 99 bpf_skc_lookup_tcp: a read-only struct
//      bpf_sock (kernel_objects.hpp) or NULL; a found socket is a reference the program holds
//   86 bpf_sk_release: gives a reference back (0)
//   46 bpf_get_socket_cookie, 47 bpf_get_socket_uid: of the packet's socket (skb programs). As
//      under BPF_PROG_TEST_RUN, that is the test run's own socket: owned by root (uid 0), with
//      a fresh cookie per run (1, 2, ... skipping the host sockets' cookies)
std::span<const HelperImpl> socket_helper_impls();

// An address of `family` (the first 4 bytes for AF_INET) is the any address / equals another.
bool is_any(const Ipv6& a, uint32_t family);
bool same_addr(const Ipv6& a, const Ipv6& b, uint32_t family);
// One side of a connection (addresses in network byte order, the port in host order).
struct SocketEndpoint {
    Ipv6 addr{};
    uint16_t port = 0;
};
// A packet's four-tuple: src its sender (a socket's remote side), dst the socket's side.
struct SocketTuple {
    uint32_t family = kAfInet;
    SocketEndpoint src, dst;
};
// The kernel's socket lookups over Network::sockets, on the ingress device:
// __inet_lookup_established: the TCP socket of the exact four-tuple (TIME_WAIT and request
// sockets included);
std::optional<uint32_t> find_established_tcp(const Network& net, const SocketTuple& t);
// __inet_lookup_listener: a listener bound to the address, then to any address; one bound to
// the device beats an unbound one;
std::optional<uint32_t> find_tcp_listener(const Network& net, const SocketTuple& t);
// __udp4_lib_lookup / __udp6_lib_lookup: bound to the address, then to any address; within each
// the best score: a connected socket must match the sender and scores higher, as does one
// bound to the device.
std::optional<uint32_t> find_udp_socket(const Network& net, const SocketTuple& t);
// The host socket (index in Network::sockets) whose cookie a socket map holds.
std::optional<uint32_t> socket_with_cookie(const Network& net, uint64_t cookie);
// "the ESTABLISHED TCP socket 10.0.0.2:8080 <- 10.0.0.1:40000 (cookie 4098, uid 1000)".
std::string describe_socket(const HostSocket& s);

} // namespace bpfplay
