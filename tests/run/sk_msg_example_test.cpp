// examples/sk_msg_redirect.c run as `bpfvm run public/examples/sk_msg_redirect.o --host ...
// --map-init ...` runs it: BPF_PROG_TEST_RUN cannot run sk_msg programs, so there is no kernel
// case, and the expected results are asserted here. The host adds the other end of the default
// connection (10.0.0.1:40000 -> 10.0.0.2:8080, cookie 4100) as a local socket, registered in
// by_port under its port; the program runs on the default connection (peer port 40000).
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>

#include "core/run/object_session.hpp"
#include "run/net_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::net_test;

namespace {

std::unique_ptr<ObjectSession> open_example() {
    std::ifstream f(std::string(BPFPLAY_SOURCE_DIR) + "/public/examples/sk_msg_redirect.o", std::ios::binary);
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(f), {}};
    REQUIRE_FALSE(bytes.empty());
    Host host;
    HostSocket peer = host.net.sockets[1];
    std::swap(peer.local_addr, peer.remote_addr);
    std::swap(peer.local_port, peer.remote_port);
    peer.cookie = 4100;
    host.net.sockets.push_back(peer);
    auto s = ObjectSession::open(bytes, "sk_msg_redirect.o", std::move(host));
    if (!s.ok()) FAIL(s.error().to_string());
    return std::move(s).value();
}

RunResult send(ObjectSession& s, const std::string& text) {
    RunInput in;
    in.packet.assign(text.begin(), text.end());
    return s.run("redirect_by_port", in);
}

uint64_t verdict(ObjectSession& s, uint32_t index) {
    std::vector<uint8_t> key(4), value(8);
    key[0] = uint8_t(index);
    REQUIRE(s.object().maps->find("verdicts")->lookup_user(key, value) == 0);
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t(value[i]) << (8 * i);
    return v;
}

}  // namespace

TEST_CASE("sk_msg_redirect example: redirected to the peer's socket, DROP refused, sent when no peer is registered") {
    auto s = open_example();
    Map& by_port = *s->object().maps->find("by_port");
    const std::vector<uint8_t> port_40000 = {0x40, 0x9c, 0, 0};
    REQUIRE(by_port.update_user(port_40000, std::vector<uint8_t>{0x04, 0x10, 0, 0, 0, 0, 0, 0}) == 0);

    RunResult r = send(*s, "hello");
    REQUIRE(r.status == RunStatus::Exited);
    CHECK(r.r0 == 1);
    CHECK(r.host_events.back().text ==
          "SK_PASS: the message is redirected to socket 3 (cookie 4100, port 40000) from sockhash \"by_port\", onto "
          "its receive queue (BPF_F_INGRESS)");
    CHECK(s->host().net.run.sock_redirect == SockRedirect{true, 3, true, "sockhash \"by_port\""});

    r = send(*s, "DROP table");
    CHECK(r.r0 == 0);
    CHECK(r.host_events.back().text == "SK_DROP: the message is dropped and the sender's sendmsg fails with -EACCES");

    REQUIRE(by_port.delete_user(port_40000) == 0);
    r = send(*s, "hello");
    CHECK(r.r0 == 1);
    CHECK(r.host_events.at(0).text == "sockhash \"by_port\" has no socket at key 409c0000: returns SK_DROP");
    CHECK(r.host_events.back().text == "SK_PASS: the message is sent on socket 1 (cookie 4098, port 8080)");

    CHECK(verdict(*s, 0) == 1);  // SENT
    CHECK(verdict(*s, 1) == 1);  // REDIRECTED
    CHECK(verdict(*s, 2) == 1);  // DROPPED
}
