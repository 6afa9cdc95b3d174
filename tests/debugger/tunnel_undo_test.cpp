// Stepping back over bpf_skb_set_tunnel_key and bpf_skb_set_tunnel_opt takes the skb's TX tunnel
// metadata (NetRun::tx_tunnel) and its event lines back, state by state.
#include <doctest/doctest.h>

#include "debugger/debug_fixture.hpp"

namespace bpfplay::testing {

TEST_CASE("stepping back over bpf_skb_set_tunnel_key and _opt restores the skb's tunnel metadata") {
    auto o = ObjectSession::open_assembly(R"(
        r6 = r1
        *(u64 *)(r10 - 48) = 0
        *(u64 *)(r10 - 40) = 0
        *(u64 *)(r10 - 32) = 0
        *(u64 *)(r10 - 24) = 0
        *(u64 *)(r10 - 16) = 0
        *(u64 *)(r10 - 8) = 0
        *(u32 *)(r10 - 48) = 42
        *(u32 *)(r10 - 44) = 0x0a000009
        *(u32 *)(r10 - 20) = 0x0a000002
        r1 = r6
        r2 = r10
        r2 += -48
        r3 = 44
        r4 = 0
        call bpf_skb_set_tunnel_key
        r1 = r6
        r2 = r10
        r2 += -48
        r3 = 8
        call bpf_skb_set_tunnel_opt
        r0 = 0
        exit
    )", "tc");
    REQUIRE(o.ok());
    ObjectSession& object = *o.value();
    RunInput in;
    in.packet.assign(64, 0);
    in.packet[12] = 0x08;
    auto d = DebugSession::open(object, "asm", in);
    REQUIRE(d.ok());
    DebugSession& s = *d.value();
    const std::vector<std::string> forward = fingerprints_to_end(s);
    REQUIRE(s.status() == RunStatus::Exited);
    const Host& host = object.host();
    REQUIRE(host.net.run.tx_tunnel);
    CHECK(host.net.run.tx_tunnel->id == 42u);
    CHECK(host.net.run.tx_tunnel->dst == Ipv6{10, 0, 0, 9});
    CHECK(host.net.run.tx_tunnel->options.size() == 8u);
    CHECK(host.net.run.tx_tunnel->flags == (kTunnelKey | kTunnelCsum | kTunnelNocache | kTunnelOptionsPresent));
    CHECK(host.events.size() == 2);

    // Back over bpf_skb_set_tunnel_opt (pc 20): the metadata keeps its key, loses the options.
    while (s.pc() != 20) s.step_back();
    REQUIRE(host.net.run.tx_tunnel);
    CHECK(host.net.run.tx_tunnel->options.empty());
    CHECK(host.net.run.tx_tunnel->flags == (kTunnelKey | kTunnelCsum | kTunnelNocache));
    CHECK(host.events.size() == 1);
    // Back over bpf_skb_set_tunnel_key (pc 15): the skb has no tunnel metadata again.
    while (s.pc() != 15) s.step_back();
    CHECK(!host.net.run.tx_tunnel);
    CHECK(host.net.skb_tunnel() == nullptr);
    CHECK(host.events.empty());
    // Forward again to the end: the same states; then every one of them on the way back.
    s.goto_count(0);
    for (uint64_t k = 0; k < forward.size(); ++k) {
        if (k) s.step();
        REQUIRE_MESSAGE(fingerprint(s) == forward[k], "forward again at " << k);
    }
    REQUIRE(host.net.run.tx_tunnel);
    CHECK(host.net.run.tx_tunnel->options.size() == 8u);
    require_same_states_back(s, forward);
}

}  // namespace bpfplay::testing
