// fentry / fexit programs attached to a BPF program (core/loader/traced_program.hpp): the
// traced program's kernel context (struct xdp_buff, struct sk_buff over the run's packet,
// core/run/traced_packet.hpp), fexit's ret from running the traced program first, and the
// bpf_xdp_output / bpf_skb_output samples (core/run/perf_event_helpers.cpp).
// examples/xdp_dump.c does what xdp-tools' xdpdump does; tests/loader/fixtures/traced_output.c
// sends samples with the flags a test puts in its `config` map.
#include <doctest/doctest.h>

#include "core/hex.hpp"
#include "core/run/btf_args_context.hpp"
#include "core/run/object_session.hpp"
#include "loader/loader_test_util.hpp"

using namespace bpfplay;
using bpfplay::test::example_bytes;
using bpfplay::test::fixture_bytes;

namespace {

// Ethernet, IPv4 10.0.0.1 -> 10.0.0.2 (TTL 64), TCP 1234 -> 80 SYN, "bpfplay!\r\n": 64 bytes.
const char kTcpHex[] =
    "02000000000202000000000108004500003200014000400626c30a0000010a00000204d20050000003e800000000"
    "5002ffffd75e0000627066706c6179210d0a";

std::vector<uint8_t> tcp_packet() { return parse_hex_bytes(kTcpHex).value(); }

std::unique_ptr<ObjectSession> open_session(const std::vector<uint8_t>& bytes, const char* name, Host host = {}) {
    REQUIRE_FALSE(bytes.empty());
    auto s = ObjectSession::open(bytes, name, std::move(host));
    if (!s.ok()) FAIL(s.error().to_string());
    return std::move(s).value();
}

RunResult run(ObjectSession& s, const char* program, std::vector<uint8_t> packet,
              std::vector<std::pair<std::string, uint64_t>> args = {}) {
    RunInput in;
    in.packet = std::move(packet);
    in.args = std::move(args);
    RunResult r = s.run(program, in);
    if (r.error) FAIL(r.error->to_string());
    REQUIRE(r.status == RunStatus::Exited);
    return r;
}

void set_flags(ObjectSession& s, uint64_t flags) {
    std::vector<uint8_t> key(4, 0), value(8);
    for (int i = 0; i < 8; ++i) value[i] = uint8_t(flags >> (8 * i));
    REQUIRE(s.object().maps->find("config")->update_user(key, value, 0) == 0);
}

int64_t result(ObjectSession& s) {
    std::vector<uint8_t> key(4, 0), value(8);
    REQUIRE(s.object().maps->find("results")->lookup_user(key, value) == 0);
    return int64_t(load_le<uint64_t>(value.data()));
}

constexpr uint64_t kCurrentCpu = 0xffffffffull;
uint64_t ctx_len(uint64_t n) { return n << 32; }

}  // namespace

TEST_CASE("xdp_dump: fentry/func traces the object's only XDP program, its sample is the metadata then the packet") {
    auto s = open_session(example_bytes("xdp_dump"), "xdp_dump.o");
    const LoadedProgram& entry = *s->object().find_program("dump_entry");
    CHECK(entry.traced_type == ProgType::Xdp);
    CHECK(entry.traced_program == "xdp_ttl_guard");
    const BtfArgsLayout layout = btf_args_layout(*s->object().find_program("dump_exit")).value();
    CHECK(layout.attach == "xdp_ttl_guard");
    CHECK(layout.names() == "ctx, ret");
    CHECK(layout.slots[0].type == "struct xdp_buff *");
    CHECK(layout.slots[1].type == "int");

    RunResult r = run(*s, "dump_entry", tcp_packet());
    REQUIRE(r.perf_events.size() == 1);
    CHECK(r.perf_events[0].map == "captures");
    CHECK(r.perf_events[0].cpu == 0);
    // ifindex 1, rx_queue 0, pkt_len 64, cap_len 64, flags 0, pad, action 0; then 64 bytes
    // (20 + 64 + 4 is a multiple of 8: no padding).
    CHECK(hex_bytes(r.perf_events[0].data) ==
          "01000000000000004000400000000000" "00000000" + std::string(kTcpHex));
    CHECK(r.host_events.empty());
}

TEST_CASE("xdp_dump: fexit/func gets the traced program's verdict as ret, or the one --arg sets") {
    auto s = open_session(example_bytes("xdp_dump"), "xdp_dump.o");
    RunResult pass = run(*s, "dump_exit", tcp_packet());
    REQUIRE(pass.perf_events.size() == 1);
    CHECK(hex_bytes(pass.perf_events[0].data).substr(0, 40) == "0100000000000000400040000100000002000000");
    REQUIRE(pass.host_events.size() == 1);
    CHECK(pass.host_events[0].text ==
          "the traced program xdp_ttl_guard ran first on the packet and returned 2 (XDP_PASS): dump_exit's ret");

    std::vector<uint8_t> ttl1 = tcp_packet();
    ttl1[22] = 1;  // the IPv4 TTL
    RunResult drop = run(*s, "dump_exit", ttl1);
    REQUIRE(drop.perf_events.size() == 1);
    CHECK(hex_bytes(drop.perf_events[0].data).substr(32, 8) == "01000000");  // action XDP_DROP

    RunResult given = run(*s, "dump_exit", ttl1, {{"ret", 7}});
    REQUIRE(given.perf_events.size() == 1);
    CHECK(hex_bytes(given.perf_events[0].data).substr(32, 8) == "07000000");
    CHECK(given.host_events.empty());

    // Context bytes reaching ret's slot (the page's Context tab) set it too: the xdp_buff's
    // address as the first run had it, then ret 4.
    REQUIRE(pass.ctx_out.size() == 16);
    CHECK(load_le<uint64_t>(pass.ctx_out.data() + 8) == 2);
    RunInput in;
    in.packet = ttl1;
    in.ctx.assign(pass.ctx_out.begin(), pass.ctx_out.begin() + 8);
    in.ctx.push_back(4);
    RunResult typed = s->run("dump_exit", in);
    REQUIRE(typed.status == RunStatus::Exited);
    REQUIRE(typed.perf_events.size() == 1);
    CHECK(hex_bytes(typed.perf_events[0].data).substr(32, 8) == "04000000");
    CHECK(typed.host_events.empty());
}

TEST_CASE("xdp_dump: the xdp_buff's rxq names the ingress device and queue; other devices are not captured") {
    Host host;
    host.net.devices[1].rx_queues = 4;  // eth0
    host.net.ingress_ifindex = 2;
    host.net.rx_queue_index = 3;
    auto s = open_session(example_bytes("xdp_dump"), "xdp_dump.o", host);
    // capture_ifindex is still 1 (lo): nothing sent.
    CHECK(run(*s, "dump_exit", tcp_packet()).perf_events.empty());
    // capture_ifindex 2, snaplen 16.
    const std::vector<uint8_t> key(4, 0), data = {2, 0, 0, 0, 16, 0, 0, 0};
    REQUIRE(s->object().maps->find("xdp_dump.data")->update_user(key, data, 0) == 0);
    RunResult r = run(*s, "dump_exit", tcp_packet());
    REQUIRE(r.perf_events.size() == 1);
    // ifindex 2, rx_queue 3, pkt_len 64, cap_len 16, flags 1 (fexit), action 2; 16 bytes.
    CHECK(hex_bytes(r.perf_events[0].data) ==
          "02000000030000004000100001000000" "02000000" + std::string(kTcpHex).substr(0, 32));
}

TEST_CASE("bpf_xdp_output: meta then ctx-length packet bytes, padded; -EINVAL for other flags, -EFAULT past the packet") {
    auto s = open_session(fixture_bytes("traced_output"), "traced_output.o");
    CHECK(s->object().find_program("xdp_exit")->traced_program == "xdp_target");

    set_flags(*s, kCurrentCpu | ctx_len(32));
    RunResult r = run(*s, "xdp_exit", tcp_packet());
    CHECK(result(*s) == 0);
    REQUIRE(r.perf_events.size() == 1);
    // ret 3 (XDP_TX), len 64; 32 packet bytes; 8 + 32 + 4 = 44, padded to 48.
    CHECK(hex_bytes(r.perf_events[0].data) == "0300000040000000" + std::string(kTcpHex).substr(0, 64) + "00000000");

    set_flags(*s, kCurrentCpu | ctx_len(64));  // the whole packet is fine
    CHECK(run(*s, "xdp_exit", tcp_packet()).perf_events.at(0).data.size() == 8 + 64 + 4);
    set_flags(*s, kCurrentCpu | ctx_len(65));
    CHECK(run(*s, "xdp_exit", tcp_packet()).perf_events.empty());
    CHECK(result(*s) == -14);  // -EFAULT
    set_flags(*s, kCurrentCpu | (1ull << 52));  // past BPF_F_CTXLEN_MASK
    CHECK(run(*s, "xdp_exit", tcp_packet()).perf_events.empty());
    CHECK(result(*s) == -22);  // -EINVAL
    set_flags(*s, 1);  // CPU 1's reader, but the program runs on CPU 0
    CHECK(run(*s, "xdp_exit", tcp_packet()).perf_events.empty());
    CHECK(result(*s) == -95);  // -EOPNOTSUPP
    set_flags(*s, kCurrentCpu | ctx_len(32));
    CHECK(run(*s, "xdp_exit", tcp_packet(), {{"ctx", 0}}).perf_events.empty());  // a NULL xdp_buff
    CHECK(result(*s) == -14);
    set_flags(*s, 0);  // CPU 0's reader, no packet bytes
    RunResult meta_only = run(*s, "xdp_exit", tcp_packet());
    CHECK(hex_bytes(meta_only.perf_events.at(0).data) == "030000004000000000000000");
}

TEST_CASE("bpf_skb_output: a TC program's sk_buff from the Ethernet header, a socket filter's from the IP header") {
    auto s = open_session(fixture_bytes("traced_output"), "traced_output.o");
    // Its own code reads a struct sk_buff (CO-RE): a TC program, the object's only one.
    CHECK(s->object().find_program("skb_exit")->traced_type == ProgType::SchedCls);
    CHECK(s->object().find_program("skb_exit")->traced_program == "tc_target");
    REQUIRE(s->set_traced("skb_exit", "tc_target").ok());
    const BtfArgsLayout layout = btf_args_layout(*s->object().find_program("skb_exit")).value();
    CHECK(layout.slots[0].type == "struct sk_buff *");

    set_flags(*s, kCurrentCpu | ctx_len(32));
    RunResult tc = run(*s, "skb_exit", tcp_packet());
    CHECK(result(*s) == 0);
    REQUIRE(tc.perf_events.size() == 1);
    // ret 2 (TC_ACT_SHOT), skb->len 64, 32 bytes from the Ethernet header.
    CHECK(hex_bytes(tc.perf_events[0].data) == "0200000040000000" + std::string(kTcpHex).substr(0, 64) + "00000000");
    CHECK(tc.host_events.at(0).text ==
          "the traced program tc_target ran first on the packet and returned 2 (TC_ACT_SHOT): skb_exit's ret");

    // By type: no program runs first, ret is 0 unless given.
    REQUIRE(s->set_traced("skb_exit", "socket_filter").ok());
    set_flags(*s, kCurrentCpu | ctx_len(4));
    RunResult sf = run(*s, "skb_exit", tcp_packet());
    REQUIRE(sf.perf_events.size() == 1);
    CHECK(hex_bytes(sf.perf_events[0].data) == "0000000032000000" "45000032");  // len 50, from IPv4
    set_flags(*s, kCurrentCpu | ctx_len(51));
    CHECK(run(*s, "skb_exit", tcp_packet()).perf_events.empty());
    CHECK(result(*s) == -14);
    set_flags(*s, kCurrentCpu | (1ull << 60));
    CHECK(run(*s, "skb_exit", tcp_packet()).perf_events.empty());
    CHECK(result(*s) == -22);
    set_flags(*s, kCurrentCpu);
    CHECK(run(*s, "skb_exit", tcp_packet(), {{"ctx", 0}}).perf_events.empty());  // a NULL sk_buff
    CHECK(result(*s) == -14);
}

TEST_CASE("set_traced refuses what is no traceable program or type, and programs that trace no BPF program") {
    auto s = open_session(fixture_bytes("traced_output"), "traced_output.o");
    auto unknown = s->set_traced("xdp_exit", "nosuch");
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().what ==
          "\"nosuch\" names no program of the object nor a type whose programs can be traced; choose one of xdp, tc "
          "(sched_cls), sched_act, socket_filter, cgroup_skb, xdp_target, tc_target");
    auto kprobe = s->set_traced("xdp_exit", "kprobe");
    REQUIRE_FALSE(kprobe.ok());
    auto not_tracing = s->set_traced("xdp_target", "xdp");
    REQUIRE_FALSE(not_tracing.ok());
    CHECK(not_tracing.error().what ==
          "program \"xdp_target\" (section \"xdp\") traces no BPF program: only an fentry or fexit program "
          "whose attach point is no kernel function does");
}
