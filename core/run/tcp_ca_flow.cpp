// The TCP flow (tcp_ca_flow.hpp): the sender's state, and the kernel's paths over it.
#include "core/run/tcp_ca_flow.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>

#include "core/btf/builtin_target_btf.hpp"
#include "core/json/json_writer.hpp"
#include "core/run/object_session.hpp"
#include "core/run/struct_ops_run.hpp"
#include "core/run/tcp_ca_access.hpp"

namespace bpfplay {

namespace {

// tcp_input.c's FLAG_* bits, as cong_control gets them.
constexpr uint32_t kFlagWinUpdate = 0x02, kFlagDataAcked = 0x04, kFlagEce = 0x40, kFlagSlowpath = 0x100,
                   kFlagSndUnaAdvanced = 0x400;
// Bounds on what one flow does (a congestion control that sets cwnd to 4e9 must not hang it).
constexpr uint32_t kMaxFlowPacketsOut = 1'000'000;
constexpr uint64_t kMaxFlowCalls = 1'000'000;

// A member of a kernel struct, by name, into `bytes` laid out as it (ack_sample, rate_sample).
void put_struct_member(std::vector<uint8_t>& bytes, const char* type, const char* member, uint64_t value) {
    const Btf& btf = builtin_target_btf();
    const auto id = btf.find_by_name(type, BtfKind::Struct);
    if (!id) return;
    if (bytes.empty()) {
        const auto size = btf.resolve_size(*id);
        bytes.assign(size.ok() ? size.value() : 0, 0);
    }
    for (const BtfMember& m : btf.members(*id)) {
        if (btf.string_at(m.name_off) != member) continue;
        const auto resolved = btf.resolve_size(m.type);
        const uint32_t size = resolved.ok() ? resolved.value() : 0;
        const uint32_t off = m.bit_offset / 8;
        if (size <= 8 && off + size <= bytes.size()) std::memcpy(bytes.data() + off, &value, size);
    }
}

// The sender: tcp_sock's congestion state, in segments where the kernel counts segments.
struct TcpFlowSender {
    uint32_t cwnd = 10, ssthresh = tcp_ca::kInfiniteSsthresh, cwnd_cnt = 0, cwnd_clamp = ~0u, cwnd_stamp = 0;
    uint32_t prior_cwnd = 0, prior_ssthresh = 0, ca_state = tcp_ca::kStateOpen;
    uint32_t packets_out = 0, lost_out = 0, retrans_out = 0, max_packets_out = 0;
    uint32_t snd_una = 0, snd_nxt = 0, high_seq = 0, undo_marker = 0, mss = 536;
    uint32_t delivered = 0, delivered_ce = 0, ecn_flags = 0, prr_delivered = 0, prr_out = 0;
    uint32_t retransmits = 0, srtt_us = 0, lsndtime = 0;  // icsk_retransmits; srtt_us is << 3
    uint32_t lost = 0;                // tp->lost: segments ever marked lost
    uint64_t delivered_mstamp = 0;    // us, when delivered last grew
    // sock_init_data's ~0UL until tcp_update_pacing_rate (or a CA) sets it; unlimited maximum.
    uint64_t pacing_rate = ~0ull, max_pacing_rate = ~0ull;
    uint32_t pacing_status = 0;       // SK_PACING_NONE
    std::vector<uint8_t> ca_priv;
    // tp->delivered when each segment in flight was (last) sent, oldest first: the rate sample's
    // prior_delivered for the ACK that covers it.
    std::deque<uint32_t> sent_at;

    uint32_t in_flight() const { return packets_out - lost_out + retrans_out; }  // no SACK: sacked_out 0
    bool in_cwnd_reduction() const { return ca_state == tcp_ca::kStateCwr || ca_state == tcp_ca::kStateRecovery; }
    // tcp_current_ssthresh.
    uint32_t current_ssthresh() const {
        return in_cwnd_reduction() ? ssthresh : std::max(ssthresh, (cwnd >> 1) + (cwnd >> 2));
    }
};

class TcpCaFlowPlayer {
public:
    TcpCaFlowPlayer(ObjectSession& s, const TcpFlowScript& script, uint64_t budget, std::map<std::string, std::string> members)
        : s_(s), script_(script), budget_(budget), members_(std::move(members)), start_ns_(s.host().clock_start_ns) {}

    TcpFlowReport play(const TcpInfo& tcp) {
        tp_.cwnd = tcp.snd_cwnd;
        tp_.ssthresh = tcp.snd_ssthresh;
        tp_.mss = tcp.mss_cache;
        tp_.snd_una = tp_.snd_nxt = tp_.high_seq = tcp.snd_una;
        tp_.ecn_flags = script_.ecn ? tcp_ca::kEcnOk : 0;
        // tcp_init_congestion_control.
        tp_.prior_ssthresh = 0;
        call("init");
        transmit();
        row("start");
        for (const TcpFlowStep& step : script_.steps) {
            if (report_.error) break;
            switch (step.kind) {
            case TcpFlowStep::Kind::Rounds:
                for (uint32_t r = 0; r < step.count && !report_.error; ++r) {
                    const uint32_t n = std::max<uint32_t>(1, (tp_.in_flight() + step.segments - 1) / step.segments);
                    acks(n, step.segments, step.ece);
                    row("round " + std::to_string(++rounds_));
                }
                break;
            case TcpFlowStep::Kind::Acks:
                acks(step.count, step.segments, step.ece);
                row("acks");
                break;
            case TcpFlowStep::Kind::FastRetransmit:
                enter_recovery();
                transmit();
                row("fast_retransmit");
                break;
            case TcpFlowStep::Kind::Rto:
                enter_loss();
                transmit();
                row("rto");
                break;
            case TcpFlowStep::Kind::Undo:
                undo();
                row("undo");
                break;
            }
        }
        if (!report_.error) {
            call("release");  // tcp_cleanup_congestion_control
            row("end");
        }
        s_.host().clock_start_ns = start_ns_ + time_us_ * 1000;
        return std::move(report_);
    }

private:
    uint32_t jiffies32() const { return uint32_t(s_.host().jiffies64(0)); }

    // One member's run on the socket as it stands; nullopt when the object leaves it out (or
    // the flow already failed). The fields go in and come back (the program may change them).
    std::optional<uint64_t> call(const std::string& member, std::vector<uint64_t> args = {},
                                 std::vector<uint8_t> pointed = {}) {
        const auto it = members_.find(member);
        if (it == members_.end() || report_.error) return std::nullopt;
        if (report_.calls >= kMaxFlowCalls) {
            report_.error = make_error(ErrorKind::Runtime, "the TCP flow made " + std::to_string(kMaxFlowCalls) +
                                                               " member calls, the most bpfplay plays in one flow");
            return std::nullopt;
        }
        TcpCaCall c;
        c.fields = {{"snd_cwnd", tp_.cwnd},
                    {"snd_ssthresh", tp_.ssthresh},
                    {"snd_cwnd_cnt", tp_.cwnd_cnt},
                    {"snd_cwnd_clamp", tp_.cwnd_clamp},
                    {"snd_cwnd_stamp", tp_.cwnd_stamp},
                    {"prior_cwnd", tp_.prior_cwnd},
                    {"prior_ssthresh", tp_.prior_ssthresh},
                    {"icsk_ca_state", tp_.ca_state},
                    {"icsk_retransmits", tp_.retransmits},
                    {"is_cwnd_limited", 1},
                    {"max_packets_out", tp_.max_packets_out},
                    {"packets_out", tp_.packets_out},
                    {"lost_out", tp_.lost_out},
                    {"retrans_out", tp_.retrans_out},
                    {"sacked_out", 0},
                    {"snd_una", tp_.snd_una},
                    {"snd_nxt", tp_.snd_nxt},
                    {"high_seq", tp_.high_seq},
                    {"undo_marker", tp_.undo_marker},
                    {"delivered", tp_.delivered},
                    {"delivered_ce", tp_.delivered_ce},
                    {"ecn_flags", tp_.ecn_flags},
                    {"prr_delivered", tp_.prr_delivered},
                    {"prr_out", tp_.prr_out},
                    {"mss_cache", tp_.mss},
                    {"srtt_us", tp_.srtt_us},
                    {"lsndtime", tp_.lsndtime},
                    {"lost", tp_.lost},
                    {"sk_pacing_rate", tp_.pacing_rate},
                    {"sk_max_pacing_rate", tp_.max_pacing_rate},
                    {"sk_pacing_status", tp_.pacing_status},
                    {"sk_pacing_shift", 10},     // sock_init_data
                    {"sk_gso_max_size", 65536},  // a GSO device's GSO_LEGACY_MAX_SIZE
                    {"delivered_mstamp", tp_.delivered_mstamp},
                    {"tcp_mstamp", (start_ns_ / 1000) + time_us_},
                    {"tcp_clock_cache", start_ns_ + time_us_ * 1000}};
        c.ca_priv = tp_.ca_priv;
        c.pointed = std::move(pointed);
        RunInput in;
        in.ctx.assign((args.size() + 1) * 8, 0);  // argument 0 is the socket, filled in
        for (size_t i = 0; i < args.size(); ++i) std::memcpy(in.ctx.data() + (i + 1) * 8, &args[i], 8);
        in.budget = budget_;
        in.tcp_ca = &c;
        s_.host().clock_start_ns = start_ns_ + time_us_ * 1000;
        RunResult r = s_.run(it->second, in);
        s_.host().events.clear();  // the flow's rows are its log
        ++report_.calls;
        report_.instructions += r.instructions;
        note_call(member);
        if (r.status != RunStatus::Exited) {
            report_.error = r.error ? *r.error : make_error(ErrorKind::Runtime, "the program stopped without exiting");
            report_.error->what = member + " (" + it->second + "): " + report_.error->what;
            return std::nullopt;
        }
        // What a congestion control may write (bpf_tcp_ca_btf_struct_access), back into the sender.
        for (const auto& [path, value] : c.fields) {
            if (path == "snd_cwnd") tp_.cwnd = uint32_t(value);
            else if (path == "snd_ssthresh") tp_.ssthresh = uint32_t(value);
            else if (path == "snd_cwnd_cnt") tp_.cwnd_cnt = uint32_t(value);
            else if (path == "snd_cwnd_stamp") tp_.cwnd_stamp = uint32_t(value);
            else if (path == "ecn_flags") tp_.ecn_flags = uint32_t(value);
            else if (path == "sk_pacing_rate") tp_.pacing_rate = value;
            else if (path == "sk_pacing_status") tp_.pacing_status = uint32_t(value);
        }
        tp_.ca_priv = std::move(c.ca_priv);
        return r.r0;
    }

    void note_call(const std::string& member) {
        for (auto& [name, n] : calls_)
            if (name == member) {
                ++n;
                return;
            }
        calls_.emplace_back(member, 1);
    }

    void row(std::string what) {
        report_.rows.push_back({std::move(what), time_us_, tp_.cwnd, tp_.ssthresh, tp_.ca_state, tp_.in_flight(),
                                std::move(calls_)});
        calls_.clear();
    }

    // tcp_set_ca_state: the member first, then the state.
    void set_state(uint32_t state) {
        call("set_state", {state});
        tp_.ca_state = state;
    }

    // The sender fills the window: retransmissions first, then new data (tcp_write_xmit,
    // tcp_xmit_retransmit_queue); __tcp_transmit_skb tells the CA when it starts from nothing
    // in flight.
    void transmit() {
        while (!report_.error && tp_.in_flight() < tp_.cwnd) {
            if (tp_.packets_out >= kMaxFlowPacketsOut) {
                report_.error = make_error(ErrorKind::Runtime, "snd_cwnd " + std::to_string(tp_.cwnd) +
                                                                   " would put more than " +
                                                                   std::to_string(kMaxFlowPacketsOut) +
                                                                   " segments in flight, more than bpfplay sends");
                return;
            }
            if (tp_.in_flight() == 0) call("cwnd_event", {tcp_ca::kEventTxStart});
            if (tp_.retrans_out < tp_.lost_out) {
                tp_.sent_at[tp_.retrans_out] = tp_.delivered;
                ++tp_.retrans_out;
            } else {
                ++tp_.packets_out;
                tp_.snd_nxt += tp_.mss;
                tp_.sent_at.push_back(tp_.delivered);
            }
            if (tp_.in_cwnd_reduction()) ++tp_.prr_out;
            tp_.ecn_flags &= ~tcp_ca::kEcnQueueCwr;  // the CWR flag went out with it (tcp_ecn_send)
            tp_.lsndtime = jiffies32();
        }
        tp_.max_packets_out = tp_.packets_out;  // tcp_cwnd_validate: cwnd-limited, always
    }

    // The RTT now: the script's, stretched by the bottleneck's queue when more is in flight
    // than it delivers per RTT.
    uint32_t rtt_now() const {
        const uint64_t b = script_.bottleneck_per_rtt, flight = tp_.in_flight();
        if (!b || flight <= b) return script_.rtt_us;
        return uint32_t(std::min<uint64_t>(uint64_t(script_.rtt_us) * flight / b, 60'000'000));
    }

    // `n` ACKs of `segments` each, spread evenly over one RTT as it is at the step's start:
    // ACK i (from 1) at i * rtt / n.
    void acks(uint32_t n, uint32_t segments, bool ece) {
        const uint64_t start = time_us_, rtt = rtt_now();
        for (uint32_t i = 1; i <= n && !report_.error; ++i) {
            time_us_ = start + rtt * i / n;
            ack(segments, ece, uint32_t(rtt));
        }
    }

    // tcp_ack for an ACK that cumulatively acknowledges the oldest `segments` in flight.
    void ack(uint32_t segments, bool ece_mark, uint32_t rtt_us) {
        const uint32_t k = std::min(segments, tp_.packets_out);
        if (k == 0) return;  // nothing in flight to acknowledge
        const bool ece = ece_mark && (tp_.ecn_flags & tcp_ca::kEcnOk);
        int flag = kFlagDataAcked | kFlagSndUnaAdvanced | (ece ? kFlagEce | kFlagSlowpath : kFlagWinUpdate);
        const uint32_t prior_in_flight = tp_.in_flight();
        const uint32_t prior_delivered_total = tp_.delivered;
        // tcp_clean_rtx_queue.
        uint32_t prior_delivered = 0;
        for (uint32_t i = 0; i < k; ++i) {
            prior_delivered = std::max(prior_delivered, tp_.sent_at.front());
            tp_.sent_at.pop_front();
        }
        const uint32_t lost_acked = std::min(k, tp_.lost_out);
        tp_.lost_out -= lost_acked;
        tp_.retrans_out -= std::min(lost_acked, tp_.retrans_out);
        tp_.packets_out -= k;
        tp_.snd_una += k * tp_.mss;
        tp_.delivered += k;
        tp_.delivered_mstamp = start_ns_ / 1000 + time_us_;
        if (ece) tp_.delivered_ce += k;
        tp_.retransmits = 0;
        // tcp_rtt_estimator: srtt += sample - srtt / 8 (the first sample sets it).
        tp_.srtt_us = tp_.srtt_us ? tp_.srtt_us - (tp_.srtt_us >> 3) + rtt_us : rtt_us << 3;
        if (members_.count("pkts_acked")) {
            std::vector<uint8_t> sample;
            put_struct_member(sample, "ack_sample", "pkts_acked", k);
            put_struct_member(sample, "ack_sample", "rtt_us", rtt_us);
            put_struct_member(sample, "ack_sample", "in_flight", uint64_t(tp_.mss) * (tp_.delivered - prior_delivered));
            call("pkts_acked", {}, std::move(sample));
        }
        call("in_ack_event", {ece ? tcp_ca::kAckSlowpath | tcp_ca::kAckEce : tcp_ca::kAckWinUpdate});
        if (ece || tp_.ca_state != tcp_ca::kStateOpen) fastretrans_alert(flag);
        // tcp_cong_control.
        const uint32_t acked_sacked = tp_.delivered - prior_delivered_total;
        if (members_.count("cong_control")) {
            std::vector<uint8_t> rs;
            put_struct_member(rs, "rate_sample", "prior_delivered", prior_delivered);
            put_struct_member(rs, "rate_sample", "delivered", tp_.delivered - prior_delivered);
            put_struct_member(rs, "rate_sample", "interval_us", rtt_us);
            put_struct_member(rs, "rate_sample", "rtt_us", rtt_us);
            put_struct_member(rs, "rate_sample", "acked_sacked", acked_sacked);
            put_struct_member(rs, "rate_sample", "prior_in_flight", prior_in_flight);
            if (ece) put_struct_member(rs, "rate_sample", "delivered_ce", k);
            call("cong_control", {tp_.snd_una, uint64_t(uint32_t(flag))}, std::move(rs));
        } else if (tp_.in_cwnd_reduction()) {
            cwnd_reduction(acked_sacked, flag);
        } else if (flag & kFlagDataAcked) {  // tcp_may_raise_cwnd, without reordering
            call("cong_avoid", {tp_.snd_una, acked_sacked});
            tp_.cwnd_stamp = jiffies32();
        }
        if (!members_.count("cong_control")) update_pacing_rate();
        transmit();
    }

    // tcp_update_pacing_rate: mss * max(cwnd, packets_out) / srtt, times 200% well below
    // ssthresh (net.ipv4.tcp_pacing_ss_ratio), else 120% (tcp_pacing_ca_ratio).
    void update_pacing_rate() {
        uint64_t rate = uint64_t(tp_.mss) * ((1'000'000 / 100) << 3);
        rate *= tp_.cwnd < tp_.ssthresh / 2 ? 200 : 120;
        rate *= std::max(tp_.cwnd, tp_.packets_out);
        if (tp_.srtt_us) rate /= tp_.srtt_us;
        tp_.pacing_rate = std::min(rate, tp_.max_pacing_rate);
    }

    // tcp_fastretrans_alert's state exits (D) and its Open/Disorder/CWR processing (E).
    void fastretrans_alert(int flag) {
        const bool recovered = int32_t(tp_.snd_una - tp_.high_seq) >= 0;
        if (recovered && tp_.ca_state == tcp_ca::kStateCwr && tp_.snd_una != tp_.high_seq) {
            end_cwnd_reduction();
            set_state(tcp_ca::kStateOpen);
        } else if (recovered && tp_.ca_state == tcp_ca::kStateRecovery) {
            set_state(tcp_ca::kStateOpen);  // tcp_try_undo_recovery: nothing to undo
            end_cwnd_reduction();
        } else if (recovered && tp_.ca_state == tcp_ca::kStateLoss) {
            set_state(tcp_ca::kStateOpen);  // tcp_process_loss -> tcp_try_undo_recovery
        }
        if (tp_.ca_state == tcp_ca::kStateRecovery || tp_.ca_state == tcp_ca::kStateLoss) return;
        // tcp_try_to_open: an ECE mark starts a window reduction.
        if (flag & kFlagEce) enter_cwr();
    }

    // tcp_init_cwnd_reduction.
    void init_cwnd_reduction() {
        tp_.high_seq = tp_.snd_nxt;
        tp_.cwnd_cnt = 0;
        tp_.prior_cwnd = tp_.cwnd;
        tp_.prr_delivered = tp_.prr_out = 0;
        if (auto r = call("ssthresh")) tp_.ssthresh = uint32_t(*r);
        if (tp_.ecn_flags & tcp_ca::kEcnOk) tp_.ecn_flags |= tcp_ca::kEcnQueueCwr;
    }

    // tcp_enter_cwr.
    void enter_cwr() {
        tp_.prior_ssthresh = 0;
        if (tp_.ca_state >= tcp_ca::kStateCwr) return;
        tp_.undo_marker = 0;
        init_cwnd_reduction();
        set_state(tcp_ca::kStateCwr);
    }

    // tcp_end_cwnd_reduction.
    void end_cwnd_reduction() {
        if (members_.count("cong_control")) return;
        if (tp_.ssthresh < tcp_ca::kInfiniteSsthresh && (tp_.ca_state == tcp_ca::kStateCwr || tp_.undo_marker)) {
            tp_.cwnd = tp_.ssthresh;
            tp_.cwnd_stamp = jiffies32();
        }
        call("cwnd_event", {tcp_ca::kEventCompleteCwr});
    }

    // tcp_cwnd_reduction: proportional rate reduction (RFC 6937).
    void cwnd_reduction(uint32_t newly_acked_sacked, int flag) {
        if (newly_acked_sacked == 0 || tp_.prior_cwnd == 0) return;
        const int delta = int(tp_.ssthresh) - int(tp_.in_flight());
        tp_.prr_delivered += newly_acked_sacked;
        int sndcnt = 0;
        if (delta < 0) {
            const uint64_t dividend = uint64_t(tp_.ssthresh) * tp_.prr_delivered + tp_.prior_cwnd - 1;
            sndcnt = int(dividend / tp_.prior_cwnd) - int(tp_.prr_out);
        } else {
            sndcnt = std::max(int(tp_.prr_delivered) - int(tp_.prr_out), int(newly_acked_sacked));
            if (flag & kFlagSndUnaAdvanced) ++sndcnt;  // no newly lost segments in this model
            sndcnt = std::min(delta, sndcnt);
        }
        sndcnt = std::max(sndcnt, tp_.prr_out ? 0 : 1);  // force the fast retransmit
        tp_.cwnd = tp_.in_flight() + uint32_t(sndcnt);
    }

    // tcp_init_undo.
    void init_undo() { tp_.undo_marker = tp_.snd_una; }

    // The fast_retransmit step: the oldest segment is lost, tcp_enter_recovery.
    void enter_recovery() {
        if (tp_.packets_out > tp_.lost_out) {
            ++tp_.lost_out;
            ++tp_.lost;
        }
        tp_.prior_ssthresh = 0;
        init_undo();
        if (!tp_.in_cwnd_reduction()) {
            tp_.prior_ssthresh = tp_.current_ssthresh();
            init_cwnd_reduction();
        }
        set_state(tcp_ca::kStateRecovery);
    }

    // tcp_enter_loss, from the retransmission timer.
    void enter_loss() {
        tp_.lost += tp_.packets_out - tp_.lost_out;
        tp_.lost_out = tp_.packets_out;  // tcp_timeout_mark_lost
        tp_.retrans_out = 0;
        if (tp_.ca_state <= tcp_ca::kStateDisorder || int32_t(tp_.high_seq - tp_.snd_una) <= 0 ||
            (tp_.ca_state == tcp_ca::kStateLoss && tp_.retransmits == 0)) {
            tp_.prior_ssthresh = tp_.current_ssthresh();
            tp_.prior_cwnd = tp_.cwnd;
            if (auto r = call("ssthresh")) tp_.ssthresh = uint32_t(*r);
            call("cwnd_event", {tcp_ca::kEventLoss});
            init_undo();
        }
        tp_.cwnd = tp_.in_flight() + 1;
        tp_.cwnd_cnt = 0;
        tp_.cwnd_stamp = jiffies32();
        set_state(tcp_ca::kStateLoss);
        tp_.high_seq = tp_.snd_nxt;
        ++tp_.retransmits;  // tcp_retransmit_timer, after the retransmission
    }

    // tcp_try_undo_recovery / tcp_try_undo_loss once the loss proved spurious.
    void undo() {
        if (!tp_.undo_marker || (tp_.ca_state != tcp_ca::kStateRecovery && tp_.ca_state != tcp_ca::kStateLoss)) return;
        // tcp_undo_cwnd_reduction.
        if (tp_.prior_ssthresh) {
            if (auto r = call("undo_cwnd")) tp_.cwnd = uint32_t(*r);
            if (tp_.prior_ssthresh > tp_.ssthresh) {
                tp_.ssthresh = tp_.prior_ssthresh;
                tp_.ecn_flags &= ~tcp_ca::kEcnQueueCwr;  // tcp_ecn_withdraw_cwr
            }
        }
        tp_.cwnd_stamp = jiffies32();
        tp_.undo_marker = 0;
        if (tp_.ca_state == tcp_ca::kStateLoss) {  // the lost marks go: what is in flight is in flight
            tp_.lost_out = tp_.retrans_out = 0;
        }
        set_state(tcp_ca::kStateOpen);
    }

    ObjectSession& s_;
    const TcpFlowScript& script_;
    uint64_t budget_;
    std::map<std::string, std::string> members_;  // member -> program
    uint64_t start_ns_;
    uint64_t time_us_ = 0;
    uint32_t rounds_ = 0;
    TcpFlowSender tp_;
    std::vector<std::pair<std::string, uint32_t>> calls_;
    TcpFlowReport report_;
};

}  // namespace

const char* tcp_ca_state_name(uint32_t state) {
    static constexpr const char* kNames[] = {"Open", "Disorder", "CWR", "Recovery", "Loss"};
    return state < 5 ? kNames[state] : "?";
}

bool has_tcp_congestion_ops(const ObjectSession& session) {
    return std::any_of(session.object().programs.begin(), session.object().programs.end(),
                       [](const LoadedProgram& p) { return p.struct_ops_type == "tcp_congestion_ops"; });
}

Result<TcpFlowReport> run_tcp_ca_flow(ObjectSession& session, const TcpFlowScript& script, uint64_t budget) {
    std::map<std::string, std::string> members;
    for (const LoadedProgram& p : session.object().programs) {
        if (p.struct_ops_type != "tcp_congestion_ops") continue;
        if (!members.emplace(p.struct_ops_member, p.name).second)
            return make_error(ErrorKind::Load,
                              "two programs implement tcp_congestion_ops." + p.struct_ops_member + " (" +
                                  members[p.struct_ops_member] + " and " + p.name +
                                  "): the TCP flow plays one congestion control per object");
    }
    if (members.empty())
        return make_error(ErrorKind::Load, "the object has no tcp_congestion_ops struct_ops map to play the TCP flow with");
    const Network& net = session.host().net;
    const auto socket = net.program_socket_index();
    if (!socket || net.sockets[*socket].protocol != kIpprotoTcp)
        return make_error(ErrorKind::Load, "the TCP flow needs an established TCP socket on the host", std::nullopt,
                          "Add one to the host's sockets, or pick one with program_socket.");
    std::string ca_name;
    for (const LoadedMapInfo& m : session.object().map_info)
        if (m.spec.type == MapType::StructOps && ca_name.empty()) ca_name = m.spec.name;
    TcpCaFlowPlayer flow(session, script, budget, std::move(members));
    TcpFlowReport report = flow.play(net.sockets[*socket].tcp);
    report.ca_name = ca_name;
    return report;
}

std::string tcp_flow_text(const TcpFlowReport& report) {
    std::string out = "TCP flow through " + (report.ca_name.empty() ? std::string("the congestion control") : report.ca_name) +
                      ": " + std::to_string(report.calls) + " member calls, " + std::to_string(report.instructions) +
                      " instructions\n";
    out += "  step              time_us  snd_cwnd  snd_ssthresh  ca_state  in_flight  calls\n";
    for (const TcpFlowRow& r : report.rows) {
        char line[160];
        std::snprintf(line, sizeof line, "  %-16s %8llu  %8u  %12u  %-8s  %9u  ", r.what.c_str(),
                      static_cast<unsigned long long>(r.time_us), r.snd_cwnd, r.snd_ssthresh,
                      tcp_ca_state_name(r.ca_state), r.in_flight);
        out += line;
        for (size_t i = 0; i < r.calls.size(); ++i)
            out += (i ? ", " : "") + r.calls[i].first + (r.calls[i].second > 1 ? " x" + std::to_string(r.calls[i].second) : "");
        out += "\n";
    }
    if (report.error) out += "stopped: " + report.error->to_string() + "\n";
    return out;
}

void tcp_flow_json(JsonWriter& w, const TcpFlowReport& report) {
    w.begin_object().member("ca", report.ca_name).member("calls", report.calls).member("instructions", report.instructions);
    w.key("rows").begin_array();
    for (const TcpFlowRow& r : report.rows) {
        w.begin_object()
            .member("step", r.what)
            .member("time_us", r.time_us)
            .member("snd_cwnd", r.snd_cwnd)
            .member("snd_ssthresh", r.snd_ssthresh)
            .member("ca_state", std::string(tcp_ca_state_name(r.ca_state)))
            .member("in_flight", r.in_flight)
            .key("calls")
            .begin_object();
        for (const auto& [member, n] : r.calls) w.member(member, n);
        w.end_object().end_object();
    }
    w.end_array();
    if (report.error) w.member("error", report.error->to_string());
    w.end_object();
}

}  // namespace bpfplay
