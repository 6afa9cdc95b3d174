// Stepping back over the network helpers restores the host's event log, the redirect target
// and the socket references, byte for byte.
#include <doctest/doctest.h>

#include "core/debugger/debug_json.hpp"
#include "debugger/debug_fixture.hpp"

namespace bpfplay::testing {

namespace {

// Looks up the examples' connection (10.0.0.1:40000 -> 10.0.0.2:8080), redirects to eth1,
// releases the socket, then redirects again to eth0 with BPF_F_INGRESS.
const char* kProgram = R"(
    *(u32 *)(r10 - 16) = 0x0100000a
    *(u32 *)(r10 - 12) = 0x0200000a
    *(u16 *)(r10 - 8) = 0x409c
    *(u16 *)(r10 - 6) = 0x901f
    r2 = r10
    r2 += -16
    r3 = 12
    r4 = -1
    r5 = 0
    call bpf_sk_lookup_tcp
    r6 = r0
    r1 = 3
    r2 = 0
    call bpf_redirect
    r1 = r6
    call bpf_sk_release
    r1 = 2
    r2 = 1
    call bpf_redirect
    exit
)";

} // namespace

TEST_CASE("stepping back over socket and redirect helpers restores the event log and the network state") {
    auto o = ObjectSession::open_assembly(kProgram, "tc");
    REQUIRE(o.ok());
    ObjectSession& object = *o.value();
    RunInput in;
    in.packet = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0};
    auto d = DebugSession::open(object, "asm", in);
    REQUIRE(d.ok());
    DebugSession& s = *d.value();
    const std::vector<std::string> forward = fingerprints_to_end(s);
    REQUIRE(s.status() == RunStatus::Exited);
    CHECK(s.vm().result() == 7);
    const Host& host = object.host();
    REQUIRE(host.events.size() == 4);
    CHECK(host.net.run.redirect == RedirectTarget{true, 2, 1, "", {}});
    CHECK(host.net.run.held_sockets.empty());
    const DebugState end = s.state();
    REQUIRE(end.host_events.size() == 5);
    CHECK(end.host_events[4].helper == "exit");
    CHECK(end.host_events[4].text ==
          "TC_ACT_REDIRECT: the packet is received again as incoming on eth0 (ifindex 2)");
    const std::string json = debug_state_json(end);
    CHECK(
        json.find(
            R"("host_events":[{"executed":10,"pc":9,"helper":"bpf_sk_lookup_tcp","text":"10.0.0.1:40000 -> )") !=
        std::string::npos);

    // Back over the second bpf_redirect (pc 18): the first target returns, its event goes.
    s.step_back();
    s.step_back();
    CHECK(s.pc() == 18);
    CHECK(host.events.size() == 3);
    CHECK(host.net.run.redirect == RedirectTarget{true, 3, 0, "", {}});
    // Back over bpf_sk_release (pc 15): the program holds the socket again.
    while (s.pc() != 15)
        s.step_back();
    CHECK(host.events.size() == 2);
    CHECK(host.net.run.held_sockets == std::vector<uint32_t>{1});
    // Back over the lookup: nothing held, nothing logged.
    while (s.pc() != 9)
        s.step_back();
    CHECK(host.events.empty());
    CHECK(host.net.run.held_sockets.empty());
    CHECK_FALSE(host.net.run.redirect.set);
    CHECK(s.state().host_events.empty());
    // Every state on the way, both ways.
    s.goto_count(0);
    for (uint64_t k = 0; k < forward.size(); ++k) {
        if (k) s.step();
        REQUIRE_MESSAGE(fingerprint(s) == forward[k], "forward again at " << k);
    }
    require_same_states_back(s, forward);
}

TEST_CASE("stepping back over bpf_get_socket_cookie takes the cookie back; a restart makes the same one") {
    auto o = ObjectSession::open_assembly("call bpf_get_socket_cookie\nexit\n", "tc");
    REQUIRE(o.ok());
    ObjectSession& object = *o.value();
    RunInput in;
    in.packet.assign(14, 0);
    auto d = DebugSession::open(object, "asm", in);
    REQUIRE(d.ok());
    DebugSession& s = *d.value();
    s.step();
    CHECK(s.vm().reg(0) == 1);
    CHECK(object.host().net.last_cookie == 1);
    CHECK(object.host().events.size() == 1);
    s.step_back();
    CHECK(object.host().net.last_cookie == 0);
    CHECK(object.host().net.run.skb_cookie == 0);
    CHECK(object.host().events.empty());
    s.cont();
    CHECK(s.vm().result() == 1);
    s.reset();
    s.cont();
    CHECK(s.vm().result() == 1);
}

TEST_CASE("bpf_fib_lookup's writes and events step back and forward byte for byte") {
    // params at r10 - 64: AF_INET, ifindex 2 (eth0), ipv4_dst 8.8.8.8; then a lookup that fails
    // (a short plen) and one that succeeds and rewrites the struct.
    auto o = ObjectSession::open_assembly(R"(
        r6 = r1
        *(u64 *)(r10 - 64) = 2
        *(u64 *)(r10 - 56) = 2
        *(u64 *)(r10 - 48) = 0
        *(u64 *)(r10 - 40) = 0
        *(u32 *)(r10 - 32) = 0x08080808
        r2 = r10
        r2 += -64
        r3 = 8
        r4 = 0
        call bpf_fib_lookup
        r1 = r6
        r2 = r10
        r2 += -64
        r3 = 64
        r4 = 0
        call bpf_fib_lookup
        exit
    )", "xdp");
    REQUIRE(o.ok());
    ObjectSession& object = *o.value();
    RunInput in;
    in.packet.assign(14, 0);
    auto d = DebugSession::open(object, "asm", in);
    REQUIRE(d.ok());
    DebugSession& s = *d.value();
    const std::vector<std::string> forward = fingerprints_to_end(s);
    REQUIRE(s.status() == RunStatus::Exited);
    CHECK(s.vm().result() == 0);
    CHECK(object.host().events.size() == 2);
    CHECK(forward[17] != forward[16]);  // the successful lookup changed the stack and the log
    require_same_states_back(s, forward);
    CHECK(object.host().events.empty());
}

} // namespace bpfplay::testing
