#pragma once
// A TCP sender played through a BPF congestion control (a tcp_congestion_ops struct_ops map):
// the host JSON's "tcp_flow" script (core/host/tcp_flow_script.hpp) says which ACKs arrive and
// which losses happen, and each member the object implements is called where Linux 6.18 calls
// it (net/ipv4/tcp_input.c, tcp_cong.c, tcp_output.c), on the host's established TCP socket
// whose tcp_sock (snd_cwnd, snd_ssthresh, icsk_ca_state, icsk_ca_priv, ...) lives on across the
// calls. A learner sees the cwnd curve of their own congestion control.
//
// Paths modelled (each function named is the kernel's):
//   start        tcp_init_congestion_control: prior_ssthresh = 0, init(sk); then the first
//                transmit (__tcp_transmit_skb with nothing in flight: cwnd_event(CA_EVENT_TX_START)).
//   each ACK     tcp_ack on the fast path (the slow path with an ECE mark): tcp_clean_rtx_queue
//                (packets_out, delivered, delivered_ce; pkts_acked(sk, &ack_sample)), then
//                in_ack_event(CA_ACK_WIN_UPDATE, or CA_ACK_SLOWPATH | CA_ACK_ECE), then when the
//                ACK is dubious (ECE, or not in Open) tcp_fastretrans_alert: leaving CWR /
//                Recovery / Loss once snd_una reaches high_seq (tcp_end_cwnd_reduction:
//                cwnd = ssthresh, cwnd_event(CA_EVENT_COMPLETE_CWR); set_state(TCP_CA_Open)),
//                tcp_try_to_open (ECE: tcp_enter_cwr -> ssthresh(sk), set_state(TCP_CA_CWR));
//                then tcp_cong_control: cong_control(sk, ack, flag, &rate_sample) if set, else
//                PRR (tcp_cwnd_reduction) in CWR and Recovery, else cong_avoid(sk, ack, acked),
//                then tcp_update_pacing_rate (sk_pacing_rate, which CUBIC's HyStart reads);
//                then the sender fills the window.
//   fast_retransmit  the oldest segment in flight is lost: tcp_enter_recovery (prior_ssthresh =
//                tcp_current_ssthresh, tcp_init_cwnd_reduction -> ssthresh(sk),
//                set_state(TCP_CA_Recovery)); the retransmission goes out.
//   rto          tcp_enter_loss: every segment in flight lost; ssthresh(sk),
//                cwnd_event(CA_EVENT_LOSS); cwnd = 1; set_state(TCP_CA_Loss); the retransmission
//                starts from nothing in flight (cwnd_event(CA_EVENT_TX_START)).
//   undo         tcp_try_undo_recovery / tcp_try_undo_loss once a DSACK proved the loss false:
//                tcp_undo_cwnd_reduction (cwnd = undo_cwnd(sk), ssthresh = prior_ssthresh when
//                larger), set_state(TCP_CA_Open).
//   end          tcp_cleanup_congestion_control: release(sk).
// The path: every RTT is the script's rtt_us unless it sets bottleneck_per_rtt, past which a
// queue stretches the RTT (rtt_us * in flight / bottleneck, taken at each step's start) and
// paces the ACKs; without one the delivery rate grows with cwnd (BBR never leaves STARTUP).
// Not modelled: a finite buffer (losses come only from the script), SACK scoreboards (the duplicate ACKs that reveal a loss are folded into the
// fast_retransmit step; ACKs arrive in order, each acking the oldest segments), F-RTO (as with
// net.ipv4.tcp_frto=0), the receiver side (CA_EVENT_ECN_IS_CE), pacing, idle restarts
// (CA_EVENT_CWND_RESTART), the receive window, and the members min_tso_segs, sndbuf_expand,
// get_info. The sender always has data: is_cwnd_limited is 1. Every RTT sample is the script's
// rtt_us; the socket has sock_init_data's pacing (rate and maximum ~0, shift 10) and a GSO
// device's sk_gso_max_size of 64 KiB. cong_control's struct rate_sample carries prior_delivered, delivered, delivered_ce,
// interval_us (one RTT), rtt_us, acked_sacked and prior_in_flight; the rest (losses,
// is_app_limited, prior_mstamp, ...) is 0.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/host/tcp_flow_script.hpp"

namespace bpfplay {

class JsonWriter;
class ObjectSession;

// enum tcp_ca_state's names (tcp_ca::kStateOpen...).
const char* tcp_ca_state_name(uint32_t state);  // "Open", ... ("?" past Loss)

// The socket after one step of the script (one row per round of a "rounds" step).
struct TcpFlowRow {
    std::string what;  // "start", "round 3", "acks", "fast_retransmit", "rto", "undo", "end"
    uint64_t time_us = 0;  // since the flow started
    uint32_t snd_cwnd = 0, snd_ssthresh = 0, ca_state = 0, in_flight = 0;
    // The members called during the step, in first-call order, with how often.
    std::vector<std::pair<std::string, uint32_t>> calls;
};

struct TcpFlowReport {
    std::string ca_name;  // the map (the congestion control's variable)
    std::vector<TcpFlowRow> rows;
    uint64_t calls = 0, instructions = 0;
    std::optional<Error> error;  // a member's run failed: the rows up to it are kept
};

// Whether the object has a tcp_congestion_ops struct_ops map's programs to play a flow with.
bool has_tcp_congestion_ops(const ObjectSession& session);

// Plays `script` on the session's host socket (Network::program_socket). Errors: no
// tcp_congestion_ops in the object, two of them, no established TCP socket.
Result<TcpFlowReport> run_tcp_ca_flow(ObjectSession& session, const TcpFlowScript& script, uint64_t budget);

std::string tcp_flow_text(const TcpFlowReport& report);
void tcp_flow_json(JsonWriter& w, const TcpFlowReport& report);

}  // namespace bpfplay
