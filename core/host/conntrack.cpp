#include "core/host/conntrack.hpp"

#include "core/host/net_model.hpp"

namespace bpfplay {

CtTuple ct_invert(const CtTuple& t) {
    CtTuple r = t;
    r.src = t.dst;
    r.dst = t.src;
    r.sport = t.dport;
    r.dport = t.sport;
    return r;
}

std::string ct_tuple_text(const CtTuple& t) {
    const bool v6 = t.family == kAfInet6;
    auto end = [&](const std::array<uint8_t, 16>& a, uint16_t port) {
        const std::string ip = inet_address_text(a, v6);
        return (v6 ? "[" + ip + "]" : ip) + ":" + std::to_string(port);
    };
    const std::string proto = t.protonum == kIpprotoTcp ? "tcp" : t.protonum == kIpprotoUdp ? "udp"
                                                                                             : "proto " + std::to_string(t.protonum);
    return proto + " " + end(t.src, t.sport) + " -> " + end(t.dst, t.dport);
}

}  // namespace bpfplay
