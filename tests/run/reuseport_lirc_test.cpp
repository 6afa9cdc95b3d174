// sk_reuseport programs (struct sk_reuseport_md and bpf_sk_select_reuseport, net/core/filter.c)
// and lirc_mode2 programs (the sample and the rc helpers, drivers/media/rc/bpf-lirc.c).
//
// The host of the sk_reuseport tests:
//   0 TCP *:8080 listening, SO_REUSEPORT (cookie 100)   } one reuseport group: the one the
//   1 TCP *:8080 listening, SO_REUSEPORT (cookie 101)   } SYN 10.0.0.1:40000 -> 10.0.0.2:8080 hits
//   2 UDP *:8080 bound, SO_REUSEPORT (cookie 102)        another protocol
//   3 TCP *:9090 listening, SO_REUSEPORT (cookie 103)    another port
//   4 TCP [::]:8080 listening, SO_REUSEPORT (cookie 104) another family
//   5 TCP 10.0.0.2:8080 <- 10.0.0.1:50000 ESTABLISHED (cookie 105), in no group
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "core/host/kernel_objects.hpp"
#include "core/maps/jhash.hpp"
#include "core/maps/map.hpp"
#include "core/maps/map_set.hpp"
#include "maps/map_test_util.hpp"
#include "run/net_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::net_test;
using V = std::vector<std::string>;

namespace {

std::vector<uint8_t> le32(uint32_t v) { return test::bytes(v); }
std::vector<uint8_t> le64(uint64_t v) { return test::bytes(v); }

HostSocket sock(uint64_t cookie, uint32_t protocol, uint16_t port, uint32_t family = kAfInet) {
    HostSocket s;
    s.cookie = cookie;
    s.protocol = protocol;
    s.family = family;
    s.local_port = port;
    s.reuseport = true;
    s.state = protocol == kIpprotoTcp ? TcpState::Listen : TcpState::Close;
    return s;
}

Host reuseport_host() {
    Host h;
    HostSocket est = tcp_socket(105, 8080, 50000, TcpState::Established);
    h.net.sockets = {sock(100, kIpprotoTcp, 8080), sock(101, kIpprotoTcp, 8080), sock(102, kIpprotoUdp, 8080),
                     sock(103, kIpprotoTcp, 9090), sock(104, kIpprotoTcp, 8080, kAfInet6), est};
    return h;
}

// 10.0.0.1:40000 -> 10.0.0.2:dport, UDP with a 4-byte payload "abcd" and 2 bytes of frame padding.
std::vector<uint8_t> udp_packet(uint16_t dport) {
    std::vector<uint8_t> p = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00,  // Ethernet
                              0x45, 0, 0, 32, 0, 1, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
                              0x9c, 0x40, uint8_t(dport >> 8), uint8_t(dport), 0, 12, 0, 0,  // UDP
                              'a', 'b', 'c', 'd', 0xee, 0xee};
    return p;
}

RunResult run_with(ObjectSession& s, std::vector<uint8_t> packet, std::vector<uint8_t> ctx = {}) {
    RunInput in;
    in.packet = std::move(packet);
    in.ctx = std::move(ctx);
    return s.run("asm", in);
}

MapSpec socket_map(MapType type, const char* name) { return test::spec(type, 4, 8, 5, 0, name); }

// Calls bpf_sk_select_reuseport(ctx, map 0, &key, flags) and returns its answer.
std::string select_prog(uint32_t key, uint64_t flags = 0) {
    return "*(u32 *)(r10 - 4) = " + std::to_string(key) + "\nr2 = " + std::to_string(map_handle(0)) +
           " ll\nr3 = r10\nr3 += -4\nr4 = " + std::to_string(flags) + "\ncall bpf_sk_select_reuseport\nexit\n";
}

// A session whose map 0 is a reuseport_sockarray "group" holding sockets 1, 2, 3 and 4 at keys
// 0..3 (key 4 empty).
std::unique_ptr<ObjectSession> with_sockarray(const std::string& text) {
    auto s = open_asm(text, "sk_reuseport", reuseport_host());
    REQUIRE(s->object().maps->create(socket_map(MapType::ReuseportSockarray, "group")).ok());
    Map* m = s->object().maps->find("group");
    for (uint32_t k = 0; k < 4; ++k) REQUIRE(m->update_user(le32(k), le64(101 + k)) == 0);
    return s;
}

int64_t select_answer(ObjectSession& s) {
    const RunResult r = run_with(s, tcp_packet());
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    return int64_t(r.r0);
}

std::unique_ptr<ObjectSession> open_example(const char* name, Host host = {}) {
    std::ifstream f(std::string(BPFPLAY_SOURCE_DIR) + "/public/examples/" + name, std::ios::binary);
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(f), {}};
    REQUIRE_FALSE(bytes.empty());
    auto s = ObjectSession::open(bytes, name, std::move(host));
    if (!s.ok()) FAIL(s.error().to_string());
    return std::move(s).value();
}

uint64_t counter(ObjectSession& s, const char* map, uint32_t index) {
    std::vector<uint8_t> value(8);
    REQUIRE(s.object().maps->find(map)->lookup_user(le32(index), value) == 0);
    return load_le<uint64_t>(value.data());
}

}  // namespace

TEST_CASE("sk_reuseport_md: the skb from the TCP header on, the group's socket, the hash") {
    const std::string fields =
        "r2 = *(u64 *)(r1 + 0)\nr3 = *(u64 *)(r1 + 8)\nr3 -= r2\n*(u64 *)(r10 - 8) = r3\n"  // data_end - data
        "r4 = *(u8 *)(r2 + 0)\n*(u64 *)(r10 - 16) = r4\n"                                    // first byte
        "r0 = *(u32 *)(r1 + 16)\n"                                                           // len
        "r5 = *(u16 *)(r1 + 20)\nr0 <<= 16\nr0 |= r5\n"                                      // eth_protocol
        "r5 = *(u8 *)(r1 + 24)\nr0 <<= 8\nr0 |= r5\n"                                        // ip_protocol
        "r5 = *(u32 *)(r1 + 28)\nr0 <<= 8\nr0 |= r5\nexit\n";                                // bind_inany
    auto s = open_asm(fields, "sk_reuseport", reuseport_host());
    RunResult r = run_with(*s, tcp_packet());
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    // len 20 (the TCP header), eth_protocol htons(0x0800), IPPROTO_TCP, bound to any address.
    CHECK(r.r0 == (uint64_t(20) << 32 | uint64_t(0x0008) << 16 | 6 << 8 | 1));
    CHECK(r.packet_out.size() == 20);
    CHECK(r.packet_out.at(0) == 0x9c);  // source port 40000's first byte

    // hash: jhash_3words(daddr, saddr, dport << 16 | sport (big-endian), secret 0), or ctx_in's.
    const uint8_t words[12] = {10, 0, 0, 2, 10, 0, 0, 1, 0x9c, 0x40, 0x90, 0x1f};  // dport << 16 | htons(sport): 0x1f90409c
    auto h = open_asm("r0 = *(u32 *)(r1 + 32)\nexit\n", "sk_reuseport", reuseport_host());
    CHECK(run_with(*h, tcp_packet()).r0 == jhash2(words, 3, 0));
    std::vector<uint8_t> ctx(56, 0);
    ctx[32] = 0x78, ctx[33] = 0x56, ctx[34] = 0x34, ctx[35] = 0x12;
    CHECK(run_with(*h, tcp_packet(), ctx).r0 == 0x12345678);

    // sk: the listener the lookup found first (socket 0); its bpf_sock shows port 8080.
    auto sk = open_asm("r2 = *(u64 *)(r1 + 40)\nr0 = *(u32 *)(r2 + 44)\nr3 = *(u64 *)(r1 + 48)\nr0 += r3\nexit\n",
                       "sk_reuseport", reuseport_host());
    r = run_with(*sk, tcp_packet());
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 8080);  // migrating_sk is NULL
    CHECK(r.ctx_out.size() == 56);
    CHECK(load_le<uint64_t>(&r.ctx_out[40]) == socket_address(0));
}

TEST_CASE("sk_reuseport_md: a UDP datagram is seen up to its UDP length, the frame's padding cut") {
    auto s = open_asm("r2 = *(u64 *)(r1 + 0)\nr3 = *(u64 *)(r1 + 8)\nr3 -= r2\nr0 = *(u32 *)(r1 + 16)\n"
                      "r0 <<= 8\nr0 |= r3\nr4 = *(u32 *)(r1 + 24)\nr0 <<= 8\nr0 |= r4\nexit\n",
                      "sk_reuseport", reuseport_host());
    const RunResult r = run_with(*s, udp_packet(8080));
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == (12u << 16 | 12u << 8 | 17));
    CHECK(r.packet_out == std::vector<uint8_t>{0x9c, 0x40, 0x1f, 0x90, 0, 12, 0, 0, 'a', 'b', 'c', 'd'});
}

TEST_CASE("sk_reuseport_md refuses writes, misaligned and wrong-sized loads, the padding") {
    const std::pair<const char*, const char*> cases[] = {
        {"*(u32 *)(r1 + 16) = 1", "struct sk_reuseport_md is read-only"},
        {"r0 = *(u64 *)(r1 + 16)", "len, eth_protocol, ip_protocol and bind_inany are 4-byte fields"},
        {"r0 = *(u8 *)(r1 + 20)", "eth_protocol is read 2 or 4 bytes at a time"},
        {"r0 = *(u16 *)(r1 + 32)", "hash must be read 4 bytes at a time"},
        {"r0 = *(u32 *)(r1 + 36)", "no field of struct sk_reuseport_md is there"},
        {"r0 = *(u32 *)(r1 + 0)", "data must be read as a whole 8-byte field"},
        {"r0 = *(u16 *)(r1 + 17)", "only aligned loads inside struct sk_reuseport_md"},
        {"r0 = *(u32 *)(r1 + 56)", "only aligned loads inside struct sk_reuseport_md"},
    };
    for (const auto& bad_case : cases) {
        const char *bad = bad_case.first, *why = bad_case.second;
        CAPTURE(bad);
        auto s = open_asm(std::string(bad) + "\nr0 = 0\nexit\n", "sk_reuseport", reuseport_host());
        const RunResult r = run_with(*s, tcp_packet());
        REQUIRE(r.status == RunStatus::Faulted);
        CHECK(r.error->what.find(why) != std::string::npos);
    }
    // Narrow loads of the narrowable fields are fine, and the packet is read-only.
    auto narrow = open_asm("r0 = *(u8 *)(r1 + 24)\nr2 = *(u16 *)(r1 + 22)\nr0 += r2\nexit\n", "sk_reuseport",
                           reuseport_host());
    CHECK(run_with(*narrow, tcp_packet()).r0 == 6);
    auto write = open_asm("r2 = *(u64 *)(r1 + 0)\n*(u8 *)(r2 + 0) = 1\nr0 = 1\nexit\n", "sk_reuseport",
                          reuseport_host());
    const RunResult w = run_with(*write, tcp_packet());
    REQUIRE(w.status == RunStatus::Faulted);
    CHECK(w.error->what == "1-byte store at 0x200000000 writes to the 20-byte packet at 0x200000000, which is read-only");
}

TEST_CASE("sk_reuseport runs only where the lookup lands on a reuseport group") {
    auto s = open_asm("r0 = 1\nexit\n", "sk_reuseport", reuseport_host());
    RunResult r = run_with(*s, udp_packet(9999));
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->to_string().find("no socket of the host is bound on UDP port 9999") != std::string::npos);
    // The established connection takes its own segments.
    std::vector<uint8_t> seg = tcp_packet();
    seg[34] = 0xc3, seg[35] = 0x50;  // source port 50000
    r = run_with(*s, seg);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->to_string().find("established socket 5") != std::string::npos);
    // A socket without SO_REUSEPORT bound to the exact address beats the group on *:8080.
    Host h = reuseport_host();
    HostSocket exact = sock(106, kIpprotoTcp, 8080);
    exact.local_addr = {10, 0, 0, 2};
    exact.reuseport = false;
    h.net.sockets.push_back(exact);
    auto t = open_asm("r0 = 1\nexit\n", "sk_reuseport", h);
    r = run_with(*t, tcp_packet());
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->to_string().find("socket 6 (cookie 106, IPv4 TCP port 8080), which has no SO_REUSEPORT") != std::string::npos);
    // Not IP, or not TCP/UDP.
    std::vector<uint8_t> arp = tcp_packet();
    arp[12] = 0x08, arp[13] = 0x06;
    CHECK(run_with(*s, arp).status == RunStatus::Faulted);
}

TEST_CASE("bpf_sk_select_reuseport picks a socket of the group from a reuseport_sockarray") {
    auto s = with_sockarray(select_prog(0));
    RunResult r = run_with(*s, tcp_packet());
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(r.r0 == 0);
    CHECK(s->host().net.run.reuseport_socket == 1u);
    // r0 0 is SK_DROP: the choice is not used.
    CHECK(event_lines(r.host_events) ==
          V{"6 pc 6 bpf_sk_select_reuseport: reuseport_sockarray \"group\" key 00000000 is socket 1 (cookie 101, IPv4 "
            "TCP port 8080): selected, the packet goes to it if the program returns SK_PASS; returns 0",
            "7 pc 7 exit: SK_DROP: the lookup fails with -ECONNREFUSED: the connection request (SYN) finds no "
            "socket in the group and is refused"});

    auto pass = with_sockarray("*(u32 *)(r10 - 4) = 0\nr2 = " + std::to_string(map_handle(0)) +
                               " ll\nr3 = r10\nr3 += -4\nr4 = 0\ncall bpf_sk_select_reuseport\nr0 = 1\nexit\n");
    r = run_with(*pass, tcp_packet());
    CHECK(r.r0 == 1);
    CHECK(r.return_name == "SK_PASS");
    CHECK(r.host_events.at(1).text ==
          "SK_PASS: the connection request (SYN) goes to socket 1 (cookie 101, IPv4 TCP port 8080), which "
          "bpf_sk_select_reuseport picked");
}

TEST_CASE("bpf_sk_select_reuseport's errnos: no socket, another protocol, family, port; the flags are ignored") {
    auto at = [](uint32_t key, uint64_t flags = 0) {
        auto s = with_sockarray(select_prog(key, flags));
        return select_answer(*s);
    };
    CHECK(at(0, 0xffff) == 0);
    CHECK(at(1) == -91);  // -EPROTOTYPE: the UDP socket
    CHECK(at(2) == -77);  // -EBADFD: port 9090
    CHECK(at(3) == -97);  // -EAFNOSUPPORT: the IPv6 listener
    CHECK(at(4) == -2);   // -ENOENT: an empty slot
    CHECK(at(7) == -2);   // -ENOENT: past max_entries
    // A sockarray socket that left the group (no SO_REUSEPORT any more): -ENOENT.
    auto s = with_sockarray(select_prog(0));
    s->host().net.sockets[1].reuseport = false;
    RunResult r = run_with(*s, tcp_packet());
    CHECK(int64_t(r.r0) == -2);
    CHECK(r.host_events.at(0).text ==
          "reuseport_sockarray \"group\" key 00000000 is socket 1 (cookie 101, IPv4 TCP port 8080), which is in no "
          "reuseport group (it needs SO_REUSEPORT and to be listening): returns -2");
    CHECK_FALSE(s->host().net.run.reuseport_socket.has_value());
}

TEST_CASE("bpf_sk_select_reuseport from a sockmap or sockhash: -EINVAL for a socket in no group") {
    auto s = open_asm(select_prog(0), "sk_reuseport", reuseport_host());
    REQUIRE(s->object().maps->create(socket_map(MapType::Sockmap, "socks")).ok());
    Map* m = s->object().maps->find("socks");
    REQUIRE(m->update_user(le32(0), le64(105)) == 0);
    CHECK(select_answer(*s) == -22);
    REQUIRE(m->update_user(le32(0), le64(100)) == 0);
    CHECK(select_answer(*s) == 0);
    CHECK(s->host().net.run.reuseport_socket == 0u);

    auto h = open_asm(select_prog(7), "sk_reuseport", reuseport_host());
    REQUIRE(h->object().maps->create(socket_map(MapType::Sockhash, "hash")).ok());
    REQUIRE(h->object().maps->find("hash")->update_user(le32(7), le64(101)) == 0);
    CHECK(select_answer(*h) == 0);
    CHECK(h->host().net.run.reuseport_socket == 1u);
    auto miss = open_asm(select_prog(8), "sk_reuseport", reuseport_host());
    REQUIRE(miss->object().maps->create(socket_map(MapType::Sockhash, "hash")).ok());
    CHECK(select_answer(*miss) == -2);
}

TEST_CASE("sk_reuseport: SK_PASS without a selection goes by the hash") {
    auto s = open_asm("r0 = 1\nexit\n", "sk_reuseport", reuseport_host());
    std::vector<uint8_t> ctx(56, 0);
    ctx[35] = 0x80;  // hash 0x80000000: reciprocal_scale(hash, 2) = 1
    RunResult r = run_with(*s, tcp_packet(), ctx);
    CHECK(event_lines(r.host_events) ==
          V{"2 pc 1 exit: SK_PASS without a selection: the kernel picks by the hash, member 1 of 2 "
            "(reciprocal_scale(2147483648, 2) = 1): the connection request (SYN) goes to socket 1 (cookie 101, IPv4 TCP "
            "port 8080)"});
    ctx[35] = 0x7f;
    r = run_with(*s, tcp_packet(), ctx);
    CHECK(r.host_events.at(0).text.find("member 0 of 2") != std::string::npos);
}

TEST_CASE("lirc_mode2: the sample, and the rc helpers' input events") {
    const std::string text =
        "r6 = r1\nr7 = *(u32 *)(r1 + 0)\n"
        "r1 = r6\nr2 = 9\nr3 = 0x1234\nr4 = 2\ncall bpf_rc_keydown\nr8 = r0\n"
        "r1 = r6\ncall bpf_rc_repeat\nr8 += r0\n"
        "r1 = r6\nr2 = -5\nr3 = 7\ncall bpf_rc_pointer_rel\nr8 += r0\n"
        "r0 = r7\nr0 += r8\nexit\n";
    auto s = open_asm(text, "lirc_mode2");
    RunResult r = run_with(*s, {}, le32(0x01000123));  // LIRC_PULSE(291)
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 0x01000123);
    CHECK(event_lines(r.host_events) ==
          V{"7 pc 6 bpf_rc_keydown: key down: RC_PROTO_NEC (9), scancode 0x1234, toggle 1 (the keymap turns the "
            "scancode into a key; a key up follows unless repeated); returns 0",
            "10 pc 9 bpf_rc_repeat: repeat: the last key stays down (its key up is put off); returns 0",
            "15 pc 14 bpf_rc_pointer_rel: pointer moves by x -5, y 7 (REL_X, REL_Y, then a sync); returns 0"});
    // One u32, read whole, never written; the helpers want the context itself.
    const std::pair<const char*, const char*> cases[] = {
        {"r0 = *(u16 *)(r1 + 0)", "sample must be read 4 bytes at a time"},
        {"r0 = *(u32 *)(r1 + 4)", "lirc_mode2 sample is 4 bytes long"},
        {"*(u32 *)(r1 + 0) = 0", "field sample is read-only"},
        {"r1 = r10\ncall bpf_rc_repeat", "bpf_rc_repeat: r1 = 0x800000200 is not the lirc sample"},
    };
    for (const auto& bad_case : cases) {
        const char *bad = bad_case.first, *why = bad_case.second;
        CAPTURE(bad);
        auto b = open_asm(std::string(bad) + "\nr0 = 0\nexit\n", "lirc_mode2");
        const RunResult f = run_with(*b, {}, le32(0));
        REQUIRE(f.status == RunStatus::Faulted);
        CHECK(f.error->what.find(why) != std::string::npos);
    }
}

TEST_CASE("sk_reuseport: bpf_skb_load_bytes from the transport header, _relative from the IP header") {
    // r0 = dport (bytes 2..3 of the TCP header) << 32 | the IP source address.
    auto s = open_asm("r6 = r1\nr2 = 2\nr3 = r10\nr3 += -8\nr4 = 2\ncall bpf_skb_load_bytes\n"
                      "r1 = r6\nr2 = 12\nr3 = r10\nr3 += -4\nr4 = 4\nr5 = 1\ncall bpf_skb_load_bytes_relative\n"
                      "r0 = *(u32 *)(r10 - 8)\nr0 <<= 32\nr1 = *(u32 *)(r10 - 4)\nr0 |= r1\nexit\n",
                      "sk_reuseport", reuseport_host());
    const RunResult r = run_with(*s, tcp_packet());
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == (uint64_t(0x901f) << 32 | 0x0100000a));
}

// examples/sk_reuseport_select.c: four UDP workers on *:8080, two of them in the sockarray.
TEST_CASE("sk_reuseport_select example: the payload's worker id picks the socket, else the hash") {
    Host h;
    h.net.sockets.clear();
    for (uint64_t i = 0; i < 4; ++i) h.net.sockets.push_back(sock(200 + i, kIpprotoUdp, 8080));
    auto s = open_example("sk_reuseport_select.o", h);
    Map& workers = *s->object().maps->find("workers");
    REQUIRE(workers.update_user(le32(1), le64(201)) == 0);
    REQUIRE(workers.update_user(le32(2), le64(202)) == 0);
    auto datagram = [](uint8_t first) {
        std::vector<uint8_t> p = udp_packet(8080);
        p[42] = first;
        return p;
    };
    RunInput in;
    in.packet = datagram(0x05);  // worker 1
    RunResult r = s->run("steer_by_worker_id", in);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 1);
    CHECK(s->host().net.run.reuseport_socket == 1u);
    CHECK(r.host_events.back().text ==
          "SK_PASS: the datagram goes to socket 1 (cookie 201, IPv4 UDP port 8080), which bpf_sk_select_reuseport picked");
    in.packet = datagram(0x03);  // worker 3: no socket, -ENOENT, the hash picks
    r = s->run("steer_by_worker_id", in);
    CHECK(r.r0 == 1);
    CHECK(r.host_events.at(r.host_events.size() - 2).text.find("holds no socket: returns -2") != std::string::npos);
    CHECK(r.host_events.back().text.find("SK_PASS without a selection: the kernel picks by the hash") == 0);
    in.packet = udp_packet(8080);
    in.packet[38] = 0, in.packet[39] = 8, in.packet[17] = 28;  // an empty datagram: refused
    r = s->run("steer_by_worker_id", in);
    CHECK(r.r0 == 0);
    CHECK(counter(*s, "outcomes", 0) == 1);
    CHECK(counter(*s, "outcomes", 1) == 1);
    CHECK(counter(*s, "outcomes", 2) == 1);
}

// examples/lirc_decode.c: an NEC message for address 0x04, command 0x08, then a repeat.
TEST_CASE("lirc_decode example: NEC pulses and spaces become a key down and a repeat") {
    auto s = open_example("lirc_decode.o");
    std::vector<uint32_t> samples = {0x01000000 | 9000, 4500};
    const uint32_t message = 0x04 | 0xfbu << 8 | 0x08u << 16 | 0xf7u << 24;
    for (int bit = 0; bit < 32; ++bit) {
        samples.push_back(0x01000000 | 562);
        samples.push_back((message >> bit) & 1 ? 1687 : 562);
    }
    samples.insert(samples.end(), {0x01000000 | 562, 0x03000000 | 20000, 0x01000000 | 9000, 2250});
    std::vector<std::string> events;
    for (uint32_t v : samples) {
        RunInput in;
        in.ctx = le32(v);
        const RunResult r = s->run("nec_decode", in);
        REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
        CHECK(r.r0 == 0);
        for (const HostEvent& e : r.host_events) events.push_back(e.helper + ": " + e.text);
    }
    CHECK(events ==
          V{"bpf_rc_keydown: key down: RC_PROTO_NEC (9), scancode 0x408, toggle 0 (the keymap turns the scancode "
            "into a key; a key up follows unless repeated); returns 0",
            "bpf_rc_repeat: repeat: the last key stays down (its key up is put off); returns 0"});
}

TEST_CASE("sk_reuseport over IPv6: the UDP group on [::]:8080, inet6_ehashfn's hash") {
    Host h;
    h.net.sockets = {sock(300, kIpprotoUdp, 8080, kAfInet6), sock(301, kIpprotoUdp, 8080, kAfInet6)};
    // fd00::1:40000 -> fd00::2:8080, UDP "abcd".
    std::vector<uint8_t> p = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd, 0x60, 0, 0, 0, 0, 12, 17, 64};
    const std::vector<uint8_t> src = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    std::vector<uint8_t> dst = src;
    dst[15] = 2;
    p.insert(p.end(), src.begin(), src.end());
    p.insert(p.end(), dst.begin(), dst.end());
    p.insert(p.end(), {0x9c, 0x40, 0x1f, 0x90, 0, 12, 0, 0, 'a', 'b', 'c', 'd'});
    auto s = open_asm("r0 = *(u32 *)(r1 + 32)\nr2 = *(u32 *)(r1 + 16)\nr2 <<= 8\nr3 = *(u32 *)(r1 + 24)\n"
                      "r2 |= r3\nr2 <<= 32\nr0 |= r2\nexit\n",
                      "sk_reuseport", h);
    const RunResult r = run_with(*s, p);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    // fhash = jhash_3words(s[0] ^ s[1], s[2], s[3]); hash = jhash_3words(d[3], fhash, ports).
    const uint8_t saddr_words[12] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    const uint32_t fhash = jhash2(saddr_words, 3, 0);
    uint8_t words[12] = {0, 0, 0, 2, 0, 0, 0, 0, 0x9c, 0x40, 0x90, 0x1f};
    std::memcpy(words + 4, &fhash, 4);
    CHECK(r.r0 == (uint64_t(12u << 8 | 17) << 32 | jhash2(words, 3, 0)));
    CHECK(r.host_events.back().text.find("SK_DROP: the lookup fails with -ECONNREFUSED: the datagram") == 0);
}

TEST_CASE("sk_reuseport: bpf_get_socket_cookie of ctx->sk is the group socket's cookie") {
    auto s = open_asm("r1 = *(u64 *)(r1 + 40)\ncall bpf_get_socket_cookie\nexit\n", "sk_reuseport", reuseport_host());
    const RunResult r = run_with(*s, tcp_packet());
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 100);
    CHECK(r.host_events.size() == 1);  // only the exit report: no test-run socket cookie was made
}

// sk_reuseport/migrate with program_socket: listener 0 closes while connection 5 waits on it.
TEST_CASE("sk_reuseport/migrate: a connection of a closing listener moves to another of the group") {
    Host h = reuseport_host();
    h.net.program_socket = 5;
    const std::string fields = "r2 = *(u64 *)(r1 + 48)\nr0 = *(u32 *)(r2 + 44)\nr3 = *(u64 *)(r1 + 40)\n"
                               "r4 = *(u32 *)(r3 + 4)\nr0 <<= 8\nr0 |= r4\nr5 = *(u32 *)(r1 + 16)\nr0 <<= 8\n"
                               "r0 |= r5\nr2 = *(u64 *)(r1 + 0)\nr3 = *(u64 *)(r1 + 8)\nr3 -= r2\nr0 <<= 8\nr0 |= r3\nexit\n";
    auto s = open_asm(fields, "sk_reuseport/migrate", h);
    RunResult r = run_with(*s, {});
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    // migrating_sk: socket 5 (port 8080); sk: listener 0 (AF_INET); an empty skb.
    CHECK(r.r0 == (uint64_t(8080) << 24 | 2 << 16));
    CHECK(r.host_events.back().text ==
          "SK_DROP: the migration fails (-ECONNREFUSED): socket 5 (cookie 105, IPv4 TCP port 8080) is closed with its "
          "listener, as without migration");

    // Selecting listener 1 from the sockarray migrates the connection there; without a selection
    // the hash picks among the group without the closing listener: socket 1 again.
    auto sel = open_asm("*(u32 *)(r10 - 4) = 0\nr2 = " + std::to_string(map_handle(0)) +
                            " ll\nr3 = r10\nr3 += -4\nr4 = 0\ncall bpf_sk_select_reuseport\nr0 = 1\nexit\n",
                        "sk_reuseport/migrate", h);
    REQUIRE(sel->object().maps->create(socket_map(MapType::ReuseportSockarray, "group")).ok());
    REQUIRE(sel->object().maps->find("group")->update_user(le32(0), le64(101)) == 0);
    r = run_with(*sel, {});
    CHECK(r.r0 == 1);
    CHECK(r.host_events.back().text ==
          "SK_PASS: socket 5 (cookie 105, IPv4 TCP port 8080) migrates to socket 1 (cookie 101, IPv4 TCP port 8080), which "
          "bpf_sk_select_reuseport picked");
    auto pass = open_asm("r0 = 1\nexit\n", "sk_reuseport/migrate", h);
    r = run_with(*pass, {});
    CHECK(r.host_events.back().text.find("member 0 of 1") != std::string::npos);
    CHECK(r.host_events.back().text.find("migrates to socket 1 (cookie 101") != std::string::npos);

    // A listener with no other socket in its group has nothing to migrate to; a listener is no
    // connection to migrate.
    h.net.sockets[1].reuseport = false;
    auto alone = open_asm("r0 = 1\nexit\n", "sk_reuseport/migrate", h);
    r = run_with(*alone, {});
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->what.find("is its group's last socket") != std::string::npos);
    h.net.program_socket = 0;
    auto bad = open_asm("r0 = 1\nexit\n", "sk_reuseport/migrate", h);
    CHECK(run_with(*bad, {}).status == RunStatus::Faulted);
}
