#include "core/run/netfilter_context.hpp"

#include <algorithm>

#include "core/context/field_context.hpp"
#include "core/hex.hpp"
#include "core/host/net_model.hpp"
#include "core/memory.hpp"
#include "core/run/object_session.hpp"
#include "core/run/traced_packet.hpp"
#include "core/run/uapi_consts.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

using uapi::kEthHeaderLen, uapi::kIpv4HeaderLen, uapi::kIpv6HeaderLen;
namespace hs = nf_hook_state;
namespace nc = bpf_nf_ctx;

// bpf_test_init's limit: a page less the skb's headroom (NET_SKB_PAD + NET_IP_ALIGN) and its
// shared info.
constexpr size_t kNfMaxTestData = 4096 - 64 - 320;

const char* const kNfHookNames[] = {"PRE_ROUTING", "LOCAL_IN", "FORWARD", "LOCAL_OUT", "POST_ROUTING"};

std::string nf_hook_text(uint8_t hook) {
    return hook < 5 ? std::string("NF_INET_") + kNfHookNames[hook] : "hook " + std::to_string(hook);
}

// struct bpf_nf_ctx: both pointers whole, nothing written.
class NfCtx final : public FieldContext {
public:
    NfCtx()
        : FieldContext("bpf_nf_ctx",
                       {
                           {"state", nc::kState, 8, "the hook's struct nf_hook_state (hook, pf, in, out): a trusted kernel pointer", FieldKind::Value, false, 8},
                           {"skb", nc::kSkb, 8, "the packet's struct sk_buff (len, protocol, data...): a trusted kernel pointer", FieldKind::Value, false, 8},
                       },
                       nc::kSize) {}
    bool store(uint32_t, uint32_t, uint64_t, std::string& why) override {
        why = "struct bpf_nf_ctx is read-only";
        return false;
    }
    uint8_t hook = kNfInetLocalOut, pf = kNfprotoIpv4;
};

Error nf_refusal(const std::string& what, const std::string& fix = "") {
    return make_error(ErrorKind::Load, what, std::nullopt, fix);
}

bool nonzero(const std::vector<uint8_t>& b, uint32_t from, uint32_t to) {
    return std::any_of(b.begin() + from, b.begin() + to, [](uint8_t v) { return v != 0; });
}

}  // namespace

Result<Unit> setup_netfilter_context(const RunInput& in, RunState& mem, Vm& vm, const Network& net) {
    const std::vector<uint8_t>& p = in.packet;
    if (p.size() < kIpv4HeaderLen)
        return nf_refusal("-EINVAL: a netfilter test run's packet has at least 20 bytes (an IPv4 header), but it has " +
                              std::to_string(p.size()),
                          "Give an IP packet (at NF_INET_LOCAL_OUT, the default hook) or an Ethernet frame (any other hook).");
    if (p.size() > kNfMaxTestData)
        return nf_refusal("-EINVAL: BPF_PROG_TEST_RUN takes at most " + std::to_string(kNfMaxTestData) +
                          " bytes for a netfilter program (a 4096-byte page less the skb's headroom and shared info), "
                          "but the packet has " + std::to_string(p.size()));
    NfHookInput hook;
    hook.hook = kNfInetLocalOut;
    hook.pf = kNfprotoIpv4;
    if (!in.ctx.empty()) {
        std::vector<uint8_t> c(in.ctx);
        if (c.size() > hs::kSize && nonzero(c, hs::kSize, uint32_t(c.size())))
            return nf_refusal("-E2BIG: the context has " + std::to_string(c.size()) +
                              " bytes and some past struct nf_hook_state's 48 are not zero");
        c.resize(hs::kSize, 0);
        if (nonzero(c, hs::kIn, hs::kSk))
            return nf_refusal("-EINVAL: the context's in and out must be 0: the test run sets the devices",
                              "Give only hook (byte 0) and pf (byte 1).");
        if (nonzero(c, hs::kSk, hs::kSize))
            return nf_refusal("-EINVAL: the context's sk, net and okfn must be 0", "Give only hook (byte 0) and pf (byte 1).");
        if (c[hs::kPf] != kNfprotoIpv4 && c[hs::kPf] != kNfprotoIpv6)
            return nf_refusal("-EINVAL: pf " + std::to_string(c[hs::kPf]) +
                                  " is not NFPROTO_IPV4 (2) or NFPROTO_IPV6 (10)",
                              "Set byte 1 of the context to 2 or 10.");
        // verify_and_copy_hook_state picks the devices by the hook it holds then, the default
        // NF_INET_LOCAL_OUT, not the given one: only out is set, whatever the hook.
        hook.out_dev = true;
        hook.hook = c[hs::kHook];
        hook.pf = c[hs::kPf];
    }
    const bool v6 = hook.pf == kNfprotoIpv6;
    if (hook.hook != kNfInetLocalOut) {
        if (p.size() < kEthHeaderLen + kIpv4HeaderLen)
            return nf_refusal("-EINVAL: at " + nf_hook_text(hook.hook) +
                                  " the packet is an Ethernet frame of at least 34 bytes (14 + an IPv4 header), but it has " +
                                  std::to_string(p.size()),
                              "Give an Ethernet frame; only NF_INET_LOCAL_OUT takes the IP packet alone.");
        const uint16_t ethertype = uint16_t(p[12] << 8 | p[13]);
        if (ethertype == 0x0800 && v6)
            return nf_refusal("-EINVAL: the frame carries IPv4 (EtherType 0x0800) and pf is NFPROTO_IPV6");
        if (ethertype == 0x86dd && p.size() < kEthHeaderLen + kIpv6HeaderLen)
            return nf_refusal("-EINVAL: an IPv6 frame has at least 54 bytes (14 + an IPv6 header), but it has " +
                              std::to_string(p.size()));
        if (ethertype == 0x86dd && !v6)
            return nf_refusal("-EINVAL: the frame carries IPv6 (EtherType 0x86dd) and pf is NFPROTO_IPV4");
        if (ethertype != 0x0800 && ethertype != 0x86dd)
            return nf_refusal("-EPROTO: the frame's EtherType " + hex(ethertype) + " is not IPv4 (0x0800) or IPv6 (0x86dd)");
        hook.from_frame = true;
        hook.protocol = uint32_t(p[12]) | uint32_t(p[13]) << 8;
        // eth_type_trans: the MAC header at the frame's start; the network header after it.
        mem.packet.init_skb(p, /*l2=*/false);
    } else {
        hook.protocol = v6 ? 0xdd86 : 0x0008;  // htons(ETH_P_IPV6) / htons(ETH_P_IP)
        // The IP packet from the skb's first byte; nothing reset its headers: the MAC header
        // unset, the network header at head (offset 0).
        mem.packet.init_skb(p, /*l2=*/true);
        mem.packet.skb().mac_header = skb_buff::kUnset;
        mem.packet.skb().network_header = 0;
    }
    auto objects = lay_out_nf_hook(vm.memory(), mem.kernel, mem.packet, net, hook);
    if (!objects) return objects.error();
    auto ctx = std::make_unique<NfCtx>();
    ctx->hook = hook.hook;
    ctx->pf = hook.pf;
    store_le<uint64_t>(&ctx->bytes()[nc::kState], objects->state);
    store_le<uint64_t>(&ctx->bytes()[nc::kSkb], objects->skb);
    mem.ctx = std::move(ctx);
    vm.memory().map_context(window::kContext, nc::kSize, "bpf_nf_ctx context", mem.ctx.get());
    return Unit{};
}

uint64_t netfilter_skb(const Vm& vm) {
    if (!vm.env || vm.env->prog_type != ProgType::Netfilter) return 0;
    const auto* c = dynamic_cast<const NfCtx*>(vm.memory().context_at(window_base(window::kContext)));
    return c ? load_le<uint64_t>(&c->bytes()[nc::kSkb]) : 0;
}

std::vector<std::string> netfilter_exit_report(const RunState& run, uint64_t r0) {
    const auto* c = dynamic_cast<const NfCtx*>(run.ctx.get());
    if (!c) return {};
    const std::string where = std::string(c->pf == kNfprotoIpv6 ? "IPv6 " : "IPv4 ") + nf_hook_text(c->hook);
    // nf_hook_slow: NF_DROP frees the packet (-EPERM to a local sender); NF_ACCEPT goes on to
    // the next hook function. The verifier allows no other verdict for BPF programs.
    if (r0 == 0) return {"NF_DROP: the packet is dropped at the " + where + " hook"};
    if (r0 == 1) return {"NF_ACCEPT: the packet goes on past the " + where + " hook"};
    return {};
}

}  // namespace bpfplay
