#include "core/host/socket_defaults.hpp"

namespace bpfplay {

const char* socket_protocol_name(uint32_t ipproto) { return ipproto == kIpprotoUdp ? "udp" : "tcp"; }

TcpState default_socket_state(uint32_t ipproto, uint32_t remote_port) {
    if (ipproto == kIpprotoUdp) return TcpState::Close;
    return remote_port ? TcpState::Established : TcpState::Listen;
}

}  // namespace bpfplay
