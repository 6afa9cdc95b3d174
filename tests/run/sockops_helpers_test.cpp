// The sock_ops context and helpers: struct bpf_sock_ops built on the host's program socket (the
// default host's socket 1: 10.0.0.2:8080 <- 10.0.0.1:40000, cookie 4098), the op chosen in the
// context input, and bpf_sock_ops_cb_flags_set, bpf_setsockopt / bpf_getsockopt and the header
// option helpers with the return values of net/core/filter.c (Linux 6.18), the host events they
// log, and reverse stepping over the socket changes.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>

#include "core/context/contexts.hpp"
#include "core/hex.hpp"
#include "core/host/host_json.hpp"
#include "core/journal.hpp"
#include "run/net_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::net_test;
using V = std::vector<std::string>;

namespace {

// A bpf_sock_ops context input choosing `op`.
std::vector<uint8_t> ops_ctx(uint32_t op) {
    std::vector<uint8_t> c(sock_ops::kSize, 0);
    c[0] = uint8_t(op);
    return c;
}

RunResult run_op(ObjectSession& s, uint32_t op, std::vector<uint8_t> segment = {}) {
    RunInput in;
    in.ctx = ops_ctx(op);
    in.packet = std::move(segment);
    return s.run("asm", in);
}

int64_t r0_of(const RunResult& r) {
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : std::string()));
    return int64_t(r.r0);
}

Host host_with(uint32_t cb_flags, TcpState state = TcpState::Established) {
    Host h;
    h.net.sockets[1].sock_ops_cb_flags = cb_flags;
    h.net.sockets[1].state = state;
    h.net.program_socket = 1;
    return h;
}

// bpf_setsockopt(ctx, level, optname, &value, optlen) with the value's bytes at r10 - 8 (`value`
// sets them), then bpf_getsockopt of the same option into r10 - 16; returns setsockopt's r0 in
// r0 and the value read back in r7.
std::string set_then_get(int level, int optname, const std::string& value, int optlen, int get_len = 4) {
    const std::string args = "r1 = r6\nr2 = " + std::to_string(level) + "\nr3 = " + std::to_string(optname) + "\n";
    return "r6 = r1\n" + value + args + "r4 = r10\nr4 += -8\nr5 = " + std::to_string(optlen) +
           "\ncall bpf_setsockopt\nr8 = r0\n" + args + "r4 = r10\nr4 += -16\nr5 = " + std::to_string(get_len) +
           "\ncall bpf_getsockopt\nr7 = *(" + (get_len == 4 ? "u32" : "u64") + " *)(r10 - 16)\nr0 = r8\nexit\n";
}

std::string int_value(int32_t v) { return "r2 = " + std::to_string(v) + "\n*(u32 *)(r10 - 8) = r2\n"; }
// Up to 8 bytes of text (little-endian u64).
std::string text_value(const std::string& t) {
    uint64_t v = 0;
    for (size_t i = 0; i < t.size(); ++i) v |= uint64_t(uint8_t(t[i])) << (8 * i);
    return "r2 = " + hex(v) + " ll\n*(u64 *)(r10 - 8) = r2\n";
}

struct SockoptCase {
    int64_t set_r0;
    uint64_t read_back;  // r7
};

SockoptCase sockopt(const std::string& prog, uint32_t op = 4, Host host = host_with(0)) {
    auto s = open_asm(prog, "sockops", std::move(host));
    RunInput in;
    in.ctx = ops_ctx(op);
    auto started = s->start("asm", in);
    REQUIRE_MESSAGE(started.ok(), (started.ok() ? std::string() : started.error().to_string()));
    RunState* run = started.value().get();
    REQUIRE(run->vm->run() == RunStatus::Exited);
    return {int64_t(run->vm->result()), run->vm->reg(7)};
}

// A TCP segment 40000 -> 8080 with SYN|ACK and these option bytes (a multiple of 4).
std::vector<uint8_t> segment(const std::vector<uint8_t>& options) {
    static constexpr uint8_t kHeader[20] = {0x9c, 0x40, 0x1f, 0x90, 0, 0, 0x03, 0xe8, 0, 0,
                                            0x07, 0xd0, 0,    0x12, 0xff, 0xff, 0, 0, 0, 0};
    std::vector<uint8_t> s(std::begin(kHeader), std::end(kHeader));
    s[12] = uint8_t((20 + options.size()) / 4 << 4);
    for (uint8_t b : options) s.push_back(b);
    s.push_back('h');  // payload
    s.push_back('i');
    return s;
}
// MSS 1460, experimental option 254 with magic 0xeb9f and two bytes of data, two NOPs.
const std::vector<uint8_t> kParsed = {2, 4, 0x05, 0xb4, 254, 6, 0xeb, 0x9f, 1, 2, 1, 1};

// bpf_load_hdr_opt(ctx, r10 - 8 holding `search`, len, flags); r0 its result, r7 the buffer.
std::string load_opt(uint64_t search, int len, int flags = 0) {
    return "r6 = r1\nr2 = " + hex(search) + " ll\n*(u64 *)(r10 - 8) = r2\nr1 = r6\nr2 = r10\nr2 += -8\nr3 = " +
           std::to_string(len) + "\nr4 = " + std::to_string(flags) +
           "\ncall bpf_load_hdr_opt\nr7 = *(u64 *)(r10 - 8)\nexit\n";
}

// bpf_store_hdr_opt(ctx, r10 - 8 holding `option`, len, flags).
std::string store_opt(uint64_t option, int len, int flags = 0) {
    return "r6 = r1\nr2 = " + hex(option) + " ll\n*(u64 *)(r10 - 8) = r2\nr1 = r6\nr2 = r10\nr2 += -8\nr3 = " +
           std::to_string(len) + "\nr4 = " + std::to_string(flags) + "\ncall bpf_store_hdr_opt\nexit\n";
}

}  // namespace

TEST_CASE("struct bpf_sock_ops: the program socket's addresses, the op, and what the program may write") {
    auto s = open_asm("r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 24)\nr4 = *(u32 *)(r1 + 64)\n"
                      "r5 = *(u32 *)(r1 + 68)\nr0 = *(u32 *)(r1 + 72)\nr0 <<= 32\nr0 |= r5\n"
                      "r6 = 7\n*(u32 *)(r1 + 4) = r6\n*(u32 *)(r1 + 164) = r6\nexit\n",
                      "sockops", host_with(0));
    RunInput in;
    in.ctx = ops_ctx(3);  // BPF_SOCK_OPS_TCP_CONNECT_CB
    auto started = s->start("asm", in);
    REQUIRE(started.ok());
    Vm& vm = *started.value()->vm;
    REQUIRE(vm.run() == RunStatus::Exited);
    CHECK(vm.reg(2) == 3);
    CHECK(vm.reg(3) == 0x0100000a);        // remote_ip4 10.0.0.1, network order
    CHECK(vm.reg(4) == 0x409c0000);        // remote_port: htons(40000) << 16
    CHECK(vm.result() == (1ull << 32 | 8080));  // is_fullsock 1, local_port in host order
    const std::vector<uint8_t>& ctx = started.value()->ctx->bytes();
    CHECK(ctx[sock_ops::kReply] == 7);
    CHECK(ctx[sock_ops::kSkTxhash] == 7);

    auto write_op = open_asm("r2 = 1\n*(u32 *)(r1 + 0) = r2\nr0 = 0\nexit\n", "sockops", host_with(0));
    const RunResult w = run_op(*write_op, 3);
    REQUIRE(w.status == RunStatus::Faulted);
    CHECK(w.error->what.find("field op is read-only") != std::string::npos);
    auto narrow = open_asm("r0 = *(u16 *)(r1 + 20)\nexit\n", "sockops", host_with(0));
    CHECK(run_op(*narrow, 3).error->what.find("family must be read 4 bytes at a time") != std::string::npos);
}

TEST_CASE("a sock_ops run needs an op the kernel would call: a known one, its callback flag set") {
    auto s = open_asm("r0 = 1\nexit\n", "sockops", host_with(0));
    RunResult r = run_op(*s, 21);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->what ==
          "op 21 is not a sock_ops callback (BPF_SOCK_OPS_VOID 0 to BPF_SOCK_OPS_TSTAMP_SENDMSG_CB 20)");
    r = run_op(*s, 8);  // BPF_SOCK_OPS_RTO_CB
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->what == "the kernel makes callback 8 only on a socket whose bpf_sock_ops_cb_flags has "
                           "BPF_SOCK_OPS_RTO_CB_FLAG, and socket 1's are 0x0");
    auto parse = open_asm("r0 = 1\nexit\n", "sockops", host_with(0x10));
    r = run_op(*parse, 13, {1, 2, 3});
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->what == "callback 13 carries a TCP segment: the packet must start with a TCP header whose data "
                           "offset fits it (3 bytes given)");
    CHECK(run_op(*parse, 13, segment({})).status == RunStatus::Exited);
    CHECK(run_op(*s, 3, segment({})).error->what ==
          "callback 3 carries no segment (skb_data is NULL), but the input has a packet");
}

TEST_CASE("bpf_sock_ops_cb_flags_set: the socket's flags change, the next callbacks follow them") {
    auto s = open_asm("r6 = r1\nr2 = 0x189\ncall bpf_sock_ops_cb_flags_set\nr7 = *(u32 *)(r6 + 84)\nexit\n",
                      "sockops", host_with(0));
    const RunResult r = run_op(*s, 4);  // BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB
    CHECK(r0_of(r) == 0x180);          // the bits past BPF_SOCK_OPS_ALL_CB_FLAGS
    CHECK(event_lines(r.host_events) ==
          V{"3 pc 2 bpf_sock_ops_cb_flags_set: socket 1 (cookie 4098, port 8080)'s bpf_sock_ops_cb_flags go from 0x0 "
            "to 0x9: the callbacks that follow are chosen by them; returns 0x180 (the bits this kernel does not "
            "know)"});
    CHECK(s->host().net.sockets[1].sock_ops_cb_flags == 0x9);
    CHECK(r.ctx_out[sock_ops::kCbFlags] == 0x9);
    // RTO_CB_FLAG (1) is set now: the kernel makes callback 8; RTT (8) too.
    CHECK(run_op(*s, 8).status == RunStatus::Exited);
    CHECK(run_op(*s, 10).status == RunStatus::Faulted);  // STATE_CB_FLAG is not set

    auto timewait = open_asm("r2 = 1\ncall bpf_sock_ops_cb_flags_set\nexit\n", "sockops",
                             host_with(0, TcpState::TimeWait));
    const RunResult tw = run_op(*timewait, 0);
    CHECK(r0_of(tw) == -22);
    CHECK(tw.host_events.at(0).text == "socket 1 (cookie 4098, port 8080) is not a full socket: returns -EINVAL");

    Host stamping = host_with(0);
    stamping.net.sockets[1].options["SK_BPF_CB_FLAGS"] = 1;
    auto unlocked = open_asm("r2 = 1\ncall bpf_sock_ops_cb_flags_set\nexit\n", "sockops", stamping);
    const RunResult u = run_op(*unlocked, 16);  // BPF_SOCK_OPS_TSTAMP_SCHED_CB
    CHECK(r0_of(u) == -95);
    CHECK(u.host_events.at(0).text ==
          "this callback runs without the socket lock (ops 16 to 20): returns -EOPNOTSUPP");
}

TEST_CASE("bpf_setsockopt stores the option on the host socket and bpf_getsockopt reads it back") {
    SockoptCase c = sockopt(set_then_get(1, 8, int_value(65536), 4));  // SOL_SOCKET, SO_RCVBUF
    CHECK(c.set_r0 == 0);
    CHECK(c.read_back == 131072);  // doubled
    c = sockopt(set_then_get(1, 7, int_value(-1), 4));  // SO_SNDBUF: capped by wmem_max
    CHECK(c.read_back == 8388608);
    c = sockopt(set_then_get(1, 36, int_value(0x2a), 4));  // SO_MARK
    CHECK(c.read_back == 0x2a);
    c = sockopt(set_then_get(0, 1, int_value(0xb9), 4));  // SOL_IP, IP_TOS: the ECN bits stay the socket's
    CHECK(c.read_back == 0xb8);
    c = sockopt(set_then_get(6, 1, int_value(5), 4));  // SOL_TCP, TCP_NODELAY
    CHECK(c.read_back == 1);
    c = sockopt(set_then_get(6, 1004, int_value(10000), 4));  // TCP_BPF_RTO_MIN: whole jiffies at HZ 250
    CHECK(c.read_back == 12000);
    c = sockopt(set_then_get(6, 1008, int_value(0x40), 4));  // TCP_BPF_SOCK_OPS_CB_FLAGS
    CHECK(c.read_back == 0x40);
    c = sockopt(set_then_get(6, 13, text_value("reno"), 5, 8));  // TCP_CONGESTION
    CHECK(c.set_r0 == 0);
    CHECK(c.read_back == 0x6f6e6572);  // "reno", NUL-padded
    c = sockopt(set_then_get(1, 25, text_value("eth1"), 5));  // SO_BINDTODEVICE; read SO_BINDTODEVICE: -EINVAL
    CHECK(c.set_r0 == 0);
    CHECK(c.read_back == 0);

    auto s = open_asm(set_then_get(1, 8, int_value(65536), 4), "sockops", host_with(0));
    const RunResult r = run_op(*s, 4);
    CHECK(event_lines(r.host_events) ==
          V{"10 pc 9 bpf_setsockopt: socket 1 (cookie 4098, port 8080) SOL_SOCKET: SO_RCVBUF = 65536: sk_rcvbuf "
            "becomes 131072 (the kernel doubles the value, capped by net.core.rmem_max); returns 0"});
    CHECK(s->host().net.sockets[1].options == std::map<std::string, int32_t>{{"SO_RCVBUF", 131072}});
}

TEST_CASE("bpf_setsockopt and bpf_getsockopt refuse what filter.c refuses") {
    CHECK(sockopt(set_then_get(1, 3, int_value(1), 4)).set_r0 == -22);       // SO_TYPE: not allowed
    CHECK(sockopt(set_then_get(1, 36, int_value(1), 2)).set_r0 == -22);      // SO_MARK with optlen 2
    CHECK(sockopt(set_then_get(41, 67, int_value(1), 4)).set_r0 == -22);     // SOL_IPV6 on an IPv4 socket
    CHECK(sockopt(set_then_get(0, 2, int_value(1), 4)).set_r0 == -22);       // IP_TTL
    CHECK(sockopt(set_then_get(6, 4, int_value(0), 4)).set_r0 == -22);       // TCP_KEEPIDLE 0
    CHECK(sockopt(set_then_get(6, 2, int_value(40), 4)).set_r0 == -22);      // TCP_MAXSEG below 88
    CHECK(sockopt(set_then_get(6, 1003, int_value(500), 4)).set_r0 == -22);  // TCP_BPF_DELACK_MAX: 1 jiffy
    CHECK(sockopt(set_then_get(6, 28, int_value(1), 4)).set_r0 == -92);      // TCP_SAVED_SYN: -ENOPROTOOPT
    CHECK(sockopt(set_then_get(6, 13, text_value("cdg"), 4)).set_r0 == -524);  // -ENOTSUPP
    CHECK(sockopt(set_then_get(6, 13, text_value("bbr"), 4)).set_r0 == -2);    // not loaded: -ENOENT
    CHECK(sockopt(set_then_get(6, 13, text_value("r"), 1)).set_r0 == -22);
    CHECK(sockopt(set_then_get(1, 25, text_value("eth9"), 5)).set_r0 == -19);  // -ENODEV
    CHECK(sockopt(set_then_get(9, 1, int_value(1), 4)).set_r0 == -22);         // no such level
    CHECK(sockopt(set_then_get(1, 8, int_value(1), 4), 4, host_with(0, TcpState::NewSynRecv)).set_r0 == -22);
    Host stamping = host_with(0);
    stamping.net.sockets[1].options["SK_BPF_CB_FLAGS"] = 1;
    CHECK(sockopt(set_then_get(1, 8, int_value(1), 4), 17, stamping).set_r0 == -95);

    // getsockopt: -EINVAL with the buffer zeroed; TCP_BPF_SYN: no saved SYN.
    const std::string get = "r2 = -1\n*(u64 *)(r10 - 8) = r2\nr2 = 1\nr3 = 25\nr4 = r10\nr4 += -8\nr5 = 8\n"
                            "call bpf_getsockopt\nr7 = *(u64 *)(r10 - 8)\nexit\n";
    SockoptCase g = sockopt(get);
    CHECK(g.set_r0 == -22);
    CHECK(g.read_back == 0);
    std::string syn = get;
    syn.replace(syn.find("r2 = 1\nr3 = 25"), 14, "r2 = 6\nr3 = 1005");
    g = sockopt(syn);
    CHECK(g.set_r0 == -2);
    CHECK(g.read_back == 0);

    auto s = open_asm(set_then_get(6, 13, text_value("cdg"), 4), "sockops", host_with(0));
    CHECK(run_op(*s, 4).host_events.at(0).text ==
          "socket 1 (cookie 4098, port 8080) SOL_TCP: bpf_setsockopt may not select cdg; returns -ENOTSUPP");
}

TEST_CASE("bpf_load_hdr_opt finds an option of the segment's TCP header, by kind or kind and magic") {
    auto s = open_asm(load_opt(2, 8), "sockops", host_with(0x10));  // PARSE_ALL_HDR_OPT_CB_FLAG
    RunResult r = run_op(*s, 13, segment(kParsed));
    CHECK(r0_of(r) == 4);
    CHECK(event_lines(r.host_events) ==
          V{"9 pc 9 bpf_load_hdr_opt: option kind 2 at TCP header byte 20, 4 bytes: returns 4"});
    auto exp = open_asm(load_opt(0x9feb04fe, 8), "sockops", host_with(0x10));
    r = run_op(*exp, 13, segment(kParsed));
    CHECK(r0_of(r) == 6);
    CHECK(r.host_events.at(0).text == "option kind 254 magic eb9f at TCP header byte 24, 6 bytes: returns 6");
    auto runs = [](const std::string& prog, uint32_t op, uint32_t flags, std::vector<uint8_t> seg) {
        auto o = open_asm(prog, "sockops", host_with(flags));
        return r0_of(run_op(*o, op, std::move(seg)));
    };
    CHECK(runs(load_opt(0x9feb04fe, 4), 13, 0x10, segment(kParsed)) == -28);  // 6 bytes, len 4: -ENOSPC
    CHECK(runs(load_opt(8, 8), 13, 0x10, segment(kParsed)) == -42);           // no timestamps: -ENOMSG
    CHECK(runs(load_opt(0x9feb05fe, 8), 13, 0x10, segment(kParsed)) == -22);  // magic of 3 bytes
    CHECK(runs(load_opt(0x0402, 8), 13, 0x10, segment(kParsed)) == -22);      // kind-length of a regular kind
    CHECK(runs(load_opt(1, 8), 13, 0x10, segment(kParsed)) == -22);           // NOP
    CHECK(runs(load_opt(2, 1), 13, 0x10, segment(kParsed)) == -22);           // len below 2
    CHECK(runs(load_opt(2, 8, 2), 13, 0x10, segment(kParsed)) == -22);        // unknown flag
    CHECK(runs(load_opt(2, 8, 1), 13, 0x10, segment(kParsed)) == -2);         // BPF_LOAD_HDR_OPT_TCP_SYN
    CHECK(runs(load_opt(2, 8), 14, 0x40, {}) == -1);                          // HDR_OPT_LEN_CB: -EPERM
    CHECK(runs(load_opt(2, 8), 3, 0, {}) == -1);                              // no segment
    CHECK(runs(load_opt(2, 8), 13, 0x10, segment({2, 9, 0, 0})) == -14);      // a length past the header
}

TEST_CASE("bpf_reserve_hdr_opt reserves option space in HDR_OPT_LEN_CB only") {
    const std::string prog = "r6 = r1\nr2 = 6\nr3 = 0\ncall bpf_reserve_hdr_opt\nr7 = r0\nr1 = r6\nr2 = 35\nr3 = 0\n"
                             "call bpf_reserve_hdr_opt\nexit\n";
    auto s = open_asm(prog, "sockops", host_with(0x40));  // WRITE_HDR_OPT_CB_FLAG
    const RunResult r = run_op(*s, 14, segment({2, 4, 0x05, 0xb4}));
    CHECK(r0_of(r) == -28);  // 36 bytes left after the MSS option and 6 reserved: 35 > 30
    CHECK(event_lines(r.host_events) ==
          V{"4 pc 3 bpf_reserve_hdr_opt: 6 bytes reserved (6 in all; the header grows by 8, rounded up to 4), 30 "
            "left: returns 0",
            "9 pc 8 bpf_reserve_hdr_opt: 35 bytes asked, 30 bytes of TCP option space left: returns -ENOSPC"});
    CHECK(s->host().net.run.hdr_opt_used == 6);
    auto once = [](const std::string& p, uint32_t op, uint32_t flags) {
        auto o = open_asm(p, "sockops", host_with(flags));
        return r0_of(run_op(*o, op, op == 15 ? segment({0, 0, 0, 0}) : std::vector<uint8_t>{}));
    };
    CHECK(once("r2 = 1\nr3 = 0\ncall bpf_reserve_hdr_opt\nexit\n", 14, 0x40) == -22);
    CHECK(once("r2 = 4\nr3 = 1\ncall bpf_reserve_hdr_opt\nexit\n", 14, 0x40) == -22);
    CHECK(once("r2 = 4\nr3 = 0\ncall bpf_reserve_hdr_opt\nexit\n", 15, 0x40) == -1);
    CHECK(once("r2 = 4\nr3 = 0\ncall bpf_reserve_hdr_opt\nexit\n", 4, 0) == -1);
}

TEST_CASE("bpf_store_hdr_opt writes into the reserved space; the rest becomes NOPs") {
    // MSS, then the 8 bytes HDR_OPT_LEN_CB reserved (zeros).
    const std::vector<uint8_t> seg = segment({2, 4, 0x05, 0xb4, 0, 0, 0, 0, 0, 0, 0, 0});
    auto s = open_asm(store_opt(0x02019feb06fe, 8), "sockops", host_with(0x40));
    const RunResult r = run_op(*s, 15, seg);
    CHECK(r0_of(r) == 0);
    CHECK(event_lines(r.host_events) ==
          V{"9 pc 9 bpf_store_hdr_opt: option kind 254 magic eb9f (6 bytes: fe06eb9f0102) written at TCP header byte "
            "24, 2 reserved bytes left: returns 0"});
    std::vector<uint8_t> want = segment({2, 4, 0x05, 0xb4, 254, 6, 0xeb, 0x9f, 1, 2, 1, 1});
    CHECK(hex_bytes(r.packet_out) == hex_bytes(want));

    const std::string store_twice = "r6 = r1\nr2 = 0x02019feb06fe ll\n*(u64 *)(r10 - 8) = r2\n"
                                    "r1 = r6\nr2 = r10\nr2 += -8\nr3 = 8\nr4 = 0\ncall bpf_store_hdr_opt\n"
                                    "r1 = r6\nr2 = r10\nr2 += -8\nr3 = 8\nr4 = 0\ncall bpf_store_hdr_opt\nexit\n";
    auto twice = open_asm(store_twice, "sockops", host_with(0x40));
    CHECK(r0_of(run_op(*twice, 15, seg)) == -28);  // 2 bytes left: -ENOSPC comes first
    const std::vector<uint8_t> roomy = segment({2, 4, 0x05, 0xb4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    CHECK(r0_of(run_op(*twice, 15, roomy)) == -17);  // the same kind and magic: -EEXIST
    auto stores = [&](uint64_t option, int len, int flags, uint32_t op = 15) {
        auto o = open_asm(store_opt(option, len, flags), "sockops", host_with(op == 15 ? 0x40 : 0x10));
        return r0_of(run_op(*o, op, seg));
    };
    CHECK(stores(0xb4050402, 4, 0) == -17);            // MSS is there already
    auto small = open_asm(store_opt(0x0608, 8), "sockops", host_with(0x40));
    CHECK(r0_of(run_op(*small, 15, segment({2, 4, 0x05, 0xb4, 0, 0, 0, 0}))) == -28);  // 6 bytes, 4 reserved
    CHECK(stores(0x0201, 8, 0) == -22);                // NOP
    CHECK(stores(0x9f03fe, 8, 0) == -22);              // experimental kind without its magic
    CHECK(stores(0x0908, 8, 0) == -22);                // kind length 9, len 8
    CHECK(stores(0x0208, 8, 1) == -22);                // flags
    CHECK(stores(0x0208, 8, 0, 13) == -1);             // PARSE_HDR_OPT_CB: -EPERM
    // The kernel's options end with EOL before the reserved space: nothing more can be written.
    auto eol = open_asm(store_opt(0x0208, 8), "sockops", host_with(0x40));
    CHECK(r0_of(run_op(*eol, 15, segment({0, 1, 1, 1, 0, 0, 0, 0}))) == -28);
}

TEST_CASE("stepping back over bpf_sock_ops_cb_flags_set and bpf_setsockopt restores the socket") {
    auto s = open_asm("r6 = r1\nr2 = 0x40\ncall bpf_sock_ops_cb_flags_set\n" +
                          set_then_get(1, 36, int_value(7), 4).substr(std::string("r6 = r1\n").size()),
                      "sockops", host_with(0x1));
    RunInput in;
    in.ctx = ops_ctx(4);
    auto started = s->start("asm", in);
    REQUIRE(started.ok());
    Vm& vm = *started.value()->vm;
    Journal journal;
    vm.set_recording(&journal, nullptr);
    REQUIRE(vm.run() == RunStatus::Exited);
    const HostSocket& sock = s->host().net.sockets[1];
    CHECK(sock.sock_ops_cb_flags == 0x40);
    CHECK(sock.mark == 7);
    CHECK(started.value()->ctx->get_u32(sock_ops::kCbFlags) == 0x40);
    while (vm.undo_step()) {
    }
    CHECK(sock.sock_ops_cb_flags == 0x1);
    CHECK(sock.mark == 0);
    CHECK(started.value()->ctx->get_u32(sock_ops::kCbFlags) == 0x1);
    REQUIRE(vm.run() == RunStatus::Exited);  // forward again: the same end
    CHECK(sock.sock_ops_cb_flags == 0x40);
    CHECK(sock.mark == 7);
}

// examples/sockops_hdr_opt.c (BPF_PROG_TEST_RUN cannot run sock_ops programs: no kernel case;
// the results are asserted here). One session, so the socket keeps what each callback set.
TEST_CASE("sockops_hdr_opt example: TCP_NODELAY and the header callbacks, a 6-byte option reserved, written, read") {
    std::ifstream f(std::string(BPFPLAY_SOURCE_DIR) + "/public/examples/sockops_hdr_opt.o", std::ios::binary);
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(f), {}};
    REQUIRE_FALSE(bytes.empty());
    auto opened = ObjectSession::open(bytes, "sockops_hdr_opt.o");
    REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? std::string() : opened.error().to_string()));
    ObjectSession& s = *opened.value();
    auto run = [&](uint32_t op, std::vector<uint8_t> seg = {}) {
        RunInput in;
        in.ctx = ops_ctx(op);
        in.packet = std::move(seg);
        return s.run("tag_connection", in);
    };
    // Before the established callback the socket has no header callbacks.
    CHECK(run(14).error->what.find("BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG") != std::string::npos);

    RunResult r = run(4);  // BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB
    CHECK(r0_of(r) == 1);
    CHECK(event_lines(r.host_events) ==
          V{"28 pc 72 bpf_setsockopt: socket 1 (cookie 4098, port 8080) SOL_TCP: TCP_NODELAY = 1; returns 0",
            "32 pc 76 bpf_sock_ops_cb_flags_set: socket 1 (cookie 4098, port 8080)'s bpf_sock_ops_cb_flags go from "
            "0x0 to 0x50: the callbacks that follow are chosen by them; returns 0"});
    const HostSocket& sock = s.host().net.sockets[1];
    CHECK(sock.sock_ops_cb_flags == 0x50);
    CHECK(sock.options == std::map<std::string, int32_t>{{"TCP_NODELAY", 1}});

    r = run(14);  // BPF_SOCK_OPS_HDR_OPT_LEN_CB
    CHECK(r0_of(r) == 1);
    CHECK(event_lines(r.host_events) ==
          V{"23 pc 81 bpf_reserve_hdr_opt: 6 bytes reserved (6 in all; the header grows by 8, rounded up to 4), 34 "
            "left: returns 0"});

    r = run(15, segment({2, 4, 0x05, 0xb4, 0, 0, 0, 0, 0, 0, 0, 0}));  // the 8 bytes reserved
    CHECK(r0_of(r) == 1);
    CHECK(event_lines(r.host_events) ==
          V{"26 pc 64 bpf_store_hdr_opt: option kind 254 magic eb9f (6 bytes: fe06eb9f0102) written at TCP header "
            "byte 24, 2 reserved bytes left: returns 0"});
    CHECK(hex_bytes(r.packet_out) == hex_bytes(segment({2, 4, 0x05, 0xb4, 254, 6, 0xeb, 0x9f, 1, 2, 1, 1})));

    r = run(13, segment(kParsed));  // the peer's segment carries tag 01 02
    CHECK(r0_of(r) == 1);
    CHECK(event_lines(r.host_events) ==
          V{"41 pc 41 bpf_load_hdr_opt: option kind 254 magic eb9f at TCP header byte 24, 6 bytes: returns 6",
            "54 pc 54 bpf_setsockopt: socket 1 (cookie 4098, port 8080) SOL_SOCKET: SO_MARK = 258: the socket's "
            "packets carry mark 0x102; returns 0"});
    CHECK(sock.mark == 0x102);
}

TEST_CASE("host JSON keeps a socket's sock_ops cb flags, options and congestion control") {
    Host h = host_with(0x41);
    h.net.sockets[1].options = {{"SO_RCVBUF", 131072}, {"TCP_NODELAY", 1}};
    h.net.sockets[1].congestion = "reno";
    const std::string text = host_json(h);
    CHECK(text.find("\"sock_ops_cb_flags\": 65, \"options\": {\"SO_RCVBUF\": 131072, \"TCP_NODELAY\": 1}, "
                    "\"congestion\": \"reno\"") != std::string::npos);
    Host back;
    REQUIRE(apply_host_json(back, text).ok());
    CHECK(back.net.sockets == h.net.sockets);
    std::string bad = text;
    bad.replace(bad.find("TCP_NODELAY"), 11, "TCP_NOPE");
    const Result<Unit> refused = apply_host_json(back, bad);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().what ==
          "host JSON: sockets[1].options.TCP_NOPE: not a socket option bpf_setsockopt sets (SO_RCVBUF, TCP_NODELAY, "
          "IP_TOS, ...)");
}
