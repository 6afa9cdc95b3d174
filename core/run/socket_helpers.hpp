#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "core/helpers/registry.hpp"

namespace bpfplay {

// Socket lookups over the host's sockets (Host::net.sockets), as net/core/filter.c does them:
//   84 bpf_sk_lookup_tcp, 85 bpf_sk_lookup_udp, 99 bpf_skc_lookup_tcp: a read-only struct
//      bpf_sock (kernel_objects.hpp) or NULL; a found socket is a reference the program holds
//   86 bpf_sk_release: gives a reference back (0)
//   46 bpf_get_socket_cookie, 47 bpf_get_socket_uid: of the packet's socket (skb programs). As
//      under BPF_PROG_TEST_RUN, that is the test run's own socket: owned by root (uid 0), with
//      a fresh cookie per run (1, 2, ... skipping the host sockets' cookies)
std::span<const HelperImpl> socket_helper_impls();

struct HostSocket;
struct Network;
// An address of `family` (the first 4 bytes for AF_INET) is the any address / equals another.
bool is_any(const std::array<uint8_t, 16>& a, uint32_t family);
bool same_addr(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, uint32_t family);
// The host socket (index in Network::sockets) whose cookie a socket map holds.
std::optional<uint32_t> socket_with_cookie(const Network& net, uint64_t cookie);
// "the ESTABLISHED TCP socket 10.0.0.2:8080 <- 10.0.0.1:40000 (cookie 4098, uid 1000)".
std::string describe_socket(const HostSocket& s);

} // namespace bpfplay
