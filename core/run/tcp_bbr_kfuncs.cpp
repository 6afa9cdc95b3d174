// BBR's functions as kfuncs for struct_ops programs (net/ipv4/tcp_bbr.c, Linux 6.18), the part
// bpfplay runs so far: bbr_sndbuf_expand, bbr_min_tso_segs, bbr_undo_cwnd and bbr_ssthresh,
// over struct bbr in icsk_ca_priv. bbr_init, bbr_main (the bandwidth and min_rtt model, gain
// cycling, long-term sampling), bbr_cwnd_event and bbr_set_state are not implemented yet: a
// program calling them is refused by name at load, as for any kfunc bpfplay lacks.
#include <algorithm>
#include <cstring>
#include <span>

#include "core/run/kernel_kfuncs.hpp"
#include "core/run/tcp_ca_access.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

// struct bbr's members these functions touch: byte offsets, and bitfields within the u32 at
// an offset (the kernel's BTF: mode:3 prev_ca_state:3 ... lt_is_sampling:1 lt_rtt_cnt:7
// lt_use_bw:1 at byte 56; pacing_gain:10 cwnd_gain:10 full_bw_reached:1 full_bw_cnt:2 ... at 76).
struct BbrBits {
    size_t word;
    uint32_t shift, width;
};
constexpr BbrBits kBbrMode{56, 0, 3}, kBbrPrevCaState{56, 3, 3}, kBbrLtIsSampling{56, 23, 1},
    kBbrLtRttCnt{56, 24, 7}, kBbrLtUseBw{56, 31, 1}, kBbrFullBwCnt{76, 21, 2};
constexpr size_t kBbrLtBw = 60, kBbrLtLastDelivered = 64, kBbrLtLastStamp = 68, kBbrLtLastLost = 72,
                 kBbrPriorCwnd = 80, kBbrFullBw = 84;
constexpr uint32_t kBbrModeProbeRtt = 3;
constexpr uint32_t kBbrMinTsoRate = 1200000;  // bits/s: below it, no TSO

uint32_t bbr_u32(std::span<const uint8_t> bbr, size_t off) {
    uint32_t v = 0;
    std::memcpy(&v, bbr.data() + off, 4);
    return v;
}
void bbr_set_u32(std::span<uint8_t> bbr, size_t off, uint32_t v) { std::memcpy(bbr.data() + off, &v, 4); }
uint32_t bbr_bits(std::span<const uint8_t> bbr, BbrBits b) {
    return (bbr_u32(bbr, b.word) >> b.shift) & ((1u << b.width) - 1);
}
void bbr_set_bits(std::span<uint8_t> bbr, BbrBits b, uint32_t v) {
    const uint32_t mask = ((1u << b.width) - 1) << b.shift;
    bbr_set_u32(bbr, b.word, (bbr_u32(bbr, b.word) & ~mask) | ((v << b.shift) & mask));
}

// u32 bbr_sndbuf_expand(struct sock *sk): 3 * cwnd of send buffer, as BBR may slow-start
// even in recovery.
uint64_t bbr_sndbuf_expand(Vm&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 3; }

// u32 bbr_min_tso_segs(struct sock *sk): 1 below 1.2 Mbit/s of pacing, else 2.
uint64_t bbr_min_tso_segs(Vm& vm, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
    uint64_t rate = 0;
    if (!tcp_ca::read(vm, "bbr_min_tso_segs", sk, "sk_pacing_rate", rate)) return 0;
    return rate < (kBbrMinTsoRate >> 3) ? 1 : 2;
}

// bbr_reset_lt_bw_sampling: long-term (policer) sampling starts over from now.
bool bbr_reset_lt_bw_sampling(Vm& vm, const char* fn, uint64_t sk, std::span<uint8_t> bbr) {
    uint64_t mstamp = 0, delivered = 0, lost = 0;
    if (!tcp_ca::read(vm, fn, sk, "delivered_mstamp", mstamp) || !tcp_ca::read(vm, fn, sk, "delivered", delivered) ||
        !tcp_ca::read(vm, fn, sk, "lost", lost))
        return false;
    bbr_set_u32(bbr, kBbrLtBw, 0);
    bbr_set_bits(bbr, kBbrLtUseBw, 0);
    bbr_set_bits(bbr, kBbrLtIsSampling, 0);
    bbr_set_u32(bbr, kBbrLtLastStamp, uint32_t(mstamp / 1000));
    bbr_set_u32(bbr, kBbrLtLastDelivered, uint32_t(delivered));
    bbr_set_u32(bbr, kBbrLtLastLost, uint32_t(lost));
    bbr_set_bits(bbr, kBbrLtRttCnt, 0);
    return true;
}

// u32 bbr_undo_cwnd(struct sock *sk): a spurious slow-down; full-pipe detection and long-term
// sampling start over; cwnd stays.
uint64_t bbr_undo_cwnd(Vm& vm, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bbr_undo_cwnd";
    const std::span<uint8_t> bbr = tcp_ca::priv(vm, kName, sk);
    uint64_t cwnd = 0;
    if (bbr.empty() || !tcp_ca::read(vm, kName, sk, "snd_cwnd", cwnd)) return 0;
    bbr_set_u32(bbr, kBbrFullBw, 0);
    bbr_set_bits(bbr, kBbrFullBwCnt, 0);
    if (!bbr_reset_lt_bw_sampling(vm, kName, sk, bbr)) return 0;
    return uint32_t(cwnd);
}

// u32 bbr_ssthresh(struct sock *sk): bbr_save_cwnd (the last good cwnd, kept through recovery
// and PROBE_RTT), and ssthresh unchanged.
uint64_t bbr_ssthresh(Vm& vm, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bbr_ssthresh";
    const std::span<uint8_t> bbr = tcp_ca::priv(vm, kName, sk);
    uint64_t cwnd = 0, ssthresh = 0;
    if (bbr.empty() || !tcp_ca::read(vm, kName, sk, "snd_cwnd", cwnd) ||
        !tcp_ca::read(vm, kName, sk, "snd_ssthresh", ssthresh))
        return 0;
    if (bbr_bits(bbr, kBbrPrevCaState) < tcp_ca::kStateRecovery && bbr_bits(bbr, kBbrMode) != kBbrModeProbeRtt)
        bbr_set_u32(bbr, kBbrPriorCwnd, uint32_t(cwnd));
    else
        bbr_set_u32(bbr, kBbrPriorCwnd, std::max(bbr_u32(bbr, kBbrPriorCwnd), uint32_t(cwnd)));
    return uint32_t(ssthresh);
}

constexpr KfuncImpl kBbrKfuncImpls[] = {
    {"bbr_min_tso_segs", bbr_min_tso_segs},
    {"bbr_sndbuf_expand", bbr_sndbuf_expand},
    {"bbr_ssthresh", bbr_ssthresh},
    {"bbr_undo_cwnd", bbr_undo_cwnd},
};

}  // namespace

std::span<const KfuncImpl> bbr_kfunc_impls() { return kBbrKfuncImpls; }

}  // namespace bpfplay
