// The skb's tunnel, IPsec and timestamp helpers (core/run/tunnel_helpers.cpp) against what the
// 6.18 kernel's test run gave for the same calls (a tc probe program run by tests/kernel/
// kernel_run): a test run's skb has no metadata dst, so the kernel's answers are the reference for
// "no tunnel metadata", for bpf_skb_set_tunnel_key followed by bpf_skb_get_tunnel_key (whose
// remote address is the outer source: the local address just set), and for the error codes.
// Received tunnel metadata and security paths come from the host JSON.
#include <doctest/doctest.h>

#include <cstring>
#include <tuple>

#include "core/context/contexts.hpp"
#include "core/host/host.hpp"
#include "core/host/host_json.hpp"
#include "run/packet_test_util.hpp"

namespace bpfplay::testing {

namespace {

constexpr int64_t kEinval = -22, kEnoent = -2, kEnomem = -12, kEproto = -71, kEopnotsupp = -95;

// 64 bytes: Ethernet, IPv4 10.0.0.1 -> 10.0.0.2 UDP 4000 -> 53, zero payload.
std::vector<uint8_t> frame(uint16_t ethertype = 0x0800) {
    std::vector<uint8_t> b = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, uint8_t(ethertype >> 8), uint8_t(ethertype),
                              0x45, 0, 0, 0x32, 0, 1, 0, 0, 0x40, 0x11, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
                              0x0f, 0xa0, 0, 0x35, 0, 0x1e, 0, 0};
    b.resize(64);
    return b;
}

std::vector<uint8_t> unhex(const std::string& text) {
    std::vector<uint8_t> out;
    for (size_t i = 0; i + 1 < text.size(); i += 2) out.push_back(uint8_t(std::stoul(text.substr(i, 2), nullptr, 16)));
    return out;
}

std::string tohex(const std::vector<uint8_t>& v, size_t from, size_t n) {
    static const char kHex[] = "0123456789abcdef";
    std::string s;
    for (size_t i = from; i < from + n && i < v.size(); ++i) s += {kHex[v[i] >> 4], kHex[v[i] & 15]};
    return s;
}

struct TunnelRun {
    int64_t r0 = 0;
    std::string buf;  // the 48 bytes at r10 - 48 after the run (filled with 0xaa before), hex
    RunResult result;
    std::vector<std::string> events;  // "helper: text"
};

// Runs `body` in a tc program on `host_json`'s host: the stack's 48 bytes at r10 - 48 start as
// 0xaa, r6 holds the context; r0 of the body is the result, and the 48 bytes are copied into
// the packet (bpf_skb_store_bytes) to be read back.
TunnelRun run_tc(const std::string& body, const std::string& host_json = "{}", std::vector<uint8_t> packet = frame()) {
    const std::string text = R"(
        r6 = r1
        r8 = 0xaaaaaaaaaaaaaaaa ll
        *(u64 *)(r10 - 48) = r8
        *(u64 *)(r10 - 40) = r8
        *(u64 *)(r10 - 32) = r8
        *(u64 *)(r10 - 24) = r8
        *(u64 *)(r10 - 16) = r8
        *(u64 *)(r10 - 8) = r8
    )" + body + R"(
        r7 = r0
        r1 = r6
        r2 = 0
        r3 = r10
        r3 += -48
        r4 = 48
        r5 = 0
        call bpf_skb_store_bytes
        r0 = r7
        exit
    )";
    auto s = ObjectSession::open_assembly(text, "tc");
    REQUIRE_MESSAGE(s.ok(), (s.ok() ? std::string() : s.error().to_string()));
    auto applied = apply_host_json(s.value()->host(), host_json);
    REQUIRE_MESSAGE(applied.ok(), (applied.ok() ? std::string() : applied.error().to_string()));
    RunInput in;
    in.packet = std::move(packet);
    TunnelRun r;
    r.result = s.value()->run("asm", in);
    REQUIRE_MESSAGE(r.result.status == RunStatus::Exited,
                    (r.result.error ? r.result.error->to_string() : std::string("not exited")));
    r.r0 = int64_t(r.result.r0);
    r.buf = tohex(r.result.packet_out, 0, 48);
    for (const HostEvent& e : s.value()->host().events) r.events.push_back(e.helper + ": " + e.text);
    return r;
}

// r0 = helper(ctx, r10 - 48, size, flags).
std::string call_buf(const char* helper, uint32_t size, uint64_t flags = 0) {
    return "r1 = r6\nr2 = r10\nr2 += -48\nr3 = " + std::to_string(size) + "\nr4 = " + std::to_string(flags) +
           " ll\ncall " + helper + "\n";
}

// Stores `bytes` at r10 - 48 onwards (then a call_buf hands them to a helper).
std::string fill(const std::string& hex) {
    std::string out;
    const std::vector<uint8_t> b = unhex(hex);
    for (size_t i = 0; i < b.size(); ++i)
        out += "*(u8 *)(r10 - " + std::to_string(48 - i) + ") = " + std::to_string(b[i]) + "\n";
    return out;
}

const std::string kAa = "aaaaaaaa";
std::string aa(size_t bytes) {
    std::string s;
    for (size_t i = 0; i < bytes; ++i) s += "aa";
    return s;
}

// A packet that came through a collect_md GRE device: key 42 from 192.0.2.1 to 10.0.0.2.
const char* kRxGre = R"({"rx_tunnel": {"id": 42, "remote": "192.0.2.1", "local": "10.0.0.2", "tos": 4, "ttl": 63,
                         "flags": 5}})";
// A geneve packet over IPv6 with one 8-byte option, flow label 0x12345.
const char* kRxGeneve6 = R"({"rx_tunnel": {"id": 4660, "remote": "2001:db8::1", "local": "2001:db8::2", "ttl": 64,
                             "label": 74565, "flags": 2052, "options": "0102030405060708"}})";

// struct bpf_tunnel_key { tunnel_id 42, remote_ipv4 0xc0000201, tos 3, ttl 64, local_ipv4 0x0a000002 }.
const std::string kKey42 = "2a000000" "010200c0" + std::string(24, '0') + "0340" "0000" "00000000" "0200000a" +
                           std::string(24, '0');

}  // namespace

TEST_CASE("bpf_skb_get_tunnel_key and _opt on a test run's skb: no metadata, the buffer zeroed (as the kernel)") {
    TunnelRun r = run_tc(call_buf("bpf_skb_get_tunnel_key", 44));
    CHECK(r.r0 == kEinval);
    CHECK(r.buf == std::string(88, '0') + kAa);
    REQUIRE(r.events.size() == 2);
    CHECK(r.events[0] ==
          "bpf_skb_get_tunnel_key: the packet carries no tunnel metadata (it did not arrive through a collect_md "
          "tunnel device: the host's \"rx_tunnel\" is null): the key is zeroed and it returns -EINVAL");
    r = run_tc(call_buf("bpf_skb_get_tunnel_opt", 8));
    CHECK(r.r0 == kEnoent);
    CHECK(r.buf == std::string(16, '0') + aa(40));
    CHECK(r.events[0] == "bpf_skb_get_tunnel_opt: the packet carries no tunnel metadata: returns -ENOENT");
    // bpf_skb_set_tunnel_opt needs the program's own metadata (the kernel's md_dst).
    r = run_tc(call_buf("bpf_skb_set_tunnel_opt", 8));
    CHECK(r.r0 == kEinval);
}

TEST_CASE("bpf_skb_get_tunnel_key: a packet received through a collect_md tunnel (host rx_tunnel)") {
    // remote_ipv4 0xc0000201 and local_ipv4 0x0a000002 in host order; tunnel_ext 0.
    const std::string full = "2a000000" "010200c0" + std::string(24, '0') + "043f" "0000" "00000000" "0200000a" +
                             std::string(24, '0');
    TunnelRun r = run_tc(call_buf("bpf_skb_get_tunnel_key", 44), kRxGre);
    CHECK(r.r0 == 0);
    CHECK(r.buf == full + kAa);
    CHECK(r.events.size() == 1);  // only the exit
    // BPF_F_TUNINFO_FLAGS: tunnel_flags is the __be16 TUNNEL_KEY | TUNNEL_CSUM.
    r = run_tc(call_buf("bpf_skb_get_tunnel_key", 44, 16), kRxGre);
    CHECK(r.r0 == 0);
    CHECK(r.buf.substr(40, 8) == "043f0005");
    // The older layouts: only that many bytes are written.
    for (uint32_t size : {8u, 22u, 24u, 28u}) {
        CAPTURE(size);
        r = run_tc(call_buf("bpf_skb_get_tunnel_key", size), kRxGre);
        CHECK(r.r0 == 0);
        CHECK(r.buf == full.substr(0, 2 * size) + aa(48 - size));
    }
    // Any other size, or an unknown flag: -EINVAL, the buffer zeroed.
    r = run_tc(call_buf("bpf_skb_get_tunnel_key", 20), kRxGre);
    CHECK(r.r0 == kEinval);
    CHECK(r.buf == std::string(40, '0') + aa(28));
    CHECK(r.events[0] ==
          "bpf_skb_get_tunnel_key: size 20 is not sizeof(struct bpf_tunnel_key) (44) nor one of its older layouts "
          "(8, 22, 24, 28): the key is zeroed and it returns -EINVAL");
    r = run_tc(call_buf("bpf_skb_get_tunnel_key", 44, 2), kRxGre);
    CHECK(r.r0 == kEinval);
    // An IPv4 tunnel asked for as IPv6: -EPROTO.
    r = run_tc(call_buf("bpf_skb_get_tunnel_key", 44, 1), kRxGre);
    CHECK(r.r0 == kEproto);
    CHECK(r.buf == std::string(88, '0') + kAa);
    CHECK(r.events[0] ==
          "bpf_skb_get_tunnel_key: the tunnel is IPv4 but the flags ask for IPv6: the key is zeroed and it returns "
          "-EPROTO");
}

TEST_CASE("bpf_skb_get_tunnel_key and _opt: an IPv6 geneve packet with options") {
    TunnelRun r = run_tc(call_buf("bpf_skb_get_tunnel_key", 44, 1 | 16), kRxGeneve6);
    CHECK(r.r0 == 0);
    CHECK(r.buf == "34120000" "20010db8000000000000000000000001" "0040" "0804" "45230100"
                   "20010db8000000000000000000000002" + kAa);
    CHECK(run_tc(call_buf("bpf_skb_get_tunnel_key", 44, 0), kRxGeneve6).r0 == kEproto);
    CHECK(run_tc(call_buf("bpf_skb_get_tunnel_key", 8, 1), kRxGeneve6).r0 == kEinval);  // IPv4 only
    r = run_tc(call_buf("bpf_skb_get_tunnel_opt", 12), kRxGeneve6);
    CHECK(r.r0 == 8);
    CHECK(r.buf == "010203040506070800000000" + aa(36));
    r = run_tc(call_buf("bpf_skb_get_tunnel_opt", 4), kRxGeneve6);
    CHECK(r.r0 == kEnomem);
    CHECK(r.buf == "00000000" + aa(44));
    CHECK(r.events[0] == "bpf_skb_get_tunnel_opt: the tunnel has 8 bytes of options, more than the 4 given: returns -ENOMEM");
    // Metadata without a TUNNEL_*_OPT flag has no options.
    r = run_tc(call_buf("bpf_skb_get_tunnel_opt", 8), kRxGre);
    CHECK(r.r0 == kEnoent);
}

TEST_CASE("bpf_skb_set_tunnel_key then bpf_skb_get_tunnel_key: the kernel's bytes, remote and local swapped") {
    // Set with BPF_F_SEQ_NUMBER | BPF_F_DONT_FRAGMENT | BPF_F_NO_TUNNEL_KEY; read back with
    // BPF_F_TUNINFO_FLAGS: TUNNEL_CSUM | TUNNEL_SEQ | TUNNEL_DONT_FRAGMENT | TUNNEL_NOCACHE (0x2109).
    const std::string set = fill(kKey42) + call_buf("bpf_skb_set_tunnel_key", 44, 8 | 4 | 16) + "r9 = r0\n";
    TunnelRun r = run_tc(set + call_buf("bpf_skb_get_tunnel_key", 44, 16) + "r0 <<= 8\nr0 |= r9\n");
    CHECK(r.r0 == 0);
    CHECK(r.buf == "2a000000" "0200000a" + std::string(24, '0') + "0340" "2109" "00000000" "010200c0" +
                       std::string(24, '0') + kAa);
    REQUIRE(r.events.size() == 3);
    CHECK(r.events[0] ==
          "bpf_skb_set_tunnel_key: the skb now carries tunnel metadata for sending (key 42 from 10.0.0.2 to "
          "192.0.2.1, tos 3, ttl 64, flags TUNNEL_CSUM | TUNNEL_SEQ | TUNNEL_DONT_FRAGMENT | TUNNEL_NOCACHE): a "
          "collect_md tunnel device (gre, vxlan, geneve in external mode) the packet is sent to encapsulates it with "
          "these outer headers");
    CHECK(r.events[2] ==
          "exit: the packet carries tunnel metadata for sending (key 42 from 10.0.0.2 to 192.0.2.1, tos 3, ttl 64, "
          "flags TUNNEL_CSUM | TUNNEL_SEQ | TUNNEL_DONT_FRAGMENT | TUNNEL_NOCACHE): a collect_md tunnel device (gre, "
          "vxlan, geneve in external mode) it goes out of encapsulates it with these outer headers; other devices "
          "ignore them");
    // The set metadata replaces what the packet arrived with; -EPROTO for the other family.
    CHECK(run_tc(set + call_buf("bpf_skb_get_tunnel_key", 44, 1), kRxGeneve6).r0 == kEproto);
    // Then a get of the oldest layout (IPv4 only) works.
    CHECK(run_tc(set + call_buf("bpf_skb_get_tunnel_key", 8)).buf == "2a0000000200000a" + kKey42.substr(16) + kAa);
}

TEST_CASE("bpf_skb_set_tunnel_key over IPv6: BPF_F_ZERO_CSUM_TX, the flow label masked to 20 bits") {
    // tunnel_id 0x1234567, remote 20b80d00..00000001 as words, ttl 9, label 0xfff12345, local ..02.
    const std::string key6 = "67452301" "20b80d00000000000000000000000001" "0009" "0000" "4523f1ff"
                             "20b80d00000000000000000000000002";
    const std::string set = fill(key6) + call_buf("bpf_skb_set_tunnel_key", 44, 1 | 2) + "r9 = r0\n";
    TunnelRun r = run_tc(set + call_buf("bpf_skb_get_tunnel_key", 44, 1 | 16) + "r0 |= r9\n");
    CHECK(r.r0 == 0);
    CHECK(r.buf == "67452301" "20b80d00000000000000000000000002" "0009" "2004" "45230100"
                   "20b80d00000000000000000000000001" + kAa);
    CHECK(run_tc(set + call_buf("bpf_skb_get_tunnel_key", 8, 1)).r0 == kEinval);
    CHECK(run_tc(set + call_buf("bpf_skb_get_tunnel_key", 44, 0)).r0 == kEproto);
}

TEST_CASE("bpf_skb_set_tunnel_key refuses unknown flags, a label without IPv6, tunnel_ext and odd sizes") {
    TunnelRun r = run_tc(fill(kKey42) + call_buf("bpf_skb_set_tunnel_key", 44, 32));
    CHECK(r.r0 == kEinval);
    CHECK(r.events[0] ==
          "bpf_skb_set_tunnel_key: flags 0x20 has bits other than BPF_F_TUNINFO_IPV6, BPF_F_ZERO_CSUM_TX, "
          "BPF_F_DONT_FRAGMENT, BPF_F_SEQ_NUMBER and BPF_F_NO_TUNNEL_KEY: returns -EINVAL");
    r = run_tc(fill(kKey42) + "*(u32 *)(r10 - 24) = 5\n" + call_buf("bpf_skb_set_tunnel_key", 44));
    CHECK(r.r0 == kEinval);
    CHECK(r.events[0] ==
          "bpf_skb_set_tunnel_key: tunnel_label 0x5 is set but the tunnel is IPv4 (no BPF_F_TUNINFO_IPV6): returns "
          "-EINVAL");
    r = run_tc(fill(kKey42) + "*(u16 *)(r10 - 26) = 1\n" + call_buf("bpf_skb_set_tunnel_key", 44, 1));
    CHECK(r.r0 == kEinval);
    CHECK(r.events[0] == "bpf_skb_set_tunnel_key: tunnel_ext (tunnel_flags) is not 0: returns -EINVAL");
    r = run_tc(fill(kKey42) + call_buf("bpf_skb_set_tunnel_key", 20));
    CHECK(r.r0 == kEinval);
    CHECK(r.events.size() == 2);  // the refusal and the exit: no metadata attached
    // An old layout (size 24: no local address) is taken, the rest read as zero.
    r = run_tc(fill(kKey42) + call_buf("bpf_skb_set_tunnel_key", 24) + "r9 = r0\n" +
               call_buf("bpf_skb_get_tunnel_key", 44) + "r0 |= r9\n");
    CHECK(r.r0 == 0);
    CHECK(r.buf.substr(0, 16) == "2a00000000000000");  // the remote (outer source) is 0.0.0.0
}

TEST_CASE("bpf_skb_set_tunnel_opt: multiples of 4 up to 252 bytes, on the program's own metadata") {
    const std::string set = fill(kKey42) + call_buf("bpf_skb_set_tunnel_key", 44) + "r9 = r0\n";
    const std::string opt = fill("0102030405060708090a0b0c");
    TunnelRun r = run_tc(set + opt + call_buf("bpf_skb_set_tunnel_opt", 6));
    CHECK(r.r0 == kEinval);
    CHECK(r.events[1] == "bpf_skb_set_tunnel_opt: size 6 is not a multiple of 4: returns -EINVAL");
    // 12 bytes; read back into 16 (the rest zeroed), and into 8 (-ENOMEM).
    r = run_tc(set + opt + call_buf("bpf_skb_set_tunnel_opt", 12) + "r9 |= r0\n" +
               call_buf("bpf_skb_get_tunnel_opt", 16));
    CHECK(r.r0 == 12);
    CHECK(r.buf == "0102030405060708090a0b0c00000000" + kKey42.substr(32) + kAa);
    CHECK(r.events[1] == "bpf_skb_set_tunnel_opt: the skb's tunnel metadata now carries 12 bytes of options");
    r = run_tc(set + opt + call_buf("bpf_skb_set_tunnel_opt", 12) + call_buf("bpf_skb_get_tunnel_opt", 8));
    CHECK(r.r0 == kEnomem);
    // Every TUNNEL_*_OPT flag is set (the device takes its own kind): __be16 0xd800 more.
    r = run_tc(set + opt + call_buf("bpf_skb_set_tunnel_opt", 4) + call_buf("bpf_skb_get_tunnel_key", 44, 16));
    CHECK(r.r0 == 0);
    CHECK(r.buf.substr(40, 8) == "0340f805");
    r = run_tc(set + call_buf("bpf_skb_set_tunnel_opt", 4) + "r1 = r6\nr2 = r10\nr2 += -48\nr3 = 256\n"
               "r2 += -208\ncall bpf_skb_set_tunnel_opt\n");
    CHECK(r.r0 == kEnomem);
    CHECK(r.events[2] ==
          "bpf_skb_set_tunnel_opt: size 256 is more than the 255 bytes of options a tunnel holds: returns -ENOMEM");
}

TEST_CASE("bpf_skb_get_xfrm_state: the packet's security path from the host") {
    const std::string call = "r1 = r6\nr2 = 1\nr3 = r10\nr3 += -48\nr4 = 28\nr5 = 0\ncall bpf_skb_get_xfrm_state\n";
    TunnelRun r = run_tc(call);
    CHECK(r.r0 == kEinval);
    CHECK(r.buf == std::string(56, '0') + aa(20));
    CHECK(r.events[0] ==
          "bpf_skb_get_xfrm_state: the packet has no IPsec security path (the host's \"rx_sec_path\" is empty): "
          "the state is zeroed and it returns -EINVAL");
    const char* host = R"({"rx_sec_path": [{"reqid": 7, "spi": 256, "remote": "192.0.2.1"},
                                           {"reqid": 9, "spi": 4096, "remote": "2001:db8::1"}]})";
    r = run_tc(call, host);
    CHECK(r.r0 == 0);
    // reqid 9, spi as __be32, family AF_INET6 (10), ext 0, the address.
    CHECK(r.buf == "09000000" "00001000" "0a00" "0000" "20010db8000000000000000000000001" + aa(20));
    r = run_tc("r1 = r6\nr2 = 0\nr3 = r10\nr3 += -48\nr4 = 28\nr5 = 0\ncall bpf_skb_get_xfrm_state\n", host);
    CHECK(r.buf == "07000000" "00000100" "0200" "0000" "c0000201000000000000000000000000" + aa(20));
    r = run_tc("r1 = r6\nr2 = 2\nr3 = r10\nr3 += -48\nr4 = 28\nr5 = 0\ncall bpf_skb_get_xfrm_state\n", host);
    CHECK(r.r0 == kEinval);
    CHECK(r.events[0] ==
          "bpf_skb_get_xfrm_state: index 2 is past the security path's 2 state(s): the state is zeroed and it "
          "returns -EINVAL");
    CHECK(run_tc("r1 = r6\nr2 = 0\nr3 = r10\nr3 += -48\nr4 = 24\nr5 = 0\ncall bpf_skb_get_xfrm_state\n", host).r0 ==
          kEinval);
    CHECK(run_tc("r1 = r6\nr2 = 0\nr3 = r10\nr3 += -48\nr4 = 28\nr5 = 1\ncall bpf_skb_get_xfrm_state\n", host).r0 ==
          kEinval);
}

TEST_CASE("bpf_skb_set_tstamp: REALTIME, MONOTONIC and TAI into __sk_buff tstamp and tstamp_type (6.18)") {
    auto set = [](uint64_t tstamp, uint32_t type) {
        return "r1 = r6\nr2 = " + std::to_string(tstamp) + " ll\nr3 = " + std::to_string(type) +
               "\ncall bpf_skb_set_tstamp\nr9 |= r0\n";
    };
    auto tstamp = [](const RunResult& res) {
        uint64_t t;
        std::memcpy(&t, res.ctx_out.data() + sk_buff::kTstamp, 8);
        return std::pair{t, res.ctx_out[sk_buff::kTstampType]};
    };
    // The kernel's answers to the same sequence: 0 without a time is -EINVAL for MONOTONIC, as is
    // an unknown type; REALTIME takes any.
    TunnelRun r = run_tc("r9 = 0\n" + set(0, 1) + "r0 = r9\n");
    CHECK(r.r0 == kEinval);
    CHECK(run_tc("r9 = 0\n" + set(5, 3) + "r0 = r9\n").r0 == kEinval);
    CHECK(run_tc("r9 = 0\n" + set(0, 2) + "r0 = r9\n").r0 == kEinval);
    r = run_tc("r9 = 0\n" + set(1000, 0) + "r0 = r9\n");
    CHECK(r.r0 == 0);
    CHECK(tstamp(r.result) == std::pair<uint64_t, uint8_t>{1000, 0});
    r = run_tc("r9 = 0\n" + set(2000, 2) + "r0 = r9\n");
    CHECK(tstamp(r.result) == std::pair<uint64_t, uint8_t>{2000, 2});
    r = run_tc("r9 = 0\n" + set(2000, 2) + set(3000, 1) + "r0 = r9\n");
    CHECK(r.r0 == 0);
    CHECK(tstamp(r.result) == std::pair<uint64_t, uint8_t>{3000, 1});
    // Only IPv4 and IPv6 packets: the kernel clears delivery times for inet protocols only.
    r = run_tc("r9 = 0\n" + set(1000, 0) + "r0 = r9\n", "{}", frame(0x0806));
    CHECK(r.r0 == kEopnotsupp);
    CHECK(tstamp(r.result) == std::pair<uint64_t, uint8_t>{0, 0});
}

TEST_CASE("host JSON: rx_tunnel and rx_sec_path are read, written back, and checked") {
    Host h;
    REQUIRE(apply_host_json(h, kRxGeneve6).ok());
    REQUIRE(apply_host_json(h, R"({"rx_sec_path": [{"reqid": 9, "spi": 4096, "remote": "2001:db8::1"}]})").ok());
    const std::string json = host_json(h);
    CHECK(json.find(R"("rx_tunnel": {"id": 4660, "remote": "2001:db8::1", "local": "2001:db8::2", "tos": 0, "ttl": 64, "label": 74565, "flags": 2052, "options": "0102030405060708"})") != std::string::npos);
    Host back;
    REQUIRE(apply_host_json(back, json).ok());
    CHECK(back.net.rx_tunnel == h.net.rx_tunnel);
    CHECK(back.net.rx_sec_path == h.net.rx_sec_path);
    REQUIRE(apply_host_json(back, R"({"rx_tunnel": null})").ok());
    CHECK(!back.net.rx_tunnel);
    auto error = [](const char* text) {
        Host x;
        auto r = apply_host_json(x, text);
        return r.ok() ? std::string("ok") : r.error().what;
    };
    CHECK(error(R"({"rx_tunnel": {"remote": "192.0.2.1", "local": "fd00::2"}})") ==
          "host JSON: rx_tunnel.local: remote and local must both be IPv4 or both IPv6");
    CHECK(error(R"({"rx_tunnel": {"remote": "192.0.2.1", "local": "10.0.0.2", "options": "0102"}})") ==
          "host JSON: rx_tunnel.flags: options need their kind among the flags: TUNNEL_GENEVE_OPT 0x800, "
          "TUNNEL_VXLAN_OPT 0x1000, TUNNEL_ERSPAN_OPT 0x4000 or TUNNEL_GTP_OPT 0x8000");
    CHECK(error(R"({"rx_tunnel": {"local": "10.0.0.2"}})") ==
          "host JSON: rx_tunnel: missing \"remote\" (an IPv4 or IPv6 address)");
    CHECK(error(R"({"rx_sec_path": [{"spi": 1}]})") ==
          "host JSON: rx_sec_path[0]: missing \"remote\" (an IPv4 or IPv6 address)");
}

}  // namespace bpfplay::testing

namespace bpfplay::testing {

namespace {

// An lwt_in program pushing `hdr` (hex) with bpf_lwt_push_encap(skb, mode, hdr, len); r0 is the
// helper's answer, then len and protocol in cb[0], cb[1].
PacketRun push_encap(const std::string& hdr, uint32_t mode, uint32_t len) {
    std::string text = "r6 = r1\n";
    const std::vector<uint8_t> b = unhex(hdr);
    for (size_t i = 0; i < 48; ++i)
        text += "*(u8 *)(r10 - " + std::to_string(48 - i) + ") = " + std::to_string(i < b.size() ? b[i] : 0) + "\n";
    text += "r1 = r6\nr2 = " + std::to_string(mode) + "\nr3 = r10\nr3 += -48\nr4 = " + std::to_string(len) +
            "\ncall bpf_lwt_push_encap\nr7 = r0\n"
            "r1 = *(u32 *)(r6 + 0)\n*(u32 *)(r6 + 48) = r1\nr1 = *(u32 *)(r6 + 16)\n*(u32 *)(r6 + 52) = r1\n"
            "r0 = r7\nexit\n";
    std::vector<uint8_t> packet = frame();
    packet.resize(64);
    return run_packet_asm(text, packet, "lwt_in");
}

uint32_t cb(const PacketRun& r, uint32_t k) { return load_le<uint32_t>(&r.ctx[sk_buff::kCb + 4 * k]); }

}  // namespace

TEST_CASE("bpf_lwt_push_encap BPF_LWT_ENCAP_IP: the outer header pushed, its checksum filled (as lwt_in in 6.18)") {
    // IPv4 192.0.2.1 -> 192.0.2.2, protocol 4 (IP in IP), total length 70, checksum 0.
    const std::string outer = "45000046000040004004" "0000" "c0000201" "c0000202";
    PacketRun r = push_encap(outer, 2, 20);
    CHECK(r.r0 == 0);
    CHECK(cb(r, 0) == 70u);
    CHECK(cb(r, 1) == 0x0008u);
    // The test run's packet out starts with the 14 bytes before the network header (zeros, as
    // the kernel's); then the outer header with the kernel's checksum, 0xb6b0, and the packet.
    const std::vector<uint8_t> in = frame();
    CHECK(r.out.size() == 84u);
    CHECK(tohex(r.out, 0, 14) == std::string(28, '0'));
    CHECK(tohex(r.out, 14, 20) == "45000046000040004004" "b6b0" "c0000201" "c0000202");
    CHECK(tohex(r.out, 34, 50) == tohex(in, 14, 50));
    REQUIRE(r.result.host_events.size() >= 1);
    CHECK(r.result.host_events[0].text ==
          "an outer IPv4 header of 20 bytes is pushed in front of the packet (70 bytes now)");
    // The kernel's -EINVAL cases: too short, an IHL longer than the header, version 5, an IPv6
    // header shorter than 40 bytes, an unknown mode. Nothing changes.
    for (const auto& refused : {std::tuple{outer, 2u, 19u}, std::tuple{"46" + outer.substr(2), 2u, 20u},
                                 std::tuple{"55" + outer.substr(2), 2u, 20u},
                                 std::tuple{"60" + outer.substr(2), 2u, 20u}, std::tuple{outer, 3u, 20u}}) {
        const std::string& hdr = std::get<0>(refused);
        CAPTURE(hdr);
        r = push_encap(hdr, std::get<1>(refused), std::get<2>(refused));
        CHECK(r.r0 == kEinval);
        CHECK(cb(r, 0) == 50u);
        CHECK(tohex(r.out, 14, 50) == tohex(in, 14, 50));
    }
    // An IPv6 outer header: protocol becomes ETH_P_IPV6, no checksum to fill.
    r = push_encap("6000000000144040" + std::string(64, '1'), 2, 40);
    CHECK(r.r0 == 0);
    CHECK(cb(r, 0) == 90u);
    CHECK(cb(r, 1) == 0xdd86u);
}

}  // namespace bpfplay::testing

namespace bpfplay::testing {

TEST_CASE("lwt programs: the packet from the IP header on through data / data_end, the LWT verdicts") {
    // lwt_in: r0 = data_end - data, the 50 bytes after the Ethernet header; mark is writable.
    const char* length = R"(
        r2 = *(u32 *)(r1 + 76)
        r3 = *(u32 *)(r1 + 80)
        r0 = r3
        r0 -= r2
        r4 = 7
        *(u32 *)(r1 + 8) = r4
        exit
    )";
    PacketRun r = run_packet_asm(length, frame(), "lwt_in");
    CHECK(r.r0 == 50);
    CHECK(load_le<uint32_t>(&r.ctx[sk_buff::kMark]) == 7u);
    REQUIRE(r.result.host_events.size() == 1);
    CHECK(r.result.host_events[0].text == "return value 50 is not an LWT action: the kernel warns (\"bpf-lwt: Illegal "
                                          "return value\") and drops the packet");
    r = run_packet_asm("r0 = 0\nexit\n", frame(), "lwt_in");
    CHECK(r.result.host_events.at(0).text ==
          "BPF_OK: the packet goes on to the route's input (delivered locally or forwarded)");
    r = run_packet_asm("r0 = 128\nexit\n", frame(), "lwt_xmit");
    CHECK(r.result.host_events.at(0).text ==
          "BPF_LWT_REROUTE: the packet is routed again by its new outer header's destination and sent by that route");
    r = run_packet_asm("r1 = 3\nr2 = 0\ncall bpf_redirect\nexit\n", frame(), "lwt_xmit");
    CHECK(r.r0 == 7);
    CHECK(r.result.host_events.at(0).text ==
          "the packet goes to eth1 (ifindex 3) to be sent out if the program returns BPF_REDIRECT");
    CHECK(r.result.host_events.at(1).text == "BPF_REDIRECT: the packet is sent out of eth1 (ifindex 3)");
    r = run_packet_asm("r0 = 7\nexit\n", frame(), "lwt_out");
    CHECK(r.result.host_events.at(0).text ==
          "BPF_REDIRECT is allowed at lwt_xmit only: the kernel warns (\"Illegal redirect return code\") and the "
          "packet goes on as with BPF_OK");
    // lwt_is_valid_access: no tc_index writes, no socket fields.
    const std::pair<const char*, const char*> refused[] = {
        {"r2 = 1\n*(u32 *)(r1 + 44) = r2\nr0 = 0\nexit\n",
         "4-byte store at offset 44 of the __sk_buff context is not allowed: field tc_index is read-only for this "
         "program type"},
        {"r0 = *(u32 *)(r1 + 88)\nexit\n",
         "4-byte load at offset 88 of the __sk_buff context is not allowed: no field of struct __sk_buff is there"},
    };
    for (const auto& [text, why] : refused) {
        auto s = ObjectSession::open_assembly(text, "lwt_xmit");
        REQUIRE(s.ok());
        RunInput in;
        in.packet = frame();
        const RunResult res = s.value()->run("asm", in);
        CHECK(res.status == RunStatus::Faulted);
        REQUIRE(res.error);
        CHECK(res.error->what == why);
    }
}

}  // namespace bpfplay::testing
