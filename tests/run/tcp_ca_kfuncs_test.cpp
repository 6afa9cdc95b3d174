// The kernel's CUBIC and DCTCP functions as kfuncs (core/run/tcp_cubic_kfuncs.cpp,
// tcp_dctcp_kfuncs.cpp), each called through the examples that hand their members on to them
// (examples/tcp_ca_cubic.c, tcp_ca_dctcp.c), on a socket state given member by member and
// icsk_ca_priv given byte by byte: exact cwnd, ssthresh and private state afterwards, worked
// out by hand from net/ipv4/tcp_cubic.c and tcp_dctcp.c (Linux 6.18, module defaults).
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/host/lfsr113.hpp"
#include "core/run/object_session.hpp"
#include "core/run/struct_ops_run.hpp"
#include "core/run/tcp_ca_flow.hpp"
#include "run/kfunc_test_util.hpp"

using namespace bpfplay;
using test::open_object;

namespace {

using Fields = std::vector<std::pair<std::string, uint64_t>>;

struct MemberCall {
    RunResult result;
    TcpCaCall call;
    uint64_t field(const std::string& name) const {
        for (const auto& [n, v] : call.fields)
            if (n == name) return v;
        FAIL("no field " << name);
        return 0;
    }
    uint32_t priv32(size_t off) const { return load_le<uint32_t>(call.ca_priv.data() + off); }
};

// The socket state a member runs on: these fields over the host socket's, icsk_ca_priv, and
// what a pointer argument points at.
MemberCall call_member(ObjectSession& s, const char* program, Fields fields, std::vector<uint8_t> priv,
                       std::vector<uint64_t> args = {}, std::vector<uint8_t> pointed = {}) {
    MemberCall m;
    m.call.fields = std::move(fields);
    priv.resize(104);
    m.call.ca_priv = std::move(priv);
    m.call.pointed = std::move(pointed);
    RunInput in;
    in.ctx.assign((args.size() + 1) * 8, 0);
    for (size_t i = 0; i < args.size(); ++i) std::memcpy(in.ctx.data() + (i + 1) * 8, &args[i], 8);
    in.tcp_ca = &m.call;
    m.result = s.run(program, in);
    if (m.result.status != RunStatus::Exited) FAIL(m.result.error->to_string());
    return m;
}

std::vector<uint8_t> priv_u32(std::initializer_list<std::pair<size_t, uint32_t>> values) {
    std::vector<uint8_t> p(104, 0);
    for (const auto& [off, v] : values) std::memcpy(p.data() + off, &v, 4);
    return p;
}

// struct bictcp's members' offsets.
constexpr size_t kCnt = 0, kLastMax = 4, kLastCwnd = 8, kLastTime = 12, kOrigin = 16, kK = 20, kDelayMin = 24,
                 kEpoch = 28, kAckCnt = 32, kTcpCwnd = 36, kSampleCnt = 42, kFound = 43, kRoundStart = 44,
                 kEndSeq = 48, kLastAck = 52, kCurrRtt = 56;
// struct dctcp's.
constexpr size_t kOldDelivered = 0, kOldDeliveredCe = 4, kPriorRcvNxt = 8, kAlpha = 12, kNextSeq = 16, kCeState = 20,
                 kLossCwnd = 24;

// tcp_jiffies32 at the default host's clock (1 s after boot, HZ 250: INITIAL_JIFFIES + 250).
constexpr uint32_t kJiffies = 4294892546u;

std::vector<uint8_t> ack_sample(uint32_t pkts, int32_t rtt_us, uint32_t in_flight) {
    std::vector<uint8_t> b(12);
    std::memcpy(b.data(), &pkts, 4);
    std::memcpy(b.data() + 4, &rtt_us, 4);
    std::memcpy(b.data() + 8, &in_flight, 4);
    return b;
}

}  // namespace

TEST_CASE("cubictcp_recalc_ssthresh: cwnd * 717 / 1024, W_max remembered, lowered by fast convergence") {
    auto s = open_object("public/examples/tcp_ca_cubic.o");
    MemberCall first = call_member(*s, "cubic_ssthresh", {{"snd_cwnd", 100}}, priv_u32({{kEpoch, 1234}}));
    CHECK(first.result.r0 == 70);  // 71700 / 1024
    CHECK(first.priv32(kLastMax) == 100);
    CHECK(first.priv32(kEpoch) == 0);
    // Below the last W_max: W_max = cwnd * (1024 + 717) / 2048 = 68.
    MemberCall again = call_member(*s, "cubic_ssthresh", {{"snd_cwnd", 80}}, priv_u32({{kLastMax, 100}}));
    CHECK(again.result.r0 == 56);
    CHECK(again.priv32(kLastMax) == 68);
    CHECK(call_member(*s, "cubic_ssthresh", {{"snd_cwnd", 2}}, {}).result.r0 == 2);
}

TEST_CASE("cubictcp_cong_avoid: slow start below ssthresh, then ca->cnt from the cubic curve") {
    auto s = open_object("public/examples/tcp_ca_cubic.o");
    const Fields limited = {{"is_cwnd_limited", 1}, {"snd_cwnd_clamp", 0xffffffff}, {"snd_cwnd_cnt", 0}};
    Fields slow = limited;
    slow.insert(slow.end(), {{"snd_cwnd", 10}, {"snd_ssthresh", 12}});
    MemberCall ss = call_member(*s, "cubic_cong_avoid", slow, {}, {0, 5});
    // tcp_slow_start takes 2 of the 5 (up to ssthresh); the 3 left go to congestion avoidance:
    // a new epoch at cwnd 12 with no W_max yet, cnt capped at 20.
    CHECK(ss.field("snd_cwnd") == 12);
    CHECK(ss.priv32(kEpoch) == kJiffies);
    CHECK(ss.priv32(kOrigin) == 12);
    CHECK(ss.priv32(kCnt) == 20);
    CHECK(ss.field("snd_cwnd_cnt") == 3);

    // After a loss at W_max 100, at cwnd 70: K = cubic_root(2^40 / 410 * 30) = 4316 (4.2 s, in
    // 1/1024 s); t = usecs_to_jiffies(10000 us) = 3 jiffies = 12/1024 s; the curve is at
    // 100 - 410 * 4304^3 >> 40 = 71, so cnt = 70 / (71 - 70) = 70.
    Fields ca = limited;
    ca.insert(ca.end(), {{"snd_cwnd", 70}, {"snd_ssthresh", 70}});
    MemberCall m = call_member(*s, "cubic_cong_avoid", ca, priv_u32({{kLastMax, 100}, {kDelayMin, 10000}}), {0, 1});
    CHECK(m.priv32(kK) == 4316);
    CHECK(m.priv32(kOrigin) == 100);
    CHECK(m.priv32(kCnt) == 70);
    CHECK(m.priv32(kLastCwnd) == 70);
    CHECK(m.priv32(kLastTime) == kJiffies);
    CHECK(m.priv32(kTcpCwnd) == 70);
    CHECK(m.priv32(kAckCnt) == 1);
    CHECK(m.field("snd_cwnd") == 70);
    CHECK(m.field("snd_cwnd_cnt") == 1);

    // Not cwnd-limited (and not in slow start): nothing changes.
    Fields idle = ca;
    idle[0].second = 0;
    MemberCall none = call_member(*s, "cubic_cong_avoid", idle, priv_u32({{kLastMax, 100}}), {0, 1});
    CHECK(none.priv32(kEpoch) == 0);
    CHECK(none.field("snd_cwnd_cnt") == 0);
}

TEST_CASE("cubictcp_acked: delay_min, and HyStart leaving slow start by ACK train or by delay") {
    auto s = open_object("public/examples/tcp_ca_cubic.o");
    const uint64_t now = 5'000'000;  // tcp_mstamp, us
    const Fields base = {{"snd_cwnd", 20}, {"snd_ssthresh", 0x7fffffff}, {"snd_una", 1000}, {"tcp_mstamp", now}};
    // Delay: the round's 9th sample, 15 ms against delay_min 10 ms + max(10000 >> 3, 4000).
    MemberCall delay = call_member(
        *s, "cubic_acked", base,
        priv_u32({{kDelayMin, 10000}, {kEndSeq, 5000}, {kLastAck, uint32_t(now - 3000)}, {kCurrRtt, 0xffffffff},
                  {kRoundStart, uint32_t(now - 3000)}, {40, 8u << 16}}),  // sample_cnt 8
        {}, ack_sample(1, 15000, 0));
    CHECK(delay.priv32(kCurrRtt) == 15000);
    CHECK(delay.call.ca_priv[kFound] == 1);
    CHECK(delay.field("snd_ssthresh") == 20);
    // Below the threshold (14 ms): still in slow start.
    MemberCall calm = call_member(
        *s, "cubic_acked", base,
        priv_u32({{kDelayMin, 10000}, {kEndSeq, 5000}, {kLastAck, uint32_t(now - 3000)}, {kCurrRtt, 0xffffffff},
                  {40, 8u << 16}}),
        {}, ack_sample(1, 14000, 0));
    CHECK(calm.call.ca_priv[kFound] == 0);
    CHECK(calm.field("snd_ssthresh") == 0x7fffffff);
    // ACK train: ACKs 1 ms apart for 6 ms of a round, past delay_min / 2 (unpaced).
    MemberCall train = call_member(
        *s, "cubic_acked", base,
        priv_u32({{kDelayMin, 10000}, {kEndSeq, 5000}, {kLastAck, uint32_t(now - 1000)},
                  {kRoundStart, uint32_t(now - 6000)}, {kCurrRtt, 0xffffffff}}),
        {}, ack_sample(1, 10000, 0));
    CHECK(train.priv32(kLastAck) == now);
    CHECK(train.call.ca_priv[kFound] == 1);
    CHECK(train.field("snd_ssthresh") == 20);
    CHECK(train.call.ca_priv[kSampleCnt] == 1);
    // Paced (3.8 MB/s, 64 KiB GSO): a cushion of min(1 ms, 65536 * 4 s / rate) joins delay_min,
    // so the train must run past (10000 + 1000) / 2 = 5.5 ms.
    Fields paced = base;
    paced.insert(paced.end(), {{"sk_pacing_rate", 3'800'000}, {"sk_gso_max_size", 65536}});
    auto train_for = [&](uint32_t since_round_start) {
        return call_member(*s, "cubic_acked", paced,
                           priv_u32({{kDelayMin, 10000}, {kEndSeq, 5000}, {kLastAck, uint32_t(now - 500)},
                                     {kRoundStart, uint32_t(now - since_round_start)}, {kCurrRtt, 0xffffffff}}),
                           {}, ack_sample(1, 10000, 0));
    };
    CHECK(train_for(5500).call.ca_priv[kFound] == 0);
    CHECK(train_for(5501).call.ca_priv[kFound] == 1);
    // A smaller delay lowers delay_min; a negative rtt_us (no sample) changes nothing.
    MemberCall lower = call_member(*s, "cubic_acked", {{"snd_cwnd", 10}, {"tcp_mstamp", now}},
                                   priv_u32({{kDelayMin, 10000}}), {}, ack_sample(1, 7000, 0));
    CHECK(lower.priv32(kDelayMin) == 7000);
    MemberCall none = call_member(*s, "cubic_acked", {{"snd_cwnd", 10}}, priv_u32({{kDelayMin, 10000}}), {},
                                  ack_sample(1, -1, 0));
    CHECK(none.priv32(kDelayMin) == 10000);
}

TEST_CASE("cubictcp_state and cubictcp_cwnd_event: Loss starts over; idle time shifts the epoch") {
    auto s = open_object("public/examples/tcp_ca_cubic.o");
    const std::vector<uint8_t> busy = priv_u32({{kCnt, 7}, {kLastMax, 90}, {kEpoch, 99}, {kTcpCwnd, 40}, {40, 0x01050000u}});
    MemberCall loss = call_member(*s, "cubic_set_state", {{"snd_nxt", 777}, {"tcp_mstamp", 123456}}, busy, {4});
    for (size_t off = 0; off < 40; off += 4) CHECK(loss.priv32(off) == 0);
    CHECK(loss.call.ca_priv[kFound] == 0);
    CHECK(loss.call.ca_priv[kSampleCnt] == 0);
    CHECK(loss.priv32(kRoundStart) == 123456);
    CHECK(loss.priv32(kLastAck) == 123456);
    CHECK(loss.priv32(kEndSeq) == 777);
    CHECK(loss.priv32(kCurrRtt) == 0xffffffff);
    MemberCall recovery = call_member(*s, "cubic_set_state", {}, busy, {3});
    CHECK(recovery.call.ca_priv == busy);

    // CA_EVENT_TX_START after 10 jiffies idle: the epoch moves 10 on.
    MemberCall idle = call_member(*s, "cubic_cwnd_event", {{"lsndtime", kJiffies - 10}},
                                  priv_u32({{kEpoch, kJiffies - 100}}), {0});
    CHECK(idle.priv32(kEpoch) == kJiffies - 90);
    // ... but never past now.
    MemberCall capped = call_member(*s, "cubic_cwnd_event", {{"lsndtime", kJiffies - 20}},
                                    priv_u32({{kEpoch, kJiffies - 5}}), {0});
    CHECK(capped.priv32(kEpoch) == kJiffies);
    MemberCall other = call_member(*s, "cubic_cwnd_event", {{"lsndtime", kJiffies - 20}},
                                   priv_u32({{kEpoch, kJiffies - 5}}), {3});
    CHECK(other.priv32(kEpoch) == kJiffies - 5);
}

TEST_CASE("dctcp_init: alpha at its maximum on an ECN socket; a socket without ECN is left alone") {
    auto s = open_object("public/examples/tcp_ca_dctcp.o");
    MemberCall ecn = call_member(
        *s, "dctcp_bpf_init",
        {{"ecn_flags", 1}, {"snd_nxt", 5000}, {"delivered", 7}, {"delivered_ce", 2}, {"rcv_nxt", 900}}, {});
    CHECK(ecn.priv32(kAlpha) == 1024);
    CHECK(ecn.priv32(kNextSeq) == 5000);
    CHECK(ecn.priv32(kOldDelivered) == 7);
    CHECK(ecn.priv32(kOldDeliveredCe) == 2);
    CHECK(ecn.priv32(kPriorRcvNxt) == 900);
    MemberCall plain = call_member(*s, "dctcp_bpf_init", {{"ecn_flags", 0}}, priv_u32({{kAlpha, 5}}));
    CHECK(plain.priv32(kAlpha) == 5);
    REQUIRE(plain.result.host_events.size() == 1);
    CHECK(plain.result.host_events[0].text.starts_with("the socket did not negotiate ECN"));
}

TEST_CASE("dctcp_update_alpha: once a round, alpha = 15/16 alpha + marked / delivered (of 1024)") {
    auto s = open_object("public/examples/tcp_ca_dctcp.o");
    const Fields end = {{"snd_una", 150}, {"snd_nxt", 300}, {"delivered", 30}, {"delivered_ce", 5}};
    // 1024 - 1024/16 = 960; 5 of 20 delivered marked: (5 << 6) / 20 = 16; alpha 976.
    MemberCall m = call_member(*s, "dctcp_bpf_in_ack_event", end,
                               priv_u32({{kAlpha, 1024}, {kNextSeq, 100}, {kOldDelivered, 10}}), {2});
    CHECK(m.priv32(kAlpha) == 976);
    CHECK(m.priv32(kNextSeq) == 300);
    CHECK(m.priv32(kOldDelivered) == 30);
    CHECK(m.priv32(kOldDeliveredCe) == 5);
    // All 20 marked: 960 + 64 = 1024, which the program counts.
    Fields all = end;
    all[3].second = 20;
    MemberCall full = call_member(*s, "dctcp_bpf_in_ack_event", all,
                                  priv_u32({{kAlpha, 1024}, {kNextSeq, 100}, {kOldDelivered, 10}}), {2});
    CHECK(full.priv32(kAlpha) == 1024);
    std::vector<uint8_t> bss(4);
    REQUIRE(s->object().maps->find("tcp_ca_d.bss")->lookup_user(test::bytes(0u), bss) == 0);
    CHECK(load_le<uint32_t>(bss.data()) == 1);  // fully_marked_rounds
    // Mid-round (snd_una before next_seq): nothing changes.
    MemberCall mid = call_member(*s, "dctcp_bpf_in_ack_event", end, priv_u32({{kAlpha, 1024}, {kNextSeq, 200}}), {2});
    CHECK(mid.priv32(kAlpha) == 1024);
    CHECK(mid.priv32(kNextSeq) == 200);
    // No marks: alpha decays by a 16th (at least 1: min_not_zero).
    MemberCall decay = call_member(*s, "dctcp_bpf_in_ack_event", {{"snd_una", 150}, {"delivered", 30}},
                                   priv_u32({{kAlpha, 15}, {kNextSeq, 100}}), {2});
    CHECK(decay.priv32(kAlpha) == 0);  // 15 - min_not_zero(15, 0) = 0
}

TEST_CASE("dctcp_ssthresh, dctcp_state, dctcp_cwnd_event, dctcp_cwnd_undo") {
    auto s = open_object("public/examples/tcp_ca_dctcp.o");
    // 40 - (40 * 976 >> 11) = 40 - 19.
    MemberCall ss = call_member(*s, "dctcp_bpf_ssthresh", {{"snd_cwnd", 40}}, priv_u32({{kAlpha, 976}}));
    CHECK(ss.result.r0 == 21);
    CHECK(ss.priv32(kLossCwnd) == 40);
    CHECK(call_member(*s, "dctcp_bpf_ssthresh", {{"snd_cwnd", 3}}, priv_u32({{kAlpha, 1024}})).result.r0 == 2);

    // Entering Recovery is a loss: ssthresh = cwnd / 2; again while in it, nothing.
    MemberCall rec = call_member(*s, "dctcp_bpf_set_state", {{"snd_cwnd", 40}, {"snd_ssthresh", 99}, {"icsk_ca_state", 0}},
                                 {}, {3});
    CHECK(rec.field("snd_ssthresh") == 20);
    CHECK(rec.priv32(kLossCwnd) == 40);
    MemberCall same = call_member(*s, "dctcp_bpf_set_state",
                                  {{"snd_cwnd", 40}, {"snd_ssthresh", 99}, {"icsk_ca_state", 3}}, {}, {3});
    CHECK(same.field("snd_ssthresh") == 99);
    // CA_EVENT_LOSS (an RTO) too.
    MemberCall loss = call_member(*s, "dctcp_bpf_cwnd_event", {{"snd_cwnd", 9}, {"snd_ssthresh", 99}}, {}, {3});
    CHECK(loss.field("snd_ssthresh") == 4);

    // The receiver's CE state flips to 1 with a delayed ACK pending: that ACK goes first (for the
    // old state: DEMAND_CWR cleared), then an immediate ACK is asked for and DEMAND_CWR set.
    MemberCall ce = call_member(*s, "dctcp_bpf_cwnd_event",
                                {{"ecn_flags", 1}, {"icsk_ack.pending", 2}, {"rcv_nxt", 4242}},
                                priv_u32({{kPriorRcvNxt, 4000}}), {5});
    CHECK(ce.priv32(kCeState) == 1);
    CHECK(ce.priv32(kPriorRcvNxt) == 4242);
    CHECK(ce.field("ecn_flags") == 1 + 4);
    CHECK(ce.field("icsk_ack.pending") == 2 + 16);
    REQUIRE(ce.result.host_events.size() == 1);
    CHECK(ce.result.host_events[0].text ==
          "the delayed ACK for the old CE state is sent now (__tcp_send_ack), acknowledging up to 4000");
    // Back to no CE: DEMAND_CWR cleared, no delayed ACK pending so none sent.
    MemberCall no_ce = call_member(*s, "dctcp_bpf_cwnd_event", {{"ecn_flags", 5}, {"icsk_ack.pending", 0}},
                                   priv_u32({{kCeState, 1}}), {4});
    CHECK(no_ce.priv32(kCeState) == 0);
    CHECK(no_ce.field("ecn_flags") == 1);
    CHECK(no_ce.field("icsk_ack.pending") == 16);

    CHECK(call_member(*s, "dctcp_bpf_undo_cwnd", {{"snd_cwnd", 10}}, priv_u32({{kLossCwnd, 40}})).result.r0 == 40);
    CHECK(call_member(*s, "dctcp_bpf_undo_cwnd", {{"snd_cwnd", 50}}, priv_u32({{kLossCwnd, 40}})).result.r0 == 50);
}

TEST_CASE("BBR's kfuncs bpfplay runs: bbr_ssthresh, bbr_undo_cwnd, bbr_sndbuf_expand, bbr_min_tso_segs") {
    auto s = open_object("tests/run/bpf/tcp_ca_bbr_parts.o");
    CHECK(call_member(*s, "parts_sndbuf_expand", {}, {}).result.r0 == 3);
    // Below 1.2 Mbit/s of pacing (150000 bytes/s): one segment per TSO burst, else two.
    CHECK(call_member(*s, "parts_min_tso_segs", {{"sk_pacing_rate", 149999}}, {}).result.r0 == 1);
    CHECK(call_member(*s, "parts_min_tso_segs", {{"sk_pacing_rate", 150000}}, {}).result.r0 == 2);

    // struct bbr: prior_cwnd at 80; prev_ca_state is bits 3-5 of the u32 at 56.
    MemberCall open_state = call_member(*s, "parts_ssthresh", {{"snd_cwnd", 30}, {"snd_ssthresh", 77}},
                                        priv_u32({{80, 50}}));
    CHECK(open_state.result.r0 == 77);  // ssthresh unchanged: BBR does not cut on loss here
    CHECK(open_state.priv32(80) == 30);  // the last good cwnd
    MemberCall in_recovery = call_member(*s, "parts_ssthresh", {{"snd_cwnd", 30}, {"snd_ssthresh", 77}},
                                         priv_u32({{56, 3u << 3}, {80, 50}}));
    CHECK(in_recovery.priv32(80) == 50);  // recovery cut cwnd: keep the larger
    MemberCall probe_rtt = call_member(*s, "parts_ssthresh", {{"snd_cwnd", 60}, {"snd_ssthresh", 77}},
                                       priv_u32({{56, 3u}, {80, 50}}));  // mode BBR_PROBE_RTT
    CHECK(probe_rtt.priv32(80) == 60);

    // Undo: full_bw (84) and full_bw_cnt (bits 21-22 at 76) cleared; long-term sampling reset:
    // lt_bw (60) 0, lt_use_bw / lt_is_sampling / lt_rtt_cnt (bits 31, 23, 24-30 at 56) 0,
    // lt_last_stamp = delivered_mstamp in ms, lt_last_delivered, lt_last_lost. Mode and
    // pacing_gain stay.
    MemberCall undo = call_member(
        *s, "parts_undo_cwnd",
        {{"snd_cwnd", 25}, {"delivered_mstamp", 7'654'321}, {"delivered", 42}, {"lost", 3}},
        priv_u32({{56, 2u | 1u << 23 | 9u << 24 | 1u << 31}, {60, 5}, {76, 256u | 3u << 21}, {84, 1000}}));
    CHECK(undo.result.r0 == 25);
    CHECK(undo.priv32(56) == 2);
    CHECK(undo.priv32(60) == 0);
    CHECK(undo.priv32(64) == 42);
    CHECK(undo.priv32(68) == 7654);
    CHECK(undo.priv32(72) == 3);
    CHECK(undo.priv32(76) == 256);
    CHECK(undo.priv32(84) == 0);
}

TEST_CASE("bbr_init: STARTUP, min_rtt from the socket, pacing at 2.885 * cwnd / RTT, pacing asked for") {
    auto s = open_object("tests/run/bpf/tcp_ca_bbr_parts.o");
    std::vector<uint8_t> dirty(104, 0xff);
    // srtt_us 8000 (<< 3): RTT 1 ms. bw = 10 << 24 / 1000 = 167772; the rate is
    // ((167772 * 1448 * 739) >> 8) * 990000 >> 24 = 41381651 bytes/s.
    MemberCall m = call_member(*s, "parts_init",
                               {{"snd_cwnd", 10}, {"srtt_us", 8000}, {"mss_cache", 1448}, {"delivered", 5},
                                {"rtt_min", uint64_t(777) << 32}, {"tcp_mstamp", 123456}, {"sk_pacing_status", 0},
                                {"sk_max_pacing_rate", ~0ull}, {"sk_pacing_rate", 0}, {"snd_ssthresh", 10},
                                {"delivered_mstamp", 4'000'999}, {"lost", 2}},
                               dirty);
    CHECK(m.field("sk_pacing_rate") == 41381651);
    CHECK(m.field("snd_ssthresh") == 0x7fffffff);
    CHECK(m.field("sk_pacing_status") == 1);
    CHECK(m.priv32(0) == 777);               // min_rtt_us: tcp_min_rtt()
    CHECK(m.priv32(4) == kJiffies);          // min_rtt_stamp
    CHECK(m.priv32(8) == 0);                 // probe_rtt_done_stamp
    for (size_t off = 12; off < 36; off += 4) CHECK(m.priv32(off) == 0);  // the bw filter
    CHECK(m.priv32(36) == 0);                // rtt_cnt
    CHECK(m.priv32(40) == 5);                // next_rtt_delivered = tp->delivered
    CHECK(m.priv32(48) == 0);                // cycle_mstamp
    CHECK(m.priv32(52) == 0);
    // mode STARTUP, prev_ca_state Open, the flags cleared; the 13 unused bits left as they were.
    CHECK(m.priv32(56) == 0x007ffc00u);
    CHECK(m.priv32(60) == 0);                // lt_bw
    CHECK(m.priv32(64) == 5);                // lt_last_delivered
    CHECK(m.priv32(68) == 4000);             // lt_last_stamp: delivered_mstamp in ms
    CHECK(m.priv32(72) == 2);                // lt_last_lost
    // pacing_gain and cwnd_gain untouched, full_bw_reached / full_bw_cnt / cycle_idx 0, has_seen_rtt 1.
    CHECK(m.priv32(76) == 0xfc0fffffu);
    CHECK(m.priv32(80) == 0);                // prior_cwnd
    CHECK(m.priv32(84) == 0);                // full_bw
    CHECK(m.priv32(88) == 123456);           // ack_epoch_mstamp
    CHECK(m.priv32(92) == 0);
    CHECK(m.priv32(96) == 0);                // extra_acked[0], [1]
    CHECK(m.priv32(100) == 0xfc000000u);     // ack_epoch_acked, the extra_acked window: 0

    // No RTT sample yet: 1 ms assumed, has_seen_rtt 0; pacing already asked for stays so.
    MemberCall fresh = call_member(*s, "parts_init",
                                   {{"snd_cwnd", 20}, {"srtt_us", 0}, {"mss_cache", 1448}, {"sk_pacing_status", 2},
                                    {"sk_max_pacing_rate", ~0ull}, {"sk_pacing_rate", 0}},
                                   {});
    CHECK(fresh.field("sk_pacing_rate") == 82763302);
    CHECK(fresh.field("sk_pacing_status") == 2);  // SK_PACING_FQ: the cmpxchg from NONE fails
    CHECK((fresh.priv32(76) >> 26 & 1) == 0);
    // sk_max_pacing_rate caps it.
    MemberCall capped = call_member(*s, "parts_init",
                                    {{"snd_cwnd", 20}, {"mss_cache", 1448}, {"sk_max_pacing_rate", 1000000},
                                     {"sk_pacing_rate", 0}},
                                    {});
    CHECK(capped.field("sk_pacing_rate") == 1000000);
}

TEST_CASE("bbr_set_state: an RTO ends a round with a loss, feeding the long-term policer detector") {
    auto s = open_object("tests/run/bpf/tcp_ca_bbr_parts.o");
    const std::vector<uint8_t> quiet = priv_u32({{84, 500}});
    CHECK(call_member(*s, "parts_set_state", {}, quiet, {3}).call.ca_priv == quiet);  // Recovery: nothing
    // The first loss starts sampling: prev_ca_state Loss, round_start, lt_is_sampling, and this
    // round counted (lt_rtt_cnt 1); the interval starts at delivered_mstamp 2.5 s, 70 delivered, 4 lost.
    MemberCall first = call_member(*s, "parts_set_state", {{"delivered_mstamp", 2'500'000}, {"delivered", 70}, {"lost", 4}},
                                   quiet, {4});
    CHECK(first.priv32(56) == 0x018000a0u);
    CHECK(first.priv32(84) == 0);  // full_bw
    CHECK(first.priv32(64) == 70);
    CHECK(first.priv32(68) == 2500);
    CHECK(first.priv32(72) == 4);
    // Four rounds on: 30 of 100 lost (over 50/256) in 2 s: lt_bw = 100 << 24 / 2000000 = 838.
    const Fields later = {{"delivered_mstamp", 3'000'000}, {"delivered", 100}, {"lost", 30}, {"mss_cache", 1448}};
    MemberCall interval = call_member(*s, "parts_set_state", later,
                                      priv_u32({{56, 1u << 23 | 3u << 24}, {68, 1000}}), {4});
    CHECK(interval.priv32(60) == 838);
    CHECK(interval.priv32(64) == 100);     // the next interval starts here
    CHECK(interval.priv32(68) == 3000);
    CHECK(interval.priv32(72) == 30);
    CHECK((interval.priv32(56) >> 24 & 0x7f) == 0);
    CHECK((interval.priv32(56) >> 31) == 0);
    // A second interval as fast: policed. lt_bw the average, lt_use_bw, pacing_gain 1.0 (256).
    const Fields again = {{"delivered_mstamp", 5'000'000}, {"delivered", 200}, {"lost", 60}, {"mss_cache", 1448}};
    MemberCall policed = call_member(*s, "parts_set_state", again,
                                     priv_u32({{56, 1u << 23 | 3u << 24}, {60, 838}, {64, 100}, {68, 3000}, {72, 30}}),
                                     {4});
    CHECK(policed.priv32(60) == 838);
    CHECK((policed.priv32(56) >> 31) == 1);
    CHECK((policed.priv32(76) & 0x3ff) == 256);
    CHECK((policed.priv32(56) >> 24 & 0x7f) == 0);
}

TEST_CASE("bbr_cwnd_event: restarting from idle while app-limited") {
    auto s = open_object("tests/run/bpf/tcp_ca_bbr_parts.o");
    const std::vector<uint8_t> probe_bw = priv_u32({{16, 838}, {56, 2u}, {76, 1u << 20 | 1u << 26}});
    const Fields idle = {{"app_limited", 5}, {"tcp_mstamp", 777000}, {"mss_cache", 1448},
                         {"sk_max_pacing_rate", ~0ull}, {"sk_pacing_rate", 99'999'999}, {"srtt_us", 8000}};
    // PROBE_BW with full bandwidth reached: pace at the estimate, 838 * 1448 * 0.99 >> 24 = 71602 B/s.
    MemberCall paced = call_member(*s, "parts_cwnd_event", idle, probe_bw, {0});
    CHECK(paced.field("sk_pacing_rate") == 71602);
    CHECK((paced.priv32(56) >> 8 & 1) == 1);  // idle_restart
    CHECK(paced.priv32(88) == 777000);         // ack_epoch_mstamp
    // Not app-limited, or another event: nothing.
    Fields busy = idle;
    busy[0].second = 0;
    CHECK(call_member(*s, "parts_cwnd_event", busy, probe_bw, {0}).call.ca_priv == priv_u32({{16, 838}, {56, 2u}, {76, 1u << 20 | 1u << 26}}));
    CHECK(call_member(*s, "parts_cwnd_event", idle, probe_bw, {3}).field("sk_pacing_rate") == 99'999'999);
    // PROBE_RTT whose 200 ms are over: min_rtt_stamp now, cwnd back to prior_cwnd, STARTUP again
    // (the pipe was never full).
    MemberCall rtt_done = call_member(*s, "parts_cwnd_event", {{"app_limited", 1}, {"snd_cwnd", 4}},
                                      priv_u32({{8, kJiffies - 1}, {56, 3u}, {80, 40}}), {0});
    CHECK(rtt_done.field("snd_cwnd") == 40);
    CHECK(rtt_done.priv32(4) == kJiffies);
    CHECK((rtt_done.priv32(56) & 7) == 0);
    // With the pipe full it goes back to PROBE_BW at a random phase of the gain cycle (bpfplay
    // draws from the host's prandom stream, the kernel from get_random_u32_below(7)), then one on.
    auto fresh = open_object("tests/run/bpf/tcp_ca_bbr_parts.o");
    const uint32_t draw = uint32_t((uint64_t(Lfsr113(fresh->host().prandom_seed).next()) * 7) >> 32);
    MemberCall full = call_member(*fresh, "parts_cwnd_event",
                                  {{"app_limited", 1}, {"snd_cwnd", 4}, {"delivered_mstamp", 9'999}},
                                  priv_u32({{8, kJiffies - 1}, {56, 3u}, {76, 1u << 20}, {80, 40}}), {0});
    CHECK((full.priv32(56) & 7) == 2);
    CHECK((full.priv32(76) >> 23 & 7) == ((8 - draw) & 7));
    CHECK(full.priv32(48) == 9999);  // cycle_mstamp
    // ... not over yet: still PROBE_RTT.
    MemberCall rtt_wait = call_member(*s, "parts_cwnd_event", {{"app_limited", 1}, {"snd_cwnd", 4}},
                                      priv_u32({{8, kJiffies + 10}, {56, 3u}, {80, 40}}), {0});
    CHECK(rtt_wait.field("snd_cwnd") == 4);
    CHECK((rtt_wait.priv32(56) & 7) == 3);
}

namespace {
// struct rate_sample as Linux 6.18 lays it out (the kernel's BTF): the members bbr_main reads.
std::vector<uint8_t> rate_sample(int32_t delivered, int64_t interval_us, uint32_t prior_delivered, uint32_t acked_sacked,
                                 uint32_t prior_in_flight, int64_t rtt_us) {
    std::vector<uint8_t> rs(72, 0);  // sizeof(struct rate_sample)
    std::memcpy(rs.data() + 8, &prior_delivered, 4);
    std::memcpy(rs.data() + 16, &delivered, 4);
    std::memcpy(rs.data() + 24, &interval_us, 8);
    std::memcpy(rs.data() + 40, &rtt_us, 8);
    std::memcpy(rs.data() + 52, &acked_sacked, 4);
    std::memcpy(rs.data() + 56, &prior_in_flight, 4);
    return rs;
}
}  // namespace

TEST_CASE("bbr_main: a STARTUP ACK: bandwidth sample, min_rtt, high-gain pacing and cwnd growth") {
    auto s = open_object("public/examples/tcp_ca_bbr.o");
    // Just after bbr_init: STARTUP, no RTT yet (min_rtt_us ~0), next_rtt_delivered 0, has_seen_rtt.
    const std::vector<uint8_t> fresh = priv_u32({{0, 0xffffffff}, {4, kJiffies}, {76, 1u << 26}, {88, 100000}});
    const Fields tp = {{"snd_cwnd", 10},        {"snd_cwnd_clamp", 0xffffffff}, {"mss_cache", 1448},
                       {"icsk_ca_state", 0},    {"packets_out", 9},            {"delivered", 5},
                       {"delivered_mstamp", 110000}, {"tcp_clock_cache", 110000000}, {"srtt_us", 80000},
                       {"sk_pacing_rate", 0},   {"sk_pacing_shift", 10},       {"sk_max_pacing_rate", ~0ull},
                       {"snd_ssthresh", 0x7fffffff}};
    MemberCall m = call_member(*s, "bbr_bpf_cong_control", tp, fresh, {1000, 0x404},
                               rate_sample(5, 10000, 0, 1, 10, 10000));
    // A round ended (prior_delivered 0 >= next_rtt_delivered 0): rtt_cnt 1, next round at 5.
    CHECK(m.priv32(36) == 1);
    CHECK(m.priv32(40) == 5);
    // 5 segments in 10 ms: 5 << 24 / 10000 = 8388 (packets/us << 24) fills the max filter.
    for (size_t i = 0; i < 3; ++i) {
        CHECK(m.priv32(12 + 8 * i) == 1);
        CHECK(m.priv32(16 + 8 * i) == 8388);
    }
    CHECK(m.priv32(84) == 8388);    // full_bw: the first round's bandwidth
    CHECK(m.priv32(0) == 10000);    // min_rtt_us
    // pacing_gain and cwnd_gain 739 (STARTUP), has_seen_rtt kept.
    CHECK(m.priv32(76) == (739u | 739u << 10 | 1u << 26));
    // ((8388 * 1448 * 739) >> 8) * 990000 >> 24.
    CHECK(m.field("sk_pacing_rate") == 2068934);
    // Target: bdp = ceil(8388 * 10000 * 739 / 256 / 2^24) = 15, + 3 TSO bursts of 2, even: 22;
    // below it, cwnd grows by what was ACKed: 11.
    CHECK(m.field("snd_cwnd") == 11);
    // ACK aggregation: 4 segments expected in 10 ms at 8388, fewer ACKed: a new epoch now.
    CHECK(m.priv32(88) == 110000);
    CHECK((m.priv32(96) & 0xffff) == 1);
    CHECK((m.priv32(100) & 0xfffff) == 1);
}

TEST_CASE("bbr_main: a third round without 25% more bandwidth fills the pipe: DRAIN") {
    auto s = open_object("public/examples/tcp_ca_bbr.o");
    // STARTUP at 8388 for two rounds already (full_bw_cnt 2), min_rtt 10 ms, pacing/cwnd gain 739.
    const std::vector<uint8_t> startup =
        priv_u32({{0, 10000}, {4, kJiffies}, {12, 1}, {16, 8388}, {20, 1}, {24, 8388}, {28, 1}, {32, 8388}, {36, 1},
                  {40, 20}, {76, 739u | 739u << 10 | 2u << 21 | 1u << 26}, {84, 8388}, {88, 100000}});
    const Fields tp = {{"snd_cwnd", 40},           {"snd_cwnd_clamp", 0xffffffff}, {"mss_cache", 1448},
                       {"icsk_ca_state", 0},       {"packets_out", 20},           {"delivered", 25},
                       {"delivered_mstamp", 110000}, {"tcp_clock_cache", 110000000}, {"srtt_us", 80000},
                       {"sk_pacing_rate", 2068934}, {"sk_pacing_shift", 10},       {"sk_max_pacing_rate", ~0ull},
                       {"snd_ssthresh", 0x7fffffff}};
    MemberCall m = call_member(*s, "bbr_bpf_cong_control", tp, startup, {1000, 0x404},
                               rate_sample(5, 10000, 20, 1, 20, 10000));
    // The same 8388 is under full_bw * 1.25: the third such round sets full_bw_reached.
    CHECK((m.priv32(76) >> 20 & 1) == 1);
    CHECK((m.priv32(76) >> 21 & 3) == 3);
    // DRAIN (mode 1), ssthresh = bbr_inflight(bw, 1.0) = ceil(8388 * 10000 / 2^24) = 5, + 3 * 2, even: 12.
    CHECK((m.priv32(56) & 7) == 1);
    CHECK(m.field("snd_ssthresh") == 12);
    // 20 in flight (+ a TSO burst at gain > 1) is above 12: DRAIN goes on, paced at 88/256.
    CHECK((m.priv32(76) & 0x3ff) == 88);
    CHECK(m.field("sk_pacing_rate") == 246368);  // ((8388 * 1448 * 88) >> 8) * 990000 >> 24
    // cwnd: the pipe is full, so at most the target: 15 + 1 segment of ACK aggregation, + 6, even: 22.
    CHECK(m.field("snd_cwnd") == 22);
}
