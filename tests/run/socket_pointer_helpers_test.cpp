// Helpers on socket pointers (bpf_sk_fullsock, bpf_tcp_sock, bpf_get_listener_sock, the socket's
// cgroup ids, bpf_get_netns_cookie, bpf_sk_assign) and the SYN cookie helpers: exact r0, the
// bytes read through the returned pointers, the kernel's error codes, the event log.
#include <doctest/doctest.h>

#include "core/hex.hpp"
#include "core/host/host_json.hpp"
#include "core/host/kernel_objects.hpp"
#include "run/net_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::net_test;
using V = std::vector<std::string>;

TEST_CASE("bpf_tcp_sock gives the host socket's struct bpf_tcp_sock; bpf_sk_fullsock the socket") {
    Host host;
    host.net.sockets[1].tcp.snd_cwnd = 20;
    host.net.sockets[1].tcp.bytes_acked = 0x100000007;
    host.net.sockets[1].tcp.icsk_retransmits = 3;
    const std::string read = "call bpf_tcp_sock\nif r0 == 0 goto none\nr7 = *(u64 *)(r0 + 88)\n"
                             "r1 = *(u32 *)(r0 + 0)\nr7 += r1\nr1 = *(u32 *)(r0 + 108)\nr7 += r1\nnone:\n";
    auto s = open_asm(with_socket(40000, 8080, "r7 = 0\n" + read), "tc", host);
    RunResult r = run_packet(*s);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(r.r0 == 0x100000007 + 20 + 3);
    CHECK(tcp_sock_address(1, 3) == socket_address(3) + 112);
    auto addr = open_asm(with_socket(40000, 8080, "call bpf_tcp_sock\nr7 = r0\n"), "tc", host);
    CHECK(run_packet(*addr).r0 == tcp_sock_address(1, 3));
    auto full = open_asm(with_socket(40000, 8080, "call bpf_sk_fullsock\nr7 = r0\n"), "tc", host);
    CHECK(run_packet(*full).r0 == socket_address(1));
    // The default fields: a fresh socket's (TCP_INIT_CWND, TCP_INFINITE_SSTHRESH, rtt_min ~0).
    auto dflt = open_asm(with_socket(40000, 8080, "call bpf_tcp_sock\nr7 = *(u32 *)(r0 + 12)\n"), "tc");
    CHECK(run_packet(*dflt).r0 == 0x7fffffff);
    // Read-only: the verifier refuses a store through PTR_TO_TCP_SOCK; the run faults.
    auto store = open_asm(with_socket(40000, 8080, "call bpf_tcp_sock\nr7 = 0\n*(u32 *)(r0 + 0) = 1\n"), "tc");
    CHECK(run_packet(*store).status == RunStatus::Faulted);
}

TEST_CASE("bpf_sk_fullsock and bpf_tcp_sock return NULL for TIME_WAIT sockets; bpf_sk_release takes either view") {
    Host host;
    host.net.sockets[1].state = TcpState::TimeWait;
    auto full = open_asm(with_socket(40000, 8080, "call bpf_sk_fullsock\nr7 = r0\n"), "tc", host);
    RunResult r = run_packet(*full);
    CHECK(r.r0 == 0);
    CHECK(event_lines(r.host_events).at(1) ==
          "14 pc 15 bpf_sk_fullsock: the TIME_WAIT TCP socket 10.0.0.2:8080 <- 10.0.0.1:40000 (cookie 4098, uid "
          "1000) is not a full socket: returns NULL");
    auto tcp = open_asm(with_socket(40000, 8080, "call bpf_tcp_sock\nr7 = r0\n"), "tc", host);
    CHECK(run_packet(*tcp).r0 == 0);
    // Released through its bpf_tcp_sock pointer: no reference left.
    auto via_tcp = open_asm(with_socket(40000, 8080, "call bpf_tcp_sock\nr6 = r0\nr7 = 5\n"), "tc");
    r = run_packet(*via_tcp);
    CHECK(r.r0 == 5);
    CHECK(via_tcp->host().net.run.held_sockets.empty());
}

TEST_CASE("bpf_tcp_sock of a UDP socket is NULL") {
    const std::string text =
        "*(u32 *)(r10 - 16) = 0x0100000a\n*(u32 *)(r10 - 12) = 0x0200000a\n*(u16 *)(r10 - 8) = 0xcd14\n"
        "*(u16 *)(r10 - 6) = 0x3500\nr2 = r10\nr2 += -16\nr3 = 12\nr4 = -1\nr5 = 0\ncall bpf_sk_lookup_udp\n"
        "if r0 == 0 goto out\nr6 = r0\nr1 = r0\ncall bpf_tcp_sock\nr7 = r0\nr1 = r6\ncall bpf_sk_release\n"
        "r0 = r7\nout:\nexit\n";
    auto s = open_asm(text, "tc");
    const RunResult r = run_packet(*s);
    CHECK(r.r0 == 0);
    CHECK(r.host_events.at(1).text ==
          "the UDP socket on 10.0.0.2:53 (cookie 4099, uid 101) is not a TCP socket: returns NULL");
}

TEST_CASE("bpf_get_listener_sock: a listener itself, a request socket's listener, NULL otherwise") {
    Host host;
    host.net.sockets.push_back(tcp_socket(7, 80, 1234, TcpState::NewSynRecv));
    const std::string body = "call bpf_get_listener_sock\nr7 = r0\n";
    auto req = open_asm(with_socket(1234, 80, body), "tc", host);
    CHECK(run_packet(*req).r0 == socket_address(0));
    auto listener = open_asm(with_socket(999, 80, body), "tc", host);
    CHECK(run_packet(*listener).r0 == socket_address(0));
    auto est = open_asm(with_socket(40000, 8080, body), "tc", host);
    const RunResult r = run_packet(*est);
    CHECK(r.r0 == 0);
    CHECK(r.host_events.at(1).text ==
          "the ESTABLISHED TCP socket 10.0.0.2:8080 <- 10.0.0.1:40000 (cookie 4098, uid 1000) is not a TCP "
          "listener: returns NULL");
}

TEST_CASE("bpf_sk_cgroup_id and bpf_sk_ancestor_cgroup_id read the socket's cgroup") {
    Host host;
    host.net.sockets[1].cgroup_id = 5;  // /user.slice/user-1000.slice/session-2.scope
    auto id = open_asm(with_socket(40000, 8080, "call bpf_sk_cgroup_id\nr7 = r0\n"), "cgroup_skb/ingress", host);
    CHECK(run_packet(*id).r0 == 5);
    auto level = [&](int n) {
        auto s = open_asm(with_socket(40000, 8080, "r2 = " + std::to_string(n) + "\ncall bpf_sk_ancestor_cgroup_id\nr7 = r0\n"),
                          "cgroup_skb/ingress", host);
        return run_packet(*s).r0;
    };
    CHECK(level(0) == 1);
    CHECK(level(1) == 3);
    CHECK(level(3) == 5);
    CHECK(level(4) == 0);
    CHECK(level(-1) == 0);
    host.net.sockets[1].state = TcpState::TimeWait;  // not a full socket: no cgroup
    auto tw = open_asm(with_socket(40000, 8080, "call bpf_sk_cgroup_id\nr7 = r0\n"), "cgroup_skb/ingress", host);
    CHECK(run_packet(*tw).r0 == 0);
}

TEST_CASE("bpf_get_netns_cookie: init_net's cookie for the context and for NULL") {
    for (const char* text : {"r1 = 0\ncall bpf_get_netns_cookie\nexit\n", "call bpf_get_netns_cookie\nexit\n"}) {
        auto s = open_asm(text, "sk_msg");
        RunInput in;
        in.packet.assign(8, 0);
        CHECK(s->run("asm", in).r0 == 1);
    }
}

TEST_CASE("bpf_sk_assign: -EOPNOTSUPP off tc ingress, -EINVAL for flags, else the packet goes to the socket") {
    const std::string assign = "r2 = r1\nr1 = r9\nr3 = FLAGS\ncall bpf_sk_assign\nr7 = r0\n";
    auto text = [&](const char* flags) {
        std::string t = assign;
        t.replace(t.find("FLAGS"), 5, flags);
        return "r9 = r1\n" + with_socket(40000, 8080, t);
    };
    auto test_run = open_asm(text("0"), "tc");
    RunResult r = run_packet(*test_run);
    CHECK(int64_t(r.r0) == -95);
    CHECK(r.host_events.at(1).text ==
          "the packet is not at tc ingress (BPF_PROG_TEST_RUN's skb never is; set the host's tc_ingress to run as "
          "a clsact ingress program): returns -EOPNOTSUPP");
    Host host;
    host.net.tc_ingress = true;
    auto flags = open_asm(text("1"), "tc", host);
    CHECK(int64_t(run_packet(*flags).r0) == -22);
    auto ok = open_asm(text("0"), "tc", host);
    r = run_packet(*ok);
    CHECK(r.r0 == 0);
    CHECK(event_lines(r.host_events) ==
          V{"11 pc 10 bpf_skc_lookup_tcp: 10.0.0.1:40000 -> 10.0.0.2:8080 matches the ESTABLISHED TCP socket "
            "10.0.0.2:8080 <- 10.0.0.1:40000 (cookie 4098, uid 1000): the program now holds a reference and must "
            "give it back with bpf_sk_release",
            "18 pc 19 bpf_sk_assign: the packet now belongs to the ESTABLISHED TCP socket 10.0.0.2:8080 <- "
            "10.0.0.1:40000 (cookie 4098, uid 1000): if it goes on up the stack, the transport layer delivers it "
            "there without a lookup",
            "21 pc 22 bpf_sk_release: the program gives back its reference to the socket with cookie 4098",
            "23 pc 24 exit: the packet continues through the network stack to socket 1 (cookie 4098, port 8080), "
            "which bpf_sk_assign chose"});
}

namespace {

// A tc program on tcp_packet() (a SYN 10.0.0.1:40000 -> 10.0.0.2:8080, seq 1000, no options):
// r8 = the IPv4 header, r9 = the TCP header, then `body`.
std::string on_headers(const std::string& body) {
    return "r2 = *(u32 *)(r1 + 76)\nr3 = *(u32 *)(r1 + 80)\nr4 = r2\nr4 += 54\nif r4 > r3 goto drop\n"
           "r8 = r2\nr8 += 14\nr9 = r2\nr9 += 34\n" +
           body + "exit\ndrop:\nr0 = 2\nexit\n";
}

// Turns the SYN into the client's ACK of the cookie in r7 (low 32 bits): seq 1001, ack_seq
// cookie + 1, flags ACK.
const char* kMakeAck = "r1 = r7\nr1 += 1\nr1 = be32 r1\n*(u32 *)(r9 + 8) = r1\nr1 = 1001\nr1 = be32 r1\n"
                       "*(u32 *)(r9 + 4) = r1\n*(u8 *)(r9 + 13) = 0x10\n";

} // namespace

TEST_CASE("bpf_tcp_raw_gen_syncookie_ipv4 makes a cookie bpf_tcp_raw_check_syncookie_ipv4 accepts") {
    auto gen = open_asm(on_headers("r1 = r8\nr2 = r9\nr3 = 20\ncall bpf_tcp_raw_gen_syncookie_ipv4\n"), "tc");
    RunResult r = run_packet(*gen);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK((r.r0 >> 32) == 536);  // no MSS option: TCP_MSS_DEFAULT
    const uint32_t cookie = uint32_t(r.r0);
    CHECK(r.host_events.at(0).text ==
          "SYN 10.0.0.1:40000 -> 10.0.0.2:8080: SYN cookie " + hex(cookie) +
              " (a keyed hash: the kernel's key is random per boot, this host's is its syncookie_secret), encoding "
              "MSS 536");
    // Reproducible: the same host makes the same cookie; another secret another one.
    CHECK(run_packet(*gen).r0 == r.r0);
    Host other;
    other.net.syncookie_secret[0] ^= 1;
    auto gen2 = open_asm(on_headers("r1 = r8\nr2 = r9\nr3 = 20\ncall bpf_tcp_raw_gen_syncookie_ipv4\n"), "tc", other);
    CHECK(run_packet(*gen2).r0 != r.r0);

    const std::string round_trip = "r1 = r8\nr2 = r9\nr3 = 20\ncall bpf_tcp_raw_gen_syncookie_ipv4\nr7 = r0\n" +
                                   std::string(kMakeAck) + "r1 = r8\nr2 = r9\ncall bpf_tcp_raw_check_syncookie_ipv4\n";
    auto check = open_asm(on_headers(round_trip), "tc");
    r = run_packet(*check);
    CHECK(r.r0 == 0);
    CHECK(r.host_events.at(1).text == "the ACK 10.0.0.1:40000 -> 10.0.0.2:8080 carries a valid SYN cookie " +
                                          hex(cookie) + " (MSS 536): returns 0");
    // The low 24 bits carry the MSS table index: a cookie one higher is valid, for MSS 1300;
    // four higher names no table entry.
    auto next = open_asm(on_headers("r1 = r8\nr2 = r9\nr3 = 20\ncall bpf_tcp_raw_gen_syncookie_ipv4\nr7 = r0\nr7 += 1\n" +
                                    std::string(kMakeAck) + "r1 = r8\nr2 = r9\ncall bpf_tcp_raw_check_syncookie_ipv4\n"),
                         "tc");
    r = run_packet(*next);
    CHECK(r.r0 == 0);
    CHECK(r.host_events.at(1).text == "the ACK 10.0.0.1:40000 -> 10.0.0.2:8080 carries a valid SYN cookie " +
                                          hex(cookie + 1) + " (MSS 1300): returns 0");
    auto bad = open_asm(on_headers("r1 = r8\nr2 = r9\nr3 = 20\ncall bpf_tcp_raw_gen_syncookie_ipv4\nr7 = r0\nr7 += 4\n" +
                                   std::string(kMakeAck) + "r1 = r8\nr2 = r9\ncall bpf_tcp_raw_check_syncookie_ipv4\n"),
                        "tc");
    CHECK(int64_t(run_packet(*bad).r0) == -13);
    // th_len must be the header's doff * 4.
    auto len = open_asm(on_headers("r1 = r8\nr2 = r9\nr3 = 16\ncall bpf_tcp_raw_gen_syncookie_ipv4\n"), "tc");
    CHECK(int64_t(run_packet(*len).r0) == -22);
}

TEST_CASE("a cookie two minutes old no longer checks") {
    Host host;
    const std::string body = "r1 = r8\nr2 = r9\nr3 = 20\ncall bpf_tcp_raw_gen_syncookie_ipv4\nr7 = r0\n" +
                             std::string(kMakeAck) + "r1 = r8\nr2 = r9\ncall bpf_tcp_raw_check_syncookie_ipv4\n";
    // The minute counter (jiffies / (60 * HZ)) moves on between generating and checking.
    const std::string slow = body.substr(0, body.find("r7 = r0\n") + 8) + std::string(kMakeAck) +
                             "r1 = r8\nr2 = r9\ncall bpf_tcp_raw_check_syncookie_ipv4\n";
    host.ns_per_insn = 60'000'000'000ull;  // a minute per instruction
    auto s = open_asm(on_headers(slow), "tc", host);
    CHECK(int64_t(run_packet(*s).r0) == -13);
}

TEST_CASE("bpf_tcp_gen_syncookie and bpf_tcp_check_syncookie need a flooded listener") {
    // r6 = the socket for 10.0.0.1:SPORT -> 10.0.0.2:DPORT (the listener on *:80 by default), then
    // `body` with the SYN's headers in r8 and r9 (their ports do not matter to the helpers).
    auto text = [](const std::string& body, const char* sport = "0x3930", const char* dport = "0x5000") {
        return on_headers(std::string("*(u32 *)(r10 - 16) = 0x0100000a\n*(u32 *)(r10 - 12) = 0x0200000a\n") +
                          "*(u16 *)(r10 - 8) = " + sport + "\n*(u16 *)(r10 - 6) = " + dport + "\n" +
                          "r2 = r10\nr2 += -16\nr3 = 12\nr4 = -1\nr5 = 0\ncall bpf_skc_lookup_tcp\n"
                          "if r0 == 0 goto drop\nr6 = r0\n" + body +
                          "r7 = r0\nr1 = r6\ncall bpf_sk_release\nr0 = r7\n");
    };
    const std::string gen = "r1 = r6\nr2 = r8\nr3 = 20\nr4 = r9\nr5 = 20\ncall bpf_tcp_gen_syncookie\n";
    Host host;
    auto calm = open_asm(text(gen), "tc", host);
    RunResult r = run_packet(*calm);
    CHECK(int64_t(r.r0) == -2);
    CHECK(r.host_events.at(1).text ==
          "the TCP socket listening on *:80 (cookie 4097, uid 33) has room in its SYN queue, so the kernel sends no "
          "cookie (set the socket's syn_flood, or the host's tcp_syncookies to 2): returns -2");
    auto est = open_asm(text(gen, "0x409c", "0x901f"), "tc", host);  // the established socket
    r = run_packet(*est);
    CHECK(int64_t(r.r0) == -22);
    CHECK(r.host_events.at(1).text ==
          "the ESTABLISHED TCP socket 10.0.0.2:8080 <- 10.0.0.1:40000 (cookie 4098, uid 1000) is not a TCP "
          "listener: returns -22");
    host.net.sockets[0].syn_flood = true;
    auto flood = open_asm(text(gen), "tc", host);
    r = run_packet(*flood);
    CHECK((r.r0 >> 32) == 536);
    host.net.tcp_syncookies = 0;
    auto off = open_asm(text(gen), "tc", host);
    CHECK(int64_t(run_packet(*off).r0) == -2);
    host.net.tcp_syncookies = 1;
    auto bad_len = open_asm(text("r1 = r6\nr2 = r8\nr3 = 20\nr4 = r9\nr5 = 16\ncall bpf_tcp_gen_syncookie\n"), "tc", host);
    CHECK(int64_t(run_packet(*bad_len).r0) == -22);
    // The SYN is not an ACK: check says -ENOENT; after the ACK is made, 0.
    const std::string check = "r1 = r6\nr2 = r8\nr3 = 20\nr4 = r9\nr5 = 20\ncall bpf_tcp_check_syncookie\n";
    auto syn = open_asm(text(check), "tc", host);
    CHECK(int64_t(run_packet(*syn).r0) == -2);
    auto both = open_asm(text(gen + "r7 = r0\n" + kMakeAck + check), "tc", host);
    r = run_packet(*both);
    CHECK(r.r0 == 0);
    // Without a flood, the listener sent no cookies: -ENOENT even for a good one (tcp_synq_no_recent_overflow)
    // unless bpf_tcp_gen_syncookie just made one (tcp_synq_overflow).
    host.net.sockets[0].syn_flood = false;
    host.net.tcp_syncookies = 2;
    auto always = open_asm(text(gen + "r7 = r0\n" + kMakeAck + check), "tc", host);
    CHECK(run_packet(*always).r0 == 0);
    auto no_overflow = open_asm(text("r7 = 0\n" + std::string(kMakeAck) + check), "tc", host);
    r = run_packet(*no_overflow);
    CHECK(int64_t(r.r0) == -2);
}

TEST_CASE("the host JSON edits a socket's cgroup, TCP state and SYN flood, and the syncookie settings") {
    Host host;
    REQUIRE(apply_host_json(host, R"({"tc_ingress": true, "tcp_syncookies": 2,
        "syncookie_secret": "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        "sockets": [{"protocol": "tcp", "local_addr": "0.0.0.0", "local_port": 80, "cgroup": 3, "syn_flood": true,
                     "tcp": {"snd_cwnd": 42, "bytes_acked": 8589934592}}]})")
                .ok());
    CHECK(host.net.tc_ingress);
    CHECK(host.net.tcp_syncookies == 2);
    CHECK(host.net.syncookie_secret[31] == 0x1f);
    const HostSocket& s = host.net.sockets.at(0);
    CHECK(s.cgroup_id == 3);
    CHECK(s.syn_flood);
    CHECK(s.tcp.snd_cwnd == 42);
    CHECK(s.tcp.bytes_acked == 8589934592ull);
    CHECK(s.tcp.mss_cache == 536);  // untouched fields keep a fresh socket's values
    // Written back, read again: the same host.
    Host again;
    REQUIRE(apply_host_json(again, host_json(host)).ok());
    CHECK(again.net.sockets == host.net.sockets);
    CHECK(again.net.syncookie_secret == host.net.syncookie_secret);
    CHECK(again.net.tc_ingress);
    // Errors name the member.
    auto error = [](const char* json) {
        Host h;
        auto r = apply_host_json(h, json);
        return r.ok() ? std::string() : r.error().what;
    };
    CHECK(error(R"({"sockets": [{"protocol": "udp", "local_addr": "0.0.0.0", "local_port": 53, "tcp": {}}]})") ==
          "host JSON: sockets[0].tcp: only TCP sockets have TCP state");
    CHECK(error(R"({"sockets": [{"protocol": "tcp", "local_addr": "0.0.0.0", "local_port": 1, "tcp": {"cwnd": 1}}]})")
              .starts_with("host JSON: sockets[0].tcp: unknown member \"cwnd\" (known: snd_cwnd, srtt_us,"));
    CHECK(error(R"({"sockets": [{"protocol": "tcp", "local_addr": "0.0.0.0", "local_port": 1, "cgroup": 9}]})") ==
          "host JSON: sockets[0].cgroup: the host has no cgroup with id 9");
    CHECK(error(R"({"tcp_syncookies": 3})") == "host JSON: host.tcp_syncookies: expected an integer from 0 to 2");
    CHECK(error(R"({"syncookie_secret": "0011"})") ==
          "host JSON: syncookie_secret: expected 32 bytes in hex (64 hex digits)");
}

TEST_CASE("IPv6 cookies: the raw helpers' round trip, and the listener helpers' header checks") {
    // An IPv6 header of zeros (version 6) on the stack, the SYN's TCP header from the packet.
    const std::string v6 = "r1 = 0\n*(u64 *)(r10 - 40) = r1\n*(u64 *)(r10 - 32) = r1\n*(u64 *)(r10 - 24) = r1\n"
                           "*(u64 *)(r10 - 16) = r1\n*(u64 *)(r10 - 8) = r1\n*(u8 *)(r10 - 40) = 0x60\n";
    const std::string gen = "r1 = r10\nr1 += -40\nr2 = r9\nr3 = 20\ncall bpf_tcp_raw_gen_syncookie_ipv6\nr7 = r0\n";
    auto s = open_asm(on_headers(v6 + gen + "r0 = r7\n"), "tc");
    RunResult r = run_packet(*s);
    CHECK((r.r0 >> 32) == 1220);  // no MSS option: IPv6's minimum MTU less headers
    auto trip = open_asm(on_headers(v6 + gen + kMakeAck +
                                    "r1 = r10\nr1 += -40\nr2 = r9\ncall bpf_tcp_raw_check_syncookie_ipv6\n"),
                         "tc");
    r = run_packet(*trip);
    CHECK(r.r0 == 0);
    CHECK(r.host_events.at(1).text.ends_with("(MSS 1220): returns 0"));

    // The listener helpers read the header's version: 6 needs 40 bytes and an IPv6 listener,
    // anything but 4 and 6 is -EPROTONOSUPPORT.
    Host host;
    host.net.sockets[0].syn_flood = true;
    auto listener_gen = [&](const std::string& before, const char* iph_len) {
        return on_headers(before +
                          "*(u32 *)(r10 - 16) = 0x0100000a\n*(u32 *)(r10 - 12) = 0x0200000a\n*(u16 *)(r10 - 8) = 0x3930\n"
                          "*(u16 *)(r10 - 6) = 0x5000\nr2 = r10\nr2 += -16\nr3 = 12\nr4 = -1\nr5 = 0\n"
                          "call bpf_skc_lookup_tcp\nif r0 == 0 goto drop\nr6 = r0\nr1 = r6\nr2 = r8\nr3 = " +
                          iph_len + "\nr4 = r9\nr5 = 20\ncall bpf_tcp_gen_syncookie\nr7 = r0\nr1 = r6\n"
                          "call bpf_sk_release\nr0 = r7\n");
    };
    auto v5 = open_asm(listener_gen("*(u8 *)(r8 + 0) = 0x55\n", "20"), "tc", host);
    CHECK(int64_t(run_packet(*v5).r0) == -93);
    auto v6_short = open_asm(listener_gen("*(u8 *)(r8 + 0) = 0x65\n", "20"), "tc", host);
    CHECK(int64_t(run_packet(*v6_short).r0) == -22);
    auto v6_on_v4 = open_asm(listener_gen("*(u8 *)(r8 + 0) = 0x65\n", "40"), "tc", host);
    CHECK(int64_t(run_packet(*v6_on_v4).r0) == -22);
    auto short_ip = open_asm(listener_gen("", "16"), "tc", host);
    CHECK(int64_t(run_packet(*short_ip).r0) == -22);
}

namespace {

// An sk_lookup program: the socket at key KEY of sockmap "socks" (map 0), assigned with FLAGS
// (twice when TWICE), released; r0 = the last bpf_sk_assign's answer.
std::unique_ptr<ObjectSession> sk_lookup_prog(uint32_t key, uint64_t cookie, const std::string& assign) {
    const std::string text = "r9 = r1\nr1 = " + std::to_string(key) + "\n*(u32 *)(r10 - 4) = r1\nr1 = " +
                             std::to_string(map_handle(0)) +
                             " ll\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nif r0 == 0 goto out\nr6 = r0\n" +
                             assign + "r7 = r0\nr1 = r6\ncall bpf_sk_release\nr0 = r7\nout:\nexit\n";
    auto s = open_asm(text, "sk_lookup");
    MapSpec m;
    m.type = MapType::Sockmap;
    m.name = "socks";
    m.key_size = 4;
    m.value_size = 8;
    m.max_entries = 4;
    REQUIRE(s->object().maps->create(m).ok());
    std::vector<uint8_t> k(4), v(8);
    for (int i = 0; i < 4; ++i) k[i] = uint8_t(key >> (8 * i));
    for (int i = 0; i < 8; ++i) v[i] = uint8_t(cookie >> (8 * i));
    REQUIRE(s->object().maps->find("socks")->update_user(k, v) == 0);
    return s;
}

// struct bpf_sk_lookup for a TCP (6) or UDP (17) IPv4 connection to port 80.
RunResult run_lookup(ObjectSession& s, uint32_t protocol = 6, uint32_t family = 2) {
    RunInput in;
    in.ctx.assign(72, 0);
    in.ctx[8] = uint8_t(family);
    in.ctx[12] = uint8_t(protocol);
    in.ctx[60] = 80;
    return s.run("asm", in);
}

std::string assign_call(const char* flags) {
    return std::string("r1 = r9\nr2 = r6\nr3 = ") + flags + "\ncall bpf_sk_assign\n";
}

} // namespace

TEST_CASE("bpf_sk_assign in sk_lookup: a listener of the connection's protocol and family, once unless replaced") {
    auto s = sk_lookup_prog(0, 4097, assign_call("0") + "r1 = *(u64 *)(r9 + 0)\nr8 = r1\n");
    RunResult r = run_lookup(*s);
    CHECK(r.r0 == 0);
    CHECK(r.host_events.at(1).text ==
          "the lookup's answer is the TCP socket listening on *:80 (cookie 4097, uid 33): the connection goes to it "
          "if the program returns SK_PASS");
    CHECK(s->host().net.run.assigned_socket == std::optional<uint32_t>(0));
    // Twice: -EEXIST, unless BPF_SK_LOOKUP_F_REPLACE.
    auto twice = sk_lookup_prog(0, 4097, assign_call("0") + assign_call("0"));
    CHECK(int64_t(run_lookup(*twice).r0) == -17);
    auto replace = sk_lookup_prog(0, 4097, assign_call("0") + assign_call("1"));
    CHECK(run_lookup(*replace).r0 == 0);
    // The kernel's other refusals.
    auto flags = sk_lookup_prog(0, 4097, assign_call("4"));
    CHECK(int64_t(run_lookup(*flags).r0) == -22);
    auto established = sk_lookup_prog(1, 4098, assign_call("0"));
    r = run_lookup(*established);
    CHECK(int64_t(r.r0) == -94);
    CHECK(r.host_events.at(1).text ==
          "the ESTABLISHED TCP socket 10.0.0.2:8080 <- 10.0.0.1:40000 (cookie 4098, uid 1000) is not a TCP listener "
          "(or an unconnected UDP socket): returns -94");
    auto proto = sk_lookup_prog(0, 4097, assign_call("0"));
    CHECK(int64_t(run_lookup(*proto, 17).r0) == -91);  // EPROTOTYPE: a TCP listener for a UDP connection
    auto family = sk_lookup_prog(0, 4097, assign_call("0"));
    CHECK(int64_t(run_lookup(*family, 6, 10).r0) == -97);  // EAFNOSUPPORT: IPv4 socket, IPv6 connection
}
