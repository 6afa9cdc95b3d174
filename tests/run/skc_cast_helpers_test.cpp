// The bpf_skc_to_* casts (136-140, 178, 196): exact r0 (the socket's kernel object, or NULL),
// the bytes read through it at Linux 6.18's offsets, and the event log.
#include <doctest/doctest.h>

#include "core/host/kernel_objects.hpp"
#include "core/host/socket_objects.hpp"
#include "run/net_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::net_test;
using V = std::vector<std::string>;

namespace {

// Offsets in Linux 6.18's BTF (pahole): struct sock_common, struct sock, inet_sock, tcp_sock.
constexpr int kSkcRcvSaddr = 4, kSkcDport = 12, kSkcNum = 14, kSkcFamily = 16, kSkcState = 18,
              kSkcV6RcvSaddr = 72, kSkProtocol = 532, kPinet6 = 784, kInetSport = 814, kSndCwnd = 1444,
              kBytesAcked = 1824, kTwSubstate = 140;

// Like with_socket, for the IPv6 socket fd00::2:dport <- fd00::1:sport, found by `lookup`
// (bpf_skc_lookup_tcp or bpf_sk_lookup_udp) with a 36-byte tuple.
std::string with_socket6(const std::string& lookup, uint16_t sport, uint16_t dport, const std::string& body) {
    auto be = [](uint16_t p) { return std::to_string(uint16_t(p >> 8 | p << 8)); };
    return "*(u32 *)(r10 - 40) = 0xfd\n*(u32 *)(r10 - 36) = 0\n*(u32 *)(r10 - 32) = 0\n"
           "*(u32 *)(r10 - 28) = 0x01000000\n*(u32 *)(r10 - 24) = 0xfd\n*(u32 *)(r10 - 20) = 0\n"
           "*(u32 *)(r10 - 16) = 0\n*(u32 *)(r10 - 12) = 0x02000000\n*(u16 *)(r10 - 8) = " + be(sport) +
           "\n*(u16 *)(r10 - 6) = " + be(dport) + "\nr2 = r10\nr2 += -40\nr3 = 36\nr4 = -1\nr5 = 0\ncall " + lookup +
           "\nif r0 != 0 goto found\nr0 = 1\nexit\nfound:\nr6 = r0\nr1 = r0\n" + body +
           "r1 = r6\ncall bpf_sk_release\nr0 = r7\nexit\n";
}

HostSocket v6_socket(uint64_t cookie, uint32_t protocol, uint16_t local_port, uint16_t remote_port, TcpState state) {
    HostSocket s = tcp_socket(cookie, local_port, remote_port, state);
    s.family = kAfInet6;
    s.protocol = protocol;
    s.local_addr = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    s.remote_addr = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return s;
}

// `cast` on the socket, then r7 = the u<bits> at `off` of its result (r7 = 99 when NULL).
std::string read_at(const std::string& cast, int bits, int off) {
    return "call " + cast + "\nr7 = 99\nif r0 == 0 goto none\nr7 = *(u" + std::to_string(bits) + " *)(r0 + " +
           std::to_string(off) + ")\nnone:\n";
}

uint64_t run_r0(const std::string& text, const Host& host) {
    auto s = open_asm(text, "tc", host);
    const RunResult r = run_packet(*s);
    REQUIRE(r.status == RunStatus::Exited);
    return r.r0;
}

// Runs `text`, which must return 0 (a NULL cast), and gives the text of the cast's event.
std::string null_event(const std::string& text, const Host& host = {}) {
    auto s = open_asm(text, "tc", host);
    const RunResult r = run_packet(*s);
    CHECK(r.r0 == 0);
    REQUIRE(r.host_events.size() > 1);
    return r.host_events.at(1).text;
}

}  // namespace

TEST_CASE("socket objects: one slot of sizeof(struct tcp6_sock) per socket, after the bpf_sock views") {
    CHECK(socket_object_stride() == 2432);
    CHECK(socket_object_address(0, 3) == socket_address(0) + 3 * 80 + 3 * 112);
    CHECK(socket_object_address(1, 3) == socket_object_address(0, 3) + 2432);
    CHECK(socket_of_pointer(socket_object_address(2, 3), 3) == 2u);
    CHECK_FALSE(socket_of_pointer(socket_object_address(3, 3), 3));
    CHECK_FALSE(socket_of_pointer(socket_object_address(1, 3) + 8, 3));
    // Every kind of object is written with paths the trimmed BTF has.
    std::vector<HostSocket> all = Host{}.net.sockets;
    all.push_back(v6_socket(7, kIpprotoTcp, 80, 1234, TcpState::Established));
    all.push_back(v6_socket(8, kIpprotoUdp, 53, 0, TcpState::Close));
    all.push_back(tcp_socket(9, 80, 1234, TcpState::TimeWait));
    all.push_back(tcp_socket(10, 80, 1235, TcpState::NewSynRecv));
    V types;
    for (const HostSocket& s : all) types.push_back(socket_object_type(s));
    CHECK(types == V{"tcp_sock", "tcp_sock", "udp_sock", "tcp6_sock", "udp6_sock", "tcp_timewait_sock",
                     "tcp_request_sock"});
    std::vector<std::string> errors;
    const auto bytes = build_socket_objects(all, &errors);
    CHECK(errors.empty());
    // Then each socket's struct socket and struct file (bpf_sock_from_file's objects).
    CHECK(socket_file_pair_stride() == 312);
    CHECK(bytes.size() == 7 * (2432 + 312));
}

TEST_CASE("bpf_skc_to_tcp_sock: the established TCP socket as struct tcp_sock, read at the kernel's offsets") {
    Host host;
    host.net.sockets[1].tcp.snd_cwnd = 20;
    host.net.sockets[1].tcp.bytes_acked = 0x100000007;
    auto read = [&](int bits, int off) { return run_r0(with_socket(40000, 8080, read_at("bpf_skc_to_tcp_sock", bits, off)), host); };
    CHECK(run_r0(with_socket(40000, 8080, "call bpf_skc_to_tcp_sock\nr7 = r0\n"), host) == socket_object_address(1, 3));
    CHECK(read(16, kSkcFamily) == 2);
    CHECK(read(8, kSkcState) == 1);             // TCP_ESTABLISHED
    CHECK(read(16, kSkcNum) == 8080);           // host byte order
    CHECK(read(16, kSkcDport) == 0x409c);       // 40000 in network byte order
    CHECK(read(32, kSkcRcvSaddr) == 0x0200000a);  // 10.0.0.2
    CHECK(read(16, kSkProtocol) == 6);
    CHECK(read(16, kInetSport) == 0x901f);      // 8080 in network byte order
    CHECK(read(32, kSndCwnd) == 20);
    CHECK(read(64, kBytesAcked) == 0x100000007);
    // The kernel object is read-only, as BTF pointers are.
    auto store = open_asm(with_socket(40000, 8080, "call bpf_skc_to_tcp_sock\nr7 = 0\n*(u32 *)(r0 + 1444) = 1\n"), "tc", host);
    CHECK(run_packet(*store).status == RunStatus::Faulted);
    // The cast shares the lookup's reference: releasing it gives the socket back.
    auto via_cast = open_asm(with_socket(40000, 8080, "call bpf_skc_to_tcp_sock\nr6 = r0\nr7 = 5\n"), "tc", host);
    const RunResult r = run_packet(*via_cast);
    CHECK(r.r0 == 5);
    CHECK(via_cast->host().net.run.held_sockets.empty());
}

TEST_CASE("bpf_skc_to_tcp6_sock: an IPv6 TCP socket, with its ipv6_pinfo; NULL for an IPv4 one") {
    Host host;
    host.net.sockets.push_back(v6_socket(7, kIpprotoTcp, 443, 50000, TcpState::Established));
    const uint64_t obj = socket_object_address(3, 4);
    auto read = [&](const std::string& cast, int bits, int off) {
        return run_r0(with_socket6("bpf_skc_lookup_tcp", 50000, 443, read_at(cast, bits, off)), host);
    };
    CHECK(run_r0(with_socket6("bpf_skc_lookup_tcp", 50000, 443, "call bpf_skc_to_tcp6_sock\nr7 = r0\n"), host) == obj);
    CHECK(run_r0(with_socket6("bpf_skc_lookup_tcp", 50000, 443, "call bpf_skc_to_tcp_sock\nr7 = r0\n"), host) == obj);
    CHECK(read("bpf_skc_to_tcp6_sock", 16, kSkcFamily) == 10);
    CHECK(read("bpf_skc_to_tcp6_sock", 32, kSkcV6RcvSaddr) == 0xfd);
    CHECK(read("bpf_skc_to_tcp6_sock", 32, kSkcV6RcvSaddr + 12) == 0x02000000);
    CHECK(read("bpf_skc_to_tcp6_sock", 64, kPinet6) == obj + 2304);  // &tcp6_sock.inet6
    CHECK(read("bpf_skc_to_tcp6_sock", 32, 2304 + 12) == 0x02000000);  // inet6.saddr, fd00::2
    CHECK(null_event(with_socket(40000, 8080, "call bpf_skc_to_tcp6_sock\nr7 = r0\n"), host) ==
          "the ESTABLISHED TCP socket 10.0.0.2:8080 <- 10.0.0.1:40000 (cookie 4098, uid 1000) is not a full IPv6 "
          "TCP socket (struct tcp6_sock): returns NULL");
}

TEST_CASE("bpf_skc_to_tcp_timewait_sock and _tcp_request_sock: only TIME_WAIT and NEW_SYN_RECV sockets") {
    Host host;
    host.net.sockets[1].state = TcpState::TimeWait;
    host.net.sockets.push_back(tcp_socket(7, 80, 1234, TcpState::NewSynRecv));
    auto tw = [&](const std::string& body) { return run_r0(with_socket(40000, 8080, body), host); };
    auto req = [&](const std::string& body) { return run_r0(with_socket(1234, 80, body), host); };
    CHECK(tw("call bpf_skc_to_tcp_timewait_sock\nr7 = r0\n") == socket_object_address(1, 4));
    CHECK(tw(read_at("bpf_skc_to_tcp_timewait_sock", 8, kSkcState)) == 6);
    CHECK(tw(read_at("bpf_skc_to_tcp_timewait_sock", 8, kTwSubstate)) == 6);
    CHECK(tw("call bpf_skc_to_tcp_sock\nr7 = r0\n") == 0);  // not a full socket
    CHECK(tw("call bpf_skc_to_tcp_request_sock\nr7 = r0\n") == 0);
    CHECK(req("call bpf_skc_to_tcp_request_sock\nr7 = r0\n") == socket_object_address(3, 4));
    CHECK(req(read_at("bpf_skc_to_tcp_request_sock", 8, kSkcState)) == 12);
    CHECK(req(read_at("bpf_skc_to_tcp_request_sock", 16, kSkcNum)) == 80);
    CHECK(null_event(with_socket(1234, 80, "call bpf_skc_to_tcp_timewait_sock\nr7 = r0\n"), host) ==
          "the NEW_SYN_RECV TCP socket 10.0.0.2:80 <- 10.0.0.1:1234 (cookie 7, uid 1000) is not a TCP socket in "
          "TIME_WAIT (struct tcp_timewait_sock): returns NULL");
}

TEST_CASE("bpf_skc_to_udp6_sock: an IPv6 UDP socket; NULL for IPv4 UDP") {
    Host host;
    host.net.sockets.push_back(v6_socket(7, kIpprotoUdp, 53, 0, TcpState::Close));
    const uint64_t obj = socket_object_address(3, 4);
    auto read = [&](int bits, int off) {
        return run_r0(with_socket6("bpf_sk_lookup_udp", 5000, 53, read_at("bpf_skc_to_udp6_sock", bits, off)), host);
    };
    CHECK(run_r0(with_socket6("bpf_sk_lookup_udp", 5000, 53, "call bpf_skc_to_udp6_sock\nr7 = r0\n"), host) == obj);
    CHECK(read(16, kSkProtocol) == 17);
    CHECK(read(8, kSkcState) == 7);  // TCP_CLOSE
    CHECK(read(64, kPinet6) == obj + 1344);  // &udp6_sock.inet6
    const std::string v4 =
        "*(u32 *)(r10 - 16) = 0x0100000a\n*(u32 *)(r10 - 12) = 0x0200000a\n*(u16 *)(r10 - 8) = 0xcd14\n"
        "*(u16 *)(r10 - 6) = 0x3500\nr2 = r10\nr2 += -16\nr3 = 12\nr4 = -1\nr5 = 0\ncall bpf_sk_lookup_udp\n"
        "if r0 == 0 goto out\nr6 = r0\nr1 = r0\ncall bpf_skc_to_udp6_sock\nr7 = r0\nr1 = r6\ncall bpf_sk_release\n"
        "r0 = r7\nout:\nexit\n";
    CHECK(null_event(v4, host) ==
          "the UDP socket on 10.0.0.2:53 (cookie 4099, uid 101) is not an IPv6 UDP socket (struct udp6_sock): "
          "returns NULL");
}

TEST_CASE("bpf_skc_to_unix_sock and bpf_skc_to_mptcp_sock: the host has no such sockets, so NULL") {
    auto unix_ = open_asm(with_socket(40000, 8080, "call bpf_skc_to_unix_sock\nr7 = r0\n"), "tc");
    RunResult r = run_packet(*unix_);
    CHECK(r.r0 == 0);
    CHECK(event_lines(r.host_events).at(1) ==
          "14 pc 15 bpf_skc_to_unix_sock: the ESTABLISHED TCP socket 10.0.0.2:8080 <- 10.0.0.1:40000 (cookie 4098, "
          "uid 1000) is not an AF_UNIX socket (the emulated host has only AF_INET and AF_INET6 sockets): returns NULL");
    CHECK(null_event(with_socket(40000, 8080, "call bpf_skc_to_mptcp_sock\nr7 = r0\n")) ==
          "the ESTABLISHED TCP socket 10.0.0.2:8080 <- 10.0.0.1:40000 (cookie 4098, uid 1000) is not an MPTCP "
          "subflow (the emulated host has no MPTCP sockets): returns NULL");
}
