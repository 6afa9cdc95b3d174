// netfilter programs: struct bpf_nf_ctx over the emulated kernel's nf_hook_state and sk_buff as
// BPF_PROG_TEST_RUN builds them (net/bpf/test_run.c, bpf_prog_test_run_nf), the access rules
// (nf_is_valid_access), the refusals with the errno the 6.18 kernel gave for the same inputs,
// and the exit report. examples/netfilter_drop.c is compared with the kernel in tests/examples.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>

#include "core/btf/builtin_target_btf.hpp"
#include "core/host/kernel_object_writer.hpp"
#include "core/maps/map.hpp"
#include "core/maps/map_set.hpp"
#include "core/run/netfilter_context.hpp"
#include "run/net_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::net_test;

namespace {

namespace hs = nf_hook_state;

std::vector<uint8_t> hook_state(uint8_t hook, uint8_t pf) {
    std::vector<uint8_t> c(hs::kSize, 0);
    c[hs::kHook] = hook;
    c[hs::kPf] = pf;
    return c;
}

// tcp_packet() (an Ethernet frame, 54 bytes) without its Ethernet header.
std::vector<uint8_t> ip_packet() {
    std::vector<uint8_t> f = tcp_packet();
    return {f.begin() + 14, f.end()};
}

RunResult run_nf(const std::string& text, std::vector<uint8_t> packet, std::vector<uint8_t> ctx = {}) {
    auto s = open_asm(text, "netfilter");
    RunInput in;
    in.packet = std::move(packet);
    in.ctx = std::move(ctx);
    return s->run("asm", in);
}

std::string refusal(std::vector<uint8_t> packet, std::vector<uint8_t> ctx = {}) {
    const RunResult r = run_nf("r0 = 1\nexit\n", std::move(packet), std::move(ctx));
    REQUIRE(r.status == RunStatus::Faulted);
    REQUIRE(r.error);
    return r.error->what;
}

// Reads `path` (a member of struct sk_buff or nf_hook_state) through the context.
uint64_t read_kernel(const char* type, const char* path, uint32_t size, std::vector<uint8_t> packet,
                     std::vector<uint8_t> ctx = {}) {
    KernelObjectWriter w(builtin_target_btf(), 0);
    const uint64_t obj = w.allocate(type);
    const uint64_t off = *w.field_address(obj, type, path) - obj;
    const std::string ptr = std::string(type) == "sk_buff" ? "8" : "0";
    const std::string width = size == 1 ? "u8" : size == 2 ? "u16" : size == 4 ? "u32" : "u64";
    const RunResult r = run_nf("r2 = *(u64 *)(r1 + " + ptr + ")\nr0 = *(" + width + " *)(r2 + " + std::to_string(off) +
                                   ")\nexit\n",
                               std::move(packet), std::move(ctx));
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, path << ": " << (r.error ? r.error->to_string() : ""));
    return r.r0;
}

}  // namespace

TEST_CASE("netfilter: struct nf_hook_state's offsets are the 6.18 kernel's") {
    KernelObjectWriter w(builtin_target_btf(), 0x1000);
    const uint64_t s = w.allocate("nf_hook_state");
    REQUIRE(s != 0);
    auto at = [&](const char* f) { return *w.field_address(s, "nf_hook_state", f) - s; };
    CHECK(at("hook") == hs::kHook);
    CHECK(at("pf") == hs::kPf);
    CHECK(at("in") == hs::kIn);
    CHECK(at("out") == hs::kOut);
    CHECK(at("sk") == hs::kSk);
    CHECK(at("net") == hs::kNet);
    CHECK(at("okfn") == hs::kOkfn);
    CHECK(w.errors().empty());
}

TEST_CASE("netfilter: the hook state and the sk_buff the test run makes") {
    // The default: IPv4 NF_INET_LOCAL_OUT, the packet from its IP header, no devices.
    CHECK(read_kernel("nf_hook_state", "hook", 1, ip_packet()) == 3);
    CHECK(read_kernel("nf_hook_state", "pf", 1, ip_packet()) == 2);
    CHECK(read_kernel("nf_hook_state", "in", 8, ip_packet()) == 0);
    CHECK(read_kernel("nf_hook_state", "out", 8, ip_packet()) == 0);
    CHECK(read_kernel("sk_buff", "len", 4, ip_packet()) == 40);
    CHECK(read_kernel("sk_buff", "protocol", 2, ip_packet()) == 0x0008);
    CHECK(read_kernel("sk_buff", "dev", 8, ip_packet()) == 0);
    // IPv6 at LOCAL_OUT: skb->protocol from pf.
    CHECK(read_kernel("sk_buff", "protocol", 2, ip_packet(), hook_state(3, 10)) == 0xdd86);
    // NF_INET_PRE_ROUTING: an Ethernet frame; eth_type_trans took its header off and set skb->dev.
    // The test run sets state->out (by its default hook), not state->in.
    const std::vector<uint8_t> pre = hook_state(0, 2);
    CHECK(read_kernel("nf_hook_state", "hook", 1, tcp_packet(), pre) == 0);
    CHECK(read_kernel("nf_hook_state", "in", 8, tcp_packet(), pre) == 0);
    CHECK(read_kernel("nf_hook_state", "out", 8, tcp_packet(), pre) != 0);
    CHECK(read_kernel("sk_buff", "len", 4, tcp_packet(), pre) == 40);
    CHECK(read_kernel("sk_buff", "dev", 8, tcp_packet(), pre) != 0);
    CHECK(read_kernel("sk_buff", "mac_header", 2, tcp_packet(), pre) + 14 ==
          read_kernel("sk_buff", "network_header", 2, tcp_packet(), pre));
    // A hook number past NF_INET_POST_ROUTING is not checked: a frame, as any hook but LOCAL_OUT.
    CHECK(read_kernel("nf_hook_state", "hook", 1, tcp_packet(), hook_state(7, 2)) == 7);
}

TEST_CASE("netfilter: the context is two read-only pointers, read whole") {
    auto fault = [](const std::string& text) {
        const RunResult r = run_nf(text + "\nr0 = 1\nexit\n", ip_packet());
        REQUIRE_MESSAGE(r.status == RunStatus::Faulted, text);
        return r.error->what;
    };
    CHECK(fault("r2 = *(u32 *)(r1 + 8)").find("skb must be read 8 bytes at a time") != std::string::npos);
    CHECK(fault("r2 = *(u64 *)(r1 + 16)").find("struct bpf_nf_ctx is 16 bytes long") != std::string::npos);
    CHECK(fault("*(u64 *)(r1 + 0) = 0").find("struct bpf_nf_ctx is read-only") != std::string::npos);
    // The kernel objects are read-only too.
    const RunResult w = run_nf("r2 = *(u64 *)(r1 + 8)\n*(u32 *)(r2 + 0) = 1\nr0 = 1\nexit\n", ip_packet());
    CHECK(w.status == RunStatus::Faulted);
}

TEST_CASE("netfilter test run: the kernel's refusals") {
    const std::vector<uint8_t> ip = ip_packet(), frame = tcp_packet();
    CHECK(refusal({ip.begin(), ip.begin() + 19}) ==
          "-EINVAL: a netfilter test run's packet has at least 20 bytes (an IPv4 header), but it has 19");
    std::vector<uint8_t> c = hook_state(3, 2);
    c[hs::kIn] = 1;
    CHECK(refusal(ip, c) == "-EINVAL: the context's in and out must be 0: the test run sets the devices");
    c = hook_state(3, 2);
    c[hs::kOkfn + 7] = 1;
    CHECK(refusal(ip, c) == "-EINVAL: the context's sk, net and okfn must be 0");
    CHECK(refusal(ip, hook_state(3, 0)) == "-EINVAL: pf 0 is not NFPROTO_IPV4 (2) or NFPROTO_IPV6 (10)");
    CHECK(refusal({frame.begin(), frame.begin() + 30}, hook_state(0, 2)) ==
          "-EINVAL: at NF_INET_PRE_ROUTING the packet is an Ethernet frame of at least 34 bytes (14 + an IPv4 "
          "header), but it has 30");
    std::vector<uint8_t> arp = frame;
    arp[12] = 0x08, arp[13] = 0x06;
    CHECK(refusal(arp, hook_state(1, 2)) == "-EPROTO: the frame's EtherType 0x806 is not IPv4 (0x0800) or IPv6 (0x86dd)");
    CHECK(refusal(frame, hook_state(0, 10)) == "-EINVAL: the frame carries IPv4 (EtherType 0x0800) and pf is NFPROTO_IPV6");
    std::vector<uint8_t> v6 = frame;
    v6[12] = 0x86, v6[13] = 0xdd;
    v6.resize(50);
    CHECK(refusal(v6, hook_state(0, 10)) ==
          "-EINVAL: an IPv6 frame has at least 54 bytes (14 + an IPv6 header), but it has 50");
    v6.resize(60);
    CHECK(refusal(v6, hook_state(0, 2)) == "-EINVAL: the frame carries IPv6 (EtherType 0x86dd) and pf is NFPROTO_IPV4");
    c = hook_state(3, 2);
    c.resize(56, 0);
    c[55] = 1;
    CHECK(refusal(ip, c) == "-E2BIG: the context has 56 bytes and some past struct nf_hook_state's 48 are not zero");
    // Zeros past the struct, or a context shorter than it, are fine.
    c[55] = 0;
    CHECK(run_nf("r0 = 1\nexit\n", ip, c).status == RunStatus::Exited);
    CHECK(run_nf("r0 = 1\nexit\n", ip, {3, 2}).status == RunStatus::Exited);
}

TEST_CASE("netfilter: the verdict's names and what the hook does with the packet") {
    RunResult r = run_nf("r0 = 0\nexit\n", ip_packet());
    CHECK(r.return_name == "NF_DROP");
    CHECK(r.host_events.back().text == "NF_DROP: the packet is dropped at the IPv4 NF_INET_LOCAL_OUT hook");
    CHECK(r.packet_out.empty());
    CHECK(r.ctx_out.empty());
    r = run_nf("r0 = 1\nexit\n", tcp_packet(), hook_state(4, 2));
    CHECK(r.return_name == "NF_ACCEPT");
    CHECK(r.host_events.back().text == "NF_ACCEPT: the packet goes on past the IPv4 NF_INET_POST_ROUTING hook");
}

TEST_CASE("netfilter: bpf_dynptr_from_skb takes ctx->skb, read-only, over the packet from its IP header") {
    std::ifstream f(std::string(BPFPLAY_SOURCE_DIR) + "/tests/run/bpf/nf_dynptr.o", std::ios::binary);
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(f), {}};
    REQUIRE_FALSE(bytes.empty());
    auto o = ObjectSession::open(bytes, "nf_dynptr.o");
    REQUIRE(o.ok());
    ObjectSession& s = *o.value();
    RunInput in;
    in.packet = tcp_packet();
    in.ctx = hook_state(1, 2);
    RunResult r = s.run("on_skb", in);
    REQUIRE_MESSAGE(r.status == RunStatus::Exited, (r.error ? r.error->to_string() : ""));
    CHECK(r.r0 == 1);
    auto out = [&](uint32_t k) {
        std::vector<uint8_t> key(4, 0), v(4, 0);
        key[0] = uint8_t(k);
        REQUIRE(s.object().maps->find("out")->lookup_user(key, v) == 0);
        return load_le<uint32_t>(v.data());
    };
    CHECK(out(0) == 40);    // skb->len: the frame less its Ethernet header
    CHECK(out(1) == 1);     // read-only: netfilter programs may not write packets
    CHECK(out(2) == 0x45);  // the IP header's first byte
    // The context itself is not the skb: the 6.18 verifier says "R1 must be referenced or trusted".
    r = s.run("on_ctx", in);
    REQUIRE(r.status == RunStatus::Faulted);
    CHECK(r.error->what.find("is not the packet's struct sk_buff (ctx->skb, ") != std::string::npos);
    CHECK(r.error->what.find("R1 must be referenced or trusted") != std::string::npos);
}
