// BBR's functions as kfuncs for struct_ops programs (net/ipv4/tcp_bbr.c, Linux 6.18), the part
// bpfplay runs so far: bbr_init, bbr_sndbuf_expand, bbr_min_tso_segs, bbr_undo_cwnd and
// bbr_ssthresh, bbr_set_state, bbr_cwnd_event and bbr_main (the bandwidth and min_rtt model,
// gain cycling, long-term policer detection, ACK aggregation, pacing rate and cwnd), over
// struct bbr in icsk_ca_priv. Random draws (the gain cycle's starting phase) come from the
// host's prandom stream.
#include <algorithm>
#include <cstring>
#include <optional>
#include <span>

#include "core/btf/builtin_target_btf.hpp"
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
constexpr BbrBits kBbrPacingGain{76, 0, 10}, kBbrCwndGain{76, 10, 10};
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

// bbr_lt_bw_sampling for a rate sample with `losses`: the token-bucket
// policer detector, one interval of 4..16 rounds ending at a loss with 20% or more lost.
bool bbr_lt_bw_sampling(Vm& vm, const char* fn, uint64_t sk, std::span<uint8_t> bbr, uint32_t losses,
                        bool app_limited) {
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
    if (app_limited) return bbr_reset_lt_bw_sampling(vm, fn, sk, bbr);  // ran out of data: start over
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
    bbr_lt_bw_sampling(vm, kName, sk, bbr, /*losses=*/1, /*app_limited=*/false);
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


// ---- bbr_main: the model of the path, then pacing rate and cwnd from it, once per ACK ----

constexpr uint32_t kBbrModeDrain = 1;
constexpr uint32_t kBbrDrainGain = 256 * 1000 / 2885, kBbrProbeBwCwndGain = 256 * 2;
constexpr uint32_t kBbrPacingGainCycle[kBbrCycleLen] = {256 * 5 / 4, 256 * 3 / 4, 256, 256, 256, 256, 256, 256};
constexpr uint32_t kBbrBwRtts = kBbrCycleLen + 2, kBbrMinRttWinSec = 10, kBbrProbeRttModeMs = 200;
constexpr uint32_t kBbrCwndMinTarget = 4, kBbrFullBwThresh = 256 * 5 / 4, kBbrFullBwCntMax = 3;
constexpr uint32_t kBbrExtraAckedWinRttsMax = 5, kBbrAckEpochAckedResetThresh = 1u << 20;
constexpr uint32_t kBbrExtraAckedMaxUs = 100 * 1000, kTcpInitCwnd = 10;
// GSO_LEGACY_MAX_SIZE - 1 - MAX_TCP_HEADER, MAX_TCP_HEADER = L1_CACHE_ALIGN(128 + MAX_HEADER)
// with x86-64's usual MAX_HEADER of 128 + 48: 320. (It bounds a TSO burst only above ~64 MB/s.)
constexpr uint32_t kBbrTsoBytesMax = 65536 - 1 - 320;

// The rate sample's members bbr_main reads (struct rate_sample, by the kernel's BTF).
struct BbrRateSample {
    int64_t interval_us = 0, rtt_us = 0;
    int32_t delivered = 0, losses = 0;
    uint32_t prior_delivered = 0, acked_sacked = 0, prior_in_flight = 0;
    bool is_app_limited = false, is_ack_delayed = false;
};

std::optional<BbrRateSample> bbr_read_rate_sample(Vm& vm, const char* fn, uint64_t addr) {
    const Btf& btf = builtin_target_btf();
    const auto id = btf.find_by_name("rate_sample", BtfKind::Struct);
    const auto size = id ? btf.resolve_size(*id) : Result<uint32_t>(make_error(ErrorKind::Runtime, "no rate_sample"));
    if (!size.ok()) return std::nullopt;
    const uint8_t* p = tcp_ca::arg_bytes(vm, fn, addr, size.value(), "struct rate_sample");
    if (!p) return std::nullopt;
    auto member = [&](const char* name) -> int64_t {
        for (const BtfMember& m : btf.members(*id)) {
            if (btf.string_at(m.name_off) != name) continue;
            const auto msize = btf.resolve_size(m.type);
            const uint32_t n = msize.ok() ? std::min<uint32_t>(msize.value(), 8) : 0;
            int64_t v = 0;
            std::memcpy(&v, p + m.bit_offset / 8, n);
            if (n == 4) v = int32_t(uint32_t(v));  // every 4-byte member read as signed, then narrowed below
            if (n == 1) v = uint8_t(v);
            return v;
        }
        return 0;
    };
    BbrRateSample rs;
    rs.interval_us = member("interval_us");
    rs.rtt_us = member("rtt_us");
    rs.delivered = int32_t(member("delivered"));
    rs.losses = int32_t(member("losses"));
    rs.prior_delivered = uint32_t(member("prior_delivered"));
    rs.acked_sacked = uint32_t(member("acked_sacked"));
    rs.prior_in_flight = uint32_t(member("prior_in_flight"));
    rs.is_app_limited = member("is_app_limited") != 0;
    rs.is_ack_delayed = member("is_ack_delayed") != 0;
    return rs;
}

// One bbr_main call: struct bbr, and the socket through the checked path. A failed read stops
// the run (tcp_ca::read), and `ok` then stops the rest.
struct BbrMain {
    Vm& vm;
    const char* fn;
    uint64_t sk;
    std::span<uint8_t> b;
    const BbrRateSample& rs;
    bool ok = true;

    uint64_t tp(const char* path) {
        uint64_t v = 0;
        if (ok && !tcp_ca::read(vm, fn, sk, path, v)) ok = false;
        return v;
    }
    void set_tp(const char* path, uint64_t v) {
        if (ok && !tcp_ca::write(vm, fn, sk, path, v)) ok = false;
    }
    uint32_t bits(BbrBits f) const { return bbr_bits(b, f); }
    void set(BbrBits f, uint32_t v) { bbr_set_bits(b, f, v); }
    uint32_t u32(size_t off) const { return bbr_u32(b, off); }
    void set32(size_t off, uint32_t v) { bbr_set_u32(b, off, v); }
    uint64_t u64(size_t off) const {
        uint64_t v = 0;
        std::memcpy(&v, b.data() + off, 8);
        return v;
    }
    uint16_t extra_acked(uint32_t i) const {
        uint16_t v = 0;
        std::memcpy(&v, b.data() + kBbrExtraAcked + 2 * i, 2);
        return v;
    }
    void set_extra_acked(uint32_t i, uint16_t v) { std::memcpy(b.data() + kBbrExtraAcked + 2 * i, &v, 2); }

    uint32_t max_bw() const { return u32(kBbrBwFilter + 4); }  // minmax_get: s[0].v
    uint32_t bw() const { return bits(kBbrLtUseBw) ? u32(kBbrLtBw) : max_bw(); }
    uint32_t in_flight() {  // tcp_packets_in_flight
        return uint32_t(tp("packets_out")) - (uint32_t(tp("sacked_out")) + uint32_t(tp("lost_out"))) +
               uint32_t(tp("retrans_out"));
    }
    // tcp_stamp_us_delta: never negative.
    static int64_t us_delta(uint64_t t1, uint64_t t0) { return std::max<int64_t>(int64_t(t1 - t0), 0); }

    uint32_t min_tso_segs() { return tp("sk_pacing_rate") < (kBbrMinTsoRate >> 3) ? 1 : 2; }
    uint32_t tso_segs_goal() {
        const uint64_t rate = tp("sk_pacing_rate"), shift = tp("sk_pacing_shift"), mss = tp("mss_cache");
        const uint32_t bytes = uint32_t(std::min<uint64_t>(rate >> (shift & 63), kBbrTsoBytesMax));
        const uint32_t segs = std::max(uint32_t(mss) ? bytes / uint32_t(mss) : 0, min_tso_segs());
        return std::min(segs, 0x7fu);
    }
    uint32_t bdp(uint32_t bandwidth, uint32_t gain) const {
        if (u32(kBbrMinRttUs) == ~0u) return kTcpInitCwnd;  // no RTT sample yet
        const uint64_t w = uint64_t(bandwidth) * u32(kBbrMinRttUs);
        return uint32_t((((w * gain) >> kBbrScale) + (1ull << kBwScale) - 1) >> kBwScale);
    }
    uint32_t quantization_budget(uint32_t cwnd) {
        cwnd += 3 * tso_segs_goal();
        cwnd = (cwnd + 1) & ~1u;
        if (bits(kBbrMode) == kBbrModeProbeBw && bits(kBbrCycleIdx) == 0) cwnd += 2;
        return cwnd;
    }
    uint32_t inflight(uint32_t bandwidth, uint32_t gain) { return quantization_budget(bdp(bandwidth, gain)); }
    uint32_t packets_in_net_at_edt(uint32_t inflight_now) {
        const uint64_t now_ns = tp("tcp_clock_cache"), edt_ns = std::max(tp("tcp_wstamp_ns"), now_ns);
        const uint64_t interval_us = (edt_ns - now_ns) / 1000;
        const uint32_t interval_delivered = uint32_t((uint64_t(bw()) * interval_us) >> kBwScale);
        uint32_t at_edt = inflight_now;
        if (bits(kBbrPacingGain) > 256) at_edt += tso_segs_goal();
        return interval_delivered >= at_edt ? 0 : at_edt - interval_delivered;
    }
    void advance_cycle_phase() {
        set(kBbrCycleIdx, (bits(kBbrCycleIdx) + 1) & (kBbrCycleLen - 1));
        bbr_set_u64(b, kBbrCycleMstamp, tp("delivered_mstamp"));
    }
    void reset_probe_bw_mode() {
        if (ok && !bbr_reset_probe_bw_mode(vm, fn, sk, b)) ok = false;
    }
    void save_cwnd() {
        const uint32_t cwnd = uint32_t(tp("snd_cwnd"));
        if (bits(kBbrPrevCaState) < tcp_ca::kStateRecovery && bits(kBbrMode) != kBbrModeProbeRtt)
            set32(kBbrPriorCwnd, cwnd);
        else
            set32(kBbrPriorCwnd, std::max(u32(kBbrPriorCwnd), cwnd));
    }
    void check_probe_rtt_done() {
        const uint32_t now = tcp_ca::jiffies32(vm), done = u32(kBbrProbeRttDoneStamp);
        if (!(done && int32_t(done - now) < 0)) return;
        set32(kBbrMinRttStamp, now);
        set_tp("snd_cwnd", std::max(uint32_t(tp("snd_cwnd")), u32(kBbrPriorCwnd)));
        if (!bits(kBbrFullBwReached))
            set(kBbrMode, kBbrModeStartup);
        else
            reset_probe_bw_mode();
    }

    void update_bw() {
        set(kBbrRoundStart, 0);
        if (rs.delivered < 0 || rs.interval_us <= 0) return;  // not a valid observation
        if (int32_t(rs.prior_delivered - u32(kBbrNextRttDelivered)) >= 0) {  // a round has passed
            set32(kBbrNextRttDelivered, uint32_t(tp("delivered")));
            set32(kBbrRttCnt, u32(kBbrRttCnt) + 1);
            set(kBbrRoundStart, 1);
            set(kBbrPacketConservation, 0);
        }
        if (ok && !bbr_lt_bw_sampling(vm, fn, sk, b, uint32_t(std::max(rs.losses, 0)), rs.is_app_limited)) ok = false;
        const uint64_t sample = (uint64_t(uint32_t(rs.delivered)) << kBwScale) / uint64_t(rs.interval_us);
        if (!rs.is_app_limited || sample >= max_bw()) minmax_running_max(uint32_t(sample));
    }
    // lib/win_minmax.c's running max over kBbrBwRtts rounds (t = rtt_cnt).
    void minmax_running_max(uint32_t meas) {
        const uint32_t t = u32(kBbrRttCnt), win = kBbrBwRtts;
        auto st = [&](int i) { return u32(kBbrBwFilter + 8 * size_t(i)); };
        auto sv = [&](int i) { return u32(kBbrBwFilter + 8 * size_t(i) + 4); };
        auto put = [&](int i, uint32_t tt, uint32_t vv) {
            set32(kBbrBwFilter + 8 * size_t(i), tt);
            set32(kBbrBwFilter + 8 * size_t(i) + 4, vv);
        };
        if (meas >= sv(0) || t - st(2) > win) {  // a new max, or nothing left in the window
            for (int i = 0; i < 3; ++i) put(i, t, meas);
            return;
        }
        if (meas >= sv(1)) {
            put(2, t, meas);
            put(1, t, meas);
        } else if (meas >= sv(2)) {
            put(2, t, meas);
        }
        // minmax_subwin_update.
        const uint32_t dt = t - st(0);
        if (dt > win) {
            put(0, st(1), sv(1));
            put(1, st(2), sv(2));
            put(2, t, meas);
            if (t - st(0) > win) {
                put(0, st(1), sv(1));
                put(1, st(2), sv(2));
                put(2, t, meas);
            }
        } else if (st(1) == st(0) && dt > win / 4) {
            put(2, t, meas);
            put(1, t, meas);
        } else if (st(2) == st(1) && dt > win / 2) {
            put(2, t, meas);
        }
    }
    void update_ack_aggregation() {
        if (rs.acked_sacked == 0 || rs.delivered < 0 || rs.interval_us <= 0) return;
        if (bits(kBbrRoundStart)) {
            set(kBbrExtraAckedWinRtts, std::min(0x1fu, bits(kBbrExtraAckedWinRtts) + 1));
            if (bits(kBbrExtraAckedWinRtts) >= kBbrExtraAckedWinRttsMax) {
                set(kBbrExtraAckedWinRtts, 0);
                set(kBbrExtraAckedWinIdx, bits(kBbrExtraAckedWinIdx) ? 0 : 1);
                set_extra_acked(bits(kBbrExtraAckedWinIdx), 0);
            }
        }
        const uint64_t delivered_mstamp = tp("delivered_mstamp");
        const uint32_t epoch_us = uint32_t(us_delta(delivered_mstamp, u64(kBbrAckEpochMstamp)));
        uint32_t expected = uint32_t((uint64_t(bw()) * epoch_us) >> kBwScale);
        if (bits(kBbrAckEpochAcked) <= expected ||
            bits(kBbrAckEpochAcked) + rs.acked_sacked >= kBbrAckEpochAckedResetThresh) {
            set(kBbrAckEpochAcked, 0);
            bbr_set_u64(b, kBbrAckEpochMstamp, delivered_mstamp);
            expected = 0;
        }
        set(kBbrAckEpochAcked, std::min(0xfffffu, bits(kBbrAckEpochAcked) + rs.acked_sacked));
        uint32_t extra = bits(kBbrAckEpochAcked) - expected;
        extra = std::min(extra, uint32_t(tp("snd_cwnd")));
        const uint32_t idx = bits(kBbrExtraAckedWinIdx);
        if (extra > extra_acked(idx)) set_extra_acked(idx, uint16_t(extra));
    }
    void update_cycle_phase() {
        if (bits(kBbrMode) != kBbrModeProbeBw) return;
        const bool full_length = us_delta(tp("delivered_mstamp"), u64(kBbrCycleMstamp)) > int64_t(u32(kBbrMinRttUs));
        const uint32_t gain = bits(kBbrPacingGain);
        bool next = full_length;
        if (gain != 256) {
            const uint32_t in_net = packets_in_net_at_edt(rs.prior_in_flight);
            if (gain > 256)
                next = full_length && (rs.losses || in_net >= inflight(max_bw(), gain));
            else
                next = full_length || in_net <= inflight(max_bw(), 256);
        }
        if (next) advance_cycle_phase();
    }
    void check_full_bw_reached() {
        if (bits(kBbrFullBwReached) || !bits(kBbrRoundStart) || rs.is_app_limited) return;
        const uint32_t thresh = uint32_t((uint64_t(u32(kBbrFullBw)) * kBbrFullBwThresh) >> kBbrScale);
        if (max_bw() >= thresh) {
            set32(kBbrFullBw, max_bw());
            set(kBbrFullBwCnt, 0);
            return;
        }
        set(kBbrFullBwCnt, bits(kBbrFullBwCnt) + 1);
        set(kBbrFullBwReached, bits(kBbrFullBwCnt) >= kBbrFullBwCntMax);
    }
    void check_drain() {
        if (bits(kBbrMode) == kBbrModeStartup && bits(kBbrFullBwReached)) {
            set(kBbrMode, kBbrModeDrain);
            set_tp("snd_ssthresh", inflight(max_bw(), 256));
        }
        if (bits(kBbrMode) == kBbrModeDrain && packets_in_net_at_edt(in_flight()) <= inflight(max_bw(), 256))
            reset_probe_bw_mode();
    }
    void update_min_rtt() {
        const uint32_t now = tcp_ca::jiffies32(vm), hz = tcp_ca::hz(vm);
        const bool expired = int32_t(u32(kBbrMinRttStamp) + kBbrMinRttWinSec * hz - now) < 0;
        if (rs.rtt_us >= 0 && (rs.rtt_us <= int64_t(u32(kBbrMinRttUs)) || (expired && !rs.is_ack_delayed))) {
            set32(kBbrMinRttUs, uint32_t(rs.rtt_us));
            set32(kBbrMinRttStamp, now);
        }
        if (expired && !bits(kBbrIdleRestart) && bits(kBbrMode) != kBbrModeProbeRtt) {
            set(kBbrMode, kBbrModeProbeRtt);
            save_cwnd();
            set32(kBbrProbeRttDoneStamp, 0);
        }
        if (bits(kBbrMode) == kBbrModeProbeRtt) {
            const uint32_t flight = in_flight();
            const uint32_t limited = uint32_t(tp("delivered")) + flight;
            set_tp("app_limited", limited ? limited : 1);  // ignore low-rate samples meanwhile
            if (!u32(kBbrProbeRttDoneStamp) && flight <= kBbrCwndMinTarget) {
                set32(kBbrProbeRttDoneStamp, now + tcp_ca::usecs_to_jiffies(kBbrProbeRttModeMs * 1000, hz));
                set(kBbrProbeRttRoundDone, 0);
                set32(kBbrNextRttDelivered, uint32_t(tp("delivered")));
            } else if (u32(kBbrProbeRttDoneStamp)) {
                if (bits(kBbrRoundStart)) set(kBbrProbeRttRoundDone, 1);
                if (bits(kBbrProbeRttRoundDone)) check_probe_rtt_done();
            }
        }
        if (rs.delivered > 0) set(kBbrIdleRestart, 0);
    }
    void update_gains() {
        switch (bits(kBbrMode)) {
        case kBbrModeStartup: set(kBbrPacingGain, kBbrHighGain), set(kBbrCwndGain, kBbrHighGain); break;
        case kBbrModeDrain: set(kBbrPacingGain, kBbrDrainGain), set(kBbrCwndGain, kBbrHighGain); break;
        case kBbrModeProbeBw:
            set(kBbrPacingGain, bits(kBbrLtUseBw) ? 256 : kBbrPacingGainCycle[bits(kBbrCycleIdx)]);
            set(kBbrCwndGain, kBbrProbeBwCwndGain);
            break;
        case kBbrModeProbeRtt: set(kBbrPacingGain, 256), set(kBbrCwndGain, 256); break;
        default: break;  // modes 4..7 do not exist (the kernel WARNs)
        }
    }
    void set_pacing_rate(uint32_t bandwidth, uint32_t gain) {
        const auto rate = bbr_bw_to_pacing_rate(vm, fn, sk, bandwidth, gain);
        if (!rate) {
            ok = false;
            return;
        }
        if (!bits(kBbrHasSeenRtt) && uint32_t(tp("srtt_us")) && ok && !bbr_init_pacing_rate_from_rtt(vm, fn, sk, b))
            ok = false;
        if (bits(kBbrFullBwReached) || *rate > tp("sk_pacing_rate")) set_tp("sk_pacing_rate", *rate);
    }
    uint32_t ack_aggregation_cwnd() {
        if (!bits(kBbrFullBwReached)) return 0;
        const uint32_t max_aggr = uint32_t((uint64_t(bw()) * kBbrExtraAckedMaxUs) >> kBwScale);
        const uint32_t aggr = (256u * std::max(extra_acked(0), extra_acked(1))) >> kBbrScale;
        return std::min(aggr, max_aggr);
    }
    // bbr_set_cwnd_to_recover_or_restore: true with packet conservation's cwnd.
    bool recover_or_restore(uint32_t acked, uint32_t& new_cwnd) {
        const uint32_t prev = bits(kBbrPrevCaState), state = uint32_t(tp("icsk_ca_state"));
        uint32_t cwnd = uint32_t(tp("snd_cwnd"));
        if (rs.losses > 0) cwnd = uint32_t(std::max<int32_t>(int32_t(cwnd - uint32_t(rs.losses)), 1));
        if (state == tcp_ca::kStateRecovery && prev != tcp_ca::kStateRecovery) {
            set(kBbrPacketConservation, 1);
            set32(kBbrNextRttDelivered, uint32_t(tp("delivered")));
            cwnd = in_flight() + acked;
        } else if (prev >= tcp_ca::kStateRecovery && state < tcp_ca::kStateRecovery) {
            cwnd = std::max(cwnd, u32(kBbrPriorCwnd));
            set(kBbrPacketConservation, 0);
        }
        set(kBbrPrevCaState, state);
        if (bits(kBbrPacketConservation)) {
            new_cwnd = std::max(cwnd, in_flight() + acked);
            return true;
        }
        new_cwnd = cwnd;
        return false;
    }
    void set_cwnd(uint32_t acked, uint32_t bandwidth, uint32_t gain) {
        uint32_t cwnd = uint32_t(tp("snd_cwnd"));
        if (acked && !recover_or_restore(acked, cwnd)) {
            uint32_t target = bdp(bandwidth, gain) + ack_aggregation_cwnd();
            target = quantization_budget(target);
            if (bits(kBbrFullBwReached))
                cwnd = std::min(cwnd + acked, target);
            else if (cwnd < target || uint32_t(tp("delivered")) < kTcpInitCwnd)
                cwnd += acked;
            cwnd = std::max(cwnd, kBbrCwndMinTarget);
        }
        uint32_t out = std::min(cwnd, uint32_t(tp("snd_cwnd_clamp")));
        if (bits(kBbrMode) == kBbrModeProbeRtt) out = std::min(out, kBbrCwndMinTarget);
        set_tp("snd_cwnd", out);
    }
};

// void bbr_main(struct sock *sk, u32 ack, int flag, const struct rate_sample *rs) (BBR's
// cong_control): bbr_update_model, then pacing rate and cwnd from the estimate.
uint64_t bbr_main(Vm& vm, uint64_t sk, uint64_t, uint64_t, uint64_t rs_addr, uint64_t) {
    constexpr const char* kName = "bbr_main";
    const auto rs = bbr_read_rate_sample(vm, kName, rs_addr);
    if (!rs) return 0;
    const std::span<uint8_t> b = tcp_ca::priv(vm, kName, sk);
    if (b.empty()) return 0;
    BbrMain m{vm, kName, sk, b, *rs};
    m.update_bw();
    m.update_ack_aggregation();
    m.update_cycle_phase();
    m.check_full_bw_reached();
    m.check_drain();
    m.update_min_rtt();
    m.update_gains();
    if (!m.ok) return 0;
    const uint32_t bandwidth = m.bw();
    m.set_pacing_rate(bandwidth, m.bits(kBbrPacingGain));
    m.set_cwnd(rs->acked_sacked, bandwidth, m.bits(kBbrCwndGain));
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
    {"bbr_main", bbr_main},
    {"bbr_min_tso_segs", bbr_min_tso_segs},
    {"bbr_set_state", bbr_set_state},
    {"bbr_sndbuf_expand", bbr_sndbuf_expand},
    {"bbr_ssthresh", bbr_ssthresh},
    {"bbr_undo_cwnd", bbr_undo_cwnd},
};

}  // namespace

std::span<const KfuncImpl> bbr_kfunc_impls() { return kBbrKfuncImpls; }

}  // namespace bpfplay
