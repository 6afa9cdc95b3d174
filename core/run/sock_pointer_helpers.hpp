#pragma once
#include <span>

#include "core/helpers/registry.hpp"

namespace bpfplay {

// What a program does with a socket pointer (a bpf_sk_lookup_* result, a context's sk), as
// net/core/filter.c answers it over the host's sockets (Host::net.sockets):
//   95 bpf_sk_fullsock: the socket, or NULL for a TIME_WAIT or request (NEW_SYN_RECV) socket
//   96 bpf_tcp_sock: the socket's struct bpf_tcp_sock (read-only, HostSocket::tcp), or NULL
//      unless it is a full TCP socket
//   98 bpf_get_listener_sock: the listener (itself, or a request socket's listener), or NULL
//  128 bpf_sk_cgroup_id, 129 bpf_sk_ancestor_cgroup_id: its cgroup (HostSocket::cgroup_id), 0
//      for a TIME_WAIT socket
//  122 bpf_get_netns_cookie: the cookie of the host's one network namespace, init_net (1)
//  124 bpf_sk_assign (tc): the socket the packet goes to (NetRun::assigned_socket); -EINVAL,
//      -EOPNOTSUPP off tc ingress (Network::tc_ingress), as the kernel's. In sk_lookup programs
//      (the context is struct bpf_sk_lookup as ctx_in gives it): the lookup's answer, written to
//      ctx->sk; -EINVAL, -ESOCKTNOSUPPORT, -EPROTOTYPE, -EAFNOSUPPORT, -EEXIST
//  136 bpf_skc_to_tcp6_sock, 137 _tcp_sock, 138 _tcp_timewait_sock, 139 _tcp_request_sock,
//  140 _udp6_sock: the socket as its kernel struct (socket_objects.hpp: laid out by the 6.18
//      BTF) when it is one (a full IPv6 TCP socket; a full TCP socket; TIME_WAIT; NEW_SYN_RECV;
//      IPv6 UDP), else NULL. 178 _unix_sock, 196 _mptcp_sock: always NULL, the host has no
//      AF_UNIX or MPTCP sockets (the host's event log says so)
// Pointers derived from a referenced socket share its reference, as the verifier's cast
// functions do: bpf_sk_release takes either view.
std::span<const HelperImpl> sock_pointer_helper_impls();

} // namespace bpfplay
