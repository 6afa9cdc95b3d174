#pragma once
// The context of a netfilter program (BPF_PROG_TYPE_NETFILTER, SEC("netfilter")): struct
// bpf_nf_ctx { const struct nf_hook_state *state; struct sk_buff *skb; }, two trusted BTF
// pointers into the emulated kernel, read-only and read as whole 8-byte loads
// (nf_is_valid_access, net/netfilter/nf_bpf_link.c). The program returns NF_DROP (0) or
// NF_ACCEPT (1).
//
// A run is what BPF_PROG_TEST_RUN does (net/bpf/test_run.c, bpf_prog_test_run_nf):
//   the packet (data_in) has at least 20 bytes (an iphdr: -EINVAL) and fits the skb's page;
//   ctx_in, when given, is a struct nf_hook_state (48 bytes; more must be zeros: -E2BIG) of which
//   only hook and pf may be set: in, out, sk, net or okfn non-zero is -EINVAL, and pf must be
//   NFPROTO_IPV4 (2) or NFPROTO_IPV6 (10) (-EINVAL, also for a ctx_in that leaves pf 0). The
//   test run then points state->out at the loopback device (it decides by the default hook,
//   NF_INET_LOCAL_OUT, before copying the given one); without ctx_in, in and out stay NULL.
//   Without ctx_in: pf NFPROTO_IPV4, hook NF_INET_LOCAL_OUT (3).
//   At NF_INET_LOCAL_OUT the packet starts at its IP header and skb->protocol follows pf; at any
//   other hook it is an Ethernet frame (at least 14 + 20 bytes: -EINVAL) that eth_type_trans
//   takes (skb->dev the loopback device, skb->data at the IP header): its EtherType must be
//   IPv4 with pf IPv4 or IPv6 (then at least 14 + 40 bytes) with pf IPv6 (-EINVAL), any other
//   is -EPROTO.
// The packet is read-only (bpf_dynptr_from_skb gives a read-only dynptr); there is no ctx_out
// and no data_out.
#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace bpfplay {

class Vm;
struct LoadedProgram;
struct Network;
struct RunInput;
struct RunState;

namespace nf_hook_state {
// struct nf_hook_state of the 6.18 kernel (its BTF; a test checks these against it).
constexpr uint32_t kHook = 0, kPf = 1, kIn = 8, kOut = 16, kSk = 24, kNet = 32, kOkfn = 40, kSize = 48;
}
namespace bpf_nf_ctx {
constexpr uint32_t kState = 0, kSkb = 8, kSize = 16;
}
constexpr uint8_t kNfprotoIpv4 = 2, kNfprotoIpv6 = 10;
constexpr uint8_t kNfInetPreRouting = 0, kNfInetLocalIn = 1, kNfInetForward = 2, kNfInetLocalOut = 3,
                  kNfInetPostRouting = 4;

// Builds the context and the kernel objects for `in`, or the test run's refusal.
Result<Unit> setup_netfilter_context(const RunInput& in, RunState& mem, Vm& vm, const Network& net);

// The skb address a netfilter run's context points at (what bpf_dynptr_from_skb takes), or 0
// when `vm` is not running a netfilter program.
uint64_t netfilter_skb(const Vm& vm);

// "NF_ACCEPT: the packet goes on through the IPv4 LOCAL_OUT hook" and the like; empty for
// other programs.
std::vector<std::string> netfilter_exit_report(const RunState& run, uint64_t r0);

}  // namespace bpfplay
