// BBR's functions as kfuncs for struct_ops programs (net/ipv4/tcp_bbr.c, Linux 6.18), the part
// bpfplay runs so far: bbr_init, bbr_sndbuf_expand, bbr_min_tso_segs, bbr_undo_cwnd and
// bbr_ssthresh, bbr_set_state, bbr_cwnd_event, over struct bbr in icsk_ca_priv. bbr_main (the
// bandwidth and min_rtt model, gain cycling, ACK aggregation, cwnd) is not implemented yet: a
// program calling it is refused by name at load, as for any kfunc bpfplay lacks.
#include <algorithm>
#include <cstring>
#include <optional>
#include <span>

#include "core/host/helper_support.hpp"
#include "core/host/host.hpp"
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
constexpr uint32_t kBbrModeStartup = 0, kBbrModeProbeBw = 2;
constexpr BbrBits kBbrPacingGain{76, 0, 10};
constexpr uint32_t kBbrCycleLen = 8, kBbrCycleRand = 7;
constexpr uint32_t kBbrLtIntvlMinRtts = 4, kBbrLtLossThresh = 50, kBbrLtBwRatio = 256 / 8, kBbrLtBwDiff = 4000 / 8,
                   kBbrLtBwMaxRtts = 48;
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

// bbr_reset_lt_bw_sampling_interval: a new long-term sampling interval starts now.
bool bbr_reset_lt_bw_sampling_interval(Vm& vm, const char* fn, uint64_t sk, std::span<uint8_t> bbr) {
    uint64_t mstamp = 0, delivered = 0, lost = 0;
    if (!tcp_ca::read(vm, fn, sk, "delivered_mstamp", mstamp) || !tcp_ca::read(vm, fn, sk, "delivered", delivered) ||
        !tcp_ca::read(vm, fn, sk, "lost", lost))
        return false;
    bbr_set_u32(bbr, kBbrLtLastStamp, uint32_t(mstamp / 1000));
    bbr_set_u32(bbr, kBbrLtLastDelivered, uint32_t(delivered));
    bbr_set_u32(bbr, kBbrLtLastLost, uint32_t(lost));
    bbr_set_bits(bbr, kBbrLtRttCnt, 0);
    return true;
}

// bbr_reset_lt_bw_sampling: long-term (policer) sampling starts over from now.
bool bbr_reset_lt_bw_sampling(Vm& vm, const char* fn, uint64_t sk, std::span<uint8_t> bbr) {
    bbr_set_u32(bbr, kBbrLtBw, 0);
    bbr_set_bits(bbr, kBbrLtUseBw, 0);
    bbr_set_bits(bbr, kBbrLtIsSampling, 0);
    return bbr_reset_lt_bw_sampling_interval(vm, fn, sk, bbr);
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

bool bbr_init_pacing_rate_from_rtt(Vm& vm, const char* fn, uint64_t sk, std::span<uint8_t> bbr);

// void bbr_init(struct sock *sk): STARTUP with no bandwidth sample yet, min_rtt from the
// socket's, pacing at high_gain * cwnd / RTT (1 ms before any RTT sample), ssthresh infinite,
// and pacing asked of the stack (sk_pacing_status NONE -> NEEDED).
uint64_t bbr_init(Vm& vm, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bbr_init";
    const std::span<uint8_t> bbr = tcp_ca::priv(vm, kName, sk);
    uint64_t delivered = 0, rtt_min = 0, mstamp = 0, pacing_status = 0;
    // tcp_min_rtt(): tp->rtt_min.s[0].v, the second u32 of the struct minmax.
    if (bbr.empty() || !tcp_ca::read(vm, kName, sk, "delivered", delivered) ||
        !tcp_ca::read(vm, kName, sk, "rtt_min", rtt_min) || !tcp_ca::read(vm, kName, sk, "tcp_mstamp", mstamp) ||
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
    bbr_set_bits(bbr, kBbrHasSeenRtt, 0);
    if (!bbr_init_pacing_rate_from_rtt(vm, kName, sk, bbr)) return 0;
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

// bbr_advance_cycle_phase / bbr_reset_probe_bw_mode: PROBE_BW's gain cycle from a random phase.
// The kernel draws get_random_u32_below(7); bpfplay draws from the host's prandom (its
// bpf_get_prandom_u32 stream), so a run repeats.
bool bbr_reset_probe_bw_mode(Vm& vm, const char* fn, uint64_t sk, std::span<uint8_t> bbr) {
    Host* h = host_for(vm, fn);
    uint64_t mstamp = 0;
    if (!h || !tcp_ca::read(vm, fn, sk, "delivered_mstamp", mstamp)) return false;
    const uint32_t draw = uint32_t((uint64_t(h->prandom.next()) * kBbrCycleRand) >> 32);
    bbr_set_bits(bbr, kBbrMode, kBbrModeProbeBw);
    bbr_set_bits(bbr, kBbrCycleIdx, (kBbrCycleLen - 1 - draw + 1) & (kBbrCycleLen - 1));
    bbr_set_u64(bbr, kBbrCycleMstamp, mstamp);
    return true;
}

// bbr_lt_bw_interval_done: two intervals of consistent bandwidth (within 1/8, or 4 kbit/s)
// mean a policer: use their average.
bool bbr_lt_bw_interval_done(Vm& vm, const char* fn, uint64_t sk, std::span<uint8_t> bbr, uint32_t bw) {
    const uint32_t lt_bw = bbr_u32(bbr, kBbrLtBw);
    if (lt_bw) {
        const int32_t signed_diff = int32_t(bw - lt_bw);
        const uint32_t diff = uint32_t(signed_diff < 0 ? -signed_diff : signed_diff);
        uint64_t mss = 0;
        if (!tcp_ca::read(vm, fn, sk, "mss_cache", mss)) return false;
        const uint64_t diff_rate = ((uint64_t(diff) * uint32_t(mss) * 256) >> kBbrScale) *
                                   (1'000'000 / 100 * (100 - kBbrPacingMarginPercent)) >> kBwScale;
        // u32 products, wrapping as the kernel's do.
        if (uint32_t(diff * 256u) <= uint32_t(kBbrLtBwRatio * lt_bw) || diff_rate <= kBbrLtBwDiff) {
            bbr_set_u32(bbr, kBbrLtBw, (bw + lt_bw) >> 1);
            bbr_set_bits(bbr, kBbrLtUseBw, 1);
            bbr_set_bits(bbr, kBbrPacingGain, 256);
            bbr_set_bits(bbr, kBbrLtRttCnt, 0);
            return true;
        }
    }
    bbr_set_u32(bbr, kBbrLtBw, bw);
    return bbr_reset_lt_bw_sampling_interval(vm, fn, sk, bbr);
}

// bbr_lt_bw_sampling for a rate sample with `losses` and not app-limited: the token-bucket
// policer detector, one interval of 4..16 rounds ending at a loss with 20% or more lost.
bool bbr_lt_bw_sampling(Vm& vm, const char* fn, uint64_t sk, std::span<uint8_t> bbr, uint32_t losses) {
    if (bbr_bits(bbr, kBbrLtUseBw)) {
        if (bbr_bits(bbr, kBbrMode) == kBbrModeProbeBw && bbr_bits(bbr, kBbrRoundStart)) {
            const uint32_t cnt = (bbr_bits(bbr, kBbrLtRttCnt) + 1) & 0x7f;
            bbr_set_bits(bbr, kBbrLtRttCnt, cnt);
            if (cnt >= kBbrLtBwMaxRtts)
                return bbr_reset_lt_bw_sampling(vm, fn, sk, bbr) && bbr_reset_probe_bw_mode(vm, fn, sk, bbr);
        }
        return true;
    }
    if (!bbr_bits(bbr, kBbrLtIsSampling)) {
        if (!losses) return true;
        if (!bbr_reset_lt_bw_sampling_interval(vm, fn, sk, bbr)) return false;
        bbr_set_bits(bbr, kBbrLtIsSampling, 1);
    }
    if (bbr_bits(bbr, kBbrRoundStart)) bbr_set_bits(bbr, kBbrLtRttCnt, (bbr_bits(bbr, kBbrLtRttCnt) + 1) & 0x7f);
    const uint32_t rtt_cnt = bbr_bits(bbr, kBbrLtRttCnt);
    if (rtt_cnt < kBbrLtIntvlMinRtts) return true;
    if (rtt_cnt > 4 * kBbrLtIntvlMinRtts) return bbr_reset_lt_bw_sampling(vm, fn, sk, bbr);
    if (!losses) return true;
    uint64_t tp_lost = 0, tp_delivered = 0, mstamp = 0;
    if (!tcp_ca::read(vm, fn, sk, "lost", tp_lost) || !tcp_ca::read(vm, fn, sk, "delivered", tp_delivered) ||
        !tcp_ca::read(vm, fn, sk, "delivered_mstamp", mstamp))
        return false;
    const uint32_t lost = uint32_t(tp_lost) - bbr_u32(bbr, kBbrLtLastLost);
    const uint32_t delivered = uint32_t(tp_delivered) - bbr_u32(bbr, kBbrLtLastDelivered);
    if (!delivered || (lost << kBbrScale) < kBbrLtLossThresh * delivered) return true;
    uint32_t t = uint32_t(mstamp / 1000) - bbr_u32(bbr, kBbrLtLastStamp);
    if (int32_t(t) < 1) return true;  // under a millisecond: wait
    if (t >= ~0u / 1000) return bbr_reset_lt_bw_sampling(vm, fn, sk, bbr);
    t *= 1000;
    return bbr_lt_bw_interval_done(vm, fn, sk, bbr, uint32_t((uint64_t(delivered) << kBwScale) / t));
}

// void bbr_set_state(struct sock *sk, u8 new_state): an RTO (Loss) ends a round with a loss.
uint64_t bbr_set_state(Vm& vm, uint64_t sk, uint64_t new_state, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bbr_set_state";
    if (uint8_t(new_state) != tcp_ca::kStateLoss) return 0;
    const std::span<uint8_t> bbr = tcp_ca::priv(vm, kName, sk);
    if (bbr.empty()) return 0;
    bbr_set_bits(bbr, kBbrPrevCaState, tcp_ca::kStateLoss);
    bbr_set_u32(bbr, kBbrFullBw, 0);
    bbr_set_bits(bbr, kBbrRoundStart, 1);
    bbr_lt_bw_sampling(vm, kName, sk, bbr, /*losses=*/1);
    return 0;
}

// bbr_init_pacing_rate_from_rtt: high_gain * cwnd / RTT (1 ms before any RTT sample).
bool bbr_init_pacing_rate_from_rtt(Vm& vm, const char* fn, uint64_t sk, std::span<uint8_t> bbr) {
    uint64_t srtt = 0, cwnd = 0;
    if (!tcp_ca::read(vm, fn, sk, "srtt_us", srtt) || !tcp_ca::read(vm, fn, sk, "snd_cwnd", cwnd)) return false;
    uint32_t rtt_us = 1000;
    if (uint32_t(srtt)) {
        rtt_us = std::max(uint32_t(srtt) >> 3, 1u);
        bbr_set_bits(bbr, kBbrHasSeenRtt, 1);
    }
    const auto rate = bbr_bw_to_pacing_rate(vm, fn, sk, (uint64_t(uint32_t(cwnd)) << kBwScale) / rtt_us, kBbrHighGain);
    return rate && tcp_ca::write(vm, fn, sk, "sk_pacing_rate", *rate);
}

// bbr_cwnd_event: restarting from idle while app-limited paces at the estimated bandwidth
// (PROBE_BW), or may end PROBE_RTT.
uint64_t bbr_cwnd_event(Vm& vm, uint64_t sk, uint64_t event, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "bbr_cwnd_event";
    uint64_t app_limited = 0;
    if (uint32_t(event) != tcp_ca::kEventTxStart || !tcp_ca::read(vm, kName, sk, "app_limited", app_limited) ||
        !app_limited)
        return 0;
    const std::span<uint8_t> bbr = tcp_ca::priv(vm, kName, sk);
    uint64_t mstamp = 0;
    if (bbr.empty() || !tcp_ca::read(vm, kName, sk, "tcp_mstamp", mstamp)) return 0;
    bbr_set_bits(bbr, kBbrIdleRestart, 1);
    bbr_set_u64(bbr, kBbrAckEpochMstamp, mstamp);
    bbr_set_bits(bbr, kBbrAckEpochAcked, 0);
    const uint32_t mode = bbr_bits(bbr, kBbrMode);
    if (mode == kBbrModeProbeBw) {
        // bbr_set_pacing_rate(sk, bbr_bw(sk), BBR_UNIT).
        const uint32_t bw = bbr_bits(bbr, kBbrLtUseBw) ? bbr_u32(bbr, kBbrLtBw) : bbr_u32(bbr, kBbrBwFilter + 4);
        uint64_t srtt = 0, current = 0;
        const auto rate = bbr_bw_to_pacing_rate(vm, kName, sk, bw, 256);
        if (!rate || !tcp_ca::read(vm, kName, sk, "srtt_us", srtt)) return 0;
        if (!bbr_bits(bbr, kBbrHasSeenRtt) && uint32_t(srtt) && !bbr_init_pacing_rate_from_rtt(vm, kName, sk, bbr))
            return 0;
        if (!tcp_ca::read(vm, kName, sk, "sk_pacing_rate", current)) return 0;
        if (bbr_bits(bbr, kBbrFullBwReached) || *rate > current) tcp_ca::write(vm, kName, sk, "sk_pacing_rate", *rate);
    } else if (mode == kBbrModeProbeRtt) {
        // bbr_check_probe_rtt_done.
        const uint32_t now = tcp_ca::jiffies32(vm), done = bbr_u32(bbr, kBbrProbeRttDoneStamp);
        if (!(done && int32_t(done - now) < 0)) return 0;
        bbr_set_u32(bbr, kBbrMinRttStamp, now);
        uint64_t cwnd = 0;
        if (!tcp_ca::read(vm, kName, sk, "snd_cwnd", cwnd) ||
            !tcp_ca::write(vm, kName, sk, "snd_cwnd", std::max(uint32_t(cwnd), bbr_u32(bbr, kBbrPriorCwnd))))
            return 0;
        if (!bbr_bits(bbr, kBbrFullBwReached))  // bbr_reset_mode
            bbr_set_bits(bbr, kBbrMode, kBbrModeStartup);
        else
            bbr_reset_probe_bw_mode(vm, kName, sk, bbr);
    }
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
    {"bbr_cwnd_event", bbr_cwnd_event},
    {"bbr_init", bbr_init},
    {"bbr_min_tso_segs", bbr_min_tso_segs},
    {"bbr_set_state", bbr_set_state},
    {"bbr_sndbuf_expand", bbr_sndbuf_expand},
    {"bbr_ssthresh", bbr_ssthresh},
    {"bbr_undo_cwnd", bbr_undo_cwnd},
};

}  // namespace

std::span<const KfuncImpl> bbr_kfunc_impls() { return kBbrKfuncImpls; }

}  // namespace bpfplay
