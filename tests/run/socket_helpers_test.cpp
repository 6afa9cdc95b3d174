// bpf_sk_lookup_tcp/udp, bpf_skc_lookup_tcp and bpf_sk_release over the host's sockets: the
// kernel's tuple, netns and flags rules, its matching order, the struct bpf_sock a program
// reads, and references still held at exit.
#include <doctest/doctest.h>

#include <cstdio>

#include "core/host/kernel_objects.hpp"
#include "core/host/socket_objects.hpp"
#include "run/net_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::net_test;
using V = std::vector<std::string>;

namespace {

std::string hex32(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

uint16_t be16_as_le(uint16_t port) {
    return uint16_t(port >> 8 | port << 8);
}

// Writes the IPv4 tuple 10.0.0.<src>:sport -> 10.0.0.2:dport at r10 - 16, calls `helper` with
// r3 = size, r4 = netns, r5 = flags, then runs `tail` (r0 = the socket or NULL).
std::string lookup_asm(const char* helper, uint16_t sport, uint16_t dport, const std::string& tail,
                       uint32_t size = 12, const char* netns = "-1", uint32_t flags = 0) {
    return "*(u32 *)(r10 - 16) = 0x0100000a\n"
           "*(u32 *)(r10 - 12) = 0x0200000a\n"
           "*(u16 *)(r10 - 8) = " +
           hex32(be16_as_le(sport)) + "\n" + "*(u16 *)(r10 - 6) = " + hex32(be16_as_le(dport)) + "\n" +
           "r2 = r10\nr2 += -16\nr3 = " + std::to_string(size) + "\nr4 = " + netns +
           "\nr5 = " + std::to_string(flags) + "\ncall " + helper + "\n" + tail;
}

const char* kRelease = "r6 = r0\nif r0 == 0 goto out\nr1 = r0\ncall bpf_sk_release\nout:\nr0 = r6\nexit\n";

} // namespace

TEST_CASE("bpf_sk_lookup_tcp finds the established socket of the packet's four-tuple") {
    auto s = open_asm(lookup_asm("bpf_sk_lookup_tcp", 40000, 8080, kRelease), "tc");
    const RunResult r = run_packet(*s);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(r.r0 == socket_address(1));
    CHECK(r.r0 == 0x600000050);
    CHECK(event_lines(r.host_events) ==
          V{"10 pc 9 bpf_sk_lookup_tcp: 10.0.0.1:40000 -> 10.0.0.2:8080 matches the ESTABLISHED TCP socket "
            "10.0.0.2:8080 <- 10.0.0.1:40000 (cookie 4098, uid 1000): the program now holds a reference and "
            "must "
            "give it back with bpf_sk_release",
            "14 pc 13 bpf_sk_release: the program gives back its reference to the socket with cookie 4098",
            "16 pc 15 exit: the packet continues through the network stack"});
    CHECK(s->host().net.run.held_sockets.empty());
}

TEST_CASE("the program reads the socket's fields from a read-only struct bpf_sock") {
    auto s =
        open_asm(lookup_asm("bpf_sk_lookup_tcp", 40000, 8080,
                            "r6 = r0\nr7 = *(u32 *)(r0 + 44)\nr1 = r0\ncall bpf_sk_release\nr0 = r7\nexit\n"),
                 "tc");
    RunInput in;
    in.packet = tcp_packet();
    auto run = s->start("asm", in);
    REQUIRE(run.ok());
    RunState& st = *run.value();
    st.vm->run();
    CHECK(st.vm->result() == 8080); // src_port, host byte order
    // The two uapi views, then one kernel object per socket, then its struct socket and file
    // (socket_objects.hpp).
    REQUIRE(st.kernel.sockets.size() ==
            3 * (bpf_sock::kSize + bpf_tcp_sock::kSize + socket_object_stride() + socket_file_pair_stride()));
    const std::vector<uint8_t> conn(st.kernel.sockets.begin() + 80, st.kernel.sockets.begin() + 160);
    const std::vector<uint8_t> expected = {
        0,    0,    0,    0,   2, 0, 0, 0, 1, 0, 0, 0, 6, 0, 0, 0,
        0,    0,    0,    0,   0, 0, 0, 0,                         // dev, family, type, proto, mark, prio
        10,   0,    0,    2,                                       // src_ip4
        0,    0,    0,    0,   0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // src_ip6
        0x90, 0x1f, 0,    0,                                       // src_port 8080
        0x9c, 0x40, 0,    0,                                       // dst_port 40000, big-endian
        10,   0,    0,    1,                                       // dst_ip4
        0,    0,    0,    0,   0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // dst_ip6
        1,    0,    0,    0,                                       // TCP_ESTABLISHED
        0xff, 0xff, 0xff, 0xff};                                   // rx_queue_mapping -1
    CHECK(conn == expected);
    auto store =
        open_asm(lookup_asm("bpf_sk_lookup_tcp", 40000, 8080, "*(u32 *)(r0 + 16) = 1\nexit\n"), "tc");
    const RunResult r = run_packet(*store);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->kind == ErrorKind::Memory);
}

TEST_CASE("without an established match the listener on the port answers, the exact address first") {
    auto s = open_asm(lookup_asm("bpf_sk_lookup_tcp", 1234, 80, kRelease), "xdp");
    RunResult r = run_packet(*s);
    CHECK(r.r0 == socket_address(0));
    CHECK(r.host_events.at(0).text ==
          "10.0.0.1:1234 -> 10.0.0.2:80 matches the TCP socket listening on *:80 (cookie "
          "4097, uid 33): the program now holds a reference and must give it back with "
          "bpf_sk_release");
    Host host;
    host.net.sockets.push_back(tcp_socket(7, 80, 0, TcpState::Listen)); // bound to 10.0.0.2
    host.net.sockets.push_back(tcp_socket(8, 8080, 0, TcpState::Listen));
    auto exact = open_asm(lookup_asm("bpf_sk_lookup_tcp", 1234, 80, kRelease), "xdp", host);
    CHECK(run_packet(*exact).r0 == socket_address(3));
    // Established beats the listener on 8080 for its own four-tuple only.
    auto est = open_asm(lookup_asm("bpf_sk_lookup_tcp", 40000, 8080, kRelease), "xdp", host);
    CHECK(run_packet(*est).r0 == socket_address(1));
    auto other = open_asm(lookup_asm("bpf_sk_lookup_tcp", 40001, 8080, kRelease), "xdp", host);
    CHECK(run_packet(*other).r0 == socket_address(4));
}

TEST_CASE("a socket bound to another device does not see the packet") {
    Host host;
    host.net.sockets[0].bound_dev_if = 2;
    auto s = open_asm(lookup_asm("bpf_sk_lookup_tcp", 1234, 80, kRelease), "tc", host);
    CHECK(run_packet(*s).r0 == 0);
    host.net.ingress_ifindex = 2;
    auto eth0 = open_asm(lookup_asm("bpf_sk_lookup_tcp", 1234, 80, kRelease), "tc", host);
    CHECK(run_packet(*eth0).r0 == socket_address(0));
}

TEST_CASE("no match, a bad tuple size, flags or another netns give NULL") {
    auto miss = open_asm(lookup_asm("bpf_sk_lookup_tcp", 1234, 81, kRelease), "tc");
    RunResult r = run_packet(*miss);
    CHECK(r.r0 == 0);
    CHECK(r.host_events.at(0).text == "no TCP socket matches 10.0.0.1:1234 -> 10.0.0.2:81: returns NULL");
    auto size = open_asm(lookup_asm("bpf_sk_lookup_tcp", 40000, 8080, kRelease, 13), "tc");
    r = run_packet(*size);
    CHECK(r.r0 == 0);
    CHECK(r.host_events.at(0).text == "tuple_size 13 is neither 12 (IPv4) nor 36 (IPv6): returns NULL");
    auto flags = open_asm(lookup_asm("bpf_sk_lookup_tcp", 40000, 8080, kRelease, 12, "-1", 1), "tc");
    r = run_packet(*flags);
    CHECK(r.r0 == 0);
    CHECK(r.host_events.at(0).text == "flags 0x1 must be 0: returns NULL");
    auto netns = open_asm(lookup_asm("bpf_sk_lookup_tcp", 40000, 8080, kRelease, 12, "0"), "tc");
    r = run_packet(*netns);
    CHECK(r.r0 == 0);
    CHECK(r.host_events.at(0).text ==
          "netns 0 is not BPF_F_CURRENT_NETNS and the host has no other network namespace: returns NULL");
    // Any negative s32 is the current namespace (BPF_F_CURRENT_NETNS is -1).
    auto low = open_asm(lookup_asm("bpf_sk_lookup_tcp", 40000, 8080, kRelease, 12, "0xffffffff ll"), "tc");
    CHECK(run_packet(*low).r0 == socket_address(1));
}

TEST_CASE("bpf_sk_lookup_udp finds the UDP socket on the port; TCP lookups do not") {
    auto s = open_asm(lookup_asm("bpf_sk_lookup_udp", 5353, 53, kRelease), "tc");
    RunResult r = run_packet(*s);
    CHECK(r.r0 == socket_address(2));
    CHECK(r.host_events.at(0).text ==
          "10.0.0.1:5353 -> 10.0.0.2:53 matches the UDP socket on 10.0.0.2:53 (cookie "
          "4099, uid 101): the program now holds a reference and must give it back with "
          "bpf_sk_release");
    auto tcp = open_asm(lookup_asm("bpf_sk_lookup_tcp", 5353, 53, kRelease), "tc");
    CHECK(run_packet(*tcp).r0 == 0);
}

TEST_CASE("a TIME_WAIT socket is found by bpf_skc_lookup_tcp but not by bpf_sk_lookup_tcp") {
    Host host;
    host.net.sockets[1].state = TcpState::TimeWait;
    auto sk = open_asm(lookup_asm("bpf_sk_lookup_tcp", 40000, 8080, kRelease), "tc", host);
    RunResult r = run_packet(*sk);
    CHECK(r.r0 == 0);
    CHECK(r.host_events.at(0).text ==
          "10.0.0.1:40000 -> 10.0.0.2:8080 matches the TIME_WAIT TCP socket 10.0.0.2:8080 <- 10.0.0.1:40000 "
          "(cookie "
          "4098, uid 1000), which is not a full socket: returns NULL (bpf_skc_lookup_tcp would return it)");
    auto skc = open_asm(lookup_asm("bpf_skc_lookup_tcp", 40000, 8080, kRelease), "tc", host);
    CHECK(run_packet(*skc).r0 == socket_address(1));
}

TEST_CASE("a reference still held at exit is reported") {
    auto s = open_asm(lookup_asm("bpf_sk_lookup_tcp", 40000, 8080, "r0 = 2\nexit\n"), "tc");
    const RunResult r = run_packet(*s);
    CHECK(event_lines(r.host_events).back() ==
          "12 pc 11 exit: the program exits still holding the socket with cookie 4098: every socket from "
          "bpf_sk_lookup_tcp, bpf_sk_lookup_udp or bpf_skc_lookup_tcp (or a sockmap lookup) must be given back with "
          "bpf_sk_release, and "
          "the kernel's verifier refuses this program (\"Unreleased reference\")");
    CHECK(s->host().net.run.held_sockets == std::vector<uint32_t>{1});
}

TEST_CASE("releasing what the program does not hold is refused as the verifier would") {
    auto twice =
        open_asm(lookup_asm("bpf_sk_lookup_tcp", 40000, 8080,
                            "r6 = r0\nr1 = r0\ncall bpf_sk_release\nr1 = r6\ncall bpf_sk_release\nexit\n"),
                 "tc");
    const RunResult r = run_packet(*twice);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->what ==
          "bpf_sk_release: r1 = 0x600000050 is not a socket the program holds, so the kernel's "
          "verifier refuses the call (\"R1 must be referenced when passed to release function\")");
    CHECK(refused_asm(lookup_asm("bpf_sk_lookup_tcp", 40000, 8080, kRelease), "socket").what ==
          "program of type socket_filter cannot use helper bpf_sk_lookup_tcp#84");
}

TEST_CASE("a test run's skb has its own socket: root's, with a new cookie each run, as the kernel's") {
    // Recorded on Linux 6.18 with BPF_PROG_TEST_RUN on a TC program: cookie 1, then 2 on the
    // next run (a fresh counter), the same cookie when asked twice in one run, uid 0.
    Host host;
    host.net.sockets[0].cookie = 2;  // taken: the counter skips it
    auto s = open_asm("r7 = r1\ncall bpf_get_socket_cookie\nr6 = r0\nr1 = r7\ncall bpf_get_socket_cookie\nr0 <<= 8\n"
                      "r0 |= r6\nexit\n",
                      "tc", host);
    RunResult r = run_packet(*s);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(r.r0 == 0x101);
    CHECK(event_lines(r.host_events).at(0) ==
          "2 pc 1 bpf_get_socket_cookie: the packet belongs to the test run's own socket, which gets cookie 1 now "
          "(cookies are made when first asked for)");
    CHECK(r.host_events.size() == 2);  // asked twice, made once; then the exit
    CHECK(run_packet(*s).r0 == 0x303);
    auto uid = open_asm("call bpf_get_socket_uid\nexit\n", "socket");
    CHECK(run_packet(*uid).r0 == 0);
    CHECK(refused_asm("call bpf_get_socket_cookie\nexit\n", "xdp").what ==
          "program of type xdp cannot use helper bpf_get_socket_cookie#46");
}

TEST_CASE("a connected UDP socket is TCP_ESTABLISHED in struct bpf_sock and its kernel object, a bound one TCP_CLOSE") {
    Host host;
    HostSocket connected = tcp_socket(7001, 5353, 53, TcpState::Listen);  // state unused for UDP
    connected.protocol = kIpprotoUdp;
    HostSocket bound = tcp_socket(7002, 5354, 0, TcpState::Listen);
    bound.protocol = kIpprotoUdp;
    host.net.sockets = {connected, bound};
    auto s = open_asm("r0 = 0\nexit\n", "tc", host);
    RunInput in;
    in.packet = tcp_packet();
    auto run = s->start("asm", in);
    REQUIRE(run.ok());
    const std::vector<uint8_t>& k = run.value()->kernel.sockets;
    REQUIRE(k.size() ==
            2 * (bpf_sock::kSize + bpf_tcp_sock::kSize + socket_object_stride() + socket_file_pair_stride()));
    CHECK(load_le<uint32_t>(&k[bpf_sock::kState]) == 1);                    // TCP_ESTABLISHED
    CHECK(load_le<uint32_t>(&k[bpf_sock::kSize + bpf_sock::kState]) == 7);  // TCP_CLOSE
    CHECK(kernel_sk_state(host.net.sockets[0]) == 1);
    CHECK(kernel_sk_state(host.net.sockets[1]) == 7);
}
