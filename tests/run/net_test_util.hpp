#pragma once
// Assembly programs on the emulated host's network, for the redirect and socket tests.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/run/object_session.hpp"

namespace bpfplay::net_test {

// 10.0.0.1:40000 -> 10.0.0.2:8080, TCP SYN (the examples' packet).
inline std::vector<uint8_t> tcp_packet() {
    const std::string_view h = "02000000000202000000000108004500002800014000400626cd0a0000010a0000029c401f900"
                               "00003e8000000005002ffffdc270000";
    std::vector<uint8_t> v;
    auto nib = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    for (size_t i = 0; i + 1 < h.size(); i += 2)
        v.push_back(uint8_t(nib(h[i]) << 4 | nib(h[i + 1])));
    return v;
}

inline std::unique_ptr<ObjectSession> open_asm(std::string_view text, std::string_view section,
                                               Host host = {}) {
    auto s = ObjectSession::open_assembly(text, section, std::move(host));
    if (!s.ok()) FAIL(s.error().to_string());
    return std::move(s).value();
}

// A TCP socket on 10.0.0.2:local_port (from 10.0.0.1:remote_port unless remote_port is 0).
inline HostSocket tcp_socket(uint64_t cookie, uint16_t local_port, uint16_t remote_port, TcpState state) {
    HostSocket s;
    s.cookie = cookie;
    s.local_addr = {10, 0, 0, 2};
    s.local_port = local_port;
    if (remote_port) s.remote_addr = {10, 0, 0, 1};
    s.remote_port = remote_port;
    s.state = state;
    return s;
}

// The load error of a program the kernel's verifier would refuse.
inline Error refused_asm(std::string_view text, std::string_view section) {
    auto s = ObjectSession::open_assembly(text, section);
    REQUIRE_FALSE(s.ok());
    return s.error();
}

inline RunResult run_packet(ObjectSession& s) {
    RunInput in;
    in.packet = tcp_packet();
    return s.run("asm", in);
}

// "pc: helper: text" per event, for whole-list comparisons.
inline std::vector<std::string> event_lines(const std::vector<HostEvent>& events) {
    std::vector<std::string> out;
    for (const HostEvent& e : events)
        out.push_back(std::to_string(e.executed) + " pc " + std::to_string(e.pc) + " " + e.helper + ": " +
                      e.text);
    return out;
}

} // namespace bpfplay::net_test
