// Stepping back over helpers that move the packet's edges restores its geometry (what ctx->data
// and friends load, what is mapped) and its bytes, byte for byte.
#include <doctest/doctest.h>

#include "core/debugger/debug_json.hpp"
#include "debugger/debug_fixture.hpp"

namespace bpfplay::testing {

namespace {

// 4 bytes of metadata written through data_meta, a pushed 4-byte header (the metadata moves
// with it), a grown then shrunk tail, and a store into the new header.
const char* kXdpProgram = R"(
    r6 = r1
    r2 = -4
    call bpf_xdp_adjust_meta
    r1 = *(u32 *)(r6 + 8)
    r2 = *(u32 *)(r6 + 0)
    r3 = r1
    r3 += 4
    if r3 > r2 goto out
    *(u32 *)(r1 + 0) = 0x11223344
    r1 = r6
    r2 = -4
    call bpf_xdp_adjust_head
    r1 = r6
    r2 = 100
    call bpf_xdp_adjust_tail
    r1 = r6
    r2 = -90
    call bpf_xdp_adjust_tail
    r1 = *(u32 *)(r6 + 0)
    r2 = *(u32 *)(r6 + 4)
    r3 = r1
    r3 += 4
    if r3 > r2 goto out
    *(u32 *)(r1 + 0) = 0x55667788
out:
    r0 = 2
    exit
)";

} // namespace

TEST_CASE("stepping back over bpf_xdp_adjust_meta/head/tail restores the packet's edges and bytes") {
    auto o = ObjectSession::open_assembly(kXdpProgram, "xdp");
    REQUIRE_MESSAGE(o.ok(), (o.ok() ? std::string() : o.error().to_string()));
    RunInput in;
    in.packet.assign(20, 0xee);
    auto d = DebugSession::open(*o.value(), "asm", in);
    REQUIRE(d.ok());
    DebugSession& s = *d.value();
    const std::vector<std::string> forward = fingerprints_to_end(s);
    REQUIRE(s.status() == RunStatus::Exited);
    const DebugState end = s.state();
    CHECK(end.packet_meta == std::vector<uint8_t>{0x44, 0x33, 0x22, 0x11});
    REQUIRE(end.packet.size() == 4 + 20 + 10);
    CHECK(end.packet[0] == 0x88);
    CHECK(end.packet[4] == 0xee);
    CHECK(end.packet.back() == 0);
    CHECK(debug_state_json(end).find(R"("packet_meta":"44332211")") != std::string::npos);
    require_same_states_back(s, forward);
    // Back at the start: the 20-byte packet, no metadata, pointers as at the start.
    CHECK(s.state().packet == in.packet);
    CHECK(s.state().packet_meta.empty());
    s.goto_count(0);
    for (uint64_t k = 0; k < forward.size(); ++k) {
        if (k) s.step();
        REQUIRE_MESSAGE(fingerprint(s) == forward[k], "forward again at " << k);
    }
}

} // namespace bpfplay::testing

namespace bpfplay::testing {

namespace {

// Every __sk_buff helper that moves the packet's edges or changes skb state, one after another.
const char* kTcProgram = R"(
    r6 = r1
    r2 = 0x81
    r3 = 5
    call bpf_skb_vlan_push
    r1 = r6
    r2 = 0x81
    r3 = 6
    call bpf_skb_vlan_push
    r1 = r6
    call bpf_skb_vlan_pop
    r1 = r6
    r2 = 8
    r3 = 1
    r4 = 0
    call bpf_skb_adjust_room
    r1 = r6
    r2 = 100
    r3 = 0
    call bpf_skb_change_tail
    r1 = r6
    r2 = 6
    r3 = 0
    call bpf_skb_change_head
    r1 = r6
    r2 = 0x1234
    call bpf_set_hash
    r1 = r6
    r2 = 1
    call bpf_csum_level
    r1 = r6
    r2 = 0
    r3 = 0
    call bpf_skb_change_type
    r1 = *(u32 *)(r6 + 76)
    r2 = *(u32 *)(r6 + 80)
    r0 = r2
    r0 -= r1
    exit
)";

}  // namespace

TEST_CASE("stepping back over the __sk_buff helpers restores bytes, length, VLAN fields, hash and pkt_type") {
    auto o = ObjectSession::open_assembly(kTcProgram, "tc");
    REQUIRE_MESSAGE(o.ok(), (o.ok() ? std::string() : o.error().to_string()));
    RunInput in;
    in.packet = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00,
                 0x45, 0, 0, 20, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
    auto d = DebugSession::open(*o.value(), "asm", in);
    REQUIRE(d.ok());
    DebugSession& s = *d.value();
    const DebugState start = s.state();
    const std::vector<std::string> forward = fingerprints_to_end(s);
    REQUIRE(s.status() == RunStatus::Exited);
    CHECK(s.vm().result() == 106);
    require_same_states_back(s, forward);
    CHECK(s.state().packet == in.packet);
    CHECK(s.state().context == start.context);
}

} // namespace bpfplay::testing

namespace bpfplay::testing {

TEST_CASE("stepping back over changes to a multi-buffer packet's fragments") {
    const char* program = R"(
        r6 = r1
        r2 = 100
        call bpf_xdp_adjust_tail
        *(u64 *)(r10 - 8) = 0x55
        r1 = r6
        r2 = 3596
        r3 = r10
        r3 += -8
        r4 = 8
        call bpf_xdp_store_bytes
        r1 = r6
        r2 = -200
        call bpf_xdp_adjust_tail
        r0 = 2
        exit
    )";
    auto o = ObjectSession::open_assembly(program, "xdp");
    REQUIRE_MESSAGE(o.ok(), (o.ok() ? std::string() : o.error().to_string()));
    RunInput in;
    in.packet.assign(3600, 0xab);
    auto d = DebugSession::open(*o.value(), "asm", in);
    REQUIRE(d.ok());
    DebugSession& s = *d.value();
    const std::vector<std::string> forward = fingerprints_to_end(s);
    REQUIRE(s.status() == RunStatus::Exited);
    CHECK(s.run_state().packet.total_len() == 3500);
    require_same_states_back(s, forward);
    CHECK(s.run_state().packet.bytes() == in.packet);
}

} // namespace bpfplay::testing
