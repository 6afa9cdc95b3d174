// The TCP flow (core/run/tcp_ca_flow.hpp): a host script of ACKs and losses played through a
// BPF congestion control's members in the kernel's order (tcp_input.c, tcp_cong.c), the
// tcp_sock's snd_cwnd / snd_ssthresh / icsk_ca_state reported per step.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/host/host_json.hpp"
#include "core/run/object_session.hpp"
#include "core/run/tcp_ca_flow.hpp"
#include "run/kfunc_test_util.hpp"

using namespace bpfplay;
using test::open_object;

namespace {

struct Row {
    std::string what;
    uint32_t cwnd, ssthresh;
    std::string state;
    uint32_t in_flight;
    friend bool operator==(const Row&, const Row&) = default;
};

std::vector<Row> rows_of(const TcpFlowReport& report) {
    std::vector<Row> out;
    for (const TcpFlowRow& r : report.rows)
        out.push_back({r.what, r.snd_cwnd, r.snd_ssthresh, tcp_ca_state_name(r.ca_state), r.in_flight});
    return out;
}

TcpFlowReport play(ObjectSession& s, const std::string& host_json) {
    REQUIRE(apply_host_json(s.host(), host_json).ok());
    REQUIRE(s.host().tcp_flow);
    auto report = run_tcp_ca_flow(s, *s.host().tcp_flow, kDefaultBudget);
    REQUIRE(report.ok());
    if (report.value().error) FAIL(report.value().error->to_string());
    return std::move(report).value();
}

}  // namespace

// The socket the flows run on: established, 10.0.0.2:8080 <- 10.0.0.1:40000, 1448-byte segments.
std::string flow_host(const std::string& tcp, const std::string& flow) {
    return R"({"sockets": [{"protocol": "tcp", "local_addr": "10.0.0.2", "local_port": 8080,
                           "remote_addr": "10.0.0.1", "remote_port": 40000, "tcp": )" +
           tcp + R"(}], "tcp_flow": )" + flow + "}";
}

// The flow Reno and CUBIC are compared on: cwnd 10 below ssthresh 40, five rounds, a fast
// retransmit, two rounds, an RTO, six rounds.
const char* const kStartAt10Of40 = R"({"snd_cwnd": 10, "snd_ssthresh": 40, "mss_cache": 1448})";
const char* const kRoundsWithBothLosses =
    R"({"rtt_us": 10000, "steps": [{"rounds": 5}, {"loss": "fast_retransmit"}, {"rounds": 2},
                                   {"loss": "rto"}, {"rounds": 6}]})";

TEST_CASE("TCP flow: the Reno example doubles cwnd per round in slow start, then adds one per round") {
    auto s = open_object("public/examples/tcp_ca_reno.o");
    const TcpFlowReport report =
        play(*s, flow_host(kStartAt10Of40, kRoundsWithBothLosses));
    CHECK(report.ca_name == "bpf_reno");
    CHECK(rows_of(report) == std::vector<Row>{
                                 {"start", 10, 40, "Open", 10},
                                 // Slow start: each ACK of one segment adds one (10 -> 20 -> 40, capped at
                                 // ssthresh), then congestion avoidance: one segment per window of ACKs.
                                 {"round 1", 20, 40, "Open", 20},
                                 {"round 2", 40, 40, "Open", 40},
                                 {"round 3", 41, 40, "Open", 41},
                                 {"round 4", 42, 40, "Open", 42},
                                 {"round 5", 43, 40, "Open", 43},
                                 // tcp_enter_recovery: ssthresh(sk) = 43 >> 1; PRR takes cwnd down as ACKs
                                 // come, and leaving Recovery sets it to ssthresh (tcp_end_cwnd_reduction).
                                 {"fast_retransmit", 43, 21, "Recovery", 43},
                                 {"round 6", 21, 21, "Open", 21},
                                 {"round 7", 22, 21, "Open", 22},
                                 // tcp_enter_loss: ssthresh 22 >> 1, cwnd 1, slow start again in Loss
                                 // until the 22 segments lost are acknowledged.
                                 {"rto", 1, 11, "Loss", 1},
                                 {"round 8", 2, 11, "Loss", 2},
                                 {"round 9", 4, 11, "Loss", 4},
                                 {"round 10", 8, 11, "Loss", 8},
                                 {"round 11", 11, 11, "Loss", 11},
                                 {"round 12", 12, 11, "Open", 12},
                                 {"round 13", 13, 11, "Open", 13},
                                 {"end", 13, 11, "Open", 13},
                             });
    // cong_avoid once per ACK outside Recovery; ssthresh once per loss. Only the last ACK of
    // round 6 (the one that ends Recovery) reaches cong_avoid.
    CHECK(report.rows[1].calls == std::vector<std::pair<std::string, uint32_t>>{{"cong_avoid", 10}});
    CHECK(report.rows[6].calls == std::vector<std::pair<std::string, uint32_t>>{{"ssthresh", 1}});
    CHECK(report.rows[7].calls == std::vector<std::pair<std::string, uint32_t>>{{"cong_avoid", 1}});
    CHECK(report.calls == 215);
    // A round's ACKs arrive evenly over one RTT: round 4's 41 ACKs end it at 40 ms exactly.
    CHECK(report.rows[3].time_us == 30000);
    CHECK(report.rows[4].time_us == 40000);
    // The host socket keeps what it had: the flow's socket state is its own.
    CHECK(s->host().net.sockets[0].tcp.snd_cwnd == 10);
}

TEST_CASE("TCP flow: every member is called where the kernel calls it") {
    auto s = open_object("tests/run/bpf/tcp_ca_flow_log.o");
    const TcpFlowReport report =
        play(*s, flow_host(R"({"snd_cwnd": 2, "snd_ssthresh": 3})",
                           R"({"ecn": true, "steps": [{"acks": 1}, {"acks": 1, "ece": true}, {"rounds": 1},
                                                      {"loss": "fast_retransmit"}, {"undo": true}, {"loss": "rto"},
                                                      {"acks": 1}]})"));
    std::vector<uint8_t> bss(s->object().maps->find("tcp_ca_f.bss")->value_size());
    REQUIRE(s->object().maps->find("tcp_ca_f.bss")->lookup_user(test::bytes(0u), bss) == 0);
    const uint32_t n = load_le<uint32_t>(bss.data() + 256 * 4);
    std::vector<std::string> log;
    const char* names[] = {"?", "init", "release", "ssthresh", "cong_avoid", "set_state",
                           "cwnd_event", "in_ack_event", "pkts_acked", "undo_cwnd"};
    for (uint32_t i = 0; i < n && i < 256; ++i) {
        const uint32_t v = load_le<uint32_t>(bss.data() + i * 4);
        log.push_back(std::string(names[v >> 16]) + "(" + std::to_string(v & 0xffff) + ")");
    }
    CHECK(log == std::vector<std::string>{
                     // tcp_init_congestion_control, then the first segment leaves with nothing in flight.
                     "init(0)", "cwnd_event(0)",
                     // A plain ACK (fast path): tcp_clean_rtx_queue's pkts_acked, in_ack_event(CA_ACK_WIN_UPDATE)
                     // after it, then tcp_cong_control's cong_avoid(ack, acked = 1).
                     "pkts_acked(1)", "in_ack_event(2)", "cong_avoid(1)",
                     // An ECE ACK (slow path: CA_ACK_SLOWPATH | CA_ACK_ECE): tcp_try_to_open -> tcp_enter_cwr ->
                     // ssthresh, set_state(TCP_CA_CWR); cwnd follows PRR, no cong_avoid.
                     "pkts_acked(1)", "in_ack_event(5)", "ssthresh(0)", "set_state(2)",
                     // A round of three ACKs: two inside CWR; the third passes high_seq: tcp_end_cwnd_reduction's
                     // cwnd_event(CA_EVENT_COMPLETE_CWR), set_state(TCP_CA_Open), and cong_avoid again.
                     "pkts_acked(1)", "in_ack_event(2)", "pkts_acked(1)", "in_ack_event(2)", "pkts_acked(1)",
                     "in_ack_event(2)", "cwnd_event(2)", "set_state(0)", "cong_avoid(1)",
                     // tcp_enter_recovery, then the DSACK's undo: undo_cwnd, set_state(TCP_CA_Open).
                     "ssthresh(0)", "set_state(3)", "undo_cwnd(0)", "set_state(0)",
                     // tcp_enter_loss: ssthresh, cwnd_event(CA_EVENT_LOSS), set_state(TCP_CA_Loss); the
                     // retransmission starts from nothing in flight (CA_EVENT_TX_START).
                     "ssthresh(0)", "cwnd_event(3)", "set_state(4)", "cwnd_event(0)",
                     // Its ACK empties the flight again (the rest is still marked lost): another TX_START.
                     "pkts_acked(1)", "in_ack_event(2)", "cong_avoid(1)", "cwnd_event(0)",
                     // tcp_cleanup_congestion_control.
                     "release(0)",
                 });
    CHECK(rows_of(report) == std::vector<Row>{
                                 {"start", 2, 3, "Open", 2},
                                 {"acks", 3, 3, "Open", 3},
                                 // Reno's ssthresh: max(3 >> 1, 2); PRR: in flight 2 plus the one segment it
                                 // forces out first.
                                 {"acks", 3, 2, "CWR", 3},
                                 {"round 1", 2, 2, "Open", 2},
                                 {"fast_retransmit", 2, 2, "Recovery", 2},
                                 {"undo", 2, 2, "Open", 2},
                                 {"rto", 1, 2, "Loss", 1},
                                 {"acks", 2, 2, "Loss", 2},
                                 {"end", 2, 2, "Loss", 2},
                             });
    // pkts_acked's struct ack_sample: in_flight = mss * (delivered now - delivered when the acked
    // segment was sent) = 536 * (6 - 5): the RTO's retransmission went out after 5 deliveries.
    CHECK(load_le<uint32_t>(bss.data() + 257 * 4) == 536);
}

TEST_CASE("TCP flow script in the host JSON: read, written back, refused with the member named") {
    Host h;
    REQUIRE(apply_host_json(h, R"({"tcp_flow": {"rtt_us": 2000, "ecn": true, "bottleneck_per_rtt": 64, "steps": [{"rounds": 3},
        {"acks": 2, "segments": 2, "ece": true}, {"loss": "fast_retransmit"}, {"loss": "rto"}, {"undo": true}]}})")
                .ok());
    REQUIRE(h.tcp_flow);
    CHECK(h.tcp_flow->rtt_us == 2000);
    CHECK(h.tcp_flow->bottleneck_per_rtt == 64);
    CHECK(h.tcp_flow->steps == std::vector<TcpFlowStep>{{TcpFlowStep::Kind::Rounds, 3, 1, false},
                                                        {TcpFlowStep::Kind::Acks, 2, 2, true},
                                                        {TcpFlowStep::Kind::FastRetransmit, 1, 1, false},
                                                        {TcpFlowStep::Kind::Rto, 1, 1, false},
                                                        {TcpFlowStep::Kind::Undo, 1, 1, false}});
    Host again;
    REQUIRE(apply_host_json(again, host_json(h)).ok());
    CHECK(again.tcp_flow == h.tcp_flow);

    auto error_of = [](const char* json) {
        Host x;
        auto r = apply_host_json(x, json);
        REQUIRE_FALSE(r.ok());
        return r.error().what;
    };
    CHECK(error_of(R"({"tcp_flow": {"steps": [{"rounds": 1, "undo": true}]}})") ==
          "host JSON: tcp_flow.steps[0]: expected exactly one of \"rounds\", \"acks\", \"loss\" and \"undo\"");
    CHECK(error_of(R"({"tcp_flow": {"steps": [{"loss": "timeout"}]}})") ==
          "host JSON: tcp_flow.steps[0].loss: expected \"fast_retransmit\" or \"rto\"");
    CHECK(error_of(R"({"tcp_flow": {"steps": [{"acks": 0}]}})") ==
          "host JSON: tcp_flow.steps[0]: a step acknowledges at least one segment, once");
    CHECK(error_of(R"({"tcp_flow": {"rtt_us": 0}})") ==
          "host JSON: tcp_flow.rtt_us: expected a round-trip time of at least 1 us");
}

TEST_CASE("TCP flow: refused without a congestion control or a TCP socket; a faulting member stops it") {
    auto xdp = open_object("public/examples/xdp_drop_port.o");
    TcpFlowScript script;
    auto none = run_tcp_ca_flow(*xdp, script, kDefaultBudget);
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().what == "the object has no tcp_congestion_ops struct_ops map to play the TCP flow with");

    auto reno = open_object("public/examples/tcp_ca_reno.o");
    REQUIRE(apply_host_json(reno->host(), R"({"sockets": []})").ok());
    auto nosock = run_tcp_ca_flow(*reno, script, kDefaultBudget);
    REQUIRE_FALSE(nosock.ok());
    CHECK(nosock.error().what == "the TCP flow needs an established TCP socket on the host");

    // A budget too small for cong_avoid: the flow stops at that call, its rows so far kept.
    auto small = open_object("public/examples/tcp_ca_reno.o");
    script.steps = {{TcpFlowStep::Kind::Rounds, 1, 1, false}};
    auto stopped = run_tcp_ca_flow(*small, script, 5);
    REQUIRE(stopped.ok());
    REQUIRE(stopped.value().error);
    CHECK(stopped.value().error->what ==
          "cong_avoid (reno_cong_avoid): the program ran 5 instructions without exiting (the instruction budget)");
    // start, and the round it stopped in (its one call, the failed one, counted).
    REQUIRE(stopped.value().rows.size() == 2);
    CHECK(stopped.value().rows[1].what == "round 1");
    CHECK(stopped.value().rows[1].calls == std::vector<std::pair<std::string, uint32_t>>{{"cong_avoid", 1}});

}

TEST_CASE("TCP flow: the kernel's CUBIC through the cubic example (HyStart, beta 717, fast convergence)") {
    auto s = open_object("public/examples/tcp_ca_cubic.o");
    const TcpFlowReport report =
        play(*s, flow_host(kStartAt10Of40, kRoundsWithBothLosses));
    CHECK(report.ca_name == "bpf_cubic");
    CHECK(rows_of(report) == std::vector<Row>{
                                 {"start", 10, 40, "Open", 10},
                                 {"round 1", 20, 40, "Open", 20},
                                 // HyStart's ACK train: from cwnd 16 (round 1's 7th ACK, 7 ms) the ACKs keep
                                 // coming 0.5 ms apart; past (delay_min + the 1 ms pacing cushion) / 2 = 5.5 ms
                                 // (at 13 ms, round 2's 6th ACK) ssthresh = cwnd = 25.
                                 {"round 2", 25, 25, "Open", 25},
                                 // No W_max yet: one segment per 20 ACKed.
                                 {"round 3", 27, 25, "Open", 27},
                                 {"round 4", 28, 25, "Open", 28},
                                 {"round 5", 29, 25, "Open", 29},
                                 // 29 * 717 / 1024 = 20; W_max = 29.
                                 {"fast_retransmit", 29, 20, "Recovery", 29},
                                 {"round 6", 20, 20, "Open", 20},
                                 {"round 7", 21, 20, "Open", 21},
                                 // 21 * 717 / 1024 = 14; below W_max 29, fast convergence: W_max = 17.
                                 {"rto", 1, 14, "Loss", 1},
                                 {"round 8", 2, 14, "Loss", 2},
                                 {"round 9", 4, 14, "Loss", 4},
                                 {"round 10", 8, 14, "Loss", 8},
                                 {"round 11", 14, 14, "Loss", 14},
                                 {"round 12", 14, 14, "Open", 14},
                                 {"round 13", 15, 14, "Open", 15},
                                 {"end", 15, 14, "Open", 15},
                             });
    // The loss: ssthresh (cubictcp_recalc_ssthresh), set_state(Recovery); the RTO adds
    // cwnd_event(CA_EVENT_LOSS) and the retransmission's CA_EVENT_TX_START.
    CHECK(report.rows[6].calls == std::vector<std::pair<std::string, uint32_t>>{{"ssthresh", 1}, {"set_state", 1}});
    CHECK(report.rows[9].calls ==
          std::vector<std::pair<std::string, uint32_t>>{{"ssthresh", 1}, {"cwnd_event", 2}, {"set_state", 1}});
}

TEST_CASE("TCP flow: the kernel's DCTCP through the dctcp example: alpha decays, marks cut by alpha / 2") {
    auto s = open_object("public/examples/tcp_ca_dctcp.o");
    const TcpFlowReport report = play(*s, flow_host(R"({"snd_cwnd": 10, "snd_ssthresh": 20, "mss_cache": 1448})",
                                                    R"({"rtt_us": 100, "ecn": true, "steps": [{"rounds": 3},
                                                       {"acks": 5, "ece": true}, {"rounds": 2},
                                                       {"rounds": 2, "ece": true}, {"rounds": 3}]})"));
    CHECK(rows_of(report) == std::vector<Row>{
                                 {"start", 10, 20, "Open", 10},
                                 {"round 1", 20, 20, "Open", 20},
                                 {"round 2", 21, 20, "Open", 21},
                                 {"round 3", 22, 20, "Open", 22},
                                 // Four unmarked rounds took alpha 1024 -> 960 -> 900 -> 844 -> 792: the first
                                 // ECE's dctcp_ssthresh is 22 - (22 * 792 >> 11) = 14; PRR then holds cwnd.
                                 {"acks", 21, 14, "CWR", 21},
                                 // CWR ends a round later: cwnd = ssthresh (tcp_end_cwnd_reduction).
                                 {"round 4", 14, 14, "Open", 14},
                                 {"round 5", 15, 14, "Open", 15},
                                 {"round 6", 10, 10, "CWR", 10},
                                 {"round 7", 7, 7, "CWR", 7},
                                 {"round 8", 8, 7, "Open", 8},
                                 {"round 9", 9, 7, "Open", 9},
                                 {"round 10", 10, 7, "Open", 10},
                                 {"end", 10, 7, "Open", 10},
                             });
    // dctcp_update_alpha is the in_ack_event member: called for every ACK.
    CHECK(report.rows[1].calls == std::vector<std::pair<std::string, uint32_t>>{{"in_ack_event", 10}, {"cong_avoid", 10}});
}

TEST_CASE("TCP flow: the kernel's BBR through the bbr example (cong_control; a path with no bottleneck)") {
    auto s = open_object("public/examples/tcp_ca_bbr.o");
    const TcpFlowReport report =
        play(*s, flow_host(R"({"snd_cwnd": 10, "mss_cache": 1448})",
                           R"({"rtt_us": 10000, "steps": [{"rounds": 4}, {"loss": "fast_retransmit"}, {"rounds": 2},
                                                         {"loss": "rto"}, {"rounds": 3}]})"));
    CHECK(rows_of(report) == std::vector<Row>{
                                 {"start", 10, 0x7fffffff, "Open", 10},
                                 // STARTUP: the flow's path has no bottleneck, so every round delivers twice
                                 // the last and the bandwidth never stops growing: cwnd doubles.
                                 {"round 1", 20, 0x7fffffff, "Open", 20},
                                 {"round 2", 40, 0x7fffffff, "Open", 40},
                                 {"round 3", 80, 0x7fffffff, "Open", 80},
                                 {"round 4", 160, 0x7fffffff, "Open", 160},
                                 // bbr_ssthresh keeps ssthresh and saves cwnd; Recovery's first round is
                                 // packet conservation (cwnd = in flight + ACKed); leaving it restores the
                                 // saved 160, and the last ACK adds one.
                                 {"fast_retransmit", 160, 0x7fffffff, "Recovery", 160},
                                 {"round 5", 161, 0x7fffffff, "Open", 161},
                                 {"round 6", 322, 0x7fffffff, "Open", 322},
                                 // The RTO: cwnd 1 (tcp_enter_loss), then at least bbr_cwnd_min_target 4.
                                 {"rto", 1, 0x7fffffff, "Loss", 1},
                                 {"round 7", 4, 0x7fffffff, "Loss", 4},
                                 {"round 8", 8, 0x7fffffff, "Loss", 8},
                                 {"round 9", 16, 0x7fffffff, "Loss", 16},
                                 {"end", 16, 0x7fffffff, "Loss", 16},
                             });
    // cong_control replaces cong_avoid and the kernel's PRR: once per ACK, in Recovery too.
    CHECK(report.rows[6].calls ==
          std::vector<std::pair<std::string, uint32_t>>{{"cong_control", 160}, {"set_state", 1}});
}

TEST_CASE("TCP flow: BBR on a path with a bottleneck of 100 segments per RTT finds it and leaves STARTUP") {
    auto s = open_object("public/examples/tcp_ca_bbr.o");
    const TcpFlowReport report = play(*s, flow_host(R"({"snd_cwnd": 10, "mss_cache": 1448})",
                                                    R"({"rtt_us": 10000, "bottleneck_per_rtt": 100,
                                                        "steps": [{"rounds": 16}]})"));
    REQUIRE(report.rows.size() == 18);
    // Below the bottleneck STARTUP doubles; past it the queue stretches the RTT (160 in flight:
    // 16 ms) and the delivery rate stays at 100 segments per 10 ms.
    CHECK(report.rows[4].snd_cwnd == 160);
    CHECK(report.rows[5].time_us == 56000);
    for (size_t i = 0; i <= 8; ++i) CHECK(report.rows[i].snd_ssthresh == 0x7fffffff);
    // Three rounds without 25% more bandwidth: DRAIN, whose ssthresh is bbr_inflight(bw, 1.0):
    // the 100-segment BDP plus three TSO bursts of 27 (41.4 MB/s >> 10 / 1448), even: 182.
    CHECK(report.rows[9].snd_ssthresh == 182);
    CHECK(report.rows.back().snd_cwnd == 300);
    CHECK(report.rows.back().time_us == 421000);
}
