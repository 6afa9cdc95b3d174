#pragma once
// Kernel UAPI and network header values that several helper files use. A file names the ones it
// uses with using-declarations (`using uapi::kEthHeaderLen;`) instead of defining its own copy:
// in a unity build (CMAKE_UNITY_BUILD), where files share one translation unit, copies collide.
#include <cstdint>

namespace bpfplay::uapi {

// The most iterations a loop helper or iterator kfunc makes (BPF_MAX_LOOPS: bpf_loop,
// bpf_iter_num_new's range).
constexpr uint64_t kMaxLoops = 8 * 1024 * 1024;

// Header lengths without options.
constexpr uint32_t kEthHeaderLen = 14;   // ETH_HLEN
constexpr uint32_t kIpv4HeaderLen = 20;  // sizeof(struct iphdr)
constexpr uint32_t kIpv6HeaderLen = 40;  // sizeof(struct ipv6hdr)
constexpr uint32_t kTcpHeaderLen = 20;   // sizeof(struct tcphdr)
constexpr uint32_t kUdpHeaderLen = 8;    // sizeof(struct udphdr)
constexpr uint8_t kTcpoptNop = 1;        // TCPOPT_NOP

constexpr uint32_t kPageSize = 4096;  // PAGE_SIZE on x86-64

// Program verdicts and redirect flags.
constexpr uint64_t kTcActShot = 2, kTcActRedirect = 7;  // TC_ACT_SHOT, TC_ACT_REDIRECT
constexpr uint64_t kSkDrop = 0, kSkPass = 1;            // SK_DROP, SK_PASS
constexpr uint64_t kBpfFIngress = 1;                    // BPF_F_INGRESS

// Clock ids (CLOCK_*), as bpf_timer_init and bpf_skb_set_tstamp take them.
constexpr uint64_t kClockRealtime = 0, kClockMonotonic = 1, kClockTai = 2, kClockBoottime = 7;

constexpr uint64_t kWakeupFlags = 1 | 2;  // BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP
constexpr uint32_t kAllCbFlags = 0x7f;    // BPF_SOCK_OPS_ALL_CB_FLAGS

}  // namespace bpfplay::uapi
