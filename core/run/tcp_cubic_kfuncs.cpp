// CUBIC's functions as kfuncs for struct_ops programs (net/ipv4/tcp_cubic.c, Linux 6.18:
// BTF_ID_FLAGS for cubictcp_init, _recalc_ssthresh, _cong_avoid, _state, _cwnd_event, _acked),
// over the run's socket: struct bictcp in icsk_ca_priv, the module's default parameters
// (beta 717/1024, bic_scale 41, fast convergence, TCP friendliness, HyStart with both ACK-train
// and delay detection from a window of 16), the host's jiffies and tcp_mstamp.
#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>

#include "core/run/helper_fail.hpp"
#include "core/run/kernel_kfuncs.hpp"
#include "core/run/tcp_ca_access.hpp"
#include "core/vm.hpp"

namespace bpfplay {

namespace {

using helper_error::fail;

// struct bictcp, as the kernel lays it out.
struct Bictcp {
    uint32_t cnt;             // cwnd grows by one after this many ACKed segments
    uint32_t last_max_cwnd;   // cwnd before the last reduction (W_max)
    uint32_t last_cwnd;
    uint32_t last_time;       // jiffies of the last update
    uint32_t bic_origin_point;
    uint32_t bic_K;           // time to the origin point, in 1/1024 s
    uint32_t delay_min;       // us
    uint32_t epoch_start;     // jiffies; 0: no epoch
    uint32_t ack_cnt;
    uint32_t tcp_cwnd;        // the Reno window CUBIC compares itself with
    uint16_t unused;
    uint8_t sample_cnt;
    uint8_t found;            // HyStart found its exit point
    uint32_t round_start, end_seq, last_ack, curr_rtt;
};
static_assert(sizeof(Bictcp) == 60 && offsetof(Bictcp, unused) == 40 && offsetof(Bictcp, round_start) == 44);

// The module parameters' defaults and what cubictcp_register computes from them.
constexpr uint32_t kBetaScale1024 = 1024, kBeta = 717, kBicScale = 41, kBictcpHz = 10;
constexpr uint32_t kHystartLowWindow = 16, kHystartMinSamples = 8;
constexpr int32_t kHystartAckDeltaUs = 2000;
constexpr uint32_t kHystartDelayMin = 4000, kHystartDelayMax = 16000;
constexpr uint32_t kCubicBetaScale = 8 * (kBetaScale1024 + kBeta) / 3 / (kBetaScale1024 - kBeta);  // 15
constexpr uint32_t kCubeRttScale = kBicScale * 10;                                                 // 410
constexpr uint64_t kCubeFactor = (1ull << (10 + 3 * kBictcpHz)) / (kBicScale * 10);
static_assert(kCubicBetaScale == 15 && kCubeFactor == 2681735677ull);

bool cubic_after(uint32_t a, uint32_t b) { return int32_t(b - a) < 0; }

// bictcp_reset: everything before `unused` zeroed, and `found`.
void bictcp_reset(Bictcp& ca) {
    std::memset(&ca, 0, offsetof(Bictcp, unused));
    ca.found = 0;
}

// bictcp_hystart_reset: a new round starts now, ending when snd_nxt is acknowledged.
bool bictcp_hystart_reset(Vm& vm, const char* fn, uint64_t sk, Bictcp& ca) {
    uint64_t now = 0, snd_nxt = 0;
    if (!tcp_ca::read(vm, fn, sk, "tcp_mstamp", now) || !tcp_ca::read(vm, fn, sk, "snd_nxt", snd_nxt)) return false;
    ca.round_start = ca.last_ack = uint32_t(now);  // bictcp_clock_us
    ca.end_seq = uint32_t(snd_nxt);
    ca.curr_rtt = ~0u;
    ca.sample_cnt = 0;
    return true;
}

// cubic_root: a table lookup of the top bits, then one Newton-Raphson step (~0.2% error).
uint32_t cubic_root(uint64_t a) {
    static constexpr uint8_t v[] = {
        0,   54,  54,  54,  118, 118, 118, 118, 123, 129, 134, 138, 143, 147, 151, 156,
        157, 161, 164, 168, 170, 173, 176, 179, 181, 185, 187, 190, 192, 194, 197, 199,
        200, 202, 204, 206, 209, 211, 213, 215, 217, 219, 221, 222, 224, 225, 227, 229,
        231, 232, 234, 236, 237, 239, 240, 242, 244, 245, 246, 248, 250, 251, 252, 254,
    };
    uint32_t b = a ? 64 - uint32_t(__builtin_clzll(a)) : 0;  // fls64
    if (b < 7) return (uint32_t(v[uint32_t(a)]) + 35) >> 6;
    b = ((b * 84) >> 8) - 1;
    const uint32_t shift = uint32_t(a >> (b * 3));
    uint32_t x = uint32_t(uint32_t(v[shift] + 10) << b) >> 6;
    x = 2 * x + uint32_t(a / (uint64_t(x) * uint64_t(x - 1)));
    return (x * 341) >> 10;
}

// bictcp_update: ca->cnt, the ACKs per cwnd increment, from the cubic curve through W_max and
// the Reno estimate (TCP friendliness). False: the run stopped.
bool bictcp_update(Vm& vm, const char* fn, Bictcp& ca, uint32_t cwnd, uint32_t acked) {
    const uint32_t now = tcp_ca::jiffies32(vm), hz = tcp_ca::hz(vm);
    ca.ack_cnt += acked;
    if (ca.last_cwnd == cwnd && int32_t(now - ca.last_time) <= int32_t(hz / 32)) return true;
    // ca->cnt changes at most once a jiffy; a reduction (epoch_start = 0) forces it.
    if (!(ca.epoch_start && now == ca.last_time)) {
        ca.last_cwnd = cwnd;
        ca.last_time = now;
        if (ca.epoch_start == 0) {
            ca.epoch_start = now;
            ca.ack_cnt = acked;
            ca.tcp_cwnd = cwnd;
            if (ca.last_max_cwnd <= cwnd) {
                ca.bic_K = 0;
                ca.bic_origin_point = cwnd;
            } else {
                ca.bic_K = cubic_root(kCubeFactor * (ca.last_max_cwnd - cwnd));
                ca.bic_origin_point = ca.last_max_cwnd;
            }
        }
        // t: time since the epoch (plus the minimum delay), in 1/1024 s.
        uint64_t t = uint64_t(int64_t(int32_t(now - ca.epoch_start)));
        t += tcp_ca::usecs_to_jiffies(ca.delay_min, hz);
        t <<= kBictcpHz;
        t /= hz;
        const uint64_t offs = t < ca.bic_K ? ca.bic_K - t : t - ca.bic_K;
        const uint32_t delta = uint32_t((kCubeRttScale * offs * offs * offs) >> (10 + 3 * kBictcpHz));
        const uint32_t bic_target = t < ca.bic_K ? ca.bic_origin_point - delta : ca.bic_origin_point + delta;
        ca.cnt = bic_target > cwnd ? cwnd / (bic_target - cwnd) : 100 * cwnd;
        if (ca.last_max_cwnd == 0 && ca.cnt > 20) ca.cnt = 20;  // 5% a round until W_max is known
    }
    // TCP friendliness: never slower than Reno would be.
    const uint32_t delta = (cwnd * kCubicBetaScale) >> 3;
    if (delta == 0) {
        fail(vm, fn, "snd_cwnd is 0: bictcp_update's Reno estimate would loop forever (the kernel never runs with cwnd 0)");
        return false;
    }
    while (ca.ack_cnt > delta) {
        ca.ack_cnt -= delta;
        ca.tcp_cwnd++;
    }
    if (ca.tcp_cwnd > cwnd) {
        const uint32_t max_cnt = cwnd / (ca.tcp_cwnd - cwnd);
        if (ca.cnt > max_cnt) ca.cnt = max_cnt;
    }
    ca.cnt = std::max(ca.cnt, 2u);  // at most 1.5x per round
    return true;
}

// void cubictcp_init(struct sock *sk)
uint64_t cubictcp_init(Vm& vm, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "cubictcp_init";
    Bictcp ca{};
    if (!tcp_ca::load_priv(vm, kName, sk, ca)) return 0;
    bictcp_reset(ca);
    if (!bictcp_hystart_reset(vm, kName, sk, ca)) return 0;
    tcp_ca::store_priv(vm, kName, sk, ca);
    return 0;
}

// void cubictcp_cwnd_event(struct sock *sk, enum tcp_ca_event event): after an idle period
// (CA_EVENT_TX_START), the epoch moves on by the idle time so the curve does not jump.
uint64_t cubictcp_cwnd_event(Vm& vm, uint64_t sk, uint64_t event, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "cubictcp_cwnd_event";
    if (uint32_t(event) != tcp_ca::kEventTxStart) return 0;
    Bictcp ca{};
    uint64_t lsndtime = 0;
    if (!tcp_ca::load_priv(vm, kName, sk, ca) || !tcp_ca::read(vm, kName, sk, "lsndtime", lsndtime)) return 0;
    const uint32_t now = tcp_ca::jiffies32(vm);
    const int32_t delta = int32_t(now - uint32_t(lsndtime));
    if (ca.epoch_start && delta > 0) {
        ca.epoch_start += uint32_t(delta);
        if (cubic_after(ca.epoch_start, now)) ca.epoch_start = now;
    }
    tcp_ca::store_priv(vm, kName, sk, ca);
    return 0;
}

// void cubictcp_cong_avoid(struct sock *sk, u32 ack, u32 acked)
uint64_t cubictcp_cong_avoid(Vm& vm, uint64_t sk, uint64_t, uint64_t acked_arg, uint64_t, uint64_t) {
    constexpr const char* kName = "cubictcp_cong_avoid";
    const auto left = tcp_ca::slow_start_first(vm, kName, sk, uint32_t(acked_arg));
    if (!left) return 0;
    Bictcp ca{};
    if (!tcp_ca::load_priv(vm, kName, sk, ca) || !bictcp_update(vm, kName, ca, left->cwnd, left->acked)) return 0;
    if (!tcp_ca::store_priv(vm, kName, sk, ca)) return 0;
    tcp_ca::cong_avoid_ai(vm, kName, sk, ca.cnt, left->acked);
    return 0;
}

// u32 cubictcp_recalc_ssthresh(struct sock *sk): the epoch ends; W_max is remembered (lowered
// further when the window had not regrown to it: fast convergence); cwnd * 717 / 1024.
uint64_t cubictcp_recalc_ssthresh(Vm& vm, uint64_t sk, uint64_t, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "cubictcp_recalc_ssthresh";
    Bictcp ca{};
    uint64_t cwnd64 = 0;
    if (!tcp_ca::load_priv(vm, kName, sk, ca) || !tcp_ca::read(vm, kName, sk, "snd_cwnd", cwnd64)) return 0;
    const uint32_t cwnd = uint32_t(cwnd64);
    ca.epoch_start = 0;
    ca.last_max_cwnd = cwnd < ca.last_max_cwnd ? (cwnd * (kBetaScale1024 + kBeta)) / (2 * kBetaScale1024) : cwnd;
    if (!tcp_ca::store_priv(vm, kName, sk, ca)) return 0;
    return std::max((cwnd * kBeta) / kBetaScale1024, 2u);
}

// void cubictcp_state(struct sock *sk, u8 new_state): entering Loss starts over.
uint64_t cubictcp_state(Vm& vm, uint64_t sk, uint64_t new_state, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "cubictcp_state";
    if (uint8_t(new_state) != tcp_ca::kStateLoss) return 0;
    Bictcp ca{};
    if (!tcp_ca::load_priv(vm, kName, sk, ca)) return 0;
    bictcp_reset(ca);
    if (!bictcp_hystart_reset(vm, kName, sk, ca)) return 0;
    tcp_ca::store_priv(vm, kName, sk, ca);
    return 0;
}

// hystart_ack_delay: the TSO/GRO cushion, from the pacing rate (none unpaced).
std::optional<uint32_t> hystart_ack_delay(Vm& vm, const char* fn, uint64_t sk) {
    uint64_t rate = 0, gso_max = 0;
    if (!tcp_ca::read(vm, fn, sk, "sk_pacing_rate", rate)) return std::nullopt;
    if (!rate) return 0;
    if (!tcp_ca::read(vm, fn, sk, "sk_gso_max_size", gso_max)) return std::nullopt;
    return uint32_t(std::min<uint64_t>(1000, uint64_t(uint32_t(gso_max)) * 4 * 1'000'000 / rate));
}

// hystart_update: leave slow start (ssthresh = cwnd) once ACK trains stretch past half the
// minimum delay, or a round's minimum RTT rises by an eighth (4..16 ms) over delay_min.
bool hystart_update(Vm& vm, const char* fn, uint64_t sk, Bictcp& ca, uint32_t delay) {
    uint64_t snd_una = 0, now64 = 0, cwnd = 0, pacing_status = 0;
    if (!tcp_ca::read(vm, fn, sk, "snd_una", snd_una) || !tcp_ca::read(vm, fn, sk, "tcp_mstamp", now64) ||
        !tcp_ca::read(vm, fn, sk, "snd_cwnd", cwnd) || !tcp_ca::read(vm, fn, sk, "sk_pacing_status", pacing_status))
        return false;
    if (cubic_after(uint32_t(snd_una), ca.end_seq) && !bictcp_hystart_reset(vm, fn, sk, ca)) return false;
    const uint32_t now = uint32_t(now64);
    if (int32_t(now - ca.last_ack) <= kHystartAckDeltaUs) {  // the ACK train goes on
        ca.last_ack = now;
        const auto ack_delay = hystart_ack_delay(vm, fn, sk);
        if (!ack_delay) return false;
        uint32_t threshold = ca.delay_min + *ack_delay;
        if (pacing_status == 0) threshold >>= 1;  // SK_PACING_NONE
        if (uint32_t(now - ca.round_start) > threshold) {
            ca.found = 1;
            if (!tcp_ca::write(vm, fn, sk, "snd_ssthresh", cwnd)) return false;
        }
    }
    if (ca.curr_rtt > delay) ca.curr_rtt = delay;
    if (ca.sample_cnt < kHystartMinSamples) {
        ca.sample_cnt++;
    } else if (ca.curr_rtt > ca.delay_min + std::clamp(ca.delay_min >> 3, kHystartDelayMin, kHystartDelayMax)) {
        ca.found = 1;
        if (!tcp_ca::write(vm, fn, sk, "snd_ssthresh", cwnd)) return false;
    }
    return true;
}

// void cubictcp_acked(struct sock *sk, const struct ack_sample *sample): delay_min, HyStart.
uint64_t cubictcp_acked(Vm& vm, uint64_t sk, uint64_t sample, uint64_t, uint64_t, uint64_t) {
    constexpr const char* kName = "cubictcp_acked";
    const uint8_t* s = tcp_ca::arg_bytes(vm, kName, sample, 12, "struct ack_sample");
    if (!s) return 0;
    int32_t rtt_us = 0;
    std::memcpy(&rtt_us, s + 4, 4);
    if (rtt_us < 0) return 0;  // a duplicate without a timestamp
    Bictcp ca{};
    if (!tcp_ca::load_priv(vm, kName, sk, ca)) return 0;
    const uint32_t now = tcp_ca::jiffies32(vm);
    if (ca.epoch_start && int32_t(now - ca.epoch_start) < int32_t(tcp_ca::hz(vm))) return 0;  // just after recovery
    const uint32_t delay = rtt_us ? uint32_t(rtt_us) : 1;
    if (ca.delay_min == 0 || ca.delay_min > delay) ca.delay_min = delay;
    uint64_t cwnd = 0, ssthresh = 0;
    if (!tcp_ca::read(vm, kName, sk, "snd_cwnd", cwnd) || !tcp_ca::read(vm, kName, sk, "snd_ssthresh", ssthresh))
        return 0;
    if (!ca.found && uint32_t(cwnd) < uint32_t(ssthresh) && uint32_t(cwnd) >= kHystartLowWindow &&
        !hystart_update(vm, kName, sk, ca, delay))
        return 0;
    tcp_ca::store_priv(vm, kName, sk, ca);
    return 0;
}

constexpr KfuncImpl kCubicKfuncImpls[] = {
    {"cubictcp_acked", cubictcp_acked},
    {"cubictcp_cong_avoid", cubictcp_cong_avoid},
    {"cubictcp_cwnd_event", cubictcp_cwnd_event},
    {"cubictcp_init", cubictcp_init},
    {"cubictcp_recalc_ssthresh", cubictcp_recalc_ssthresh},
    {"cubictcp_state", cubictcp_state},
};

}  // namespace

std::span<const KfuncImpl> cubic_kfunc_impls() { return kCubicKfuncImpls; }

}  // namespace bpfplay
