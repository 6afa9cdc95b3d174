// sk_lookup programs: struct bpf_sk_lookup as BPF_PROG_TEST_RUN builds it from ctx_in
// (net/bpf/test_run.c), its access rules (sk_lookup_is_valid_access), the refusals with the
// kernel's errno, ctx_out's cookie, the exit report, and examples/sk_lookup_dispatch.c with the
// results the 6.18 kernel gave for the same connections (the cookies aside: the kernel's are
// its sockets').
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "core/host/kernel_objects.hpp"
#include "core/maps/map.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/sk_lookup_context.hpp"
#include "maps/map_test_util.hpp"
#include "run/net_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::net_test;

namespace {

namespace lk = bpf_sk_lookup;

struct Conn {
    uint32_t family = kAfInet, protocol = kIpprotoTcp;
    uint16_t remote_port = 40000;
    uint32_t local_port = 8000;
};

// 10.0.0.1:remote_port -> 127.0.0.1:local_port (IPv4) or 2001:db8::1 -> ::1 (IPv6).
std::vector<uint8_t> lookup_ctx(const Conn& c) {
    std::vector<uint8_t> b(lk::kSize, 0);
    store_le<uint32_t>(&b[lk::kFamily], c.family);
    store_le<uint32_t>(&b[lk::kProtocol], c.protocol);
    const uint8_t r4[] = {10, 0, 0, 1}, l4[] = {127, 0, 0, 1};
    std::memcpy(&b[lk::kRemoteIp4], r4, 4);
    std::memcpy(&b[lk::kLocalIp4], l4, 4);
    b[lk::kRemoteIp6] = 0x20, b[lk::kRemoteIp6 + 1] = 0x01, b[lk::kRemoteIp6 + 15] = 1;
    b[lk::kLocalIp6 + 15] = 1;
    b[lk::kRemotePort] = uint8_t(c.remote_port >> 8), b[lk::kRemotePort + 1] = uint8_t(c.remote_port);
    store_le<uint32_t>(&b[lk::kLocalPort], c.local_port);
    return b;
}

RunResult run_ctx(ObjectSession& s, std::vector<uint8_t> ctx, std::vector<uint8_t> packet = {}) {
    RunInput in;
    in.ctx = std::move(ctx);
    in.packet = std::move(packet);
    return s.run("asm", in);
}

uint64_t read_field(const std::string& load, const std::vector<uint8_t>& ctx) {
    auto s = open_asm(load + "\nexit\n", "sk_lookup");
    const RunResult r = run_ctx(*s, ctx);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, load << ": " << (r.error ? r.error->to_string() : ""));
    return r.r0;
}

std::string refusal(const std::vector<uint8_t>& ctx, std::vector<uint8_t> packet = {}) {
    auto s = open_asm("r0 = 1\nexit\n", "sk_lookup");
    const RunResult r = run_ctx(*s, ctx, std::move(packet));
    REQUIRE(r.status == RunStatus::Faulted);
    REQUIRE(r.error);
    return r.error->what;
}

std::vector<uint8_t> le32(uint32_t v) { return test::bytes(v); }
std::vector<uint8_t> le64(uint64_t v) { return test::bytes(v); }
std::vector<uint8_t> le16(uint16_t v) { return {uint8_t(v), uint8_t(v >> 8)}; }

}  // namespace

TEST_CASE("sk_lookup context: the fields as the test run gives them") {
    std::vector<uint8_t> v4 = lookup_ctx({});
    v4[lk::kFamily + 2] = 1;  // family 0x10002: the test run keeps 16 bits
    v4[lk::kPad] = 0x55;      // the padding after remote_port is not copied
    CHECK(read_field("r0 = *(u32 *)(r1 + 8)", v4) == 2);
    CHECK(read_field("r0 = *(u32 *)(r1 + 12)", v4) == 6);
    CHECK(read_field("r0 = *(u32 *)(r1 + 16)", v4) == 0x0100000a);
    CHECK(read_field("r0 = *(u32 *)(r1 + 20)", v4) == 0);  // IPv4: the ip6 fields read 0
    CHECK(read_field("r0 = *(u16 *)(r1 + 36)", v4) == 0x409c);
    CHECK(read_field("r0 = *(u32 *)(r1 + 36)", v4) == 0x409c);  // the old 4-byte remote_port
    CHECK(read_field("r0 = *(u8 *)(r1 + 37)", v4) == 0x40);
    CHECK(read_field("r0 = *(u16 *)(r1 + 38)", v4) == 0);
    CHECK(read_field("r0 = *(u32 *)(r1 + 40)", v4) == 0x0100007f);
    CHECK(read_field("r0 = *(u32 *)(r1 + 60)", v4) == 8000);
    CHECK(read_field("r0 = *(u8 *)(r1 + 61)", v4) == 0x1f);
    CHECK(read_field("r0 = *(u32 *)(r1 + 64)", v4) == 0);
    CHECK(read_field("r0 = *(u64 *)(r1 + 0)", v4) == 0);
    const std::vector<uint8_t> v6 = lookup_ctx({.family = kAfInet6, .protocol = kIpprotoUdp});
    CHECK(read_field("r0 = *(u32 *)(r1 + 16)", v6) == 0);  // IPv6: the ip4 fields read 0
    CHECK(read_field("r0 = *(u32 *)(r1 + 20)", v6) == 0x0120);
    CHECK(read_field("r0 = *(u8 *)(r1 + 35)", v6) == 1);
    CHECK(read_field("r0 = *(u32 *)(r1 + 56)", v6) == 0x01000000);
    CHECK(read_field("r0 = *(u32 *)(r1 + 12)", v6) == 17);
}

TEST_CASE("sk_lookup context: read-only, aligned, sk whole, nothing past ingress_ifindex") {
    const std::vector<uint8_t> ctx = lookup_ctx({});
    auto fault = [&](const std::string& text) {
        auto s = open_asm(text + "\nr0 = 0\nexit\n", "sk_lookup");
        const RunResult r = run_ctx(*s, ctx);
        REQUIRE_MESSAGE(r.status == RunStatus::Faulted, text);
        return r.error->what;
    };
    CHECK(fault("r2 = *(u32 *)(r1 + 68)").find("no field past ingress_ifindex") != std::string::npos);
    CHECK(fault("r2 = *(u64 *)(r1 + 8)").find("read 1, 2 or 4 bytes at a time") != std::string::npos);
    CHECK(fault("r2 = *(u32 *)(r1 + 0)").find("sk must be read 8 bytes at a time") != std::string::npos);
    CHECK(fault("r2 = *(u16 *)(r1 + 37)").find("only aligned loads") != std::string::npos);
    CHECK(fault("*(u32 *)(r1 + 8) = 1").find("struct bpf_sk_lookup is read-only") != std::string::npos);
}

TEST_CASE("sk_lookup test run: the kernel's refusals of data_in and ctx_in") {
    const std::vector<uint8_t> ok = lookup_ctx({});
    CHECK(refusal(ok, {1, 2, 3}) ==
          "-EINVAL: BPF_PROG_TEST_RUN of an sk_lookup program takes no packet (data_in), but the input has 3 bytes");
    CHECK(refusal({}) ==
          "-EINVAL: an sk_lookup test run needs a context (ctx_in, struct bpf_sk_lookup) to describe the connection");
    std::vector<uint8_t> c = ok;
    c[lk::kSk] = 5;
    CHECK(refusal(c) == "-EINVAL: the context's sk must be 0: the program selects the socket");
    c = ok;
    c[lk::kIngressIfindex] = 1;
    CHECK(refusal(c) ==
          "-EINVAL: nothing may follow local_port in an sk_lookup test run's context (ingress_ifindex must be 0)");
    CHECK(refusal(lookup_ctx({.local_port = 70000})) == "-ERANGE: local_port 70000 does not fit 16 bits");
    CHECK(refusal(lookup_ctx({.family = 3})) == "-EAFNOSUPPORT: family 3 is not AF_INET (2) or AF_INET6 (10)");
    c = ok;
    c.resize(80, 0);
    c[79] = 1;
    CHECK(refusal(c) == "-E2BIG: the context has 80 bytes and some past struct bpf_sk_lookup's 72 are not zero");
    // A shorter context is zero-filled; protocol is not checked.
    c.assign(ok.begin(), ok.begin() + 20);
    auto s = open_asm("r0 = *(u32 *)(r1 + 60)\nexit\n", "sk_lookup");
    CHECK(run_ctx(*s, c).r0 == 0);
    CHECK(read_field("r0 = *(u32 *)(r1 + 12)", lookup_ctx({.protocol = 0x10001})) == 1);
}

namespace {

// examples/sk_lookup_dispatch.c's host: the services' sockets, as the kernel case had them.
//   0 TCP 127.0.0.1:7001 listening (cookie 4001)
//   1 TCP 127.0.0.1:7002 listening, SO_REUSEPORT (cookie 4002)
//   2 UDP 127.0.0.1:7003 bound (cookie 4003)
Host dispatch_host() {
    Host h;
    h.net.sockets.clear();
    for (uint16_t i = 0; i < 3; ++i) {
        HostSocket s;
        s.cookie = 4001 + i;
        s.local_addr = {127, 0, 0, 1};
        s.local_port = uint16_t(7001 + i);
        s.protocol = i == 2 ? kIpprotoUdp : kIpprotoTcp;
        s.state = i == 2 ? TcpState::Close : TcpState::Listen;
        s.reuseport = i == 1;
        h.net.sockets.push_back(s);
    }
    return h;
}

std::unique_ptr<ObjectSession> open_dispatch() {
    std::ifstream f(std::string(BPFPLAY_SOURCE_DIR) + "/public/examples/sk_lookup_dispatch.o", std::ios::binary);
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(f), {}};
    REQUIRE_FALSE(bytes.empty());
    auto s = ObjectSession::open(bytes, "sk_lookup_dispatch.o", dispatch_host());
    if (!s.ok()) FAIL(s.error().to_string());
    MapSet& maps = *s.value()->object().maps;
    for (uint32_t k = 0; k < 3; ++k) REQUIRE(maps.find("services")->update_user(le32(k), le64(4001 + k)) == 0);
    const uint16_t ports[] = {8000, 8001, 8002, 8003, 8004};
    const uint32_t service[] = {0, 0, 1, 2, 3};
    for (int i = 0; i < 5; ++i) REQUIRE(maps.find("ports")->update_user(le16(ports[i]), le32(service[i])) == 0);
    return std::move(s).value();
}

uint64_t map_u64(ObjectSession& s, const char* map, uint32_t key) {
    std::vector<uint8_t> v(8);
    REQUIRE(s.object().maps->find(map)->lookup_user(le32(key), v) == 0);
    uint64_t x = 0;
    std::memcpy(&x, v.data(), 8);
    return x;
}

}  // namespace

// The 6.18 kernel, with a listening TCP socket, a SO_REUSEPORT listener and a UDP socket in the
// SOCKMAP and the same ports map, answered: 8000 SK_PASS (ctx_out's cookie the first socket's),
// 8002 SK_PASS then -EOPNOTSUPP from the test run, 8004 SK_DROP, 9999 SK_PASS (cookie 0), UDP to
// 8003 SK_PASS, TCP to 8003 SK_DROP with last_error -91; outcomes 2, 2, 1, 1.
TEST_CASE("sk_lookup_dispatch example: the kernel's verdicts, selections and counts") {
    auto s = open_dispatch();
    RunInput in;
    in.ctx = lookup_ctx({.local_port = 8000});
    RunResult r = s->run("dispatch", in);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 1);
    CHECK(r.return_name == "SK_PASS");
    CHECK(load_le<uint64_t>(r.ctx_out.data()) == 4001);
    std::vector<uint8_t> expected_out = in.ctx;
    store_le<uint64_t>(expected_out.data(), 4001);
    CHECK(r.ctx_out == expected_out);
    CHECK(r.host_events.back().text ==
          "SK_PASS: the connection (SYN) goes to the TCP socket listening on 127.0.0.1:7001 (cookie 4001, uid 1000), "
          "which bpf_sk_assign selected");

    in.ctx = lookup_ctx({.local_port = 8002});
    r = s->run("dispatch", in);
    CHECK(r.r0 == 1);
    CHECK(load_le<uint64_t>(r.ctx_out.data()) == 4002);
    CHECK(r.host_events.back().text.find("SO_REUSEPORT and BPF_SK_LOOKUP_F_NO_REUSEPORT was not passed") !=
          std::string::npos);

    in.ctx = lookup_ctx({.local_port = 8004});
    r = s->run("dispatch", in);
    CHECK(r.r0 == 0);
    CHECK(r.return_name == "SK_DROP");
    CHECK(r.host_events.back().text == "SK_DROP: the lookup fails: the connection (SYN) is refused (-ECONNREFUSED)");

    in.ctx = lookup_ctx({.local_port = 9999});
    r = s->run("dispatch", in);
    CHECK(r.r0 == 1);
    CHECK(load_le<uint64_t>(r.ctx_out.data()) == 0);
    CHECK(r.host_events.back().text ==
          "SK_PASS without a selection: the connection (SYN) goes on to the kernel's own socket lookup");

    in.ctx = lookup_ctx({.protocol = kIpprotoUdp, .local_port = 8003});
    r = s->run("dispatch", in);
    CHECK(r.r0 == 1);
    CHECK(r.host_events.back().text ==
          "SK_PASS without a selection: the datagram goes on to the kernel's own socket lookup");

    in.ctx = lookup_ctx({.local_port = 8003});
    r = s->run("dispatch", in);
    CHECK(r.r0 == 0);
    CHECK(int64_t(map_u64(*s, "last_error", 0)) == -91);  // -EPROTOTYPE: a UDP socket for a TCP SYN
    CHECK(map_u64(*s, "outcomes", 0) == 2);  // STEERED
    CHECK(map_u64(*s, "outcomes", 1) == 2);  // NOT_OURS
    CHECK(map_u64(*s, "outcomes", 2) == 1);  // SERVICE_DOWN
    CHECK(map_u64(*s, "outcomes", 3) == 1);  // REFUSED
    CHECK(s->host().net.run.held_sockets.empty());
}
