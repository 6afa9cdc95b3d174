#pragma once
// What host JSON leaves to core for a socket: its protocol's spelling and the state it takes
// when "state" is left out. The parser, the writer and the page's defaults use the one rule.
#include <cstdint>

#include "core/host/net_model.hpp"

namespace bpfplay {

// The protocols a host socket may have, as host JSON's "protocol" spells them.
inline constexpr uint32_t kSocketProtocols[] = {kIpprotoTcp, kIpprotoUdp};
const char* socket_protocol_name(uint32_t ipproto);  // "tcp", "udp"

// A socket's state when host JSON leaves "state" out: a UDP socket reports TCP_CLOSE (and may
// have no other), a TCP socket with a remote port is established, one without listens.
TcpState default_socket_state(uint32_t ipproto, uint32_t remote_port);

}  // namespace bpfplay
