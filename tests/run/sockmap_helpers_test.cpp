// The sockmap helpers and the sk_msg / sk_skb contexts: return values as net/core/sock_map.c and
// net/core/filter.c give them (SK_PASS / SK_DROP, -EOPNOTSUPP, -EINVAL, the map's errors), the
// redirect a run records, and what the exit report says became of the message or skb. The host's
// default sockets: 0 the listener on *:80 (cookie 4097), 1 the connection 10.0.0.2:8080 <-
// 10.0.0.1:40000 (cookie 4098, the program's socket by default), 2 an unconnected UDP socket on
// :53 (cookie 4099).
#include <doctest/doctest.h>

#include "core/host/kernel_objects.hpp"
#include "core/maps/map.hpp"
#include "core/maps/map_set.hpp"
#include "run/net_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::net_test;
using V = std::vector<std::string>;

namespace {

std::vector<uint8_t> le32(uint32_t v) { return {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)}; }
std::vector<uint8_t> le64(uint64_t v) {
    std::vector<uint8_t> b(8);
    for (int i = 0; i < 8; ++i) b[i] = uint8_t(v >> (8 * i));
    return b;
}

MapSpec sock_spec(MapType type, const char* name) {
    MapSpec m;
    m.type = type;
    m.name = name;
    m.key_size = 4;
    m.value_size = 8;
    m.max_entries = 4;
    return m;
}

// A program of `section` with map 0 a sockmap "socks" or sockhash "hash" holding socket
// `cookie` under key `key` (no entry when cookie is 0).
std::unique_ptr<ObjectSession> with_map(const std::string& text, const char* section, MapType type, uint32_t key,
                                        uint64_t cookie) {
    auto s = open_asm(text, section);
    const char* name = type == MapType::Sockmap ? "socks" : "hash";
    REQUIRE(s->object().maps->create(sock_spec(type, name)).ok());
    if (cookie) REQUIRE(s->object().maps->find(name)->update_user(le32(key), le64(cookie)) == 0);
    return s;
}

std::string map_ll() { return "r2 = " + std::to_string(map_handle(0)) + " ll\n"; }

RunResult run_msg(ObjectSession& s, std::vector<uint8_t> msg = {'a', 'b', 'c', 'd'}) {
    RunInput in;
    in.packet = std::move(msg);
    return s.run("asm", in);
}

std::string msg_redirect_map(uint32_t key, uint64_t flags) {
    return map_ll() + "r3 = " + std::to_string(key) + "\nr4 = " + std::to_string(flags) +
           "\ncall bpf_msg_redirect_map\nexit\n";
}

}  // namespace

TEST_CASE("bpf_msg_redirect_map sends the message to the sockmap's socket: SK_PASS") {
    auto s = with_map(msg_redirect_map(1, 0), "sk_msg", MapType::Sockmap, 1, 4098);
    const RunResult r = run_msg(*s);
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(r.r0 == 1);
    CHECK(event_lines(r.host_events) ==
          V{"4 pc 4 bpf_msg_redirect_map: sockmap \"socks\" key 1 is socket 1 (cookie 4098, ESTABLISHED TCP port "
            "8080): the message is sent out of it if the program returns SK_PASS; returns SK_PASS",
            "5 pc 5 exit: SK_PASS: the message is redirected to socket 1 (cookie 4098, port 8080) from sockmap "
            "\"socks\", sent out of it"});
    CHECK(s->host().net.run.sock_redirect == SockRedirect{true, 1, false, "sockmap \"socks\""});
}

TEST_CASE("bpf_msg_redirect_map answers SK_DROP for bad flags, an empty slot, a listener, an unconnected UDP socket") {
    auto flags = with_map(msg_redirect_map(1, 2), "sk_msg", MapType::Sockmap, 1, 4098);
    RunResult r = run_msg(*flags);
    CHECK(r.r0 == 0);
    CHECK(r.host_events.at(0).text == "flags 0x2 have bits other than BPF_F_INGRESS: returns SK_DROP");
    CHECK(r.host_events.at(1).text ==
          "SK_DROP: the message is dropped and the sender's sendmsg fails with -EACCES");
    CHECK_FALSE(flags->host().net.run.sock_redirect.set);
    auto empty = with_map(msg_redirect_map(2, 0), "sk_msg", MapType::Sockmap, 1, 4098);
    r = run_msg(*empty);
    CHECK(r.r0 == 0);
    CHECK(r.host_events.at(0).text == "sockmap \"socks\" has no socket at key 2: returns SK_DROP");
    auto past = with_map(msg_redirect_map(9, 0), "sk_msg", MapType::Sockmap, 1, 4098);
    CHECK(run_msg(*past).r0 == 0);
    auto listener = with_map(msg_redirect_map(0, 0), "sk_msg", MapType::Sockmap, 0, 4097);
    r = run_msg(*listener);
    CHECK(r.r0 == 0);
    CHECK(r.host_events.at(0).text ==
          "sockmap \"socks\" key 0 is socket 0 (cookie 4097, LISTEN TCP port 80), which is listening: nothing can "
          "be redirected to it, returns SK_DROP");
    auto udp = with_map(msg_redirect_map(3, 0), "sk_msg", MapType::Sockmap, 3, 4099);
    CHECK(run_msg(*udp).r0 == 0);
}

TEST_CASE("bpf_msg_redirect_hash and bpf_sk_redirect_hash find the socket by key; BPF_F_INGRESS queues it") {
    const std::string prog = "r1 = 8080\n*(u32 *)(r10 - 4) = r1\n" + map_ll() +
                             "r3 = r10\nr3 += -4\nr4 = 1\ncall bpf_msg_redirect_hash\nexit\n";
    auto s = with_map(prog, "sk_msg", MapType::Sockhash, 8080, 4098);
    RunResult r = run_msg(*s);
    CHECK(r.r0 == 1);
    CHECK(r.host_events.back().text ==
          "SK_PASS: the message is redirected to socket 1 (cookie 4098, port 8080) from sockhash \"hash\", onto "
          "its receive queue (BPF_F_INGRESS)");
    CHECK(s->host().net.run.sock_redirect.ingress);
    auto missing = with_map(prog, "sk_msg", MapType::Sockhash, 80, 4097);
    CHECK(run_msg(*missing).r0 == 0);

    std::string skb = prog;
    skb.replace(skb.find("bpf_msg_redirect_hash"), 21, "bpf_sk_redirect_hash");
    auto v = with_map(skb, "sk_skb/stream_verdict", MapType::Sockhash, 8080, 4098);
    r = run_msg(*v);
    CHECK(r.r0 == 1);
    CHECK(r.host_events.back().text ==
          "SK_PASS: the skb is redirected to socket 1 (cookie 4098, port 8080) from sockhash \"hash\", onto its "
          "receive queue (BPF_F_INGRESS)");
}

TEST_CASE("bpf_sk_redirect_map in an sk_skb verdict; SK_PASS alone keeps the skb on its socket") {
    auto s = with_map(map_ll() + "r3 = 1\nr4 = 0\ncall bpf_sk_redirect_map\nexit\n", "sk_skb/stream_verdict",
                      MapType::Sockmap, 1, 4098);
    CHECK(run_msg(*s).r0 == 1);
    CHECK(s->host().net.run.sock_redirect == SockRedirect{true, 1, false, "sockmap \"socks\""});
    auto pass = open_asm("r0 = 1\nexit\n", "sk_skb/stream_verdict");
    CHECK(run_msg(*pass).host_events.at(0).text ==
          "SK_PASS: the skb goes onto the receive queue of socket 1 (cookie 4098, port 8080), for its reader");
    auto parser = open_asm("r0 = *(u32 *)(r1 + 0)\nexit\n", "sk_skb/stream_parser");
    const RunResult r = run_msg(*parser);
    CHECK(r.r0 == 4);  // __sk_buff.len: the 4 bytes
    CHECK(r.host_events.at(0).text ==
          "the stream parser says the next message is 4 bytes long: the verdict program runs on those bytes");
}

TEST_CASE("bpf_sock_map_update and bpf_sock_hash_update add the sock_ops program's socket from the established "
          "callbacks only") {
    const std::string prog =
        "r2 = 3\n*(u32 *)(r10 - 4) = r2\n" + map_ll() + "r3 = r10\nr3 += -4\nr4 = 0\ncall bpf_sock_map_update\nexit\n";
    auto s = with_map(prog, "sockops", MapType::Sockmap, 0, 0);
    RunInput in;
    in.ctx = le32(4);  // BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB
    RunResult r = s->run("asm", in);
    CHECK(r.r0 == 0);
    std::vector<uint8_t> cookie(8);
    CHECK(s->object().maps->find("socks")->lookup_user(le32(3), cookie) == 0);
    CHECK(cookie == le64(4098));
    in.ctx = le32(3);  // BPF_SOCK_OPS_TCP_CONNECT_CB
    CHECK(int64_t(s->run("asm", in).r0) == -95);

    std::string noexist = prog;
    noexist.replace(noexist.find("r4 = 0"), 6, "r4 = 1");
    auto again = with_map(noexist, "sockops", MapType::Sockmap, 3, 4097);
    in.ctx = le32(11);  // BPF_SOCK_OPS_TCP_LISTEN_CB
    CHECK(int64_t(again->run("asm", in).r0) == -17);  // -EEXIST
    std::string past = prog;
    past.replace(past.find("r2 = 3"), 6, "r2 = 9");
    auto big = with_map(past, "sockops", MapType::Sockmap, 0, 0);
    in.ctx = le32(5);
    CHECK(int64_t(big->run("asm", in).r0) == -7);  // -E2BIG

    std::string hash = prog;
    hash.replace(hash.find("bpf_sock_map_update"), 19, "bpf_sock_hash_update");
    auto h = with_map(hash, "sockops", MapType::Sockhash, 0, 0);
    CHECK(h->run("asm", in).r0 == 0);
    CHECK(h->object().maps->find("hash")->lookup_user(le32(3), cookie) == 0);
    CHECK(cookie == le64(4098));
}

TEST_CASE("bpf_msg_apply_bytes and bpf_msg_cork_bytes return 0 and record the counts") {
    auto s = open_asm("r6 = r1\nr2 = 100\ncall bpf_msg_apply_bytes\nr1 = r6\nr2 = 64\ncall bpf_msg_cork_bytes\n"
                      "r0 = 1\nexit\n",
                      "sk_msg");
    const RunResult r = run_msg(*s);
    CHECK(r.r0 == 1);
    CHECK(s->host().net.run.apply_bytes == 100);
    CHECK(s->host().net.run.cork_bytes == 64);
    CHECK(r.host_events.back().text ==
          "SK_PASS: the message is sent on socket 1 (cookie 4098, port 8080) (the verdict covers its next 100 bytes)");
}

TEST_CASE("bpf_msg_pull_data narrows data..data_end to [start, end); bad ranges and flags are -EINVAL") {
    auto pull = [](const std::string& args) {
        return open_asm("r6 = r1\n" + args +
                            "call bpf_msg_pull_data\nif r0 != 0 goto out\n"
                            "r2 = *(u64 *)(r6 + 0)\nr0 = *(u64 *)(r6 + 8)\nr0 -= r2\nr0 <<= 8\n"
                            "r2 = *(u8 *)(r2 + 0)\nr0 |= r2\nout:\nexit\n",
                        "sk_msg");
    };
    auto ok = pull("r2 = 1\nr3 = 3\nr4 = 0\n");
    CHECK(run_msg(*ok).r0 == (2 << 8 | 'b'));  // two bytes, starting at 'b'
    auto whole = pull("r2 = 0\nr3 = 4\nr4 = 0\n");
    CHECK(run_msg(*whole).r0 == (4 << 8 | 'a'));
    for (const char* bad : {"r2 = 1\nr3 = 1\nr4 = 0\n", "r2 = 4\nr3 = 5\nr4 = 0\n", "r2 = 0\nr3 = 5\nr4 = 0\n",
                            "r2 = 0\nr3 = 2\nr4 = 1\n"}) {
        auto s = pull(bad);
        CHECK(int64_t(run_msg(*s).r0) == -22);
    }
}

TEST_CASE("bpf_msg_push_data and bpf_msg_pop_data grow and shrink the message") {
    auto push = open_asm("r6 = r1\nr2 = 1\nr3 = 2\nr4 = 0\ncall bpf_msg_push_data\nr0 = *(u32 *)(r6 + 68)\nexit\n",
                         "sk_msg");
    RunResult r = run_msg(*push);
    CHECK(r.r0 == 6);  // sk_msg_md.size
    CHECK(r.packet_out == std::vector<uint8_t>{'a', 0, 0, 'b', 'c', 'd'});
    auto append = open_asm("r2 = 4\nr3 = 1\nr4 = 0\ncall bpf_msg_push_data\nexit\n", "sk_msg");
    CHECK(run_msg(*append).r0 == 0);
    auto push_bad = open_asm("r2 = 5\nr3 = 1\nr4 = 0\ncall bpf_msg_push_data\nexit\n", "sk_msg");
    CHECK(int64_t(run_msg(*push_bad).r0) == -22);
    auto push_flags = open_asm("r2 = 0\nr3 = 1\nr4 = 2\ncall bpf_msg_push_data\nexit\n", "sk_msg");
    CHECK(int64_t(run_msg(*push_flags).r0) == -22);
    auto push_none = open_asm("r2 = 9\nr3 = 0\nr4 = 0\ncall bpf_msg_push_data\nexit\n", "sk_msg");
    CHECK(run_msg(*push_none).r0 == 0);  // len 0: nothing to do, before the start check

    auto pop = open_asm("r6 = r1\nr2 = 1\nr3 = 2\nr4 = 0\ncall bpf_msg_pop_data\nr0 = *(u32 *)(r6 + 68)\nexit\n",
                        "sk_msg");
    r = run_msg(*pop);
    CHECK(r.r0 == 2);
    CHECK(r.packet_out == std::vector<uint8_t>{'a', 'd'});
    for (const char* bad : {"r2 = 0\nr3 = 0\nr4 = 0\n", "r2 = 4\nr3 = 1\nr4 = 0\n", "r2 = 2\nr3 = 3\nr4 = 0\n",
                            "r2 = 0\nr3 = 1\nr4 = 1\n"}) {
        auto s = open_asm(std::string(bad) + "call bpf_msg_pop_data\nexit\n", "sk_msg");
        CHECK(int64_t(run_msg(*s).r0) == -22);
    }
}

TEST_CASE("sk_msg_md describes the socket the message is sent on") {
    auto field = [](uint32_t off, const char* size = "u32") {
        auto s = open_asm("r0 = *(" + std::string(size) + " *)(r1 + " + std::to_string(off) + ")\nexit\n", "sk_msg");
        return run_msg(*s).r0;
    };
    CHECK(field(16) == 2);                         // family AF_INET
    CHECK(field(20) == 0x0100000a);                // remote_ip4 10.0.0.1, network order
    CHECK(field(24) == 0x0200000a);                // local_ip4 10.0.0.2
    CHECK(field(60) == uint64_t(0x409c) << 16);    // remote_port: htons(40000) << 16
    CHECK(field(64) == 8080);                      // local_port, host order
    CHECK(field(68) == 4);                         // size
    CHECK(field(72, "u64") == socket_address(1));  // sk
    Host host;
    host.net.program_socket = 2;
    auto udp = open_asm("r0 = *(u32 *)(r1 + 64)\nexit\n", "sk_msg", host);
    CHECK(run_msg(*udp).r0 == 53);
    auto narrow = open_asm("r0 = *(u32 *)(r1 + 0)\nexit\n", "sk_msg");
    CHECK(run_msg(*narrow).status != RunStatus::Exited);  // data is read as a whole 8-byte field
    auto half = open_asm("r0 = *(u16 *)(r1 + 64)\nexit\n", "sk_msg");
    CHECK(run_msg(*half).error->what.find("local_port must be read 4 bytes at a time") != std::string::npos);
    auto ip6 = open_asm("r0 = *(u32 *)(r1 + 32)\nexit\n", "sk_msg");
    CHECK(run_msg(*ip6).status == RunStatus::Exited);  // remote_ip6[1]: IPv4 socket, 0
    auto write = open_asm("r2 = 1\n*(u32 *)(r1 + 16) = r2\nr0 = 0\nexit\n", "sk_msg");
    CHECK(run_msg(*write).status != RunStatus::Exited);
}

TEST_CASE("sk_skb's __sk_buff: the socket's fields, priority and tc_index writable, mark not there") {
    auto field = [](const std::string& text) {
        auto s = open_asm(text, "sk_skb/stream_verdict");
        return run_msg(*s);
    };
    CHECK(field("r0 = *(u32 *)(r1 + 136)\nexit\n").r0 == 8080);
    CHECK(field("r0 = *(u32 *)(r1 + 88)\nexit\n").r0 == 2);
    CHECK(field("r2 = *(u32 *)(r1 + 76)\nr0 = *(u32 *)(r1 + 80)\nr0 -= r2\nexit\n").r0 == 4);
    CHECK(field("r2 = 7\n*(u32 *)(r1 + 32) = r2\nr0 = *(u32 *)(r1 + 32)\nexit\n").r0 == 7);
    CHECK(field("r0 = *(u32 *)(r1 + 8)\nexit\n").status != RunStatus::Exited);   // mark
    CHECK(field("r2 = 1\n*(u32 *)(r1 + 48) = r2\nr0 = 0\nexit\n").status != RunStatus::Exited);  // cb is read-only
}

TEST_CASE("a program's sockmap lookup holds the socket until bpf_sk_release") {
    const std::string prog = "r1 = 1\n*(u32 *)(r10 - 4) = r1\nr1 = " + std::to_string(map_handle(0)) +
                             " ll\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nif r0 == 0 goto out\n"
                             "r6 = *(u32 *)(r0 + 4)\nr1 = r0\ncall bpf_sk_release\nr0 = r6\nout:\nexit\n";
    auto s = with_map(prog, "sk_skb/stream_verdict", MapType::Sockmap, 1, 4098);
    const RunResult r = run_msg(*s);
    CHECK(r.r0 == 2);  // bpf_sock.family
    CHECK(r.host_events.at(0).text ==
          "sockmap map \"socks\" gives the socket with cookie 4098: the program now holds a reference and must give "
          "it back with bpf_sk_release");
    CHECK(s->host().net.run.held_sockets.empty());
}
