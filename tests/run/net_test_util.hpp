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

// Looks up the IPv4 TCP socket for 10.0.0.1:sport -> 10.0.0.2:dport (bpf_skc_lookup_tcp, so
// TIME_WAIT and request sockets are found too), keeps it in r6 (exits with 1 on NULL), runs
// `body` (r1 = the socket) leaving its answer in r7, releases r6 and returns r7.
inline std::string with_socket(uint16_t sport, uint16_t dport, const std::string& body) {
    auto be = [](uint16_t p) { return std::to_string(uint16_t(p >> 8 | p << 8)); };
    return "*(u32 *)(r10 - 16) = 0x0100000a\n*(u32 *)(r10 - 12) = 0x0200000a\n"
           "*(u16 *)(r10 - 8) = " + be(sport) + "\n*(u16 *)(r10 - 6) = " + be(dport) +
           "\nr2 = r10\nr2 += -16\nr3 = 12\nr4 = -1\nr5 = 0\ncall bpf_skc_lookup_tcp\n"
           "if r0 != 0 goto found\nr0 = 1\nexit\nfound:\nr6 = r0\nr1 = r0\n" +
           body + "r1 = r6\ncall bpf_sk_release\nr0 = r7\nexit\n";
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
