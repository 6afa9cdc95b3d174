// Tracing programs on kernel functions that take a struct sk_buff * (fentry/ip_rcv, kprobe/ip_rcv,
// fentry/dev_queue_xmit): the run's packet is that sk_buff, laid out as the function has it
// (core/run/traced_packet.hpp), and tests/run/bpf/skb_trace.o reads it as pwru-style tools do.
#include <doctest/doctest.h>

#include "core/hex.hpp"
#include "core/run/object_session.hpp"
#include "run/kfunc_test_util.hpp"

namespace bpfplay::testing {
namespace {

using test::open_object;

// A TCP SYN, 10.0.0.1 -> 10.0.0.2: 14 bytes of Ethernet, a 40-byte IP datagram.
std::vector<uint8_t> tcp_syn() {
    return *parse_hex_bytes("02000000000202000000000108004500002800014000400626cd0a0000010a00000200010050000003e8000000005002ffff97a70000");
}

uint64_t r0_of(ObjectSession& s, const char* program, std::vector<uint8_t> packet) {
    RunInput in;
    in.packet = std::move(packet);
    RunResult r = s.run(program, in);
    REQUIRE_MESSAGE(!r.error, (r.error ? r.error->to_string() : ""));
    return r.r0;
}

TEST_CASE("fentry/ip_rcv and kprobe/ip_rcv see the packet as the IP layer has it after eth_type_trans") {
    auto s = open_object("tests/run/bpf/skb_trace.o");
    CHECK(r0_of(*s, "ip_rcv_len", tcp_syn()) == 40);       // skb->len: the Ethernet header is pulled
    CHECK(r0_of(*s, "ip_rcv_protocol", tcp_syn()) == 6);   // head + network_header: the IP header
    CHECK(r0_of(*s, "ip_rcv_layout", tcp_syn()) == 1);     // data == network header, mac 14 before, ETH_P_IP, ifindex 1
    CHECK(r0_of(*s, "kprobe_ip_rcv", tcp_syn()) == 40);    // the same skb in di
}

TEST_CASE("fentry/dev_queue_xmit sees the frame from its Ethernet header") {
    auto s = open_object("tests/run/bpf/skb_trace.o");
    CHECK(r0_of(*s, "xmit_len", tcp_syn()) == 54 * 100 + 1);  // skb->len 54, data at the mac header
}

TEST_CASE("without a packet the sk_buff argument is NULL and reads through it give 0") {
    auto s = open_object("tests/run/bpf/skb_trace.o");
    CHECK(r0_of(*s, "ip_rcv_len", {}) == 0);
    CHECK(r0_of(*s, "ip_rcv_protocol", {}) == uint64_t(-1) >> 32);  // bpf_probe_read_kernel of NULL fails: -1 as an int
}

}  // namespace
}  // namespace bpfplay::testing
