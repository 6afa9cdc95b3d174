#pragma once
// A TCP connection's sender as a short script (the host JSON's "tcp_flow"): what the network
// does to the segments it sends, which bpfplay plays through a BPF congestion control's
// members in the kernel's order (core/run/tcp_ca_flow.hpp). The sender always has data and
// fills its window; every step is a kind of ACK arrival or a loss signal.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace bpfplay {

struct TcpFlowStep {
    enum class Kind : uint8_t {
        Rounds,          // `count` round trips: every segment in flight at a round's start is acked
        Acks,            // `count` ACKs
        FastRetransmit,  // the oldest segment in flight was lost; duplicate ACKs revealed it
        Rto,             // the retransmission timer fired: every segment in flight is lost
        Undo,            // the last loss was spurious (a DSACK said so): undo the reduction
    };
    Kind kind = Kind::Rounds;
    uint32_t count = 1;
    uint32_t segments = 1;  // segments each ACK acknowledges (2: a delayed-ACK receiver)
    bool ece = false;       // the ACKs echo a congestion mark (ECE)
    friend bool operator==(const TcpFlowStep&, const TcpFlowStep&) = default;
};

struct TcpFlowScript {
    uint32_t rtt_us = 10'000;  // round-trip time: a round's ACKs arrive evenly over it
    bool ecn = false;          // ECN negotiated (TCP_ECN_OK): ECE marks reach the sender
    // The path's bottleneck as the segments it delivers per rtt_us (its BDP); 0: none. With
    // more in flight a queue builds: ACKs come at the bottleneck's pace and each RTT is
    // rtt_us * in_flight / bottleneck_per_rtt (no buffer limit: losses come from the steps).
    uint32_t bottleneck_per_rtt = 0;
    std::vector<TcpFlowStep> steps;
    friend bool operator==(const TcpFlowScript&, const TcpFlowScript&) = default;
};

// The JSON names of the step kinds ("rounds", "acks", "fast_retransmit", "rto", "undo").
std::string_view tcp_flow_step_name(TcpFlowStep::Kind kind);
std::optional<TcpFlowStep::Kind> tcp_flow_step_kind(std::string_view name);

}  // namespace bpfplay
