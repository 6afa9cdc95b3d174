// BBR's functions as kfuncs for struct_ops programs (net/ipv4/tcp_bbr.c, Linux 6.18), the part
// bpfplay runs so far: bbr_init, bbr_sndbuf_expand, bbr_min_tso_segs, bbr_undo_cwnd and
// bbr_ssthresh, over struct bbr in icsk_ca_priv. bbr_main (the bandwidth and min_rtt model,
// gain cycling, long-term sampling), bbr_cwnd_event and bbr_set_state are not implemented yet:
// a program calling them is refused by name at load, as for any kfunc bpfplay lacks.
#include <algorithm>
#include <cstring>
#include <optional>
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
constexpr BbrBits kBbrMode{56, 0, 3}, kBbrPrevCaState{56, 3, 3}, kBbrPacketConservation{56, 6, 1},
    kBbrRoundStart{56, 7, 1}, kBbrIdleRestart{56, 8, 1}, kBbrProbeRttRoundDone{56, 9, 1}, kBbrLtIsSampling{56, 23, 1},
    kBbrLtRttCnt{56, 24, 7}, kBbrLtUseBw{56, 31, 1}, kBbrFullBwReached{76, 20, 1}, kBbrFullBwCnt{76, 21, 2},
    kBbrCycleIdx{76, 23, 3}, kBbrHasSeenRtt{76, 26, 1}, kBbrAckEpochAcked{100, 0, 20},
    kBbrExtraAckedWinRtts{100, 20, 5}, kBbrExtraAckedWinIdx{100, 25, 1};
constexpr size_t kBbrMinRttUs = 0, kBbrMinRttStamp = 4, kBbrProbeRttDoneStamp = 8, kBbrBwFilter = 12,
                 kBbrRttCnt = 36, kBbrNextRttDelivered = 40, kBbrCycleMstamp = 48, kBbrLtBw = 60,
                 kBbrLtLastDelivered = 64, kBbrLtLastStamp = 68, kBbrLtLastLost = 72, kBbrPriorCwnd = 80,
                 kBbrFullBw = 84, kBbrAckEpochMstamp = 88, kBbrExtraAcked = 96;
constexpr uint32_t kBbrModeStartup = 0;
constexpr uint32_t kBbrHighGain = 256 * 2885 / 1000 + 1;  // 2/ln(2) in 1/256: 739
constexpr uint64_t kBwScale = 24, kBbrScale = 8;
constexpr uint32_t kBbrPacingMarginPercent = 1;
constexpr uint32_t kBbrModeProbeRtt = 3;
constexpr uint32_t kBbrMinTsoRate = 1200000;  // bits/s: below it, no TSO

uint32_t bbr_u32(std::span<const uint8_t> bbr, size_t off) {
    uint32_t v = 0;
    std::memcpy(&v, bbr.data() + off, 4);
    return v;
}
void bbr_set_u32(std::span<uint8_t> bbr, size_t off, uint32_t v) { std::memcpy(bbr.data() + off, &v, 4); }
void bbr_set_u64(std::span<uint8_t> bbr, size_t off, uint64_t v) { std::memcpy(bbr.data() + off, &v, 8); }
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

// bbr_rate_bytes_per_sec then bbr_bw_to_pacing_rate: a bandwidth (packets/us << 24) with a gain
// (/256) as bytes per second, 1% under, at most sk_max_pacing_rate.
std::optional<uint64_t> bbr_bw_to_pacing_rate(Vm& vm, const char* fn, uint64_t sk, uint64_t bw, uint32_t gain) {
    uint64_t mss = 0, max_rate = 0;
    if (!tcp_ca::read(vm, fn, sk, "mss_cache", mss) || !tcp_ca::read(vm, fn, sk, "sk_max_pacing_rate", max_rate))
        return std::nullopt;
    uint64_t rate = bw * uint32_t(mss);
    rate *= gain;
    rate >>= kBbrScale;
    rate *= 1'000'000 / 100 * (100 - kBbrPacingMarginPercent);
    return std::min(rate >> kBwScale, max_rate);
}

// void bbr_init(struct sock *sk): STARTUP with no bandwidth sample yet, min_rtt from the
// socket's, pacing at high_gain * cwnd / RTT (1 ms before any RTT sample), ssthresh infinite,
// and pacing asked of the stack (sk_pacing_status NONE -> NEEDED).
uint64_t bbr_init(Vm& vm, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bbr_init";
    const std::span<uint8_t> bbr = tcp_ca::priv(vm, kName, sk);
    uint64_t delivered = 0, rtt_min = 0, srtt = 0, cwnd = 0, mstamp = 0, pacing_status = 0;
    // tcp_min_rtt(): tp->rtt_min.s[0].v, the second u32 of the struct minmax.
    if (bbr.empty() || !tcp_ca::read(vm, kName, sk, "delivered", delivered) ||
        !tcp_ca::read(vm, kName, sk, "rtt_min", rtt_min) || !tcp_ca::read(vm, kName, sk, "srtt_us", srtt) ||
        !tcp_ca::read(vm, kName, sk, "snd_cwnd", cwnd) || !tcp_ca::read(vm, kName, sk, "tcp_mstamp", mstamp) ||
        !tcp_ca::read(vm, kName, sk, "sk_pacing_status", pacing_status))
        return 0;
    bbr_set_u32(bbr, kBbrPriorCwnd, 0);
    if (!tcp_ca::write(vm, kName, sk, "snd_ssthresh", tcp_ca::kInfiniteSsthresh)) return 0;
    bbr_set_u32(bbr, kBbrRttCnt, 0);
    bbr_set_u32(bbr, kBbrNextRttDelivered, uint32_t(delivered));
    bbr_set_bits(bbr, kBbrPrevCaState, tcp_ca::kStateOpen);
    bbr_set_bits(bbr, kBbrPacketConservation, 0);
    bbr_set_u32(bbr, kBbrProbeRttDoneStamp, 0);
    bbr_set_bits(bbr, kBbrProbeRttRoundDone, 0);
    bbr_set_u32(bbr, kBbrMinRttUs, uint32_t(rtt_min >> 32));
    bbr_set_u32(bbr, kBbrMinRttStamp, tcp_ca::jiffies32(vm));
    for (size_t i = 0; i < 6; ++i) bbr_set_u32(bbr, kBbrBwFilter + 4 * i, 0);  // minmax_reset(bw, 0, 0)
    // bbr_init_pacing_rate_from_rtt.
    uint32_t rtt_us = 1000;
    bbr_set_bits(bbr, kBbrHasSeenRtt, 0);
    if (uint32_t(srtt)) {
        rtt_us = std::max(uint32_t(srtt) >> 3, 1u);
        bbr_set_bits(bbr, kBbrHasSeenRtt, 1);
    }
    const auto rate = bbr_bw_to_pacing_rate(vm, kName, sk, (uint64_t(uint32_t(cwnd)) << kBwScale) / rtt_us, kBbrHighGain);
    if (!rate || !tcp_ca::write(vm, kName, sk, "sk_pacing_rate", *rate)) return 0;
    bbr_set_bits(bbr, kBbrRoundStart, 0);
    bbr_set_bits(bbr, kBbrIdleRestart, 0);
    bbr_set_bits(bbr, kBbrFullBwReached, 0);
    bbr_set_u32(bbr, kBbrFullBw, 0);
    bbr_set_bits(bbr, kBbrFullBwCnt, 0);
    bbr_set_u64(bbr, kBbrCycleMstamp, 0);
    bbr_set_bits(bbr, kBbrCycleIdx, 0);
    if (!bbr_reset_lt_bw_sampling(vm, kName, sk, bbr)) return 0;
    bbr_set_bits(bbr, kBbrMode, kBbrModeStartup);  // bbr_reset_startup_mode
    bbr_set_u64(bbr, kBbrAckEpochMstamp, mstamp);
    bbr_set_bits(bbr, kBbrAckEpochAcked, 0);
    bbr_set_bits(bbr, kBbrExtraAckedWinRtts, 0);
    bbr_set_bits(bbr, kBbrExtraAckedWinIdx, 0);
    bbr_set_u32(bbr, kBbrExtraAcked, 0);  // extra_acked[0] and [1], u16 each
    if (pacing_status == 0) tcp_ca::write(vm, kName, sk, "sk_pacing_status", 1);  // SK_PACING_NEEDED
    return 0;
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
    {"bbr_init", bbr_init},
    {"bbr_min_tso_segs", bbr_min_tso_segs},
    {"bbr_sndbuf_expand", bbr_sndbuf_expand},
    {"bbr_ssthresh", bbr_ssthresh},
    {"bbr_undo_cwnd", bbr_undo_cwnd},
};

}  // namespace

std::span<const KfuncImpl> bbr_kfunc_impls() { return kBbrKfuncImpls; }

}  // namespace bpfplay
