// Context structs whose loads the kernel rewrites: xdp_md and __sk_buff fields, packet
// pointers from data/data_end, and the packet region's bounds.
#include <doctest/doctest.h>

#include "core/context/contexts.hpp"
#include "vm/vm_test_util.hpp"

using namespace bpfplay;
using namespace bpfplay::test;

namespace {

struct XdpRun {
    std::vector<uint8_t> packet;
    std::unique_ptr<FieldContext> ctx = make_xdp_md();
    std::optional<Program> prog;
    std::unique_ptr<Vm> vm;

    XdpRun(const std::string& text, std::vector<uint8_t> pkt) : packet(std::move(pkt)) {
        DecodeOptions opt;
        opt.entry_regs = 1u << 1;
        auto p = decode_text(text, opt);
        REQUIRE(p.ok());
        prog.emplace(std::move(p).value());
        vm = std::make_unique<Vm>(*prog);
        const uint64_t base = window_base(window::kPacket);
        vm->memory().map(window::kPacket, RegionKind::Packet, kReadWrite, packet.data(), uint32_t(packet.size()),
                         "packet");
        ctx->set_packet(base, base + packet.size());
        ctx->set_u32(xdp_md::kIngressIfindex, 3);
        vm->memory().map_context(window::kContext, xdp_md::kSize, "xdp_md context", ctx.get());
        vm->set_reg(1, window_base(window::kContext));
    }
};

// Returns the packet's byte 12 when the packet is long enough, else XDP_PASS (2).
const char* kReadByte12 = R"(
    r2 = *(u32 *)(r1 + 4)
    r1 = *(u32 *)(r1 + 0)
    r3 = r1
    r3 += 13
    r0 = 2
    if r3 > r2 goto +1
    r0 = *(u8 *)(r1 + 12)
    exit
)";

}  // namespace

TEST_CASE("xdp_md data and data_end loads give the packet's addresses") {
    XdpRun run("r2 = *(u32 *)(r1 + 4)\nr0 = *(u32 *)(r1 + 0)\nr0 -= r2\nexit", std::vector<uint8_t>(60, 0));
    REQUIRE(run.vm->run() == RunStatus::Exited);
    CHECK(run.vm->result() == uint64_t(-60));
    CHECK(run.vm->reg(2) == 0x200000000ull + 60);
}

TEST_CASE("a bounds-checked packet read sees the packet bytes") {
    std::vector<uint8_t> pkt(20, 0);
    pkt[12] = 0x86;
    XdpRun run(kReadByte12, pkt);
    REQUIRE(run.vm->run() == RunStatus::Exited);
    CHECK(run.vm->result() == 0x86u);
    XdpRun short_pkt(kReadByte12, std::vector<uint8_t>(12, 0));
    REQUIRE(short_pkt.vm->run() == RunStatus::Exited);
    CHECK(short_pkt.vm->result() == 2u);
}

TEST_CASE("reading past data_end faults and names the packet") {
    XdpRun run("r1 = *(u32 *)(r1 + 0)\nr0 = *(u16 *)(r1 + 12)\nexit", std::vector<uint8_t>(13, 0));
    REQUIRE(run.vm->run() == RunStatus::Faulted);
    CHECK(run.vm->fault()->where.pc == 1u);
    CHECK(run.vm->fault()->what == "2-byte load at 0x20000000c is outside the 13-byte packet at 0x200000000: it "
                                   "covers bytes 12 to 13 of 13");
    CHECK(run.vm->fault()->hint ==
          "Check the packet length first: compare the pointer plus the access size with data_end.");
}

TEST_CASE("plain xdp_md fields read their values") {
    XdpRun run("r0 = *(u32 *)(r1 + 12)\nexit", {1});
    REQUIRE(run.vm->run() == RunStatus::Exited);
    CHECK(run.vm->result() == 3u);
}

TEST_CASE("xdp_md refuses writes, partial pointer loads and bytes past its end") {
    XdpRun write("r2 = 1\n*(u32 *)(r1 + 12) = r2\nr0 = 0\nexit", {1});
    REQUIRE(write.vm->run() == RunStatus::Faulted);
    CHECK(write.vm->fault()->what ==
          "4-byte store at offset 12 of the xdp_md context is not allowed: field ingress_ifindex is read-only for "
          "this program type");
    XdpRun partial("r0 = *(u16 *)(r1 + 0)\nexit", {1});
    REQUIRE(partial.vm->run() == RunStatus::Faulted);
    CHECK(partial.vm->fault()->what ==
          "2-byte load at offset 0 of the xdp_md context is not allowed: data must be read as a whole 4-byte field");
    XdpRun past("r0 = *(u32 *)(r1 + 24)\nexit", {1});
    REQUIRE(past.vm->run() == RunStatus::Faulted);
    CHECK(past.vm->fault()->what ==
          "4-byte load at offset 24 of the xdp_md context is not allowed: struct xdp_md is 24 bytes long");
}

TEST_CASE("__sk_buff: tc programs may write mark, socket filters only cb") {
    auto tc = make_sk_buff(true);
    std::string why;
    CHECK(tc->store(sk_buff::kMark, 4, 7, why));
    CHECK(tc->get_u32(sk_buff::kMark) == 7u);
    auto sock = make_sk_buff(false);
    CHECK_FALSE(sock->store(sk_buff::kMark, 4, 7, why));
    CHECK(why == "field mark is read-only for this program type");
    CHECK(sock->store(sk_buff::kCb + 4, 4, 9, why));
    CHECK(sock->get_u32(sk_buff::kCb + 4) == 9u);
    uint64_t v = 0;
    CHECK_FALSE(tc->load(sk_buff::kCb + 18, 4, v, why));
    CHECK(why == "it straddles the end of field cb (bytes 48 to 67)");
    sock->set_u32(sk_buff::kLen, 98);
    CHECK(sock->load(sk_buff::kLen, 2, v, why));
    CHECK(v == 98u);
}
