#pragma once
// Packet helper tests: a program in assembly run on a packet, with its r0 (as the signed value a
// helper returns) and the packet out.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/run/object_session.hpp"

namespace bpfplay::testing {

struct PacketRun {
    int64_t r0 = 0;
    std::vector<uint8_t> out;  // packet_out (XDP: from data_meta)
    std::vector<uint8_t> ctx;  // ctx_out
    RunResult result;
};

inline PacketRun run_packet_asm(const std::string& text, std::vector<uint8_t> packet, std::string_view section = "xdp",
                                std::vector<uint8_t> ctx = {}) {
    auto s = ObjectSession::open_assembly(text, section);
    REQUIRE_MESSAGE(s.ok(), (s.ok() ? std::string() : s.error().to_string()));
    RunInput in;
    in.packet = std::move(packet);
    in.ctx = std::move(ctx);
    PacketRun r;
    r.result = s.value()->run("asm", in);
    REQUIRE_MESSAGE(r.result.status == RunStatus::Exited,
                    (r.result.error ? r.result.error->to_string() : std::string("not exited")));
    r.r0 = int64_t(r.result.r0);
    r.out = r.result.packet_out;
    r.ctx = r.result.ctx_out;
    return r;
}

// A frame of `n` bytes: byte k is k (mod 256).
inline std::vector<uint8_t> counting_frame(size_t n) {
    std::vector<uint8_t> f(n);
    for (size_t k = 0; k < n; ++k) f[k] = uint8_t(k);
    return f;
}

// r0 = helper(ctx, arg) with the context kept in r6.
inline std::string call_with(const char* helper, int64_t arg) {
    return "r6 = r1\nr2 = " + std::to_string(arg) + " ll\ncall " + helper + "\nexit\n";
}

} // namespace bpfplay::testing
